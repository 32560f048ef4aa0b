//! The native backend: hyper 1 client connections over tokio, TLS by rustls, HTTP/1.1 and
//! HTTP/2, with anyfetch's own connection pool so that [`Limits`](crate::Limits) hold exactly.
//!
//! One exchange, in order:
//! 1. [`pool`] checks out a live connection for the origin, or a permit to open one (this wait
//!    is the pool timeout);
//! 2. [`connect`] opens it: [`dial`] (DNS, TCP with happy eyeballs, or a Unix socket), TLS with
//!    ALPN, the hyper handshake (the connect timeout);
//! 3. this file builds the request head and sends it; [`upload`] watches the request body being
//!    pulled (the write timeout) and then the wait for the response head (the read timeout);
//! 4. the response body streams through [`body::ResponseBody`], which hands an HTTP/1.1
//!    connection back to the pool when the body has been read to its end.

mod body;
mod connect;
mod dial;
mod io;
mod pool;
mod proxy;
mod pump;
mod roots;
mod tls;
mod upload;

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use http::header::{CONTENT_LENGTH, HOST, PROXY_AUTHORIZATION};
use http::{HeaderValue, Version};
use hyper::body::Incoming;
use url::Url;

use self::body::ResponseBody;
use self::connect::{Connected, Connector};
use self::pool::Release;
use self::pool::{Checkout, Key, Pool};
use self::upload::{Progress, SendBody, Tracker};
use crate::body::Body;
use crate::error::{Error, ErrorKind, Result, TimeoutKind};
use crate::platform::BoxFuture;
use crate::request::{Parts, Request};
use crate::response::Response;
use crate::timeout::Timeout;
use crate::transport::{head, Transport, TransportConfig};

/// The native transport: hyper 1 over tokio, rustls for `https`.
///
/// Cheap to clone through the `Arc` the client keeps it in; every clone shares one pool.
/// Its futures must run inside a tokio runtime with IO and timers enabled (`#[tokio::main]`
/// or `tokio::runtime::Builder::enable_all`); outside one, `send` fails with
/// [`ErrorKind::Unsupported`].
///
/// [`HyperTransport::new`] has the defaults of [`ClientBuilder`](crate::ClientBuilder) (the
/// web PKI roots, HTTP/1.1, [`Limits::default`](crate::Limits::default)). A client built
/// without [`transport`](crate::ClientBuilder::transport) makes its own, from the builder's TLS,
/// HTTP/2, limits and dialing (Unix socket, local address, DNS) settings; give one explicitly to
/// wrap it in your own transport:
///
/// ```
/// use anyfetch::{Client, HyperTransport};
/// let client = Client::builder().transport(HyperTransport::new()).build()?;
/// # Ok::<(), anyfetch::Error>(())
/// ```
pub struct HyperTransport {
    shared: Arc<Shared>,
}

/// What every exchange of one transport shares.
struct Shared {
    pool: Arc<Pool>,
    connector: Connector,
    proxies: proxy::Proxies,
}

/// A connection checked out for one exchange.
enum Conn {
    /// HTTP/1.1: ours alone until the response body ends.
    H1(pool::H1Conn),
    /// HTTP/2: one stream on a shared connection.
    H2(pool::H2Stream),
}

impl HyperTransport {
    /// A transport with the default settings: the system's trust store (`SSL_CERT_FILE` and
    /// `SSL_CERT_DIR` in its place when set), HTTP/1.1 only,
    /// [`Limits::default`](crate::Limits::default).
    pub fn new() -> HyperTransport {
        // The default configuration has no root certificate of its own to reject (the system's
        // and the environment's unparsable ones are skipped), no identity, and ring supports
        // TLS 1.2 and 1.3: building it cannot fail.
        HyperTransport::with_config(&TransportConfig::default())
            .expect("the default TLS configuration is always valid")
    }

    /// A transport for `config`: builds the TLS configuration once (roots, identity, versions;
    /// see `tls::client_config`). The pool is this transport's alone, so connections made
    /// with these TLS settings are never used by a client with other ones.
    ///
    /// # Errors
    /// An [`is_builder`](Error::is_builder) error when a root certificate or the identity
    /// cannot be used.
    pub(crate) fn with_config(config: &TransportConfig) -> Result<HyperTransport> {
        Ok(HyperTransport {
            shared: Arc::new(Shared {
                pool: Arc::new(Pool::new(config.limits)),
                connector: Connector::new(config)?,
                proxies: proxy::Proxies::new(config)?,
            }),
        })
    }
}

impl Default for HyperTransport {
    fn default() -> Self {
        HyperTransport::new()
    }
}

impl fmt::Debug for HyperTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HyperTransport").finish_non_exhaustive()
    }
}

impl Transport for HyperTransport {
    fn send(&self, request: Request) -> BoxFuture<'static, Result<Response>> {
        let shared = self.shared.clone();
        Box::pin(async move { shared.send(request).await })
    }
}

impl Shared {
    async fn send(&self, request: Request) -> Result<Response> {
        if tokio::runtime::Handle::try_current().is_err() {
            return Err(Error::new(ErrorKind::Unsupported)
                .with_message(
                    "the native backend needs a tokio runtime: send from inside #[tokio::main] or Runtime::block_on, or use anyfetch::blocking",
                )
                .with_url(request.url().clone()));
        }
        let (parts, body) = request.into_parts();
        let url = parts.url.clone();
        let timeout = parts.timeout;
        let mut key = Key::for_url(&url)?;
        // With a Unix socket, the socket is where every request goes: no proxy.
        let route = if self.connector.dials_a_unix_socket() {
            None
        } else {
            self.proxies.route(&url)
        };
        key.proxy = route.as_ref().map(|r| r.index);
        // Plain http through an HTTP proxy: the request goes to the proxy in absolute form.
        let forward = route.as_ref().filter(|r| r.is_forwarding(key.https));

        // A request waits here between tries: as the caller gave it, or already built for an
        // HTTP/1.1 connection that handed it back unsent.
        enum Pending {
            Source(Parts, Body),
            Built(http::Request<SendBody>, Tracker),
        }
        let idempotent = crate::retry::is_idempotent(&parts.method);
        let mut pending = Some(Pending::Source(parts, body));
        let mut tries = 0;
        let (head, release) = loop {
            tries += 1;
            // The connection is chosen before the request is built: HTTP/2 wants the full URI.
            let (conn, reused) = self.conn(&key, &url, route.as_ref(), &timeout).await?;
            let version = match conn {
                Conn::H1(_) => Version::HTTP_11,
                Conn::H2(_) => Version::HTTP_2,
            };
            let mut replay = None;
            let Some(current) = pending.take() else {
                return Err(Error::new(ErrorKind::Write)
                    .with_message("the request was lost between tries")
                    .with_url(url));
            };
            let (request, progress) = match current {
                Pending::Source(parts, body) => {
                    if reused && idempotent {
                        replay = body.try_clone().map(|b| (parts.clone(), b));
                    }
                    build_request(parts, body, version, forward)?
                }
                Pending::Built(request, progress) if version == Version::HTTP_11 => {
                    (request, progress)
                }
                Pending::Built(..) => {
                    return Err(Error::new(ErrorKind::Read)
                        .with_message("the pooled connection closed before the request was sent")
                        .with_url(url))
                }
            };
            let result = match conn {
                // A pooled HTTP/1.1 connection may have been closed by the server while idle:
                // `try_send_request` hands the request back when it was never written.
                Conn::H1(mut c) if reused => {
                    let sent = c.sender.try_send_request(request);
                    let pool = self.pool.clone();
                    exchange(sent, &progress, &timeout, &url)
                        .await
                        .map(|head| (head, Release::H1 { conn: c, pool }))
                }
                Conn::H1(mut c) => {
                    let sent = c.sender.send_request(request);
                    let pool = self.pool.clone();
                    exchange(sent, &progress, &timeout, &url)
                        .await
                        .map(|head| (head, Release::H1 { conn: c, pool }))
                }
                Conn::H2(stream) => {
                    let sent = stream.sender().send_request(request);
                    exchange(sent, &progress, &timeout, &url)
                        .await
                        .map(|head| (head, Release::H2(stream)))
                }
            };
            match result {
                Ok(done) => break done,
                Err(Unsent::Back(request)) if tries < MAX_TRIES => {
                    pending = Some(Pending::Built(*request, progress));
                }
                // Written to a connection the server had closed, and no response came back. As
                // browsers do, an idempotent request with a body in memory goes out once more.
                Err(Unsent::Failed(e))
                    if tries < MAX_TRIES
                        && replay.is_some()
                        && matches!(e.kind(), ErrorKind::Read | ErrorKind::Protocol) =>
                {
                    pending = replay.map(|(parts, body)| Pending::Source(parts, body));
                }
                Err(e) => return Err(e.into_error()),
            }
        };

        let (head, incoming) = head.into_parts();
        let body = if hyper::body::Body::is_end_stream(&incoming) {
            // HEAD, 204, 304, `Content-Length: 0`: nothing to read, the connection is free now.
            release.finish();
            Body::empty()
        } else {
            Body::from_result_stream(Box::pin(ResponseBody::new(incoming, release, url)))
        };
        let mut response = Response::new(head.status, body);
        *response.headers_mut() = head.headers;
        response.set_version(head.version);
        Ok(response)
    }

    /// A connection for `key`: a pooled one (`true`), or a new one once the pool allows it.
    async fn conn(
        &self,
        key: &Key,
        url: &Url,
        route: Option<&proxy::Route>,
        timeout: &Timeout,
    ) -> Result<(Conn, bool)> {
        match self.pool.try_checkout(key) {
            Some(Checkout::H1(c)) => Ok((Conn::H1(c), true)),
            Some(Checkout::H2(s)) => Ok((Conn::H2(s), true)),
            // Waiting for the pool, or connecting: boxed, so that the future of every request
            // does not carry (and copy) the machinery of the rare slow path.
            _ => Box::pin(self.conn_slow(key, url, route, timeout)).await,
        }
    }

    async fn conn_slow(
        &self,
        key: &Key,
        url: &Url,
        route: Option<&proxy::Route>,
        timeout: &Timeout,
    ) -> Result<(Conn, bool)> {
        // Whether to wait for one connection to the origin rather than open one each: for
        // HTTP/2, known (h2c) or offered by ALPN (until the origin declines it).
        let h2 = if key.https {
            self.connector.offers_h2() && !self.pool.declined_h2(key)
        } else {
            self.connector.http2_prior_knowledge() && route.is_none_or(|r| !r.is_forwarding(false))
        };
        let checkout = self.pool.checkout(key, h2, timeout.get_pool()).await;
        let (permit, _connecting) = match checkout {
            Ok(Checkout::H1(c)) => return Ok((Conn::H1(c), true)),
            Ok(Checkout::H2(s)) => return Ok((Conn::H2(s), true)),
            Ok(Checkout::Connect(permit, connecting)) => (permit, connecting),
            Err(pool::PoolTimedOut) => {
                return Err(Error::new(ErrorKind::Timeout(TimeoutKind::Pool))
                    .with_message("no connection became free in the pool in time")
                    .with_url(url.clone()))
            }
        };
        // Boxed: connecting (TCP, TLS) is a future of kilobytes, and only new connections
        // take this path; inline, every request's future would carry (and copy) it.
        let connected =
            Box::pin(
                self.connector
                    .connect(key, url, route, permit, timeout.get_connect()),
            )
            .await?;
        Ok(match connected {
            Connected::H1(c) => {
                if key.https && self.connector.offers_h2() {
                    self.pool.note_declined_h2(key);
                }
                (Conn::H1(c), false)
            }
            Connected::H2(c) => (Conn::H2(self.pool.insert_h2(key.clone(), c)), false),
        })
    }
}

/// The most connections one request is tried on when pooled ones turn out to be closed.
const MAX_TRIES: u32 = 4;

/// Why an exchange produced no response head.
enum Unsent {
    /// The request was never written; here it is back.
    Back(Box<http::Request<SendBody>>),
    /// It failed for good.
    Failed(Error),
}

impl Unsent {
    fn into_error(self) -> Error {
        match self {
            Unsent::Failed(e) => e,
            // Only `try_send_request` hands requests back.
            Unsent::Back(_) => {
                Error::new(ErrorKind::Write).with_message("the request was not sent")
            }
        }
    }
}

/// What hyper's send futures fail with: a plain error, or one that may hand the request back.
trait SendFailure {
    fn split(self) -> (hyper::Error, Option<http::Request<SendBody>>);
}

impl SendFailure for hyper::Error {
    fn split(self) -> (hyper::Error, Option<http::Request<SendBody>>) {
        (self, None)
    }
}

impl SendFailure for hyper::client::conn::TrySendError<http::Request<SendBody>> {
    fn split(mut self) -> (hyper::Error, Option<http::Request<SendBody>>) {
        let req = self.take_message();
        (self.into_error(), req)
    }
}

/// Sends the request and waits for the response head, under the write timeout while hyper
/// pulls the body and the read timeout after.
async fn exchange<F, E>(
    sent: F,
    progress: &Tracker,
    timeout: &Timeout,
    url: &Url,
) -> std::result::Result<http::Response<Incoming>, Unsent>
where
    F: Future<Output = std::result::Result<http::Response<Incoming>, E>>,
    E: SendFailure,
{
    let watchdog = upload::watchdog(progress.clone(), timeout.get_write(), timeout.get_read());
    tokio::select! {
        biased;
        result = sent => result.map_err(|e| match e.split() {
            (_, Some(req)) => Unsent::Back(Box::new(req)),
            (e, None) => {
                let phase = if Progress::is_done(progress) { Phase::ReadHead } else { Phase::Write };
                Unsent::Failed(map_hyper_error(e, phase, url))
            }
        }),
        e = watchdog => Err(Unsent::Failed(e.with_url(url.clone()))),
    }
}

/// The hyper request for an exchange over `version`, and the progress of its body. `forward`:
/// the HTTP proxy this plain-http request is sent to, in absolute form.
fn build_request(
    parts: Parts,
    body: Body,
    version: Version,
    forward: Option<&proxy::Route>,
) -> Result<(http::Request<SendBody>, Tracker)> {
    let url = &parts.url;
    // HTTP/1.1 sends the origin form (`/path?query`), or the absolute form to a proxy; hyper's
    // HTTP/2 needs scheme and authority.
    let absolute;
    let target = if version == Version::HTTP_2 || forward.is_some() {
        absolute = head::absolute_form(url);
        absolute.as_str()
    } else {
        head::origin_form(url)
    };
    let uri: http::Uri = target.parse().map_err(|e| {
        Error::builder("the URL is not a valid request target")
            .with_source(e)
            .with_url(url.clone())
    })?;

    let mut headers = parts.headers;
    // Proxy credentials go to the proxy only: on a request the proxy reads (absolute form),
    // never on one an origin reads (direct, or through a tunnel).
    match forward.map(|r| r.authorization()) {
        Some(Some(auth)) => {
            headers.insert(PROXY_AUTHORIZATION, auth.clone());
        }
        Some(None) => {}
        None => {
            headers.remove(PROXY_AUTHORIZATION);
        }
    }
    if version == Version::HTTP_2 {
        // `:authority` carries the host on HTTP/2.
        headers.remove(HOST);
    } else if !headers.contains_key(HOST) {
        headers.insert(HOST, head::host_header(url)?);
    }
    if let Some(n) = head::content_length(&parts.method, &headers, &body) {
        headers.insert(CONTENT_LENGTH, HeaderValue::from(n));
    }
    let len = body.content_length();

    let progress = Progress::new(len == Some(0));
    let mut request = http::Request::new(SendBody::new(body, progress.clone()));
    *request.method_mut() = parts.method;
    *request.uri_mut() = uri;
    *request.version_mut() = version;
    *request.headers_mut() = headers;
    Ok((request, progress))
}

/// Where in an exchange a hyper error happened; decides the [`ErrorKind`] of I/O failures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Phase {
    /// The hyper handshake on a fresh connection.
    Handshake,
    /// Sending the request head and body.
    Write,
    /// Waiting for the response head.
    ReadHead,
    /// Reading the response body.
    ReadBody,
}

/// Maps a hyper error to anyfetch's kinds, keeping it as the source:
///
/// | hyper error | kind |
/// |---|---|
/// | malformed message (`is_parse`), connection closed mid-message (`is_incomplete_message`), a body shorter than announced or a bad chunk | `Protocol` |
/// | the request body stream failed, or the body write was aborted | `Write` |
/// | another misuse hyper rejects before sending (`is_user`) | `Builder` |
/// | a TLS alert refusing the session, read after the handshake (TLS 1.3 client certificates; see `tls::refused_by_alert`) | `Connect` |
/// | any other failure (I/O, reset, h2 stream errors) | by phase: `Connect`, `Write`, `Read` |
pub(super) fn map_hyper_error(e: hyper::Error, phase: Phase, url: &Url) -> Error {
    let by_phase = match phase {
        Phase::Handshake => ErrorKind::Connect,
        Phase::Write => ErrorKind::Write,
        Phase::ReadHead | Phase::ReadBody => ErrorKind::Read,
    };
    let io_kind = io_error_kind(&e);
    let kind = if e.is_parse() || e.is_incomplete_message() {
        ErrorKind::Protocol
    } else if e.is_timeout() {
        ErrorKind::Timeout(match phase {
            Phase::Handshake => TimeoutKind::Connect,
            Phase::Write => TimeoutKind::Write,
            Phase::ReadHead | Phase::ReadBody => TimeoutKind::Read,
        })
    } else if e.is_body_write_aborted() || (e.is_user() && has_source::<Error>(&e)) {
        ErrorKind::Write
    } else if e.is_user() {
        ErrorKind::Builder
    } else if tls::refused_by_alert(&e) {
        ErrorKind::Connect
    } else if phase == Phase::ReadBody
        && matches!(
            io_kind,
            Some(
                std::io::ErrorKind::UnexpectedEof
                    | std::io::ErrorKind::InvalidData
                    | std::io::ErrorKind::InvalidInput
            )
        )
    {
        // hyper reports a body cut short of its Content-Length as UnexpectedEof and a bad
        // chunk-size line as InvalidInput: the peer broke the protocol.
        ErrorKind::Protocol
    } else {
        by_phase
    };
    Error::new(kind).with_source(e).with_url(url.clone())
}

/// The kind of the first `io::Error` in `e`'s source chain.
fn io_error_kind(e: &(dyn std::error::Error + 'static)) -> Option<std::io::ErrorKind> {
    let mut next = Some(e);
    while let Some(err) = next {
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            return Some(io.kind());
        }
        next = err.source();
    }
    None
}

/// True when `e`'s source chain holds a `T`.
fn has_source<T: std::error::Error + 'static>(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut next = e.source();
    while let Some(err) = next {
        if err.is::<T>() {
            return true;
        }
        next = err.source();
    }
    false
}

#[cfg(test)]
mod tests;
