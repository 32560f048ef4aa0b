//! The total deadline, for the part of the exchange that is the body.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_core::Stream;

use crate::error::{Error, Result, TimeoutKind};
use crate::platform::Sleep;

pin_project_lite::pin_project! {
    /// Fails with a total timeout when the body has not ended when `timer` fires.
    pub(crate) struct Deadline<S> {
        #[pin]
        inner: S,
        timer: Sleep,
        done: bool,
    }
}

impl<S> Deadline<S> {
    pub(crate) fn new(inner: S, timer: Sleep) -> Self {
        Deadline {
            inner,
            timer,
            done: false,
        }
    }
}

impl<S: Stream<Item = Result<Bytes>>> Stream for Deadline<S> {
    type Item = Result<Bytes>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.project();
        if *this.done {
            return Poll::Ready(None);
        }
        if let Poll::Ready(item) = this.inner.poll_next(cx) {
            *this.done = item.is_none();
            return Poll::Ready(item);
        }
        if Pin::new(this.timer).poll(cx).is_ready() {
            *this.done = true;
            return Poll::Ready(Some(Err(Error::timeout(TimeoutKind::Total))));
        }
        Poll::Pending
    }
}
