//! The harness of the behaviour suite, so that one suite runs on two hosts:
//!
//! - natively, the test server runs inside the test process and each test runs on a tokio
//!   runtime of its own;
//! - on `wasm32-wasip2` (each test binary is a component run by wasmtime, see
//!   `.cargo/config.toml`), the server runs outside: `scripts/test.sh` starts the
//!   `anyfetch-testserver` binary and passes its URL in `ANYFETCH_TEST_SERVER`; each test runs
//!   with [`anyfetch::block_on`].

#![allow(dead_code)]

use std::future::Future;

/// The test server's URL for `path` (`path` starts with `/`).
pub fn url(path: &str) -> String {
    format!("{}{path}", imp::base().trim_end_matches('/'))
}

/// Runs one test's future to completion on this host's executor.
pub fn run<F: Future>(future: F) -> F::Output {
    imp::run(future)
}

/// A local port where nothing listens.
pub fn dead_port() -> u16 {
    imp::dead_port()
}

#[cfg(not(target_arch = "wasm32"))]
mod imp {
    use std::future::Future;
    use std::sync::OnceLock;

    use anyfetch_testserver::TestServer;

    pub fn base() -> String {
        static SERVER: OnceLock<TestServer> = OnceLock::new();
        SERVER.get_or_init(TestServer::start).url("")
    }

    pub fn run<F: Future>(future: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a tokio runtime")
            .block_on(future)
    }

    pub fn dead_port() -> u16 {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    }
}

#[cfg(all(target_arch = "wasm32", target_os = "wasi"))]
mod imp {
    use std::future::Future;

    pub fn base() -> String {
        std::env::var("ANYFETCH_TEST_SERVER").expect(
            "ANYFETCH_TEST_SERVER must hold the URL of a running anyfetch-testserver (scripts/test.sh starts one)",
        )
    }

    pub fn run<F: Future>(future: F) -> F::Output {
        anyfetch::block_on(future)
    }

    /// A component cannot bind a socket to find a free port (no `wasi:sockets` under
    /// `wasmtime run -S http`): port 1 (tcpmux) is privileged and unused on test machines.
    pub fn dead_port() -> u16 {
        1
    }
}
