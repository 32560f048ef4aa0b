//! `MockTransport`: a transport built from a closure, for tests on every target.

use std::future::Future;
use std::sync::Arc;

use crate::error::{Error, Result, TimeoutKind};
use crate::platform::{BoxFuture, MaybeSend, MaybeSendSync};
use crate::request::Request;
use crate::response::Response;
use crate::transport::Transport;

/// A transport that answers every request with a closure (httpx `MockTransport`).
///
/// The closure plays the server. Its future counts as the wait for the response head, so the
/// request's read timeout applies to it, as it would to a real server.
///
/// ```
/// use anyfetch::{Client, MockTransport, Response};
/// # futures::executor::block_on(async {
/// let client = Client::builder()
///     .transport(MockTransport::new(|req| async move {
///         Ok(Response::new(200, format!("you asked for {}", req.url().path())))
///     }))
///     .build()?;
/// let mut r = client.get("http://example.test/hello").await?;
/// assert_eq!(r.text().await?, "you asked for /hello");
/// # Ok::<(), anyfetch::Error>(()) }).unwrap();
/// ```
#[derive(Clone)]
pub struct MockTransport {
    handler: Handler,
}

#[cfg(native)]
type Handler = Arc<dyn Fn(Request) -> BoxFuture<'static, Result<Response>> + Send + Sync>;
#[cfg(wasm)]
type Handler = Arc<dyn Fn(Request) -> BoxFuture<'static, Result<Response>>>;

impl MockTransport {
    /// A transport that calls `handler` for each request. Natively the closure is
    /// `Send + Sync`; on `wasm32` it need not be (it may hold a `JsValue`).
    pub fn new<F, Fut>(handler: F) -> Self
    where
        F: Fn(Request) -> Fut + MaybeSendSync + 'static,
        Fut: Future<Output = Result<Response>> + MaybeSend + 'static,
    {
        MockTransport {
            handler: Arc::new(move |req| Box::pin(handler(req))),
        }
    }
}

impl std::fmt::Debug for MockTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MockTransport")
    }
}

impl Transport for MockTransport {
    fn send(&self, request: Request) -> BoxFuture<'static, Result<Response>> {
        let read = request.timeout().get_read();
        let url = request.url().clone();
        let fut = (self.handler)(request);
        Box::pin(async move {
            crate::platform::timeout(read, fut, || {
                Error::timeout(TimeoutKind::Read).with_url(url)
            })
            .await
        })
    }
}
