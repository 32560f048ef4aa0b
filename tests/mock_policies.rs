//! The shared policy layers through `MockTransport`: no network, every target.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyfetch::{
    BasicAuth, Body, Client, DigestAuth, Method, MockTransport, Request, Response, Retry, Timeout,
    TimeoutKind,
};
use futures::executor::block_on;
use futures::StreamExt;

/// A client whose transport records every request and answers with `reply`.
fn recording<F>(reply: F) -> (Client, Arc<Mutex<Vec<Request>>>)
where
    F: Fn(&Request, usize) -> Response + Send + Sync + 'static,
{
    let seen: Arc<Mutex<Vec<Request>>> = Arc::default();
    let seen2 = seen.clone();
    let reply = Arc::new(reply);
    let client = Client::builder()
        .transport(MockTransport::new(move |mut req: Request| {
            let seen = seen2.clone();
            let reply = reply.clone();
            async move {
                let body = std::mem::take(req.body_mut()).collect().await?;
                *req.body_mut() = Body::from(body);
                let mut seen = seen.lock().unwrap();
                let resp = reply(&req, seen.len());
                seen.push(req);
                Ok(resp)
            }
        }))
        .build()
        .unwrap();
    (client, seen)
}

fn redirect(status: u16, to: &str) -> Response {
    Response::new(status, ()).with_header("location", to)
}

#[test]
fn base_url_headers_and_query_merge() {
    let seen: Arc<Mutex<Vec<Request>>> = Arc::default();
    let s2 = seen.clone();
    let client = Client::builder()
        .base_url("http://api.test/v1")
        .header("X-Default", "a")
        .header("X-Keep", "k")
        .query(&[("key", "client"), ("shared", "client")])
        .transport(MockTransport::new(move |req| {
            s2.lock().unwrap().push(req);
            async { Ok(Response::new(200, ())) }
        }))
        .build()
        .unwrap();
    block_on(async {
        client
            .get("/items?inline=1")
            .header("X-Default", "b")
            .query(&[("shared", "req"), ("page", "2")])
            .await
            .unwrap();
    });
    let seen = seen.lock().unwrap();
    let r = &seen[0];
    assert_eq!(r.url().path(), "/v1/items");
    let pairs: Vec<(String, String)> = r.url().query_pairs().into_owned().collect();
    let p = |k: &str, v: &str| (k.to_string(), v.to_string());
    assert_eq!(
        pairs,
        vec![
            p("inline", "1"),
            p("key", "client"),
            p("shared", "req"),
            p("page", "2")
        ]
    );
    assert_eq!(r.headers()["x-default"], "b");
    assert_eq!(r.headers().get_all("x-default").iter().count(), 1);
    assert_eq!(r.headers()["x-keep"], "k");
    assert_eq!(
        r.headers()["user-agent"],
        concat!("anyfetch/", env!("CARGO_PKG_VERSION"))
    );
    assert!(r.headers()["accept-encoding"]
        .to_str()
        .unwrap()
        .contains("gzip"));
}

#[test]
fn bodies_set_content_types() {
    let (client, seen) = recording(|_, _| Response::new(200, ()));
    block_on(async {
        client
            .post("http://h/")
            .json(&serde_json::json!({"id": 1}))
            .await
            .unwrap();
        client
            .post("http://h/")
            .form(&[("key", "value"), ("a b", "c&d")])
            .await
            .unwrap();
        client
            .post("http://h/")
            .body(b"raw bytes".to_vec())
            .await
            .unwrap();
        client
            .post("http://h/")
            .multipart(anyfetch::multipart::Form::new().text("a", "b").file(
                "file",
                "a.png",
                vec![1u8, 2, 3],
            ))
            .await
            .unwrap();
    });
    let seen = seen.lock().unwrap();
    assert_eq!(seen[0].headers()["content-type"], "application/json");
    assert_eq!(seen[0].body().as_bytes().unwrap(), br#"{"id":1}"#);
    assert_eq!(
        seen[1].headers()["content-type"],
        "application/x-www-form-urlencoded"
    );
    assert_eq!(seen[1].body().as_bytes().unwrap(), b"key=value&a+b=c%26d");
    assert!(!seen[2].headers().contains_key("content-type"));
    assert_eq!(seen[2].body().as_bytes().unwrap(), b"raw bytes");
    let ct = seen[3].headers()["content-type"].to_str().unwrap();
    assert!(ct.starts_with("multipart/form-data; boundary="), "{ct}");
    let body = String::from_utf8_lossy(seen[3].body().as_bytes().unwrap()).to_string();
    assert!(body.contains("name=\"file\"; filename=\"a.png\""), "{body}");
}

#[test]
fn invalid_input_is_a_builder_error_never_a_panic() {
    let (client, seen) = recording(|_, _| Response::new(200, ()));
    block_on(async {
        let e = client
            .get("http://h/")
            .header("X-Bad", "a\r\nInjected: 1")
            .await
            .unwrap_err();
        assert!(e.is_builder(), "{e}");
        let e = client.get("not a url").await.unwrap_err();
        assert!(e.is_builder(), "{e}");
        let e = client.get("http://h/\nx").await.unwrap_err();
        assert!(e.is_builder(), "{e}");
        let e = client.request("BAD METHOD", "http://h/").await.unwrap_err();
        assert!(e.is_builder(), "{e}");
        let e = client.get("ftp://h/").await.unwrap_err();
        assert!(e.is_unsupported(), "{e}");
        let e = Client::builder().base_url("::nope").build().unwrap_err();
        assert!(e.is_builder(), "{e}");
        let ok = client.request("PROPFIND", "http://h/").await.unwrap();
        assert_eq!(ok.status(), 200);
    });
    assert_eq!(
        seen.lock().unwrap().len(),
        1,
        "only the valid request was sent"
    );
    assert_eq!(seen.lock().unwrap()[0].method().as_str(), "PROPFIND");
}

#[test]
fn redirects_are_off_by_default_and_followed_on_request() {
    let (client, seen) = recording(|req, _| match req.url().path() {
        "/a" => redirect(302, "/b"),
        "/b" => redirect(301, "http://h/c?x=1"),
        _ => Response::new(200, "done"),
    });
    block_on(async {
        let r = client.get("http://h/a").await.unwrap();
        assert_eq!(r.status(), 302);
        assert!(r.is_redirect());
        assert!(r.history().is_empty());
        let mut r = client
            .get("http://h/a")
            .follow_redirects(true)
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.url().as_str(), "http://h/c?x=1");
        let hist: Vec<(u16, String)> = r
            .history()
            .iter()
            .map(|h| (h.status().as_u16(), h.url().path().to_string()))
            .collect();
        assert_eq!(hist, vec![(302, "/a".to_string()), (301, "/b".to_string())]);
        assert_eq!(r.text().await.unwrap(), "done");
    });
    assert_eq!(seen.lock().unwrap().len(), 4);
}

#[test]
fn too_many_redirects() {
    let (client, seen) = recording(|req, _| {
        let n: u32 = req.url().path()[1..].parse().unwrap();
        redirect(302, &format!("/{}", n + 1))
    });
    block_on(async {
        let e = client
            .get("http://h/0")
            .follow_redirects(true)
            .await
            .unwrap_err();
        assert!(e.is_redirect(), "{e}");
        assert_eq!(e.url().unwrap().path(), "/20");
    });
    // 20 redirects followed: 21 requests.
    assert_eq!(seen.lock().unwrap().len(), 21);
}

#[test]
fn redirect_method_rewrites_and_credentials() {
    let (client, seen) = recording(|req, _| match req.url().as_str() {
        "http://h/post" => redirect(303, "/get"),
        "http://h/keep" => redirect(307, "/echo"),
        "http://h/away" => redirect(302, "http://other:8080/x"),
        _ => Response::new(200, ()),
    });
    block_on(async {
        client
            .post("http://h/post")
            .body("payload")
            .follow_redirects(true)
            .await
            .unwrap();
        client
            .post("http://h/keep")
            .body("payload")
            .follow_redirects(true)
            .await
            .unwrap();
        client
            .get("http://h/away")
            .basic_auth("u", "p")
            .follow_redirects(true)
            .await
            .unwrap();
        let stream = futures::stream::iter(vec![Ok::<_, std::io::Error>(b"x".to_vec())]);
        let e = client
            .post("http://h/keep")
            .body(Body::from_stream(stream))
            .follow_redirects(true)
            .await
            .unwrap_err();
        assert!(e.is_redirect() && e.to_string().contains("stream"), "{e}");
    });
    let seen = seen.lock().unwrap();
    assert_eq!(
        (seen[1].method(), seen[1].body().as_bytes().unwrap()),
        (&Method::GET, &b""[..])
    );
    assert_eq!(
        (seen[3].method(), seen[3].body().as_bytes().unwrap()),
        (&Method::POST, &b"payload"[..])
    );
    assert!(seen[4].headers().contains_key("authorization"));
    assert!(
        !seen[5].headers().contains_key("authorization"),
        "dropped on a cross-origin hop"
    );
}

#[test]
fn cookies_persist_and_are_set_on_redirect_hops() {
    let (client, seen) = recording(|req, _| match req.url().path() {
        "/login" => redirect(302, "/home").with_header("set-cookie", "session=abc; Path=/"),
        _ => Response::new(200, ()),
    });
    block_on(async {
        client
            .get("http://h/login")
            .follow_redirects(true)
            .await
            .unwrap();
        client.get("http://h/later").await.unwrap();
        client.get("http://other/").await.unwrap();
    });
    let seen = seen.lock().unwrap();
    assert!(!seen[0].headers().contains_key("cookie"));
    assert_eq!(
        seen[1].headers()["cookie"],
        "session=abc",
        "the redirect response's cookie is sent on the next hop"
    );
    assert_eq!(
        seen[2].headers()["cookie"],
        "session=abc",
        "and on later calls"
    );
    assert!(
        !seen[3].headers().contains_key("cookie"),
        "not to another host"
    );
    let no_jar = Client::builder()
        .cookie_store(false)
        .transport(MockTransport::new(|_| async {
            Ok(Response::new(200, ()).with_header("set-cookie", "a=1"))
        }))
        .build()
        .unwrap();
    block_on(async {
        no_jar.get("http://h/").await.unwrap();
        assert!(no_jar.cookies(&"http://h/".parse().unwrap()).is_empty());
    });
}

/// A client that sets `name=value` on every response and records the `Cookie` it was sent.
#[cfg(feature = "cookies")]
fn cookie_client(jar: anyfetch::Jar, set: &'static str) -> (Client, Arc<Mutex<Vec<String>>>) {
    let sent: Arc<Mutex<Vec<String>>> = Arc::default();
    let sent2 = sent.clone();
    let client = Client::builder()
        .cookie_jar(jar)
        .transport(MockTransport::new(move |req: Request| {
            let cookie = req
                .headers()
                .get("cookie")
                .map(|v| v.to_str().unwrap().to_string());
            sent2.lock().unwrap().push(cookie.unwrap_or_default());
            async move { Ok(Response::new(200, ()).with_header("set-cookie", set)) }
        }))
        .build()
        .unwrap();
    (client, sent)
}

#[cfg(feature = "cookies")]
#[test]
fn one_jar_shared_by_two_clients_and_kept_after_them() {
    let jar = anyfetch::Jar::new();
    let (a, sent_a) = cookie_client(jar.clone(), "a=1; Path=/");
    let (b, sent_b) = cookie_client(jar.clone(), "b=2; Path=/");
    block_on(async {
        a.get("http://h/").await.unwrap();
        b.get("http://h/").await.unwrap();
        a.get("http://h/").await.unwrap();
    });
    assert_eq!(*sent_b.lock().unwrap(), ["a=1"], "b sends what a received");
    let a_second = sent_a.lock().unwrap()[1].clone();
    assert!(
        a_second.contains("a=1") && a_second.contains("b=2"),
        "{a_second}"
    );
    let url = "http://h/".parse().unwrap();
    assert_eq!(
        a.cookie_jar().unwrap().cookies(&url).len(),
        2,
        "the client's jar is the one given"
    );
    drop((a, b));
    let mut names: Vec<String> = jar.cookies(&url).into_iter().map(|(k, _)| k).collect();
    names.sort();
    assert_eq!(names, ["a", "b"], "the caller's clone outlives the clients");
    // A client built without a jar has one of its own, not shared.
    let own = Client::builder().build().unwrap();
    assert!(own.cookie_jar().unwrap().cookies(&url).is_empty());
}

#[cfg(feature = "cookies")]
#[test]
fn cookie_store_false_wins_over_a_jar_in_either_order() {
    let url = "http://h/".parse().unwrap();
    let jar = anyfetch::Jar::new();
    jar.add_cookie_str("seeded=1", &url).unwrap();
    for off_first in [true, false] {
        let mut b = Client::builder();
        if off_first {
            b = b.cookie_store(false).cookie_jar(jar.clone());
        } else {
            b = b.cookie_jar(jar.clone()).cookie_store(false);
        }
        let seen: Arc<Mutex<Vec<Option<String>>>> = Arc::default();
        let s2 = seen.clone();
        let client = b
            .transport(MockTransport::new(move |req: Request| {
                let c = req
                    .headers()
                    .get("cookie")
                    .map(|v| v.to_str().unwrap().to_string());
                s2.lock().unwrap().push(c);
                async { Ok(Response::new(200, ()).with_header("set-cookie", "new=2")) }
            }))
            .build()
            .unwrap();
        block_on(async { client.get("http://h/").await.unwrap() });
        assert_eq!(*seen.lock().unwrap(), [None], "off_first={off_first}");
        assert!(client.cookie_jar().is_none());
        assert_eq!(jar.cookies(&url).len(), 1, "the jar is left untouched");
    }
}

/// A host that keeps cookies itself (a browser): a jar given to it is refused at build().
#[cfg(feature = "cookies")]
#[test]
fn a_jar_where_the_host_keeps_cookies_is_unsupported() {
    struct Browserish;
    impl anyfetch::Transport for Browserish {
        fn send(&self, _: Request) -> anyfetch::BoxFuture<'static, anyfetch::Result<Response>> {
            Box::pin(async { Ok(Response::new(200, ())) })
        }
        fn capabilities(&self) -> anyfetch::Capabilities {
            let mut c = anyfetch::Capabilities::default();
            c.manages_cookies = true;
            c
        }
    }
    let e = Client::builder()
        .cookie_jar(anyfetch::Jar::new())
        .transport(Browserish)
        .build()
        .unwrap_err();
    assert!(e.is_unsupported(), "{e:?}");
    let c = Client::builder().transport(Browserish).build().unwrap();
    assert!(c.cookie_jar().is_none(), "the browser's own store, no jar");
    Client::builder()
        .cookie_jar(anyfetch::Jar::new())
        .cookie_store(false)
        .transport(Browserish)
        .build()
        .expect("cookies off: the jar is not used, nothing to refuse");
}

#[cfg(all(feature = "cookies", feature = "json"))]
#[test]
fn a_loaded_jar_sends_its_cookies() {
    let text = r#"[{"raw_cookie":"id=42; Path=/; Expires=Wed, 01 Jan 2200 00:00:00 GMT",
        "path":["/",true],"domain":{"HostOnly":"h"},"expires":{"AtUtc":"2200-01-01T00:00:00Z"}}]"#;
    let jar = anyfetch::Jar::load_json(text.as_bytes()).unwrap();
    let (client, sent) = cookie_client(jar, "x=1");
    block_on(async { client.get("http://h/page").await.unwrap() });
    assert_eq!(*sent.lock().unwrap(), ["id=42"]);
}

/// `Set-Cookie: ...; Domain=co.uk` from `shop.co.uk`: with the `psl` feature the jar refuses
/// it; without, it is kept and reaches every `.co.uk` host (the documented behaviour).
#[cfg(feature = "cookies")]
#[test]
fn a_cookie_for_a_public_suffix() {
    let jar = anyfetch::Jar::new();
    let (client, _) = cookie_client(jar.clone(), "id=1; Domain=co.uk; Path=/");
    block_on(async { client.get("http://shop.co.uk/").await.unwrap() });
    let other = jar.cookies(&"http://other.co.uk/".parse().unwrap());
    if cfg!(feature = "psl") {
        assert!(other.is_empty(), "{other:?}");
    } else {
        assert_eq!(other, [("id".to_string(), "1".to_string())]);
    }
}

#[test]
fn digest_flow_answers_the_challenge_once_then_preauthenticates() {
    let (client, seen) = recording(|req, _| match req.headers().get("authorization") {
        None => Response::new(401, ()).with_header(
            "www-authenticate",
            r#"Digest realm="r", nonce="n1", qop="auth", opaque="o""#,
        ),
        Some(_) => Response::new(200, ()),
    });
    block_on(async {
        let r = client
            .get("http://h/p?q=1")
            .auth(DigestAuth::new("user", "pass"))
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
    });
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 2);
    let h = seen[1].headers()["authorization"].to_str().unwrap();
    for part in [
        r#"username="user""#,
        r#"realm="r""#,
        r#"nonce="n1""#,
        r#"uri="/p?q=1""#,
        "qop=auth",
        "nc=00000001",
        r#"opaque="o""#,
    ] {
        assert!(h.contains(part), "{part} missing in {h}");
    }
    drop(seen);
    // On a client, the remembered challenge authenticates the next request up front.
    let (client, seen) = recording(|req, _| match req.headers().get("authorization") {
        None => Response::new(401, ()).with_header(
            "www-authenticate",
            r#"Digest realm="r", nonce="n1", qop="auth""#,
        ),
        Some(_) => Response::new(200, ()),
    });
    let client = Client::builder()
        .auth(DigestAuth::new("user", "pass"))
        .transport(MockTransport::new({
            let client = client.clone();
            move |req| {
                let client = client.clone();
                async move { client.send(req).await }
            }
        }))
        .build()
        .unwrap();
    block_on(async {
        client.get("http://h/1").await.unwrap();
        client.get("http://h/2").await.unwrap();
    });
    let seen = seen.lock().unwrap();
    assert_eq!(
        seen.len(),
        3,
        "401 + retry, then one pre-authenticated request"
    );
    assert!(seen[2].headers()["authorization"]
        .to_str()
        .unwrap()
        .contains("nc=00000002"));
}

#[test]
fn wrong_credentials_stop_after_one_retry() {
    let (client, seen) = recording(|_, _| {
        Response::new(401, ()).with_header("www-authenticate", r#"Digest realm="r", nonce="n""#)
    });
    block_on(async {
        let r = client
            .get("http://h/")
            .auth(DigestAuth::new("u", "wrong"))
            .await
            .unwrap();
        assert_eq!(r.status(), 401);
    });
    assert_eq!(seen.lock().unwrap().len(), 2);
}

#[test]
fn retries_statuses_with_backoff_but_not_posts_or_streams() {
    let (client, seen) = recording(|_, n| {
        if n < 2 {
            Response::new(503, ())
        } else {
            Response::new(200, ())
        }
    });
    let client = rebuild_with_retry(client, Retry::new(3).backoff_factor(0.01));
    block_on(async {
        let r = client.get("http://h/").await.unwrap();
        assert_eq!(r.status(), 200);
    });
    assert_eq!(seen.lock().unwrap().len(), 3);

    let (client, seen) = recording(|_, _| Response::new(503, ()));
    let client = rebuild_with_retry(client, Retry::new(3).backoff_factor(0.01));
    block_on(async {
        assert_eq!(
            client.post("http://h/").body("x").await.unwrap().status(),
            503
        );
        assert_eq!(seen.lock().unwrap().len(), 1, "POST is not idempotent");
        assert_eq!(client.get("http://h/").await.unwrap().status(), 503);
        assert_eq!(
            seen.lock().unwrap().len(),
            5,
            "1 + 3 retries, then the last 503 is returned"
        );
        let stream = futures::stream::iter(vec![Ok::<_, std::io::Error>(b"x".to_vec())]);
        client
            .put("http://h/")
            .body(Body::from_stream(stream))
            .await
            .unwrap();
        assert_eq!(
            seen.lock().unwrap().len(),
            6,
            "a streamed body is never replayed"
        );
    });
}

#[test]
fn retry_after_is_honoured() {
    let (client, seen) = recording(|_, n| {
        if n == 0 {
            Response::new(429, ()).with_header("retry-after", "1")
        } else {
            Response::new(200, ())
        }
    });
    let client = rebuild_with_retry(client, Retry::new(1).backoff_factor(0.0));
    let start = Instant::now();
    block_on(async { client.get("http://h/").await.unwrap() });
    let took = start.elapsed();
    assert!(took >= Duration::from_millis(950), "{took:?}");
    assert_eq!(seen.lock().unwrap().len(), 2);
}

#[test]
fn connect_errors_are_retried_for_any_method() {
    let calls = Arc::new(AtomicUsize::new(0));
    let c2 = calls.clone();
    let client = Client::builder()
        .retry(Retry::new(2).backoff_factor(0.0))
        .transport(MockTransport::new(move |_| {
            let n = c2.fetch_add(1, Ordering::SeqCst);
            async move {
                if n < 2 {
                    Err(anyfetch::Error::new(anyfetch::ErrorKind::Connect))
                } else {
                    Ok(Response::new(201, ()))
                }
            }
        }))
        .build()
        .unwrap();
    let r = block_on(client.post("http://h/").body("x").send()).unwrap();
    assert_eq!(r.status(), 201);
    assert_eq!(calls.load(Ordering::SeqCst), 3);
}

/// Puts a `Retry` on a client that forwards to `inner` (so the inner one's recording is kept).
fn rebuild_with_retry(inner: Client, retry: Retry) -> Client {
    Client::builder()
        .retry(retry)
        .transport(MockTransport::new(move |req| {
            let inner = inner.clone();
            async move { inner.send(req).await }
        }))
        .build()
        .unwrap()
}

#[test]
fn hooks_see_every_hop_and_can_fail_the_request() {
    let log: Arc<Mutex<Vec<String>>> = Arc::default();
    let (l1, l2) = (log.clone(), log.clone());
    let client = Client::builder()
        .follow_redirects(true)
        .on_request(move |req: &mut Request| {
            req.headers_mut().insert("x-hooked", "1".parse().unwrap());
            l1.lock().unwrap().push(format!("req {}", req.url().path()));
        })
        .on_response(move |resp: &Response| {
            l2.lock()
                .unwrap()
                .push(format!("resp {}", resp.status().as_u16()))
        })
        .transport(MockTransport::new(|req| async move {
            assert_eq!(req.headers()["x-hooked"], "1");
            Ok(match req.url().path() {
                "/a" => redirect(302, "/b"),
                _ => Response::new(500, ()),
            })
        }))
        .build()
        .unwrap();
    block_on(client.get("http://h/a").send()).unwrap();
    assert_eq!(
        *log.lock().unwrap(),
        ["req /a", "resp 302", "req /b", "resp 500"]
    );

    let strict = Client::builder()
        .on_response(|r: &Response| -> anyfetch::Result<()> {
            if r.is_error() {
                return Err(anyfetch::Error::new(anyfetch::ErrorKind::Status(
                    r.status(),
                )));
            }
            Ok(())
        })
        .transport(MockTransport::new(|_| async { Ok(Response::new(503, ())) }))
        .build()
        .unwrap();
    let e = block_on(strict.get("http://h/").send()).unwrap_err();
    assert_eq!(e.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(e.url().unwrap().as_str(), "http://h/");
}

#[test]
fn error_for_status() {
    let (client, _) =
        recording(|req, _| Response::new(req.url().path()[1..].parse::<u16>().unwrap(), ()));
    block_on(async {
        let e = client
            .get("http://h/503")
            .await
            .unwrap()
            .error_for_status()
            .unwrap_err();
        assert!(e.is_status() && !e.is_request());
        assert_eq!(e.status().unwrap().as_u16(), 503);
        assert_eq!(e.url().unwrap().as_str(), "http://h/503");
        assert!(e.to_string().contains("503"), "{e}");
        let e = client
            .get("http://h/404")
            .await
            .unwrap()
            .error_for_status()
            .unwrap_err();
        assert!(e.to_string().contains("client error"), "{e}");
        assert!(client
            .get("http://h/204")
            .await
            .unwrap()
            .error_for_status()
            .is_ok());
        assert!(client
            .get("http://h/302")
            .await
            .unwrap()
            .error_for_status()
            .is_ok());
    });
}

#[test]
fn read_timeout_total_deadline_and_per_request_override() {
    let client = Client::builder()
        .timeout(Duration::from_millis(200))
        .transport(MockTransport::new(|req| async move {
            let ms: u64 = req.url().path()[1..].parse().unwrap();
            futures_timer(ms).await;
            Ok(Response::new(200, ()))
        }))
        .build()
        .unwrap();
    block_on(async {
        let start = Instant::now();
        let e = client.get("http://h/2000").await.unwrap_err();
        assert_eq!(e.timeout_kind(), Some(TimeoutKind::Read), "{e}");
        assert!(e.is_timeout() && e.is_request());
        assert!(
            start.elapsed() < Duration::from_millis(1000),
            "{:?}",
            start.elapsed()
        );
        client
            .get("http://h/300")
            .timeout(Duration::from_secs(2))
            .await
            .unwrap();
        let e = client
            .get("http://h/300")
            .timeout(Timeout::new(Duration::from_secs(2)).total(Duration::from_millis(100)))
            .await
            .unwrap_err();
        assert_eq!(e.timeout_kind(), Some(TimeoutKind::Total), "{e}");
    });
}

/// A runtime-free sleep for mock handlers.
async fn futures_timer(ms: u64) {
    let (tx, rx) = futures::channel::oneshot::channel::<()>();
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(ms));
        let _ = tx.send(());
    });
    let _ = rx.await;
}

/// A streamed body whose chunks are produced one every `gap_ms`.
fn dripping(chunks: Vec<&'static [u8]>, gap_ms: u64) -> Body {
    let (mut tx, rx) = futures::channel::mpsc::channel::<Result<Vec<u8>, std::io::Error>>(1);
    std::thread::spawn(move || {
        for c in chunks {
            std::thread::sleep(Duration::from_millis(gap_ms));
            if block_on(futures::SinkExt::send(&mut tx, Ok(c.to_vec()))).is_err() {
                return;
            }
        }
    });
    Body::from_stream(rx)
}

#[test]
fn streams_arrive_incrementally_and_split_lines() {
    let client = Client::builder()
        .transport(MockTransport::new(|_| async {
            Ok(Response::new(
                200,
                dripping(vec![b"first li", b"ne\r\nsecond\n", b"third"], 150),
            ))
        }))
        .build()
        .unwrap();
    block_on(async {
        let start = Instant::now();
        let mut r = client.get("http://h/").await.unwrap();
        let mut lines = Box::pin(r.lines());
        let first = lines.next().await.unwrap().unwrap();
        let at_first = start.elapsed();
        assert_eq!(first, "first line");
        assert_eq!(lines.next().await.unwrap().unwrap(), "second");
        assert_eq!(lines.next().await.unwrap().unwrap(), "third");
        assert!(lines.next().await.is_none());
        assert!(
            at_first < start.elapsed() - Duration::from_millis(100),
            "the first line came before the body ended"
        );
    });
}

trait Stall {
    fn into_stalled(self) -> Body;
}
impl Stall for Body {
    /// The chunks, then a wait that never ends.
    fn into_stalled(self) -> Body {
        Body::from_stream(
            self.into_stream()
                .chain(futures::stream::pending())
                .map(|r| r.map_err(|e| Box::new(e) as anyfetch::BoxError)),
        )
    }
}

#[test]
fn a_stalled_body_hits_the_read_timeout() {
    let client = Client::builder()
        .timeout(Duration::from_millis(300))
        .transport(MockTransport::new(|_| async {
            Ok(Response::new(200, dripping(vec![b"a"], 10).into_stalled()))
        }))
        .build()
        .unwrap();
    block_on(async {
        let mut r = client.get("http://h/").await.unwrap();
        let mut s = r.bytes_stream();
        assert_eq!(&s.next().await.unwrap().unwrap()[..], b"a");
        let start = Instant::now();
        let e = s.next().await.unwrap().unwrap_err();
        assert_eq!(e.timeout_kind(), Some(TimeoutKind::Read), "{e}");
        assert_eq!(e.url().map(|u| u.as_str()), Some("http://h/"), "{e:?}");
        assert!(start.elapsed() < Duration::from_secs(2));
        assert!(s.next().await.is_none(), "the stream ends after its error");
        // Read whole, the body's error carries the URL too.
        let mut r = client.get("http://h/whole").await.unwrap();
        let e = r.bytes().await.unwrap_err();
        assert_eq!(e.timeout_kind(), Some(TimeoutKind::Read), "{e}");
        assert_eq!(e.url().map(|u| u.as_str()), Some("http://h/whole"), "{e:?}");
    });
}

#[test]
fn content_is_decoded_with_a_cap() {
    use std::io::Write;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&vec![b'a'; 100_000]).unwrap();
    let gz = gz.finish().unwrap();
    let gz2 = gz.clone();
    let client = Client::builder()
        .transport(MockTransport::new(move |_| {
            let gz = gz2.clone();
            async move { Ok(Response::new(200, gz).with_header("content-encoding", "gzip")) }
        }))
        .build()
        .unwrap();
    let capped = Client::builder()
        .max_decoded_size(50_000)
        .transport(MockTransport::new(move |_| {
            let gz = gz.clone();
            async move { Ok(Response::new(200, gz).with_header("content-encoding", "gzip")) }
        }))
        .build()
        .unwrap();
    block_on(async {
        let body = client
            .get("http://h/")
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        assert_eq!(body.len(), 100_000);
        let e = capped
            .get("http://h/")
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap_err();
        assert!(e.is_decode(), "{e}");
        let bad = Client::builder()
            .transport(MockTransport::new(|_| async {
                Ok(Response::new(200, "not gzip").with_header("content-encoding", "gzip"))
            }))
            .build()
            .unwrap();
        let e = bad
            .get("http://h/")
            .await
            .unwrap()
            .text()
            .await
            .unwrap_err();
        assert!(e.is_decode(), "{e}");
        // A 304 keeps the Content-Encoding of the resource, and has no body at all.
        for enc in ["gzip", "deflate", "br", "zstd", "gzip, br"] {
            let empty = Client::builder()
                .transport(MockTransport::new(move |_| async move {
                    Ok(Response::new(304, ()).with_header("content-encoding", enc))
                }))
                .build()
                .unwrap();
            let body = empty.get("http://h/").await.unwrap().bytes().await;
            assert!(body.unwrap().is_empty(), "{enc}");
        }
    });
}

#[test]
fn bodies_can_be_read_again_but_not_after_streaming() {
    let client = Client::builder()
        .transport(MockTransport::new(|_| async {
            Ok(Response::new(200, r#"{"a": 1}"#).with_header("content-type", "application/json"))
        }))
        .build()
        .unwrap();
    block_on(async {
        let mut r = client.get("http://h/").await.unwrap();
        assert_eq!(r.text().await.unwrap(), r#"{"a": 1}"#);
        let v: serde_json::Value = r.json().await.unwrap();
        assert_eq!(v["a"], 1);
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Wrong {
            b: String,
        }
        let e = r.json::<Wrong>().await.unwrap_err();
        assert!(e.is_decode(), "{e}");
        let mut r = client.get("http://h/").await.unwrap();
        let _ = r.bytes_stream();
        assert!(r.bytes().await.is_err());
    });
}

#[test]
fn basic_auth_header_and_client_default_auth() {
    let (client, seen) = recording(|_, _| Response::new(200, ()));
    block_on(async {
        client
            .get("http://h/")
            .auth(BasicAuth::new("user", "passwd"))
            .await
            .unwrap();
        client.get("http://h/").bearer_auth("TOKEN").await.unwrap();
    });
    let seen = seen.lock().unwrap();
    assert_eq!(seen[0].headers()["authorization"], "Basic dXNlcjpwYXNzd2Q=");
    assert_eq!(seen[1].headers()["authorization"], "Bearer TOKEN");
}

#[test]
fn each_retry_is_marked_with_its_attempt() {
    let client = Client::builder()
        .retry(Retry::new(2).backoff_factor(0.0))
        .transport(MockTransport::new(|req: Request| async move {
            let n = req
                .extensions()
                .get::<anyfetch::RetryAttempt>()
                .map(|a| a.0);
            Ok(Response::new(503, format!("{n:?}")))
        }))
        .build()
        .unwrap();
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let seen2 = seen.clone();
    let client_hooked = Client::builder()
        .retry(Retry::new(2).backoff_factor(0.0))
        .on_request(move |req: &mut Request| {
            let n = req
                .extensions()
                .get::<anyfetch::RetryAttempt>()
                .map(|a| a.0);
            seen2.lock().unwrap().push(format!("{n:?}"));
        })
        .transport(MockTransport::new(|_| async { Ok(Response::new(503, ())) }))
        .build()
        .unwrap();
    let mut r = block_on(client.get("http://h/").send()).unwrap();
    assert_eq!(block_on(r.text()).unwrap(), "Some(2)");
    block_on(client_hooked.get("http://h/").send()).unwrap();
    assert_eq!(*seen.lock().unwrap(), ["None", "Some(1)", "Some(2)"]);
}

#[test]
fn an_auth_flow_sends_its_own_requests_without_auth() {
    use anyfetch::{Auth, AuthContext, AuthStep};
    /// Fetches a token from `/token` on every 401 (and counts what it sees).
    struct Refresh;
    impl Auth for Refresh {
        async fn on_request(&self, req: &mut Request, _: &AuthContext) -> anyfetch::Result<()> {
            req.headers_mut()
                .insert("authorization", "Bearer old".parse().unwrap());
            Ok(())
        }
        async fn on_response(
            &self,
            req: &mut Request,
            resp: &Response,
            attempt: u32,
            cx: &AuthContext,
        ) -> anyfetch::Result<AuthStep> {
            if resp.status() != 401 || attempt > 0 {
                return Ok(AuthStep::Done);
            }
            let token = cx
                .send(cx.client().post("http://h/token").build()?)
                .await?
                .text()
                .await?;
            req.headers_mut()
                .insert("authorization", format!("Bearer {token}").parse().unwrap());
            Ok(AuthStep::Retry)
        }
    }
    let (client, seen) = recording(|req, _| {
        let auth = req
            .headers()
            .get("authorization")
            .map(|v| v.to_str().unwrap().to_owned());
        match (req.url().path(), auth.as_deref()) {
            ("/token", None) => Response::new(200, "new"),
            ("/token", Some(_)) => Response::new(400, "the token request carried auth"),
            (_, Some("Bearer new")) => Response::new(200, "ok"),
            _ => Response::new(401, ()),
        }
    });
    let client = Client::builder()
        .auth(Refresh)
        .transport(MockTransport::new(move |req| {
            let c = client.clone();
            async move { c.send(req).await }
        }))
        .build()
        .unwrap();
    let mut r = block_on(client.get("http://h/data").send()).unwrap();
    assert_eq!(block_on(r.text()).unwrap(), "ok");
    let paths: Vec<String> = seen
        .lock()
        .unwrap()
        .iter()
        .map(|r| r.url().path().to_owned())
        .collect();
    assert_eq!(paths, ["/data", "/token", "/data"]);
}

#[test]
fn debug_output_never_shows_credentials() {
    let secrets = ["hunter2", "s3cret", "T0KEN", "dXNlcjpwYXNzd2Q"];
    let builder = Client::builder()
        .base_url("http://user:hunter2@h/")
        .header("Authorization", "Bearer T0KEN")
        .header("Cookie", "session=s3cret");
    let client = Client::builder()
        .base_url("http://user:hunter2@h/")
        .transport(MockTransport::new(|_req: Request| async {
            Ok(Response::new(200, ()).with_header("set-cookie", "session=s3cret"))
        }))
        .build()
        .unwrap();
    let request = client
        .get("/p")
        .basic_auth("user", "passwd")
        .header("Proxy-Authorization", "Bearer T0KEN")
        .header("Cookie", "session=s3cret");
    let built = client
        .get("/p")
        .header("Authorization", "Bearer T0KEN")
        .build()
        .unwrap();
    let response = block_on(client.get("/p").send()).unwrap();
    let outputs = [
        format!("{builder:?}"),
        format!("{client:?}"),
        format!("{request:?}"),
        format!("{built:?}"),
        format!("{:?}", built.into_parts().0),
        format!("{response:?}"),
        format!("{:?}", BasicAuth::new("user", "passwd")),
    ];
    for out in &outputs {
        for secret in secrets {
            assert!(!out.contains(secret), "{secret} in {out}");
        }
    }
    assert!(outputs[0].contains("[redacted]"), "{}", outputs[0]);
}

#[test]
fn the_read_timeout_runs_between_chunks_not_over_the_whole_body() {
    let client = Client::builder()
        .timeout(Duration::from_millis(300))
        .transport(MockTransport::new(|req: Request| async move {
            let gap = if req.url().path() == "/steady" {
                100
            } else {
                450
            };
            Ok(Response::new(200, dripping(vec![b"a"; 7], gap)))
        }))
        .build()
        .unwrap();
    block_on(async {
        // Seven chunks 100 ms apart: 700 ms in all, more than twice the read timeout.
        let start = Instant::now();
        let mut r = client.get("http://h/steady").await.unwrap();
        assert_eq!(&r.bytes().await.unwrap()[..], b"aaaaaaa");
        assert!(start.elapsed() >= Duration::from_millis(600));
        // A gap longer than the read timeout fails, after about the read timeout.
        let mut r = client.get("http://h/slow").await.unwrap();
        let start = Instant::now();
        let e = r.bytes().await.unwrap_err();
        assert_eq!(e.timeout_kind(), Some(TimeoutKind::Read), "{e}");
        assert!(
            start.elapsed() < Duration::from_millis(450 + 300),
            "{:?}",
            start.elapsed()
        );
    });
}

#[test]
fn a_hostile_retry_after_never_panics_the_client() {
    for value in [
        "1e20",
        "inf",
        "NaN",
        "-1",
        "99999999999999999999",
        "Fri, 31 Dec 9999 23:59:59 GMT",
    ] {
        let client = Client::builder()
            .retry(Retry::new(2).backoff_factor(0.0).status_forcelist([503]))
            .transport(MockTransport::new(move |_| async move {
                Ok(Response::new(503, ()).with_header("retry-after", value))
            }))
            .build()
            .unwrap();
        let start = Instant::now();
        let r = block_on(client.get("http://h/").send()).unwrap();
        assert_eq!(r.status(), 503, "{value}");
        assert!(start.elapsed() < Duration::from_secs(2), "{value}");
    }
}

#[test]
fn framing_headers_that_disagree_with_the_body_are_builder_errors() {
    let (client, seen) = recording(|_, _| Response::new(200, ()));
    let send = |b: anyfetch::RequestBuilder| block_on(b.send());
    for (name, value, body) in [
        ("content-length", "3", "hello"),
        ("content-length", "9", "hello"),
        ("content-length", "-5", "hello"),
        ("content-length", "5, 5", "hello"),
        ("transfer-encoding", "chunked", "hello"),
    ] {
        let e = send(client.post("http://h/").header(name, value).body(body)).unwrap_err();
        assert!(e.is_builder(), "{name}: {value}: {e}");
        assert_eq!(e.url().map(|u| u.as_str()), Some("http://h/"));
    }
    let e = send(
        client
            .post("http://h/")
            .header("content-length", "5")
            .header("transfer-encoding", "chunked")
            .body(Body::from_stream(futures::stream::iter([Ok::<
                _,
                std::io::Error,
            >(
                "hello"
            )]))),
    )
    .unwrap_err();
    assert!(e.is_builder(), "{e}");
    assert!(seen.lock().unwrap().is_empty(), "nothing may be sent");
    // What agrees goes out: a matching length, a chunked stream.
    send(
        client
            .post("http://h/")
            .header("content-length", "5")
            .body("hello"),
    )
    .unwrap();
    let chunks = futures::stream::iter([Ok::<_, std::io::Error>("hello")]);
    send(
        client
            .post("http://h/")
            .header("transfer-encoding", "chunked")
            .body(Body::from_stream(chunks)),
    )
    .unwrap();
    assert_eq!(seen.lock().unwrap().len(), 2);
}

#[test]
fn digest_answers_up_front_only_the_origin_that_challenged() {
    let (client, seen) = recording(|req, _| {
        if req.headers().contains_key("authorization") {
            Response::new(200, ())
        } else {
            Response::new(401, ()).with_header(
                "www-authenticate",
                r#"Digest realm="r", nonce="abc", qop="auth""#,
            )
        }
    });
    let client = Client::builder()
        .auth(DigestAuth::new("u", "p"))
        .transport(MockTransport::new(move |req| {
            let c = client.clone();
            async move { c.send(req).await }
        }))
        .build()
        .unwrap();
    let get = |u: &str| block_on(client.get(u).send()).unwrap().status();
    assert_eq!(get("http://a.test/x"), 200); // challenged, then answered
    assert_eq!(get("http://a.test/y"), 200); // up front: same origin
    assert_eq!(get("http://b.test/z"), 200); // its own challenge first
    let sent: Vec<(String, bool)> = seen
        .lock()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r.url().to_string(),
                r.headers().contains_key("authorization"),
            )
        })
        .collect();
    let expect = [
        ("http://a.test/x", false),
        ("http://a.test/x", true),
        ("http://a.test/y", true),
        ("http://b.test/z", false),
        ("http://b.test/z", true),
    ];
    let expect: Vec<(String, bool)> = expect.iter().map(|(u, a)| (u.to_string(), *a)).collect();
    assert_eq!(sent, expect);
}

#[test]
fn credential_headers_set_by_hand_are_marked_sensitive() {
    let client = Client::new();
    let req = client
        .get("http://h/")
        .header("Authorization", "Bearer t0ken")
        .header("Cookie", "session=s3cret")
        .header("X-Other", "plain")
        .build()
        .unwrap();
    assert!(req.headers()["authorization"].is_sensitive());
    assert!(req.headers()["cookie"].is_sensitive());
    assert!(!req.headers()["x-other"].is_sensitive());
    let shown = format!("{req:?}");
    assert!(
        !shown.contains("t0ken") && !shown.contains("s3cret"),
        "{shown}"
    );
}
