//! The WASI backends, for `wasm32-wasip2` components (run by wasmtime, Spin, jco...):
//!
//! - **WASI 0.2** (the default): `wasi:http/outgoing-handler@0.2.0`. It uses only functions
//!   that exist since wasi:http 0.2.0, so the component links on every WASI 0.2 host. Waits go
//!   through the reactor of [`crate::platform`], driven by [`block_on`](crate::block_on).
//! - **WASI 0.3** (feature `wasip3`, in [`p3`]): `wasi:http/client@0.3.0`'s async `send`, with
//!   the bodies as component-model `stream<u8>`s. Its futures are awaited in the component's
//!   async export, scheduled by the host.
//!
//! One exchange, in order (the same for both):
//! 1. the request head becomes a `wasi:http` request (headers the host forbids are refused
//!    with an [`Unsupported`](crate::ErrorKind::Unsupported) error, never dropped);
//! 2. the timeouts go into `request-options` where the host takes them (see [`HostTimeouts`]);
//! 3. the request is sent; its body is written while the response head is awaited;
//! 4. the response body streams from the host, one read per poll.
//!
//! The host keeps the connections, so [`Limits`](crate::Limits) do not apply here, and it
//! verifies TLS itself: custom roots, `danger_accept_invalid_certs` and HTTP/2 prior knowledge
//! are refused when the client is built.

#[cfg(wasip2)]
mod body;
mod error;
#[cfg(wasip3)]
mod p3;

use std::time::Duration;

#[cfg(wasip2)]
use ::wasi::http::types as wasi_types;
#[cfg(wasip3)]
use ::wasip3::http::types as wasi_types;
use http::header::{CONTENT_LENGTH, HOST, TRANSFER_ENCODING};
use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use url::{Position, Url};
use wasi_types::{Fields, HeaderError, Method as WasiMethod, RequestOptions, Scheme};

use crate::body::Body;
use crate::error::{Error, ErrorKind, Result};
use crate::platform::BoxFuture;
use crate::request::Request;
use crate::response::Response;
use crate::timeout::Timeout;
use crate::transport::{Transport, TransportConfig};

pub use self::error::WasiHttpError;

#[cfg(wasip2)]
use self::p2::send;
#[cfg(wasip3)]
use self::p3::send;

/// The generated `wasi:*@0.2.0` bindings the backend is written against (the `wasi` crate
/// release generated from the WIT in `wit/deps/`). Not part of the API.
#[cfg(wasip2)]
#[doc(hidden)]
pub mod bindings {
    pub use ::wasi::{clocks, http, io};
}

/// The generated `wasi:*@0.3.0` bindings the 0.3 backend is written against (the `wasip3`
/// crate). Not part of the API.
#[cfg(wasip3)]
#[doc(hidden)]
pub mod bindings {
    pub use ::wasip3::{clocks, http};
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
    /// [`ErrorKind::Unsupported`] for custom roots, disabled certificate checks, a client
    /// certificate, a minimum TLS version other than 1.2, and HTTP/2
    /// prior knowledge.
    pub(crate) fn with_config(config: &TransportConfig) -> Result<WasiTransport> {
        config.reject_tls_options("the WASI host")?;
        config.reject_proxies("the WASI host")?;
        config.net.reject("the WASI host")?;
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

/// The request's headers as the host takes them, in one `fields.from-list` call: every header
/// but `Host` (the host derives it from the authority; another value is refused), and a
/// `Content-Length` for a body of known size.
fn request_fields(method: &Method, url: &Url, headers: &HeaderMap, body: &Body) -> Result<Fields> {
    let authority = authority(url)?;
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
    match Fields::from_list(&list) {
        Ok(fields) => Ok(fields),
        Err(_) => {
            let fields = Fields::new();
            for (name, value) in &list {
                append(&fields, name, value, url)?;
            }
            Ok(fields)
        }
    }
}

/// `host[:port]` as the URL serializes it (no user info; a default port is already left out):
/// a slice of the URL, not a new string for every request.
fn authority(url: &Url) -> Result<&str> {
    if !url.has_host() {
        return Err(Error::builder("URL has no host").with_url(url.clone()));
    }
    Ok(&url[Position::BeforeHost..Position::AfterPort])
}

/// Sets the method, scheme, authority and path of a `wasi:http` request (the 0.2
/// `outgoing-request` and the 0.3 `request` have the same setters).
macro_rules! set_target {
    ($request:expr, $method:expr, $url:expr) => {{
        let (request, method, url) = (&$request, $method, $url);
        let authority = $crate::transport::wasi::authority(url)?;
        let path = &url[::url::Position::BeforePath..::url::Position::AfterQuery];
        let host_refused = $crate::transport::wasi::error::host_refused;
        request
            .set_method(&$crate::transport::wasi::wasi_method(method))
            .map_err(|_| host_refused(&format!("the method {method}"), url))?;
        request
            .set_scheme(Some(&$crate::transport::wasi::wasi_scheme(url)))
            .map_err(|_| host_refused("the URL scheme", url))?;
        request
            .set_authority(Some(authority))
            .map_err(|_| host_refused("the URL authority", url))?;
        request
            .set_path_with_query(Some(path))
            .map_err(|_| host_refused("the URL path", url))?;
    }};
}
#[cfg(wasip3)]
pub(crate) use set_target;

fn wasi_method(method: &Method) -> WasiMethod {
    match *method {
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
    }
}

fn wasi_scheme(url: &Url) -> Scheme {
    match url.scheme() {
        "https" => Scheme::Https,
        "http" => Scheme::Http,
        other => Scheme::Other(other.to_owned()),
    }
}

// The 0.2 bindings take `&String` and `&Vec<u8>`, the 0.3 ones slices.
#[allow(clippy::ptr_arg)]
fn append(fields: &Fields, name: &String, value: &Vec<u8>, url: &Url) -> Result<()> {
    fields.append(name, value).map_err(|e| {
        let (kind, why) = match e {
            HeaderError::Forbidden => (ErrorKind::Unsupported, "the WASI host forbids it"),
            HeaderError::InvalidSyntax => (ErrorKind::Builder, "the WASI host finds it invalid"),
            HeaderError::Immutable => (ErrorKind::Builder, "the headers are immutable"),
            #[cfg(wasip3)]
            HeaderError::SizeExceeded => {
                (ErrorKind::Builder, "it is larger than the WASI host takes")
            }
            #[cfg(wasip3)]
            HeaderError::Other(_) => (ErrorKind::Builder, "the WASI host refuses it"),
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

/// The response head as anyfetch types: the status, the headers from the host's list, and the
/// `Content-Length` the body must reach (none for HEAD answers and 204/304, which carry one
/// without a body).
fn response_head(
    status: u16,
    entries: Vec<(String, Vec<u8>)>,
    head: bool,
    url: &Url,
) -> Result<(StatusCode, HeaderMap, Option<u64>)> {
    let status = StatusCode::from_u16(status).map_err(|e| {
        Error::new(ErrorKind::Protocol)
            .with_message("the status code is out of range")
            .with_source(e)
            .with_url(url.clone())
    })?;
    let mut headers = HeaderMap::with_capacity(entries.len());
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
                    .with_url(url.clone()))
            }
        }
    }
    let expected = match status.as_u16() {
        _ if head => None,
        204 | 304 => None,
        _ => headers
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok()?.parse().ok()),
    };
    Ok((status, headers, expected))
}

/// A response with `body` as its stream.
fn response(status: StatusCode, headers: HeaderMap, body: crate::body::BoxStream) -> Response {
    let mut response = Response::new(status, Body::from_result_stream(body));
    *response.headers_mut() = headers;
    response
}

#[cfg(wasip2)]
mod p2 {
    //! The WASI 0.2 exchange: `outgoing-handler.handle`, waiting in the reactor of
    //! [`crate::platform`].

    use ::wasi::http::outgoing_handler;
    use ::wasi::http::types::{FutureIncomingResponse, IncomingResponse, OutgoingRequest};
    use futures_util::future::{select, Either};
    use http::Method;
    use url::Url;

    use super::body::{self, ResponseBody, WriteError};
    use super::error::{host_refused, map_error_code, Phase};
    use super::{request_options, STREAM_FAILURE_GRACE};
    use crate::error::{Error, Result, TimeoutKind};
    use crate::platform::wasip2::WaitFor;
    use crate::request::Request;
    use crate::response::Response;

    pub(super) async fn send(request: Request) -> Result<Response> {
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
            let head = std::pin::pin!(await_head(&future, &url));
            match select(writing, head).await {
                Either::Left((Ok(()), head)) => {
                    crate::platform::timeout(head_limit, head, || {
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
                    crate::platform::timeout(Some(grace), head, || e).await?
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
    async fn await_head(future: &FutureIncomingResponse, url: &Url) -> Result<IncomingResponse> {
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
        headers: &http::HeaderMap,
        body: &crate::body::Body,
    ) -> Result<OutgoingRequest> {
        let fields = super::request_fields(method, url, headers, body)?;
        // `fields` moves into the request: it is the request's headers from here on.
        let request = OutgoingRequest::new(fields);
        set_target!(request, method, url);
        Ok(request)
    }

    /// The anyfetch response for the host's: status, headers, and the body as a stream.
    fn into_response(incoming: IncomingResponse, head: bool, url: Url) -> Result<Response> {
        let entries = {
            // A child of the response: dropped at the end of this block, before the response.
            let fields = incoming.headers();
            fields.entries()
        };
        let (status, headers, expected) =
            super::response_head(incoming.status(), entries, head, &url)?;
        let body = ResponseBody::new(incoming, expected, url)?;
        Ok(super::response(status, headers, Box::pin(body)))
    }
}
