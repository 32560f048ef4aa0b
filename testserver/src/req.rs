//! The buffered request every route handler sees, and its connection context.

use std::str::FromStr;
use std::sync::Arc;

use bytes::Bytes;
use hyper::http::request::Parts;
use hyper::{HeaderMap, Method, Uri};

use crate::util::{bad_request, Resp};
use crate::State;

/// Per-connection context.
#[derive(Clone)]
pub(crate) struct Ctx {
    pub state: Arc<State>,
    pub conn_id: u64,
    pub scheme: &'static str,
    /// The client's IP address, or `None` on a Unix-socket connection.
    pub peer: Option<std::net::IpAddr>,
    /// On plain HTTP/1 connections: where a `/misbehave/` request asks for the raw socket.
    pub hijack: Option<crate::hijack::Slot>,
    /// On TLS connections: the certificate the client presented (DER), if any.
    pub client_cert: Option<Arc<Vec<u8>>>,
}

/// A request with its body read in full.
pub(crate) struct Req {
    pub method: Method,
    pub uri: Uri,
    pub headers: HeaderMap,
    pub body: Bytes,
    pub query: Vec<(String, String)>,
    pub ctx: Ctx,
}

impl Req {
    pub fn new(parts: Parts, body: Bytes, ctx: Ctx) -> Req {
        let query = parse_query(parts.uri.query().unwrap_or(""));
        Req {
            method: parts.method,
            uri: parts.uri,
            headers: parts.headers,
            body,
            query,
            ctx,
        }
    }

    /// The `Host` header, else the URI's authority (HTTP/2), else `127.0.0.1`.
    pub fn host(&self) -> String {
        self.headers
            .get(hyper::header::HOST)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
            .or_else(|| self.uri.authority().map(|a| a.to_string()))
            .unwrap_or_else(|| "127.0.0.1".to_string())
    }

    /// httpbin's `origin`: the client's IP address, or `unix` on a Unix-socket connection.
    pub fn origin(&self) -> String {
        match self.ctx.peer {
            Some(ip) => ip.to_string(),
            None => "unix".to_string(),
        }
    }

    /// `scheme://host` of this request.
    pub fn base_url(&self) -> String {
        format!("{}://{}", self.ctx.scheme, self.host())
    }

    /// The path and query as requested.
    pub fn path_and_query(&self) -> &str {
        self.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/")
    }

    /// The full URL as requested.
    pub fn full_url(&self) -> String {
        format!("{}{}", self.base_url(), self.path_and_query())
    }

    /// The first value of a query parameter.
    pub fn q(&self, key: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// A query parameter parsed as `T`; `default` when absent, 400 when malformed.
    pub fn q_parse<T: FromStr>(&self, key: &str, default: T) -> Result<T, Resp> {
        match self.q(key) {
            None => Ok(default),
            Some(v) => v
                .trim()
                .parse()
                .map_err(|_| bad_request(&format!("invalid query parameter {key}={v}"))),
        }
    }

    /// A header as a string (non-UTF-8 or absent: `None`).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

pub(crate) fn parse_query(q: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(q.as_bytes())
        .into_owned()
        .collect()
}

/// Percent-decodes a path segment (`+` stays `+`).
pub(crate) fn pct_decode(s: &str) -> String {
    fn hex(b: u8) -> Option<u8> {
        (b as char).to_digit(16).map(|d| d as u8)
    }
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push(h * 16 + l);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
