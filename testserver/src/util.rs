//! Response bodies and helpers.

use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Empty, Full, StreamBody};
use hyper::body::Frame;
use hyper::header::{HeaderName, HeaderValue, CONTENT_TYPE};
use hyper::{Response, StatusCode};
use serde_json::{Map, Value};
use tokio::sync::mpsc;

pub(crate) type Body = UnsyncBoxBody<Bytes, Infallible>;
pub(crate) type Resp = Response<Body>;

pub(crate) fn full(b: impl Into<Bytes>) -> Body {
    Full::new(b.into()).boxed_unsync()
}

pub(crate) fn empty() -> Body {
    Empty::new().boxed_unsync()
}

/// A body sending each chunk as its own frame.
pub(crate) fn chunks(parts: Vec<Bytes>) -> Body {
    let frames = parts.into_iter().map(|b| Ok(Frame::data(b)));
    StreamBody::new(futures_util::stream::iter(frames)).boxed_unsync()
}

/// A body fed through a channel, one frame per message (for timed streaming).
pub(crate) fn channel_body() -> (mpsc::Sender<Bytes>, Body) {
    let (tx, rx) = mpsc::channel(16);
    (tx, ChanBody { rx }.boxed_unsync())
}

struct ChanBody {
    rx: mpsc::Receiver<Bytes>,
}

impl hyper::body::Body for ChanBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        self.rx.poll_recv(cx).map(|o| o.map(|b| Ok(Frame::data(b))))
    }
}

/// A response with a status, content type and body.
pub(crate) fn with_body(status: StatusCode, content_type: &str, body: Body) -> Resp {
    let mut r = Response::new(body);
    *r.status_mut() = status;
    set(&mut r, CONTENT_TYPE, content_type);
    r
}

pub(crate) fn text(status: StatusCode, content_type: &str, body: impl Into<Bytes>) -> Resp {
    with_body(status, content_type, full(body))
}

pub(crate) fn json(status: StatusCode, v: &Value) -> Resp {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_else(|_| "null".into());
    s.push('\n');
    text(status, "application/json", s)
}

pub(crate) fn ok_json(v: &Value) -> Resp {
    json(StatusCode::OK, v)
}

pub(crate) fn status_only(status: StatusCode) -> Resp {
    let mut r = Response::new(empty());
    *r.status_mut() = status;
    r
}

pub(crate) fn bad_request(msg: &str) -> Resp {
    text(
        StatusCode::BAD_REQUEST,
        "text/plain; charset=utf-8",
        format!("{msg}\n"),
    )
}

pub(crate) fn not_found() -> Resp {
    text(
        StatusCode::NOT_FOUND,
        "text/plain; charset=utf-8",
        "not found\n",
    )
}

pub(crate) fn method_not_allowed(allowed: &str) -> Resp {
    let mut r = text(
        StatusCode::METHOD_NOT_ALLOWED,
        "text/plain; charset=utf-8",
        "method not allowed\n",
    );
    set(&mut r, hyper::header::ALLOW, allowed);
    r
}

/// Sets (replaces) a header; a value that is not a valid header value is skipped.
pub(crate) fn set(r: &mut Resp, name: HeaderName, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        r.headers_mut().insert(name, v);
    }
}

/// Appends a header; a value that is not a valid header value is skipped.
pub(crate) fn append(r: &mut Resp, name: HeaderName, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        r.headers_mut().append(name, v);
    }
}

/// httpbin-style multi-map: a single value is a string, a repeated key an array.
pub(crate) fn multi_map<K: AsRef<str>>(pairs: impl IntoIterator<Item = (K, Value)>) -> Value {
    let mut m = Map::new();
    for (k, v) in pairs {
        let k = k.as_ref();
        match m.get_mut(k) {
            None => {
                m.insert(k.to_string(), v);
            }
            Some(Value::Array(a)) => a.push(v),
            Some(existing) => {
                let first = existing.take();
                *existing = Value::Array(vec![first, v]);
            }
        }
    }
    Value::Object(m)
}

/// A string for bytes: UTF-8 as is, else an octet-stream data URL (as httpbin does).
pub(crate) fn bytes_to_string(b: &[u8]) -> String {
    use base64::Engine;
    match std::str::from_utf8(b) {
        Ok(s) => s.to_string(),
        Err(_) => format!(
            "data:application/octet-stream;base64,{}",
            base64::engine::general_purpose::STANDARD.encode(b)
        ),
    }
}

/// `n` bytes from a seeded (or random) generator.
pub(crate) fn seeded_bytes(n: usize, seed: Option<u64>) -> Vec<u8> {
    let mut rng = match seed {
        Some(s) => fastrand::Rng::with_seed(s),
        None => fastrand::Rng::new(),
    };
    let mut v = vec![0u8; n];
    rng.fill(&mut v);
    v
}

/// Random lowercase hex of `bytes` bytes.
pub(crate) fn random_hex(bytes: usize) -> String {
    seeded_bytes(bytes, None)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
