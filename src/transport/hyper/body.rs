//! Bodies at the hyper boundary: the request body as hyper pulls it (watched for the write and
//! read timeouts), and the response body as a stream that hands its connection back.

use std::mem::discriminant;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures_core::Stream;
use hyper::body::{Frame, Incoming, SizeHint};
use tokio::sync::Notify;
use tokio::time::Instant;
use url::Url;

use super::pool::{H1Conn, H2Stream, Pool};
use super::{map_hyper_error, Phase};
use crate::body::{Body, BodyStream};
use crate::error::{Error, ErrorKind, Result, TimeoutKind};

/// Where the request body stands, for the watchdog.
#[derive(Clone, Copy, Debug)]
enum Stage {
    /// hyper is sending: it last took a chunk (or the head) at this instant. If it does not
    /// come back for the next chunk within the write timeout, the write has stalled.
    Sending(Instant),
    /// hyper asked for the next chunk and the caller's stream has not produced it: waiting on
    /// the caller, not on the network, so no timeout runs.
    Source,
    /// The whole body was handed to hyper at this instant: the read timeout runs from here.
    Done(Instant),
}

/// The progress of one request body, shared by [`SendBody`] and [`watchdog`].
pub(super) struct Progress {
    stage: Mutex<Stage>,
    changed: Notify,
}

/// The progress of a request body; `None` for a request with no body, which is done from the
/// start (and needs no allocation, no lock and no `Notify`).
pub(super) type Tracker = Option<Arc<Progress>>;

impl Progress {
    /// Progress of a body about to be handed to hyper: `None` for an empty one.
    pub(super) fn new(empty: bool) -> Tracker {
        (!empty).then(|| {
            Arc::new(Progress {
                stage: Mutex::new(Stage::Sending(Instant::now())),
                changed: Notify::new(),
            })
        })
    }

    fn stage(&self) -> Stage {
        *self.stage.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn set(&self, stage: Stage) {
        let mut current = self.stage.lock().unwrap_or_else(PoisonError::into_inner);
        let changed = discriminant(&*current) != discriminant(&stage);
        *current = stage;
        drop(current);
        if changed {
            // Stores a wake-up if the watchdog is not waiting right now.
            self.changed.notify_one();
        }
    }

    /// True once the whole body was handed to hyper.
    pub(super) fn is_done(tracker: &Tracker) -> bool {
        tracker
            .as_ref()
            .is_none_or(|p| matches!(p.stage(), Stage::Done(_)))
    }
}

/// Resolves with a timeout error when the request body stalls for `write` or, once it is sent,
/// the response head takes longer than `read`; otherwise never.
pub(super) async fn watchdog(
    progress: Tracker,
    write: Option<Duration>,
    read: Option<Duration>,
) -> Error {
    let Some(progress) = progress else {
        // No body: only the read timeout runs, from the start, and no stage change can come.
        match read.and_then(|d| Instant::now().checked_add(d)) {
            Some(deadline) => tokio::time::sleep_until(deadline).await,
            None => std::future::pending().await,
        }
        return Error::new(ErrorKind::Timeout(TimeoutKind::Read))
            .with_message("no response head within the read timeout");
    };
    loop {
        let changed = progress.changed.notified();
        let (deadline, kind, message) = match progress.stage() {
            Stage::Sending(since) => (
                write.and_then(|d| since.checked_add(d)),
                TimeoutKind::Write,
                "sending the request body stalled for longer than the write timeout",
            ),
            Stage::Source => (None, TimeoutKind::Write, ""),
            Stage::Done(at) => (
                read.and_then(|d| at.checked_add(d)),
                TimeoutKind::Read,
                "no response head within the read timeout",
            ),
        };
        match deadline {
            Some(d) if Instant::now() >= d => {
                return Error::new(ErrorKind::Timeout(kind)).with_message(message)
            }
            Some(d) => {
                tokio::select! {
                    () = tokio::time::sleep_until(d) => {}
                    () = changed => {}
                }
            }
            None => changed.await,
        }
    }
}

/// The largest frame handed to hyper at once.
const MAX_FRAME: usize = 64 * 1024;

/// The request body as hyper pulls it: a [`BodyStream`] that records each pull in
/// [`Progress`].
pub(super) struct SendBody {
    stream: Option<BodyStream>,
    /// The rest of a chunk larger than [`MAX_FRAME`], sent before the next is pulled.
    pending: Bytes,
    /// Bytes still to send, when the length is known.
    remaining: Option<u64>,
    progress: Tracker,
}

impl SendBody {
    /// Wraps `body`, reporting to `progress`.
    pub(super) fn new(body: Body, progress: Tracker) -> Self {
        let remaining = body.content_length();
        let stream = body.into_stream();
        SendBody {
            stream: (!stream.is_end()).then_some(stream),
            pending: Bytes::new(),
            remaining,
            progress,
        }
    }
}

impl SendBody {
    fn set(&self, stage: Stage) {
        if let Some(p) = &self.progress {
            p.set(stage);
        }
    }
}

impl hyper::body::Body for SendBody {
    type Data = Bytes;
    type Error = Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<std::result::Result<Frame<Bytes>, Error>>> {
        let this = self.get_mut();
        if this.pending.is_empty() {
            let Some(stream) = this.stream.as_mut() else {
                this.set(Stage::Done(Instant::now()));
                return Poll::Ready(None);
            };
            match Pin::new(&mut *stream).poll_next(cx) {
                Poll::Pending => {
                    this.set(Stage::Source);
                    return Poll::Pending;
                }
                Poll::Ready(Some(Ok(chunk))) => this.pending = chunk,
                Poll::Ready(Some(Err(e))) => {
                    this.stream = None;
                    return Poll::Ready(Some(Err(e)));
                }
                Poll::Ready(None) => {
                    this.stream = None;
                    this.set(Stage::Done(Instant::now()));
                    return Poll::Ready(None);
                }
            }
        }
        // Large chunks go out in frames, so hyper pulls them only as the socket drains and a
        // peer that stops reading shows up as a stalled write.
        let frame = this.pending.split_to(this.pending.len().min(MAX_FRAME));
        if let Some(n) = this.remaining.as_mut() {
            *n = n.saturating_sub(frame.len() as u64);
        }
        let source_done = this.stream.as_ref().is_none_or(|s| s.is_end());
        // hyper stops pulling once `is_end_stream` says so: mark the end here.
        if this.pending.is_empty() && (source_done || this.remaining == Some(0)) {
            this.stream = None;
            this.set(Stage::Done(Instant::now()));
        } else {
            this.set(Stage::Sending(Instant::now()));
        }
        Poll::Ready(Some(Ok(Frame::data(frame))))
    }

    fn is_end_stream(&self) -> bool {
        self.stream.is_none() && self.pending.is_empty()
    }

    fn size_hint(&self) -> SizeHint {
        match (self.is_end_stream(), self.remaining) {
            (true, _) => SizeHint::with_exact(0),
            (false, Some(n)) => SizeHint::with_exact(n),
            (false, None) => SizeHint::default(),
        }
    }
}

/// What to do with the connection once a response body ends.
pub(super) enum Release {
    /// Hand the HTTP/1.1 connection back to the pool.
    H1 {
        /// The connection.
        conn: H1Conn,
        /// Its pool.
        pool: Arc<Pool>,
    },
    /// End the stream on the shared HTTP/2 connection.
    H2(H2Stream),
}

impl Release {
    /// The response was read to its end: the connection can serve another exchange.
    pub(super) fn finish(self) {
        match self {
            Release::H1 { conn, pool } => pool.release(conn),
            Release::H2(stream) => drop(stream),
        }
    }
}

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

/// Chunks shorter than this are copied out of the buffer hyper read them into.
///
/// hyper cuts each HTTP/1.1 chunk from its read buffer (8 KiB and more), and while a chunk
/// lives, the next read goes to a newly allocated buffer. A kept chunk of a few bytes would keep
/// 8 KiB alive: 600 kept one-byte chunks of a slowly sent body held 4.99 MB (`tests/bombs.rs`).
/// Over HTTP/2 the same 600 chunks held 41 kB without the copy (h2 reuses its buffer), and
/// 33 kB with it. A copy of under 4 KiB costs less than the read that brought it;
/// larger chunks, the bulk of a download, pass through as they are.
const COPY_BELOW: usize = 4096;

/// A chunk to hand to the reader: a short one in an allocation of its own (see [`COPY_BELOW`]).
pub(super) fn detach(data: Bytes) -> Bytes {
    if data.len() < COPY_BELOW {
        Bytes::copy_from_slice(&data)
    } else {
        data
    }
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
