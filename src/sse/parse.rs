//! The parser of `text/event-stream`: the "event stream interpretation" of the WHATWG HTML
//! standard (§9.2.6), sans I/O. Bytes go in as they arrive ([`Parser::feed`]); events come out
//! as blank lines end them. Nothing happens at the end of the stream: an event without its
//! blank line is discarded, as the standard says.
//!
//! Hand-written rather than a dependency: the rules fit in this file, the crates that implement
//! them (`eventsource-stream`, `sse-codec`) bring their own stream and error types (or `nom`)
//! into every wasm build, and none of them bounds an event's size.
//!
//! ```text
//!  bytes ──► split at CR, LF or CRLF (a CR at a chunk's end may pair with an LF at the
//!            │ next one's start) ── a line starting with ':' is a comment: dropped unread
//!            ▼
//!  line  ──► empty: dispatch { event type buffer or "message", data buffer minus its last LF,
//!            │                 last event ID, reconnection time } unless the data buffer is
//!            │                 empty; then reset the data and event type buffers
//!            ▼
//!            "field: value" (one leading space of the value dropped; no colon: the whole line
//!            is the field, the value empty): data (+ value + LF), event, id (unless it holds
//!            NUL), retry (ASCII digits only); any other field is ignored
//! ```
//!
//! Decoding: CR, LF and `:` are ASCII, so they never sit inside a UTF-8 sequence, and a
//! sequence cut by a line ending is invalid whether decoded across the stream or per line. So
//! each line is decoded on its own (`from_utf8_lossy`, the same replacement as the WHATWG
//! decoder), and a BOM is dropped from the first line only.

use std::collections::VecDeque;
use std::time::Duration;

use super::Event;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// An event grew over its size limit: the bytes of its data and type buffers (as decoded) and
/// of the line being read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TooLarge;

/// The parser's state between chunks.
#[derive(Debug)]
pub(crate) struct Parser {
    /// The line read so far, without its ending.
    line: Vec<u8>,
    /// The current line is a comment: its bytes are not kept.
    comment: bool,
    /// The last byte seen was a CR: an LF next ends nothing (CRLF is one line ending).
    after_cr: bool,
    /// A line has ended: a BOM can no longer follow.
    past_first_line: bool,
    data: String,
    event_type: String,
    last_event_id: String,
    retry: Option<Duration>,
    max: usize,
}

impl Parser {
    /// A parser that fails once an event holds more than `max` bytes.
    pub(crate) fn new(max: usize) -> Self {
        Parser {
            line: Vec::new(),
            comment: false,
            after_cr: false,
            past_first_line: false,
            data: String::new(),
            event_type: String::new(),
            last_event_id: String::new(),
            retry: None,
            max,
        }
    }

    pub(crate) fn set_max(&mut self, max: usize) {
        self.max = max;
    }

    pub(crate) fn max(&self) -> usize {
        self.max
    }

    /// The last event ID the stream set (empty when none), dispatched or not.
    pub(crate) fn last_event_id(&self) -> &str {
        &self.last_event_id
    }

    /// The reconnection time the stream set most recently, if any.
    pub(crate) fn retry(&self) -> Option<Duration> {
        self.retry
    }

    /// Reads `chunk`, appending to `out` the events it completes.
    ///
    /// # Errors
    /// [`TooLarge`] when the event being read exceeds the limit; the parser must not be fed
    /// again (the events before it are in `out`).
    pub(crate) fn feed(
        &mut self,
        mut chunk: &[u8],
        out: &mut VecDeque<Event>,
    ) -> Result<(), TooLarge> {
        while let Some(&first) = chunk.first() {
            if std::mem::take(&mut self.after_cr) && first == b'\n' {
                chunk = &chunk[1..];
                continue;
            }
            if first == b':' && self.line.is_empty() && !self.comment {
                self.comment = true;
            }
            match chunk.iter().position(|&b| b == b'\r' || b == b'\n') {
                Some(i) => {
                    self.append(&chunk[..i])?;
                    self.after_cr = chunk[i] == b'\r';
                    chunk = &chunk[i + 1..];
                    self.end_line(out)?;
                }
                None => return self.append(chunk),
            }
        }
        Ok(())
    }

    fn append(&mut self, bytes: &[u8]) -> Result<(), TooLarge> {
        if self.comment {
            return Ok(());
        }
        self.line.extend_from_slice(bytes);
        if self.line.len() + self.data.len() + self.event_type.len() > self.max {
            return Err(TooLarge);
        }
        Ok(())
    }

    fn end_line(&mut self, out: &mut VecDeque<Event>) -> Result<(), TooLarge> {
        let first = !std::mem::replace(&mut self.past_first_line, true);
        if std::mem::take(&mut self.comment) {
            return Ok(());
        }
        let mut line = std::mem::take(&mut self.line);
        let text = match line.strip_prefix(BOM) {
            Some(rest) if first => rest,
            _ => &line[..],
        };
        self.process(text, out);
        line.clear();
        self.line = line;
        // Decoding may have grown the line (an invalid byte becomes the 3 bytes of U+FFFD).
        if self.data.len() + self.event_type.len() > self.max {
            return Err(TooLarge);
        }
        Ok(())
    }

    fn process(&mut self, line: &[u8], out: &mut VecDeque<Event>) {
        if line.is_empty() {
            return self.dispatch(out);
        }
        let (field, value) = match line.iter().position(|&b| b == b':') {
            Some(0) => return, // a comment (after a BOM)
            Some(i) => {
                let value = &line[i + 1..];
                (&line[..i], value.strip_prefix(b" ").unwrap_or(value))
            }
            None => (line, &b""[..]),
        };
        match field {
            b"data" => {
                self.data.push_str(&String::from_utf8_lossy(value));
                self.data.push('\n');
            }
            b"event" => self.event_type = String::from_utf8_lossy(value).into_owned(),
            b"id" if !value.contains(&0) => {
                self.last_event_id = String::from_utf8_lossy(value).into_owned();
            }
            b"retry" if !value.is_empty() && value.iter().all(u8::is_ascii_digit) => {
                // Digits only, so the only failure is overflow: the longest wait there is.
                let ms = std::str::from_utf8(value)
                    .ok()
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(u64::MAX);
                self.retry = Some(Duration::from_millis(ms));
            }
            _ => {}
        }
    }

    fn dispatch(&mut self, out: &mut VecDeque<Event>) {
        let mut data = std::mem::take(&mut self.data);
        let event_type = std::mem::take(&mut self.event_type);
        if data.is_empty() {
            return;
        }
        if data.ends_with('\n') {
            data.pop();
        }
        out.push_back(Event {
            event: if event_type.is_empty() {
                "message".to_owned()
            } else {
                event_type
            },
            data,
            id: self.last_event_id.clone(),
            retry: self.retry,
        });
    }
}

#[cfg(test)]
mod tests;
