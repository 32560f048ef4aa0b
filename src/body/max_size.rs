//! The cap on a decoded body's size: a guard against decompression bombs.

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_core::Stream;

use crate::error::{Error, Result};

pin_project_lite::pin_project! {
    /// Fails once more than `max` bytes have come through.
    pub(crate) struct MaxSize<S> {
        #[pin]
        inner: S,
        max: u64,
        seen: u64,
        done: bool,
    }
}

impl<S> MaxSize<S> {
    pub(crate) fn new(inner: S, max: u64) -> Self {
        MaxSize {
            inner,
            max,
            seen: 0,
            done: false,
        }
    }
}

impl<S: Stream<Item = Result<Bytes>>> Stream for MaxSize<S> {
    type Item = Result<Bytes>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.project();
        if *this.done {
            return Poll::Ready(None);
        }
        let item = std::task::ready!(this.inner.poll_next(cx));
        if let Some(Ok(chunk)) = &item {
            *this.seen += chunk.len() as u64;
            if *this.seen > *this.max {
                *this.done = true;
                return Poll::Ready(Some(Err(Error::decode(format!(
                    "the decoded body exceeds the limit of {} bytes (ClientBuilder::max_decoded_size)",
                    this.max
                )))));
            }
        }
        *this.done = matches!(item, None | Some(Err(_)));
        Poll::Ready(item)
    }
}
