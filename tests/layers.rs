//! Middleware: `ClientBuilder::layer`, the per-origin concurrency limit, and the public native
//! transport, with `MockTransport` (no runtime needed) and the project's own test server.
#![cfg(not(target_arch = "wasm32"))]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use anyfetch::layer::{ConcurrencyLimitLayer, Layer};
use anyfetch::{
    Body, BoxFuture, Capabilities, Client, ErrorKind, MockTransport, Request, Response, Result,
    Timeout, TimeoutKind, Transport,
};
use futures::executor::block_on;
use futures::future::join_all;
use futures::StreamExt;

/// Counts the handler calls running at once, and the most seen.
#[derive(Default)]
struct InFlight {
    now: AtomicUsize,
    max: AtomicUsize,
}

impl InFlight {
    fn enter(&self) {
        let now = self.now.fetch_add(1, Ordering::SeqCst) + 1;
        self.max.fetch_max(now, Ordering::SeqCst);
    }
    fn exit(&self) {
        self.now.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A server that takes 20 ms per request, counting how many it serves at once per host.
fn slow_server(a: Arc<InFlight>, b: Arc<InFlight>) -> MockTransport {
    MockTransport::new(move |req| {
        let counter = if req.url().host_str() == Some("a.test") {
            a.clone()
        } else {
            b.clone()
        };
        async move {
            counter.enter();
            tokio::time::sleep(Duration::from_millis(20)).await;
            counter.exit();
            Ok(Response::new(200, "done"))
        }
    })
}

#[tokio::test]
async fn the_limit_never_lets_more_than_n_in_flight_per_origin() {
    let (a, b) = (Arc::new(InFlight::default()), Arc::new(InFlight::default()));
    let client = Client::builder()
        .transport(slow_server(a.clone(), b.clone()))
        .layer(ConcurrencyLimitLayer::per_origin(2))
        .build()
        .unwrap();
    let requests = (0..8).flat_map(|i| {
        [
            client.get(format!("http://a.test/{i}")).send(),
            client.get(format!("http://b.test:8080/{i}")).send(),
        ]
    });
    for r in join_all(requests).await {
        assert_eq!(r.unwrap().status(), 200);
    }
    assert_eq!(a.max.load(Ordering::SeqCst), 2, "a.test");
    assert_eq!(b.max.load(Ordering::SeqCst), 2, "b.test:8080");
}

/// `/hold` answers with a body that never ends; everything else with a short one.
fn holding_server() -> MockTransport {
    MockTransport::new(|req| async move {
        Ok(match req.url().path() {
            "/hold" => Response::new(
                200,
                Body::from_stream(futures::stream::pending::<std::io::Result<Vec<u8>>>()),
            ),
            "/chunks" => Response::new(
                200,
                Body::from_stream(futures::stream::iter([
                    Ok::<_, std::io::Error>(b"a".to_vec()),
                    Ok(b"b".to_vec()),
                ])),
            ),
            _ => Response::new(200, "ok"),
        })
    })
}

fn short_pool_wait() -> Timeout {
    Timeout::default().pool(Duration::from_millis(100))
}

/// Runs on `futures::executor`, with no tokio runtime: the limit and its pool timeout need none.
#[test]
fn a_held_body_keeps_its_place_until_dropped_and_waiters_time_out_as_pool() {
    block_on(async {
        let client = Client::builder()
            .transport(holding_server())
            .layer(ConcurrencyLimitLayer::per_origin(1))
            .build()
            .unwrap();
        let held = client.get("http://a.test/hold").await.unwrap();

        // Another origin does not wait.
        let r = client
            .get("http://b.test/")
            .timeout(short_pool_wait())
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        // The same origin does, and gives up after the pool timeout.
        let e = client
            .get("http://a.test/")
            .timeout(short_pool_wait())
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Timeout(TimeoutKind::Pool), "{e}");
        assert_eq!(e.url().map(|u| u.as_str()), Some("http://a.test/"));

        // Dropping the unread body frees the place.
        drop(held);
        let r = client
            .get("http://a.test/")
            .timeout(short_pool_wait())
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
    });
}

#[test]
fn a_body_read_to_its_end_frees_its_place() {
    block_on(async {
        let client = Client::builder()
            .transport(holding_server())
            .layer(ConcurrencyLimitLayer::per_origin(1))
            .build()
            .unwrap();
        let mut first = client.get("http://a.test/chunks").await.unwrap();
        let mut stream = first.bytes_stream();
        let mut body = Vec::new();
        while let Some(chunk) = stream.next().await {
            body.extend_from_slice(&chunk.unwrap());
        }
        assert_eq!(body, b"ab");
        // `first` and its stream are still alive, but the body has ended.
        let r = client
            .get("http://a.test/chunks")
            .timeout(short_pool_wait())
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        drop((stream, first));
    });
}

/// Adds its name to the `x-order` header of the request, and then of the response.
struct Tag(&'static str);

struct Tagged<T> {
    inner: T,
    name: &'static str,
}

impl<T: Transport> Layer<T> for Tag {
    type Transport = Tagged<T>;
    fn layer(&self, inner: T) -> Tagged<T> {
        Tagged {
            inner,
            name: self.0,
        }
    }
}

impl<T: Transport> Transport for Tagged<T> {
    fn send(&self, mut request: Request) -> BoxFuture<'static, Result<Response>> {
        let name = self.name;
        request
            .headers_mut()
            .append("x-order", name.parse().unwrap());
        let sent = self.inner.send(request);
        Box::pin(async move {
            let mut r = sent.await?;
            r.headers_mut().append("x-order", name.parse().unwrap());
            Ok(r)
        })
    }
    fn capabilities(&self) -> Capabilities {
        self.inner.capabilities()
    }
}

fn order(headers: &anyfetch::HeaderMap) -> Vec<&str> {
    headers
        .get_all("x-order")
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect()
}

#[test]
fn the_layer_added_first_is_the_outermost() {
    block_on(async {
        let client = Client::builder()
            .layer(Tag("first"))
            .layer(Tag("second"))
            // Given after the layers, the transport is still the innermost.
            .transport(MockTransport::new(|req| async move {
                let seen = order(req.headers()).join(",");
                Ok(Response::new(200, seen))
            }))
            .build()
            .unwrap();
        let mut r = client.get("http://a.test/").await.unwrap();
        assert_eq!(order(r.headers()), ["second", "first"], "responses unwind");
        assert_eq!(r.text().await.unwrap(), "first,second", "requests go in");
    });
}

/// A transport whose host decodes content itself (as browsers' fetch does).
struct DecodingHost;

impl Transport for DecodingHost {
    fn send(&self, request: Request) -> BoxFuture<'static, Result<Response>> {
        let asked = request.headers().contains_key("accept-encoding");
        Box::pin(async move {
            Ok(Response::new(
                200,
                if asked { "asked" } else { "not asked" },
            ))
        })
    }
    fn capabilities(&self) -> Capabilities {
        let mut caps = Capabilities::default();
        caps.decodes_content = true;
        caps.follows_redirects = true;
        caps
    }
}

#[test]
fn wrapping_transports_keep_the_inner_capabilities() {
    let limited = ConcurrencyLimitLayer::per_origin(3).layer(DecodingHost);
    assert_eq!(limited.capabilities(), DecodingHost.capabilities());
    #[cfg(feature = "tracing")]
    {
        let traced = anyfetch::layer::TraceLayer::new().layer(DecodingHost);
        assert_eq!(traced.capabilities(), DecodingHost.capabilities());
    }
    // Through a client: a host that decodes content gets no `Accept-Encoding` from it.
    block_on(async {
        let builder = Client::builder()
            .transport(DecodingHost)
            .layer(ConcurrencyLimitLayer::per_origin(3))
            .layer(Tag("x"));
        #[cfg(feature = "tracing")]
        let builder = builder.layer(anyfetch::layer::TraceLayer::new());
        let client = builder.build().unwrap();
        let mut r = client.get("http://a.test/").await.unwrap();
        assert_eq!(r.text().await.unwrap(), "not asked");
    });
}

/// The public native transport, wrapped, against the test server.
#[cfg(feature = "native")]
#[tokio::test]
async fn the_public_hyper_transport_can_be_wrapped() {
    static SERVER: std::sync::OnceLock<anyfetch_testserver::TestServer> =
        std::sync::OnceLock::new();
    let server = SERVER.get_or_init(anyfetch_testserver::TestServer::start);
    let transport = anyfetch::HyperTransport::new();
    assert!(format!("{transport:?}").starts_with("HyperTransport"));
    let client = Client::builder()
        .transport(transport)
        .layer(Tag("outer"))
        .layer(ConcurrencyLimitLayer::per_origin(1))
        .build()
        .unwrap();
    let mut r = client.get(server.url("/get")).await.unwrap();
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!(v["headers"]["X-Order"], "outer");
    assert_eq!(order(r.headers()), ["outer"]);
    // The place is free again once the body is read.
    let r = client
        .get(server.url("/get"))
        .timeout(short_pool_wait())
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[cfg(feature = "blocking")]
#[test]
fn the_blocking_builder_takes_layers_too() {
    let client = anyfetch::blocking::Client::builder()
        .transport(MockTransport::new(|req| async move {
            Ok(Response::new(200, order(req.headers()).join(",")))
        }))
        .layer(Tag("a"))
        .layer(ConcurrencyLimitLayer::per_origin(1))
        .layer(Tag("b"))
        .build()
        .unwrap();
    let mut r = client.get("http://a.test/").send().unwrap();
    assert_eq!(r.text().unwrap(), "a,b");
}

#[test]
fn a_builder_with_layers_stays_send_and_sync() {
    fn send_sync<T: Send + Sync>(_: &T) {}
    send_sync(&Client::builder().layer(ConcurrencyLimitLayer::per_origin(1)));
}
