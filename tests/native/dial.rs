//! How the native backend dials: a Unix socket, a local address, DNS overrides, a custom
//! resolver, happy eyeballs. A module of `tests/native.rs` (it shares its test server).

use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyfetch::{BoxError, BoxFuture, Certificate, Client, Resolve, Timeout};
use anyfetch_testserver::TestServer;
use serde_json::{json, Value};
use tokio::net::{TcpListener, TcpSocket, TcpStream};

use super::server;

/// A fresh path for a Unix socket (short: `sun_path` holds about 100 bytes).
fn socket_path(name: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!("anyfetch-{}-{name}.sock", std::process::id()));
    let _ = std::fs::remove_file(&path);
    path
}

/// A TCP address that never answers: the accept queue of a listener with a backlog of 0 holds
/// one connection, and once it is full (and nobody accepts) the kernel drops every new SYN, so
/// a connect hangs as it would to a blackholed host. Keep the returned values alive.
async fn unanswering() -> (TcpListener, Vec<TcpStream>, SocketAddr) {
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind(SocketAddr::from(([127, 0, 0, 1], 0))).unwrap();
    let listener = socket.listen(0).unwrap();
    let addr = listener.local_addr().unwrap();
    let mut queued = Vec::new();
    for _ in 0..8 {
        match tokio::time::timeout(Duration::from_millis(200), TcpStream::connect(addr)).await {
            Ok(Ok(s)) => queued.push(s),
            _ => break,
        }
    }
    let probe = tokio::time::timeout(Duration::from_millis(200), TcpStream::connect(addr)).await;
    assert!(probe.is_err(), "the full listener still answers: {probe:?}");
    (listener, queued, addr)
}

/// An address where nothing listens: connecting is refused at once.
async fn refusing() -> SocketAddr {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    l.local_addr().unwrap()
}

#[tokio::test]
async fn get_and_post_over_a_unix_socket_keep_the_url_s_host() {
    let path = socket_path("uds");
    let s = TestServer::bind_unix(&path).unwrap();
    let client = Client::builder().unix_socket(&path).build().unwrap();

    let mut r = client.get("http://localhost/get?a=1").await.unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["origin"], "unix", "served over the socket, not TCP: {v}");
    assert_eq!(v["headers"]["Host"], "localhost");
    assert_eq!(v["args"]["a"], "1");

    let mut r = client
        .post("http://docker.invalid/post")
        .json(&json!({"n": 1}))
        .await
        .unwrap();
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["origin"], "unix");
    assert_eq!(v["headers"]["Host"], "docker.invalid", "never resolved");
    assert_eq!(v["json"], json!({"n": 1}));
    drop(s);
}

#[tokio::test]
async fn a_missing_unix_socket_is_a_connect_error_naming_its_path() {
    let path = socket_path("missing");
    let e = Client::builder()
        .unix_socket(&path)
        .build()
        .unwrap()
        .get("http://localhost/get")
        .await
        .unwrap_err();
    assert!(e.is_connect(), "{e:?}");
    assert!(e.to_string().contains(&*path.to_string_lossy()), "{e}");
}

/// As curl's `--unix-socket`: TLS runs over the socket, verified for the URL's host. The
/// socket here relays to the test server's TLS listener.
#[tokio::test]
async fn https_over_a_unix_socket_verifies_the_url_s_host() {
    let tls_addr = server().tls_addr().unwrap();
    let path = socket_path("tls");
    let listener = tokio::net::UnixListener::bind(&path).unwrap();
    let relay = tokio::spawn(async move {
        loop {
            let (mut unix, _) = listener.accept().await.unwrap();
            tokio::spawn(async move {
                let mut tcp = TcpStream::connect(tls_addr).await.unwrap();
                let _ = tokio::io::copy_bidirectional(&mut unix, &mut tcp).await;
            });
        }
    });
    let cert = Certificate::from_pem(server().cert_pem().unwrap().as_bytes()).unwrap();
    let client = Client::builder()
        .unix_socket(&path)
        .add_root_certificate(cert)
        .build()
        .unwrap();
    let mut r = client.get("https://localhost/get").await.unwrap();
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["url"], "https://localhost/get");
    // The certificate is for localhost and 127.0.0.1: another name fails verification.
    let e = client.get("https://other.test/get").await.unwrap_err();
    assert!(e.is_connect(), "{e:?}");
    relay.abort();
    let _ = std::fs::remove_file(&path);
}

#[tokio::test]
async fn a_local_address_is_the_connection_s_source() {
    let origin = |client: Client| async move {
        let mut r = client.get(server().url("/ip")).await.unwrap();
        r.json::<Value>().await.unwrap()["origin"].clone()
    };
    assert_eq!(origin(Client::new()).await, "127.0.0.1");
    // The whole of 127.0.0.0/8 is this machine's on Linux.
    let from = Client::builder()
        .local_address(IpAddr::from([127, 0, 0, 2]))
        .build()
        .unwrap();
    assert_eq!(origin(from).await, "127.0.0.2");
}

#[tokio::test]
async fn a_local_address_of_another_family_or_machine_is_a_connect_error() {
    let send = |ip: IpAddr| async move {
        Client::builder()
            .local_address(ip)
            .build()
            .unwrap()
            .get(server().url("/get"))
            .await
            .unwrap_err()
    };
    let e = send(IpAddr::V6(Ipv6Addr::LOCALHOST)).await;
    assert!(e.is_connect(), "{e:?}");
    assert!(e.to_string().contains("IPv6"), "{e}");
    // TEST-NET-3 (RFC 5737): no machine's address.
    let e = send(IpAddr::from([203, 0, 113, 7])).await;
    assert!(e.is_connect(), "{e:?}");
    assert!(e.to_string().contains("203.0.113.7"), "{e}");
}

#[tokio::test]
async fn resolve_sends_a_name_to_the_given_address() {
    let addr = server().addr();
    let client = Client::builder().resolve("API.test", addr).build().unwrap();
    // No port in the URL: the override's.
    let mut r = client.get("http://api.test/headers").await.unwrap();
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["headers"]["Host"], "api.test");

    // A port in the URL wins over the override's (here one where nothing listens).
    let client = Client::builder()
        .resolve("api.test", refusing().await)
        .build()
        .unwrap();
    let url = format!("http://api.test:{}/get", addr.port());
    assert_eq!(client.get(&url).await.unwrap().status(), 200);

    for e in [
        Client::builder()
            .resolve("127.0.0.1", addr)
            .build()
            .unwrap_err(),
        Client::builder()
            .resolve("api.test:80", addr)
            .build()
            .unwrap_err(),
        Client::builder()
            .resolve_to_addrs("api.test", &[])
            .build()
            .unwrap_err(),
    ] {
        assert!(e.is_builder(), "{e:?}");
    }
}

/// Answers every name with 127.0.0.1, or with an error, and counts the questions.
struct Counting {
    asked: Arc<AtomicUsize>,
    fail: bool,
}

impl Resolve for Counting {
    fn resolve(&self, host: &str) -> BoxFuture<'static, Result<Vec<IpAddr>, BoxError>> {
        self.asked.fetch_add(1, Ordering::SeqCst);
        let (fail, host) = (self.fail, host.to_string());
        Box::pin(async move {
            if fail {
                Err(format!("no such host: {host}").into())
            } else {
                Ok(vec![IpAddr::from([127, 0, 0, 1])])
            }
        })
    }
}

#[tokio::test]
async fn a_custom_resolver_is_asked_unless_an_override_answers() {
    let port = server().addr().port();
    let asked = Arc::new(AtomicUsize::new(0));
    let client = Client::builder()
        .dns_resolver(Counting {
            asked: asked.clone(),
            fail: false,
        })
        .resolve("pinned.test", server().addr())
        .build()
        .unwrap();
    let mut r = client
        .get(format!("http://custom.test:{port}/headers"))
        .await
        .unwrap();
    assert_eq!(
        r.json::<Value>().await.unwrap()["headers"]["Host"],
        format!("custom.test:{port}")
    );
    assert_eq!(asked.load(Ordering::SeqCst), 1);
    let r = client.get("http://pinned.test/get").await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(asked.load(Ordering::SeqCst), 1, "the override answered");
    // IP literals are never resolved.
    client.get(server().url("/get")).await.unwrap();
    assert_eq!(asked.load(Ordering::SeqCst), 1);

    let failing = Client::builder()
        .dns_resolver(Counting {
            asked: asked.clone(),
            fail: true,
        })
        .build()
        .unwrap();
    let e = failing.get("http://nowhere.test/").await.unwrap_err();
    assert!(e.is_connect(), "{e:?}");
    assert!(
        e.to_string().contains("could not resolve nowhere.test"),
        "{e}"
    );
    assert!(
        e.display_chain()
            .to_string()
            .contains("no such host: nowhere.test"),
        "the resolver's error is the source: {}",
        e.display_chain()
    );
}

/// RFC 8305: an address that does not answer gets 250 ms alone, then the next one is tried
/// beside it, long before the connect timeout.
#[tokio::test]
async fn happy_eyeballs_moves_on_from_an_address_that_does_not_answer() {
    let (_listener, _queued, silent) = unanswering().await;
    let client = Client::builder()
        .resolve_to_addrs("eyeballs.test", &[silent, server().addr()])
        .timeout(Timeout::default().connect(Duration::from_secs(10)))
        .build()
        .unwrap();
    let start = Instant::now();
    let r = client.get("http://eyeballs.test/get").await.unwrap();
    let took = start.elapsed();
    assert_eq!(r.status(), 200);
    assert!(took < Duration::from_secs(2), "{took:?}");
    assert!(
        took >= Duration::from_millis(200),
        "the first address had its delay alone: {took:?}"
    );
}

/// A refused attempt hands over at once: here the second address, started after 250 ms beside
/// the silent first, is refused, and the third starts at once rather than 250 ms later.
#[tokio::test]
async fn a_refused_address_hands_over_to_the_next_at_once() {
    let (_listener, _queued, silent) = unanswering().await;
    let client = Client::builder()
        .resolve_to_addrs("refused.test", &[refusing().await, server().addr()])
        .build()
        .unwrap();
    let start = Instant::now();
    client.get("http://refused.test/get").await.unwrap();
    let took = start.elapsed();
    assert!(took < Duration::from_millis(200), "{took:?}");

    let client = Client::builder()
        .resolve_to_addrs("refused.test", &[silent, refusing().await, server().addr()])
        .build()
        .unwrap();
    let start = Instant::now();
    client.get("http://refused.test/get").await.unwrap();
    let took = start.elapsed();
    assert!(
        took < Duration::from_millis(450),
        "one delay (250 ms), not two: {took:?}"
    );
}
