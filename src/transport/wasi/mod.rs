//! The WASI 0.2 backend: `wasi:http/outgoing-handler`, for `wasm32-wasip2` components (run by
//! wasmtime, Spin, jco...). It uses only functions that exist since wasi:http 0.2.0, so the
//! component links on every WASI 0.2 host.
//!
//! One exchange, in order:
//! 1. the request head becomes an `outgoing-request` (headers the host forbids are refused
//!    with an [`Unsupported`](crate::ErrorKind::Unsupported) error, never dropped);
//! 2. the timeouts go into `request-options` where the host takes them (see [`HostTimeouts`]);
//! 3. `outgoing-handler.handle` sends it; the body is written ([`body::write_body`]) while the
//!    response head is awaited, both waiting in the reactor of [`crate::rt`];
//! 4. the response body streams from its `input-stream` ([`body::ResponseBody`]).
//!
//! The host keeps the connections, so [`Limits`](crate::Limits) do not apply here, and it
//! verifies TLS itself: custom roots, `danger_accept_invalid_certs` and HTTP/2 prior knowledge
//! are refused when the client is built.

mod body;
mod error;

use std::time::Duration;

use ::wasi::http::outgoing_handler;
use ::wasi::http::types::{
    Fields, FutureIncomingResponse, HeaderError, IncomingResponse, Method as WasiMethod,
    OutgoingRequest, RequestOptions, Scheme,
};
use futures_util::future::{select, Either};
use http::header::{CONTENT_LENGTH, HOST, TRANSFER_ENCODING};
use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use url::{Position, Url};

use self::body::{ResponseBody, WriteError};
use self::error::{host_refused, map_error_code, Phase};
use crate::body::Body;
use crate::error::{Error, ErrorKind, Result, TimeoutKind};
use crate::request::Request;
use crate::response::Response;
use crate::rt::wasi::WaitFor;
use crate::timeout::Timeout;
use crate::transport::{Transport, TransportConfig};
use crate::util::BoxFuture;

pub use self::error::WasiHttpError;

/// The generated `wasi:*@0.2.0` bindings the backend is written against (the `wasi` crate
/// release generated from the WIT in `wit/deps/`). Not part of the API.
#[doc(hidden)]
pub mod bindings {
    pub use ::wasi::{clocks, http, io};
}

/// How long to wait for the exchange's error after the body stream broke, when no read timeout
/// bounds the wait.
const STREAM_FAILURE_GRACE: Duration = Duration::from_secs(5);

/// How much longer than the read timeout a timer that only backs up another one waits.
const BACKSTOP_SLACK: Duration = Duration::from_millis(250);

/// The WASI transport: each request is one `outgoing-handler.handle` call.
///
/// The host pools connections and verifies TLS itself. A client built without
/// [`transport`](crate::ClientBuilder::transport) makes its own (refusing the TLS options the
/// host cannot honour); give one explicitly to wrap it in your own transport.
#[derive(Debug, Default)]
pub struct WasiTransport {
    _private: (),
}

impl WasiTransport {
    /// A transport for the host's `wasi:http/outgoing-handler`.
    pub fn new() -> WasiTransport {
        WasiTransport { _private: () }
    }

    /// Refuses what the host cannot honour.
    ///
    /// # Errors
    /// [`ErrorKind::Unsupported`] for custom roots, disabled certificate checks and HTTP/2
    /// prior knowledge.
    pub(crate) fn with_config(config: &TransportConfig) -> Result<WasiTransport> {
        config.reject_tls_options("the WASI host")?;
        if config.http2_prior_knowledge {
            return Err(Error::new(ErrorKind::Unsupported).with_message(
                "the WASI host chooses the HTTP version itself: http2_prior_knowledge cannot be honoured",
            ));
        }
        // `config.limits`: not applicable, the host pools connections itself.
        Ok(WasiTransport::new())
    }
}

impl Transport for WasiTransport {
    fn send(&self, request: Request) -> BoxFuture<'static, Result<Response>> {
        Box::pin(send(request))
    }
}

async fn send(request: Request) -> Result<Response> {
    let (parts, body) = request.into_parts();
    let url = parts.url;
    let timeout = parts.timeout;
    let outgoing = outgoing_request(&parts.method, &url, &parts.headers, &body)?;
    let out_body = outgoing
        .body()
        .map_err(|()| host_refused("to give the request body", &url))?;
    let (options, host) = request_options(&timeout);
    let future = outgoing_handler::handle(outgoing, Some(options))
        .map_err(|code| map_error_code(code, Phase::Send, &url))?;

    // The body is written while the response is awaited: a server may answer before reading
    // it all. The client's own wait for the head starts when the body is written.
    let head_limit = host.head_backstop(&timeout);
    let response = {
        let writing = std::pin::pin!(body::write_body(
            out_body,
            body,
            timeout.write_timeout(),
            &url
        ));
        let head = std::pin::pin!(response_head(&future, &url));
        match select(writing, head).await {
            Either::Left((Ok(()), head)) => {
                crate::rt::timeout(head_limit, head, || {
                    Error::timeout(TimeoutKind::Read)
                        .with_message("no response head in time")
                        .with_url(url.clone())
                })
                .await?
            }
            Either::Left((Err(WriteError::Other(e)), _head)) => return Err(e),
            Either::Left((Err(WriteError::Stream(e)), head)) => {
                // The host broke the body stream. When it failed the whole exchange (refused,
                // reset), the response future holds the code that says why; when the server
                // answered anyway, the answer stands.
                let grace = head_limit.unwrap_or(STREAM_FAILURE_GRACE);
                crate::rt::timeout(Some(grace), head, || e).await?
            }
            Either::Right((Ok(response), writing)) => {
                // The server answered early: finish the body (the host needs it finished), but
                // the answer stands whatever becomes of it.
                let _ = writing.await;
                response
            }
            Either::Right((Err(e), _writing)) => return Err(e),
        }
    };
    // `future` (the parent of the response's pollables, now all gone) may be dropped now.
    drop(future);
    into_response(response, parts.method == Method::HEAD, url)
}

/// Waits for the response head.
async fn response_head(future: &FutureIncomingResponse, url: &Url) -> Result<IncomingResponse> {
    loop {
        match future.get() {
            Some(Ok(Ok(response))) => return Ok(response),
            Some(Ok(Err(code))) => return Err(map_error_code(code, Phase::ReadHead, url)),
            Some(Err(())) => return Err(host_refused("to give the response twice", url)),
            // The pollable is a child of the future: it is dropped at the end of this wait.
            None => WaitFor::new(future.subscribe()).await,
        }
    }
}

/// The `outgoing-request` for the request head.
fn outgoing_request(
    method: &Method,
    url: &Url,
    headers: &HeaderMap,
    body: &Body,
) -> Result<OutgoingRequest> {
    if !url.has_host() {
        return Err(Error::builder("URL has no host").with_url(url.clone()));
    }
    // `host[:port]` as the URL serializes it (no user info; a default port is already left
    // out): a slice of the URL, not a new string for every request.
    let authority = &url[Position::BeforeHost..Position::AfterPort];
    let mut list: Vec<(String, Vec<u8>)> = Vec::with_capacity(headers.len() + 1);
    for (name, value) in headers {
        if name == HOST {
            // The host sends `Host` from the authority; another value cannot be sent.
            if value.as_bytes() == authority.as_bytes() {
                continue;
            }
            return Err(Error::new(ErrorKind::Unsupported)
                .with_message(
                    "the WASI host derives Host from the URL: a different Host header cannot be sent",
                )
                .with_url(url.clone()));
        }
        list.push((name.as_str().to_owned(), value.as_bytes().to_vec()));
    }
    if let Some(n) = body.content_length() {
        let unset =
            !headers.contains_key(CONTENT_LENGTH) && !headers.contains_key(TRANSFER_ENCODING);
        if unset && (n > 0 || carries_body(method)) {
            list.push((
                CONTENT_LENGTH.as_str().to_owned(),
                n.to_string().into_bytes(),
            ));
        }
    }
    // One host call for all the headers. When the host refuses the list, the headers are
    // appended one by one to name the one it refuses.
    let fields = match Fields::from_list(&list) {
        Ok(fields) => fields,
        Err(_) => {
            let fields = Fields::new();
            for (name, value) in &list {
                append(&fields, name, value, url)?;
            }
            fields
        }
    };
    // `fields` moves into the request: it is the request's headers from here on.
    let request = OutgoingRequest::new(fields);
    let wasi_method = match *method {
        Method::GET => WasiMethod::Get,
        Method::HEAD => WasiMethod::Head,
        Method::POST => WasiMethod::Post,
        Method::PUT => WasiMethod::Put,
        Method::DELETE => WasiMethod::Delete,
        Method::CONNECT => WasiMethod::Connect,
        Method::OPTIONS => WasiMethod::Options,
        Method::TRACE => WasiMethod::Trace,
        Method::PATCH => WasiMethod::Patch,
        ref other => WasiMethod::Other(other.as_str().to_owned()),
    };
    let scheme = match url.scheme() {
        "https" => Scheme::Https,
        "http" => Scheme::Http,
        other => Scheme::Other(other.to_owned()),
    };
    let path = &url[Position::BeforePath..Position::AfterQuery];
    request
        .set_method(&wasi_method)
        .map_err(|()| host_refused(&format!("the method {method}"), url))?;
    request
        .set_scheme(Some(&scheme))
        .map_err(|()| host_refused("the URL scheme", url))?;
    request
        .set_authority(Some(authority))
        .map_err(|()| host_refused("the URL authority", url))?;
    request
        .set_path_with_query(Some(path))
        .map_err(|()| host_refused("the URL path", url))?;
    Ok(request)
}

fn append(fields: &Fields, name: &String, value: &Vec<u8>, url: &Url) -> Result<()> {
    fields.append(name, value).map_err(|e| {
        let (kind, why) = match e {
            HeaderError::Forbidden => (ErrorKind::Unsupported, "the WASI host forbids it"),
            HeaderError::InvalidSyntax => (ErrorKind::Builder, "the WASI host finds it invalid"),
            HeaderError::Immutable => (ErrorKind::Builder, "the headers are immutable"),
        };
        Error::new(kind)
            .with_message(format!("cannot send the header {name}: {why}"))
            .with_url(url.clone())
    })
}

/// Methods that usually carry a body, so an empty one is announced as `Content-Length: 0`.
fn carries_body(method: &Method) -> bool {
    *method == Method::POST || *method == Method::PUT || *method == Method::PATCH
}

/// Which timeouts the host accepted in `request-options`.
///
/// Where the host takes them it enforces connect (`connect-timeout`) and the wait for the head
/// (`first-byte-timeout`, the read timeout), and reports the right `error-code`; its
/// `between-bytes-timeout` is set a little past the read timeout, as a backstop. On every host the client enforces, with
/// monotonic-clock pollables, the write timeout on each wait for the body stream, the read
/// timeout between body chunks (above the transport), and the wait for the head after the body
/// is written: the read timeout, plus the connect timeout when the host counts that apart.
/// A host that takes no options thus still times out, with connect counted as read.
#[derive(Clone, Copy, Debug, Default)]
struct HostTimeouts {
    connect: bool,
    first_byte: bool,
}

impl HostTimeouts {
    /// How long the client itself waits for the head once the body is written.
    fn head_backstop(&self, timeout: &Timeout) -> Option<Duration> {
        let read = timeout.read_timeout()?;
        let connect = if self.connect {
            timeout.connect_timeout().unwrap_or_default()
        } else {
            Duration::ZERO
        };
        // When the host enforces the read timeout itself it reports it first, precisely;
        // the client's wait is then only a backstop.
        let slack = if self.first_byte {
            BACKSTOP_SLACK
        } else {
            Duration::ZERO
        };
        Some(read + connect + slack)
    }
}

/// The `request-options` for `timeout`; a setter that fails means the host does not support
/// that option, and the client enforces it instead.
fn request_options(timeout: &Timeout) -> (RequestOptions, HostTimeouts) {
    let nanos = |d: Duration| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
    let options = RequestOptions::new();
    let mut host = HostTimeouts::default();
    if let Some(d) = timeout.connect_timeout() {
        host.connect = options.set_connect_timeout(Some(nanos(d))).is_ok();
    }
    if let Some(d) = timeout.read_timeout() {
        host.first_byte = options.set_first_byte_timeout(Some(nanos(d))).is_ok();
        // The client enforces the read timeout between body chunks itself, and reports it
        // precisely; the host's (which wasmtime reports without an error-code) only backs it
        // up, so it is set a little longer.
        let _ = options.set_between_bytes_timeout(Some(nanos(d + BACKSTOP_SLACK)));
    }
    (options, host)
}

/// The anyfetch response for the host's: status, headers, and the body as a stream.
fn into_response(incoming: IncomingResponse, head: bool, url: Url) -> Result<Response> {
    let status = StatusCode::from_u16(incoming.status()).map_err(|e| {
        Error::new(ErrorKind::Protocol)
            .with_message("the status code is out of range")
            .with_source(e)
            .with_url(url.clone())
    })?;
    let mut headers;
    {
        // A child of the response: dropped at the end of this block, before the response.
        let fields = incoming.headers();
        let entries = fields.entries();
        headers = HeaderMap::with_capacity(entries.len());
        for (name, value) in entries {
            let name = HeaderName::from_bytes(name.as_bytes());
            // The host's bytes become the value without a copy.
            let value = HeaderValue::from_maybe_shared(bytes::Bytes::from(value));
            match (name, value) {
                (Ok(n), Ok(v)) => {
                    headers.append(n, v);
                }
                _ => {
                    return Err(Error::new(ErrorKind::Protocol)
                        .with_message("the response has an invalid header")
                        .with_url(url))
                }
            }
        }
    }
    // HEAD answers and 204/304 carry a Content-Length without a body.
    let expected = match status.as_u16() {
        _ if head => None,
        204 | 304 => None,
        _ => headers
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok()?.parse().ok()),
    };
    let body = ResponseBody::new(incoming, expected, url)?;
    let mut response = Response::new(status, Body::from_result_stream(Box::pin(body)));
    *response.headers_mut() = headers;
    Ok(response)
}
