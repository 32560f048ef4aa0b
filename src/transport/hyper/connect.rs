//! Opening a connection: dialing (DNS, TCP or a Unix socket, in `dial`), TLS with ALPN, and the
//! hyper handshake, all under the connect timeout. Each connection gets a driver task that owns
//! its pool permit.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use hyper::client::conn::{http1, http2};
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::{oneshot, OwnedSemaphorePermit};
use url::Url;

use super::dial::{connect_error, dial, Stream, Target};
use super::io::ReadBuffered;
use super::pool::{H1Conn, H2Conn, Key};
use super::proxy::Route;
use super::{map_hyper_error, tls, Phase};
use crate::error::{Error, ErrorKind, Result, TimeoutKind};
use crate::platform::BoxFuture;
use crate::transport::{NetSettings, TransportConfig};

/// A freshly opened connection.
pub(super) enum Connected {
    /// HTTP/1.1.
    H1(H1Conn),
    /// HTTP/2 (h2c by prior knowledge, or `h2` chosen by ALPN).
    H2(H2Conn),
}

/// Opens connections for one transport.
pub(super) struct Connector {
    tls: Arc<rustls::ClientConfig>,
    http2_prior_knowledge: bool,
    offers_h2: bool,
    net: NetSettings,
}

impl Connector {
    /// A connector for `config`, with its TLS configuration built once.
    pub(super) fn new(config: &TransportConfig) -> Result<Connector> {
        Ok(Connector {
            tls: tls::client_config(config)?,
            http2_prior_knowledge: config.http2_prior_knowledge,
            offers_h2: config.http2 || config.http2_prior_knowledge,
            net: config.net.clone(),
        })
    }

    /// True when plain `http` origins are spoken to in HTTP/2 without asking (h2c).
    pub(super) fn http2_prior_knowledge(&self) -> bool {
        self.http2_prior_knowledge
    }

    /// True when every connection goes to a Unix socket (`ClientBuilder::unix_socket`).
    pub(super) fn dials_a_unix_socket(&self) -> bool {
        #[cfg(unix)]
        return self.net.unix_socket.is_some();
        #[cfg(not(unix))]
        return false;
    }

    /// True when TLS connections offer `h2` by ALPN (see `tls::client_config`).
    pub(super) fn offers_h2(&self) -> bool {
        self.offers_h2
    }

    /// Connects to `key` (the origin of `url`) within `timeout`. The connection's driver task
    /// takes `permit` and gives it back when the connection closes.
    ///
    /// # Errors
    /// [`ErrorKind::Connect`] when dialing (see [`dial`]), TLS or the handshake fail;
    /// `Timeout(Connect)` when they take longer than `timeout`.
    pub(super) async fn connect(
        &self,
        key: &Key,
        url: &Url,
        route: Option<&Route>,
        permit: Option<OwnedSemaphorePermit>,
        timeout: Option<Duration>,
    ) -> Result<Connected> {
        let connecting = async {
            // An HTTP proxy forwarding plain http: the connection is to the proxy, and HTTP/1.1
            // (no h2c with a proxy).
            let forwarding = route.is_some_and(|r| r.is_forwarding(key.https));
            let io = match route {
                None => dial(&Target::of(url)?, &self.net, url).await?,
                Some(r) if forwarding => {
                    let (host, port) = r.proxy_addr();
                    dial(&Target::named(&host, port), &self.net, url)
                        .await
                        .map_err(|e| r.unreachable(e, url))?
                }
                Some(r) => {
                    let net = self.net.clone();
                    let for_errors = url.clone();
                    let dial_proxy =
                        move |host: String, port: u16| -> BoxFuture<'static, Result<Stream>> {
                            let (net, url) = (net.clone(), for_errors.clone());
                            Box::pin(
                                async move { dial(&Target::named(&host, port), &net, &url).await },
                            )
                        };
                    r.tunnel(&key.host, key.port, dial_proxy, url).await?
                }
            };
            if key.https {
                let connector = tokio_rustls::TlsConnector::from(self.tls.clone());
                let stream = connector
                    .connect(tls::server_name(url)?, ReadBuffered::new(io))
                    .await
                    .map_err(|e| {
                        connect_error(e, url)
                            .with_message(format!("TLS handshake with {}", key.host))
                    })?;
                let h2 = stream.get_ref().1.alpn_protocol() == Some(b"h2".as_slice());
                handshake(stream, h2, key, permit, url).await
            } else {
                let h2c = self.http2_prior_knowledge && !forwarding;
                handshake(io, h2c, key, permit, url).await
            }
        };
        match timeout {
            None => connecting.await,
            Some(d) => match tokio::time::timeout(d, connecting).await {
                Ok(result) => result,
                Err(_) => Err(Error::new(ErrorKind::Timeout(TimeoutKind::Connect))
                    .with_message(match route {
                        Some(r) => format!(
                            "connecting to {}:{} through the proxy {} took too long",
                            key.host,
                            key.port,
                            r.display_proxy()
                        ),
                        None => format!("connecting to {}:{} took too long", key.host, key.port),
                    })
                    .with_url(url.clone())),
            },
        }
    }
}

/// Runs hyper's handshake over `io` and spawns the connection's driver task.
async fn handshake<S>(
    io: S,
    h2: bool,
    key: &Key,
    permit: Option<OwnedSemaphorePermit>,
    url: &Url,
) -> Result<Connected>
where
    S: AsyncRead + AsyncWrite + Send + Unpin + 'static,
{
    let io = TokioIo::new(io);
    let failed = |e| map_hyper_error(e, Phase::Handshake, url);
    if h2 {
        let mut b = http2::Builder::new(TokioExecutor::new());
        // Flow control, measured against nginx over TLS on loopback (100 MiB bodies, 7-9
        // rounds alternating with reqwest and curl; `scripts/bench.sh --protos h2s`):
        // - The stream window bounds one download at window / RTT: 2 MiB is 40 MB/s at 50 ms.
        //   Smaller windows used less CPU on loopback (1 MiB: -18%, 512 KiB: -28% per MB: less
        //   data in flight stays in cache) but would cap a long-distance download, and 8 MiB
        //   used 14% more; 2 MiB (hyper's default) it is.
        // - The connection window lets two streams have their full window at once.
        // - No adaptive window: it replaces both with a BDP estimate from pings, which on
        //   loopback stays small and costs pings; it used 14% more CPU per MB here.
        // - The frame size we accept stays at 16 KiB: nginx sends its `http2_chunk_size`
        //   (8 KiB) whatever we allow, and the per-frame cost that mattered (a cross-thread
        //   wake-up per frame) is the pump's to remove, for every frame size.
        b.initial_stream_window_size(2 * 1024 * 1024)
            .initial_connection_window_size(5 * 1024 * 1024)
            .adaptive_window(false);
        let (sender, conn) = b.handshake(io).await.map_err(failed)?;
        Ok(Connected::H2(H2Conn::new(sender, drive(conn, permit))))
    } else {
        let (sender, conn) = http1::Builder::new().handshake(io).await.map_err(failed)?;
        Ok(Connected::H1(H1Conn::new(
            sender,
            key.clone(),
            drive(conn, permit),
        )))
    }
}

/// Spawns the task that drives a connection until it ends or its handle is dropped (the
/// returned sender), then drops the socket and the pool permit, in that order.
fn drive<C>(conn: C, permit: Option<OwnedSemaphorePermit>) -> oneshot::Sender<()>
where
    C: Future + Send + 'static,
{
    let (close, closed) = oneshot::channel::<()>();
    tokio::spawn(async move {
        tokio::select! {
            _ = conn => {}
            _ = closed => {}
        }
        drop(permit);
    });
    close
}
