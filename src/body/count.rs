//! Counting the bytes of a body as they come off the wire, for
//! [`Response::num_bytes_downloaded`](crate::Response::num_bytes_downloaded).

use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_core::Stream;

use crate::error::Result;

pin_project_lite::pin_project! {
    /// Adds the length of every chunk to a counter shared with the response.
    pub(crate) struct Count<S> {
        #[pin]
        inner: S,
        counter: Arc<AtomicU64>,
    }
}

impl<S> Count<S> {
    pub(crate) fn new(inner: S, counter: Arc<AtomicU64>) -> Self {
        Count { inner, counter }
    }
}

impl<S: Stream<Item = Result<Bytes>>> Stream for Count<S> {
    type Item = Result<Bytes>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.project();
        let item = std::task::ready!(this.inner.poll_next(cx));
        if let Some(Ok(chunk)) = &item {
            this.counter
                .fetch_add(chunk.len() as u64, Ordering::Relaxed);
        }
        Poll::Ready(item)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}
