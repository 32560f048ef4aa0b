mod common;

use anyfetch_testserver::TestServer;
use common::{connect, get, raw, read_response, request, send};
use md5::{Digest, Md5};
use serde_json::json;

fn md5_hex(s: &str) -> String {
    Md5::digest(s.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn get_echoes_args_and_headers() {
    let server = TestServer::start();
    let r = request(
        server.addr(),
        "GET",
        "/get?a=1&b=two&a=3&sp=x%20y",
        "X-Trace: abc\r\nuser-agent: raw-test\r\nX-Multi: 1\r\nX-Multi: 2\r\n",
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.header("access-control-allow-origin"), Some("*"));
    assert!(r.header("x-connection-id").is_some());
    let v = r.json();
    assert_eq!(v["args"], json!({"a": ["1", "3"], "b": "two", "sp": "x y"}));
    assert_eq!(v["headers"]["X-Trace"], "abc");
    assert_eq!(v["headers"]["User-Agent"], "raw-test");
    assert_eq!(v["headers"]["X-Multi"], "1, 2");
    assert_eq!(v["method"], "GET");
    assert_eq!(v["origin"], "127.0.0.1");
    assert_eq!(
        v["url"],
        format!("http://{}/get?a=1&b=two&a=3&sp=x%20y", server.addr())
    );
    assert_eq!(request(server.addr(), "POST", "/get", "").status, 405);
}

#[test]
fn post_form_and_json() {
    let server = TestServer::start();
    let mut c = connect(server.addr());
    let body = b"x=1&y=hello+world&x=2";
    let head = format!(
        "POST /post HTTP/1.1\r\nHost: h\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n",
        body.len()
    );
    send(&mut c, &head, body);
    let v = read_response(&mut c).json();
    assert_eq!(v["form"], json!({"x": ["1", "2"], "y": "hello world"}));
    assert_eq!(v["body_len"], body.len());

    let body = br#"{"k": [1, 2]}"#;
    let head = format!(
        "PUT /anything/deep/path HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\nContent-Length: {}\r\n",
        body.len()
    );
    send(&mut c, &head, body);
    let v = read_response(&mut c).json();
    assert_eq!(v["json"], json!({"k": [1, 2]}));
    assert_eq!(v["data"], r#"{"k": [1, 2]}"#);
    assert_eq!(v["method"], "PUT");
}

#[test]
fn status_and_redirects() {
    let server = TestServer::start();
    let r = get(server.addr(), "/status/503");
    assert_eq!(r.status, 503);
    assert!(r.body.is_empty());
    assert_eq!(get(server.addr(), "/status/101").status, 400);
    assert_eq!(get(server.addr(), "/status/nope").status, 400);

    let r = get(server.addr(), "/redirect/2");
    assert_eq!(r.status, 302);
    assert_eq!(r.header("location"), Some("/redirect/1"));
    assert_eq!(
        get(server.addr(), "/redirect/1").header("location"),
        Some("/get")
    );
    let r = get(server.addr(), "/absolute-redirect/2");
    assert_eq!(
        r.header("location").map(str::to_string),
        Some(format!("http://{}/absolute-redirect/1", server.addr()))
    );
    let r = get(
        server.addr(),
        "/redirect-to?url=http%3A%2F%2Fexample.com%2Fx&status_code=307",
    );
    assert_eq!(r.status, 307);
    assert_eq!(r.header("location"), Some("http://example.com/x"));
}

fn digest_header(challenge: &str, user: &str, pass: &str, uri: &str) -> String {
    let param = |name: &str| {
        let start = challenge.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
        let end = challenge[start..].find('"').unwrap() + start;
        challenge[start..end].to_string()
    };
    let (realm, nonce, opaque) = (param("realm"), param("nonce"), param("opaque"));
    let ha1 = md5_hex(&format!("{user}:{realm}:{pass}"));
    let ha2 = md5_hex(&format!("GET:{uri}"));
    let (nc, cnonce) = ("00000001", "0a4f113b");
    let response = md5_hex(&format!("{ha1}:{nonce}:{nc}:{cnonce}:auth:{ha2}"));
    format!(
        "Authorization: Digest username=\"{user}\", realm=\"{realm}\", nonce=\"{nonce}\", \
         uri=\"{uri}\", algorithm=MD5, qop=auth, nc={nc}, cnonce=\"{cnonce}\", \
         response=\"{response}\", opaque=\"{opaque}\"\r\n"
    )
}

#[test]
fn digest_auth_md5_round_trip() {
    let server = TestServer::start();
    let uri = "/digest-auth/auth/alice/s3cret";
    let r = get(server.addr(), uri);
    assert_eq!(r.status, 401);
    let challenge = r.header("www-authenticate").unwrap().to_string();
    assert!(challenge.starts_with("Digest realm=\"me@kennethreitz.com\""));
    assert!(challenge.contains("qop=\"auth\""));
    assert!(challenge.contains("algorithm=MD5"));
    assert_eq!(r.header("set-cookie"), Some("fake=fake_value"));

    let ok = request(
        server.addr(),
        "GET",
        uri,
        &digest_header(&challenge, "alice", "s3cret", uri),
    );
    assert_eq!(ok.status, 200);
    assert_eq!(ok.json(), json!({"authenticated": true, "user": "alice"}));

    let bad = request(
        server.addr(),
        "GET",
        uri,
        &digest_header(&challenge, "alice", "wrong", uri),
    );
    assert_eq!(bad.status, 401);
    assert!(bad.header("www-authenticate").is_some());
}

#[test]
fn basic_auth() {
    let server = TestServer::start();
    // "user:pass"
    let auth = "Authorization: Basic dXNlcjpwYXNz\r\n";
    let r = request(server.addr(), "GET", "/basic-auth/user/pass", auth);
    assert_eq!(r.status, 200);
    let r = request(server.addr(), "GET", "/basic-auth/user/other", auth);
    assert_eq!(r.status, 401);
    assert_eq!(
        r.header("www-authenticate"),
        Some("Basic realm=\"Fake Realm\"")
    );
    assert_eq!(
        get(server.addr(), "/hidden-basic-auth/user/pass").status,
        404
    );
}

#[test]
fn misbehave_raw_bytes() {
    let server = TestServer::start();
    let bytes = raw(server.addr(), "/misbehave/truncated");
    let text = String::from_utf8(bytes).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"));
    assert!(head.contains("Content-Length: 100\r\n"));
    assert!(head.contains("Access-Control-Allow-Origin: *"));
    assert_eq!(body.len(), 50);

    assert_eq!(
        raw(server.addr(), "/misbehave/bad-status"),
        b"HTTP/1.1 abc\r\n\r\n"
    );
    assert!(raw(server.addr(), "/misbehave/close").is_empty());
    let chunk = raw(server.addr(), "/misbehave/bad-chunk");
    assert!(chunk.ends_with(b"\r\n\r\n5\r\nhello\r\nzz\r\n"));
}

#[test]
fn misbehave_on_a_kept_alive_connection() {
    let server = TestServer::start();
    let mut c = connect(server.addr());
    send(&mut c, "GET /get HTTP/1.1\r\nHost: h\r\n", b"");
    assert_eq!(read_response(&mut c).status, 200);
    send(
        &mut c,
        "GET /misbehave/bad-json HTTP/1.1\r\nHost: h\r\n",
        b"",
    );
    let mut rest = Vec::new();
    std::io::Read::read_to_end(&mut c, &mut rest).unwrap();
    let text = String::from_utf8(rest).unwrap();
    assert!(text.starts_with("HTTP/1.1 200 OK\r\n"), "{text}");
    assert!(text.ends_with("\r\n\r\n{\"a\": 1,"), "{text}");
}

#[test]
fn keep_alive_keeps_connection_id() {
    let server = TestServer::start();
    let before = server.connections();
    let mut c = connect(server.addr());
    send(&mut c, "GET /get HTTP/1.1\r\nHost: h\r\n", b"");
    let first = read_response(&mut c);
    send(&mut c, "GET /headers HTTP/1.1\r\nHost: h\r\n", b"");
    let second = read_response(&mut c);
    assert_eq!(first.status, 200);
    assert_eq!(second.status, 200);
    let id = first.header("x-connection-id").unwrap().to_string();
    assert_eq!(second.header("x-connection-id"), Some(id.as_str()));
    assert_eq!(server.connections(), before + 1);

    let other = get(server.addr(), "/get");
    assert_ne!(other.header("x-connection-id"), Some(id.as_str()));
    assert_eq!(server.connections(), before + 2);
}

#[test]
fn cors_preflight_and_origin_echo() {
    let server = TestServer::start();
    let r = request(
        server.addr(),
        "OPTIONS",
        "/post",
        "Origin: http://app.test\r\nAccess-Control-Request-Method: PUT\r\nAccess-Control-Request-Headers: x-a\r\n",
    );
    assert_eq!(r.status, 204);
    assert_eq!(
        r.header("access-control-allow-origin"),
        Some("http://app.test")
    );
    assert_eq!(r.header("access-control-allow-credentials"), Some("true"));
    assert_eq!(r.header("access-control-allow-headers"), Some("x-a"));
    let expose = r.header("access-control-expose-headers").unwrap();
    assert!(expose.contains("X-Connection-Id") && expose.contains("WWW-Authenticate"));

    let r = request(server.addr(), "OPTIONS", "/anything", "");
    assert_eq!(r.json()["method"], "OPTIONS");
}

#[test]
fn chunked_and_encoded_bodies() {
    let server = TestServer::start();
    let r = get(server.addr(), "/stream-bytes/25000?seed=7&chunk_size=1000");
    assert_eq!(r.header("transfer-encoding"), Some("chunked"));
    assert_eq!(r.body.len(), 25000);
    assert_eq!(r.body, get(server.addr(), "/bytes/25000?seed=7").body);

    let r = get(server.addr(), "/lines/3");
    assert_eq!(r.body, b"line 0\nline 1\nline 2\n");

    let r = get(server.addr(), "/encode?enc=gzip&size=1000");
    assert_eq!(r.header("content-encoding"), Some("gzip"));
    let mut out = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&r.body[..]), &mut out).unwrap();
    assert_eq!(out, vec![b'a'; 1000]);

    let r = get(server.addr(), "/drip?numbytes=4&duration=0.2");
    assert_eq!(r.body, b"****");

    let r = get(server.addr(), "/sse?cut=1");
    assert_eq!(
        r.header("content-type"),
        Some("text/event-stream; charset=utf-8")
    );
    assert_eq!(r.header("access-control-allow-origin"), Some("*"));
    assert_eq!(
        r.body,
        &b": a comment, ignored\nretry: 1500\nid: 1\ndata: first\n\n\
event: update\r\ndata: line one\r\ndata: line two\r\n\r\n\
id: 3\rdata: cr only\r\rdata: split across\r\ndata: writes\r\n\r\n\
event: done\ndata: caf\xc3\xa9\n\ndata: never dispatched\n"[..]
    );
    let bytes = raw(server.addr(), "/misbehave/sse-cut");
    let text = String::from_utf8(bytes).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    assert!(head.contains("Content-Length: 100\r\n"));
    assert_eq!(body, "data: one\n\ndata: tw");
}

#[test]
fn retry_counter() {
    let server = TestServer::start();
    let path = "/retry/k?fail=2&status=429&retry_after=1";
    let r = get(server.addr(), path);
    assert_eq!((r.status, r.header("retry-after")), (429, Some("1")));
    assert_eq!(get(server.addr(), path).status, 429);
    let r = get(server.addr(), path);
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["attempts"], 3);
    assert_eq!(get(server.addr(), "/retry-count/k").json()["attempts"], 3);
}
