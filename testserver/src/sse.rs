//! `/sse?delay=D&cut=1`: a `text/event-stream` that exercises the parsing rules, sent over time.

use std::time::Duration;

use bytes::Bytes;
use hyper::header::CACHE_CONTROL;
use hyper::StatusCode;
use tokio::time::sleep;

use crate::req::Req;
use crate::stream::seconds;
use crate::util::{channel_body, set, with_body, Resp};

/// The writes of `/sse`, each its own chunk; `true` marks the ones sent after a `delay` (so an
/// event, once complete, is sent before the server waits). What a client must read:
///
/// | event    | data                     | id  | retry   |
/// |----------|--------------------------|-----|---------|
/// | message  | `first`                  | `1` | 1500 ms |
/// | update   | `line one\nline two`     | `1` | 1500 ms |
/// | message  | `cr only`                | `3` | 1500 ms |
/// | message  | `split across\nwrites`   | `3` | 1500 ms |
/// | done     | `café`                   | `3` | 1500 ms |
const SCRIPT: &[(bool, &[u8])] = &[
    // A comment, a retry, an id, LF endings.
    (
        false,
        b": a comment, ignored\nretry: 1500\nid: 1\ndata: first\n\n",
    ),
    // A type and two data lines, CRLF endings.
    (
        true,
        b"event: update\r\ndata: line one\r\ndata: line two\r\n\r\n",
    ),
    // CR endings only.
    (true, b"id: 3\rdata: cr only\r\r"),
    // A frame split over three writes, a CRLF split between two (one line ending: read as
    // two, the LF would end the event early).
    (true, b"data: split "),
    (true, b"across\r"),
    (true, b"\ndata: writes\r\n\r\n"),
    // An event type, and a UTF-8 character split between two writes.
    (true, b"event: done\ndata: caf\xc3"),
    (true, b"\xa9\n\n"),
];

/// With `cut=1`, the body then ends (cleanly) in the middle of an event, which a client
/// discards.
const CUT: &[u8] = b"data: never dispatched\n";

pub(crate) fn route(r: &Req) -> Result<Resp, Resp> {
    let delay = seconds(r.q_parse("delay", 0.0)?, 10.0)?;
    let cut = r.q("cut").is_some_and(|v| v == "1");
    let (tx, body) = channel_body();
    tokio::spawn(async move {
        for &(wait, bytes) in SCRIPT {
            if wait && delay > Duration::ZERO {
                sleep(delay).await;
            }
            if tx.send(Bytes::from_static(bytes)).await.is_err() {
                return;
            }
        }
        if cut {
            let _ = tx.send(Bytes::from_static(CUT)).await;
        }
    });
    let mut resp = with_body(StatusCode::OK, "text/event-stream; charset=utf-8", body);
    set(&mut resp, CACHE_CONTROL, "no-cache");
    Ok(resp)
}
