//! Server-Sent Events: [`Response::events`](crate::Response::events) reads a
//! `text/event-stream` body as a stream of [`Event`]s, parsed by the rules of the WHATWG HTML
//! standard ([`parse`]).
//!
//! Only the parsing: reconnecting (with `Last-Event-ID`, after the `retry` wait) is left to the
//! caller, who knows whether and when to reconnect; docs/guide.md shows how.

use std::collections::VecDeque;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use futures_core::Stream;
use url::Url;

use crate::body::BodyStream;
use crate::error::{Error, Result};

mod parse;

/// The default of [`Events::max_event_size`]: 16 MiB.
const DEFAULT_MAX_EVENT_SIZE: usize = 16 << 20;

/// One Server-Sent Event, as a browser's `EventSource` would dispatch it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Event {
    /// The event type: the `event:` field, or `"message"` when the event had none.
    pub event: String,
    /// The `data:` lines of the event, joined with `\n`.
    pub data: String,
    /// The last event ID when the event was dispatched: set by the latest `id:` field of the
    /// stream (in this event or an earlier one), empty when none has been or an empty `id:`
    /// reset it. Send it back as `Last-Event-ID` when reconnecting.
    pub id: String,
    /// The reconnection time the stream set most recently (a `retry:` field in this event or
    /// an earlier one), or `None` if it never set one. How long to wait before reconnecting.
    pub retry: Option<Duration>,
}

/// The events of a `text/event-stream` body, as they arrive: a
/// `Stream<Item = Result<Event>>`, from [`Response::events`](crate::Response::events).
///
/// The body is read as UTF-8 whatever its `Content-Type` says, as the standard requires. The
/// stream ends with the body; an event the body cut short (no blank line after it) is
/// discarded. An error reading the body (a timeout, a connection cut mid-body) ends it too,
/// after the events that came before; it is the same error [`Response::lines`] gives.
///
/// [`Response::lines`]: crate::Response::lines
#[must_use = "streams do nothing unless polled"]
pub struct Events {
    body: BodyStream,
    parser: parse::Parser,
    ready: VecDeque<Event>,
    /// What ends the stream once `ready` is drained: `Some(None)` the end of the body,
    /// `Some(Some(e))` an error.
    end: Option<Option<Error>>,
    url: Url,
}

impl Events {
    pub(crate) fn new(body: BodyStream, url: Url) -> Self {
        Events {
            body,
            parser: parse::Parser::new(DEFAULT_MAX_EVENT_SIZE),
            ready: VecDeque::new(),
            end: None,
            url,
        }
    }

    /// The most bytes one event may hold (its data, its type and the line being read; comments
    /// do not count) before the stream fails with [`is_decode`](Error::is_decode): memory stays
    /// bounded whatever the server sends. Defaults to 16 MiB.
    pub fn max_event_size(mut self, bytes: usize) -> Self {
        self.parser.set_max(bytes);
        self
    }

    /// The last event ID the stream has set so far, empty when none: as [`Event::id`], but
    /// also counting an `id:` field in a block without data (which dispatches no event).
    pub fn last_event_id(&self) -> &str {
        self.parser.last_event_id()
    }

    /// The reconnection time the stream has set so far (its latest `retry:` field), or `None`:
    /// as [`Event::retry`], but also counting a block without data.
    pub fn retry(&self) -> Option<Duration> {
        self.parser.retry()
    }
}

impl std::fmt::Debug for Events {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Events")
            .field("url", &crate::redact::RedactedUrl(&self.url))
            .field("max_event_size", &self.parser.max())
            .field("ready", &self.ready.len())
            .finish_non_exhaustive()
    }
}

impl Stream for Events {
    type Item = Result<Event>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            if let Some(event) = this.ready.pop_front() {
                return Poll::Ready(Some(Ok(event)));
            }
            if let Some(end) = &mut this.end {
                return Poll::Ready(end.take().map(Err));
            }
            match std::task::ready!(Pin::new(&mut this.body).poll_next(cx)) {
                Some(Ok(chunk)) => {
                    if this.parser.feed(&chunk, &mut this.ready).is_err() {
                        let e = Error::decode(format!(
                            "a server-sent event exceeds the limit of {} bytes (Events::max_event_size)",
                            this.parser.max()
                        ))
                        .with_url(this.url.clone());
                        this.end = Some(Some(e));
                    }
                }
                Some(Err(e)) => this.end = Some(Some(e)),
                None => this.end = Some(None),
            }
        }
    }
}

/// For the fuzz target: the events of `chunks` fed in turn to a parser limited to `max`
/// bytes, and whether it stopped at the limit.
#[cfg(feature = "fuzzing")]
pub(crate) fn parse_chunks(chunks: &[&[u8]], max: usize) -> (Vec<Event>, bool) {
    let mut parser = parse::Parser::new(max);
    let mut out = VecDeque::new();
    for c in chunks {
        if parser.feed(c, &mut out).is_err() {
            return (out.into(), true);
        }
    }
    (out.into(), false)
}
