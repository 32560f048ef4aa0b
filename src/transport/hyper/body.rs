//! The response body at the hyper boundary: hyper's frames as a stream of `Bytes` that hands
//! its connection back to the pool at its end (or closes it, dropped early), read directly
//! and, past a few hundred KiB, by a [`pump`](super::pump) task.

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_core::Stream;
use hyper::body::Incoming;
use url::Url;

use super::pool::Release;
use super::pump::detach;
use super::{map_hyper_error, Phase};
use crate::error::Result;

/// A response body: hyper's frames as a stream of `Bytes` (trailers skipped, errors mapped).
///
/// A body read past [`PUMP_AFTER`] bytes moves on to a [`pump`](super::pump) task,
/// which reads it next to its connection and hands it over in batches.
///
/// # Drop behavior
/// Dropped before its end, an HTTP/1.1 body closes its connection rather than reuse it with
/// unread bytes in it; an HTTP/2 body resets its stream.
pub(super) struct ResponseBody {
    state: Reading,
    url: Url,
}

/// After this many bytes read directly, a body is read by a pump. Small bodies (most
/// of them) never pay for a task; large ones amortize it over thousands of frames.
const PUMP_AFTER: u64 = 256 * 1024;

enum Reading {
    /// Polled directly by the reader.
    Direct {
        incoming: Incoming,
        release: Option<Release>,
        /// Bytes yielded so far.
        read: u64,
        /// The runtime to run a pump on (`None` outside one: no pump).
        runtime: Option<tokio::runtime::Handle>,
    },
    /// Read by a pump task.
    Pumped(super::pump::Receiver),
    Finished,
}

impl ResponseBody {
    /// Streams `incoming`, then `release`s its connection.
    pub(super) fn new(incoming: Incoming, release: Release, url: Url) -> Self {
        // The runtime the response came on (the body may be read elsewhere), for a pump.
        let runtime = tokio::runtime::Handle::try_current().ok();
        ResponseBody {
            state: Reading::Direct {
                incoming,
                release: Some(release),
                read: 0,
                runtime,
            },
            url,
        }
    }

    /// Hands the rest of the body to a pump.
    fn pump(&mut self) {
        if let Reading::Direct {
            incoming,
            release,
            runtime: Some(runtime),
            ..
        } = std::mem::replace(&mut self.state, Reading::Finished)
        {
            self.state = Reading::Pumped(super::pump::spawn(
                &runtime,
                incoming,
                release,
                self.url.clone(),
            ));
        }
    }
}

impl Stream for ResponseBody {
    type Item = Result<Bytes>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Bytes>>> {
        let this = self.get_mut();
        loop {
            let (incoming, release, read, runtime) = match &mut this.state {
                Reading::Finished => return Poll::Ready(None),
                Reading::Pumped(pump) => {
                    let item = std::task::ready!(pump.poll_next(cx));
                    if !matches!(item, Some(Ok(_))) {
                        this.state = Reading::Finished;
                    }
                    return Poll::Ready(item);
                }
                Reading::Direct {
                    incoming,
                    release,
                    read,
                    runtime,
                } => (incoming, release, read, runtime),
            };
            match hyper::body::Body::poll_frame(Pin::new(&mut *incoming), cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(None) => {
                    if let Some(release) = release.take() {
                        release.finish();
                    }
                    this.state = Reading::Finished;
                    return Poll::Ready(None);
                }
                Poll::Ready(Some(Err(e))) => {
                    let e = map_hyper_error(e, Phase::ReadBody, &this.url);
                    // Dropping `release` closes the connection.
                    this.state = Reading::Finished;
                    return Poll::Ready(Some(Err(e)));
                }
                Poll::Ready(Some(Ok(frame))) => {
                    let Ok(data) = frame.into_data() else {
                        continue; // trailers
                    };
                    let end = hyper::body::Body::is_end_stream(&*incoming);
                    if end {
                        // The last bytes of a sized body: free the connection now, even if
                        // the reader never asks for the end.
                        if let Some(release) = release.take() {
                            release.finish();
                        }
                    }
                    *read += data.len() as u64;
                    if !end && runtime.is_some() && *read >= PUMP_AFTER {
                        this.pump();
                    }
                    if !data.is_empty() {
                        return Poll::Ready(Some(Ok(detach(data))));
                    }
                }
            }
        }
    }
}

impl Drop for ResponseBody {
    fn drop(&mut self) {
        if let Reading::Direct {
            incoming, release, ..
        } = &mut self.state
        {
            if hyper::body::Body::is_end_stream(&*incoming) {
                if let Some(release) = release.take() {
                    release.finish();
                }
            }
        }
        // Otherwise `release` drops with the body: the connection is closed (HTTP/1.1) or the
        // stream reset (HTTP/2); a pump is told to stop.
    }
}
