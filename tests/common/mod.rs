//! The harness of the behaviour suite, so that one suite runs on three hosts:
//!
//! - natively, the test server runs inside the test process and each test runs on a tokio
//!   runtime of its own;
//! - on `wasm32-wasip2` (each test binary is a component run by wasmtime, see
//!   `.cargo/config.toml`), the server runs outside: `scripts/test.sh` starts the
//!   `anyfetch-testserver` binary and passes its URL in `ANYFETCH_TEST_SERVER`; each test runs
//!   with [`anyfetch::block_on`];
//! - on `wasm32-unknown-unknown` (the fetch backend), `wasm-bindgen-test-runner` runs the tests
//!   in Node, or with `WASM_BINDGEN_USE_BROWSER=1` in headless Chromium (`CHROMEDRIVER`) or
//!   headless Firefox (`GECKODRIVER`, which the runner prefers when both are set); the server's URL is
//!   read at compile time (`ANYFETCH_TEST_SERVER`, and `ANYFETCH_DEAD_PORT` for a port where
//!   nothing listens), and each test is an `async fn` under `#[wasm_bindgen_test]`.
//!
//! - as WASI 0.3 components (`tests/wasip3/`, feature `wasip3`), the same files are compiled
//!   into one command with the cfg `anyfetch_p3_suite`: each test is an `async fn` that the
//!   command's async `run` awaits (a 0.3 task cannot block, so libtest's synchronous `main`
//!   cannot run them); `tests/wasip3/run.sh` runs each case in its own `wasmtime run -S p3`.
//!
//! [`behaviour_test!`] writes one test for all of them.

#![allow(dead_code)]

#[cfg(not(any(all(target_arch = "wasm32", target_os = "unknown"), anyfetch_p3_suite)))]
use std::future::Future;

/// One behaviour test for every host: `#[test] fn name() { run(async { body }) }` natively and
/// on WASI 0.2, `#[wasm_bindgen_test] async fn name() { body }` on `wasm32-unknown-unknown`,
/// `pub async fn name() { body }` in the WASI 0.3 suite (whose build script lists the cases).
#[allow(unused_macros)]
macro_rules! behaviour_test {
    ($(#[$meta:meta])* fn $name:ident() $body:block) => {
        #[cfg(not(any(all(target_arch = "wasm32", target_os = "unknown"), anyfetch_p3_suite)))]
        $(#[$meta])*
        #[test]
        fn $name() {
            $crate::common::run(async $body)
        }

        #[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
        $(#[$meta])*
        #[wasm_bindgen_test::wasm_bindgen_test]
        async fn $name() $body

        #[cfg(anyfetch_p3_suite)]
        $(#[$meta])*
        pub async fn $name() $body
    };
}

/// Where the suite runs, for the few expectations that differ by host.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Host {
    /// hyper, natively.
    Native,
    /// `wasi:http` in wasmtime.
    Wasi,
    /// The fetch backend in Node.
    Node,
    /// The fetch backend in a browser (headless Chromium or Firefox: [`browser`] says which).
    Browser,
}

/// Which browser runs the suite, for the few expectations that differ between browsers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Browser {
    /// Chromium (`Chrome/` in the user agent).
    Chromium,
    /// Firefox (`Firefox/` in the user agent).
    Firefox,
}

/// The browser this suite runs in, `None` on the other hosts. Panics in a browser that is
/// neither: the suite states what Chromium and Firefox do, and no other has been run.
pub fn browser() -> Option<Browser> {
    imp::browser()
}

/// The host this test binary runs on.
pub fn host() -> Host {
    imp::host()
}

/// The fetch backend (Node or a browser).
pub fn is_fetch() -> bool {
    matches!(host(), Host::Node | Host::Browser)
}

/// A key that differs between runs (`std::process::id` and `SystemTime` do not work everywhere).
pub fn unique_key() -> String {
    imp::unique_key()
}

#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
#[allow(unused_imports)]
pub use std::time::Instant;

/// A monotonic clock for timing assertions (`std::time::Instant` panics on this target).
#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
#[derive(Clone, Copy, Debug)]
pub struct Instant(f64);

#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
impl Instant {
    pub fn now() -> Instant {
        Instant(js_sys::Date::now())
    }
    pub fn elapsed(&self) -> std::time::Duration {
        std::time::Duration::from_secs_f64((js_sys::Date::now() - self.0).max(0.0) / 1000.0)
    }
}

/// The test server's URL for `path` (`path` starts with `/`).
pub fn url(path: &str) -> String {
    format!("{}{path}", imp::base().trim_end_matches('/'))
}

/// Runs one test's future to completion on this host's executor.
#[cfg(not(any(all(target_arch = "wasm32", target_os = "unknown"), anyfetch_p3_suite)))]
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

    pub fn host() -> super::Host {
        super::Host::Native
    }

    pub fn browser() -> Option<super::Browser> {
        None
    }

    pub fn unique_key() -> String {
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap();
        format!("k{}-{}", std::process::id(), t.as_nanos())
    }
}

#[cfg(all(target_arch = "wasm32", target_os = "wasi"))]
mod imp {
    #[cfg(not(anyfetch_p3_suite))]
    use std::future::Future;

    pub fn base() -> String {
        std::env::var("ANYFETCH_TEST_SERVER").expect(
            "ANYFETCH_TEST_SERVER must hold the URL of a running anyfetch-testserver (scripts/test.sh starts one)",
        )
    }

    #[cfg(not(anyfetch_p3_suite))]
    pub fn run<F: Future>(future: F) -> F::Output {
        anyfetch::block_on(future)
    }

    /// A component cannot bind a socket to find a free port (no `wasi:sockets` under
    /// `wasmtime run -S http`): port 1 (tcpmux) is privileged and unused on test machines.
    pub fn dead_port() -> u16 {
        1
    }

    pub fn host() -> super::Host {
        super::Host::Wasi
    }

    pub fn browser() -> Option<super::Browser> {
        None
    }

    pub fn unique_key() -> String {
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap();
        format!("k{}", t.as_nanos())
    }
}

#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
mod imp {
    use wasm_bindgen::JsValue;

    pub fn base() -> String {
        match option_env!("ANYFETCH_TEST_SERVER") {
            Some(url) => url.to_owned(),
            None => panic!(
                "ANYFETCH_TEST_SERVER must hold, at compile time, the URL of a running anyfetch-testserver (scripts/test.sh starts one)"
            ),
        }
    }

    /// fetch refuses "bad ports" (1, 9, ... in the fetch standard) before connecting, so the
    /// script passes a free port it found; an arbitrary high port otherwise.
    pub fn dead_port() -> u16 {
        option_env!("ANYFETCH_DEAD_PORT")
            .and_then(|p| p.parse().ok())
            .unwrap_or(39_999)
    }

    pub fn host() -> super::Host {
        let get = |v: &JsValue, k: &str| js_sys::Reflect::get(v, &JsValue::from_str(k)).ok();
        let node = get(&js_sys::global(), "process")
            .and_then(|p| get(&p, "versions"))
            .and_then(|v| get(&v, "node"))
            .is_some_and(|n| n.is_string());
        if node {
            super::Host::Node
        } else {
            super::Host::Browser
        }
    }

    pub fn browser() -> Option<super::Browser> {
        if host() != super::Host::Browser {
            return None;
        }
        let get = |v: &JsValue, k: &str| js_sys::Reflect::get(v, &JsValue::from_str(k)).ok();
        let agent = get(&js_sys::global(), "navigator")
            .and_then(|n| get(&n, "userAgent"))
            .and_then(|a| a.as_string())
            .unwrap_or_default();
        if agent.contains("Firefox/") {
            Some(super::Browser::Firefox)
        } else if agent.contains("Chrome/") {
            Some(super::Browser::Chromium)
        } else {
            panic!(
                "the behaviour suite knows what Chromium and Firefox do, not this browser: {agent}"
            )
        }
    }

    pub fn unique_key() -> String {
        format!(
            "k{}-{}",
            js_sys::Date::now(),
            (js_sys::Math::random() * 1e9) as u64
        )
    }
}
