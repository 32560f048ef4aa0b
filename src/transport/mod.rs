//! The `Transport` trait: sends exactly one request. Backends live beside this file, and the
//! choice between them is made here, by target, in one place.

use std::sync::Arc;

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::CertificateDer;

use crate::error::{Error, ErrorKind, Result};
use crate::platform::{BoxFuture, MaybeSendSync};
use crate::request::Request;
use crate::response::Response;
use crate::timeout::Limits;

#[cfg(any(hyper, wasi, web))]
pub(crate) mod head;
mod mock;
pub use mock::MockTransport;
mod tls_options;
pub use tls_options::{Identity, TlsVersion};

mod net;
pub(crate) use net::NetSettings;
pub use net::Resolve;

#[cfg(hyper)]
pub(crate) mod hyper;

#[cfg(wasi)]
pub(crate) mod wasi;

#[cfg(web)]
pub(crate) mod fetch;

/// Sends one request and returns its response with the body unread (httpx's
/// `handle_request`).
///
/// Everything else (base URL, default headers, cookies, auth, redirects, retries, hooks,
/// content decoding, the total deadline) happens above this trait, once, for every backend.
///
/// A transport is called in this order:
/// 1. [`capabilities`](Transport::capabilities), when the client is built, so that the shared
///    layers know what the host does by itself;
/// 2. [`send`](Transport::send), once per hop (each redirect, auth round-trip and retry is a
///    new call). The transport enforces the request's connect, pool and write timeouts, and the
///    read timeout up to the response head; the client enforces the read timeout between body
///    chunks and the total deadline.
///
/// Errors must be mapped at the transport's boundary to an [`ErrorKind`], keeping the host's
/// error as the source.
///
/// Natively a transport is `Send + Sync`; on `wasm32` it need not be (it may hold JavaScript
/// values), see [`MaybeSendSync`].
///
/// This trait may gain provided methods in minor releases.
pub trait Transport: MaybeSendSync + 'static {
    /// Sends `request`; resolves when the response head has arrived.
    fn send(&self, request: Request) -> BoxFuture<'static, Result<Response>>;

    /// What this transport does by itself. Defaults to [`Capabilities::default`].
    fn capabilities(&self) -> Capabilities {
        Capabilities::default()
    }
}

/// What a transport's host does on its own, so the shared layers do not do it twice or pretend.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Capabilities {
    /// The host decodes `Content-Encoding` itself (browsers' fetch). Defaults to `false`.
    pub decodes_content: bool,
    /// The host follows redirects itself and hides them (browsers' fetch). Defaults to `false`.
    pub follows_redirects: bool,
    /// The host hides `Set-Cookie` and keeps cookies itself (browsers). Defaults to `false`.
    pub manages_cookies: bool,
}

impl<T: Transport + ?Sized> Transport for Arc<T> {
    fn send(&self, request: Request) -> BoxFuture<'static, Result<Response>> {
        (**self).send(request)
    }
    fn capabilities(&self) -> Capabilities {
        (**self).capabilities()
    }
}

/// The fetch `credentials` mode for one request, in browsers: whether the browser sends its
/// cookies and HTTP authentication, and stores the cookies the response sets (browsers keep
/// cookies themselves; the client's own jar is off there).
///
/// Set it with [`RequestBuilder::extension`](crate::RequestBuilder::extension):
///
/// ```no_run
/// # async fn run() -> anyfetch::Result<()> {
/// use anyfetch::FetchCredentials;
/// let r = anyfetch::get("https://api.example.com/me")
///     .extension(FetchCredentials::Include)
///     .await?;
/// # Ok(()) }
/// ```
///
/// Only the fetch backend (`wasm32-unknown-unknown`) reads it; other backends ignore it. In
/// Node and Deno it changes nothing (their fetch has no cookie store). Cross-origin `Include`
/// needs the server to answer with `Access-Control-Allow-Credentials: true` and an explicit
/// `Access-Control-Allow-Origin`. Defaults to the platform's default, `SameOrigin`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FetchCredentials {
    /// Never send or store credentials (`"omit"`).
    Omit,
    /// Only for same-origin URLs (`"same-origin"`, fetch's default).
    SameOrigin,
    /// Also for cross-origin URLs (`"include"`).
    Include,
}

/// Set on each request by the client when the transport follows redirects itself
/// ([`Capabilities::follows_redirects`]): whether this request asks for them to be followed.
#[derive(Clone, Copy, Debug)]
#[allow(dead_code)]
pub(crate) struct FollowRedirects(pub(crate) bool);

/// Put in a response's extensions by a transport whose host follows redirects itself: the
/// final URL, which the client reports as [`Response::url`] instead of the request's.
#[derive(Clone, Debug)]
#[allow(dead_code)]
pub(crate) struct HostUrl(pub(crate) url::Url);

/// A certificate to trust as a root, for [`ClientBuilder::add_root_certificate`](crate::ClientBuilder::add_root_certificate).
#[derive(Clone, Debug)]
#[cfg_attr(not(hyper), allow(dead_code))]
pub struct Certificate {
    pub(crate) der: Vec<Vec<u8>>,
}

impl Certificate {
    /// From PEM text (one or more `CERTIFICATE` blocks; other blocks are skipped).
    ///
    /// # Errors
    /// An [`is_builder`](Error::is_builder) error when no certificate is found, or when a block
    /// is malformed (bad base64, no end line), with the PEM parser's error as its source.
    pub fn from_pem(pem: &[u8]) -> Result<Certificate> {
        let der = CertificateDer::pem_slice_iter(pem)
            .map(|cert| cert.map(|cert| cert.to_vec()))
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|e| Error::builder("malformed PEM input").with_source(e))?;
        if der.is_empty() {
            return Err(Error::builder("no CERTIFICATE block in the PEM input"));
        }
        Ok(Certificate { der })
    }

    /// From DER bytes.
    pub fn from_der(der: &[u8]) -> Certificate {
        Certificate {
            der: vec![der.to_vec()],
        }
    }
}

/// Settings that only the default transport of a target reads.
///
/// The native transport builds its TLS configuration from these once, and its pool belongs to
/// it alone (one transport per client): connections made with one client's roots, identity or
/// minimum version are never handed to another client, so the pool key needs no TLS settings.
#[derive(Clone, Debug)]
pub(crate) struct TransportConfig {
    pub limits: Limits,
    pub http2: bool,
    pub http2_prior_knowledge: bool,
    pub root_certificates: Vec<Certificate>,
    pub danger_accept_invalid_certs: bool,
    /// Read the environment: proxies, and `SSL_CERT_FILE` and `SSL_CERT_DIR`, natively. WASI
    /// hosts and browsers own their network and trust, and ignore it.
    pub trust_env: bool,
    /// The client certificate for mutual TLS.
    pub identity: Option<Identity>,
    /// The lowest TLS version offered.
    pub min_tls_version: TlsVersion,
    /// Proxies given with `ClientBuilder::proxy`, in order: the first that takes a URL wins.
    pub proxies: Vec<crate::proxy::Proxy>,
    /// `ClientBuilder::no_proxy`: no proxy at all, given or from the environment.
    pub no_proxy: bool,
    /// How connections are dialed: Unix socket, local address, DNS.
    pub net: NetSettings,
}

impl Default for TransportConfig {
    fn default() -> TransportConfig {
        TransportConfig {
            limits: Limits::default(),
            http2: false,
            http2_prior_knowledge: false,
            root_certificates: Vec::new(),
            danger_accept_invalid_certs: false,
            trust_env: true,
            identity: None,
            min_tls_version: TlsVersion::TLS_1_2,
            proxies: Vec::new(),
            no_proxy: false,
            net: NetSettings::default(),
        }
    }
}

impl TransportConfig {
    /// For hosts that own the network (WASI, browsers): a proxy cannot be honoured. The
    /// environment's proxies are not read there (`trust_env` has nothing to act on).
    #[allow(dead_code)]
    fn reject_proxies(&self, host: &str) -> Result<()> {
        if !self.proxies.is_empty() {
            return Err(Error::new(ErrorKind::Unsupported).with_message(format!(
                "{host} owns the network: requests cannot be sent through a proxy (ClientBuilder::proxy)"
            )));
        }
        Ok(())
    }

    /// The TLS settings a host that verifies certificates itself (WASI, browsers) cannot
    /// honour: an [`ErrorKind::Unsupported`] error naming them. `trust_env` is accepted (the
    /// host's own trust applies).
    #[allow(dead_code)]
    fn reject_tls_options(&self, host: &str) -> Result<()> {
        if !self.root_certificates.is_empty() || self.danger_accept_invalid_certs {
            return Err(Error::new(ErrorKind::Unsupported).with_message(format!(
                "{host} verifies TLS certificates itself: custom roots and disabled verification cannot be honoured"
            )));
        }
        if self.identity.is_some() {
            return Err(Error::new(ErrorKind::Unsupported).with_message(format!(
                "{host} makes TLS connections itself: a client certificate (identity) cannot be honoured"
            )));
        }
        if self.min_tls_version != TlsVersion::TLS_1_2 {
            return Err(Error::new(ErrorKind::Unsupported).with_message(format!(
                "{host} chooses the TLS versions itself: min_tls_version cannot be honoured"
            )));
        }
        Ok(())
    }
}

/// The transport a `Client` uses when none is given: chosen by target.
pub(crate) fn default_transport(config: &TransportConfig) -> Result<Arc<dyn Transport>> {
    #[cfg(hyper)]
    {
        Ok(Arc::new(hyper::HyperTransport::with_config(config)?))
    }
    #[cfg(wasi)]
    {
        Ok(Arc::new(wasi::WasiTransport::with_config(config)?))
    }
    #[cfg(web)]
    {
        Ok(Arc::new(fetch::FetchTransport::with_config(config)?))
    }
    #[cfg(not(any(hyper, wasi, web)))]
    {
        let _ = config;
        Ok(Arc::new(NoTransport))
    }
}

/// Used when the build has no backend for this target; every send says so.
#[allow(dead_code)]
struct NoTransport;

impl Transport for NoTransport {
    fn send(&self, request: Request) -> BoxFuture<'static, Result<Response>> {
        let url = request.url().clone();
        Box::pin(async move {
            Err(Error::new(ErrorKind::Unsupported)
                .with_message(
                    "this build of anyfetch has no backend for this target: enable the `native` feature, or pass a transport with ClientBuilder::transport",
                )
                .with_url(url))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_that_verify_tls_themselves_refuse_what_they_cannot_honour() {
        let ok = TransportConfig::default();
        assert!(ok.trust_env);
        ok.reject_tls_options("host").unwrap();
        TransportConfig {
            trust_env: false,
            ..TransportConfig::default()
        }
        .reject_tls_options("host")
        .unwrap();
        let pem = b"-----BEGIN CERTIFICATE-----\naGVsbG8=\n-----END CERTIFICATE-----\n\
            -----BEGIN PRIVATE KEY-----\naGk=\n-----END PRIVATE KEY-----\n";
        let refused = [
            TransportConfig {
                identity: Some(Identity::from_pem(pem).unwrap()),
                ..TransportConfig::default()
            },
            TransportConfig {
                min_tls_version: TlsVersion::TLS_1_3,
                ..TransportConfig::default()
            },
            TransportConfig {
                root_certificates: vec![Certificate::from_der(b"x")],
                ..TransportConfig::default()
            },
            TransportConfig {
                danger_accept_invalid_certs: true,
                ..TransportConfig::default()
            },
        ];
        for config in refused {
            let e = config.reject_tls_options("host").unwrap_err();
            assert!(e.is_unsupported(), "{e:?}");
        }
    }

    #[test]
    fn pem_blocks_decode_to_der() {
        let pem = b"-----BEGIN CERTIFICATE-----\naGVs\nbG8=\n-----END CERTIFICATE-----\n\
            -----BEGIN PRIVATE KEY-----\naGk=\n-----END PRIVATE KEY-----\r\n\
            -----BEGIN CERTIFICATE-----\r\nYWJj\r\n-----END CERTIFICATE-----\r\n";
        let cert = Certificate::from_pem(pem).unwrap();
        assert_eq!(cert.der, [b"hello".to_vec(), b"abc".to_vec()]);
    }

    #[test]
    fn pem_without_certificate_is_an_error() {
        assert!(Certificate::from_pem(b"nothing here")
            .unwrap_err()
            .is_builder());
        let key_only = b"-----BEGIN PRIVATE KEY-----\naGk=\n-----END PRIVATE KEY-----\n";
        assert!(Certificate::from_pem(key_only).unwrap_err().is_builder());
    }

    #[test]
    fn a_corrupted_pem_block_is_an_error() {
        for pem in [
            &b"-----BEGIN CERTIFICATE-----\naGV*bG8=\n-----END CERTIFICATE-----\n"[..],
            b"-----BEGIN CERTIFICATE-----\naGVsbG8=\n",
        ] {
            let e = Certificate::from_pem(pem).unwrap_err();
            assert!(e.is_builder(), "{e:?}");
            assert!(std::error::Error::source(&e).is_some(), "{e:?}");
        }
    }
}
