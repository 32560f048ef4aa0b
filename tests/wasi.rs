//! What only the WASI backends do, run as components in wasmtime (`scripts/test.sh`): options
//! the host cannot honour, the host's error codes, timers and requests waiting together, and
//! (WASI 0.2, `#[test]`s) the reactor's fallbacks. The `behaviour_test!`s run on 0.3 too.
#![cfg(all(target_arch = "wasm32", target_os = "wasi"))]

#[macro_use]
mod common;

use std::time::{Duration, Instant};

use anyfetch::{Certificate, Client};
use common::{dead_port, url};

behaviour_test! {
    fn options_the_host_cannot_honour_are_refused_when_building() {
        let cert = Certificate::from_der(b"not checked before the backend sees it");
        let e = Client::builder()
            .add_root_certificate(cert)
            .build()
            .unwrap_err();
        assert!(e.is_unsupported(), "{e}");
        let e = Client::builder()
            .danger_accept_invalid_certs(true)
            .build()
            .unwrap_err();
        assert!(e.is_unsupported(), "{e}");
        let e = Client::builder()
            .http2_prior_knowledge(true)
            .build()
            .unwrap_err();
        assert!(e.is_unsupported(), "{e}");
        // Limits are accepted and do not apply: the host pools.
        Client::builder()
            .limits(anyfetch::Limits::default().max_connections(1))
            .build()
            .unwrap();
    }
}

behaviour_test! {
    fn a_header_the_host_forbids_is_refused_not_dropped() {
        let e = anyfetch::get(url("/get"))
            .header("Connection", "close")
            .await
            .unwrap_err();
        assert!(e.is_unsupported(), "{e}");
        assert!(e.to_string().contains("connection"), "{e}");
    }
}

behaviour_test! {
    fn a_connect_error_keeps_the_wasi_error_code() {
        let e = anyfetch::get(format!("http://127.0.0.1:{}/", dead_port()))
            .await
            .unwrap_err();
        assert!(e.is_connect(), "{e}");
        let source = std::error::Error::source(&e).expect("a source");
        assert_eq!(
            source.to_string(),
            "wasi:http error-code connection-refused"
        );
        // The host's code itself, by downcasting; Display does not repeat it.
        let host = source
            .downcast_ref::<anyfetch::WasiHttpError>()
            .expect("a WasiHttpError");
        assert!(
            matches!(host.code(), anyfetch::ErrorCode::ConnectionRefused),
            "{host:?}"
        );
        assert!(!e.to_string().contains("connection-refused"), "{e}");
        assert!(
            e.display_chain()
                .to_string()
                .ends_with(": wasi:http error-code connection-refused"),
            "{}",
            e.display_chain()
        );
    }
}

/// WASI 0.2: futures driven without `block_on` (there is no reactor on 0.3).
#[test]
fn a_future_driven_by_another_executor_still_completes() {
    // No anyfetch::block_on runs: each wait blocks on its pollable instead of hanging.
    let start = Instant::now();
    let mut r = futures::executor::block_on(anyfetch::get(url("/delay/1")).send()).unwrap();
    assert_eq!(r.status(), 200);
    assert!(futures::executor::block_on(r.bytes()).is_ok());
    assert!(start.elapsed() >= Duration::from_secs(1));
}

#[cfg(feature = "blocking")]
#[test]
fn block_on_nests_and_keeps_outer_requests_going() {
    let start = Instant::now();
    let (outer, inner) = anyfetch::block_on(async {
        let outer = anyfetch::get(url("/delay/1")).send();
        let inner = async {
            // A blocking call inside a task: a nested block_on that waits for the outer
            // request's pollables too.
            anyfetch::blocking::get(url("/delay/1")).send()
        };
        futures::join!(outer, inner)
    });
    assert_eq!(outer.unwrap().status(), 200);
    assert_eq!(inner.unwrap().status(), 200);
    assert!(
        start.elapsed() < Duration::from_secs(4),
        "{:?}",
        start.elapsed()
    );
}

behaviour_test! {
    fn timers_and_requests_wait_together() {
        let start = Instant::now();
        let client = Client::builder()
            .retry(anyfetch::Retry::new(1).backoff_factor(1.0).jitter(0.0))
            .build()
            .unwrap();
        let key = format!(
            "wasi{}",
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        );
        // A retry after a 503 sleeps its one-second backoff (a monotonic-clock pollable) while
        // a one-second request waits in the same poll: about one second in all, not two.
        let (retried, slow) = futures::join!(
            client
                .get(url(&format!("/retry/{key}?fail=1&status=503")))
                .send(),
            client.get(url("/delay/1")).send(),
        );
        assert_eq!(retried.unwrap().status(), 200);
        assert_eq!(slow.unwrap().status(), 200);
        let took = start.elapsed();
        assert!(
            took >= Duration::from_secs(1) && took < Duration::from_millis(1800),
            "{took:?}"
        );
    }
}
