//! Middleware: transports that wrap another transport (httpx's custom transports, tower's
//! layers).
//!
//! A [`Transport`] sends exactly one request. A transport may hold another one and call it:
//! it can change the request on the way in, the response on the way out, wait before sending,
//! time the exchange or refuse it. A [`Layer`] is the recipe that wraps a given transport;
//! [`ClientBuilder::layer`](crate::ClientBuilder::layer) applies it to the transport the client
//! ends up with (the target's default one, built from the builder's TLS, HTTP/2 and limits
//! settings, or the one given to [`transport`](crate::ClientBuilder::transport)).
//!
//! Two layers ship with the crate:
//!
//! - [`ConcurrencyLimitLayer`]: at most N requests in flight per origin;
//! - [`TraceLayer`] (feature `tracing`): one `tracing` span per request, secrets redacted.
//!
//! # Order
//!
//! **The layer added first is the outermost**: it sees the request first and the response last,
//! as in tower's `ServiceBuilder`. With
//! `Client::builder().layer(a).layer(b)`, a request goes `a → b → transport`.
//!
//! # Where layers sit
//!
//! Layers wrap the transport, so they run once per hop: each redirect, auth round-trip and
//! retry is a separate call, carrying the client's policies already applied (absolute URL,
//! default headers, cookies, credentials). On a retry the request carries a [`RetryAttempt`].
//!
//! # How to write a layer
//!
//! 1. A transport that holds its inner transport and implements [`Transport`]: `send` changes
//!    what it needs and calls the inner `send`; `capabilities` **forwards to the inner
//!    transport** (otherwise the client would, say, decode content a browser already decoded).
//! 2. A layer that makes it, implementing [`Layer<T>`] for every `T: Transport` (the client
//!    hands each layer its inner transport as an `Arc<dyn Transport>`).
//!
//! Write it generic over `T: Transport` and add no `Send`/`Sync` bounds of your own: the same
//! code then builds for every target. A complete example, a layer that adds a header:
//!
//! ```
//! use anyfetch::layer::Layer;
//! use anyfetch::{
//!     BoxFuture, Capabilities, Client, HeaderValue, MockTransport, Request, Response, Result,
//!     Transport,
//! };
//!
//! /// Adds `X-Request-Source: <source>` to every request.
//! #[derive(Clone)]
//! struct SourceHeaderLayer(HeaderValue);
//!
//! struct SourceHeader<T> {
//!     inner: T,
//!     value: HeaderValue,
//! }
//!
//! impl<T: Transport> Layer<T> for SourceHeaderLayer {
//!     type Transport = SourceHeader<T>;
//!     fn layer(&self, inner: T) -> SourceHeader<T> {
//!         SourceHeader { inner, value: self.0.clone() }
//!     }
//! }
//!
//! impl<T: Transport> Transport for SourceHeader<T> {
//!     fn send(&self, mut request: Request) -> BoxFuture<'static, Result<Response>> {
//!         request.headers_mut().insert("x-request-source", self.value.clone());
//!         self.inner.send(request)
//!     }
//!     fn capabilities(&self) -> Capabilities {
//!         self.inner.capabilities()
//!     }
//! }
//!
//! # futures::executor::block_on(async {
//! let server = MockTransport::new(|req| async move {
//!     let source = req.headers()["x-request-source"].to_str().unwrap().to_owned();
//!     Ok(Response::new(200, source))
//! });
//! let client = Client::builder()
//!     .transport(server)
//!     .layer(SourceHeaderLayer(HeaderValue::from_static("billing")))
//!     .build()?;
//! let mut r = client.get("http://example.test/").await?;
//! assert_eq!(r.text().await?, "billing");
//! # Ok::<(), anyfetch::Error>(()) }).unwrap();
//! ```
//!
//! A layer that needs to await before sending (a rate limiter, a token fetch) returns
//! `Box::pin(async move { ...; inner_future.await })`, having called `self.inner.send(..)`
//! (or cloned an `Arc` of the inner transport) before the `async` block, since the future must
//! be `'static`.

use std::sync::Arc;

use crate::platform::MaybeSend;
use crate::transport::Transport;

mod concurrency;
#[cfg(feature = "tracing")]
mod trace;

pub use concurrency::{ConcurrencyLimit, ConcurrencyLimitLayer};
#[cfg(feature = "tracing")]
pub use trace::{Trace, TraceLayer};

/// Wraps a transport in another (tower's `Layer`, for anyfetch transports).
///
/// Implement it for every `T: Transport`, so that it applies to any transport, including the
/// `Arc<dyn Transport>` that [`ClientBuilder::layer`](crate::ClientBuilder::layer) hands it.
/// See the [module docs](self) for a complete example.
pub trait Layer<T: Transport> {
    /// The wrapping transport.
    type Transport: Transport;

    /// Wraps `inner`.
    fn layer(&self, inner: T) -> Self::Transport;
}

/// Which try of a request this is: `RetryAttempt(0)` (or none at all) for the first try,
/// `RetryAttempt(n)` for the n-th retry.
///
/// The client's retry loop puts it in each retried request's
/// [`extensions`](crate::Request::extensions), so that layers (such as [`TraceLayer`] with the
/// `tracing` feature) can tell a retry from a first try. A request without one is a first try.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct RetryAttempt(pub u32);

/// A layer held by the client builder until the inner transport is known.
pub(crate) trait BuilderLayer: MaybeSend {
    fn wrap(&self, inner: Arc<dyn Transport>) -> Arc<dyn Transport>;
}

impl<L> BuilderLayer for L
where
    L: Layer<Arc<dyn Transport>> + MaybeSend + 'static,
{
    fn wrap(&self, inner: Arc<dyn Transport>) -> Arc<dyn Transport> {
        Arc::new(self.layer(inner))
    }
}

/// The layers of a client builder, in the order they were added (the first is the outermost).
///
/// The mutex only makes the builder `Sync` without asking `Sync` of the layers: it is never
/// locked, as the builder reaches it through `&mut self` or by value.
#[derive(Default)]
pub(crate) struct Layers(std::sync::Mutex<Vec<Box<dyn BuilderLayer>>>);

impl Layers {
    pub(crate) fn push(&mut self, layer: Box<dyn BuilderLayer>) {
        self.0
            .get_mut()
            .unwrap_or_else(|e| e.into_inner())
            .push(layer);
    }

    /// Wraps `transport` in every layer: the last added innermost, the first added outermost.
    pub(crate) fn apply(self, transport: Arc<dyn Transport>) -> Arc<dyn Transport> {
        let layers = self.0.into_inner().unwrap_or_else(|e| e.into_inner());
        layers
            .iter()
            .rev()
            .fold(transport, |inner, layer| layer.wrap(inner))
    }
}
