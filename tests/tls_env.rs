//! `SSL_CERT_FILE` and `SSL_CERT_DIR` with `ClientBuilder::trust_env`. Environment variables
//! belong to the whole process, so this test binary holds this one test alone, which sets and
//! removes them itself.
#![cfg(all(feature = "native", not(target_arch = "wasm32")))]

use anyfetch::{Client, Response, Result};
use anyfetch_testserver::TestServer;

async fn get(url: &str, trust_env: bool) -> Result<Response> {
    Client::builder()
        .trust_env(trust_env)
        .build()
        .unwrap()
        .get(url)
        .await
}

#[tokio::test]
async fn ssl_cert_file_and_dir_replace_the_system_store_only_with_trust_env() {
    let s = TestServer::start_with_tls();
    let url = s.https_url("/get");
    let dir = std::env::temp_dir().join(format!("anyfetch-tls-env-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ca = dir.join("test-ca.pem");
    std::fs::write(&ca, s.cert_pem().unwrap()).unwrap();

    // Neither variable: the system's store, which does not hold the test server's CA.
    std::env::remove_var("SSL_CERT_FILE");
    std::env::remove_var("SSL_CERT_DIR");
    for trust_env in [true, false] {
        let e = get(&url, trust_env).await.unwrap_err();
        assert!(e.is_connect(), "the system's store: {e:?}");
    }

    // SSL_CERT_FILE: a PEM bundle.
    std::env::set_var("SSL_CERT_FILE", &ca);
    assert_eq!(get(&url, true).await.unwrap().status(), 200);
    let e = get(&url, false).await.unwrap_err();
    assert!(
        e.is_connect(),
        "trust_env(false) ignores SSL_CERT_FILE: {e:?}"
    );

    // SSL_CERT_DIR: directories separated as in PATH; one that does not exist is skipped.
    std::env::remove_var("SSL_CERT_FILE");
    let dirs = std::env::join_paths([dir.join("missing"), dir.clone()]).unwrap();
    std::env::set_var("SSL_CERT_DIR", &dirs);
    assert_eq!(get(&url, true).await.unwrap().status(), 200);
    let e = get(&url, false).await.unwrap_err();
    assert!(
        e.is_connect(),
        "trust_env(false) ignores SSL_CERT_DIR: {e:?}"
    );

    // A variable naming nothing that exists is ignored (the system's store applies).
    std::env::set_var("SSL_CERT_DIR", dir.join("missing"));
    std::env::set_var("SSL_CERT_FILE", dir.join("missing.pem"));
    let e = get(&url, true).await.unwrap_err();
    assert!(e.is_connect(), "{e:?}");

    std::env::remove_var("SSL_CERT_FILE");
    std::env::remove_var("SSL_CERT_DIR");
    std::fs::remove_dir_all(&dir).unwrap();
}
