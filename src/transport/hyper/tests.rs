//! Tests against servers started in each test: raw TCP for exact bytes and faults, hyper's
//! server for HTTP/2.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http::{Method, Version};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use url::Url;

use super::HyperTransport;
use crate::body::Body;
use crate::error::{ErrorKind, TimeoutKind};
use crate::request::Request;
use crate::timeout::{Limits, Timeout};
use crate::transport::{Transport, TransportConfig};

/// What the raw server does with one request.
#[derive(Clone)]
enum Reply {
    /// Writes these bytes and waits for the next request on the connection.
    Send(&'static [u8]),
    /// Waits, then writes.
    Delayed(Duration, &'static [u8]),
    /// Writes these bytes and closes the connection.
    SendClose(&'static [u8]),
    /// Writes these bytes and keeps the connection open, silent.
    SendHang(&'static [u8]),
    /// Writes these bytes, then resets the connection (RST, not FIN).
    SendReset(&'static [u8]),
    /// Never answers.
    Hang,
}

struct RawServer {
    addr: SocketAddr,
    accepts: Arc<AtomicUsize>,
    requests: Arc<Mutex<Vec<Vec<u8>>>>,
}

impl RawServer {
    async fn start(reply: Reply) -> RawServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let accepts = Arc::new(AtomicUsize::new(0));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let (a, r) = (accepts.clone(), requests.clone());
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                a.fetch_add(1, Ordering::SeqCst);
                let (r, reply) = (r.clone(), reply.clone());
                tokio::spawn(async move {
                    while let Some(req) = read_request(&mut stream).await {
                        r.lock().unwrap().push(req);
                        match &reply {
                            Reply::Send(b) => {
                                let _ = stream.write_all(b).await;
                            }
                            Reply::Delayed(d, b) => {
                                tokio::time::sleep(*d).await;
                                let _ = stream.write_all(b).await;
                            }
                            Reply::SendClose(b) => {
                                let _ = stream.write_all(b).await;
                                return;
                            }
                            Reply::SendHang(b) => {
                                let _ = stream.write_all(b).await;
                                std::future::pending::<()>().await;
                            }
                            Reply::SendReset(b) => {
                                let _ = stream.write_all(b).await;
                                tokio::time::sleep(Duration::from_millis(50)).await;
                                let _ = stream.set_zero_linger();
                                return;
                            }
                            Reply::Hang => std::future::pending::<()>().await,
                        }
                    }
                });
            }
        });
        RawServer {
            addr,
            accepts,
            requests,
        }
    }

    fn url(&self, path: &str) -> Url {
        Url::parse(&format!("http://{}{path}", self.addr)).unwrap()
    }

    fn accepts(&self) -> usize {
        self.accepts.load(Ordering::SeqCst)
    }

    fn request(&self, i: usize) -> String {
        String::from_utf8_lossy(&self.requests.lock().unwrap()[i]).into_owned()
    }
}

/// Reads one request (head, and a `Content-Length` or chunked body); `None` at EOF.
async fn read_request(stream: &mut TcpStream) -> Option<Vec<u8>> {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte).await.ok()? == 0 {
            return None;
        }
        buf.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&buf).to_ascii_lowercase();
    if let Some(len) = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length: "))
        .and_then(|v| v.trim().parse::<usize>().ok())
    {
        let mut body = vec![0; len];
        stream.read_exact(&mut body).await.ok()?;
        buf.extend(body);
    } else if head.contains("transfer-encoding: chunked") {
        let start = buf.len();
        while !buf[start..].ends_with(b"0\r\n\r\n") {
            if stream.read(&mut byte).await.ok()? == 0 {
                return None;
            }
            buf.push(byte[0]);
        }
    }
    Some(buf)
}

const OK: &[u8] = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok";

fn transport(limits: Limits) -> HyperTransport {
    HyperTransport::with_config(&TransportConfig {
        limits,
        ..TransportConfig::default()
    })
    .unwrap()
}

fn get(url: Url, timeout: Timeout) -> Request {
    let mut req = Request::new(Method::GET, url);
    *req.timeout_mut() = timeout;
    req
}

fn secs(s: u64) -> Timeout {
    Timeout::new(Duration::from_secs(s))
}

#[tokio::test]
async fn sequential_requests_reuse_one_connection_and_send_exact_bytes() {
    let server = RawServer::start(Reply::Send(OK)).await;
    let t = transport(Limits::default());
    for _ in 0..3 {
        let mut r = t.send(get(server.url("/a?b=1"), secs(5))).await.unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.version(), Version::HTTP_11);
        assert_eq!(r.text().await.unwrap(), "ok");
    }
    assert_eq!(server.accepts(), 1);
    assert_eq!(
        server.request(0),
        format!("GET /a?b=1 HTTP/1.1\r\nhost: {}\r\n\r\n", server.addr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_bodies_get_content_length_or_chunked() {
    let server = RawServer::start(Reply::Send(OK)).await;
    let t = transport(Limits::default());

    let mut req = Request::new(Method::POST, server.url("/p"));
    *req.body_mut() = Body::from("hello");
    t.send(req).await.unwrap().bytes().await.unwrap();

    let mut req = Request::new(Method::POST, server.url("/p"));
    *req.body_mut() = Body::from_stream(futures_util::stream::iter([
        Ok::<_, Infallible>("ab"),
        Ok("cd"),
    ]));
    t.send(req).await.unwrap().bytes().await.unwrap();

    let req = Request::new(Method::POST, server.url("/empty"));
    t.send(req).await.unwrap().bytes().await.unwrap();

    let host = server.addr;
    assert_eq!(
        server.request(0),
        format!("POST /p HTTP/1.1\r\nhost: {host}\r\ncontent-length: 5\r\n\r\nhello")
    );
    assert_eq!(
        server.request(1),
        format!("POST /p HTTP/1.1\r\nhost: {host}\r\ntransfer-encoding: chunked\r\n\r\n2\r\nab\r\n2\r\ncd\r\n0\r\n\r\n")
    );
    assert_eq!(
        server.request(2),
        format!("POST /empty HTTP/1.1\r\nhost: {host}\r\ncontent-length: 0\r\n\r\n")
    );
    assert_eq!(server.accepts(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn max_connections_makes_the_second_request_wait_for_the_first() {
    let reply = Reply::Delayed(Duration::from_millis(200), OK);
    let server = RawServer::start(reply).await;
    let t = transport(Limits::default().max_connections(1));
    let one = async {
        let mut r = t.send(get(server.url("/1"), secs(5))).await?;
        r.text().await
    };
    let two = async {
        let mut r = t.send(get(server.url("/2"), secs(5))).await?;
        r.text().await
    };
    let (one, two) = tokio::join!(one, two);
    assert_eq!(one.unwrap(), "ok");
    assert_eq!(two.unwrap(), "ok");
    assert_eq!(
        server.accepts(),
        1,
        "the second request waited and reused the connection"
    );
}

#[tokio::test]
async fn pool_timeout_when_no_connection_frees_up() {
    let server = RawServer::start(Reply::Delayed(Duration::from_millis(500), OK)).await;
    let t = transport(Limits::default().max_connections(1));
    let slow = t.send(get(server.url("/1"), secs(5)));
    let quick = async {
        tokio::time::sleep(Duration::from_millis(50)).await;
        let timeout = secs(5).pool(Duration::from_millis(100));
        t.send(get(server.url("/2"), timeout)).await
    };
    let (slow, quick) = tokio::join!(slow, quick);
    slow.unwrap();
    let e = quick.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout(TimeoutKind::Pool), "{e}");
    assert_eq!(e.url(), Some(&server.url("/2")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_connection_of_another_origin_is_closed_to_make_room() {
    let a = RawServer::start(Reply::Send(OK)).await;
    let b = RawServer::start(Reply::Send(OK)).await;
    let t = transport(Limits::default().max_connections(1));
    let timeout = secs(5).pool(Duration::from_secs(2));
    t.send(get(a.url("/"), timeout))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let mut r = t.send(get(b.url("/"), timeout)).await.unwrap();
    assert_eq!(r.text().await.unwrap(), "ok");
}

#[tokio::test]
async fn expired_idle_connections_are_not_reused() {
    let server = RawServer::start(Reply::Send(OK)).await;
    let limits = Limits::default().keepalive_expiry(Duration::from_millis(100));
    let t = transport(limits);
    t.send(get(server.url("/"), secs(5)))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    t.send(get(server.url("/"), secs(5)))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(server.accepts(), 1);
    tokio::time::sleep(Duration::from_millis(250)).await;
    t.send(get(server.url("/"), secs(5)))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(server.accepts(), 2);
}

#[tokio::test]
async fn no_keepalive_means_a_connection_per_request() {
    let server = RawServer::start(Reply::Send(OK)).await;
    let t = transport(Limits::default().max_keepalive_connections(0));
    for _ in 0..2 {
        t.send(get(server.url("/"), secs(5)))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
    }
    assert_eq!(server.accepts(), 2);
}

#[tokio::test]
async fn a_body_dropped_early_closes_its_connection() {
    let partial = b"HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nabc";
    let server = RawServer::start(Reply::SendHang(partial)).await;
    let t = transport(Limits::default().max_connections(1));
    let mut r = t.send(get(server.url("/"), secs(5))).await.unwrap();
    let mut stream = r.bytes_stream();
    use futures_util::StreamExt;
    assert_eq!(stream.next().await.unwrap().unwrap(), Bytes::from("abc"));
    drop(stream);
    // The permit of the closed connection comes back: a second request gets a new one.
    let timeout = secs(5).pool(Duration::from_secs(2));
    let r = t.send(get(server.url("/"), timeout)).await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(server.accepts(), 2);
}

#[tokio::test]
async fn connection_refused_is_a_connect_error() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let url = Url::parse(&format!("http://{addr}/")).unwrap();
    let e = transport(Limits::default())
        .send(get(url.clone(), secs(5)))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Connect, "{e}");
    assert_eq!(e.url(), Some(&url));
    assert!(std::error::Error::source(&e).is_some());
}

#[tokio::test]
async fn tls_to_a_plain_server_is_a_connect_error() {
    // Answers in plain HTTP without waiting for a request: not a TLS handshake.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let _ = stream.write_all(OK).await;
        }
    });
    let url = Url::parse(&format!("https://{addr}/")).unwrap();
    let e = transport(Limits::default())
        .send(get(url, secs(5)))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Connect, "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_server_is_a_read_timeout() {
    let server = RawServer::start(Reply::Hang).await;
    let timeout = secs(5).read(Duration::from_millis(200));
    let start = std::time::Instant::now();
    let e = transport(Limits::default())
        .send(get(server.url("/"), timeout))
        .await
        .unwrap_err();
    let took = start.elapsed();
    assert_eq!(e.kind(), ErrorKind::Timeout(TimeoutKind::Read), "{e}");
    assert!(
        took >= Duration::from_millis(190) && took < Duration::from_secs(2),
        "{took:?}"
    );
}

#[tokio::test]
async fn a_stalled_upload_is_a_write_timeout() {
    // Accepts, never reads: the socket buffers fill and hyper stops pulling the body.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let (_stream, _) = listener.accept().await.unwrap();
        std::future::pending::<()>().await;
    });
    let chunk = Bytes::from(vec![b'x'; 64 * 1024]);
    let endless = futures_util::stream::repeat_with(move || Ok::<_, Infallible>(chunk.clone()));
    let mut req = Request::new(
        Method::POST,
        Url::parse(&format!("http://{addr}/")).unwrap(),
    );
    *req.body_mut() = Body::from_stream(endless);
    *req.timeout_mut() = secs(5).write(Duration::from_millis(200));
    let e = transport(Limits::default()).send(req).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout(TimeoutKind::Write), "{e}");
}

/// Raw replies that break the protocol, and the error each must give.
#[tokio::test]
async fn protocol_faults_map_to_their_kinds() {
    let cases: &[(&str, &'static [u8], ErrorKind)] = &[
        (
            "truncated body",
            b"HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nabc",
            ErrorKind::Protocol,
        ),
        (
            "bad chunk size",
            b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\nabc\r\n",
            ErrorKind::Protocol,
        ),
        (
            "malformed status line",
            b"HTTP/1.1 abc\r\n\r\n",
            ErrorKind::Protocol,
        ),
        ("closed without a response", b"", ErrorKind::Protocol),
    ];
    for (name, reply, kind) in cases {
        check_fault(name, Reply::SendClose(reply), *kind).await;
    }
    let partial = b"HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nabc";
    check_fault("reset mid-body", Reply::SendReset(partial), ErrorKind::Read).await;
}

async fn check_fault(name: &str, reply: Reply, kind: ErrorKind) {
    let server = RawServer::start(reply).await;
    let t = transport(Limits::default());
    let e = match t.send(get(server.url("/"), secs(5))).await {
        Ok(mut r) => r.bytes().await.unwrap_err(),
        Err(e) => e,
    };
    assert_eq!(e.kind(), kind, "{name}: {e}");
    assert_eq!(e.url(), Some(&server.url("/")), "{name}");
    assert!(std::error::Error::source(&e).is_some(), "{name}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn h2c_prior_knowledge_shares_one_connection() {
    use hyper_util::rt::{TokioExecutor, TokioIo};
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let accepts = Arc::new(AtomicUsize::new(0));
    let a = accepts.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            a.fetch_add(1, Ordering::SeqCst);
            let service = hyper::service::service_fn(
                |req: http::Request<hyper::body::Incoming>| async move {
                    let host = req
                        .uri()
                        .authority()
                        .map(|a| a.to_string())
                        .unwrap_or_default();
                    let no_host_header = !req.headers().contains_key(http::header::HOST);
                    let body = format!(
                        "{} {} {host} {no_host_header}",
                        req.method(),
                        req.uri().path()
                    );
                    Ok::<_, Infallible>(http::Response::new(http_body_util::Full::new(
                        Bytes::from(body),
                    )))
                },
            );
            tokio::spawn(
                hyper::server::conn::http2::Builder::new(TokioExecutor::new())
                    .serve_connection(TokioIo::new(stream), service),
            );
        }
    });
    let t = HyperTransport::with_config(&TransportConfig {
        http2_prior_knowledge: true,
        ..TransportConfig::default()
    })
    .unwrap();
    let url = |p: &str| Url::parse(&format!("http://{addr}{p}")).unwrap();
    let send = |p: &str| {
        let fut = t.send(get(url(p), secs(5)));
        async move {
            let mut r = fut.await?;
            assert_eq!(r.version(), Version::HTTP_2);
            r.text().await
        }
    };
    let (one, two) = tokio::join!(send("/one"), send("/two"));
    assert_eq!(one.unwrap(), format!("GET /one {addr} true"));
    assert_eq!(two.unwrap(), format!("GET /two {addr} true"));
    assert_eq!(
        send("/three").await.unwrap(),
        format!("GET /three {addr} true")
    );
    assert_eq!(accepts.load(Ordering::SeqCst), 1);
}

#[test]
fn outside_a_tokio_runtime_is_unsupported() {
    let t = transport(Limits::default());
    let fut = t.send(get(Url::parse("http://127.0.0.1:9/").unwrap(), secs(5)));
    let e = block_on(fut).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsupported, "{e}");
    assert!(e.to_string().contains("tokio runtime"), "{e}");
}

/// A minimal executor that is not tokio.
fn block_on<F: std::future::Future>(fut: F) -> F::Output {
    struct Unpark(std::thread::Thread);
    impl std::task::Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = std::task::Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut cx = std::task::Context::from_waker(&waker);
    let mut fut = std::pin::pin!(fut);
    loop {
        if let std::task::Poll::Ready(out) = fut.as_mut().poll(&mut cx) {
            return out;
        }
        std::thread::park();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn waiting_in_the_pool_does_not_count_as_reading() {
    let server = RawServer::start(Reply::Delayed(Duration::from_millis(400), OK)).await;
    let t = transport(Limits::default().max_connections(1));
    let first = async {
        let mut r = t.send(get(server.url("/1"), secs(5))).await?;
        r.text().await
    };
    let second = async {
        tokio::time::sleep(Duration::from_millis(50)).await;
        // Waits ~350 ms for the connection, then 400 ms for the answer: each under 500 ms.
        let timeout = secs(5).read(Duration::from_millis(500));
        let mut r = t.send(get(server.url("/2"), timeout)).await?;
        r.text().await
    };
    let (first, second) = tokio::join!(first, second);
    assert_eq!(first.unwrap(), "ok");
    assert_eq!(second.unwrap(), "ok");
}

fn tls_transport(server: &anyfetch_testserver::TestServer, http2: bool) -> HyperTransport {
    let pem = server.cert_pem().unwrap().as_bytes();
    HyperTransport::with_config(&TransportConfig {
        http2,
        root_certificates: vec![crate::transport::Certificate::from_pem(pem).unwrap()],
        ..TransportConfig::default()
    })
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_with_a_trusted_root_negotiates_the_version_by_alpn() {
    let server = anyfetch_testserver::TestServer::start_with_tls();
    // `localhost` (a DNS name, which may resolve to ::1 first) and `127.0.0.1` (an IP SNI).
    let port = server.tls_addr().unwrap().port();
    let ip_url = Url::parse(&format!("https://127.0.0.1:{port}/get")).unwrap();
    for (http2, version) in [(false, Version::HTTP_11), (true, Version::HTTP_2)] {
        let t = tls_transport(&server, http2);
        for url in [
            Url::parse(&server.https_url("/get")).unwrap(),
            ip_url.clone(),
        ] {
            let mut r = t.send(get(url.clone(), secs(5))).await.unwrap();
            assert_eq!(r.status(), 200, "{url}");
            assert_eq!(r.version(), version, "{url}");
            assert!(r.text().await.unwrap().contains("/get"), "{url}");
        }
    }
}

#[tokio::test]
async fn https_with_an_unknown_issuer_is_a_connect_error_unless_told_to_accept_it() {
    let server = anyfetch_testserver::TestServer::start_with_tls();
    let url = Url::parse(&server.https_url("/get")).unwrap();
    let e = transport(Limits::default())
        .send(get(url.clone(), secs(5)))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Connect, "{e}");
    assert_eq!(e.url(), Some(&url));

    let t = HyperTransport::with_config(&TransportConfig {
        danger_accept_invalid_certs: true,
        ..TransportConfig::default()
    })
    .unwrap();
    let r = t.send(get(url, secs(5))).await.unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_the_server_closed_while_idle_is_replaced_not_an_error() {
    // The server answers without `Connection: close` and then closes: the pooled connection
    // is dead by the time the next request takes it.
    let server = RawServer::start(Reply::SendClose(OK)).await;
    let t = transport(Limits::default());
    for i in 0..20 {
        let mut r = t
            .send(get(server.url("/"), secs(5)))
            .await
            .unwrap_or_else(|e| panic!("request {i}: {e}"));
        assert_eq!(r.text().await.unwrap(), "ok");
        // Sometimes at once, sometimes after the FIN has arrived: both races must succeed.
        if i % 2 == 0 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    assert_eq!(server.accepts(), 20);
}

#[test]
fn the_host_header_is_host_and_port_without_userinfo_or_default_port() {
    for (url, want) in [
        ("http://a:8080/x?q=1", "a:8080"),
        ("http://a/x", "a"),
        ("https://a:443/", "a"),
        ("http://u:p@[::1]:81/", "[::1]:81"),
        ("http://user@127.0.0.1/", "127.0.0.1"),
    ] {
        let url: url::Url = url.parse().unwrap();
        assert_eq!(
            crate::transport::head::host_header(&url).unwrap(),
            want,
            "{url}"
        );
    }
}

#[test]
fn user_info_never_reaches_the_http2_authority() {
    let mut req = crate::Request::new(
        http::Method::GET,
        "https://user:secret@example.test:8443/p?q=1"
            .parse()
            .unwrap(),
    );
    req.headers_mut()
        .insert("x-keep", http::HeaderValue::from_static("1"));
    let (parts, body) = req.into_parts();
    let (built, _) = super::build_request(parts, body, http::Version::HTTP_2, None).unwrap();
    assert_eq!(built.uri().to_string(), "https://example.test:8443/p?q=1");
    assert_eq!(
        built.uri().authority().unwrap().as_str(),
        "example.test:8443"
    );
}

/// An h2c server whose `/big/N` is N bytes (a repeating pattern, in 16 KiB frames) and whose
/// `/cut/N` fails after N bytes (the stream is reset).
async fn h2c_body_server() -> SocketAddr {
    body_server(true, Arc::default()).await
}

/// [`h2c_body_server`], over HTTP/1.1 (`h2` false: chunked bodies, and `/cut/N` closes the
/// connection mid-body) or h2c; `accepts` counts its connections.
async fn body_server(h2: bool, accepts: Arc<AtomicUsize>) -> SocketAddr {
    use futures_util::StreamExt;
    use hyper_util::rt::{TokioExecutor, TokioIo};
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            accepts.fetch_add(1, Ordering::SeqCst);
            let service = hyper::service::service_fn(
                |req: http::Request<hyper::body::Incoming>| async move {
                    let path = req.uri().path().to_owned();
                    let (kind, n) = path[1..].split_once('/').unwrap();
                    let n: usize = n.parse().unwrap();
                    let cut = kind == "cut";
                    let chunks = (0..n).step_by(16 * 1024).map(move |at| {
                        let len = (n - at).min(16 * 1024);
                        let chunk: Vec<u8> = (at..at + len).map(|i| (i % 251) as u8).collect();
                        Ok::<_, std::io::Error>(hyper::body::Frame::data(Bytes::from(chunk)))
                    });
                    let tail =
                        futures_util::stream::iter(cut.then(|| Err(std::io::Error::other("cut"))));
                    let body = http_body_util::StreamBody::new(
                        futures_util::stream::iter(chunks).chain(tail),
                    );
                    Ok::<_, Infallible>(http::Response::new(body))
                },
            );
            if h2 {
                tokio::spawn(
                    hyper::server::conn::http2::Builder::new(TokioExecutor::new())
                        .serve_connection(TokioIo::new(stream), service),
                );
            } else {
                tokio::spawn(
                    hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service),
                );
            }
        }
    });
    addr
}

/// Reads `/big/N` for sizes below and well past the pump's threshold, over `version`: every
/// byte arrives, in order.
async fn read_bodies_of_each_size(t: &HyperTransport, url: impl Fn(&str) -> Url, version: Version) {
    for n in [0, 1000, 256 * 1024, 3 << 20] {
        let mut r = t
            .send(get(url(&format!("/big/{n}")), secs(10)))
            .await
            .unwrap();
        assert_eq!(r.version(), version);
        let body = r.bytes().await.unwrap();
        assert_eq!(body.len(), n);
        assert!(body.iter().enumerate().all(|(i, b)| *b == (i % 251) as u8));
    }
}

/// Reads 2 MiB of a larger body at `url`, then drops it unfinished.
async fn read_half_then_drop(t: &HyperTransport, url: Url) {
    use futures_util::StreamExt;
    let mut r = t.send(get(url, secs(10))).await.unwrap();
    let mut s = r.bytes_stream();
    let mut got = 0;
    while got < 2 << 20 {
        got += s.next().await.unwrap().unwrap().len();
    }
    drop(s);
    drop(r);
}

/// Large HTTP/2 bodies move to a pump task after the first few hundred kilobytes: every byte
/// still arrives in order, a reset stream is still an error, and a body dropped half-read
/// leaves the connection usable.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn large_h2_bodies_read_through_the_pump() {
    let addr = h2c_body_server().await;
    let t = HyperTransport::with_config(&TransportConfig {
        http2_prior_knowledge: true,
        ..TransportConfig::default()
    })
    .unwrap();
    let url = |p: &str| Url::parse(&format!("http://{addr}{p}")).unwrap();

    read_bodies_of_each_size(&t, url, Version::HTTP_2).await;

    let mut r = t.send(get(url("/cut/1048576"), secs(10))).await.unwrap();
    let e = r.bytes().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Read, "{e}");

    // Half-read, then dropped: the stream is reset, the connection goes on.
    read_half_then_drop(&t, url("/big/8388608")).await;
    let mut r = t.send(get(url("/big/1000"), secs(10))).await.unwrap();
    assert_eq!(r.bytes().await.unwrap().len(), 1000);
}

/// Large HTTP/1.1 bodies move to a pump too: every byte arrives in order, a connection closed
/// mid-body is an error, a body read to its end gives its connection back to the pool, and a
/// body dropped half-read closes its connection (never reused with unread bytes in it).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn large_h1_bodies_read_through_the_pump() {
    use std::sync::atomic::Ordering::SeqCst;
    let accepts = Arc::new(AtomicUsize::new(0));
    let addr = body_server(false, accepts.clone()).await;
    let t = transport(Limits::default());
    let url = |p: &str| Url::parse(&format!("http://{addr}{p}")).unwrap();

    read_bodies_of_each_size(&t, url, Version::HTTP_11).await;
    // One connection for all four: a pumped body read to its end frees its connection.
    assert_eq!(accepts.load(SeqCst), 1);

    let mut r = t.send(get(url("/cut/1048576"), secs(10))).await.unwrap();
    let e = r.bytes().await.unwrap_err();
    assert!(
        matches!(e.kind(), ErrorKind::Read | ErrorKind::Protocol),
        "{e}"
    );

    // Half-read, then dropped: that connection is closed, the next request opens another.
    read_half_then_drop(&t, url("/big/8388608")).await;
    let before = accepts.load(SeqCst);
    let mut r = t.send(get(url("/big/1000"), secs(10))).await.unwrap();
    assert_eq!(r.bytes().await.unwrap().len(), 1000);
    assert_eq!(accepts.load(SeqCst), before + 1);
}

/// Requests sent at once to an `https` origin, with HTTP/2 offered by ALPN, wait for the
/// first connection and share it when the server chose `h2`; when it chose HTTP/1.1, later
/// bursts open connections in parallel again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_over_alpn_h2_shares_one_connection() {
    let server = anyfetch_testserver::TestServer::start_with_tls();
    let url = Url::parse(&server.https_url("/get")).unwrap();
    for (http2, version) in [(true, Version::HTTP_2), (false, Version::HTTP_11)] {
        let t = Arc::new(tls_transport(&server, http2));
        let burst = || {
            let tasks: Vec<_> = (0..16)
                .map(|_| {
                    let (t, url) = (t.clone(), url.clone());
                    tokio::spawn(async move {
                        let mut r = t.send(get(url, secs(10))).await.unwrap();
                        assert_eq!(r.version(), version);
                        let id = r.headers()["x-connection-id"].to_str().unwrap().to_owned();
                        r.bytes().await.unwrap();
                        id
                    })
                })
                .collect();
            async move {
                let mut ids = std::collections::HashSet::new();
                for task in tasks {
                    ids.insert(task.await.unwrap());
                }
                ids.len()
            }
        };
        let first = burst().await;
        let second = burst().await;
        if http2 {
            assert_eq!((first, second), (1, 1));
        } else {
            assert!(first > 1 && second > 1, "{first} {second}");
        }
    }
}
