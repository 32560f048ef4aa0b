//! The read timeout between two chunks of a body.
//!
//! The timer is not re-created for every chunk (an allocation and a timer registration each,
//! thousands of times per streamed megabyte): each chunk only notes the time, and when the timer
//! fires early, because chunks came meanwhile, it is armed again for what is left.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures_core::Stream;

use crate::error::{Error, Result, TimeoutKind};
use crate::platform::{Instant, Sleep};

pin_project_lite::pin_project! {
    /// Fails with a read timeout when no chunk arrives for `limit`.
    pub(crate) struct Idle<S> {
        #[pin]
        inner: S,
        limit: Duration,
        // When the last chunk came (or the wait began).
        since: Option<Instant>,
        timer: Option<Sleep>,
        done: bool,
    }
}

impl<S> Idle<S> {
    pub(crate) fn new(inner: S, limit: Duration) -> Self {
        Idle {
            inner,
            limit,
            since: None,
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
            // The clock restarts with every chunk; a running timer stays armed.
            *this.done = item.is_none();
            if *this.done {
                *this.timer = None;
            } else if this.timer.is_some() {
                *this.since = Some(Instant::now());
            }
            return Poll::Ready(item);
        }
        let limit = *this.limit;
        loop {
            let timer = match this.timer {
                Some(timer) => timer,
                None => {
                    *this.since = Some(Instant::now());
                    this.timer.insert(crate::platform::sleep(limit))
                }
            };
            if timer.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
            let idle = this.since.map_or(limit, |t| t.elapsed());
            if idle >= limit {
                *this.done = true;
                *this.timer = None;
                return Poll::Ready(Some(Err(Error::timeout(TimeoutKind::Read))));
            }
            // Chunks came since the timer was armed: wait for the rest of the limit.
            *this.timer = Some(crate::platform::sleep(limit - idle));
        }
    }
}
