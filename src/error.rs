//! One error type for every backend, with predicates that mirror httpx's hierarchy.

use std::fmt;

use http::StatusCode;
use url::Url;

use crate::redact::RedactedUrl;

/// A boxed error from a lower layer (hyper, a WASI `error-code`, a JS error, serde...).
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// `Result<T, anyfetch::Error>`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Which timeout fired.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TimeoutKind {
    /// Establishing the connection (TCP and TLS) took too long (httpx `ConnectTimeout`).
    Connect,
    /// Waiting for the response, or for the next chunk of its body, took too long (`ReadTimeout`).
    Read,
    /// Sending the request body stalled (`WriteTimeout`).
    Write,
    /// No connection became free in the pool in time (`PoolTimeout`).
    Pool,
    /// The whole exchange, redirects, retries and body included, overran its deadline.
    Total,
}

/// What went wrong. Matches the table in DESIGN.md; use the predicates on [`Error`] for the
/// httpx-style hierarchy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Invalid input: a malformed URL, a header with CR/LF, an unknown method, a body that cannot
    /// be serialized (httpx `InvalidURL` and friends). Nothing was sent.
    Builder,
    /// The connection could not be established: refused, DNS failure, TLS failure (`ConnectError`).
    Connect,
    /// A timeout fired (`TimeoutException` and its subclasses).
    Timeout(TimeoutKind),
    /// The connection failed while sending the request (`WriteError`).
    Write,
    /// The connection failed while receiving the response, e.g. reset mid-body (`ReadError`).
    Read,
    /// The peer broke the protocol: a malformed status line, a bad chunk size, a body shorter
    /// than its `Content-Length` (`RemoteProtocolError`).
    Protocol,
    /// The host cannot do what was asked: an option the backend cannot honour, or a URL scheme
    /// it cannot send (`UnsupportedProtocol`).
    Unsupported,
    /// The response body could not be decoded: bad gzip, invalid JSON, a decoded size over the
    /// cap (`DecodingError`).
    Decode,
    /// Too many redirects, or a redirect that cannot be followed (`TooManyRedirects`).
    Redirect,
    /// The server answered with a 4xx or 5xx status and [`Response::error_for_status`] was
    /// called (`HTTPStatusError`).
    ///
    /// [`Response::error_for_status`]: crate::Response::error_for_status
    Status(StatusCode),
}

impl fmt::Display for ErrorKind {
    /// What happened, in a few words: `connect error`, `read timeout`, `client error (404 Not
    /// Found)`...
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ErrorKind::Builder => "invalid request",
            ErrorKind::Connect => "connect error",
            ErrorKind::Timeout(TimeoutKind::Connect) => "connect timeout",
            ErrorKind::Timeout(TimeoutKind::Read) => "read timeout",
            ErrorKind::Timeout(TimeoutKind::Write) => "write timeout",
            ErrorKind::Timeout(TimeoutKind::Pool) => "pool timeout",
            ErrorKind::Timeout(TimeoutKind::Total) => "total deadline exceeded",
            ErrorKind::Write => "error sending request",
            ErrorKind::Read => "error reading response",
            ErrorKind::Protocol => "protocol error",
            ErrorKind::Unsupported => "unsupported",
            ErrorKind::Decode => "decoding error",
            ErrorKind::Redirect => "redirect error",
            ErrorKind::Status(s) if s.is_client_error() => "client error",
            ErrorKind::Status(_) => "server error",
        })?;
        if let ErrorKind::Status(s) = self {
            write!(f, " ({s})")?;
        }
        Ok(())
    }
}

/// The error type of every fallible anyfetch operation.
///
/// It is opaque: ask it what happened with [`kind`](Error::kind) and the predicates. It keeps the
/// URL it concerns and the lower-level error as its [`source`](std::error::Error::source).
///
/// `Display` says what happened (the kind, the status, a detail, the URL with any password
/// redacted) and does not repeat the source's text: [`source`](std::error::Error::source) gives
/// the cause, and [`display_chain`](Error::display_chain) prints the error with all its causes.
///
/// ```
/// use std::error::Error as _;
///
/// let e = anyfetch::Error::new(anyfetch::ErrorKind::Connect)
///     .with_source(std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused"));
/// assert_eq!(e.to_string(), "connect error");
/// assert_eq!(e.display_chain().to_string(), "connect error: refused");
/// let io = e.source().unwrap().downcast_ref::<std::io::Error>().unwrap();
/// assert_eq!(io.kind(), std::io::ErrorKind::ConnectionRefused);
/// ```
#[derive(thiserror::Error)]
#[error(transparent)]
pub struct Error {
    inner: Box<Inner>,
}

#[derive(Debug, thiserror::Error)]
#[error("{kind}{}{}", Detail(.message.as_deref()), ForUrl(.url.as_ref()))]
struct Inner {
    kind: ErrorKind,
    message: Option<String>,
    url: Option<Url>,
    #[source]
    source: Option<BoxError>,
}

impl Error {
    /// A new error of `kind`; backends and `Transport` implementations use this at their
    /// boundary.
    pub fn new(kind: ErrorKind) -> Self {
        Error {
            inner: Box::new(Inner {
                kind,
                message: None,
                url: None,
                source: None,
            }),
        }
    }

    /// Adds a human-readable detail, shown after the kind in `Display`.
    pub fn with_message(mut self, message: impl Into<String>) -> Self {
        self.inner.message = Some(message.into());
        self
    }

    /// Keeps `source` as the cause of this error.
    pub fn with_source(mut self, source: impl Into<BoxError>) -> Self {
        self.inner.source = Some(source.into());
        self
    }

    /// Attaches the URL this error concerns (kept if one is already set).
    pub fn with_url(mut self, url: Url) -> Self {
        if self.inner.url.is_none() {
            self.inner.url = Some(url);
        }
        self
    }

    pub(crate) fn builder(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Builder).with_message(message)
    }

    pub(crate) fn decode(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Decode).with_message(message)
    }

    pub(crate) fn timeout(kind: TimeoutKind) -> Self {
        Error::new(ErrorKind::Timeout(kind))
    }

    /// What went wrong.
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }

    /// The URL this error concerns, if known.
    pub fn url(&self) -> Option<&Url> {
        self.inner.url.as_ref()
    }

    /// The status code, for errors from [`Response::error_for_status`](crate::Response::error_for_status).
    pub fn status(&self) -> Option<StatusCode> {
        match self.inner.kind {
            ErrorKind::Status(s) => Some(s),
            _ => None,
        }
    }

    /// True for every transport failure: connect, timeout, read, write and protocol errors
    /// (httpx `RequestError`/`TransportError`).
    pub fn is_request(&self) -> bool {
        matches!(
            self.inner.kind,
            ErrorKind::Connect
                | ErrorKind::Timeout(_)
                | ErrorKind::Read
                | ErrorKind::Write
                | ErrorKind::Protocol
                | ErrorKind::Unsupported
        )
    }

    /// The connection could not be established (httpx `ConnectError`).
    pub fn is_connect(&self) -> bool {
        self.inner.kind == ErrorKind::Connect
    }

    /// A timeout fired; [`timeout_kind`](Error::timeout_kind) says which.
    pub fn is_timeout(&self) -> bool {
        matches!(self.inner.kind, ErrorKind::Timeout(_))
    }

    /// Which timeout fired, if this is a timeout.
    pub fn timeout_kind(&self) -> Option<TimeoutKind> {
        match self.inner.kind {
            ErrorKind::Timeout(k) => Some(k),
            _ => None,
        }
    }

    /// The server's status was 4xx or 5xx (httpx `HTTPStatusError`).
    pub fn is_status(&self) -> bool {
        matches!(self.inner.kind, ErrorKind::Status(_))
    }

    /// Too many redirects, or a redirect that cannot be followed (httpx `TooManyRedirects`).
    pub fn is_redirect(&self) -> bool {
        self.inner.kind == ErrorKind::Redirect
    }

    /// The body could not be decoded (httpx `DecodingError`).
    pub fn is_decode(&self) -> bool {
        self.inner.kind == ErrorKind::Decode
    }

    /// The request could not be built from its input (httpx `InvalidURL`, bad headers).
    pub fn is_builder(&self) -> bool {
        self.inner.kind == ErrorKind::Builder
    }

    /// The backend cannot do what was asked (httpx `UnsupportedProtocol`).
    pub fn is_unsupported(&self) -> bool {
        self.inner.kind == ErrorKind::Unsupported
    }

    /// The error followed by its causes (each [`source`](std::error::Error::source) in turn),
    /// separated by `": "`: what to show a user or write to a log when there is no reporter that
    /// walks the chain itself.
    ///
    /// ```no_run
    /// # async fn run() {
    /// if let Err(e) = anyfetch::get("http://127.0.0.1:9/").await {
    ///     // connect error: could not connect to 127.0.0.1:9 for url (http://127.0.0.1:9/): Connection refused (os error 111)
    ///     eprintln!("{}", e.display_chain());
    /// }
    /// # }
    /// ```
    pub fn display_chain(&self) -> DisplayChain<'_> {
        DisplayChain { error: self }
    }
}

/// Displays an [`Error`] with its chain of causes on one line; made by
/// [`Error::display_chain`].
#[derive(Debug, Clone, Copy)]
pub struct DisplayChain<'a> {
    error: &'a Error,
}

impl fmt::Display for DisplayChain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.error)?;
        let mut next = std::error::Error::source(self.error);
        while let Some(cause) = next {
            write!(f, ": {cause}")?;
            next = cause.source();
        }
        Ok(())
    }
}

/// `": message"`, or nothing.
struct Detail<'a>(Option<&'a str>);

impl fmt::Display for Detail<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(m) => write!(f, ": {m}"),
            None => Ok(()),
        }
    }
}

/// `" for url (...)"` with the password redacted, or nothing.
struct ForUrl<'a>(Option<&'a Url>);

impl fmt::Display for ForUrl<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(u) => write!(f, " for url ({})", RedactedUrl(u)),
            None => Ok(()),
        }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("anyfetch::Error");
        d.field("kind", &self.inner.kind);
        if let Some(m) = &self.inner.message {
            d.field("message", m);
        }
        if let Some(u) = &self.inner.url {
            d.field("url", &RedactedUrl(u));
        }
        if let Some(s) = &self.inner.source {
            d.field("source", s);
        }
        d.finish()
    }
}

impl From<http::Error> for Error {
    fn from(e: http::Error) -> Self {
        Error::new(ErrorKind::Builder).with_source(e)
    }
}

impl From<url::ParseError> for Error {
    fn from(e: url::ParseError) -> Self {
        Error::new(ErrorKind::Builder)
            .with_message("invalid URL")
            .with_source(e)
    }
}

#[cfg(test)]
mod tests {
    use std::error::Error as _;

    use super::*;

    #[test]
    fn error_is_one_pointer_wide() {
        assert_eq!(std::mem::size_of::<Error>(), std::mem::size_of::<usize>());
    }

    #[test]
    fn predicates_follow_the_hierarchy() {
        let t = Error::timeout(TimeoutKind::Read);
        assert!(t.is_timeout() && t.is_request() && !t.is_connect());
        assert_eq!(t.timeout_kind(), Some(TimeoutKind::Read));
        let c = Error::new(ErrorKind::Connect);
        assert!(c.is_connect() && c.is_request() && !c.is_timeout());
        let s = Error::new(ErrorKind::Status(StatusCode::SERVICE_UNAVAILABLE));
        assert!(s.is_status() && !s.is_request());
        assert_eq!(s.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
        assert!(Error::builder("x").is_builder());
        assert!(Error::decode("x").is_decode());
    }

    #[test]
    fn display_names_kind_status_message_and_url_not_the_source() {
        let e = Error::new(ErrorKind::Connect)
            .with_message("could not connect to 127.0.0.1:9")
            .with_url(Url::parse("http://127.0.0.1:9/").unwrap())
            .with_source(std::io::Error::new(
                std::io::ErrorKind::ConnectionRefused,
                "refused",
            ));
        assert_eq!(
            e.to_string(),
            "connect error: could not connect to 127.0.0.1:9 for url (http://127.0.0.1:9/)"
        );
        let source = e.source().expect("a source");
        assert_eq!(source.to_string(), "refused");
        let io = source
            .downcast_ref::<std::io::Error>()
            .expect("the io::Error");
        assert_eq!(io.kind(), std::io::ErrorKind::ConnectionRefused);
        let s = Error::new(ErrorKind::Status(StatusCode::NOT_FOUND));
        assert_eq!(s.to_string(), "client error (404 Not Found)");
    }

    #[test]
    fn display_chain_walks_every_source() {
        #[derive(Debug, thiserror::Error)]
        #[error("outer")]
        struct Outer(#[source] std::io::Error);
        let e = Error::new(ErrorKind::Read).with_source(Outer(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "reset",
        )));
        assert_eq!(e.to_string(), "error reading response");
        assert_eq!(
            e.display_chain().to_string(),
            "error reading response: outer: reset"
        );
        assert_eq!(
            Error::builder("x").display_chain().to_string(),
            "invalid request: x"
        );
    }

    #[test]
    fn passwords_in_the_url_are_redacted() {
        let e =
            Error::new(ErrorKind::Connect).with_url(Url::parse("http://user:hunter2@h/").unwrap());
        assert_eq!(
            e.to_string(),
            "connect error for url (http://user:[redacted]@h/)"
        );
        assert!(!format!("{e:?}").contains("hunter2"));
        assert_eq!(e.url().unwrap().password(), Some("hunter2"));
    }
}
