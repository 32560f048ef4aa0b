//! Proxies, against real ones from Debian: `tinyproxy` (an HTTP proxy: absolute-form requests
//! and `CONNECT` tunnels, with and without Basic proxy credentials) and `microsocks` (SOCKS5
//! with a username and password) and `danted` (SOCKS4), each started here on a free port in front of the project's
//! test server. `scripts/test.sh` installs them. The environment's proxies are tested in
//! `tests/proxy_env.rs` (its own process, since the environment is the process's).
#![cfg(all(feature = "native", not(target_arch = "wasm32")))]

mod proxies;

use std::sync::OnceLock;

use anyfetch::{Certificate, Client, Proxy};
use anyfetch_testserver::TestServer;
use proxies::{Danted, Microsocks, Tinyproxy};
use serde_json::Value;

fn server() -> &'static TestServer {
    static S: OnceLock<TestServer> = OnceLock::new();
    S.get_or_init(TestServer::start_with_tls)
}

/// tinyproxy without credentials.
fn open_proxy() -> &'static Tinyproxy {
    static P: OnceLock<Tinyproxy> = OnceLock::new();
    P.get_or_init(|| Tinyproxy::start(None))
}

/// tinyproxy that wants `proxyuser:proxy pass`.
fn auth_proxy() -> &'static Tinyproxy {
    static P: OnceLock<Tinyproxy> = OnceLock::new();
    P.get_or_init(|| Tinyproxy::start(Some(("proxyuser", "proxypass"))))
}

/// microsocks that wants `socksuser:sockspass`.
fn socks() -> &'static Microsocks {
    static P: OnceLock<Microsocks> = OnceLock::new();
    P.get_or_init(|| Microsocks::start("socksuser", "sockspass"))
}

fn trusting(builder: anyfetch::ClientBuilder) -> anyfetch::ClientBuilder {
    let pem = server().cert_pem().unwrap().as_bytes();
    builder.add_root_certificate(Certificate::from_pem(pem).unwrap())
}

/// The request headers the test server saw, lower-cased names.
async fn seen_headers(client: &Client, url: &str) -> serde_json::Map<String, Value> {
    let mut r = client.get(url).await.unwrap();
    assert_eq!(r.status(), 200, "{url}");
    let v: Value = r.json().await.unwrap();
    v["headers"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
        .collect()
}

#[tokio::test]
async fn plain_http_goes_through_an_http_proxy_in_absolute_form() {
    let proxy = Tinyproxy::start(None);
    let client = Client::builder()
        .proxy(Proxy::http(&proxy.url()).unwrap())
        .build()
        .unwrap();
    let h = seen_headers(&client, &server().url("/headers")).await;
    // tinyproxy adds its Via header to what it forwards, and logs the absolute-form request.
    assert!(h["via"].as_str().unwrap().contains("tinyproxy"), "{h:?}");
    assert_eq!(proxy.requests(), 1);
    assert_eq!(proxy.connects(), 0);
}

#[tokio::test]
async fn https_goes_through_a_connect_tunnel_with_tls_to_the_origin() {
    // Its own proxy, whose log no other test adds to.
    let proxy = Tinyproxy::start(Some(("proxyuser", "proxypass")));
    let client = trusting(Client::builder())
        .proxy(
            Proxy::https(&proxy.url())
                .unwrap()
                .basic_auth("proxyuser", "proxypass"),
        )
        .build()
        .unwrap();
    let h = seen_headers(&client, &server().https_url("/headers")).await;
    // Through a tunnel the proxy sees nothing of the request: no Via, and no proxy credentials
    // reach the origin.
    assert!(!h.contains_key("via"), "{h:?}");
    assert!(!h.contains_key("proxy-authorization"), "{h:?}");
    assert_eq!(proxy.connects(), 1, "one CONNECT");
}

#[tokio::test]
async fn proxy_credentials_go_to_the_proxy_and_never_to_the_origin() {
    let client = Client::builder()
        .proxy(
            Proxy::all(&auth_proxy().url())
                .unwrap()
                .basic_auth("proxyuser", "proxypass"),
        )
        .build()
        .unwrap();
    let h = seen_headers(&client, &server().url("/headers")).await;
    assert!(h["via"].as_str().unwrap().contains("tinyproxy"), "{h:?}");
    assert!(!h.contains_key("proxy-authorization"), "{h:?}");

    // Credentials in the proxy URL work the same way (percent-decoded).
    let url = auth_proxy()
        .url()
        .replace("http://", "http://proxyuser:proxypass@");
    let client = Client::builder()
        .proxy(Proxy::http(&url).unwrap())
        .build()
        .unwrap();
    let h = seen_headers(&client, &server().url("/headers")).await;
    assert!(h.contains_key("via"), "{h:?}");
}

#[tokio::test]
async fn a_proxy_authorization_header_never_reaches_an_origin_directly_or_through_a_tunnel() {
    // Direct: a header set on the request is dropped.
    let direct = trusting(Client::builder()).no_proxy().build().unwrap();
    let r = direct
        .get(server().url("/headers"))
        .header("Proxy-Authorization", "Basic c2VjcmV0");
    let v: Value = r.await.unwrap().json().await.unwrap();
    assert!(
        !v.to_string()
            .to_ascii_lowercase()
            .contains("proxy-authorization"),
        "{v}"
    );
    // Through a CONNECT tunnel, as well.
    let tunnel = trusting(Client::builder())
        .proxy(
            Proxy::all(&auth_proxy().url())
                .unwrap()
                .basic_auth("proxyuser", "proxypass"),
        )
        .build()
        .unwrap();
    let r = tunnel
        .get(server().https_url("/headers"))
        .header("Proxy-Authorization", "Basic c2VjcmV0");
    let v: Value = r.await.unwrap().json().await.unwrap();
    assert!(
        !v.to_string()
            .to_ascii_lowercase()
            .contains("proxy-authorization"),
        "{v}"
    );
}

#[tokio::test]
async fn a_redirect_is_routed_again_and_credentials_stay_with_their_proxy() {
    // Only http:// goes through the (authenticating) proxy; the redirect to https:// goes
    // direct, and the origin sees neither the proxy's credentials nor its Via.
    let proxy = Tinyproxy::start(Some(("proxyuser", "proxypass")));
    let client = trusting(Client::builder())
        .proxy(
            Proxy::http(&proxy.url())
                .unwrap()
                .basic_auth("proxyuser", "proxypass"),
        )
        .follow_redirects(true)
        .build()
        .unwrap();
    let target = server().https_url("/headers");
    let start = format!(
        "{}?url={}",
        server().url("/redirect-to"),
        urlencode(&target)
    );
    let mut r = client.get(&start).await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.url().as_str(), target);
    let v: Value = r.json().await.unwrap();
    let seen = v.to_string().to_ascii_lowercase();
    assert!(
        !seen.contains("proxy-authorization") && !seen.contains("tinyproxy"),
        "{v}"
    );
    assert_eq!(
        proxy.requests(),
        1,
        "only the first hop went through the proxy"
    );
}

#[tokio::test]
async fn a_refused_tunnel_is_a_connect_error_naming_the_proxy_and_its_answer() {
    // Its own server: it counts the connections the server accepts.
    let own = TestServer::start_with_tls();
    let server = || &own;
    // tinyproxy answers 407 without credentials and 401 to wrong ones.
    for (auth, status) in [(None, "407"), (Some("hunter2"), "401")] {
        let mut proxy = Proxy::all(&auth_proxy().url()).unwrap();
        if let Some(password) = auth {
            proxy = proxy.basic_auth("proxyuser", password);
        }
        let client = Client::builder()
            .add_root_certificate(
                Certificate::from_pem(own.cert_pem().unwrap().as_bytes()).unwrap(),
            )
            .proxy(proxy)
            .build()
            .unwrap();
        let conns = server().connections();
        let e = client.get(server().https_url("/get")).await.unwrap_err();
        assert!(e.is_connect(), "{e}");
        let s = e.to_string();
        assert!(
            s.contains(status) && s.contains(&auth_proxy().addr()),
            "{s}"
        );
        assert!(s.contains("CONNECT"), "{s}");
        assert!(
            !s.contains("hunter2") && !format!("{e:?}").contains("hunter2"),
            "{s}"
        );
        assert_eq!(
            server().connections(),
            conns,
            "no direct connection was made instead"
        );

        // Plain http through the same proxy gets the proxy's answer as the response, as from
        // any HTTP server (reqwest and curl do the same).
        let r = client.get(server().url("/get")).await.unwrap();
        assert_eq!(r.status().as_str(), status);
    }
}

#[tokio::test]
async fn an_unreachable_proxy_is_a_connect_error_naming_it_never_a_direct_connection() {
    // Its own server: it counts the connections the server accepts.
    let own = TestServer::start_with_tls();
    let server = || &own;
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    for proxy in [
        format!("http://u:hunter2@{closed}"),
        format!("socks5h://u:hunter2@{closed}"),
    ] {
        let client = Client::builder()
            .add_root_certificate(
                Certificate::from_pem(own.cert_pem().unwrap().as_bytes()).unwrap(),
            )
            .proxy(Proxy::all(&proxy).unwrap())
            .build()
            .unwrap();
        let conns = server().connections();
        for url in [server().url("/get"), server().https_url("/get")] {
            let e = client.get(&url).await.unwrap_err();
            assert!(e.is_connect(), "{proxy} {url}: {e}");
            let s = e.to_string();
            assert!(
                s.contains("proxy") && s.contains(&closed.to_string()),
                "{s}"
            );
            assert!(
                !s.contains("hunter2") && !format!("{e:?}").contains("hunter2"),
                "{s}"
            );
        }
        assert_eq!(
            server().connections(),
            conns,
            "{proxy}: no direct connection"
        );
    }
}

#[tokio::test]
async fn socks5_with_credentials_carries_http_and_https() {
    for scheme in ["socks5h", "socks5"] {
        let proxy = Proxy::all(&format!("{scheme}://{}", socks().addr()))
            .unwrap()
            .basic_auth("socksuser", "sockspass");
        let client = trusting(Client::builder()).proxy(proxy).build().unwrap();
        let before = socks().connections();
        let h = seen_headers(&client, &server().url("/headers")).await;
        assert!(!h.contains_key("proxy-authorization"), "{h:?}");
        let h = seen_headers(&client, &server().https_url("/headers")).await;
        assert!(!h.contains_key("proxy-authorization"), "{h:?}");
        assert!(
            socks().connections() >= before + 2,
            "{scheme}: the proxy saw no connection"
        );
    }
}

#[tokio::test]
async fn socks4_carries_http_and_https_with_names_resolved_here() {
    // Its own proxy, whose log no other test adds to.
    let proxy = Danted::start();
    let client = trusting(Client::builder())
        .proxy(Proxy::all(&format!("socks4://{}", proxy.addr())).unwrap())
        .build()
        .unwrap();
    let http = server().url("/headers");
    let https = server().https_url("/headers");
    assert!(https.starts_with("https://localhost:"), "{https}");
    seen_headers(&client, &http).await;
    seen_headers(&client, &https).await;
    // SOCKS4 carries an IPv4 address: `localhost` was resolved here, and the proxy was asked
    // for 127.0.0.1.
    let port = |u: &str| url::Url::parse(u).unwrap().port().unwrap();
    assert_eq!(
        proxy.destinations(),
        [
            format!("127.0.0.1.{}", port(&http)),
            format!("127.0.0.1.{}", port(&https))
        ],
        "{}",
        proxy.log()
    );
}

/// What a SOCKS4 client wrote before its HTTP request: `VN CD DSTPORT DSTIP USERID\0`, then
/// `HOST\0` when DSTIP is `0.0.0.x` (SOCKS4a). The listener grants the request and answers the
/// HTTP request that follows with `ok`.
fn socks4_listener() -> (String, std::thread::JoinHandle<Vec<u8>>) {
    use std::io::{BufRead, BufReader, Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let seen = std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        let mut r = BufReader::new(stream.try_clone().unwrap());
        let mut head = vec![0; 8];
        r.read_exact(&mut head).unwrap();
        r.read_until(0, &mut head).unwrap();
        if head[4..7] == [0, 0, 0] && head[7] != 0 {
            r.read_until(0, &mut head).unwrap();
        }
        let mut w = stream;
        w.write_all(&[0, 0x5a, 0, 0, 0, 0, 0, 0]).unwrap();
        let mut line = String::new();
        while r.read_line(&mut line).unwrap() > 2 {
            line.clear();
        }
        w.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok")
            .unwrap();
        head
    });
    (addr, seen)
}

#[tokio::test]
async fn socks4a_gives_the_proxy_the_name_and_socks4_the_address() {
    // Dante does not take SOCKS4a (it reads the 0.0.0.x address as meant): a listener checks
    // what each scheme writes.
    for scheme in ["socks4a", "socks4"] {
        let (addr, seen) = socks4_listener();
        let client = Client::builder()
            .proxy(Proxy::all(&format!("{scheme}://{addr}")).unwrap())
            .build()
            .unwrap();
        let mut r = client.get("http://localhost:4321/x").await.unwrap();
        assert_eq!(r.text().await.unwrap(), "ok");
        let head = seen.join().unwrap();
        // Version 4, CONNECT, port 4321, an empty user ID.
        assert_eq!(head[..4], [4, 1, 0x10, 0xe1], "{scheme}: {head:?}");
        if scheme == "socks4a" {
            assert_eq!(head[4..7], [0, 0, 0], "{head:?}");
            assert_eq!(&head[8..], b"\0localhost\0", "{head:?}");
        } else {
            assert_eq!(head[4..], [127, 0, 0, 1, 0], "{head:?}");
        }
    }
}

#[tokio::test]
async fn socks5_with_a_wrong_password_is_a_connect_error_naming_the_proxy() {
    // Its own server: it counts the connections the server accepts.
    let own = TestServer::start_with_tls();
    let server = || &own;
    let proxy = Proxy::all(&format!("socks5h://{}", socks().addr()))
        .unwrap()
        .basic_auth("socksuser", "hunter2");
    let client = Client::builder().proxy(proxy).build().unwrap();
    let conns = server().connections();
    let e = client.get(server().url("/get")).await.unwrap_err();
    assert!(e.is_connect(), "{e}");
    let s = e.to_string();
    assert!(s.contains(&socks().addr()) && s.contains("SOCKS5"), "{s}");
    assert!(!s.contains("hunter2"), "{s}");
    assert_eq!(server().connections(), conns);
}

#[tokio::test]
async fn no_proxy_lists_and_no_proxy_go_direct() {
    let via = |h: &serde_json::Map<String, Value>| h.contains_key("via");
    let proxied = Client::builder()
        .proxy(Proxy::all(&open_proxy().url()).unwrap())
        .build()
        .unwrap();
    assert!(via(&seen_headers(&proxied, &server().url("/headers")).await));
    for list in ["127.0.0.1", "127.0.0.0/8", "*", "example.com, 127.0.0.1"] {
        let client = Client::builder()
            .proxy(Proxy::all(&open_proxy().url()).unwrap().no_proxy(list))
            .build()
            .unwrap();
        assert!(
            !via(&seen_headers(&client, &server().url("/headers")).await),
            "{list}"
        );
    }
    let off = Client::builder()
        .proxy(Proxy::all(&open_proxy().url()).unwrap())
        .no_proxy()
        .build()
        .unwrap();
    assert!(!via(&seen_headers(&off, &server().url("/headers")).await));
}

#[tokio::test]
async fn per_scheme_proxies_route_each_url_to_its_own() {
    // http:// through tinyproxy, https:// through SOCKS5: as httpx's mounts by scheme.
    let client = trusting(Client::builder())
        .proxy(Proxy::http(&open_proxy().url()).unwrap())
        .proxy(
            Proxy::https(&format!("socks5h://{}", socks().addr()))
                .unwrap()
                .basic_auth("socksuser", "sockspass"),
        )
        .build()
        .unwrap();
    let socks_before = socks().connections();
    let h = seen_headers(&client, &server().url("/headers")).await;
    assert!(h.contains_key("via"), "{h:?}");
    let h = seen_headers(&client, &server().https_url("/headers")).await;
    assert!(!h.contains_key("via"), "{h:?}");
    assert!(socks().connections() > socks_before);
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
