//! The environment's proxies (`HTTP_PROXY`, `NO_PROXY`...) with `trust_env` on and off, against
//! a real tinyproxy. One test in its own binary: the environment belongs to the whole process.
#![cfg(all(feature = "native", not(target_arch = "wasm32")))]

mod proxies;

use anyfetch::Client;
use anyfetch_testserver::TestServer;
use proxies::Tinyproxy;
use serde_json::Value;

async fn via(client: &Client, url: &str) -> bool {
    let v: Value = client.get(url).await.unwrap().json().await.unwrap();
    v["headers"]
        .as_object()
        .unwrap()
        .keys()
        .any(|k| k.eq_ignore_ascii_case("via"))
}

#[tokio::test]
async fn environment_proxies_are_read_by_build_while_trust_env_is_on() {
    let server = TestServer::start();
    let proxy = Tinyproxy::start(None);
    let url = server.url("/headers");
    for name in [
        "HTTP_PROXY",
        "http_proxy",
        "ALL_PROXY",
        "all_proxy",
        "NO_PROXY",
        "no_proxy",
        "REQUEST_METHOD",
    ] {
        std::env::remove_var(name);
    }

    std::env::set_var("HTTP_PROXY", proxy.url());
    let client = Client::new();
    assert!(via(&client, &url).await, "HTTP_PROXY was not used");
    let off = Client::builder().trust_env(false).build().unwrap();
    assert!(
        !via(&off, &url).await,
        "trust_env(false) still read HTTP_PROXY"
    );
    let none = Client::builder().no_proxy().build().unwrap();
    assert!(!via(&none, &url).await, "no_proxy() still read HTTP_PROXY");

    std::env::set_var("NO_PROXY", "localhost,127.0.0.1");
    assert!(
        !via(&Client::new(), &url).await,
        "NO_PROXY was not honoured"
    );
    // Read once, by build(): the earlier client keeps what it read.
    assert!(via(&client, &url).await);
    std::env::remove_var("NO_PROXY");

    // A variable that is set but unusable fails the build, naming it: never a silent direct
    // connection.
    std::env::set_var("HTTP_PROXY", "ftp://u:hunter2@proxy.test");
    let e = Client::builder().build().unwrap_err();
    assert!(e.is_builder(), "{e}");
    assert!(
        e.to_string().contains("HTTP_PROXY") && !e.to_string().contains("hunter2"),
        "{e}"
    );
    assert!(Client::builder().trust_env(false).build().is_ok());
    // Client::new() cannot fail: its requests do, with the reason.
    let e = Client::new().get(&url).await.unwrap_err();
    assert!(
        e.is_builder() && e.to_string().contains("HTTP_PROXY"),
        "{e}"
    );
    std::env::remove_var("HTTP_PROXY");
}
