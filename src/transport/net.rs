//! How the native backend reaches a host: a Unix socket, a local address to bind, DNS overrides
//! and a pluggable resolver. The settings are kept on every target so that the WASI and fetch
//! backends can refuse them by name (there the host owns the network); only the native backend
//! dials with them (`hyper/dial.rs`).

use std::collections::HashMap;
use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use crate::error::{BoxError, Error, ErrorKind, Result};
use crate::platform::{BoxFuture, MaybeSendSync};

/// A DNS resolver for the native backend, set with
/// [`ClientBuilder::dns_resolver`](crate::ClientBuilder::dns_resolver) (reqwest's
/// `dns::Resolve`, with IP addresses out: the port always comes from the URL).
///
/// It is asked for every domain name the client connects to, except those given an address
/// with [`ClientBuilder::resolve`](crate::ClientBuilder::resolve) (those overrides win) and
/// IP-literal hosts (never resolved). The addresses are tried in happy-eyeballs order: IPv6 and
/// IPv4 interleaved, starting with the family of the first one.
///
/// ```
/// use std::net::{IpAddr, Ipv4Addr};
/// use anyfetch::{BoxError, BoxFuture, Resolve};
///
/// /// Every name is this machine.
/// struct Loopback;
///
/// impl Resolve for Loopback {
///     fn resolve(&self, _host: &str) -> BoxFuture<'static, Result<Vec<IpAddr>, BoxError>> {
///         Box::pin(async { Ok(vec![IpAddr::V4(Ipv4Addr::LOCALHOST)]) })
///     }
/// }
///
/// let client = anyfetch::Client::builder().dns_resolver(Loopback).build()?;
/// # Ok::<(), anyfetch::Error>(())
/// ```
pub trait Resolve: MaybeSendSync + 'static {
    /// The addresses of `host` (a domain name, lowercase, without a port), in order of
    /// preference. An error, or no address, fails the connection with an
    /// [`is_connect`](Error::is_connect) error naming the host, with this error as its source.
    fn resolve(&self, host: &str)
        -> BoxFuture<'static, std::result::Result<Vec<IpAddr>, BoxError>>;
}

impl<T: Resolve + ?Sized> Resolve for Arc<T> {
    fn resolve(
        &self,
        host: &str,
    ) -> BoxFuture<'static, std::result::Result<Vec<IpAddr>, BoxError>> {
        (**self).resolve(host)
    }
}

/// The dialing settings of [`TransportConfig`](super::TransportConfig).
#[derive(Clone, Default)]
pub(crate) struct NetSettings {
    /// Every connection goes to this Unix socket, whatever the URL's host.
    #[cfg(unix)]
    pub unix_socket: Option<std::path::PathBuf>,
    /// The address outgoing TCP sockets are bound to.
    pub local_address: Option<IpAddr>,
    /// Domain (lowercase) to addresses, consulted before the resolver.
    pub overrides: HashMap<String, Vec<SocketAddr>>,
    /// Resolves domains without an override; the system's resolver when `None`.
    pub resolver: Option<Arc<dyn Resolve>>,
}

impl NetSettings {
    /// The names of the settings that are set, for an error that lists them.
    fn set_options(&self) -> Vec<&'static str> {
        let mut set = Vec::new();
        #[cfg(unix)]
        if self.unix_socket.is_some() {
            set.push("unix_socket");
        }
        if self.local_address.is_some() {
            set.push("local_address");
        }
        if !self.overrides.is_empty() {
            set.push("resolve");
        }
        if self.resolver.is_some() {
            set.push("dns_resolver");
        }
        set
    }

    /// An [`ErrorKind::Unsupported`] error when any setting is made: `host` (the WASI host, the
    /// JavaScript runtime) opens connections itself and cannot be told how.
    #[allow(dead_code)]
    pub(crate) fn reject(&self, host: &str) -> Result<()> {
        let set = self.set_options();
        if set.is_empty() {
            return Ok(());
        }
        Err(Error::new(ErrorKind::Unsupported).with_message(format!(
            "{host} opens connections itself: {} cannot be honoured",
            set.join(", ")
        )))
    }
}

impl fmt::Debug for NetSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("NetSettings");
        #[cfg(unix)]
        d.field("unix_socket", &self.unix_socket);
        d.field("local_address", &self.local_address)
            .field("overrides", &self.overrides)
            .field("resolver", &self.resolver.as_ref().map(|_| "dyn Resolve"))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_that_own_the_network_refuse_every_setting_by_name() {
        assert!(NetSettings::default().reject("the WASI host").is_ok());
        let mut net = NetSettings {
            local_address: Some(IpAddr::from([127, 0, 0, 2])),
            ..Default::default()
        };
        net.overrides.insert(
            "api.test".into(),
            vec![SocketAddr::from(([127, 0, 0, 1], 80))],
        );
        let e = net.reject("the WASI host").unwrap_err();
        assert!(matches!(e.kind(), ErrorKind::Unsupported), "{e:?}");
        let msg = e.to_string();
        assert!(
            msg.contains("local_address") && msg.contains("resolve"),
            "{msg}"
        );

        struct Never;
        impl Resolve for Never {
            fn resolve(
                &self,
                _: &str,
            ) -> BoxFuture<'static, std::result::Result<Vec<IpAddr>, BoxError>> {
                Box::pin(async { Ok(Vec::new()) })
            }
        }
        let net = NetSettings {
            resolver: Some(Arc::new(Never)),
            ..Default::default()
        };
        let e = net.reject("fetch").unwrap_err();
        assert!(e.to_string().contains("dns_resolver"), "{e}");
        #[cfg(unix)]
        {
            let net = NetSettings {
                unix_socket: Some("/run/docker.sock".into()),
                ..Default::default()
            };
            let e = net.reject("fetch").unwrap_err();
            assert!(e.to_string().contains("unix_socket"), "{e}");
        }
    }
}
