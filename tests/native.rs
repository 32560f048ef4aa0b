//! The native backend against the project's own local server, for what only it does: keep-alive
//! reuse, h2c, TLS roots, the pool and the write timeout. The behaviour every backend shares
//! (the httpx guides' examples, the fault table, timeouts, streaming) is in `tests/behaviour.rs`.
#![cfg(all(feature = "native", not(target_arch = "wasm32")))]

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use anyfetch::{Certificate, Client, Limits, Timeout, TimeoutKind, Version};
use anyfetch_testserver::TestServer;
use serde_json::Value;

fn server() -> &'static TestServer {
    static S: OnceLock<TestServer> = OnceLock::new();
    S.get_or_init(TestServer::start_with_tls)
}

fn url(path: &str) -> String {
    server().url(path)
}

/// Base URLs and default headers are in the behaviour suite; what is native is the pool.
#[tokio::test]
async fn a_client_reuses_its_connection_once_a_body_is_read() {
    let client = Client::builder()
        .base_url(server().url("/"))
        .build()
        .unwrap();
    let mut a = client.get("/get").await.unwrap();
    a.bytes().await.unwrap();
    // The first body is read to its end, so its connection is back in the pool for the second.
    let mut b = client.get("/anything").await.unwrap();
    b.bytes().await.unwrap();
    assert_eq!(
        a.headers()["x-connection-id"],
        b.headers()["x-connection-id"],
        "keep-alive reuse"
    );
}

#[tokio::test]
async fn h2c_by_prior_knowledge() {
    let client = Client::builder()
        .http2_prior_knowledge(true)
        .build()
        .unwrap();
    let rs = futures::future::join_all((0..3).map(|_| client.get(url("/get")).send())).await;
    let mut ids = Vec::new();
    for r in rs {
        let r = r.unwrap();
        assert_eq!(r.version(), Version::HTTP_2);
        ids.push(r.headers()["x-connection-id"].clone());
    }
    assert!(
        ids.windows(2).all(|w| w[0] == w[1]),
        "one multiplexed connection: {ids:?}"
    );
}

#[tokio::test]
async fn tls_with_a_test_root_h1_and_h2_by_alpn() {
    let s = server();
    let cert = Certificate::from_pem(s.cert_pem().unwrap().as_bytes()).unwrap();
    let client = Client::builder()
        .add_root_certificate(cert.clone())
        .build()
        .unwrap();
    let r = client.get(s.https_url("/get")).await.unwrap();
    assert_eq!((r.status().as_u16(), r.version()), (200, Version::HTTP_11));
    let h2 = Client::builder()
        .add_root_certificate(cert)
        .http2(true)
        .build()
        .unwrap();
    let mut r = h2.get(s.https_url("/get")).await.unwrap();
    assert_eq!(r.version(), Version::HTTP_2);
    assert_eq!(r.json::<Value>().await.unwrap()["url"], s.https_url("/get"));
    let e = Client::new().get(s.https_url("/get")).await.unwrap_err();
    assert!(e.is_connect(), "an unknown issuer is refused: {e}");
    let r = Client::builder()
        .danger_accept_invalid_certs(true)
        .build()
        .unwrap()
        .get(s.https_url("/get"))
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn pool_limit_and_pool_timeout() {
    let client = Client::builder()
        .limits(Limits::default().max_connections(1))
        .timeout(Timeout::default().pool(Duration::from_millis(300)))
        .build()
        .unwrap();
    let (a, b) = futures::join!(client.get(url("/delay/1")).send(), async {
        tokio::time::sleep(Duration::from_millis(100)).await;
        client.get(url("/get")).send().await
    });
    assert_eq!(a.unwrap().status(), 200);
    assert_eq!(b.unwrap_err().timeout_kind(), Some(TimeoutKind::Pool));
}

#[tokio::test]
async fn streamed_upload_and_write_timeout() {
    let chunks =
        futures::stream::iter((0..64).map(|_| Ok::<_, std::io::Error>(vec![b'x'; 16 * 1024])));
    let mut r = anyfetch::post(url("/upload-sink"))
        .body(anyfetch::Body::from_stream(chunks))
        .await
        .unwrap();
    assert_eq!(r.json::<Value>().await.unwrap()["received"], 64 * 16 * 1024);

    let big = vec![b'x'; 64 << 20];
    let start = Instant::now();
    let e = anyfetch::post(url("/misbehave/no-read"))
        .body(big)
        .timeout(Duration::from_secs(1))
        .await
        .unwrap_err();
    assert_eq!(e.timeout_kind(), Some(TimeoutKind::Write), "{e}");
    assert!(start.elapsed() < Duration::from_secs(4));
}

#[cfg(unix)]
#[path = "native/dial.rs"]
mod dial;
