//! The one mapping from `wasi:http` `error-code` (and `wasi:io` stream errors) to
//! [`ErrorKind`], keeping the host's code as the error's source.

use std::fmt;

#[cfg(wasip2)]
use ::wasi::http::types::{self as http, ErrorCode};
#[cfg(wasip2)]
use ::wasi::io::streams::StreamError;
#[cfg(wasip3)]
use ::wasip3::http::types::ErrorCode;
use url::Url;

use crate::error::{Error, ErrorKind, TimeoutKind};

/// Where in an exchange a failure happened; decides the kind of codes that can happen anywhere.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(wasip3, allow(dead_code))] // 0.3 has one `send`: no `Send` phase apart
pub(super) enum Phase {
    /// Handing the request to `outgoing-handler.handle` (nothing sent yet; WASI 0.2 only).
    Send,
    /// Writing the request body.
    Write,
    /// Waiting for the response head.
    ReadHead,
    /// Reading the response body.
    ReadBody,
}

/// A `wasi:http` `error-code` returned by the host: the [`source`](std::error::Error::source)
/// of the [`Error`] it maps to, so the code can be read back by downcasting.
///
/// `Display` is `wasi:http error-code <name>` with the code's WIT name and its payload, if any.
///
/// ```no_run
/// # async fn run() {
/// use std::error::Error as _;
/// use anyfetch::{ErrorCode, WasiHttpError};
///
/// let e = anyfetch::get("http://127.0.0.1:9/").await.unwrap_err();
/// let host = e.source().and_then(|s| s.downcast_ref::<WasiHttpError>());
/// if let Some(ErrorCode::ConnectionRefused) = host.map(WasiHttpError::code) {
///     // the host could not connect
/// }
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct WasiHttpError(ErrorCode);

impl WasiHttpError {
    /// The host's `error-code`.
    pub fn code(&self) -> &ErrorCode {
        &self.0
    }

    /// The host's `error-code`, owned: for instance to pass it on as the error of an incoming
    /// request a proxy component failed to forward.
    pub fn into_code(self) -> ErrorCode {
        self.0
    }
}

impl fmt::Display for WasiHttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "wasi:http error-code {}", wit_name(&self.0))?;
        match &self.0 {
            ErrorCode::DnsError(p) => write!(
                f,
                " (rcode {:?}, info-code {:?})",
                p.rcode.as_deref().unwrap_or("none"),
                p.info_code
            ),
            ErrorCode::TlsAlertReceived(p) => write!(
                f,
                " (alert {:?}: {})",
                p.alert_id,
                p.alert_message.as_deref().unwrap_or("")
            ),
            ErrorCode::HttpResponseTransferCoding(Some(s))
            | ErrorCode::HttpResponseContentCoding(Some(s))
            | ErrorCode::InternalError(Some(s)) => write!(f, ": {s}"),
            ErrorCode::HttpRequestBodySize(Some(n)) | ErrorCode::HttpResponseBodySize(Some(n)) => {
                write!(f, " ({n} bytes)")
            }
            _ => Ok(()),
        }
    }
}

impl std::error::Error for WasiHttpError {}

/// A `wasi:io` error that carries no `wasi:http` code: its debug string.
#[cfg(wasip2)]
#[derive(Debug)]
struct WasiIoError(String);

#[cfg(wasip2)]
impl fmt::Display for WasiIoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "wasi:io error: {}", self.0)
    }
}

#[cfg(wasip2)]
impl std::error::Error for WasiIoError {}

/// Maps a `wasi:http` `error-code` to an [`Error`], keeping the code as its source:
///
/// | error-code | kind |
/// |---|---|
/// | `DNS-timeout`, `connection-timeout` | `Timeout(Connect)` |
/// | `connection-read-timeout`, `HTTP-response-timeout` | `Timeout(Read)` |
/// | `connection-write-timeout` | `Timeout(Write)` |
/// | `DNS-error`, `destination-*`, `connection-refused`, `connection-limit-reached`, `TLS-*` | `Connect` |
/// | `HTTP-request-denied`, `configuration-error` | `Unsupported` |
/// | `HTTP-request-*` (method, URI, header sizes, length required) | `Builder` |
/// | `HTTP-request-body-size` (the body did not match its `Content-Length`) | `Write` |
/// | `HTTP-response-*`, `HTTP-protocol-error`, `HTTP-upgrade-failed`, `loop-detected` | `Protocol` |
/// | `connection-terminated`, `internal-error` | by phase: `Connect`, `Write`, `Read` |
///
/// Stream failures without a code are mapped by [`map_stream_error`].
pub(super) fn map_error_code(code: ErrorCode, phase: Phase, url: &Url) -> Error {
    use ErrorCode as C;
    let by_phase = match phase {
        Phase::Send => ErrorKind::Connect,
        Phase::Write => ErrorKind::Write,
        Phase::ReadHead | Phase::ReadBody => ErrorKind::Read,
    };
    let kind = match &code {
        C::DnsTimeout | C::ConnectionTimeout => ErrorKind::Timeout(TimeoutKind::Connect),
        C::ConnectionReadTimeout | C::HttpResponseTimeout => ErrorKind::Timeout(TimeoutKind::Read),
        C::ConnectionWriteTimeout => ErrorKind::Timeout(TimeoutKind::Write),
        C::DnsError(_)
        | C::DestinationNotFound
        | C::DestinationUnavailable
        | C::DestinationIpProhibited
        | C::DestinationIpUnroutable
        | C::ConnectionRefused
        | C::ConnectionLimitReached
        | C::TlsProtocolError
        | C::TlsCertificateError
        | C::TlsAlertReceived(_) => ErrorKind::Connect,
        C::HttpRequestDenied | C::ConfigurationError => ErrorKind::Unsupported,
        C::HttpRequestLengthRequired
        | C::HttpRequestMethodInvalid
        | C::HttpRequestUriInvalid
        | C::HttpRequestUriTooLong
        | C::HttpRequestHeaderSectionSize(_)
        | C::HttpRequestHeaderSize(_)
        | C::HttpRequestTrailerSectionSize(_)
        | C::HttpRequestTrailerSize(_) => ErrorKind::Builder,
        C::HttpRequestBodySize(_) => ErrorKind::Write,
        C::HttpResponseIncomplete
        | C::HttpResponseHeaderSectionSize(_)
        | C::HttpResponseHeaderSize(_)
        | C::HttpResponseBodySize(_)
        | C::HttpResponseTrailerSectionSize(_)
        | C::HttpResponseTrailerSize(_)
        | C::HttpResponseTransferCoding(_)
        | C::HttpResponseContentCoding(_)
        | C::HttpUpgradeFailed
        | C::HttpProtocolError
        | C::LoopDetected => ErrorKind::Protocol,
        C::ConnectionTerminated | C::InternalError(_) => by_phase,
    };
    Error::new(kind)
        .with_source(WasiHttpError(code))
        .with_url(url.clone())
}

/// Maps a failed stream operation: its `wasi:http` code when the host gives one. Without one,
/// a failed body read means the host's HTTP layer could not read the rest of the message (a
/// body shorter than its `Content-Length`, a malformed chunk, a connection cut mid-body:
/// wasmtime reports them all as one `wasi:io` error), so the response is incomplete:
/// `Protocol`, as httpx's `RemoteProtocolError`. Elsewhere the phase decides. `closed` is only
/// an error while writing.
#[cfg(wasip2)]
pub(super) fn map_stream_error(e: StreamError, phase: Phase, url: &Url) -> Error {
    match e {
        StreamError::LastOperationFailed(io) => match http::http_error_code(&io) {
            Some(code) => map_error_code(code, phase, url),
            None => {
                let kind = match phase {
                    Phase::Send => ErrorKind::Connect,
                    Phase::Write => ErrorKind::Write,
                    Phase::ReadHead => ErrorKind::Read,
                    Phase::ReadBody => ErrorKind::Protocol,
                };
                let error = Error::new(kind);
                let error = if phase == Phase::ReadBody {
                    error.with_message("the response body ended before it was complete")
                } else {
                    error
                };
                error
                    .with_source(WasiIoError(io.to_debug_string()))
                    .with_url(url.clone())
            }
        },
        StreamError::Closed => Error::new(ErrorKind::Write)
            .with_message("the host closed the request body stream")
            .with_url(url.clone()),
    }
}

/// A host call that returned its `result` error without a code (`result<_, _>`).
pub(super) fn host_refused(what: &str, url: &Url) -> Error {
    Error::new(ErrorKind::Builder)
        .with_message(format!("the WASI host refused {what}"))
        .with_url(url.clone())
}

/// The WIT name of a code, as the host's documentation spells it.
fn wit_name(code: &ErrorCode) -> &'static str {
    use ErrorCode as C;
    match code {
        C::DnsTimeout => "DNS-timeout",
        C::DnsError(_) => "DNS-error",
        C::DestinationNotFound => "destination-not-found",
        C::DestinationUnavailable => "destination-unavailable",
        C::DestinationIpProhibited => "destination-IP-prohibited",
        C::DestinationIpUnroutable => "destination-IP-unroutable",
        C::ConnectionRefused => "connection-refused",
        C::ConnectionTerminated => "connection-terminated",
        C::ConnectionTimeout => "connection-timeout",
        C::ConnectionReadTimeout => "connection-read-timeout",
        C::ConnectionWriteTimeout => "connection-write-timeout",
        C::ConnectionLimitReached => "connection-limit-reached",
        C::TlsProtocolError => "TLS-protocol-error",
        C::TlsCertificateError => "TLS-certificate-error",
        C::TlsAlertReceived(_) => "TLS-alert-received",
        C::HttpRequestDenied => "HTTP-request-denied",
        C::HttpRequestLengthRequired => "HTTP-request-length-required",
        C::HttpRequestBodySize(_) => "HTTP-request-body-size",
        C::HttpRequestMethodInvalid => "HTTP-request-method-invalid",
        C::HttpRequestUriInvalid => "HTTP-request-URI-invalid",
        C::HttpRequestUriTooLong => "HTTP-request-URI-too-long",
        C::HttpRequestHeaderSectionSize(_) => "HTTP-request-header-section-size",
        C::HttpRequestHeaderSize(_) => "HTTP-request-header-size",
        C::HttpRequestTrailerSectionSize(_) => "HTTP-request-trailer-section-size",
        C::HttpRequestTrailerSize(_) => "HTTP-request-trailer-size",
        C::HttpResponseIncomplete => "HTTP-response-incomplete",
        C::HttpResponseHeaderSectionSize(_) => "HTTP-response-header-section-size",
        C::HttpResponseHeaderSize(_) => "HTTP-response-header-size",
        C::HttpResponseBodySize(_) => "HTTP-response-body-size",
        C::HttpResponseTrailerSectionSize(_) => "HTTP-response-trailer-section-size",
        C::HttpResponseTrailerSize(_) => "HTTP-response-trailer-size",
        C::HttpResponseTransferCoding(_) => "HTTP-response-transfer-coding",
        C::HttpResponseContentCoding(_) => "HTTP-response-content-coding",
        C::HttpResponseTimeout => "HTTP-response-timeout",
        C::HttpUpgradeFailed => "HTTP-upgrade-failed",
        C::HttpProtocolError => "HTTP-protocol-error",
        C::LoopDetected => "loop-detected",
        C::ConfigurationError => "configuration-error",
        C::InternalError(_) => "internal-error",
    }
}
