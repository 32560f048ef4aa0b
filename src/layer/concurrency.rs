//! `ConcurrencyLimitLayer`: at most N requests in flight per origin.

use std::collections::HashMap;
use std::fmt;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use async_lock::{Semaphore, SemaphoreGuardArc};
use bytes::Bytes;
use futures_core::Stream;

use super::Layer;
use crate::body::{Body, BodyStream};
use crate::error::{Error, ErrorKind, Result, TimeoutKind};
use crate::platform::BoxFuture;
use crate::request::Request;
use crate::response::Response;
use crate::transport::{Capabilities, Transport};

/// Makes [`ConcurrencyLimit`] transports: at most `max` requests in flight at once to each
/// origin (scheme, host and port).
///
/// A request holds its place from the moment it is sent until its response body has been read
/// to the end, has failed, or has been dropped (with the [`Response`], or as a stream). A body
/// the transport already held in memory frees the place as soon as the head arrives. A request
/// that finds the origin full waits, for at most the request's
/// [pool timeout](crate::Timeout::pool), and then fails with
/// [`ErrorKind::Timeout`]`(`[`TimeoutKind::Pool`]`)`; waiters are served in order. (A
/// transport with a pool of its own, as the native one, then waits for a connection under the
/// same timeout again.)
///
/// Each transport the layer makes counts on its own; the clones of a [`Client`](crate::Client)
/// share one. It needs no async runtime, and works on every target.
///
/// ```
/// use anyfetch::layer::ConcurrencyLimitLayer;
/// let client = anyfetch::Client::builder()
///     .layer(ConcurrencyLimitLayer::per_origin(4))
///     .build()?;
/// # Ok::<(), anyfetch::Error>(())
/// ```
#[derive(Clone, Copy, Debug)]
pub struct ConcurrencyLimitLayer {
    max: usize,
}

impl ConcurrencyLimitLayer {
    /// At most `max` requests in flight per origin; a `max` of 0 counts as 1.
    pub fn per_origin(max: usize) -> Self {
        ConcurrencyLimitLayer { max: max.max(1) }
    }
}

impl<T: Transport> Layer<T> for ConcurrencyLimitLayer {
    type Transport = ConcurrencyLimit<T>;

    fn layer(&self, inner: T) -> ConcurrencyLimit<T> {
        ConcurrencyLimit::new(inner, self.max)
    }
}

/// A transport that lets at most N requests be in flight per origin; see
/// [`ConcurrencyLimitLayer`].
pub struct ConcurrencyLimit<T> {
    inner: Arc<T>,
    max: usize,
    origins: Arc<Mutex<HashMap<Origin, Arc<Semaphore>>>>,
}

/// Scheme, host and port (the default port when the URL has none).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Origin {
    scheme: String,
    host: Option<String>,
    port: Option<u16>,
}

impl Origin {
    fn of(url: &url::Url) -> Origin {
        Origin {
            scheme: url.scheme().to_owned(),
            host: url.host_str().map(str::to_owned),
            port: url.port_or_known_default(),
        }
    }
}

impl<T> ConcurrencyLimit<T> {
    /// Wraps `inner`, allowing at most `max` requests in flight per origin (0 counts as 1).
    pub fn new(inner: T, max: usize) -> Self {
        ConcurrencyLimit {
            inner: Arc::new(inner),
            max: max.max(1),
            origins: Arc::default(),
        }
    }

    /// The wrapped transport.
    pub fn inner(&self) -> &T {
        &self.inner
    }

    /// The semaphore of `origin`, made on first use. Origins nobody holds or waits for are
    /// forgotten when a new one is added, so the map stays as small as the traffic.
    fn semaphore(&self, origin: Origin) -> Arc<Semaphore> {
        let mut origins = self.origins.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(s) = origins.get(&origin) {
            return s.clone();
        }
        origins.retain(|_, s| Arc::strong_count(s) > 1);
        origins
            .entry(origin)
            .or_insert_with(|| Arc::new(Semaphore::new(self.max)))
            .clone()
    }
}

impl<T: fmt::Debug> fmt::Debug for ConcurrencyLimit<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConcurrencyLimit")
            .field("inner", &self.inner)
            .field("max", &self.max)
            .finish_non_exhaustive()
    }
}

impl<T: Transport> Transport for ConcurrencyLimit<T> {
    fn send(&self, request: Request) -> BoxFuture<'static, Result<Response>> {
        let semaphore = self.semaphore(Origin::of(request.url()));
        let inner = self.inner.clone();
        let url = request.url().clone();
        let pool = request.timeout().get_pool();
        Box::pin(async move {
            let permit =
                crate::platform::timeout(pool, async { Ok(semaphore.acquire_arc().await) }, || {
                    Error::new(ErrorKind::Timeout(TimeoutKind::Pool))
                        .with_message("no free place for this origin in the concurrency limit")
                        .with_url(url)
                })
                .await?;
            // Only now is the request handed on: a transport may start work as soon as `send`
            // is called.
            let mut response = inner.send(request).await?;
            if let Some(body) = response.take_body() {
                if body.as_bytes().is_some() {
                    response.set_body(body);
                } else {
                    response.set_body(Body::from_result_stream(Box::pin(PermitBody {
                        body: body.into_stream(),
                        permit: Some(permit),
                    })));
                }
            }
            Ok(response)
        })
    }

    fn capabilities(&self) -> Capabilities {
        self.inner.capabilities()
    }
}

/// A response body that holds its request's permit until it ends, fails or is dropped.
struct PermitBody {
    body: BodyStream,
    permit: Option<SemaphoreGuardArc>,
}

impl Stream for PermitBody {
    type Item = Result<Bytes>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let next = Pin::new(&mut self.body).poll_next(cx);
        if matches!(next, Poll::Ready(None | Some(Err(_)))) {
            self.permit = None;
        }
        next
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.body.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_differ_by_scheme_host_and_port() {
        let o = |s: &str| Origin::of(&url::Url::parse(s).unwrap());
        assert_eq!(o("http://a.test/x?y"), o("http://a.test:80/z"));
        assert_ne!(o("http://a.test/"), o("https://a.test/"));
        assert_ne!(o("http://a.test/"), o("http://b.test/"));
        assert_ne!(o("http://a.test/"), o("http://a.test:8080/"));
    }

    #[test]
    fn a_body_frees_its_permit_at_its_end_or_error_while_still_alive() {
        use futures_util::StreamExt;
        futures::executor::block_on(async {
            let semaphore = Arc::new(Semaphore::new(1));
            for last in [Ok(Bytes::from("b")), Err(Error::new(ErrorKind::Read))] {
                let chunks = futures_util::stream::iter([Ok(Bytes::from("a")), last]);
                let mut body = PermitBody {
                    body: Body::from_result_stream(Box::pin(chunks)).into_stream(),
                    permit: Some(semaphore.acquire_arc().await),
                };
                assert!(body.next().await.unwrap().is_ok());
                assert!(
                    semaphore.try_acquire().is_none(),
                    "held while the body is read"
                );
                while body.next().await.is_some_and(|c| c.is_ok()) {}
                assert!(
                    semaphore.try_acquire().is_some(),
                    "free at the end, body alive"
                );
                drop(body);
            }
        });
    }

    #[test]
    fn idle_origins_are_forgotten() {
        let t = ConcurrencyLimit::new(crate::MockTransport::new(|_| async { unreachable!() }), 1);
        let o = |s: &str| Origin::of(&url::Url::parse(s).unwrap());
        let held = t.semaphore(o("http://a.test/"));
        drop(t.semaphore(o("http://b.test/")));
        drop(t.semaphore(o("http://c.test/")));
        let origins = t.origins.lock().unwrap();
        assert_eq!(
            origins.len(),
            2,
            "b was forgotten, a (held) and c (just added) kept"
        );
        assert!(origins.contains_key(&o("http://a.test/")));
        drop(held);
    }
}
