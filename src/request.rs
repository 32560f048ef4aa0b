//! A request as the transports see it: every policy (base URL, defaults, auth) already applied.

use std::fmt;

use http::{Extensions, HeaderMap, Method, Version};
use url::Url;

use crate::body::Body;
use crate::timeout::Timeout;
use crate::util::{RedactedHeaders, RedactedUrl};

/// One HTTP request, ready to send.
///
/// [`RequestBuilder`](crate::RequestBuilder) makes these; [`Transport`](crate::Transport)s and
/// [`Auth`](crate::Auth) schemes receive them.
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
        })
    }
}
