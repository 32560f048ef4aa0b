//! The one mapping from JavaScript errors (fetch rejections, body stream errors) to
//! [`ErrorKind`], keeping the JS error's name, message and cause as the error's source.

use std::fmt;

use url::Url;
use wasm_bindgen::{JsCast, JsValue};

use crate::error::{Error, ErrorKind, TimeoutKind};
use crate::platform::web::{prop, Runtime};

/// Where in an exchange a JS error happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Phase {
    /// Building the request or waiting for the response head (the fetch promise).
    Head,
    /// Reading the response body stream.
    Body,
}

/// What the mapping needs to know about the exchange.
pub(super) struct Context<'a> {
    pub(super) url: &'a Url,
    pub(super) runtime: Runtime,
    /// The request body was a stream (a browser that cannot upload it fails with a bare
    /// `TypeError`).
    pub(super) streamed_upload: bool,
}

/// A JavaScript error (a fetch rejection, a body stream error), kept as the
/// [`source`](std::error::Error::source) of the [`Error`] it maps to, so it can be read back by
/// downcasting: its `name`, `message`, Node's `code`, and its `cause` (Node's `fetch failed`
/// keeps the socket error there).
///
/// `Display` is `Name: message`; the cause is this error's own `source`, a `JsError` too.
///
/// ```no_run
/// # async fn run() {
/// use std::error::Error as _;
/// use anyfetch::JsError;
///
/// let e = anyfetch::get("http://127.0.0.1:9/").await.unwrap_err();
/// if let Some(js) = e.source().and_then(|s| s.downcast_ref::<JsError>()) {
///     // "TypeError", "fetch failed", Some("ECONNREFUSED") in Node
///     println!("{} {} {:?}", js.name(), js.message(), js.code());
/// }
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct JsError {
    name: String,
    message: String,
    code: Option<String>,
    cause: Option<Box<JsError>>,
}

impl JsError {
    /// Reads a thrown JS value (an `Error` or anything else that was thrown).
    pub(super) fn from_js(value: &JsValue) -> JsError {
        JsError::read(value, 0)
    }

    fn read(value: &JsValue, depth: u32) -> JsError {
        let text = |key| prop(value, key).and_then(|v| v.as_string());
        if !value.is_object() {
            let message = value
                .as_string()
                // A thrown number, written by JavaScript (`n.toString(10)`): no float
                // formatter of Rust's in the module for this rare case.
                .or_else(|| {
                    value.as_f64()?;
                    let n: &js_sys::Number = value.unchecked_ref();
                    n.to_string_with_radix(10).ok().map(String::from)
                })
                .unwrap_or_else(|| "a value that is not an Error was thrown".to_owned());
            return JsError {
                name: "Error".to_owned(),
                message,
                code: None,
                cause: None,
            };
        }
        let cause = if depth < 4 {
            prop(value, "cause").map(|c| Box::new(JsError::read(&c, depth + 1)))
        } else {
            None
        };
        JsError {
            name: text("name").unwrap_or_else(|| "Error".to_owned()),
            message: text("message").unwrap_or_default(),
            code: text("code"),
            cause,
        }
    }

    /// The JS error's `name` (`TypeError`, `AbortError`...).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The JS error's `message`.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Node's error `code` (`ECONNREFUSED`, `UND_ERR_SOCKET`...), on this error or its causes.
    pub fn code(&self) -> Option<&str> {
        self.code
            .as_deref()
            .or_else(|| self.cause.as_deref().and_then(JsError::code))
    }

    /// The JS error's `cause`, if it has one (causes are read up to four levels deep).
    pub fn cause(&self) -> Option<&JsError> {
        self.cause.as_deref()
    }
}

impl fmt::Display for JsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.name, self.message)
    }
}

impl std::error::Error for JsError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.cause.as_deref().map(|c| c as _)
    }
}

/// Messages of a failed network exchange: Chromium, Firefox, Safari, Node/Deno; then of a body
/// stream that failed: Chromium, Firefox (a reset, a truncated or undecodable body alike).
const NETWORK_MESSAGES: &[&str] = &[
    "Failed to fetch",
    "NetworkError when attempting to fetch resource.",
    "Load failed",
    "fetch failed",
    "network error",
    "terminated",
    "Error in input stream",
];

/// Maps a JS error to an [`Error`], keeping it as the source:
///
/// | JS error | kind |
/// |---|---|
/// | `AbortError`, `TimeoutError` (the abort signal fired) | `Timeout(Read)` |
/// | Node cause `UND_ERR_CONNECT_TIMEOUT` | `Timeout(Connect)` |
/// | Node cause `UND_ERR_HEADERS_TIMEOUT`, `UND_ERR_BODY_TIMEOUT` | `Timeout(Read)` |
/// | Node cause `ECONNREFUSED`, `ENOTFOUND`, `EAI_AGAIN`, `EHOSTUNREACH`, `ENETUNREACH`, TLS and certificate codes | `Connect` |
/// | Node cause `Z_*`, `ERR_ZLIB*`, `ERR__ERROR*` (its zlib and brotli decoders) | `Decode` |
/// | Node cause `HPE_*` (the HTTP parser), `UND_ERR_RES_CONTENT_LENGTH_MISMATCH` | `Protocol` |
/// | Node cause `ECONNRESET`, `EPIPE`, `UND_ERR_SOCKET` | `Read` before the head, `Protocol` in the body |
/// | `TypeError` of a failed exchange (`Failed to fetch`, `fetch failed`...), no code | before the head: `Connect` (a browser does not say whether the connection, TLS, CORS or the server failed), or `Unsupported` for a streamed upload in a browser; in the body: `Protocol` (the body ended before it was complete) |
/// | a `TypeError` about input (its message says invalid or parse: a header value, a URL) | `Builder` |
/// | `NotSupportedError`, `SecurityError`, `NotAllowedError` | `Unsupported` |
/// | anything else | `Connect` before the head, `Read` in the body |
pub(super) fn map_js_error(value: &JsValue, phase: Phase, cx: &Context<'_>) -> Error {
    let js = JsError::from_js(value);
    let (kind, message) = classify(&js, phase, cx);
    let error = Error::new(kind).with_source(js).with_url(cx.url.clone());
    match message {
        Some(m) => error.with_message(m),
        None => error,
    }
}

fn classify(js: &JsError, phase: Phase, cx: &Context<'_>) -> (ErrorKind, Option<&'static str>) {
    let in_body = phase == Phase::Body;
    if matches!(js.name(), "AbortError" | "TimeoutError") {
        return (ErrorKind::Timeout(TimeoutKind::Read), None);
    }
    if let Some(code) = js.code() {
        let kind = match code {
            "UND_ERR_CONNECT_TIMEOUT" | "ETIMEDOUT" => {
                Some(ErrorKind::Timeout(TimeoutKind::Connect))
            }
            "UND_ERR_HEADERS_TIMEOUT" | "UND_ERR_BODY_TIMEOUT" => {
                Some(ErrorKind::Timeout(TimeoutKind::Read))
            }
            "ECONNREFUSED"
            | "ENOTFOUND"
            | "EAI_AGAIN"
            | "EHOSTUNREACH"
            | "ENETUNREACH"
            | "EADDRNOTAVAIL"
            | "CERT_HAS_EXPIRED"
            | "DEPTH_ZERO_SELF_SIGNED_CERT"
            | "SELF_SIGNED_CERT_IN_CHAIN"
            | "UNABLE_TO_VERIFY_LEAF_SIGNATURE"
            | "ERR_TLS_CERT_ALTNAME_INVALID" => Some(ErrorKind::Connect),
            c if c.starts_with("ERR_SSL") || c.starts_with("ERR_TLS") => Some(ErrorKind::Connect),
            c if c.starts_with("HPE_") => Some(ErrorKind::Protocol),
            // Node's zlib and brotli decoders, decoding the body for fetch.
            c if c.starts_with("Z_")
                || c.starts_with("ERR_ZLIB")
                || c.starts_with("ERR__ERROR") =>
            {
                Some(ErrorKind::Decode)
            }
            "UND_ERR_RES_CONTENT_LENGTH_MISMATCH" => Some(ErrorKind::Protocol),
            "ECONNRESET" | "EPIPE" | "UND_ERR_SOCKET" | "UND_ERR_CLOSED" if in_body => {
                Some(ErrorKind::Protocol)
            }
            "ECONNRESET" | "EPIPE" | "UND_ERR_SOCKET" | "UND_ERR_CLOSED" => Some(ErrorKind::Read),
            _ => None,
        };
        if let Some(kind) = kind {
            let message = (in_body && kind == ErrorKind::Protocol)
                .then_some("the response body ended before it was complete");
            return (kind, message);
        }
    }
    match js.name() {
        "NotSupportedError" | "SecurityError" | "NotAllowedError" => {
            return (ErrorKind::Unsupported, None)
        }
        "TypeError" => {}
        _ if in_body => return (ErrorKind::Read, None),
        _ => return (ErrorKind::Connect, None),
    }
    // Invalid input the Rust layers let through: the runtime names it; anything else is the
    // exchange failing (runtimes word that differently, and may change the wording).
    let bad_input = js.message().contains("nvalid") || js.message().contains("parse");
    let network = js.cause.is_some() || NETWORK_MESSAGES.contains(&js.message()) || !bad_input;
    match (network, phase) {
        (true, Phase::Body) => (
            ErrorKind::Protocol,
            Some("the response body ended before it was complete"),
        ),
        (true, Phase::Head) if cx.streamed_upload && cx.runtime == Runtime::Browser => (
            ErrorKind::Unsupported,
            Some(
                "the browser refused the streamed request body (Chromium streams uploads only over HTTP/2 or HTTP/3, i.e. https; over HTTP/1.1 it fails the fetch), or the connection failed: send the body as bytes",
            ),
        ),
        (true, Phase::Head) => (
            ErrorKind::Connect,
            (cx.runtime == Runtime::Browser).then_some(
                "the browser reports every network failure alike (refused, DNS, TLS, CORS): see the browser console for which",
            ),
        ),
        (false, _) => (ErrorKind::Builder, Some("the JavaScript runtime refused the request")),
    }
}
