//! Reading a large response body in a task of its own, next to its connection.
//!
//! hyper's connection task decodes the body (HTTP/2 DATA frames: nginx sends 8 KiB ones, most
//! servers 16 KiB; HTTP/1.1 reads of up to a TLS record, 16 KiB, under TLS) and wakes the
//! body's reader for each piece. When the reader is a task on another thread (the
//! `#[tokio::main]` future runs on the main thread, not on a worker), every piece costs a
//! cross-thread wake-up (a futex call and a context switch), and for HTTP/2 the reader and the
//! connection task contend for h2's lock on each one: profiled over TLS, that was about half
//! of the client's CPU per megabyte, against curl's single thread.
//!
//! The pump is woken by the connection task instead, from the same worker thread (tokio runs
//! a task woken by the running one next, on the same thread), so nothing is contended.
//! It drains every piece that is ready and queues them for the reader, which is woken once
//! per batch rather than once per piece. At most [`CAP`] bytes wait in the queue: beyond that
//! the pump stops reading, and the server is held back as when the reader reads directly
//! (HTTP/2: h2 stops releasing flow-control window; HTTP/1.1: the socket's buffers fill).
//!
//! Measured against nginx, 100 MiB bodies, 9 rounds alternating with curl and raw hyper
//! (`scripts/bench.sh --protos h1s,h2s --scenarios stream`): HTTP/1.1 over TLS went from
//! 1,000 to 1,485 MB/s (×0.63 to ×0.92 curl; CPU per MB 721 to 565 µs), HTTP/2 over TLS from
//! 411 to 640 MB/s when the pump came (CPU per MB 1,159 to 765 µs).

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker};

use bytes::Bytes;
use hyper::body::Incoming;
use url::Url;

use super::pool::Release;
use super::{map_hyper_error, Phase};
use crate::error::{Error, ErrorKind, Result};

/// The most bytes queued for the reader before the pump waits for it.
const CAP: usize = 512 * 1024;

/// What the pump and the reader share.
struct Shared {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    queue: VecDeque<Bytes>,
    queued: usize,
    /// The body ended: cleanly (`Some(None)`) or with this error.
    end: Option<Option<Error>>,
    /// The reader, waiting for data.
    reader: Option<Waker>,
    /// The pump's waker, for the reader to wake it when it makes room or lets go.
    pump: Option<Waker>,
    /// The pump stopped reading because the queue is full.
    full: bool,
    /// The reader let go of the body: the pump stops, and the stream is reset.
    closed: bool,
}

fn lock(shared: &Shared) -> MutexGuard<'_, State> {
    shared.state.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Moves the rest of `incoming` to a pump task on `runtime`; returns the reading end.
pub(super) fn spawn(
    runtime: &tokio::runtime::Handle,
    incoming: Incoming,
    release: Option<Release>,
    url: Url,
) -> Receiver {
    let shared = Arc::new(Shared {
        state: Mutex::new(State::default()),
    });
    runtime.spawn(Pump {
        incoming,
        release,
        url,
        shared: shared.clone(),
    });
    Receiver { shared }
}

/// The reading end of a pump.
pub(super) struct Receiver {
    shared: Arc<Shared>,
}

impl Receiver {
    pub(super) fn poll_next(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<Bytes>>> {
        let mut state = lock(&self.shared);
        if let Some(chunk) = state.queue.pop_front() {
            state.queued -= chunk.len();
            // A pump waiting for room goes on once half the queue is free.
            let wake = if state.full && state.queued <= CAP / 2 {
                state.full = false;
                state.pump.clone()
            } else {
                None
            };
            drop(state);
            if let Some(w) = wake {
                w.wake();
            }
            return Poll::Ready(Some(Ok(chunk)));
        }
        match state.end.take() {
            Some(end) => {
                state.end = Some(None);
                Poll::Ready(end.map(Err))
            }
            None => {
                match &mut state.reader {
                    Some(w) if w.will_wake(cx.waker()) => {}
                    slot => *slot = Some(cx.waker().clone()),
                }
                Poll::Pending
            }
        }
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        let mut state = lock(&self.shared);
        state.closed = true;
        let pump = state.pump.take();
        drop(state);
        if let Some(w) = pump {
            w.wake();
        }
    }
}

/// The task: reads frames off `incoming` into the shared queue.
struct Pump {
    incoming: Incoming,
    release: Option<Release>,
    url: Url,
    shared: Arc<Shared>,
}

impl Pump {
    /// Ends the body (`error`: with that error) and wakes the reader.
    fn end(&mut self, error: Option<Error>) {
        let mut state = lock(&self.shared);
        state.end.get_or_insert(error);
        let reader = state.reader.take();
        drop(state);
        if let Some(w) = reader {
            w.wake();
        }
    }
}

impl Future for Pump {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        // Frames read in this poll, handed over together at its end.
        let mut batch: Vec<Bytes> = Vec::new();
        let mut batched = 0;
        let (queued, closed) = {
            let state = lock(&this.shared);
            (state.queued, state.closed)
        };
        if closed {
            // Dropping `incoming` unfinished resets the stream.
            this.release = None;
            return Poll::Ready(());
        }
        let mut full = false;
        let outcome = loop {
            if queued + batched >= CAP {
                full = true;
                break None;
            }
            match hyper::body::Body::poll_frame(Pin::new(&mut this.incoming), cx) {
                Poll::Pending => break None,
                Poll::Ready(None) => break Some(None),
                Poll::Ready(Some(Err(e))) => {
                    break Some(Some(map_hyper_error(e, Phase::ReadBody, &this.url)))
                }
                Poll::Ready(Some(Ok(frame))) => {
                    let Ok(data) = frame.into_data() else {
                        continue; // trailers
                    };
                    if !data.is_empty() {
                        batched += data.len();
                        batch.push(detach(data));
                    }
                    if hyper::body::Body::is_end_stream(&this.incoming) {
                        break Some(None);
                    }
                }
            }
        };
        let mut state = lock(&this.shared);
        if state.closed {
            this.release = None;
            return Poll::Ready(());
        }
        state.queued += batched;
        state.queue.extend(batch);
        match outcome {
            None => {
                // Waiting for frames (hyper has our waker) or for room in the queue.
                match &mut state.pump {
                    Some(w) if w.will_wake(cx.waker()) => {}
                    slot => *slot = Some(cx.waker().clone()),
                }
                if full && state.queued <= CAP / 2 {
                    // The reader made room meanwhile (it saw no full queue): go on.
                    cx.waker().wake_by_ref();
                } else {
                    state.full = full;
                }
                let reader = if batched > 0 {
                    state.reader.take()
                } else {
                    None
                };
                drop(state);
                if let Some(w) = reader {
                    w.wake();
                }
                Poll::Pending
            }
            Some(error) => {
                drop(state);
                if error.is_none() {
                    // Read to its end: the stream is done with.
                    if let Some(release) = this.release.take() {
                        release.finish();
                    }
                } else {
                    this.release = None;
                }
                this.end(error);
                Poll::Ready(())
            }
        }
    }
}

impl Drop for Pump {
    fn drop(&mut self) {
        // Stopped before the end (the runtime shut down): the reader must not wait forever.
        if lock(&self.shared).end.is_none() {
            self.end(Some(
                Error::new(ErrorKind::Read).with_message("the runtime stopped reading the body"),
            ));
        }
    }
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
