//! Accept loops: routing raw `/misbehave/` connections, serving the rest with hyper.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::{sleep, timeout_at, Instant};
use tokio_rustls::TlsAcceptor;

use crate::req::Ctx;
use crate::State;

/// Waits for the next connection (retrying after accept errors such as too many open files) and
/// gives it its number and context.
async fn accept(
    listener: &TcpListener,
    state: &Arc<State>,
    scheme: &'static str,
) -> (TcpStream, Ctx) {
    loop {
        match listener.accept().await {
            Ok((stream, peer)) => {
                let _ = stream.set_nodelay(true);
                let ctx = Ctx {
                    state: state.clone(),
                    conn_id: state.next_conn(),
                    scheme,
                    peer: Some(peer.ip()),
                    hijack: None,
                    client_cert: None,
                };
                return (stream, ctx);
            }
            Err(_) => sleep(Duration::from_millis(10)).await,
        }
    }
}

pub(crate) async fn run_plain(listener: TcpListener, state: Arc<State>) {
    loop {
        let (stream, ctx) = accept(&listener, &state, "http").await;
        tokio::spawn(route_plain(stream, ctx));
    }
}

/// Serves plain HTTP (HTTP/1.1 and h2c prior knowledge) on a Unix socket: every route but the
/// raw `/misbehave/` ones, which need a TCP socket to peek at.
#[cfg(unix)]
pub(crate) async fn run_unix(listener: tokio::net::UnixListener, state: Arc<State>) {
    loop {
        match listener.accept().await {
            Ok((stream, _)) => {
                let ctx = Ctx {
                    state: state.clone(),
                    conn_id: state.next_conn(),
                    scheme: "http",
                    peer: None,
                    hijack: None,
                    client_cert: None,
                };
                tokio::spawn(serve_hyper(stream, ctx));
            }
            Err(_) => sleep(Duration::from_millis(10)).await,
        }
    }
}

pub(crate) async fn run_tls(
    listener: TcpListener,
    config: Arc<rustls::ServerConfig>,
    state: Arc<State>,
) {
    let acceptor = TlsAcceptor::from(config);
    loop {
        let (stream, mut ctx) = accept(&listener, &state, "https").await;
        let acceptor = acceptor.clone();
        tokio::spawn(async move {
            let accept = tokio::time::timeout(Duration::from_secs(10), acceptor.accept(stream));
            if let Ok(Ok(tls)) = accept.await {
                ctx.client_cert = tls
                    .get_ref()
                    .1
                    .peer_certificates()
                    .and_then(|chain| chain.first())
                    .map(|cert| Arc::new(cert.to_vec()));
                serve_hyper(tls, ctx).await;
            }
        });
    }
}

/// What the first bytes of a plain connection say about how to serve it.
enum Route {
    /// HTTP/1.1 (hyper; later `/misbehave/` requests hijack the socket).
    Http1,
    /// h2c prior knowledge.
    H2c,
    Raw,
    Close,
}

/// Peeks at the request line: `/misbehave/...` paths are served raw, the rest by hyper
/// (including h2c prior-knowledge connections, which start with `PRI * HTTP/2.0`).
async fn classify(stream: &TcpStream) -> Route {
    const PREFACE: &[u8] = b"PRI * HTTP/2.0";
    let mut buf = [0u8; 2048];
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let n = match timeout_at(deadline, stream.peek(&mut buf)).await {
            Ok(Ok(n)) => n,
            _ => return Route::Close,
        };
        if n == 0 {
            return Route::Close;
        }
        let data = &buf[..n];
        if data.starts_with(PREFACE) {
            return Route::H2c;
        }
        if let Some(end) = data.iter().position(|&b| b == b'\n') {
            return if crate::raw::is_raw_request_line(&data[..end]) {
                Route::Raw
            } else {
                Route::Http1
            };
        }
        if n == buf.len() {
            return Route::Http1;
        }
        // The request line is incomplete: wait for more bytes (peek does not wait for *new* data).
        sleep(Duration::from_millis(2)).await;
    }
}

async fn route_plain(stream: TcpStream, mut ctx: Ctx) {
    match classify(&stream).await {
        Route::H2c => serve_hyper(stream, ctx).await,
        Route::Http1 => {
            let (io, slot) = crate::hijack::HijackIo::new(stream);
            ctx.hijack = Some(slot);
            serve_hyper(io, ctx).await
        }
        Route::Raw => crate::raw::handle(stream).await,
        Route::Close => {}
    }
}

async fn serve_hyper<I>(io: I, ctx: Ctx)
where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let svc = service_fn(move |req| {
        let ctx = ctx.clone();
        async move { Ok::<_, Infallible>(crate::routes::handle(req, ctx).await) }
    });
    let _ = Builder::new(TokioExecutor::new())
        .serve_connection(TokioIo::new(io), svc)
        .await;
}
