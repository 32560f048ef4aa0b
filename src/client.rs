//! `Client` and `ClientBuilder`: defaults shared by every request of a client.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use http::header::{HeaderMap, HeaderName, HeaderValue, ACCEPT, ACCEPT_ENCODING, USER_AGENT};
use http::Method;
use url::Url;

use crate::auth::{Auth, BasicAuth, BearerAuth};
use crate::builder::RequestBuilder;
use crate::cookies::Jar;
use crate::error::{Error, Result};
use crate::hooks::{HookResult, RequestHook, ResponseHook};
use crate::platform::MaybeSendSync;
use crate::redact::{RedactedHeaders, RedactedUrl};
use crate::request::{Request, SharedAuth};
use crate::response::Response;
use crate::retry::Retry;
use crate::timeout::{Limits, Timeout};
use crate::transport::{
    self, Capabilities, Certificate, Identity, Resolve, TlsVersion, Transport, TransportConfig,
};
use crate::urls::{IntoUrl, UrlInput};

/// An HTTP client with a connection pool, a cookie jar and defaults for every request
/// (httpx `Client`/`AsyncClient`).
///
/// Cheap to clone: clones share the pool, the jar and the configuration.
///
/// ```no_run
/// # async fn run() -> anyfetch::Result<()> {
/// let client = anyfetch::Client::builder()
///     .base_url("https://api.example.com")
///     .header("Accept", "application/json")
///     .build()?;
/// let items: serde_json::Value = client.get("/items").await?.json().await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<ClientInner>,
}

pub(crate) struct ClientInner {
    pub base_url: Option<Url>,
    pub headers: HeaderMap,
    pub query: Vec<(String, String)>,
    pub auth: Option<SharedAuth>,
    pub timeout: Timeout,
    pub follow_redirects: bool,
    pub max_redirects: usize,
    pub jar: Option<Jar>,
    pub retry: Option<Retry>,
    pub on_request: Vec<RequestHook>,
    pub on_response: Vec<ResponseHook>,
    pub transport: Arc<dyn Transport>,
    pub caps: Capabilities,
    pub decode_content: bool,
    pub max_decoded_size: u64,
}

impl Client {
    /// A client with every default (see [`ClientBuilder`]).
    pub fn new() -> Client {
        ClientBuilder::new().build().unwrap_or_else(|e| {
            // Each request fails with the reason (say, an unusable `HTTP_PROXY`).
            let why = NoDefault(Some(e.to_string()));
            ClientBuilder::new().transport(why).build_unchecked()
        })
    }

    /// A builder to configure a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    /// Starts a request with any method: a [`Method`] or a string such as `"PROPFIND"` (an
    /// invalid one is an [`is_builder`](Error::is_builder) error when sent).
    pub fn request<M, U>(&self, method: M, url: U) -> RequestBuilder
    where
        M: TryInto<Method>,
        M::Error: Into<http::Error>,
        U: IntoUrl,
    {
        match method.try_into() {
            Ok(m) => RequestBuilder::new(self.clone(), m, url.into_url_input()),
            Err(e) => RequestBuilder::new(self.clone(), Method::GET, url.into_url_input())
                .with_error(Error::builder("invalid HTTP method").with_source(e.into())),
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

    /// Sends a request built elsewhere (usually by [`RequestBuilder::build`]) through every
    /// layer of this client (cookies, auth, redirects, retries, hooks, decoding), with the
    /// options the request carries: the same as `.await` on the builder.
    ///
    /// # Errors
    /// As [`RequestBuilder::send`].
    pub async fn send(&self, request: Request) -> Result<Response> {
        crate::send::execute(self, request).await
    }

    /// The cookies the jar would send to `url`, as `(name, value)` pairs.
    pub fn cookies(&self, url: &Url) -> Vec<(String, String)> {
        self.inner
            .jar
            .as_ref()
            .map(|j| j.cookies(url))
            .unwrap_or_default()
    }

    /// The jar this client keeps cookies in: the one given to
    /// [`ClientBuilder::cookie_jar`] or the client's own; `None` when cookies are off
    /// ([`cookie_store(false)`](ClientBuilder::cookie_store)) or the browser keeps them.
    /// Clone it to save the cookies ([`Jar::save_json`]) or share them with another client.
    #[cfg(feature = "cookies")]
    pub fn cookie_jar(&self) -> Option<&Jar> {
        self.inner.jar.as_ref()
    }

    /// The base URL requests are joined onto, if any.
    pub fn base_url(&self) -> Option<&Url> {
        self.inner.base_url.as_ref()
    }
}

impl Default for Client {
    fn default() -> Self {
        Client::new()
    }
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url.as_ref().map(RedactedUrl))
            .field("follow_redirects", &self.inner.follow_redirects)
            .finish_non_exhaustive()
    }
}

/// The transport used when the target's default transport cannot be built: every send fails
/// with the build error's message.
struct NoDefault(Option<String>);
impl Transport for NoDefault {
    fn send(&self, req: Request) -> crate::platform::BoxFuture<'static, Result<Response>> {
        let url = req.url().clone();
        let error = match &self.0 {
            Some(why) => Error::builder(format!("Client::new() could not build the client: {why}")),
            None => Error::new(crate::ErrorKind::Unsupported).with_message(
                "the default transport could not be built; use Client::builder().build() to see why",
            ),
        };
        Box::pin(async move { Err(error.with_url(url)) })
    }
}

/// Configures a [`Client`]. Every setter's doc ends with its default.
#[must_use]
pub struct ClientBuilder {
    base_url: Option<UrlInput>,
    headers: HeaderMap,
    query: Vec<(String, String)>,
    auth: Option<SharedAuth>,
    timeout: Timeout,
    follow_redirects: bool,
    max_redirects: usize,
    cookie_store: bool,
    #[cfg(feature = "cookies")]
    jar: Option<Jar>,
    retry: Option<Retry>,
    on_request: Vec<RequestHook>,
    on_response: Vec<ResponseHook>,
    transport: Option<Arc<dyn Transport>>,
    layers: crate::layer::Layers,
    config: TransportConfig,
    decode_content: bool,
    max_decoded_size: u64,
    error: Option<Error>,
}

impl std::fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &self.base_url)
            .field("headers", &RedactedHeaders(&self.headers))
            .field("timeout", &self.timeout)
            .field("follow_redirects", &self.follow_redirects)
            .field("max_redirects", &self.max_redirects)
            .field("cookie_store", &self.cookie_store)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder::new()
    }
}

impl ClientBuilder {
    /// A builder with every default.
    pub fn new() -> Self {
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT, HeaderValue::from_static("*/*"));
        headers.insert(
            USER_AGENT,
            HeaderValue::from_static(concat!("anyfetch/", env!("CARGO_PKG_VERSION"))),
        );
        ClientBuilder {
            base_url: None,
            headers,
            query: Vec::new(),
            auth: None,
            timeout: Timeout::default(),
            follow_redirects: false,
            max_redirects: 20,
            cookie_store: true,
            #[cfg(feature = "cookies")]
            jar: None,
            retry: None,
            on_request: Vec::new(),
            on_response: Vec::new(),
            transport: None,
            layers: Default::default(),
            config: TransportConfig::default(),
            decode_content: true,
            max_decoded_size: 1 << 30,
            error: None,
        }
    }

    fn fail(mut self, e: Error) -> Self {
        self.error.get_or_insert(e);
        self
    }

    /// A URL that relative request URLs are joined onto, httpx style: the request path is
    /// appended to the base path, with or without a leading `/`. Defaults to none.
    pub fn base_url<U: IntoUrl>(mut self, url: U) -> Self {
        self.base_url = Some(url.into_url_input());
        self
    }

    /// A header sent with every request; a request's own header of the same name replaces it.
    /// Defaults to `Accept: */*`, `User-Agent: anyfetch/<version>` and an `Accept-Encoding` of
    /// the decoders built in.
    pub fn header<K, V>(mut self, name: K, value: V) -> Self
    where
        K: TryInto<HeaderName>,
        K::Error: Into<http::Error>,
        V: TryInto<HeaderValue>,
        V::Error: Into<http::Error>,
    {
        match crate::builder::header_pair(name, value) {
            Ok((k, v)) => {
                self.headers.insert(k, v);
                self
            }
            Err(e) => self.fail(e),
        }
    }

    /// Several default headers at once (see [`header`](ClientBuilder::header)). Defaults to
    /// the headers named there.
    pub fn headers(mut self, headers: HeaderMap) -> Self {
        for (k, v) in headers.iter() {
            self.headers.insert(k.clone(), v.clone());
        }
        self
    }

    /// Query parameters added to every request (any `serde::Serialize` that encodes as a
    /// form, such as `&[("k", "v")]`); a request's own parameter of the same name replaces
    /// them. Defaults to none.
    pub fn query<T: serde::Serialize + ?Sized>(mut self, query: &T) -> Self {
        match crate::builder::encode_pairs(query) {
            Ok(pairs) => {
                self.query.extend(pairs);
                self
            }
            Err(e) => self.fail(e),
        }
    }

    /// HTTP Basic credentials for every request. Defaults to none.
    pub fn basic_auth(self, username: impl Into<String>, password: impl Into<String>) -> Self {
        self.auth(BasicAuth::new(username, password))
    }

    /// A bearer token for every request. Defaults to none.
    pub fn bearer_auth(self, token: impl Into<String>) -> Self {
        self.auth(BearerAuth::new(token))
    }

    /// Any auth scheme, run as a step machine around every request. Defaults to none.
    pub fn auth(mut self, auth: impl Auth) -> Self {
        self.auth = Some(SharedAuth::new(auth));
        self
    }

    /// Timeouts for every request: a `Duration` sets connect, read, write and pool alike.
    /// Defaults to [`Timeout::default`]: 5 seconds each, no total deadline.
    pub fn timeout(mut self, timeout: impl Into<Timeout>) -> Self {
        self.timeout = timeout.into();
        self
    }

    /// Connection-pool limits, honoured by the native backend. WASI hosts and browsers pool
    /// connections themselves, so there they do not apply. Defaults to [`Limits::default`].
    pub fn limits(mut self, limits: Limits) -> Self {
        self.config.limits = limits;
        self
    }

    /// Follow redirects (301, 302, 303, 307, 308). Defaults to `false`, as in httpx.
    pub fn follow_redirects(mut self, follow: bool) -> Self {
        self.follow_redirects = follow;
        self
    }

    /// The most redirects one request follows before failing with
    /// [`is_redirect`](Error::is_redirect). Defaults to `20`.
    pub fn max_redirects(mut self, max: usize) -> Self {
        self.max_redirects = max;
        self
    }

    /// Offer HTTP/2 by ALPN on TLS connections (native backend). Defaults to `false`.
    pub fn http2(mut self, enable: bool) -> Self {
        self.config.http2 = enable;
        self
    }

    /// Speak HTTP/2 without negotiation, also on plain-text connections (h2c) (native
    /// backend). Defaults to `false`.
    pub fn http2_prior_knowledge(mut self, enable: bool) -> Self {
        self.config.http2_prior_knowledge = enable;
        self
    }

    /// Keep cookies the server sets and send them back (RFC 6265 rules). `false` turns
    /// cookies off even when a [`cookie_jar`](ClientBuilder::cookie_jar) is given, in either
    /// order. Defaults to `true`, as in httpx. Browsers keep cookies themselves; see the fetch
    /// backend's docs.
    pub fn cookie_store(mut self, enable: bool) -> Self {
        self.cookie_store = enable;
        self
    }

    /// Keep cookies in `jar` instead of a jar of the client's own: give clones of one
    /// [`Jar`] to several clients to share their cookies, or a jar loaded with
    /// [`Jar::load_json`] to start from saved ones. The caller's clone stays usable after the
    /// client is gone. Calling it again replaces the jar; [`cookie_store(false)`](ClientBuilder::cookie_store)
    /// wins over it, whatever the order.
    ///
    /// Natively, on WASI and in Node the jar is used. In browsers the browser keeps cookies
    /// and hides `Set-Cookie`, so a client given a jar there fails to build with an
    /// [`is_unsupported`](Error::is_unsupported) error rather than ignore it.
    ///
    /// Defaults to a new, empty jar per client.
    #[cfg(feature = "cookies")]
    pub fn cookie_jar(mut self, jar: Jar) -> Self {
        self.jar = Some(jar);
        self
    }

    /// Retry failed requests. Defaults to none.
    pub fn retry(mut self, retry: Retry) -> Self {
        self.retry = Some(retry);
        self
    }

    /// An event hook called before each request is sent, redirect hops and auth round-trips
    /// included. It may change the request; returning an `Err` aborts the send. It may return
    /// a boxed future to do async work (see [`HookResult`]). Hooks run in the order added.
    /// Defaults to none.
    pub fn on_request<F, R>(mut self, hook: F) -> Self
    where
        F: Fn(&mut Request) -> R + MaybeSendSync + 'static,
        R: HookResult,
    {
        self.on_request
            .push(Arc::new(move |r: &mut Request| hook(r).into_outcome()));
        self
    }

    /// An event hook called on each response head as it arrives, redirect responses included.
    /// Returning an `Err` (for example from `error_for_status`) fails the request. It may
    /// return a boxed future to do async work (see [`HookResult`]). Defaults to none.
    pub fn on_response<F, R>(mut self, hook: F) -> Self
    where
        F: Fn(&Response) -> R + MaybeSendSync + 'static,
        R: HookResult,
    {
        self.on_response
            .push(Arc::new(move |r: &Response| hook(r).into_outcome()));
        self
    }

    /// The transport requests go through. Defaults to the target's backend: hyper natively
    /// (feature `native`), `wasi:http` on WASI, `fetch` in browsers and Node.
    pub fn transport(mut self, transport: impl Transport) -> Self {
        self.transport = Some(Arc::new(transport));
        self
    }

    /// Wraps the transport in `layer` (middleware, see [`crate::layer`]): the transport given
    /// to [`transport`](ClientBuilder::transport), or else the target's default one, built
    /// from this builder's settings. Called more than once, **the layer added first is the
    /// outermost**: `.layer(a).layer(b)` sends through `a`, then `b`, then the transport.
    /// Defaults to none.
    pub fn layer<L>(mut self, layer: L) -> Self
    where
        L: crate::layer::Layer<Arc<dyn Transport>> + crate::platform::MaybeSend + 'static,
    {
        self.layers.push(Box::new(layer));
        self
    }

    /// Trust `cert` as a root, besides the system's trust store (native backend; see
    /// [`trust_env`](ClientBuilder::trust_env) for `SSL_CERT_FILE`). WASI hosts and browsers
    /// verify certificates themselves and refuse it at [`build`](ClientBuilder::build) with
    /// [`is_unsupported`](Error::is_unsupported). Defaults to the system's roots only.
    pub fn add_root_certificate(mut self, cert: Certificate) -> Self {
        self.config.root_certificates.push(cert);
        self
    }

    /// Send requests through `proxy` (native backend): `http://` requests in absolute form,
    /// `https://` ones through a `CONNECT` tunnel, or both through SOCKS, as the proxy's URL
    /// says ([`Proxy`](crate::Proxy)). Call it again to add more: the first proxy that takes a
    /// URL (by its scheme and [`Proxy::no_proxy`](crate::Proxy::no_proxy)) is used; a URL no
    /// given proxy takes goes direct. Proxies given here replace those of the environment.
    /// Defaults to none (then the environment's, while [`trust_env`](Self::trust_env) is on).
    ///
    /// On WASI and in browsers, where the host owns the network, [`build`](Self::build) fails
    /// with [`is_unsupported`](Error::is_unsupported).
    pub fn proxy(mut self, proxy: crate::proxy::Proxy) -> Self {
        self.config.proxies.push(proxy);
        self
    }

    /// No proxy at all: neither those given with [`proxy`](Self::proxy) nor the environment's
    /// (httpx `proxy=None` with `trust_env=False`, reqwest `no_proxy()`). Defaults to off.
    pub fn no_proxy(mut self) -> Self {
        self.config.no_proxy = true;
        self
    }

    /// Present `identity`, a client certificate and its key, when a server asks for one
    /// (mutual TLS; httpx's `cert=`). [`build`](ClientBuilder::build) fails with
    /// [`is_builder`](Error::is_builder) when the key does not belong to the certificate, and
    /// with [`is_unsupported`](Error::is_unsupported) on WASI and in browsers, whose host makes
    /// TLS connections itself. Defaults to none.
    pub fn identity(mut self, identity: Identity) -> Self {
        self.config.identity = Some(identity);
        self
    }

    /// The lowest TLS version the native backend offers: with [`TlsVersion::TLS_1_3`], a server
    /// that speaks only TLS 1.2 fails the handshake ([`is_connect`](Error::is_connect)). WASI
    /// hosts and browsers choose versions themselves and refuse any other value than the
    /// default at [`build`](ClientBuilder::build) with [`is_unsupported`](Error::is_unsupported).
    /// Defaults to [`TlsVersion::TLS_1_2`].
    pub fn min_tls_version(mut self, version: TlsVersion) -> Self {
        self.config.min_tls_version = version;
        self
    }

    /// Read settings from the environment, as httpx's `trust_env`, natively:
    /// - the proxies of `HTTP_PROXY`, `HTTPS_PROXY`, `ALL_PROXY` and `NO_PROXY` (and their
    ///   lower-case forms; `HTTP_PROXY` is ignored in a CGI program, where a client could set
    ///   it), when no proxy is given with [`proxy`](Self::proxy);
    /// - `SSL_CERT_FILE` (a PEM bundle) and `SSL_CERT_DIR` (directories of PEM files, separated
    ///   by `:`, `;` on Windows), which replace the system's trust store when set to a path that
    ///   exists, as in OpenSSL.
    ///
    /// The variables are read once, by [`build`](Self::build). With `false` they are ignored.
    /// WASI hosts and browsers own their network and their trust, so there it changes nothing.
    /// Defaults to `true`.
    pub fn trust_env(mut self, enable: bool) -> Self {
        self.config.trust_env = enable;
        self
    }

    /// **Dangerous**: accept any TLS certificate, valid or not, for any host. Only for tests
    /// against servers you control. Defaults to `false`.
    pub fn danger_accept_invalid_certs(mut self, accept: bool) -> Self {
        self.config.danger_accept_invalid_certs = accept;
        self
    }

    /// Sends every request over the Unix domain socket at `path` (native backend, Unix only), as
    /// httpx's `HTTPTransport(uds=...)` and curl's `--unix-socket`. The URL's host is not
    /// resolved but still names the server: in the `Host` header, and for an `https` URL in TLS,
    /// which then runs over the socket (its certificate must be valid for that host).
    ///
    /// ```no_run
    /// # async fn run() -> anyfetch::Result<()> {
    /// // Docker's API
    /// let docker = anyfetch::Client::builder()
    ///     .unix_socket("/var/run/docker.sock")
    ///     .build()?;
    /// let containers = docker.get("http://localhost/v1.43/containers/json").await?;
    /// # Ok(()) }
    /// ```
    ///
    /// A socket that cannot be reached (no such file, nobody listening) fails each send with an
    /// [`is_connect`](Error::is_connect) error naming the path. The local address and the DNS
    /// settings below do not apply to it, nor do proxies. Defaults to none: TCP to the URL's host.
    #[cfg(unix)]
    pub fn unix_socket(mut self, path: impl Into<std::path::PathBuf>) -> Self {
        self.config.net.unix_socket = Some(path.into());
        self
    }

    /// Binds outgoing TCP connections to the local address `ip` (native backend), as httpx's
    /// `HTTPTransport(local_address=...)` and curl's `--interface`: to choose the network
    /// interface or source address requests leave from. Only the host's addresses of `ip`'s
    /// family are tried; a host without one, or an `ip` this machine does not have, fails the
    /// send with an [`is_connect`](Error::is_connect) error. WASI hosts and browsers refuse it
    /// at [`build`](ClientBuilder::build) ([`is_unsupported`](Error::is_unsupported)).
    /// Defaults to none: the system picks.
    pub fn local_address(mut self, ip: impl Into<IpAddr>) -> Self {
        self.config.net.local_address = Some(ip.into());
        self
    }

    /// Connects to `addr` for the domain `host` instead of asking DNS (native backend), as
    /// curl's `--resolve` and reqwest's `resolve`; the URL, the `Host` header and TLS keep the
    /// name. The port follows reqwest's rule: a port written in the URL wins; else `addr`'s
    /// port, unless it is `0`, which stands for the scheme's default (80, 443). So
    /// `.resolve("api.test", "127.0.0.1:8080".parse()?)` sends `http://api.test/` to port 8080
    /// and `http://api.test:9000/` to port 9000.
    ///
    /// `host` is matched as URLs spell hosts (case-insensitive); an IP address (never
    /// resolved) or a malformed name is an [`is_builder`](Error::is_builder) error at
    /// [`build`](ClientBuilder::build). Overrides win over
    /// [`dns_resolver`](ClientBuilder::dns_resolver). Calling it again for the same host
    /// replaces its addresses. WASI hosts and browsers refuse it at build
    /// ([`is_unsupported`](Error::is_unsupported)). Defaults to none.
    pub fn resolve(self, host: &str, addr: SocketAddr) -> Self {
        self.resolve_to_addrs(host, &[addr])
    }

    /// Like [`resolve`](ClientBuilder::resolve) with several addresses, tried in happy-eyeballs
    /// order (IPv6 and IPv4 interleaved; the next one starts 250 ms after the previous one, or
    /// as soon as it fails). No address at all is an [`is_builder`](Error::is_builder) error.
    /// Defaults to none.
    pub fn resolve_to_addrs(mut self, host: &str, addrs: &[SocketAddr]) -> Self {
        let name = match url::Host::parse(host) {
            Ok(url::Host::Domain(name)) => name,
            Ok(_) => {
                return self.fail(Error::builder(format!(
                    "resolve: {host} is an IP address, which is never resolved"
                )))
            }
            Err(e) => {
                return self.fail(
                    Error::builder(format!("resolve: {host:?} is not a host name")).with_source(e),
                )
            }
        };
        if addrs.is_empty() {
            return self.fail(Error::builder(format!("resolve: no address for {host}")));
        }
        self.config.net.overrides.insert(name, addrs.to_vec());
        self
    }

    /// Resolves domain names with `resolver` instead of the system's resolver (native
    /// backend); see [`Resolve`]. Names given to [`resolve`](ClientBuilder::resolve) are not
    /// asked. Its error fails the send with an [`is_connect`](Error::is_connect) error naming
    /// the host. WASI hosts and browsers refuse it at build
    /// ([`is_unsupported`](Error::is_unsupported)). Defaults to the system's resolver
    /// (`getaddrinfo`, on tokio's blocking pool).
    pub fn dns_resolver(mut self, resolver: impl Resolve) -> Self {
        self.config.net.resolver = Some(Arc::new(resolver));
        self
    }

    /// Decode response bodies by their `Content-Encoding` (gzip, deflate, br, zstd, as built
    /// in) and send a matching `Accept-Encoding`. Defaults to `true`.
    pub fn decode_content(mut self, enable: bool) -> Self {
        self.decode_content = enable;
        self
    }

    /// The most bytes a decoded body may grow to before reading fails with
    /// [`is_decode`](Error::is_decode): a guard against decompression bombs. Defaults to 1 GiB.
    pub fn max_decoded_size(mut self, bytes: u64) -> Self {
        self.max_decoded_size = bytes;
        self
    }

    /// Builds the client.
    ///
    /// # Errors
    /// An [`is_builder`](Error::is_builder) error for any invalid setting (a bad base URL or
    /// header), or an [`is_unsupported`](Error::is_unsupported) one when the backend cannot
    /// honour a setting.
    pub fn build(self) -> Result<Client> {
        if let Some(e) = self.error {
            return Err(e);
        }
        let transport = match &self.transport {
            Some(t) => t.clone(),
            None => transport::default_transport(&self.config)?,
        };
        let mut b = self;
        let transport = std::mem::take(&mut b.layers).apply(transport);
        #[cfg(feature = "cookies")]
        if b.cookie_store && b.jar.is_some() && transport.capabilities().manages_cookies {
            return Err(Error::new(crate::ErrorKind::Unsupported).with_message(
                "the browser keeps cookies itself: a cookie jar cannot be used here",
            ));
        }
        b.transport = Some(transport);
        b.base_url_checked()?;
        Ok(b.build_unchecked())
    }

    fn base_url_checked(&mut self) -> Result<()> {
        if let Some(UrlInput::Str(s)) = &self.base_url {
            let url = crate::urls::parse_base_url(UrlInput::Str(s.clone()))?;
            self.base_url = Some(UrlInput::Url(url));
        } else if let Some(UrlInput::Url(u)) = &self.base_url {
            let url = crate::urls::parse_base_url(UrlInput::Url(u.clone()))?;
            self.base_url = Some(UrlInput::Url(url));
        }
        Ok(())
    }

    fn build_unchecked(mut self) -> Client {
        let transport = self
            .transport
            .take()
            .unwrap_or_else(|| Arc::new(NoDefault(None)));
        let caps = transport.capabilities();
        if self.decode_content && !caps.decodes_content {
            if let Some(v) = crate::body::accept_encoding() {
                self.headers
                    .entry(ACCEPT_ENCODING)
                    .or_insert(HeaderValue::from_static(v));
            }
        }
        let base_url = match self.base_url {
            Some(UrlInput::Url(u)) => Some(u),
            _ => None,
        };
        let keeps_cookies = self.cookie_store && !caps.manages_cookies;
        #[cfg(feature = "cookies")]
        let jar = keeps_cookies.then(|| self.jar.unwrap_or_default());
        #[cfg(not(feature = "cookies"))]
        let jar = keeps_cookies.then(Jar::default);
        Client {
            inner: Arc::new(ClientInner {
                base_url,
                headers: self.headers,
                query: self.query,
                auth: self.auth,
                timeout: self.timeout,
                follow_redirects: self.follow_redirects,
                max_redirects: self.max_redirects,
                jar,
                retry: self.retry,
                on_request: self.on_request,
                on_response: self.on_response,
                transport,
                caps,
                decode_content: self.decode_content && !caps.decodes_content,
                max_decoded_size: self.max_decoded_size,
            }),
        }
    }
}
