//! Routing through proxies: which proxy a URL goes through (hyper-util's proxy `Matcher`:
//! scheme, `NO_PROXY` rules, credentials), and opening the tunnel (hyper-util's `Tunnel` for
//! HTTP `CONNECT`, `SocksV4`/`SocksV5`) over a TCP connection to the proxy.
//!
//! A plain `http://` request through an HTTP proxy needs no tunnel: the connection goes to the
//! proxy and the request is written in absolute form with `Proxy-Authorization`
//! (`build_request` in the parent module). Everything else (`https://` through an HTTP proxy,
//! any URL through SOCKS) gets a tunnel to the origin, then TLS with the origin when `https`.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use super::dial::Stream;
use http::{HeaderValue, Uri};
use hyper_util::client::legacy::connect::proxy::{SocksV4, SocksV5};
use hyper_util::client::proxy::matcher::{Intercept, Matcher};
use hyper_util::rt::TokioIo;
use tower_service::Service;
use url::Url;

use crate::error::{Error, ErrorKind, Result};
use crate::proxy::{Proxy, Scope};
use crate::transport::TransportConfig;

/// The proxies of one transport, in order.
pub(super) struct Proxies {
    matchers: Vec<Matcher>,
}

/// True when a `NO_PROXY`-style list has `*`, which hyper-util's matcher applies to host names
/// only: curl and httpx take it for every host, IP addresses included.
fn excludes_all(list: &str) -> bool {
    list.split(',').any(|entry| entry.trim() == "*")
}

/// How one request reaches its origin through a proxy.
#[derive(Clone)]
pub(super) struct Route {
    /// Which of the transport's proxies (part of the pool key).
    pub(super) index: u32,
    intercept: Intercept,
}

/// The environment variables read while `trust_env` is on, in hyper-util's order of precedence.
const ENV: [(&str, &str); 4] = [
    ("ALL_PROXY", "all_proxy"),
    ("HTTP_PROXY", "http_proxy"),
    ("HTTPS_PROXY", "https_proxy"),
    ("NO_PROXY", "no_proxy"),
];

impl Proxies {
    /// The proxies of `config`: those given, else (with `trust_env`) the environment's.
    ///
    /// # Errors
    /// An [`is_builder`](Error::is_builder) error for a proxy variable of the environment that
    /// is set but is not a usable proxy URL: rather than a silent direct connection.
    pub(super) fn new(config: &TransportConfig) -> Result<Proxies> {
        if config.no_proxy {
            return Ok(Proxies { matchers: vec![] });
        }
        if !config.proxies.is_empty() {
            let matchers = config
                .proxies
                .iter()
                .filter(|p| !p.no_proxy.as_deref().is_some_and(excludes_all))
                .map(matcher_for)
                .collect();
            return Ok(Proxies { matchers });
        }
        if !config.trust_env {
            return Ok(Proxies { matchers: vec![] });
        }
        Ok(Proxies {
            matchers: from_env(|name| std::env::var(name).ok())?
                .into_iter()
                .collect(),
        })
    }

    /// The proxy `url` goes through, if any.
    pub(super) fn route(&self, url: &Url) -> Option<Route> {
        if self.matchers.is_empty() {
            return None;
        }
        // The matcher wants an `http::Uri`: scheme and authority are all it reads.
        let uri: Uri = format!("{}://{}/", url.scheme(), url.host_str()?)
            .parse()
            .ok()?;
        self.matchers.iter().enumerate().find_map(|(i, m)| {
            m.intercept(&uri).map(|intercept| Route {
                index: i as u32,
                intercept,
            })
        })
    }
}

/// hyper-util's matcher for one proxy given by the user: its scope, its URL with the
/// credentials back in (the matcher turns them into `Proxy-Authorization` or SOCKS
/// credentials), its `no_proxy` list.
fn matcher_for(proxy: &Proxy) -> Matcher {
    let mut url = proxy.url.clone();
    if let Some((user, pass)) = &proxy.auth {
        // `set_username` percent-encodes; the matcher decodes.
        let _ = url.set_username(user);
        let _ = url.set_password(Some(pass));
    }
    let target = url.as_str().trim_end_matches('/').to_owned();
    let b = Matcher::builder().no(proxy.no_proxy.clone().unwrap_or_default());
    match proxy.scope {
        Scope::Http => b.http(target),
        Scope::Https => b.https(target),
        Scope::All => b.all(target),
    }
    .build()
}

/// The matcher of the environment's proxy variables (read through `var`), or none when none is
/// set. Each set variable is checked as [`Proxy::all`] checks a URL; `HTTP_PROXY` is ignored in
/// a CGI program (`REQUEST_METHOD` set), where a request's `Proxy:` header would set it.
fn from_env(var: impl Fn(&str) -> Option<String>) -> Result<Option<Matcher>> {
    let get = |(upper, lower): (&str, &str)| -> Option<(String, String)> {
        [upper, lower]
            .into_iter()
            .find_map(|name| var(name).map(|v| (name.to_owned(), v)))
            .filter(|(_, v)| !v.trim().is_empty())
    };
    let cgi = var("REQUEST_METHOD").is_some();
    let [all, http, https, no] = ENV.map(get);
    let http = http.filter(|_| !cgi);
    for (name, value) in [&all, &http, &https].into_iter().flatten() {
        if let Err(e) = Proxy::all(value) {
            return Err(Error::builder(format!(
                "the environment variable {name}: {e}"
            )));
        }
    }
    if all.is_none() && http.is_none() && https.is_none() {
        return Ok(None);
    }
    if no.as_ref().is_some_and(|(_, list)| excludes_all(list)) {
        return Ok(None);
    }
    let value = |v: Option<(String, String)>| v.map(|(_, v)| v).unwrap_or_default();
    Ok(Some(
        Matcher::builder()
            .all(value(all))
            .http(value(http))
            .https(value(https))
            .no(value(no))
            .build(),
    ))
}

impl Route {
    /// The proxy's URL (no credentials).
    #[cfg(test)]
    pub(super) fn proxy_uri(&self) -> &Uri {
        self.intercept.uri()
    }

    /// The proxy as error messages name it: scheme, host and port, no credentials.
    pub(super) fn display_proxy(&self) -> String {
        display_proxy(self.intercept.uri())
    }

    /// True for an HTTP proxy taking a plain `http://` request: absolute form, no tunnel.
    pub(super) fn is_forwarding(&self, https: bool) -> bool {
        !https && self.intercept.uri().scheme_str() == Some("http")
    }

    /// `Proxy-Authorization` for an HTTP proxy.
    pub(super) fn authorization(&self) -> Option<&HeaderValue> {
        self.intercept.basic_auth()
    }

    /// The proxy's host and port, to connect to.
    pub(super) fn proxy_addr(&self) -> (String, u16) {
        let uri = self.intercept.uri();
        let host = uri.host().unwrap_or_default();
        let host = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        let default = if uri.scheme_str() == Some("http") {
            80
        } else {
            1080
        };
        (host, uri.port_u16().unwrap_or(default))
    }

    /// The error of a connection to the proxy that failed (`e`): its kind, naming the proxy.
    pub(super) fn unreachable(&self, e: Error, url: &Url) -> Error {
        Error::new(e.kind())
            .with_message(format!(
                "could not connect to the proxy {}",
                self.display_proxy()
            ))
            .with_source(e)
            .with_url(url.clone())
    }

    /// Opens a tunnel to `host:port` through the proxy, over a connection `dial` opens to the
    /// proxy. `url` is for errors.
    ///
    /// # Errors
    /// [`ErrorKind::Connect`], naming the proxy: it could not be reached, refused the tunnel
    /// (a `CONNECT` answered other than 200; 407 said so), or broke the SOCKS handshake.
    pub(super) async fn tunnel<D>(
        &self,
        host: &str,
        port: u16,
        dial: D,
        url: &Url,
    ) -> Result<Stream>
    where
        D: Fn(String, u16) -> crate::platform::BoxFuture<'static, Result<Stream>>
            + Clone
            + Send
            + Sync
            + 'static,
    {
        let proxy = self.intercept.uri().clone();
        let bracketed = if host.contains(':') {
            format!("[{host}]")
        } else {
            host.to_owned()
        };
        let dst: Uri = format!("http://{bracketed}:{port}/").parse().map_err(|e| {
            Error::builder("the URL's host cannot be sent to a proxy")
                .with_source(e)
                .with_url(url.clone())
        })?;
        let (proxy_host, proxy_port) = self.proxy_addr();
        // hyper-util's errors do not hand back the connector's: it is kept here instead.
        let dial_error = Arc::new(Mutex::new(None));
        let connector = Dial {
            dial,
            host: proxy_host,
            port: proxy_port,
            error: dial_error.clone(),
        };
        let failed = |what: &str, e: Box<dyn std::error::Error + Send + Sync>| {
            let proxy = display_proxy(&proxy);
            let reached: Option<Error> =
                dial_error.lock().unwrap_or_else(|p| p.into_inner()).take();
            if let Some(reach) = reached {
                return self.unreachable(reach, url);
            }
            let why = e.to_string();
            Error::new(ErrorKind::Connect)
                .with_message(format!(
                    "the proxy {proxy} refused the {what} to {bracketed}:{port}: {why}"
                ))
                .with_source(e)
                .with_url(url.clone())
        };
        let io = match proxy.scheme_str() {
            Some("http") => {
                // hyper-util's `Tunnel` would do, but its error hides the proxy's status (407,
                // 403, 502...), which is what the user needs to know: this is the same
                // exchange, keeping it.
                let mut connector = connector;
                let tcp = connector
                    .call(proxy.clone())
                    .await
                    .map_err(|e| failed("CONNECT tunnel", Box::new(e)))?;
                let auth = self.intercept.basic_auth();
                connect_tunnel(tcp.into_inner(), &bracketed, port, auth)
                    .await
                    .map_err(|e| failed("CONNECT tunnel", e))
                    .map(TokioIo::new)?
            }
            Some(scheme @ ("socks5" | "socks5h")) => {
                let mut socks =
                    SocksV5::new(proxy.clone(), connector).local_dns(scheme == "socks5");
                if let Some((user, pass)) = self.intercept.raw_auth() {
                    socks = socks.with_auth(user.to_owned(), pass.to_owned());
                }
                socks
                    .call(dst)
                    .await
                    .map_err(|e| failed("SOCKS5 connection", Box::new(e)))?
            }
            Some(scheme @ ("socks4" | "socks4a")) => SocksV4::new(proxy.clone(), connector)
                .local_dns(scheme == "socks4")
                .call(dst)
                .await
                .map_err(|e| failed("SOCKS4 connection", Box::new(e)))?,
            _ => {
                return Err(Error::new(ErrorKind::Connect)
                    .with_message(format!(
                        "the proxy {} has a scheme anyfetch cannot speak",
                        display_proxy(&proxy)
                    ))
                    .with_url(url.clone()))
            }
        };
        Ok(io.into_inner())
    }
}

/// The most bytes of a `CONNECT` answer's head read before giving up on it.
const MAX_CONNECT_HEAD: usize = 16 * 1024;

/// Asks an HTTP proxy, over `tcp`, for a tunnel to `host:port` (`host` bracketed if IPv6), and
/// returns the stream once it answers 2xx. What it answered otherwise is the error: its status
/// and reason, with a hint for 407.
async fn connect_tunnel(
    mut tcp: Stream,
    host: &str,
    port: u16,
    auth: Option<&HeaderValue>,
) -> std::result::Result<Stream, Box<dyn std::error::Error + Send + Sync>> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let mut head =
        format!("CONNECT {host}:{port} HTTP/1.1\r\nHost: {host}:{port}\r\n").into_bytes();
    if let Some(auth) = auth {
        head.extend_from_slice(b"Proxy-Authorization: ");
        head.extend_from_slice(auth.as_bytes());
        head.extend_from_slice(b"\r\n");
    }
    head.extend_from_slice(b"\r\n");
    tcp.write_all(&head).await?;
    // The answer's head, read to its blank line and no further: what follows is the tunnel's.
    // A byte at a time: a few hundred bytes, once per tunnel.
    let mut buf = Vec::with_capacity(256);
    while !buf.ends_with(b"\r\n\r\n") {
        if buf.len() >= MAX_CONNECT_HEAD {
            return Err(format!("its answer's head is over {MAX_CONNECT_HEAD} bytes").into());
        }
        match tcp.read_u8().await {
            Ok(byte) => buf.push(byte),
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                return Err("it closed the connection without a whole answer".into())
            }
            Err(e) => return Err(e.into()),
        }
    }
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut answer = httparse::Response::new(&mut headers);
    match answer.parse(&buf) {
        Ok(httparse::Status::Complete(_)) => {}
        _ => return Err("its answer is not HTTP".into()),
    }
    let code = answer.code.unwrap_or(0);
    if (200..300).contains(&code) {
        return Ok(tcp);
    }
    let reason = answer.reason.unwrap_or("");
    let hint = match code {
        407 if auth.is_some() => ": the proxy did not accept the credentials",
        407 => ": the proxy wants credentials (Proxy::basic_auth)",
        401 => ": the proxy did not accept the credentials",
        _ => "",
    };
    Err(format!("it answered {code} {reason}{hint}").into())
}

/// The proxy's URL for a message: scheme, host and port (the matcher keeps no credentials in
/// it).
fn display_proxy(uri: &Uri) -> String {
    format!(
        "{}://{}",
        uri.scheme_str().unwrap_or("http"),
        uri.authority().map(|a| a.as_str()).unwrap_or("")
    )
}

/// hyper-util's connectors want a `Service<Uri>` that opens the connection to the proxy: this
/// one ignores the URI it is given (the proxy's) and dials the proxy's host and port as
/// anyfetch dials any host.
#[derive(Clone)]
struct Dial<D> {
    dial: D,
    host: String,
    port: u16,
    /// Where a failed dial leaves its error.
    error: Arc<Mutex<Option<Error>>>,
}

impl<D> Service<Uri> for Dial<D>
where
    D: Fn(String, u16) -> crate::platform::BoxFuture<'static, Result<Stream>> + Clone,
{
    type Response = TokioIo<Stream>;
    type Error = Error;
    type Future = Pin<Box<dyn Future<Output = Result<TokioIo<Stream>>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _proxy: Uri) -> Self::Future {
        let connecting = (self.dial)(self.host.clone(), self.port);
        let slot = self.error.clone();
        Box::pin(async move {
            match connecting.await {
                Ok(tcp) => Ok(TokioIo::new(tcp)),
                Err(e) => {
                    // The error itself stays here; hyper-util gets a stand-in.
                    let stand_in =
                        Error::new(e.kind()).with_message("could not connect to the proxy");
                    *slot.lock().unwrap_or_else(|p| p.into_inner()) = Some(e);
                    Err(stand_in)
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    }

    fn with_env(vars: &[(&str, &str)]) -> Proxies {
        Proxies {
            matchers: from_env(env(vars)).unwrap().into_iter().collect(),
        }
    }

    #[test]
    fn the_environment_routes_by_scheme_and_no_proxy() {
        let p = with_env(&[
            ("HTTP_PROXY", "http://u:p@plain.test:3128"),
            ("HTTPS_PROXY", "socks5h://secure.test:1080"),
            (
                "NO_PROXY",
                "localhost, .internal.test, 10.0.0.0/8, exact.test",
            ),
        ]);
        let r = p.route(&url("http://example.com/")).unwrap();
        assert_eq!(r.proxy_uri().host(), Some("plain.test"));
        assert!(r.is_forwarding(false));
        assert_eq!(r.authorization().unwrap(), "Basic dTpw");
        let r = p.route(&url("https://example.com/")).unwrap();
        assert_eq!(r.proxy_uri().scheme_str(), Some("socks5h"));
        assert!(r.authorization().is_none());
        for direct in [
            "http://localhost:8080/",
            "https://a.internal.test/",
            "http://10.1.2.3/",
            "http://exact.test/",
            "http://sub.exact.test/",
        ] {
            assert!(p.route(&url(direct)).is_none(), "{direct}");
        }
        assert!(p.route(&url("http://11.0.0.1/")).is_some());
        assert!(p.route(&url("http://notexact.test/")).is_some());
    }

    #[test]
    fn all_proxy_and_lower_case_and_cgi() {
        let p = with_env(&[("all_proxy", "socks5://s.test")]);
        assert!(p.route(&url("http://a.test/")).is_some());
        assert!(p.route(&url("https://a.test/")).is_some());
        // In a CGI program HTTP_PROXY may come from a request header: ignored.
        let p = with_env(&[
            ("REQUEST_METHOD", "GET"),
            ("HTTP_PROXY", "http://evil.test"),
        ]);
        assert!(p.route(&url("http://a.test/")).is_none());
        assert!(from_env(env(&[])).unwrap().is_none());
        assert!(from_env(env(&[("HTTP_PROXY", "  ")])).unwrap().is_none());
    }

    #[test]
    fn a_bad_proxy_variable_is_an_error_naming_it_without_the_password() {
        let e = from_env(env(&[("HTTPS_PROXY", "ftp://u:hunter2@p.test")])).unwrap_err();
        assert!(e.is_builder());
        let s = e.to_string();
        assert!(s.contains("HTTPS_PROXY") && !s.contains("hunter2"), "{s}");
    }

    #[test]
    fn given_proxies_route_in_order_with_their_own_no_proxy() {
        let config = TransportConfig {
            proxies: vec![
                Proxy::https("http://tls.test:3128")
                    .unwrap()
                    .basic_auth("a", "b c"),
                Proxy::all("socks5h://any.test")
                    .unwrap()
                    .no_proxy("skip.test"),
            ],
            ..TransportConfig::default()
        };
        let p = Proxies::new(&config).unwrap();
        let r = p.route(&url("https://x.test/")).unwrap();
        assert_eq!((r.index, r.proxy_uri().host()), (0, Some("tls.test")));
        assert_eq!(r.authorization().unwrap(), "Basic YTpiIGM=");
        let r = p.route(&url("http://x.test/")).unwrap();
        assert_eq!((r.index, r.proxy_uri().host()), (1, Some("any.test")));
        assert!(p.route(&url("http://skip.test/")).is_none());
        // no_proxy() turns every proxy off.
        let none = Proxies::new(&TransportConfig {
            no_proxy: true,
            ..config
        })
        .unwrap();
        assert!(none.route(&url("https://x.test/")).is_none());
    }
}
