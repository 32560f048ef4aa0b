//! The request body at the hyper boundary: a [`Body`] as hyper pulls it, each pull recorded so
//! that a [`watchdog`] can tell a stalled write (the write timeout) from a slow source and from
//! a server that has not answered yet (the read timeout).

use std::mem::discriminant;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures_core::Stream;
use hyper::body::{Frame, SizeHint};
use tokio::sync::Notify;
use tokio::time::Instant;

use crate::body::{Body, BodyStream};
use crate::error::{Error, ErrorKind, TimeoutKind};

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
