//! Proxies for the native backend: [`Proxy`], set with
//! [`ClientBuilder::proxy`](crate::ClientBuilder::proxy), or read from the environment
//! (`HTTP_PROXY`, `HTTPS_PROXY`, `ALL_PROXY`, `NO_PROXY`) while
//! [`trust_env`](crate::ClientBuilder::trust_env) is on.
//!
//! This module holds the settings only; the native transport routes each request through them
//! (`src/transport/hyper/proxy.rs`). On WASI and in browsers the host owns the network, and a
//! client given a proxy fails to build with [`is_unsupported`](Error::is_unsupported).

use std::fmt;

use url::Url;

use crate::error::{Error, Result};

/// Which requests a [`Proxy`] takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Scope {
    /// `http://` URLs.
    Http,
    /// `https://` URLs.
    Https,
    /// Both.
    All,
}

/// A proxy: where to send requests instead of to their origin, for which URLs, with which
/// credentials (httpx's `proxy=` and `mounts`, reqwest's `Proxy`).
///
/// The proxy's URL scheme says how it is spoken to:
///
/// | scheme | proxy | `http://` requests | `https://` requests |
/// |---|---|---|---|
/// | `http` (or none) | an HTTP proxy | sent to the proxy in absolute form (`GET http://host/path`), with `Proxy-Authorization` | a `CONNECT host:443` tunnel (with `Proxy-Authorization`), then TLS with the origin through it |
/// | `socks5h` | SOCKS5, names resolved by the proxy | through a SOCKS5 tunnel | TLS through a SOCKS5 tunnel |
/// | `socks5` | SOCKS5, names resolved here | as `socks5h` | as `socks5h` |
/// | `socks4a`, `socks4` | SOCKS4 (no credentials), names resolved by the proxy (4a) or here (4) | as SOCKS5 | as SOCKS5 |
///
/// Credentials come from [`basic_auth`](Proxy::basic_auth) or the URL's user info
/// (`http://user:pass@proxy:3128`, percent-decoded). They go to the proxy only: in the
/// `Proxy-Authorization` header of an absolute-form request or a `CONNECT`, or in the SOCKS5
/// handshake; never to an origin, whatever redirects happen (the proxy is chosen again for each
/// URL). A `Proxy-Authorization` header set on a request itself is removed from requests that
/// go to an origin directly or through a tunnel.
///
/// ```
/// use anyfetch::{Client, Proxy};
/// let client = Client::builder()
///     .proxy(Proxy::all("http://proxy.internal:3128")?.basic_auth("me", "secret").no_proxy("localhost, .internal, 10.0.0.0/8"))
///     .build()?;
/// # Ok::<(), anyfetch::Error>(())
/// ```
#[derive(Clone)]
pub struct Proxy {
    pub(crate) scope: Scope,
    /// The proxy's URL without user info.
    pub(crate) url: Url,
    pub(crate) auth: Option<(String, String)>,
    /// Hosts this proxy is not used for, in `NO_PROXY` syntax.
    pub(crate) no_proxy: Option<String>,
}

impl Proxy {
    /// A proxy for `http://` URLs only.
    ///
    /// # Errors
    /// An [`is_builder`](Error::is_builder) error for a URL that does not parse, has no host,
    /// or a scheme other than `http`, `socks4`, `socks4a`, `socks5` and `socks5h` (HTTPS
    /// proxies, spoken to over TLS, are not supported yet).
    pub fn http(url: &str) -> Result<Proxy> {
        Proxy::new(Scope::Http, url)
    }

    /// A proxy for `https://` URLs only. The proxy itself is spoken to as its URL says
    /// (usually `http://`: a `CONNECT` tunnel).
    ///
    /// # Errors
    /// As [`Proxy::http`].
    pub fn https(url: &str) -> Result<Proxy> {
        Proxy::new(Scope::Https, url)
    }

    /// A proxy for every URL.
    ///
    /// # Errors
    /// As [`Proxy::http`].
    pub fn all(url: &str) -> Result<Proxy> {
        Proxy::new(Scope::All, url)
    }

    fn new(scope: Scope, url: &str) -> Result<Proxy> {
        let text = url.trim();
        // `proxy:3128`, as in `HTTP_PROXY`, is an HTTP proxy.
        let with_scheme;
        let text = if text.contains("://") {
            text
        } else {
            with_scheme = format!("http://{text}");
            &with_scheme
        };
        let invalid = |why: &str| {
            Error::builder(format!(
                "invalid proxy URL {:?}: {why}",
                crate::redact::RedactedStr(text)
            ))
        };
        let mut url = Url::parse(text).map_err(|e| invalid(&e.to_string()))?;
        match url.scheme() {
            "http" | "socks4" | "socks4a" | "socks5" | "socks5h" => {}
            "https" => return Err(invalid("HTTPS proxies (TLS to the proxy) are not supported; use an http:// proxy, which tunnels https:// requests with CONNECT")),
            other => return Err(invalid(&format!("unsupported proxy scheme {other:?}: use http, socks4, socks4a, socks5 or socks5h"))),
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(invalid("no host"));
        }
        if url.path() != "/" && !url.path().is_empty() || url.query().is_some() {
            return Err(invalid("a proxy URL has no path or query"));
        }
        let auth = if url.username().is_empty() && url.password().is_none() {
            None
        } else {
            let decode = |s: &str| {
                percent_encoding::percent_decode_str(s)
                    .decode_utf8()
                    .map(|s| s.into_owned())
                    .map_err(|_| invalid("the user info is not UTF-8 once percent-decoded"))
            };
            Some((
                decode(url.username())?,
                decode(url.password().unwrap_or(""))?,
            ))
        };
        let _ = url.set_username("");
        let _ = url.set_password(None);
        if url.port().is_none() {
            // The usual ports: 80 is only the http scheme's default, SOCKS has 1080.
            let port = if url.scheme() == "http" { 80 } else { 1080 };
            let _ = url.set_port(Some(port));
        }
        Ok(Proxy {
            scope,
            url,
            auth,
            no_proxy: None,
        })
    }

    /// Credentials for the proxy (HTTP: `Proxy-Authorization: Basic`; SOCKS5: the
    /// username/password method), in place of any in the URL. Defaults to the URL's user info,
    /// or none.
    pub fn basic_auth(mut self, username: &str, password: &str) -> Proxy {
        self.auth = Some((username.to_owned(), password.to_owned()));
        self
    }

    /// Hosts this proxy is not used for, in the syntax of `NO_PROXY`: a comma-separated list of
    /// host names (`example.com` and `.example.com` alike match the name and its subdomains),
    /// IP addresses, CIDR blocks (`10.0.0.0/8`), or `*` for every host. Defaults to none (the
    /// `NO_PROXY` variable applies only to proxies read from the environment).
    pub fn no_proxy(mut self, hosts: &str) -> Proxy {
        self.no_proxy = Some(hosts.to_owned());
        self
    }
}

impl fmt::Debug for Proxy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Proxy")
            .field("scope", &self.scope)
            .field("url", &self.url.as_str())
            .field("username", &self.auth.as_ref().map(|(u, _)| u))
            .field("password", &self.auth.as_ref().map(|_| "<redacted>"))
            .field("no_proxy", &self.no_proxy)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_parse_with_defaults_and_credentials() {
        let p = Proxy::all("proxy.test:3128").unwrap();
        assert_eq!(p.url.as_str(), "http://proxy.test:3128/");
        assert!(p.auth.is_none());
        let p = Proxy::http("http://u%40x:p%3Aw@proxy.test").unwrap();
        assert_eq!(p.url.as_str(), "http://proxy.test/");
        assert_eq!(p.auth, Some(("u@x".into(), "p:w".into())));
        let p = Proxy::https("socks5h://proxy.test").unwrap();
        assert_eq!(p.url.as_str(), "socks5h://proxy.test:1080");
        let p = p.basic_auth("a", "b");
        assert_eq!(p.auth, Some(("a".into(), "b".into())));
    }

    #[test]
    fn bad_urls_are_builder_errors_without_the_password() {
        for bad in [
            "ftp://proxy.test",
            "https://proxy.test",
            "http://",
            "http://u:hunter2@proxy.test/path",
            "http://[::1",
            "socks5://u:hunter2@:1080",
        ] {
            let e = Proxy::all(bad).unwrap_err();
            assert!(e.is_builder(), "{bad}: {e}");
            assert!(!e.to_string().contains("hunter2"), "{e}");
        }
    }

    #[test]
    fn debug_hides_the_password() {
        let p = Proxy::all("http://me:hunter2@proxy.test:3128").unwrap();
        let s = format!("{p:?}");
        assert!(!s.contains("hunter2"), "{s}");
        assert!(s.contains("me"), "{s}");
    }
}
