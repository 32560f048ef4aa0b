//! The read timeout between two chunks of a body.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures_core::Stream;

use crate::error::{Error, Result, TimeoutKind};
use crate::rt::Sleep;

pin_project_lite::pin_project! {
    /// Fails with a read timeout when no chunk arrives for `limit`.
    pub(crate) struct Idle<S> {
        #[pin]
        inner: S,
        limit: Duration,
        timer: Option<Sleep>,
        done: bool,
    }
}

impl<S> Idle<S> {
    pub(crate) fn new(inner: S, limit: Duration) -> Self {
        Idle {
            inner,
            limit,
            timer: None,
            done: false,
        }
    }
}

impl<S: Stream<Item = Result<Bytes>>> Stream for Idle<S> {
    type Item = Result<Bytes>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.project();
        if *this.done {
            return Poll::Ready(None);
        }
        if let Poll::Ready(item) = this.inner.poll_next(cx) {
            // The clock restarts with every chunk.
            *this.timer = None;
            *this.done = item.is_none();
            return Poll::Ready(item);
        }
        let limit = *this.limit;
        let timer = this.timer.get_or_insert_with(|| crate::rt::sleep(limit));
        if Pin::new(timer).poll(cx).is_ready() {
            *this.done = true;
            return Poll::Ready(Some(Err(Error::timeout(TimeoutKind::Read))));
        }
        Poll::Pending
    }
}
