//! `RequestBuilder`: one request's URL, headers, body and options; `.await` sends it.

use std::future::IntoFuture;

use http::header::{HeaderMap, HeaderName, HeaderValue, CONTENT_TYPE};
use http::{Extensions, Method};

use crate::auth::{Auth, BasicAuth, BearerAuth};
use crate::body::Body;
use crate::client::Client;
use crate::error::{Error, Result};
use crate::platform::BoxFuture;
use crate::request::Request;
use crate::request::{AuthChoice, RequestOptions, SharedAuth};
use crate::response::Response;
use crate::retry::Retry;
use crate::timeout::Timeout;
use crate::urls::UrlInput;

/// A request being built. Send it with [`send`](RequestBuilder::send) or by `.await`ing the
/// builder itself.
///
/// Invalid input (a bad URL, a header value with CR/LF, a body that will not serialize) never
/// panics: it is kept and returned as an [`is_builder`](Error::is_builder) error when sent.
#[must_use = "a RequestBuilder does nothing until it is sent or awaited"]
pub struct RequestBuilder {
    client: Client,
    method: Method,
    url: UrlInput,
    headers: HeaderMap,
    query: Vec<(String, String)>,
    body: Option<Body>,
    timeout: Option<Timeout>,
    options: RequestOptions,
    extensions: Extensions,
    upload_progress: Option<WrapBody>,
    error: Option<Error>,
}

#[cfg(native)]
type WrapBody = Box<dyn FnOnce(Body) -> Body + Send>;
#[cfg(wasm)]
type WrapBody = Box<dyn FnOnce(Body) -> Body>;

pub(crate) fn header_pair<K, V>(name: K, value: V) -> Result<(HeaderName, HeaderValue)>
where
    K: TryInto<HeaderName>,
    K::Error: Into<http::Error>,
    V: TryInto<HeaderValue>,
    V::Error: Into<http::Error>,
{
    let name = name
        .try_into()
        .map_err(|e| Error::builder("invalid header name").with_source(e.into()))?;
    let mut value: HeaderValue = value.try_into().map_err(|e| {
        Error::builder(format!(
            "invalid value for header {name} (CR, LF and NUL are not allowed)"
        ))
        .with_source(e.into())
    })?;
    // Credentials: redacted in `Debug`, never indexed by HTTP/2 header compression.
    if name == http::header::AUTHORIZATION
        || name == http::header::PROXY_AUTHORIZATION
        || name == http::header::COOKIE
    {
        value.set_sensitive(true);
    }
    Ok((name, value))
}

pub(crate) fn encode_pairs<T: serde::Serialize + ?Sized>(
    value: &T,
) -> Result<Vec<(String, String)>> {
    let s = serde_urlencoded::to_string(value).map_err(|e| {
        Error::builder("query parameters must serialize as a sequence of pairs or a flat struct")
            .with_source(e)
    })?;
    Ok(url::form_urlencoded::parse(s.as_bytes())
        .into_owned()
        .collect())
}

impl RequestBuilder {
    pub(crate) fn new(client: Client, method: Method, url: UrlInput) -> Self {
        RequestBuilder {
            client,
            method,
            url,
            headers: HeaderMap::new(),
            query: Vec::new(),
            body: None,
            timeout: None,
            options: RequestOptions::default(),
            extensions: Extensions::new(),
            upload_progress: None,
            error: None,
        }
    }

    pub(crate) fn with_error(self, e: Error) -> Self {
        self.fail(e)
    }

    fn fail(mut self, e: Error) -> Self {
        self.error.get_or_insert(e);
        self
    }

    /// Adds a header. Repeating a name adds another value; any client default of that name is
    /// replaced. Defaults to the client's headers.
    pub fn header<K, V>(mut self, name: K, value: V) -> Self
    where
        K: TryInto<HeaderName>,
        K::Error: Into<http::Error>,
        V: TryInto<HeaderValue>,
        V::Error: Into<http::Error>,
    {
        match header_pair(name, value) {
            Ok((k, v)) => {
                self.headers.append(k, v);
                self
            }
            Err(e) => self.fail(e),
        }
    }

    /// Adds every header of `headers` (see [`header`](RequestBuilder::header)). Defaults to the
    /// client's headers.
    pub fn headers(mut self, headers: HeaderMap) -> Self {
        for (k, v) in headers.iter() {
            self.headers.append(k.clone(), v.clone());
        }
        self
    }

    /// Adds query parameters from any `serde::Serialize` that encodes as a form:
    /// `&[("q", "test"), ("page", "2")]`, a map, or a flat struct. They are appended to any
    /// query already in the URL, replacing client defaults of the same name. Defaults to none.
    pub fn query<T: serde::Serialize + ?Sized>(mut self, query: &T) -> Self {
        match encode_pairs(query) {
            Ok(pairs) => {
                self.query.extend(pairs);
                self
            }
            Err(e) => self.fail(e),
        }
    }

    fn content_type(mut self, value: &'static str) -> Self {
        if !self.headers.contains_key(CONTENT_TYPE) {
            self.headers
                .insert(CONTENT_TYPE, HeaderValue::from_static(value));
        }
        self
    }

    /// A JSON body (`Content-Type: application/json`). Defaults to no body.
    #[cfg(feature = "json")]
    pub fn json<T: serde::Serialize + ?Sized>(mut self, value: &T) -> Self {
        match serde_json::to_vec(value) {
            Ok(v) => {
                self.body = Some(v.into());
                self.content_type("application/json")
            }
            Err(e) => {
                self.fail(Error::builder("the JSON body could not be serialized").with_source(e))
            }
        }
    }

    /// A URL-encoded form body (`application/x-www-form-urlencoded`), from any
    /// `serde::Serialize` that encodes as a form. Defaults to no body.
    pub fn form<T: serde::Serialize + ?Sized>(mut self, value: &T) -> Self {
        match serde_urlencoded::to_string(value) {
            Ok(s) => {
                self.body = Some(s.into());
                self.content_type("application/x-www-form-urlencoded")
            }
            Err(e) => {
                self.fail(Error::builder("the form body could not be serialized").with_source(e))
            }
        }
    }

    /// A `multipart/form-data` body (file uploads). Defaults to no body.
    #[cfg(feature = "multipart")]
    pub fn multipart(mut self, form: crate::multipart::Form) -> Self {
        let (content_type, body) = form.into_body();
        match HeaderValue::from_str(&content_type) {
            Ok(v) => {
                self.headers.insert(CONTENT_TYPE, v);
                self.body = Some(body);
                self
            }
            Err(e) => self.fail(Error::builder("invalid multipart boundary").with_source(e)),
        }
    }

    /// A raw body: bytes, a string, or [`Body::from_stream`] (httpx `content=`). Defaults to no
    /// body.
    pub fn body(mut self, body: impl Into<Body>) -> Self {
        self.body = Some(body.into());
        self
    }

    /// Timeouts for this request; a `Duration` sets connect, read, write and pool alike.
    /// Defaults to the client's.
    pub fn timeout(mut self, timeout: impl Into<Timeout>) -> Self {
        self.timeout = Some(timeout.into());
        self
    }

    /// HTTP Basic credentials for this request. Defaults to the client's auth.
    pub fn basic_auth(self, username: impl Into<String>, password: impl Into<String>) -> Self {
        self.auth(BasicAuth::new(username, password))
    }

    /// A bearer token for this request. Defaults to the client's auth.
    pub fn bearer_auth(self, token: impl Into<String>) -> Self {
        self.auth(BearerAuth::new(token))
    }

    /// Any auth scheme for this request, such as [`DigestAuth`](crate::DigestAuth). Defaults to
    /// the client's auth.
    pub fn auth(mut self, auth: impl Auth) -> Self {
        self.options.auth = AuthChoice::Use(SharedAuth::new(auth));
        self
    }

    /// Follow redirects for this request. Defaults to the client's setting (itself `false`).
    pub fn follow_redirects(mut self, follow: bool) -> Self {
        self.options.follow_redirects = Some(follow);
        self
    }

    /// The most redirects this request follows. Defaults to the client's setting (itself
    /// `20`).
    pub fn max_redirects(mut self, max: usize) -> Self {
        self.options.max_redirects = Some(max);
        self
    }

    /// Retries for this request, in place of the client's (`Retry::new(0)` turns them off).
    /// Defaults to the client's setting (itself none).
    pub fn retry(mut self, retry: Retry) -> Self {
        self.options.retry = Some(retry);
        self
    }

    /// Calls `progress` with the number of bytes of a streamed body ([`Body::from_stream`])
    /// handed to the transport so far, after each chunk: an upload progress bar. A body held
    /// in memory is handed to the host whole, so the hook is not called for it. Defaults to
    /// none.
    pub fn on_upload_progress<F>(mut self, progress: F) -> Self
    where
        F: FnMut(u64) + crate::platform::MaybeSend + 'static,
    {
        self.upload_progress = Some(Box::new(move |body: Body| {
            body.with_upload_progress(progress)
        }));
        self
    }

    /// Adds a typed value that transports and hooks can read from
    /// [`Request::extensions`]. Defaults to none.
    pub fn extension<T: Clone + Send + Sync + 'static>(mut self, value: T) -> Self {
        self.extensions.insert(value);
        self
    }

    /// Builds the [`Request`] without sending it: URL joined and checked, defaults merged.
    ///
    /// # Errors
    /// The first invalid input, as an [`is_builder`](Error::is_builder) error.
    /// The request carries every option set here (auth, redirects, retries, timeouts,
    /// extensions), so [`Client::send`] sends it exactly as `.await` on this builder would.
    pub fn build(self) -> Result<Request> {
        self.build_parts().map(|(r, _)| r)
    }

    fn build_parts(self) -> Result<(Request, Client)> {
        if let Some(e) = self.error {
            return Err(e);
        }
        let inner = &self.client.inner;
        let mut url = crate::urls::resolve_url(self.url, inner.base_url.as_ref())?;
        if !inner.query.is_empty() || !self.query.is_empty() {
            let mut pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
            pairs.extend(
                inner
                    .query
                    .iter()
                    .filter(|(k, _)| !self.query.iter().any(|(rk, _)| rk == k))
                    .cloned(),
            );
            pairs.extend(self.query);
            url.query_pairs_mut().clear().extend_pairs(pairs);
        }
        // Room for the request's own headers and the two a transport may add (Host,
        // Content-Length), so the map is allocated once.
        let mut headers = HeaderMap::with_capacity(inner.headers.len() + self.headers.len() + 2);
        for (name, value) in &inner.headers {
            headers.append(name.clone(), value.clone());
        }
        let mut last: Option<HeaderName> = None;
        for (name, value) in self.headers {
            let name = name.or(last.clone());
            if let Some(name) = name {
                if last.as_ref() != Some(&name) {
                    headers.remove(&name);
                }
                headers.append(name.clone(), value);
                last = Some(name);
            }
        }
        let mut req = Request::new(self.method, url);
        *req.headers_mut() = headers;
        let body = self.body.unwrap_or_default();
        *req.body_mut() = match self.upload_progress {
            Some(wrap) => wrap(body),
            None => body,
        };
        *req.timeout_mut() = self.timeout.unwrap_or(inner.timeout);
        *req.extensions_mut() = self.extensions;
        req.options = self.options;
        Ok((req, self.client))
    }

    /// Sends the request (the same as `.await`ing the builder).
    ///
    /// # Errors
    /// Invalid input ([`is_builder`](Error::is_builder)), any transport failure
    /// ([`is_request`](Error::is_request)), too many redirects, or a failed hook. A 4xx/5xx
    /// status is not an error: call [`Response::error_for_status`].
    pub fn send(self) -> BoxFuture<'static, Result<Response>> {
        match self.build_parts() {
            Err(e) => Box::pin(async move { Err(e) }),
            Ok((req, client)) => Box::pin(async move { crate::send::execute(&client, req).await }),
        }
    }
}

impl IntoFuture for RequestBuilder {
    type Output = Result<Response>;
    type IntoFuture = BoxFuture<'static, Result<Response>>;

    fn into_future(self) -> Self::IntoFuture {
        self.send()
    }
}

impl std::fmt::Debug for RequestBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequestBuilder")
            .field("method", &self.method)
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}
