//! `anyfetch-testserver`: an httpbin-compatible HTTP server for anyfetch's test suites.
//!
//! Use [`TestServer::start`] from native tests (the server runs on its own thread with its
//! own tokio runtime), or run the `anyfetch-testserver` binary for the WASI and browser suites.

// Handlers return `Result<Resp, Resp>` so that `?` turns a bad input into its 400 response.
#![allow(clippy::result_large_err)]

mod auth;
mod content;
mod echo;
mod encode;
pub use encode::compress;
mod hijack;
mod raw;
mod req;
mod routes;
mod server;
mod sse;
mod stream;
mod tls;
mod util;

use std::collections::HashMap;
use std::io;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// State shared by every connection of one server.
#[derive(Default)]
pub(crate) struct State {
    /// Accepted TCP connections so far (plain and TLS).
    conns: AtomicU64,
    /// Digest nonces issued, with the opaque value sent alongside each.
    digest_nonces: Mutex<HashMap<String, String>>,
    /// `/retry/{key}` attempt counters.
    retries: Mutex<HashMap<String, u64>>,
    /// `/upload-sink?key=K` outcomes: how each keyed upload ended, for `/upload-result/{key}`.
    uploads: Mutex<HashMap<String, serde_json::Value>>,
}

impl State {
    /// Counts a newly accepted connection and returns its 1-based id.
    pub(crate) fn next_conn(&self) -> u64 {
        self.conns.fetch_add(1, Ordering::SeqCst) + 1
    }
}

/// How the TLS listener behaves; [`Default`] is what [`TestServer::start_with_tls`] uses.
#[derive(Clone, Copy, Debug, Default)]
pub struct TlsOptions {
    /// Require a client certificate issued by a fresh client CA (mutual TLS): a handshake
    /// without one fails. [`TestServer::client_identity_pem`] gives the one it accepts, and
    /// `/tls/client-cert` echoes the certificate a client presented.
    pub require_client_cert: bool,
    /// Speak TLS 1.2 only (TLS 1.2 and 1.3 otherwise).
    pub tls12_only: bool,
}

/// A running test server. Dropping it stops the server's runtime.
pub struct TestServer {
    addr: SocketAddr,
    tls_addr: Option<SocketAddr>,
    cert_pem: Option<String>,
    client_identity_pem: Option<String>,
    state: Arc<State>,
    /// The Unix socket's path, removed when the server is dropped.
    unix_path: Option<PathBuf>,
    _shutdown: tokio::sync::oneshot::Sender<()>,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(path) = &self.unix_path {
            let _ = std::fs::remove_file(path);
        }
    }
}

impl TestServer {
    /// Starts plain HTTP (HTTP/1.1 and h2c prior knowledge) on 127.0.0.1, any free port.
    pub fn start() -> TestServer {
        Self::bind(0, None).expect("anyfetch-testserver: failed to start")
    }

    /// Like [`TestServer::start`], plus a TLS listener with a fresh self-signed certificate
    /// for `localhost` and `127.0.0.1` (ALPN `h2` and `http/1.1`).
    pub fn start_with_tls() -> TestServer {
        Self::bind(0, Some(0)).expect("anyfetch-testserver: failed to start")
    }

    /// Like [`TestServer::start_with_tls`], with the TLS listener shaped by `options`.
    pub fn start_with_tls_options(options: TlsOptions) -> TestServer {
        Self::bind_with(0, Some(0), options).expect("anyfetch-testserver: failed to start")
    }

    /// Binds 127.0.0.1:`port` (0 = any free port), and a TLS listener on `tls_port` if given.
    pub fn bind(port: u16, tls_port: Option<u16>) -> io::Result<TestServer> {
        Self::bind_with(port, tls_port, TlsOptions::default())
    }

    /// [`TestServer::bind`] with the TLS listener shaped by `options`.
    pub fn bind_with(
        port: u16,
        tls_port: Option<u16>,
        options: TlsOptions,
    ) -> io::Result<TestServer> {
        Self::bind_all(port, tls_port, options, None)
    }

    /// Like [`TestServer::start`], plus plain HTTP (HTTP/1.1 and h2c prior knowledge) on a Unix
    /// socket created at `path` (which must not exist yet; it is removed when the server is
    /// dropped). The socket serves every route but the raw `/misbehave/` ones; there `origin`
    /// is `unix`.
    #[cfg(unix)]
    pub fn bind_unix(path: impl AsRef<Path>) -> io::Result<TestServer> {
        Self::bind_all(0, None, TlsOptions::default(), Some(path.as_ref()))
    }

    fn bind_all(
        port: u16,
        tls_port: Option<u16>,
        options: TlsOptions,
        unix: Option<&Path>,
    ) -> io::Result<TestServer> {
        #[cfg(unix)]
        let unix_listener = match unix {
            Some(path) => {
                let l = std::os::unix::net::UnixListener::bind(path)?;
                l.set_nonblocking(true)?;
                Some(l)
            }
            None => None,
        };
        let plain = std::net::TcpListener::bind(("127.0.0.1", port))?;
        plain.set_nonblocking(true)?;
        let addr = plain.local_addr()?;
        let tls = match tls_port {
            Some(p) => {
                let l = std::net::TcpListener::bind(("127.0.0.1", p))?;
                l.set_nonblocking(true)?;
                Some((l, tls::server_config(options)?))
            }
            None => None,
        };
        let tls_addr = match &tls {
            Some((l, _)) => Some(l.local_addr()?),
            None => None,
        };
        let cert_pem = tls.as_ref().map(|(_, setup)| setup.cert_pem.clone());
        let client_identity_pem = tls
            .as_ref()
            .and_then(|(_, setup)| setup.client_identity_pem.clone());

        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .thread_name("anyfetch-testserver")
            .build()?;
        let state = Arc::new(State::default());
        let (plain, tls, unix_loop) = {
            let _guard = rt.enter();
            #[cfg(unix)]
            let unix_loop = match unix_listener {
                Some(l) => Some(server::run_unix(
                    tokio::net::UnixListener::from_std(l)?,
                    state.clone(),
                )),
                None => None,
            };
            #[cfg(not(unix))]
            let unix_loop: Option<std::future::Pending<()>> = None;
            let plain = tokio::net::TcpListener::from_std(plain)?;
            let tls = match tls {
                Some((l, setup)) => Some((tokio::net::TcpListener::from_std(l)?, setup.config)),
                None => None,
            };
            (plain, tls, unix_loop)
        };
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let st = state.clone();
        std::thread::Builder::new()
            .name("anyfetch-testserver".into())
            .spawn(move || {
                rt.block_on(async move {
                    let tls_loop = async {
                        match tls {
                            Some((l, config)) => server::run_tls(l, config, st.clone()).await,
                            None => std::future::pending().await,
                        }
                    };
                    let unix_loop = async {
                        match unix_loop {
                            Some(serve) => serve.await,
                            None => std::future::pending().await,
                        }
                    };
                    tokio::select! {
                        _ = rx => {}
                        _ = server::run_plain(plain, st.clone()) => {}
                        _ = tls_loop => {}
                        _ = unix_loop => {}
                    }
                });
            })?;
        Ok(TestServer {
            addr,
            tls_addr,
            cert_pem,
            client_identity_pem,
            state,
            unix_path: unix.map(Path::to_path_buf),
            _shutdown: tx,
        })
    }

    /// `http://127.0.0.1:PORT` followed by `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// `https://localhost:TLSPORT` followed by `path`. Panics if TLS was not started.
    pub fn https_url(&self, path: &str) -> String {
        let addr = self
            .tls_addr
            .expect("TestServer::https_url: server was started without TLS");
        format!("https://localhost:{}{}", addr.port(), path)
    }

    /// The plain HTTP listener's address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The TLS listener's address, if TLS was started.
    pub fn tls_addr(&self) -> Option<SocketAddr> {
        self.tls_addr
    }

    /// The self-signed certificate (PEM) of the TLS listener, to trust as a root.
    pub fn cert_pem(&self) -> Option<&str> {
        self.cert_pem.as_deref()
    }

    /// The Unix socket's path, if the server was started by [`TestServer::bind_unix`].
    pub fn unix_path(&self) -> Option<&Path> {
        self.unix_path.as_deref()
    }

    /// With [`TlsOptions::require_client_cert`]: the client certificate the server accepts and
    /// its private key (PKCS#8), in one PEM text.
    pub fn client_identity_pem(&self) -> Option<&str> {
        self.client_identity_pem.as_deref()
    }

    /// Total connections accepted so far (plain, TLS and Unix socket).
    pub fn connections(&self) -> u64 {
        self.state.conns.load(Ordering::SeqCst)
    }
}
