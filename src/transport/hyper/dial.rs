//! Dialing: from a host and port to an open byte stream, under the [`NetSettings`]. Everything
//! that opens a socket calls [`dial`]: the origin's connections, and a proxy's.
//!
//! In order:
//! 1. a Unix socket, when one is set: it is the destination whatever the host; nothing is
//!    resolved and no local address is bound;
//! 2. the host's addresses: an IP literal as it is; a domain from the overrides
//!    (`ClientBuilder::resolve`), else from the resolver (`ClientBuilder::dns_resolver`), else
//!    from the system's (`getaddrinfo`, on tokio's blocking pool);
//! 3. with a local address, only the addresses of its family;
//! 4. happy eyeballs (RFC 8305, simplified as hyper-util and curl do): IPv6 and IPv4 interleaved
//!    from the family of the first address; the first attempt gets [`ATTEMPT_DELAY`] alone, then
//!    the next starts beside it, and so on; a failed attempt hands over at once; the first
//!    connection made wins and the other attempts are dropped (their sockets closed).
//!
//! The caller bounds the whole of it by the connect timeout.

use std::collections::VecDeque;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use futures_util::stream::{FuturesUnordered, StreamExt};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpSocket, TcpStream};
use url::{Host, Url};

use crate::error::{BoxError, Error, ErrorKind, Result};
use crate::transport::NetSettings;

/// How long an attempt runs alone before the next address is tried beside it: RFC 8305's
/// recommended "Connection Attempt Delay" (hyper-util uses 300 ms, curl 200 ms).
pub(super) const ATTEMPT_DELAY: Duration = Duration::from_millis(250);

/// Where to dial: a URL's host and port.
#[derive(Debug)]
pub(super) struct Target<'a> {
    /// A domain name (lowercase), or an IP literal.
    pub host: Host<&'a str>,
    /// The URL's port, or its scheme's default.
    pub port: u16,
    /// The URL writes its port (one other than the scheme's default, which URLs drop): it
    /// then replaces the port of a DNS override (reqwest's rule).
    pub explicit_port: bool,
}

impl<'a> Target<'a> {
    /// The host and port of `url` (an origin's, or a proxy's).
    ///
    /// # Errors
    /// [`is_builder`](Error::is_builder) when `url` has no host, or no port and a scheme
    /// without a default one.
    pub(super) fn of(url: &'a Url) -> Result<Target<'a>> {
        let host = url
            .host()
            .ok_or_else(|| Error::builder("URL has no host").with_url(url.clone()))?;
        let port = url.port_or_known_default().ok_or_else(|| {
            Error::builder(format!(
                "URL has no port and `{}:` has no default",
                url.scheme()
            ))
            .with_url(url.clone())
        })?;
        Ok(Target {
            host,
            port,
            explicit_port: url.port().is_some(),
        })
    }
}

impl<'a> Target<'a> {
    /// A host given as text (a proxy's: a name, in lower case, or an IP address, IPv6 with or
    /// without brackets) and its port, which counts as written.
    pub(super) fn named(host: &'a str, port: u16) -> Target<'a> {
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        let host = match bare.parse::<IpAddr>() {
            Ok(IpAddr::V4(ip)) => Host::Ipv4(ip),
            Ok(IpAddr::V6(ip)) => Host::Ipv6(ip),
            Err(_) => Host::Domain(bare),
        };
        Target {
            host,
            port,
            explicit_port: true,
        }
    }
}

/// An open connection: TCP, or a Unix socket.
#[derive(Debug)]
pub(super) enum Stream {
    /// TCP, with `TCP_NODELAY` set.
    Tcp(TcpStream),
    /// A Unix domain socket ([`NetSettings::unix_socket`]).
    #[cfg(unix)]
    Unix(tokio::net::UnixStream),
}

/// Opens a connection to `target` under `net` (see the module's docs for the order of steps).
/// `url` is the URL the errors name: the request's, or the proxy's.
///
/// # Errors
/// [`ErrorKind::Connect`] when the Unix socket cannot be reached (its path named), the host
/// cannot be resolved (the host named, the resolver's error as the source), it resolves to no
/// usable address, or every attempt fails (the last attempt's address and error).
pub(super) async fn dial(target: &Target<'_>, net: &NetSettings, url: &Url) -> Result<Stream> {
    #[cfg(unix)]
    if let Some(path) = &net.unix_socket {
        return match tokio::net::UnixStream::connect(path).await {
            Ok(stream) => Ok(Stream::Unix(stream)),
            Err(e) => Err(connect_error(e, url).with_message(format!(
                "could not connect to the Unix socket {}",
                path.display()
            ))),
        };
    }
    let mut addrs = resolve(target, net, url).await?;
    if let Some(local) = net.local_address {
        addrs.retain(|a| a.is_ipv4() == local.is_ipv4());
        if addrs.is_empty() {
            let (family, other) = if local.is_ipv4() {
                ("IPv4", "IPv6")
            } else {
                ("IPv6", "IPv4")
            };
            return Err(Error::new(ErrorKind::Connect)
                .with_message(format!(
                    "the local address {local} is {family}, but {} has only {other} addresses",
                    target.host
                ))
                .with_url(url.clone()));
        }
    }
    happy_eyeballs(addrs, net.local_address, url)
        .await
        .map(Stream::Tcp)
}

/// The addresses of `target`, with its port.
async fn resolve(target: &Target<'_>, net: &NetSettings, url: &Url) -> Result<Vec<SocketAddr>> {
    let domain = match target.host {
        Host::Ipv4(ip) => return Ok(vec![SocketAddr::from((ip, target.port))]),
        Host::Ipv6(ip) => return Ok(vec![SocketAddr::from((ip, target.port))]),
        Host::Domain(domain) => domain,
    };
    let failed = |e: BoxError| {
        Error::new(ErrorKind::Connect)
            .with_message(format!("could not resolve {domain}"))
            .with_source(e)
            .with_url(url.clone())
    };
    let addrs: Vec<SocketAddr> = if let Some(addrs) = net.overrides.get(domain) {
        // As reqwest (and hyper-util's `set_port`): the URL's own port wins; else the
        // override's, unless it is 0, which stands for the scheme's default.
        addrs
            .iter()
            .map(|&a| {
                let mut a = a;
                if target.explicit_port || a.port() == 0 {
                    a.set_port(target.port);
                }
                a
            })
            .collect()
    } else if let Some(resolver) = &net.resolver {
        resolver
            .resolve(domain)
            .await
            .map_err(failed)?
            .into_iter()
            .map(|ip| SocketAddr::new(ip, target.port))
            .collect()
    } else {
        tokio::net::lookup_host((domain, target.port))
            .await
            .map_err(|e| failed(e.into()))?
            .collect()
    };
    if addrs.is_empty() {
        return Err(Error::new(ErrorKind::Connect)
            .with_message(format!("{domain} resolved to no address"))
            .with_url(url.clone()));
    }
    Ok(addrs)
}

/// Races connection attempts to `addrs` (see the module's docs); the first to connect wins.
async fn happy_eyeballs(
    addrs: Vec<SocketAddr>,
    local: Option<IpAddr>,
    url: &Url,
) -> Result<TcpStream> {
    let mut queue = interleave(addrs).into_iter();
    let mut running = FuturesUnordered::new();
    let mut last = None;
    loop {
        if running.is_empty() {
            match queue.next() {
                Some(addr) => running.push(attempt(addr, local, url)),
                None => {
                    return Err(last.unwrap_or_else(|| {
                        Error::new(ErrorKind::Connect)
                            .with_message("no address to connect to")
                            .with_url(url.clone())
                    }))
                }
            }
        }
        tokio::select! {
            Some(result) = running.next() => match result {
                Ok(stream) => return Ok(stream),
                Err(e) => {
                    last = Some(e);
                    // A failed attempt hands over at once: no reason to wait.
                    if let Some(addr) = queue.next() {
                        running.push(attempt(addr, local, url));
                    }
                }
            },
            () = tokio::time::sleep(ATTEMPT_DELAY), if !queue.as_slice().is_empty() => {
                if let Some(addr) = queue.next() {
                    running.push(attempt(addr, local, url));
                }
            }
        }
    }
}

/// One TCP connection attempt, from `local` if given.
async fn attempt(addr: SocketAddr, local: Option<IpAddr>, url: &Url) -> Result<TcpStream> {
    let socket = if addr.is_ipv4() {
        TcpSocket::new_v4()
    } else {
        TcpSocket::new_v6()
    }
    .map_err(|e| {
        connect_error(e, url).with_message(format!("could not open a socket for {addr}"))
    })?;
    if let Some(ip) = local {
        socket.bind(SocketAddr::new(ip, 0)).map_err(|e| {
            connect_error(e, url).with_message(format!("could not bind the local address {ip}"))
        })?;
    }
    let stream = socket
        .connect(addr)
        .await
        .map_err(|e| connect_error(e, url).with_message(format!("could not connect to {addr}")))?;
    // Requests are written whole; waiting to coalesce them only adds latency.
    let _ = stream.set_nodelay(true);
    Ok(stream)
}

/// `addrs` with the two families alternating, starting with the family of the first address
/// (RFC 8305 section 4, with a "First Address Family Count" of 1); the order within a family
/// is kept.
fn interleave(addrs: Vec<SocketAddr>) -> Vec<SocketAddr> {
    let first_is_v6 = addrs.first().is_some_and(SocketAddr::is_ipv6);
    let (mut first, mut second): (VecDeque<_>, VecDeque<_>) =
        addrs.into_iter().partition(|a| a.is_ipv6() == first_is_v6);
    let mut out = Vec::with_capacity(first.len() + second.len());
    while !first.is_empty() || !second.is_empty() {
        out.extend(first.pop_front());
        out.extend(second.pop_front());
    }
    out
}

/// A connect failure with `source` and the URL.
pub(super) fn connect_error(source: io::Error, url: &Url) -> Error {
    Error::new(ErrorKind::Connect)
        .with_source(source)
        .with_url(url.clone())
}

macro_rules! each_stream {
    ($self:ident, $s:ident => $e:expr) => {
        match $self.get_mut() {
            Stream::Tcp($s) => $e,
            #[cfg(unix)]
            Stream::Unix($s) => $e,
        }
    };
}

impl AsyncRead for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        each_stream!(self, s => Pin::new(s).poll_read(cx, buf))
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        each_stream!(self, s => Pin::new(s).poll_write(cx, buf))
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        each_stream!(self, s => Pin::new(s).poll_write_vectored(cx, bufs))
    }

    fn is_write_vectored(&self) -> bool {
        match self {
            Stream::Tcp(s) => s.is_write_vectored(),
            #[cfg(unix)]
            Stream::Unix(s) => s.is_write_vectored(),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        each_stream!(self, s => Pin::new(s).poll_flush(cx))
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        each_stream!(self, s => Pin::new(s).poll_shutdown(cx))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v4(last: u8) -> SocketAddr {
        SocketAddr::from(([192, 0, 2, last], 80))
    }

    fn v6(last: u16) -> SocketAddr {
        SocketAddr::from(([0x2001, 0xdb8, 0, 0, 0, 0, 0, last], 80))
    }

    #[test]
    fn families_alternate_from_the_first_address_s_family() {
        assert_eq!(
            interleave(vec![v6(1), v6(2), v6(3), v4(1), v4(2)]),
            [v6(1), v4(1), v6(2), v4(2), v6(3)]
        );
        assert_eq!(interleave(vec![v4(1), v4(2), v6(1)]), [v4(1), v6(1), v4(2)]);
        assert_eq!(interleave(vec![v4(1), v4(2)]), [v4(1), v4(2)]);
        assert!(interleave(Vec::new()).is_empty());
    }

    #[test]
    fn the_url_s_own_port_wins_over_an_override_s() {
        let mut net = NetSettings::default();
        net.overrides.insert(
            "api.test".into(),
            vec![
                SocketAddr::from(([127, 0, 0, 1], 8080)),
                SocketAddr::from(([127, 0, 0, 2], 0)),
            ],
        );
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let addrs = |u: &str| {
            let url = Url::parse(u).unwrap();
            let target = Target::of(&url).unwrap();
            rt.block_on(resolve(&target, &net, &url)).unwrap()
        };
        // No port in the URL: the override's, or the scheme's default for 0.
        assert_eq!(
            addrs("http://api.test/"),
            [
                SocketAddr::from(([127, 0, 0, 1], 8080)),
                SocketAddr::from(([127, 0, 0, 2], 80)),
            ]
        );
        assert_eq!(addrs("https://api.test/")[1].port(), 443);
        // A port in the URL: it, always.
        assert_eq!(
            addrs("http://api.test:9000/"),
            [
                SocketAddr::from(([127, 0, 0, 1], 9000)),
                SocketAddr::from(([127, 0, 0, 2], 9000)),
            ]
        );
        // Other hosts are not overridden; IP literals are never resolved.
        assert_eq!(
            addrs("http://127.0.0.9:81/"),
            [SocketAddr::from(([127, 0, 0, 9], 81))]
        );
    }
}
