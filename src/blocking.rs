//! The blocking twin: the same names as the async API, each call waiting for its result
//! (httpx's sync `Client`). It shares the whole core; only the waiting differs.
//!
//! Natively it runs requests on a small tokio runtime of its own (feature `native`). Do not
//! call it from inside an async task: block in a thread of your own instead.
//!
//! ```no_run
//! let mut r = anyfetch::blocking::get("http://localhost:8000/get").send()?;
//! println!("{}", r.text()?);
//! # Ok::<(), anyfetch::Error>(())
//! ```

#[cfg(web)]
compile_error!(
    "anyfetch::blocking (feature `blocking`) cannot run in a browser or Node: nothing may block \
     their event loop. Use the async API, or turn the `blocking` feature off for wasm32-unknown-unknown."
);

#[cfg(wasip3)]
compile_error!(
    "anyfetch::blocking (feature `blocking`) cannot run on WASI 0.3 (feature `wasip3`): a 0.3 task \
     cannot block inside a synchronous export (wasmtime traps). Await the async API in an async \
     export (`wasi:cli/run` or `wasi:http/handler`), or turn one of the two features off."
);

use std::future::Future;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Version};
use url::Url;

use crate::error::Result;
use crate::urls::IntoUrl;
use crate::{Auth, Body, Limits, Request, Retry, Timeout, Transport};

/// Runs a future to completion on the blocking runtime.
pub(crate) fn wait<F: Future>(fut: F) -> F::Output {
    #[cfg(hyper)]
    {
        use std::sync::OnceLock;
        static RT: OnceLock<std::io::Result<tokio::runtime::Runtime>> = OnceLock::new();
        let rt = RT.get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .thread_name("anyfetch-blocking")
                .enable_all()
                .build()
        });
        match rt {
            Ok(rt) => rt.block_on(fut),
            // The runtime could not start (no threads?): drive the future here instead.
            Err(_) => futures_executor::block_on(fut),
        }
    }
    #[cfg(wasip2)]
    {
        crate::platform::wasip2::block_on(fut)
    }
    // Only the `compile_error!` above is reported for this build.
    #[cfg(wasip3)]
    {
        drop(fut);
        unreachable!()
    }
    #[cfg(not(any(hyper, all(target_os = "wasi", wasm))))]
    {
        futures_executor::block_on(fut)
    }
}

/// A blocking HTTP client: [`crate::Client`] with every call waiting.
#[derive(Clone, Debug, Default)]
pub struct Client {
    inner: crate::Client,
}

impl From<crate::Client> for Client {
    fn from(inner: crate::Client) -> Self {
        Client { inner }
    }
}

impl Client {
    /// A client with every default.
    pub fn new() -> Client {
        Client {
            inner: crate::Client::new(),
        }
    }

    /// A builder to configure a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder {
            inner: crate::Client::builder(),
        }
    }

    /// Starts a request with any method (a [`Method`] or a string).
    pub fn request<M, U>(&self, method: M, url: U) -> RequestBuilder
    where
        M: TryInto<Method>,
        M::Error: Into<http::Error>,
        U: IntoUrl,
    {
        RequestBuilder {
            inner: self.inner.request(method, url),
        }
    }

    /// Starts a GET request.
    pub fn get<U: IntoUrl>(&self, url: U) -> RequestBuilder {
        self.request(Method::GET, url)
    }

    /// Starts a POST request.
    pub fn post<U: IntoUrl>(&self, url: U) -> RequestBuilder {
        self.request(Method::POST, url)
    }

    /// Starts a PUT request.
    pub fn put<U: IntoUrl>(&self, url: U) -> RequestBuilder {
        self.request(Method::PUT, url)
    }

    /// Starts a PATCH request.
    pub fn patch<U: IntoUrl>(&self, url: U) -> RequestBuilder {
        self.request(Method::PATCH, url)
    }

    /// Starts a DELETE request.
    pub fn delete<U: IntoUrl>(&self, url: U) -> RequestBuilder {
        self.request(Method::DELETE, url)
    }

    /// Starts a HEAD request.
    pub fn head<U: IntoUrl>(&self, url: U) -> RequestBuilder {
        self.request(Method::HEAD, url)
    }

    /// Starts a OPTIONS request.
    pub fn options<U: IntoUrl>(&self, url: U) -> RequestBuilder {
        self.request(Method::OPTIONS, url)
    }

    /// Sends a prepared request through every layer of the client.
    pub fn send(&self, request: Request) -> Result<Response> {
        wait(self.inner.send(request)).map(Response::from)
    }

    /// See [`crate::Client::cookies`].
    pub fn cookies(&self, url: &Url) -> Vec<(String, String)> {
        self.inner.cookies(url)
    }

    /// See [`crate::Client::cookie_jar`].
    #[cfg(feature = "cookies")]
    pub fn cookie_jar(&self) -> Option<&crate::Jar> {
        self.inner.cookie_jar()
    }

    /// See [`crate::Client::base_url`].
    pub fn base_url(&self) -> Option<&Url> {
        self.inner.base_url()
    }

    /// The async client this one wraps.
    pub fn as_async(&self) -> &crate::Client {
        &self.inner
    }
}

/// Starts a request with any method on a new default client.
pub fn request<M, U>(method: M, url: U) -> RequestBuilder
where
    M: TryInto<Method>,
    M::Error: Into<http::Error>,
    U: IntoUrl,
{
    Client::new().request(method, url)
}

/// Starts a GET request on a new default client.
pub fn get<U: IntoUrl>(url: U) -> RequestBuilder {
    request(Method::GET, url)
}

/// Starts a POST request on a new default client.
pub fn post<U: IntoUrl>(url: U) -> RequestBuilder {
    request(Method::POST, url)
}

/// Starts a PUT request on a new default client.
pub fn put<U: IntoUrl>(url: U) -> RequestBuilder {
    request(Method::PUT, url)
}

/// Starts a PATCH request on a new default client.
pub fn patch<U: IntoUrl>(url: U) -> RequestBuilder {
    request(Method::PATCH, url)
}

/// Starts a DELETE request on a new default client.
pub fn delete<U: IntoUrl>(url: U) -> RequestBuilder {
    request(Method::DELETE, url)
}

/// Starts a HEAD request on a new default client.
pub fn head<U: IntoUrl>(url: U) -> RequestBuilder {
    request(Method::HEAD, url)
}

/// Starts a OPTIONS request on a new default client.
pub fn options<U: IntoUrl>(url: U) -> RequestBuilder {
    request(Method::OPTIONS, url)
}

/// Forwards builder setters to the async builder they wrap.
macro_rules! forward {
    ($($(#[$m:meta])* fn $name:ident $(<$($g:ident : $b:path),*>)? ($($arg:ident : $ty:ty),*);)*) => {$(
        $(#[$m])*
        pub fn $name $(<$($g: $b),*>)? (self, $($arg: $ty),*) -> Self {
            Self { inner: self.inner.$name($($arg),*) }
        }
    )*};
}

/// Configures a blocking [`Client`]; the same setters as [`crate::ClientBuilder`], with the
/// same defaults.
#[derive(Debug)]
#[must_use]
pub struct ClientBuilder {
    inner: crate::ClientBuilder,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder::new()
    }
}

impl ClientBuilder {
    /// A builder with every default.
    pub fn new() -> Self {
        Client::builder()
    }

    forward! {
        /// See [`crate::ClientBuilder::base_url`]. Defaults to none.
        fn base_url<U: IntoUrl>(url: U);
        /// See [`crate::ClientBuilder::headers`]. Defaults to the built-in headers.
        fn headers(headers: HeaderMap);
        /// See [`crate::ClientBuilder::basic_auth`]. Defaults to none.
        fn basic_auth<U: Into<String>, P: Into<String>>(username: U, password: P);
        /// See [`crate::ClientBuilder::bearer_auth`]. Defaults to none.
        fn bearer_auth<T: Into<String>>(token: T);
        /// See [`crate::ClientBuilder::auth`]. Defaults to none.
        fn auth<A: Auth>(auth: A);
        /// See [`crate::ClientBuilder::timeout`]. Defaults to 5 seconds each.
        fn timeout<T: Into<Timeout>>(timeout: T);
        /// See [`crate::ClientBuilder::limits`]. Defaults to [`Limits::default`].
        fn limits(limits: Limits);
        /// See [`crate::ClientBuilder::follow_redirects`]. Defaults to `false`.
        fn follow_redirects(follow: bool);
        /// See [`crate::ClientBuilder::max_redirects`]. Defaults to `20`.
        fn max_redirects(max: usize);
        /// See [`crate::ClientBuilder::http2`]. Defaults to `false`.
        fn http2(enable: bool);
        /// See [`crate::ClientBuilder::http2_prior_knowledge`]. Defaults to `false`.
        fn http2_prior_knowledge(enable: bool);
        /// See [`crate::ClientBuilder::cookie_store`]. Defaults to `true`.
        fn cookie_store(enable: bool);
        /// See [`crate::ClientBuilder::cookie_jar`]. Defaults to a new, empty jar per client.
        #[cfg(feature = "cookies")]
        fn cookie_jar(jar: crate::Jar);
        /// See [`crate::ClientBuilder::retry`]. Defaults to none.
        fn retry(retry: Retry);
        /// See [`crate::ClientBuilder::transport`]. Defaults to the target's backend.
        fn transport<T: Transport>(transport: T);
        /// See [`crate::ClientBuilder::add_root_certificate`]. Defaults to the web PKI roots.
        fn add_root_certificate(cert: crate::Certificate);
        /// See [`crate::ClientBuilder::danger_accept_invalid_certs`]. Defaults to `false`.
        fn danger_accept_invalid_certs(accept: bool);
        /// See [`crate::ClientBuilder::decode_content`]. Defaults to `true`.
        fn decode_content(enable: bool);
        /// See [`crate::ClientBuilder::max_decoded_size`]. Defaults to 1 GiB.
        fn max_decoded_size(bytes: u64);
        /// See [`crate::ClientBuilder::proxy`]. Defaults to none (the environment's).
        fn proxy(proxy: crate::Proxy);
        /// See [`crate::ClientBuilder::no_proxy`]. Defaults to off.
        fn no_proxy();
        /// See [`crate::ClientBuilder::trust_env`]. Defaults to `true`.
        fn trust_env(trust: bool);
        /// See [`crate::ClientBuilder::local_address`]. Defaults to none.
        fn local_address<I: Into<std::net::IpAddr>>(ip: I);
        /// See [`crate::ClientBuilder::resolve`]. Defaults to none.
        fn resolve(host: &str, addr: std::net::SocketAddr);
        /// See [`crate::ClientBuilder::resolve_to_addrs`]. Defaults to none.
        fn resolve_to_addrs(host: &str, addrs: &[std::net::SocketAddr]);
        /// See [`crate::ClientBuilder::dns_resolver`]. Defaults to the system's.
        fn dns_resolver<R: crate::Resolve>(resolver: R);
        /// See [`crate::ClientBuilder::identity`]. Defaults to none.
        fn identity(identity: crate::Identity);
        /// See [`crate::ClientBuilder::min_tls_version`]. Defaults to TLS 1.2.
        fn min_tls_version(version: crate::TlsVersion);
    }

    /// See [`crate::ClientBuilder::unix_socket`]. Defaults to none.
    #[cfg(unix)]
    pub fn unix_socket<P: Into<std::path::PathBuf>>(self, path: P) -> Self {
        Self {
            inner: self.inner.unix_socket(path),
        }
    }

    /// See [`crate::ClientBuilder::header`]. Defaults to the built-in headers.
    pub fn header<K, V>(self, name: K, value: V) -> Self
    where
        K: TryInto<HeaderName>,
        K::Error: Into<http::Error>,
        V: TryInto<HeaderValue>,
        V::Error: Into<http::Error>,
    {
        Self {
            inner: self.inner.header(name, value),
        }
    }

    /// See [`crate::ClientBuilder::query`]. Defaults to none.
    pub fn query<T: serde::Serialize + ?Sized>(self, query: &T) -> Self {
        Self {
            inner: self.inner.query(query),
        }
    }

    /// See [`crate::ClientBuilder::on_request`]. Defaults to none.
    pub fn on_request<F, R>(self, hook: F) -> Self
    where
        F: Fn(&mut Request) -> R + crate::MaybeSendSync + 'static,
        R: crate::HookResult,
    {
        Self {
            inner: self.inner.on_request(hook),
        }
    }

    /// See [`crate::ClientBuilder::on_response`]. Defaults to none.
    pub fn on_response<F, R>(self, hook: F) -> Self
    where
        F: Fn(&crate::Response) -> R + crate::MaybeSendSync + 'static,
        R: crate::HookResult,
    {
        Self {
            inner: self.inner.on_response(hook),
        }
    }

    /// See [`crate::ClientBuilder::layer`]. Defaults to none.
    pub fn layer<L>(self, layer: L) -> Self
    where
        L: crate::layer::Layer<std::sync::Arc<dyn Transport>> + crate::MaybeSend + 'static,
    {
        Self {
            inner: self.inner.layer(layer),
        }
    }

    /// Builds the client.
    ///
    /// # Errors
    /// As [`crate::ClientBuilder::build`].
    pub fn build(self) -> Result<Client> {
        self.inner.build().map(Client::from)
    }
}

/// A request being built; [`send`](RequestBuilder::send) sends it and waits.
#[derive(Debug)]
#[must_use = "a RequestBuilder does nothing until it is sent"]
pub struct RequestBuilder {
    inner: crate::RequestBuilder,
}

impl RequestBuilder {
    forward! {
        /// See [`crate::RequestBuilder::headers`].
        fn headers(headers: HeaderMap);
        /// See [`crate::RequestBuilder::body`]. Defaults to no body.
        fn body<B: Into<Body>>(body: B);
        /// See [`crate::RequestBuilder::timeout`]. Defaults to the client's.
        fn timeout<T: Into<Timeout>>(timeout: T);
        /// See [`crate::RequestBuilder::basic_auth`]. Defaults to the client's auth.
        fn basic_auth<U: Into<String>, P: Into<String>>(username: U, password: P);
        /// See [`crate::RequestBuilder::bearer_auth`]. Defaults to the client's auth.
        fn bearer_auth<T: Into<String>>(token: T);
        /// See [`crate::RequestBuilder::auth`]. Defaults to the client's auth.
        fn auth<A: Auth>(auth: A);
        /// See [`crate::RequestBuilder::follow_redirects`]. Defaults to the client's setting.
        fn follow_redirects(follow: bool);
        /// See [`crate::RequestBuilder::max_redirects`]. Defaults to the client's setting.
        fn max_redirects(max: usize);
        /// See [`crate::RequestBuilder::retry`]. Defaults to the client's setting.
        fn retry(retry: Retry);
    }

    /// See [`crate::RequestBuilder::on_upload_progress`]. Defaults to none.
    pub fn on_upload_progress<F>(self, progress: F) -> Self
    where
        F: FnMut(u64) + crate::MaybeSend + 'static,
    {
        Self {
            inner: self.inner.on_upload_progress(progress),
        }
    }

    /// See [`crate::RequestBuilder::extension`]. Defaults to none.
    pub fn extension<T: Clone + Send + Sync + 'static>(self, value: T) -> Self {
        Self {
            inner: self.inner.extension(value),
        }
    }

    /// See [`crate::RequestBuilder::build`]; send the request with [`Client::send`].
    ///
    /// # Errors
    /// As [`crate::RequestBuilder::build`].
    pub fn build(self) -> Result<Request> {
        self.inner.build()
    }

    /// See [`crate::RequestBuilder::header`].
    pub fn header<K, V>(self, name: K, value: V) -> Self
    where
        K: TryInto<HeaderName>,
        K::Error: Into<http::Error>,
        V: TryInto<HeaderValue>,
        V::Error: Into<http::Error>,
    {
        Self {
            inner: self.inner.header(name, value),
        }
    }

    /// See [`crate::RequestBuilder::query`]. Defaults to none.
    pub fn query<T: serde::Serialize + ?Sized>(self, query: &T) -> Self {
        Self {
            inner: self.inner.query(query),
        }
    }

    /// See [`crate::RequestBuilder::json`]. Defaults to no body.
    #[cfg(feature = "json")]
    pub fn json<T: serde::Serialize + ?Sized>(self, value: &T) -> Self {
        Self {
            inner: self.inner.json(value),
        }
    }

    /// See [`crate::RequestBuilder::form`]. Defaults to no body.
    pub fn form<T: serde::Serialize + ?Sized>(self, value: &T) -> Self {
        Self {
            inner: self.inner.form(value),
        }
    }

    /// See [`crate::RequestBuilder::multipart`]. Defaults to no body.
    #[cfg(feature = "multipart")]
    pub fn multipart(self, form: crate::multipart::Form) -> Self {
        Self {
            inner: self.inner.multipart(form),
        }
    }

    /// Sends the request and waits for the response head.
    ///
    /// # Errors
    /// As [`crate::RequestBuilder::send`].
    pub fn send(self) -> Result<Response> {
        wait(self.inner.send()).map(Response::from)
    }
}

/// A response whose reads wait; the same accessors as [`crate::Response`].
#[derive(Debug)]
pub struct Response {
    inner: crate::Response,
}

impl From<crate::Response> for Response {
    fn from(inner: crate::Response) -> Self {
        Response { inner }
    }
}

impl Response {
    /// The status code.
    pub fn status(&self) -> StatusCode {
        self.inner.status()
    }
    /// The negotiated protocol version.
    pub fn version(&self) -> Version {
        self.inner.version()
    }
    /// The headers.
    pub fn headers(&self) -> &HeaderMap {
        self.inner.headers()
    }
    /// The final URL.
    pub fn url(&self) -> &Url {
        self.inner.url()
    }
    /// The redirect chain, oldest first.
    pub fn history(&self) -> &[crate::Response] {
        self.inner.history()
    }
    /// Time to the response head.
    pub fn elapsed(&self) -> Duration {
        self.inner.elapsed()
    }
    /// 2xx.
    pub fn is_success(&self) -> bool {
        self.inner.is_success()
    }
    /// A 3xx with a `Location`.
    pub fn is_redirect(&self) -> bool {
        self.inner.is_redirect()
    }
    /// 4xx or 5xx.
    pub fn is_error(&self) -> bool {
        self.inner.is_error()
    }
    /// See [`crate::Response::error_for_status`].
    ///
    /// # Errors
    /// An [`is_status`](crate::Error::is_status) error on a 4xx/5xx.
    pub fn error_for_status(self) -> Result<Self> {
        self.inner.error_for_status().map(Response::from)
    }
    /// Reads the whole body.
    pub fn bytes(&mut self) -> Result<Bytes> {
        wait(self.inner.bytes())
    }
    /// Reads the body as text.
    pub fn text(&mut self) -> Result<String> {
        wait(self.inner.text())
    }
    /// Reads the body as JSON.
    #[cfg(feature = "json")]
    pub fn json<T: serde::de::DeserializeOwned>(&mut self) -> Result<T> {
        wait(self.inner.json())
    }
    /// The body's chunks as they arrive.
    pub fn bytes_stream(&mut self) -> impl Iterator<Item = Result<Bytes>> {
        let mut s = self.inner.bytes_stream();
        std::iter::from_fn(move || wait(futures_util::StreamExt::next(&mut s)))
    }
    /// The body's lines as they arrive.
    pub fn lines(&mut self) -> impl Iterator<Item = Result<String>> {
        let mut s = Box::pin(self.inner.lines());
        std::iter::from_fn(move || wait(futures_util::StreamExt::next(&mut s)))
    }
    /// The body as Server-Sent Events as they arrive; see [`crate::Response::events`].
    pub fn events(&mut self) -> Events {
        Events {
            inner: self.inner.events(),
        }
    }
    /// The body's text, decoded by its charset, as it arrives.
    pub fn text_stream(&mut self) -> impl Iterator<Item = Result<String>> {
        let mut s = Box::pin(self.inner.text_stream());
        std::iter::from_fn(move || wait(futures_util::StreamExt::next(&mut s)))
    }
    /// See [`crate::Response::num_bytes_downloaded`].
    pub fn num_bytes_downloaded(&self) -> u64 {
        self.inner.num_bytes_downloaded()
    }
    /// See [`crate::Response::content_length`].
    pub fn content_length(&self) -> Option<u64> {
        self.inner.content_length()
    }
    /// See [`crate::Response::extensions`].
    pub fn extensions(&self) -> &http::Extensions {
        self.inner.extensions()
    }
    /// The async response this one wraps.
    pub fn into_async(self) -> crate::Response {
        self.inner
    }
}

/// The Server-Sent Events of a body, as an iterator that waits for each; see
/// [`crate::Events`].
#[derive(Debug)]
#[must_use = "iterators do nothing unless consumed"]
pub struct Events {
    inner: crate::Events,
}

impl Events {
    /// See [`crate::Events::max_event_size`]. Defaults to 16 MiB.
    pub fn max_event_size(self, bytes: usize) -> Self {
        Events {
            inner: self.inner.max_event_size(bytes),
        }
    }
    /// See [`crate::Events::last_event_id`].
    pub fn last_event_id(&self) -> &str {
        self.inner.last_event_id()
    }
    /// See [`crate::Events::retry`].
    pub fn retry(&self) -> Option<Duration> {
        self.inner.retry()
    }
}

impl Iterator for Events {
    type Item = Result<crate::Event>;

    fn next(&mut self) -> Option<Self::Item> {
        wait(futures_util::StreamExt::next(&mut self.inner))
    }
}

/// The twin cannot drift: every public method of the async `Client`, `ClientBuilder`,
/// `RequestBuilder` and `Response` has a blocking counterpart of the same name (read from the
/// sources, so a method added to one side alone fails this test).
#[cfg(test)]
mod parity {
    /// The names of the `pub fn`s (with `any`, every `fn`, for the forwarded ones) in the
    /// `impl` block opened by `header`.
    fn methods(src: &str, header: &str, any: bool) -> std::collections::BTreeSet<String> {
        let start = src.find(header).unwrap_or_else(|| panic!("no {header:?}"));
        let body = &src[start..];
        let end = body.find("\n}\n").unwrap_or(body.len());
        body[..end]
            .lines()
            .filter_map(|l| {
                let l = l.trim_start();
                let l = match l.strip_prefix("pub ") {
                    Some(rest) => rest,
                    None if any => l,
                    None => return None,
                };
                let l = l.strip_prefix("async ").unwrap_or(l);
                let rest = l.strip_prefix("fn ")?;
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                (!name.is_empty()).then_some(name)
            })
            .collect()
    }

    fn missing(async_src: &str, async_impl: &str, blocking_impl: &str, not_twinned: &[&str]) {
        let blocking = methods(include_str!("blocking.rs"), blocking_impl, true);
        let missing: Vec<String> = methods(async_src, async_impl, false)
            .into_iter()
            .filter(|m| !blocking.contains(m) && !not_twinned.contains(&m.as_str()))
            .collect();
        assert!(
            missing.is_empty(),
            "blocking {blocking_impl} lacks {missing:?}"
        );
    }

    #[test]
    fn every_async_method_has_a_blocking_twin() {
        let client = include_str!("client.rs");
        missing(client, "impl Client {", "impl Client {", &[]);
        missing(client, "impl ClientBuilder {", "impl ClientBuilder {", &[]);
        let builder = include_str!("builder.rs");
        missing(
            builder,
            "impl RequestBuilder {",
            "impl RequestBuilder {",
            &[],
        );
        missing(
            include_str!("response.rs"),
            "impl Response {",
            "impl Response {",
            // For transports and mock handlers, which are async: a blocking response wraps one.
            &[
                "new",
                "with_header",
                "from_json",
                "headers_mut",
                "extensions_mut",
                "set_version",
                "take_body",
                "set_body",
                "set_url",
                "set_elapsed",
                "set_history",
                "head_only",
                "download_counter",
            ],
        );
    }
}
