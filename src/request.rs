//! A request: its head, its body, and the options it sets for itself (auth, redirects,
//! retries; its timeouts are in its head), so that a built request carries everything that was
//! set on its builder. `send` resolves the options against the client's once per exchange.

use std::fmt;
use std::sync::Arc;

use http::{Extensions, HeaderMap, Method, Version};
use url::Url;

use crate::body::Body;
use crate::platform::AnyMaybeSendSync;
use crate::redact::{RedactedHeaders, RedactedUrl};
use crate::retry::Retry;
use crate::timeout::Timeout;

/// The options a request sets for itself: each `None` (or [`AuthChoice::Inherit`]) means "the
/// client's". `send::Policy::resolve` reads them once per exchange.
#[derive(Clone, Default)]
pub(crate) struct RequestOptions {
    pub(crate) auth: AuthChoice,
    pub(crate) follow_redirects: Option<bool>,
    pub(crate) max_redirects: Option<usize>,
    pub(crate) retry: Option<Retry>,
}

/// Which auth scheme a request runs.
#[derive(Clone, Default)]
pub(crate) enum AuthChoice {
    /// The client's, if it has one.
    #[default]
    Inherit,
    /// This one.
    Use(SharedAuth),
    /// None, whatever the client has (requests an auth flow sends itself).
    Off,
}

/// An auth scheme, shared by the client and the requests that run it.
///
/// Opaque here on purpose: a request is named by every transport, and an auth scheme's
/// interface names the client (its `AuthContext`), which names the transports. Holding the
/// scheme as `Any` keeps `transport → request` a one-way street; `auth.rs` makes these
/// (`SharedAuth::new`) and opens them (`SharedAuth::scheme`).
#[derive(Clone)]
pub(crate) struct SharedAuth(pub(crate) Arc<AnyMaybeSendSync>);

impl fmt::Debug for RequestOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let auth = match self.auth {
            AuthChoice::Inherit => "client's",
            AuthChoice::Use(_) => "own",
            AuthChoice::Off => "off",
        };
        f.debug_struct("RequestOptions")
            .field("auth", &auth)
            .field("follow_redirects", &self.follow_redirects)
            .field("max_redirects", &self.max_redirects)
            .field("retry", &self.retry)
            .finish()
    }
}

/// One HTTP request, ready to send.
///
/// [`RequestBuilder::build`](crate::RequestBuilder::build) makes these;
/// [`Client::send`](crate::Client::send) sends one through every layer of the client, exactly
/// as `.await` on the builder would: the request carries its own options (auth, redirects,
/// retries, timeouts, extensions). [`Transport`](crate::Transport)s and [`Auth`](crate::Auth)
/// schemes receive them.
///
/// `Debug` shows credentials (`Authorization`, `Cookie`..., a password in the URL) as
/// `[redacted]`.
pub struct Request {
    method: Method,
    url: Url,
    headers: HeaderMap,
    body: Body,
    timeout: Timeout,
    version: Option<Version>,
    extensions: Extensions,
    pub(crate) options: RequestOptions,
}

/// The head of a [`Request`], from [`Request::into_parts`].
///
/// `Debug` shows credentials as `[redacted]`, as [`Request`]'s does.
#[derive(Clone)]
#[non_exhaustive]
pub struct Parts {
    /// The method.
    pub method: Method,
    /// The absolute URL.
    pub url: Url,
    /// The headers, defaults merged in.
    pub headers: HeaderMap,
    /// The timeouts in force for this exchange.
    pub timeout: Timeout,
    /// A protocol version the request asks for, if any.
    pub version: Option<Version>,
    /// Per-request values for transports and hooks.
    pub extensions: Extensions,
    options: RequestOptions,
}

impl fmt::Debug for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Request")
            .field("method", &self.method)
            .field("url", &RedactedUrl(&self.url))
            .field("headers", &RedactedHeaders(&self.headers))
            .field("body", &self.body)
            .field("timeout", &self.timeout)
            .field("version", &self.version)
            .field("extensions", &self.extensions)
            .field("options", &self.options)
            .finish()
    }
}

impl fmt::Debug for Parts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Parts")
            .field("method", &self.method)
            .field("url", &RedactedUrl(&self.url))
            .field("headers", &RedactedHeaders(&self.headers))
            .field("timeout", &self.timeout)
            .field("version", &self.version)
            .field("extensions", &self.extensions)
            .finish()
    }
}

impl Request {
    /// A request with no headers and an empty body, and the default timeouts.
    pub fn new(method: Method, url: Url) -> Self {
        Request {
            method,
            url,
            headers: HeaderMap::new(),
            body: Body::empty(),
            timeout: Timeout::default(),
            version: None,
            extensions: Extensions::new(),
            options: RequestOptions::default(),
        }
    }

    /// The method.
    pub fn method(&self) -> &Method {
        &self.method
    }
    /// The method, to change.
    pub fn method_mut(&mut self) -> &mut Method {
        &mut self.method
    }
    /// The absolute URL.
    pub fn url(&self) -> &Url {
        &self.url
    }
    /// The URL, to change.
    pub fn url_mut(&mut self) -> &mut Url {
        &mut self.url
    }
    /// The headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }
    /// The headers, to change.
    pub fn headers_mut(&mut self) -> &mut HeaderMap {
        &mut self.headers
    }
    /// The URL, and the headers to change, at once.
    pub(crate) fn url_and_headers_mut(&mut self) -> (&Url, &mut HeaderMap) {
        (&self.url, &mut self.headers)
    }
    /// The body.
    pub fn body(&self) -> &Body {
        &self.body
    }
    /// The body, to change.
    pub fn body_mut(&mut self) -> &mut Body {
        &mut self.body
    }
    /// The timeouts in force for this request.
    pub fn timeout(&self) -> &Timeout {
        &self.timeout
    }
    /// The timeouts, to change.
    pub fn timeout_mut(&mut self) -> &mut Timeout {
        &mut self.timeout
    }
    /// The HTTP version asked for, if any (the transport decides otherwise).
    pub fn version(&self) -> Option<Version> {
        self.version
    }
    /// The version asked for, to change.
    pub fn version_mut(&mut self) -> &mut Option<Version> {
        &mut self.version
    }
    /// Per-request values that transports and hooks may read.
    pub fn extensions(&self) -> &Extensions {
        &self.extensions
    }
    /// Per-request values, to change.
    pub fn extensions_mut(&mut self) -> &mut Extensions {
        &mut self.extensions
    }

    /// Splits the request into its head and body.
    pub fn into_parts(self) -> (Parts, Body) {
        (
            Parts {
                method: self.method,
                url: self.url,
                headers: self.headers,
                timeout: self.timeout,
                version: self.version,
                extensions: self.extensions,
                options: self.options,
            },
            self.body,
        )
    }

    /// Puts a request back together.
    pub fn from_parts(parts: Parts, body: Body) -> Self {
        Request {
            method: parts.method,
            url: parts.url,
            headers: parts.headers,
            body,
            timeout: parts.timeout,
            version: parts.version,
            extensions: parts.extensions,
            options: parts.options,
        }
    }

    /// A copy, if the body can be replayed (held in memory); `None` for a streamed body.
    pub fn try_clone(&self) -> Option<Request> {
        Some(Request {
            method: self.method.clone(),
            url: self.url.clone(),
            headers: self.headers.clone(),
            body: self.body.try_clone()?,
            timeout: self.timeout,
            version: self.version,
            extensions: self.extensions.clone(),
            options: self.options.clone(),
        })
    }

    /// A copy of the head with an empty body: what a layer keeps of a request whose streamed
    /// body cannot be copied.
    pub(crate) fn head_clone(&self) -> Request {
        Request {
            method: self.method.clone(),
            url: self.url.clone(),
            headers: self.headers.clone(),
            body: Body::empty(),
            timeout: self.timeout,
            version: self.version,
            extensions: self.extensions.clone(),
            options: self.options.clone(),
        }
    }

    /// Whether this request follows redirects, if it overrides its client's setting.
    pub fn follow_redirects(&self) -> Option<bool> {
        self.options.follow_redirects
    }
    /// Overrides the client's redirect setting for this request (`None`: the client's).
    pub fn set_follow_redirects(&mut self, follow: Option<bool>) {
        self.options.follow_redirects = follow;
    }
    /// The most redirects this request follows, if it overrides its client's setting.
    pub fn max_redirects(&self) -> Option<usize> {
        self.options.max_redirects
    }
    /// Overrides the client's redirect limit for this request (`None`: the client's).
    pub fn set_max_redirects(&mut self, max: Option<usize>) {
        self.options.max_redirects = max;
    }
    /// The retry policy of this request, if it overrides its client's.
    pub fn retry(&self) -> Option<&Retry> {
        self.options.retry.as_ref()
    }
    /// Overrides the client's retry policy for this request (`None`: the client's;
    /// `Retry::new(0)`: no retries).
    pub fn set_retry(&mut self, retry: Option<Retry>) {
        self.options.retry = retry;
    }
    /// True when this request runs an auth scheme of its own rather than its client's.
    pub fn has_own_auth(&self) -> bool {
        matches!(self.options.auth, AuthChoice::Use(_))
    }
}
