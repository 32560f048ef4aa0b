//! The native backend against the project's own local server, for what only it does: keep-alive
//! reuse, h2c, TLS roots, the pool and the write timeout. The behaviour every backend shares
//! (the httpx guides' examples, the fault table, timeouts, streaming) is in `tests/behaviour.rs`.
#![cfg(all(feature = "native", not(target_arch = "wasm32")))]

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use anyfetch::{
    Certificate, Client, ClientBuilder, Identity, Limits, Timeout, TimeoutKind, TlsVersion, Version,
};
use anyfetch_testserver::{TestServer, TlsOptions};
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

/// Servers that require a client certificate (mutual TLS): TLS 1.3 and 1.2, then TLS 1.2 only.
fn mtls_servers() -> &'static [TestServer; 2] {
    static S: OnceLock<[TestServer; 2]> = OnceLock::new();
    S.get_or_init(|| {
        [false, true].map(|tls12_only| {
            TestServer::start_with_tls_options(TlsOptions {
                require_client_cert: true,
                tls12_only,
            })
        })
    })
}

/// A builder trusting `s`'s certificate.
fn trusting(s: &TestServer) -> ClientBuilder {
    Client::builder()
        .add_root_certificate(Certificate::from_pem(s.cert_pem().unwrap().as_bytes()).unwrap())
}

#[tokio::test]
async fn mutual_tls_presents_the_identity_and_fails_without_it() {
    use base64::Engine;
    use rustls_pki_types::pem::PemObject;
    for (s, tls12) in mtls_servers().iter().zip([false, true]) {
        let pem = s.client_identity_pem().unwrap();
        let client_cert = rustls_pki_types::CertificateDer::from_pem_slice(pem.as_bytes()).unwrap();
        let expected = base64::engine::general_purpose::STANDARD.encode(&client_cert);
        for http2 in [false, true] {
            let client = trusting(s)
                .identity(Identity::from_pem(pem.as_bytes()).unwrap())
                .http2(http2)
                .build()
                .unwrap();
            let mut r = client.get(s.https_url("/tls/client-cert")).await.unwrap();
            assert_eq!(
                r.version(),
                if http2 {
                    Version::HTTP_2
                } else {
                    Version::HTTP_11
                }
            );
            let seen = r.json::<Value>().await.unwrap();
            assert_eq!(
                seen["client_cert"],
                expected.as_str(),
                "the server saw our certificate"
            );

            let e = trusting(s)
                .http2(http2)
                .build()
                .unwrap()
                .get(s.https_url("/tls/client-cert"))
                .await
                .unwrap_err();
            // TLS 1.2 refuses in the handshake. TLS 1.3 refuses after the client's side of
            // it, by an alert: read in place of the HTTP/1.1 response, it is a connect error;
            // over HTTP/2, h2 keeps only an I/O error's kind, and the server's close may
            // discard the alert unread, so it can surface as a broken pipe.
            if tls12 || !http2 {
                assert!(e.is_connect(), "no client certificate: {e:?}");
            }
        }
    }
    // The server without client auth sees none.
    let pem = mtls_servers()[0].client_identity_pem().unwrap();
    let plain = server();
    let mut r = trusting(plain)
        .identity(Identity::from_pem(pem.as_bytes()).unwrap())
        .build()
        .unwrap()
        .get(plain.https_url("/tls/client-cert"))
        .await
        .unwrap();
    assert_eq!(r.json::<Value>().await.unwrap()["client_cert"], Value::Null);
}

#[test]
fn an_unusable_identity_is_a_builder_error() {
    let pem = mtls_servers()[0].client_identity_pem().unwrap();
    let cert_only: String = pem
        .split_inclusive('\n')
        .take_while(|l| !l.contains("PRIVATE KEY"))
        .collect();
    assert!(cert_only.contains("END CERTIFICATE"));
    // Another key than the certificate's.
    let other_key = rcgen::KeyPair::generate().unwrap().serialize_pem();
    let mismatched = Identity::from_pem(format!("{cert_only}{other_key}").as_bytes()).unwrap();
    let e = Client::builder().identity(mismatched).build().unwrap_err();
    assert!(e.is_builder(), "a key that is not the certificate's: {e:?}");
    assert!(
        !format!("{e:?} {e}").contains(other_key.lines().nth(1).unwrap()),
        "{e:?}"
    );
    // A well-formed PEM block that is no key.
    let garbage =
        format!("{cert_only}-----BEGIN PRIVATE KEY-----\naGVsbG8=\n-----END PRIVATE KEY-----\n");
    let e = Client::builder()
        .identity(Identity::from_pem(garbage.as_bytes()).unwrap())
        .build()
        .unwrap_err();
    assert!(e.is_builder(), "a key that cannot be loaded: {e:?}");
    // No key, no certificate, not PEM at all.
    let key_only: String = pem
        .split_inclusive('\n')
        .skip_while(|l| !l.contains("PRIVATE KEY"))
        .collect();
    for bad in [
        cert_only.as_str(),
        key_only.as_str(),
        "",
        "garbage",
        &pem[..pem.len() / 2],
    ] {
        let e = Identity::from_pem(bad.as_bytes()).unwrap_err();
        assert!(e.is_builder(), "{bad:?}: {e:?}");
    }
}

#[tokio::test]
async fn min_tls_version_1_3_refuses_a_tls_1_2_server() {
    let tls12 = TestServer::start_with_tls_options(TlsOptions {
        tls12_only: true,
        ..TlsOptions::default()
    });
    let r = trusting(&tls12)
        .build()
        .unwrap()
        .get(tls12.https_url("/get"))
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "TLS 1.2 is accepted by default");
    let e = trusting(&tls12)
        .min_tls_version(TlsVersion::TLS_1_3)
        .build()
        .unwrap()
        .get(tls12.https_url("/get"))
        .await
        .unwrap_err();
    assert!(e.is_connect(), "{e:?}");
    let s = server();
    let r = trusting(s)
        .min_tls_version(TlsVersion::TLS_1_3)
        .build()
        .unwrap()
        .get(s.https_url("/get"))
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "a TLS 1.3 server");
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
