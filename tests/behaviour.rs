//! The behaviour suite: what anyfetch does against the project's own local server, the same on
//! every backend. It compiles for the native target (hyper; the server runs in-process), for
//! `wasm32-wasip2` (the WASI backend inside wasmtime) and for `wasm32-unknown-unknown` (the
//! fetch backend, in Node and in headless Chromium and Firefox); see `tests/common/mod.rs`:
//!
//! ```sh
//! cargo test --test behaviour                         # native
//! cargo test --target wasm32-wasip2 --test behaviour  # WASI (scripts/test.sh sets it up)
//! cargo test --target wasm32-unknown-unknown --test behaviour                           # Node
//! WASM_BINDGEN_USE_BROWSER=1 cargo test --target wasm32-unknown-unknown --test behaviour  # Chromium
//! WASM_BINDGEN_USE_BROWSER=1 GECKODRIVER=geckodriver WASM_BINDGEN_TEST_WEBDRIVER_JSON=webdriver-firefox.json \
//!     cargo test --target wasm32-unknown-unknown --test behaviour                           # Firefox
//! ```
//!
//! Where a host cannot behave as the others (a browser hides `Set-Cookie` and manual
//! redirects, the platform decodes content itself), the test says what that host does instead,
//! with [`common::host`] (and [`common::browser`] where Chromium and Firefox differ). Native-only behaviour (TLS roots, h2c, pool limits, the write
//! timeout, keep-alive reuse) stays in `tests/native.rs`.
#![cfg(any(
    all(feature = "native", not(target_arch = "wasm32")),
    all(target_arch = "wasm32", target_os = "wasi"),
    all(target_arch = "wasm32", target_os = "unknown")
))]

#[macro_use]
mod common;

use std::time::Duration;

use anyfetch::{Client, DigestAuth, Retry, TimeoutKind, Version};
use common::{browser, dead_port, host, is_fetch, url, Browser, Host, Instant};
use futures::{StreamExt, TryStreamExt};
use serde_json::{json, Value};

behaviour_test! {
    fn get_with_params_and_headers() {
        let mut r = anyfetch::get(url("/get"))
            .query(&[("q", "test"), ("page", "2")])
            .header("X-Trace", "abc")
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.version(), Version::HTTP_11);
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["args"], json!({"q": "test", "page": "2"}));
        assert_eq!(v["headers"]["X-Trace"], "abc");
        let agent = v["headers"]["User-Agent"].as_str().unwrap();
        if host() == Host::Browser {
            // A browser is not sent the client's default (in Firefox, which would send it, it
            // would make every cross-origin request need a CORS preflight): its own goes.
            assert!(agent.starts_with("Mozilla/5.0"), "{agent}");
        } else {
            assert!(agent.starts_with("anyfetch/"), "{agent}");
        }
    }
}

behaviour_test! {
    fn json_form_raw_and_multipart_posts() {
        let mut r = anyfetch::post(url("/post"))
            .json(&json!({"id": 1, "name": "ada"}))
            .await
            .unwrap();
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["json"], json!({"id": 1, "name": "ada"}));
        assert_eq!(v["headers"]["Content-Type"], "application/json");

        let v: Value = anyfetch::post(url("/post"))
            .form(&[("key", "value")])
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(v["form"], json!({"key": "value"}));

        let v: Value = anyfetch::post(url("/post"))
            .body(b"raw bytes".to_vec())
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(v["data"], "raw bytes");

        let form =
            anyfetch::multipart::Form::new()
                .text("a", "b")
                .file("file", "a.txt", "file content");
        let v: Value = anyfetch::post(url("/post"))
            .multipart(form)
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(v["form"], json!({"a": "b"}));
        assert_eq!(v["files"], json!({"file": "file content"}));

        for (m, path) in [("PUT", "/put"), ("PATCH", "/patch"), ("DELETE", "/delete")] {
            let v: Value = anyfetch::request(m, url(path))
                .json(&json!({"m": m}))
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            assert_eq!(v["json"]["m"], m);
        }
    }
}

behaviour_test! {
    fn basic_bearer_and_digest_auth() {
        let r = anyfetch::get(url("/basic-auth/user/passwd"))
            .basic_auth("user", "passwd")
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let r = anyfetch::get(url("/basic-auth/user/passwd"))
            .basic_auth("user", "wrong")
            .await
            .unwrap();
        assert_eq!(r.status(), 401);
        let r = anyfetch::get(url("/bearer"))
            .bearer_auth("TOKEN")
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        for alg in ["MD5", "SHA-256", "SHA-512", "MD5-sess", "SHA-256-sess"] {
            let mut r = anyfetch::get(url(&format!("/digest-auth/auth/user/passwd/{alg}")))
                .auth(DigestAuth::new("user", "passwd"))
                .await
                .unwrap();
            assert_eq!(r.status(), 200, "{alg}");
            assert_eq!(r.json::<Value>().await.unwrap()["authenticated"], true);
            let r = anyfetch::get(url(&format!("/digest-auth/auth/user/passwd/{alg}")))
                .auth(DigestAuth::new("user", "nope"))
                .await
                .unwrap();
            assert_eq!(r.status(), 401, "{alg} with a wrong password");
        }
        let r = anyfetch::post(url("/digest-auth/auth-int/user/passwd"))
            .body("integrity")
            .auth(DigestAuth::new("user", "passwd"))
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "auth-int");
    }
}

behaviour_test! {
    fn cookies_persist_across_calls() {
        if host() == Host::Browser {
            // The browser keeps the cookies and hides Set-Cookie: with credentials included
            // (the test server allows them for the page's origin) it stores and sends them.
            use anyfetch::FetchCredentials::Include;
            let client = Client::builder().follow_redirects(true).build().unwrap();
            let get = |p: &'static str| client.get(url(p)).extension(Include).send();
            get("/cookies/set?name=value").await.unwrap();
            let v: Value = get("/cookies").await.unwrap().json().await.unwrap();
            assert_eq!(v["cookies"], json!({"name": "value"}));
            get("/cookies/delete?name").await.unwrap();
            let v: Value = get("/cookies").await.unwrap().json().await.unwrap();
            assert_eq!(v["cookies"], json!({}));
            // Without credentials, a cross-origin fetch sends none.
            get("/cookies/set?other=1").await.unwrap();
            let v: Value = client.get(url("/cookies")).await.unwrap().json().await.unwrap();
            assert_eq!(v["cookies"], json!({}));
            get("/cookies/delete?other").await.unwrap();
            return;
        }
        let client = Client::new();
        let r = client.get(url("/cookies/set?name=value")).await.unwrap();
        assert_eq!(r.status(), 302);
        let v: Value = client
            .get(url("/cookies"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(v["cookies"], json!({"name": "value"}));
        client.get(url("/cookies/delete?name")).await.unwrap();
        let v: Value = client
            .get(url("/cookies"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(v["cookies"], json!({}));
        // One-offs share no jar.
        anyfetch::get(url("/cookies/set/a/b")).await.unwrap();
        let v: Value = anyfetch::get(url("/cookies"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(v["cookies"], json!({}));
    }
}

behaviour_test! {
    fn fan_out_of_five_one_second_requests_takes_about_one_second() {
        let client = Client::new();
        let start = Instant::now();
        let rs =
            futures::future::join_all((0..5).map(|_| client.get(url("/delay/1")).send())).await;
        let took = start.elapsed();
        assert!(rs
            .iter()
            .all(|r| r.as_ref().is_ok_and(|r| r.status() == 200)));
        assert!(took < Duration::from_millis(2500), "{took:?}");
        assert!(took >= Duration::from_secs(1));
    }
}

behaviour_test! {
    fn capped_fan_out_and_a_batch_where_one_failure_does_not_sink_the_rest() {
        let client = Client::new();
        let start = Instant::now();
        let n = futures::stream::iter((0..4).map(|_| client.get(url("/delay/0.5")).send()))
            .buffer_unordered(2)
            .try_collect::<Vec<_>>()
            .await
            .unwrap()
            .len();
        let took = start.elapsed();
        assert_eq!(n, 4);
        assert!(
            took >= Duration::from_millis(950) && took < Duration::from_millis(2500),
            "{took:?}"
        );

        let dead = dead_port();
        let batch = futures::future::join_all([
            client.get(url("/get")).send(),
            client.get(format!("http://127.0.0.1:{dead}/")).send(),
            client.get(url("/status/201")).send(),
        ])
        .await;
        assert_eq!(batch[0].as_ref().unwrap().status(), 200);
        assert!(batch[1].as_ref().unwrap_err().is_connect());
        assert_eq!(batch[2].as_ref().unwrap().status(), 201);
    }
}

behaviour_test! {
    fn streaming_100kb_in_chunks_and_drip_arrives_incrementally() {
        let mut r = anyfetch::get(url("/stream-bytes/100000?chunk_size=10000"))
            .await
            .unwrap();
        let chunks: Vec<_> = r.bytes_stream().try_collect().await.unwrap();
        assert_eq!(chunks.iter().map(|c| c.len()).sum::<usize>(), 100_000);
        // A browser hands over the body in chunks of its choosing (100 KB from a local server
        // may come at once); the drip below shows it arrives incrementally all the same.
        if host() != Host::Browser {
            assert!(chunks.len() > 1, "{} chunks", chunks.len());
        }

        let start = Instant::now();
        let mut r = anyfetch::get(url("/drip?numbytes=4&duration=1.2"))
            .await
            .unwrap();
        let mut s = r.bytes_stream();
        let mut arrivals = Vec::new();
        while let Some(c) = s.next().await {
            arrivals.push((c.unwrap().len(), start.elapsed()));
        }
        assert_eq!(arrivals.iter().map(|a| a.0).sum::<usize>(), 4);
        let (first, last) = (arrivals[0].1, arrivals.last().unwrap().1);
        assert!(last - first >= Duration::from_millis(600), "{arrivals:?}");
    }
}

behaviour_test! {
    fn held_chunks_of_a_dripped_body_cost_about_their_bytes() {
        // 600 one-byte writes over 1.2 s: the chunks come back small, and are all kept. A chunk
        // that kept its read buffer (64 KiB on WASI 0.3) would hold megabytes for 600 bytes.
        #[cfg(target_arch = "wasm32")]
        let pages = || core::arch::wasm32::memory_size(0);
        #[cfg(not(target_arch = "wasm32"))]
        let pages = || 0usize;
        let before = pages();
        let mut r = anyfetch::get(url("/drip?numbytes=600&duration=1.2"))
            .await
            .unwrap();
        let chunks: Vec<_> = r.bytes_stream().try_collect().await.unwrap();
        assert_eq!(chunks.iter().map(|c| c.len()).sum::<usize>(), 600);
        let grown = (pages() - before) * 65536;
        if host() != Host::Browser {
            assert!(chunks.len() >= 10, "{} chunks", chunks.len());
        }
        // A page or two may come for other reasons: 1 MiB of slack, far below what 600 reads
        // of 64 KiB would keep.
        assert!(
            grown < (chunks.len() * 16 * 1024).max(1 << 20),
            "memory grew by {grown} bytes for {} chunks of 600 bytes",
            chunks.len()
        );
    }
}

behaviour_test! {
    fn lines_from_a_streamed_response() {
        let start = Instant::now();
        let mut r = anyfetch::get(url("/lines/4?delay=0.3")).await.unwrap();
        let mut lines = Box::pin(r.lines());
        assert_eq!(lines.next().await.unwrap().unwrap(), "line 0");
        let first_at = start.elapsed();
        let rest: Vec<String> = lines.try_collect().await.unwrap();
        assert_eq!(rest, ["line 1", "line 2", "line 3"]);
        assert!(
            start.elapsed() - first_at >= Duration::from_millis(600),
            "lines arrive as sent"
        );
    }
}

/// The events `/sse` sends (testserver/src/sse.rs), as `(event, data, id, retry in ms)`.
fn sse_script() -> Vec<(String, String, String, Option<u128>)> {
    [
        ("message", "first", "1"),
        ("update", "line one\nline two", "1"),
        ("message", "cr only", "3"),
        ("message", "split across\nwrites", "3"),
        ("done", "caf\u{e9}", "3"),
    ]
    .into_iter()
    .map(|(e, d, i)| (e.into(), d.into(), i.into(), Some(1500)))
    .collect()
}

fn sse_fields(e: anyfetch::Event) -> (String, String, String, Option<u128>) {
    (e.event, e.data, e.id, e.retry.map(|d| d.as_millis()))
}

behaviour_test! {
    fn server_sent_events_arrive_as_sent() {
        let start = Instant::now();
        let mut r = anyfetch::get(url("/sse?delay=0.2"))
            .header("Accept", "text/event-stream")
            .await
            .unwrap();
        assert_eq!(r.headers()["content-type"], "text/event-stream; charset=utf-8");
        let mut events = r.events();
        let first = events.next().await.unwrap().unwrap();
        let first_at = start.elapsed();
        let rest: Vec<anyfetch::Event> = events.try_collect().await.unwrap();
        // Seven writes, each 0.2 s after the one before, follow the first event.
        assert!(
            start.elapsed() - first_at >= Duration::from_millis(1000),
            "events arrive as sent: the first after {first_at:?}, the end after {:?}",
            start.elapsed()
        );
        let got: Vec<_> = std::iter::once(first).chain(rest).map(sse_fields).collect();
        assert_eq!(got, sse_script());
    }
}

behaviour_test! {
    fn server_sent_events_cut_short_or_too_large() {
        // The body ends cleanly in the middle of an event: that event is discarded.
        let mut r = anyfetch::get(url("/sse?cut=1")).await.unwrap();
        let got: Vec<_> = r.events().map_ok(sse_fields).try_collect().await.unwrap();
        assert_eq!(got, sse_script());

        // The connection closes mid-event, short of its Content-Length: the event before it,
        // then the typed error `lines()` gives, then the end.
        let mut r = anyfetch::get(url("/misbehave/sse-cut")).await.unwrap();
        let mut events = r.events();
        assert_eq!(events.next().await.unwrap().unwrap().data, "one");
        let e = events.next().await.unwrap().unwrap_err();
        assert!(
            e.is_request() && e.kind() == anyfetch::ErrorKind::Protocol,
            "sse-cut: {e}"
        );
        assert!(events.next().await.is_none());
        let mut r = anyfetch::get(url("/misbehave/sse-cut")).await.unwrap();
        let lines: Vec<_> = r.lines().collect().await;
        assert_eq!(lines.last().unwrap().as_ref().unwrap_err().kind(), e.kind());

        // An event over the limit ("data: first" is 11 bytes): a decode error.
        let mut r = anyfetch::get(url("/sse")).await.unwrap();
        let mut events = r.events().max_event_size(10);
        let e = events.next().await.unwrap().unwrap_err();
        assert!(e.is_decode() && e.url().is_some(), "{e}");
        assert!(events.next().await.is_none());
    }
}

behaviour_test! {
    fn a_proxy_is_refused_where_the_host_owns_the_network() {
        let proxy = anyfetch::Proxy::all("http://u:hunter2@proxy.test:3128").unwrap();
        let built = Client::builder().proxy(proxy).build();
        if cfg!(target_arch = "wasm32") {
            // WASI hosts and JavaScript runtimes own the network: refused, never ignored.
            let e = built.unwrap_err();
            assert!(e.is_unsupported(), "{e}");
            assert!(e.to_string().contains("proxy") && !e.to_string().contains("hunter2"), "{e}");
            // trust_env has nothing to read there, and is accepted.
            Client::builder().trust_env(false).no_proxy().build().unwrap();
        } else {
            built.unwrap();
        }
    }
}

behaviour_test! {
    fn redirects_off_by_default_followed_on_request_with_history() {
        if host() == Host::Browser {
            // The browser hides a redirect it does not follow: an Unsupported error says so.
            let e = anyfetch::get(url("/redirect/3")).await.unwrap_err();
            assert!(e.is_unsupported(), "{e}");
            // It follows by itself: the final URL, no history, its own limit (20).
            let r = anyfetch::get(url("/redirect/3"))
                .follow_redirects(true)
                .await
                .unwrap();
            assert_eq!(r.status(), 200);
            assert_eq!(r.url().path(), "/get");
            assert!(r.history().is_empty());
            let r = anyfetch::get(url("/absolute-redirect/2"))
                .follow_redirects(true)
                .await
                .unwrap();
            assert_eq!((r.status().as_u16(), r.url().path()), (200, "/get"));
            return;
        }
        let r = anyfetch::get(url("/redirect/3")).await.unwrap();
        assert_eq!(r.status(), 302);
        assert_eq!(r.headers()["location"], "/redirect/2");
        let r = anyfetch::get(url("/redirect/3"))
            .follow_redirects(true)
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.url().path(), "/get");
        assert_eq!(r.history().len(), 3);
        assert_eq!(r.history()[0].url().path(), "/redirect/3");
        let r = anyfetch::get(url("/absolute-redirect/2"))
            .follow_redirects(true)
            .await
            .unwrap();
        assert_eq!((r.status().as_u16(), r.history().len()), (200, 2));
        let client = Client::builder()
            .follow_redirects(true)
            .max_redirects(2)
            .build()
            .unwrap();
        let e = client.get(url("/redirect/3")).await.unwrap_err();
        assert!(e.is_redirect(), "{e}");
        // A cookie set by a redirect response is sent on the next hop.
        let mut r = Client::new()
            .get(url("/cookies/set?k=v"))
            .follow_redirects(true)
            .await
            .unwrap();
        assert_eq!(
            r.json::<Value>().await.unwrap()["cookies"],
            json!({"k": "v"})
        );
    }
}

behaviour_test! {
    fn error_for_status_on_503() {
        let e = anyfetch::get(url("/status/503"))
            .await
            .unwrap()
            .error_for_status()
            .unwrap_err();
        assert!(e.is_status());
        assert_eq!(e.status().unwrap().as_u16(), 503);
        assert_eq!(e.url().unwrap().path(), "/status/503");
    }
}

behaviour_test! {
    fn read_timeout_fires_on_a_slow_server() {
        let start = Instant::now();
        let e = anyfetch::get(url("/delay/3"))
            .timeout(Duration::from_secs(1))
            .await
            .unwrap_err();
        assert_eq!(e.timeout_kind(), Some(TimeoutKind::Read), "{e}");
        assert!(
            start.elapsed() < Duration::from_secs(2),
            "{:?}",
            start.elapsed()
        );
        // A stall mid-body is a read timeout too.
        let mut r = anyfetch::get(url("/misbehave/stall"))
            .timeout(Duration::from_millis(500))
            .await
            .unwrap();
        let e = r.bytes().await.unwrap_err();
        assert_eq!(e.timeout_kind(), Some(TimeoutKind::Read), "{e}");
    }
}

behaviour_test! {
    fn the_default_timeout_is_five_seconds() {
        let start = Instant::now();
        let e = anyfetch::get(url("/misbehave/stall-headers"))
            .await
            .unwrap_err();
        let took = start.elapsed();
        assert!(e.is_timeout(), "{e}");
        assert!(
            took >= Duration::from_millis(4900) && took < Duration::from_secs(7),
            "{took:?}"
        );
    }
}

behaviour_test! {
    fn a_refused_connection_is_a_connect_error() {
        let e = anyfetch::get(format!("http://127.0.0.1:{}/", dead_port()))
            .await
            .unwrap_err();
        assert!(e.is_connect() && e.is_request(), "{e}");
        let source = std::error::Error::source(&e).expect("keeps its source");
        // The backend's own error, by downcasting: never a string.
        #[cfg(all(feature = "native", not(target_arch = "wasm32")))]
        assert!(source.downcast_ref::<std::io::Error>().is_some(), "{source:?}");
        #[cfg(all(target_arch = "wasm32", target_os = "wasi"))]
        assert!(
            matches!(
                source.downcast_ref::<anyfetch::WasiHttpError>().map(|w| w.code()),
                Some(anyfetch::ErrorCode::ConnectionRefused)
            ),
            "{source:?}"
        );
        #[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
        assert!(source.downcast_ref::<anyfetch::JsError>().is_some(), "{source:?}");
        // Display says what happened; the cause is only in the chain.
        assert!(!e.to_string().contains(&source.to_string()), "{e}");
        assert!(
            e.display_chain().to_string().contains(&source.to_string()),
            "{}",
            e.display_chain()
        );
        if host() == Host::Node {
            // The JS error and its cause, as "Name: message" each: Node names the refusal.
            let mut chain = Vec::new();
            let mut source = std::error::Error::source(&e);
            while let Some(s) = source {
                chain.push(s.to_string());
                source = s.source();
            }
            assert_eq!(chain[0], "TypeError: fetch failed", "{chain:?}");
            assert!(chain.iter().any(|c| c.contains("ECONNREFUSED")), "{chain:?}");
        }
        assert!(e.url().is_some());
    }
}

behaviour_test! {
    fn content_encodings_are_decoded() {
        let mut encodings = vec![
            ("/gzip", "gzipped"),
            ("/deflate", "deflated"),
            ("/brotli", "brotli"),
        ];
        // On fetch the platform decodes (Node 20: gzip, deflate, br, no zstd; Chromium and
        // Firefox zstd too, over http as well), so the client's decoders and its decoded-size
        // cap do not apply there.
        if host() != Host::Node {
            encodings.push(("/zstd", "zstd"));
        }
        for (path, key) in encodings {
            let v: Value = anyfetch::get(url(path))
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            assert_eq!(v[key], true, "{path}");
        }
        if is_fetch() {
            let e = anyfetch::get(url("/misbehave/bad-gzip"))
                .await
                .unwrap()
                .bytes()
                .await
                .unwrap_err();
            assert!(e.is_decode() || e.is_request(), "{e}");
            return;
        }
        let body = anyfetch::get(url("/encode?enc=gzip,br,zstd&size=70000"))
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        assert_eq!(body.len(), 70_000);
        assert!(body.iter().all(|&b| b == b'a'));
        let client = Client::builder()
            .max_decoded_size(10 << 20)
            .build()
            .unwrap();
        let e = client
            .get(url("/misbehave/gzip-bomb"))
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap_err();
        assert!(e.is_decode(), "{e}");
        let e = anyfetch::get(url("/misbehave/bad-gzip"))
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap_err();
        assert!(e.is_decode(), "{e}");
    }
}

behaviour_test! {
    fn text_follows_the_charset() {
        let t = anyfetch::get(url("/charset/latin1"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(t, "café");
        let t = anyfetch::get(url("/encoding/utf8"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(!t.is_ascii());
    }
}

behaviour_test! {
    fn a_server_that_breaks_the_protocol_gets_a_typed_error() {
        let read = |p: &'static str| async move {
            match anyfetch::get(url(p)).await {
                Ok(mut r) => r.bytes().await.map(|_| ()),
                Err(e) => Err(e),
            }
        };
        let e = read("/misbehave/truncated").await.unwrap_err();
        assert!(
            e.is_request() && e.kind() == anyfetch::ErrorKind::Protocol,
            "truncated: {e}"
        );
        if host() == Host::Browser {
            // A browser reports a malformed head like any failed fetch ("Failed to fetch").
            let e = read("/misbehave/bad-status").await.unwrap_err();
            assert!(e.is_request(), "bad-status: {e}");
            let e = read("/misbehave/reset").await.unwrap_err();
            assert!(e.is_request() && !e.is_timeout(), "reset: {e}");
            return;
        }
        let e = read("/misbehave/bad-chunk").await.unwrap_err();
        assert!(e.kind() == anyfetch::ErrorKind::Protocol, "bad-chunk: {e}");
        let e = read("/misbehave/reset").await.unwrap_err();
        assert!(e.is_request() && !e.is_timeout(), "reset: {e}");
        let e = read("/misbehave/bad-status").await.unwrap_err();
        assert!(e.kind() == anyfetch::ErrorKind::Protocol, "bad-status: {e}");
        let e = read("/misbehave/close").await.unwrap_err();
        assert!(e.is_request(), "close: {e}");
        let e = anyfetch::get(url("/misbehave/bad-json"))
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap_err();
        assert!(e.is_decode(), "bad-json: {e}");
    }
}

behaviour_test! {
    fn retries_until_the_server_recovers() {
        let client = Client::builder()
            .retry(Retry::new(3).backoff_factor(0.05))
            .build()
            .unwrap();
        let key = common::unique_key();
        let mut r = client
            .get(url(&format!("/retry/{key}?fail=2&status=503")))
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.json::<Value>().await.unwrap()["attempts"], 3);
    }
}

behaviour_test! {
    fn head_has_no_body() {
        let mut r = anyfetch::head(url("/get")).await.unwrap();
        assert_eq!(r.status(), 200);
        assert!(r.bytes().await.unwrap().is_empty());
    }
}

behaviour_test! {
    fn client_with_base_url_and_default_headers() {
        let client = Client::builder()
            .base_url(url("/anything/api"))
            .header("User-Agent", "my-app/1.0")
            .header("Accept", "application/json")
            .build()
            .unwrap();
        let mut a = client.get("/items").await.unwrap();
        let va: Value = a.json().await.unwrap();
        let mut b = client
            .get("items")
            .header("Accept", "text/plain")
            .await
            .unwrap();
        let vb: Value = b.json().await.unwrap();
        assert!(
            va["url"].as_str().unwrap().ends_with("/anything/api/items"),
            "{va}"
        );
        if browser() != Some(Browser::Chromium) {
            // Chromium sends its own User-Agent; Firefox the one set (after a CORS preflight).
            assert_eq!(va["headers"]["User-Agent"], "my-app/1.0");
        }
        assert_eq!(va["headers"]["Accept"], "application/json");
        assert_eq!(vb["headers"]["Accept"], "text/plain");
        assert!(
            vb["url"].as_str().unwrap().ends_with("/anything/api/items"),
            "{vb}"
        );
    }
}

behaviour_test! {
    fn streamed_upload() {
        let key = common::unique_key();
        let chunks =
            futures::stream::iter((0..64).map(|_| Ok::<_, std::io::Error>(vec![b'x'; 16 * 1024])));
        let progress = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let p2 = progress.clone();
        let sent = anyfetch::post(url(&format!("/upload-sink?key={key}")))
            .on_upload_progress(move |n| p2.lock().unwrap().push(n))
            .body(anyfetch::Body::from_stream(chunks))
            .await;
        if host() == Host::Browser {
            // Chromium streams uploads over HTTP/2 or HTTP/3 only (the server speaks HTTP/1.1)
            // and fails the fetch; Firefox cannot stream them at all and would send the text
            // "[object ReadableStream]" instead: anyfetch refuses before sending.
            let e = sent.unwrap_err();
            assert!(e.is_unsupported(), "{e}");
            if browser() == Some(Browser::Firefox) {
                assert!(e.to_string().contains("cannot send a streamed request body"), "{e}");
                assert!(progress.lock().unwrap().is_empty(), "nothing was read from the body");
            }
            assert_eq!(upload_result(&key).await, json!({"complete": null}));
        } else {
            let mut r = sent.unwrap();
            assert_eq!(r.json::<Value>().await.unwrap()["received"], 64 * 16 * 1024);
            let progress = progress.lock().unwrap();
            assert_eq!(progress.len(), 64, "{progress:?}");
            assert_eq!(progress.last(), Some(&(64 * 16 * 1024)));
        }
        // A body held in memory, larger than one write the host takes.
        let mut r = anyfetch::post(url("/post"))
            .body(vec![b'y'; 100_000])
            .await
            .unwrap();
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["data"].as_str().unwrap().len(), 100_000);
        assert_eq!(v["headers"]["Content-Length"], "100000");
    }
}

behaviour_test! {
    fn a_body_whose_source_fails_is_never_sent_as_complete() {
        let key = common::unique_key();
        let chunks = futures::stream::iter(vec![
            Ok::<_, std::io::Error>(vec![b'x'; 16 * 1024]),
            Ok(vec![b'x'; 16 * 1024]),
            Err(std::io::Error::other("the source broke")),
        ]);
        let e = anyfetch::post(url(&format!("/upload-sink?key={key}")))
            .body(anyfetch::Body::from_stream(chunks))
            .await
            .unwrap_err();
        if host() == Host::Browser {
            // Chromium streams uploads over HTTP/2 or HTTP/3 only, Firefox not at all: nothing
            // was sent.
            assert!(e.is_unsupported(), "{e}");
            assert_eq!(upload_result(&key).await, json!({"complete": null}));
            return;
        }
        assert!(e.is_request(), "{e}");
        assert!(e.display_chain().to_string().contains("the source broke"), "{}", e.display_chain());
        // The server must not have taken the 32 KiB it got as the whole body: the upload ends
        // broken (or never reaches the handler), never complete.
        anyfetch::get(url("/delay/1")).await.unwrap();
        let v = upload_result(&key).await;
        assert_ne!(v["complete"], json!(true), "{v}");
    }
}

behaviour_test! {
    fn dialing_settings_are_refused_where_the_host_owns_the_network() {
        // The WASI host and the JavaScript runtime open connections themselves: they refuse
        // these settings by name instead of ignoring them. Natively they build.
        struct Loopback;
        impl anyfetch::Resolve for Loopback {
            fn resolve(
                &self,
                _: &str,
            ) -> anyfetch::BoxFuture<'static, Result<Vec<std::net::IpAddr>, anyfetch::BoxError>>
            {
                Box::pin(async { Ok(vec![std::net::Ipv4Addr::LOCALHOST.into()]) })
            }
        }
        let loopback = std::net::SocketAddr::from(([127, 0, 0, 1], 80));
        let builders = [
            ("local_address", Client::builder().local_address(std::net::Ipv4Addr::LOCALHOST)),
            ("resolve", Client::builder().resolve("api.test", loopback)),
            ("dns_resolver", Client::builder().dns_resolver(Loopback)),
        ];
        for (name, builder) in builders {
            match (host(), builder.build()) {
                (Host::Native, built) => drop(built.unwrap()),
                (_, Ok(_)) => panic!("{name} was accepted"),
                (_, Err(e)) => {
                    assert!(e.is_unsupported(), "{e}");
                    assert!(e.to_string().contains(name), "{e}");
                }
            }
        }
    }
}

/// How the test server saw the upload to `/upload-sink?key={key}` end: `{"complete": null}`
/// when none arrived.
async fn upload_result(key: &str) -> Value {
    anyfetch::get(url(&format!("/upload-result/{key}")))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// The same URL on another origin: `localhost` for `127.0.0.1`.
fn other_origin(path: &str) -> String {
    url(path).replacen("127.0.0.1", "localhost", 1)
}

/// An auth scheme that adds a custom header (the `Auth` docs' example).
struct ApiKey(&'static str);

impl anyfetch::Auth for ApiKey {
    async fn on_request(
        &self,
        request: &mut anyfetch::Request,
        _: &anyfetch::AuthContext,
    ) -> anyfetch::Result<()> {
        request
            .headers_mut()
            .insert("x-api-key", self.0.parse().unwrap());
        Ok(())
    }
}

/// OAuth-style: send the token held; on a 401, fetch a new one from the token endpoint through
/// the client and send the request again.
struct RefreshingToken {
    token: std::sync::Mutex<String>,
    endpoint: String,
}

impl anyfetch::Auth for RefreshingToken {
    async fn on_request(
        &self,
        request: &mut anyfetch::Request,
        _: &anyfetch::AuthContext,
    ) -> anyfetch::Result<()> {
        let token = self.token.lock().unwrap().clone();
        let value = format!("Bearer {token}").parse().unwrap();
        request.headers_mut().insert("authorization", value);
        Ok(())
    }

    async fn on_response(
        &self,
        request: &mut anyfetch::Request,
        response: &anyfetch::Response,
        attempt: u32,
        cx: &anyfetch::AuthContext,
    ) -> anyfetch::Result<anyfetch::AuthStep> {
        if response.status() != 401 || attempt > 0 {
            return Ok(anyfetch::AuthStep::Done);
        }
        let refresh = cx.client().post(&self.endpoint).build()?;
        let v: Value = cx.send(refresh).await?.error_for_status()?.json().await?;
        let token = v["access_token"].as_str().unwrap().to_owned();
        let value = format!("Bearer {token}").parse().unwrap();
        request.headers_mut().insert("authorization", value);
        *self.token.lock().unwrap() = token;
        Ok(anyfetch::AuthStep::Retry)
    }
}

behaviour_test! {
    fn per_request_options_survive_build() {
        let client = Client::new();
        let send = |b: anyfetch::RequestBuilder| {
            let client = client.clone();
            async move { client.send(b.build().unwrap()).await }
        };
        let r = send(client.get(url("/basic-auth/u/p")).basic_auth("u", "p")).await.unwrap();
        assert_eq!(r.status(), 200);
        let mut r = send(client.get(url("/bearer")).bearer_auth("t0k")).await.unwrap();
        assert_eq!(r.json::<Value>().await.unwrap()["token"], "t0k");
        let mut r = send(client.get(url("/headers")).auth(ApiKey("k1"))).await.unwrap();
        assert_eq!(r.json::<Value>().await.unwrap()["headers"]["X-Api-Key"], "k1");
        let r = send(
            client.get(url("/digest-auth/auth/u/p")).auth(DigestAuth::new("u", "p")),
        )
        .await
        .unwrap();
        assert_eq!(r.status(), 200);

        let r = send(client.get(url("/redirect/2")).follow_redirects(true)).await.unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.url().path(), "/get");
        if host() != Host::Browser {
            // A browser follows redirects itself, with its own limit.
            let e = send(client.get(url("/redirect/3")).follow_redirects(true).max_redirects(1))
                .await
                .unwrap_err();
            assert!(e.is_redirect(), "{e}");
        }

        let started = Instant::now();
        let e = send(client.get(url("/delay/3")).timeout(Duration::from_millis(500)))
            .await
            .unwrap_err();
        assert!(e.is_timeout(), "{e}");
        assert!(started.elapsed() < Duration::from_secs(2));

        let key = common::unique_key();
        let mut r = send(
            client
                .get(url(&format!("/retry/{key}?fail=1&status=503")))
                .retry(Retry::new(2).backoff_factor(0.01)),
        )
        .await
        .unwrap();
        assert_eq!(r.json::<Value>().await.unwrap()["attempts"], 2);

        // An extension reaches the hooks.
        #[derive(Clone)]
        struct Tag(&'static str);
        let tagging = Client::builder()
            .on_request(|req| {
                if let Some(Tag(t)) = req.extensions().get::<Tag>().cloned() {
                    req.headers_mut().insert("x-tag", t.parse().unwrap());
                }
            })
            .build()
            .unwrap();
        let built = tagging.get(url("/headers")).extension(Tag("seen")).build().unwrap();
        let mut r = tagging.send(built).await.unwrap();
        assert_eq!(r.json::<Value>().await.unwrap()["headers"]["X-Tag"], "seen");
    }
}

behaviour_test! {
    fn auth_runs_per_hop_on_the_addressed_origin_only() {
        let client = Client::builder()
            .auth(ApiKey("secret-key"))
            .follow_redirects(true)
            .build()
            .unwrap();
        // Same origin: the scheme runs on the next hop too.
        let mut r = client
            .get(url("/redirect-to"))
            .query(&[("url", "/headers")])
            .await
            .unwrap();
        assert_eq!(r.json::<Value>().await.unwrap()["headers"]["X-Api-Key"], "secret-key");
        let mut r = client
            .get(url("/redirect-to"))
            .query(&[("url", other_origin("/headers"))])
            .await
            .unwrap();
        let v: Value = r.json().await.unwrap();
        if host() == Host::Browser {
            // The browser follows redirects itself and keeps custom headers across origins
            // (docs/browser.md says so): anyfetch cannot run auth per hop there.
            assert_eq!(r.url().host_str(), Some("localhost"));
        } else {
            assert_eq!(r.url().host_str(), Some("localhost"));
            assert!(v["headers"].get("X-Api-Key").is_none(), "{v}");
        }
    }
}

behaviour_test! {
    fn async_auth_refreshes_a_token_on_401() {
        let key = common::unique_key();
        let auth = RefreshingToken {
            token: std::sync::Mutex::new("stale".into()),
            endpoint: url(&format!("/oauth/{key}/token")),
        };
        let client = Client::builder().auth(auth).build().unwrap();
        let resource = url(&format!("/oauth/{key}/resource"));
        let mut r = client.get(&resource).await.unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.json::<Value>().await.unwrap()["token"], format!("tok-{key}-1"));
        // The refreshed token is kept: no second refresh.
        let mut r = client.get(&resource).await.unwrap();
        assert_eq!(r.json::<Value>().await.unwrap()["token"], format!("tok-{key}-1"));
    }
}

behaviour_test! {
    fn async_hooks_run_in_order_and_can_fail_the_request() {
        use std::sync::{Arc, Mutex};
        let seen = Arc::new(Mutex::new(Vec::<String>::new()));
        let (s1, s2, s3) = (seen.clone(), seen.clone(), seen.clone());
        let client = Client::builder()
            .on_request(move |req| {
                s1.lock().unwrap().push(format!("sync {}", req.url().path()));
            })
            .on_request(move |req| {
                let (seen, path) = (s2.clone(), req.url().path().to_owned());
                Box::pin(async move {
                    futures::future::ready(()).await;
                    seen.lock().unwrap().push(format!("async {path}"));
                })
            })
            .on_response(move |resp| {
                let (seen, status) = (s3.clone(), resp.status());
                Box::pin(async move {
                    seen.lock().unwrap().push(format!("response {}", status.as_u16()));
                    if status == 418 {
                        return Err(anyfetch::Error::new(anyfetch::ErrorKind::Status(status)));
                    }
                    Ok(())
                })
            })
            .build()
            .unwrap();
        client.get(url("/get")).await.unwrap();
        assert_eq!(
            *seen.lock().unwrap(),
            ["sync /get", "async /get", "response 200"]
        );
        let e = client.get(url("/status/418")).await.unwrap_err();
        assert_eq!(e.status(), Some(anyfetch::StatusCode::IM_A_TEAPOT), "{e}");
    }
}

behaviour_test! {
    fn progress_counts_raw_bytes_under_gzip() {
        let mut r = anyfetch::get(url("/encode?enc=gzip&size=100000")).await.unwrap();
        assert_eq!(r.num_bytes_downloaded(), 0);
        let mut body = r.bytes_stream();
        let mut decoded = 0;
        while let Some(chunk) = body.next().await {
            decoded += chunk.unwrap().len();
        }
        assert_eq!(decoded, 100_000);
        if is_fetch() {
            // The platform decodes before anyfetch sees a byte: what it counts is decoded.
            assert_eq!(r.num_bytes_downloaded(), 100_000);
        } else {
            let wire = r.content_length().unwrap();
            assert!(wire < 10_000, "{wire}");
            assert_eq!(r.num_bytes_downloaded(), wire);
        }
    }
}

behaviour_test! {
    fn a_redirect_that_keeps_the_method_keeps_the_body() {
        let client = Client::builder().follow_redirects(true).build().unwrap();
        for (method, status) in [("PUT", "301"), ("PATCH", "302"), ("PUT", "307")] {
            let path = method.to_ascii_lowercase();
            let mut r = client
                .request(method, url("/redirect-to"))
                .query(&[("url", format!("/{path}")), ("status_code", status.into())])
                .body("the body")
                .await
                .unwrap();
            assert_eq!(r.status(), 200, "{method} {status}");
            let v: Value = r.json().await.unwrap();
            assert_eq!(v["data"], "the body", "{method} {status}: {v}");
        }
        // POST answered by 302, and anything answered by 303, becomes a GET without a body.
        for (method, status) in [("POST", "302"), ("PUT", "303")] {
            let mut r = client
                .request(method, url("/redirect-to"))
                .query(&[("url", "/get"), ("status_code", status)])
                .body("the body")
                .await
                .unwrap();
            assert_eq!(r.status(), 200, "{method} {status}");
            let v: Value = r.json().await.unwrap();
            assert!(v.get("data").is_none_or(|d| d == ""), "{method} {status}: {v}");
            assert!(v["headers"].get("Content-Length").is_none_or(|l| l == "0"), "{v}");
        }
    }
}

behaviour_test! {
    fn a_content_length_that_disagrees_with_the_body_is_refused() {
        let e = anyfetch::post(url("/post"))
            .header("Content-Length", "3")
            .body("hello")
            .await
            .unwrap_err();
        assert!(e.is_builder(), "{e}");
        let mut r = anyfetch::post(url("/post"))
            .header("Content-Length", "5")
            .body("hello")
            .await
            .unwrap();
        assert_eq!(r.json::<Value>().await.unwrap()["data"], "hello");
    }
}

behaviour_test! {
    fn url_user_info_becomes_basic_auth_for_that_origin_only() {
        let with_info = |u: String, info: &str| u.replacen("http://", &format!("http://{info}@"), 1);
        // Percent-encoded user info is decoded: the password is `p@ss`.
        let r = anyfetch::get(with_info(url("/basic-auth/user/p%40ss"), "user:p%40ss"))
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert!(r.url().username().is_empty() && r.url().password().is_none(), "{}", r.url());
        let mut r = anyfetch::get(with_info(url("/headers"), "user:pw")).await.unwrap();
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["headers"]["Authorization"], "Basic dXNlcjpwdw==", "{v}");
        let host = v["headers"]["Host"].as_str().unwrap();
        assert!(!host.contains('@') && !host.contains("pw"), "{host}");
        // Not carried to another origin by a redirect.
        let client = Client::builder().follow_redirects(true).build().unwrap();
        let mut r = client
            .get(with_info(url("/redirect-to"), "user:pw"))
            .query(&[("url", other_origin("/headers"))])
            .await
            .unwrap();
        let v: Value = r.json().await.unwrap();
        assert_eq!(r.url().host_str(), Some("localhost"));
        assert!(v["headers"].get("Authorization").is_none(), "{v}");
    }
}

// On wasm32 a hook, an auth scheme and a mock handler may hold values that are neither `Send`
// nor `Sync` (a `JsValue`, an `Rc`); natively this would not compile.
#[cfg(target_arch = "wasm32")]
behaviour_test! {
    fn wasm_hooks_auth_and_mocks_may_hold_values_that_are_not_send() {
        use std::cell::Cell;
        use std::rc::Rc;
        struct Counting(Rc<Cell<u32>>);
        impl anyfetch::Auth for Counting {
            async fn on_request(
                &self,
                _: &mut anyfetch::Request,
                _: &anyfetch::AuthContext,
            ) -> anyfetch::Result<()> {
                self.0.set(self.0.get() + 1);
                Ok(())
            }
        }
        let calls = Rc::new(Cell::new(0));
        let (c1, c2) = (calls.clone(), calls.clone());
        let client = Client::builder()
            .auth(Counting(calls.clone()))
            .on_request(move |_| c1.set(c1.get() + 10))
            .on_response(move |_| {
                let c = c2.clone();
                Box::pin(async move { c.set(c.get() + 100) })
            })
            .build()
            .unwrap();
        client.get(url("/get")).await.unwrap();
        assert_eq!(calls.get(), 111);
        let local = Rc::new("from an Rc");
        let mock = Client::builder()
            .transport(anyfetch::MockTransport::new(move |_| {
                let local = local.clone();
                async move { Ok(anyfetch::Response::new(200, local.to_string())) }
            }))
            .build()
            .unwrap();
        let mut r = mock.get("http://mock.test/").await.unwrap();
        assert_eq!(r.text().await.unwrap(), "from an Rc");
    }
}

/// Runs outside any executor: the blocking twin waits by itself (natively on its own runtime,
/// on WASI through `anyfetch::block_on`).
#[cfg(feature = "blocking")]
#[test]
fn the_blocking_twin() {
    let mut r = anyfetch::blocking::get(url("/get"))
        .query(&[("a", "1")])
        .send()
        .unwrap();
    assert_eq!(r.json::<Value>().unwrap()["args"]["a"], "1");
    let client = anyfetch::blocking::Client::builder()
        .base_url(url("/"))
        .build()
        .unwrap();
    let mut r = client.post("/post").json(&json!({"x": 1})).send().unwrap();
    assert_eq!(r.json::<Value>().unwrap()["json"]["x"], 1);
    let lines: Vec<String> = client
        .get("/lines/3")
        .send()
        .unwrap()
        .lines()
        .map(Result::unwrap)
        .collect();
    assert_eq!(lines, ["line 0", "line 1", "line 2"]);
    let events: Vec<_> = client
        .get("/sse")
        .send()
        .unwrap()
        .events()
        .map(|e| sse_fields(e.unwrap()))
        .collect();
    assert_eq!(events, sse_script());
    let e = client
        .get("/status/503")
        .send()
        .unwrap()
        .error_for_status()
        .unwrap_err();
    assert!(e.is_status());
}

behaviour_test! {
    fn a_wrapping_transport() {
        use anyfetch::layer::{ConcurrencyLimitLayer, Layer};
        use anyfetch::{BoxFuture, Capabilities, Request, Response, Transport};

        /// Adds `X-Layer: added` to every request.
        struct AddHeader;
        struct AddHeaderTransport<T>(T);
        impl<T: Transport> Layer<T> for AddHeader {
            type Transport = AddHeaderTransport<T>;
            fn layer(&self, inner: T) -> AddHeaderTransport<T> {
                AddHeaderTransport(inner)
            }
        }
        impl<T: Transport> Transport for AddHeaderTransport<T> {
            fn send(&self, mut request: Request) -> BoxFuture<'static, anyfetch::Result<Response>> {
                request
                    .headers_mut()
                    .insert("x-layer", anyfetch::HeaderValue::from_static("added"));
                self.0.send(request)
            }
            fn capabilities(&self) -> Capabilities {
                self.0.capabilities()
            }
        }

        let client = Client::builder()
            .layer(ConcurrencyLimitLayer::per_origin(1))
            .layer(AddHeader)
            .build()
            .unwrap();
        // Twice: the second request finds the first one's place free, its body having been read.
        for _ in 0..2 {
            let mut r = client
                .get(url("/get"))
                .timeout(anyfetch::Timeout::default().pool(Duration::from_secs(2)))
                .await
                .unwrap();
            assert_eq!(r.status(), 200);
            let v: Value = r.json().await.unwrap();
            assert_eq!(v["headers"]["X-Layer"], "added");
        }
    }
}
