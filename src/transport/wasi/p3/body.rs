//! Bodies over component-model streams: the request body written into a `stream<u8>` and
//! confirmed by its trailers, the response body read from the host's `stream<u8>`, one chunk
//! per poll, and checked whole by its trailers and its `Content-Length`.

use std::time::Duration;

use ::wasip3::http::types::{ErrorCode, Fields};
use ::wasip3::wit_bindgen::{FutureReader, FutureWriter, StreamReader, StreamResult, StreamWriter};
use bytes::Bytes;
use futures_core::Stream;
use futures_util::StreamExt;
use url::Url;

use crate::body::Body;
use crate::error::{Error, ErrorKind, Result};
use crate::transport::wasi::error::{map_error_code, Phase};
use crate::transport::wasi::exchange::{within_write_timeout, WriteError};

/// The most bytes asked of one read: a chunk of the response body.
const MAX_READ: usize = 64 * 1024;

/// What the host's trailers future holds.
pub(super) type TrailersResult = std::result::Result<Option<Fields>, ErrorCode>;

/// The trailers a request body ends with when it was not written to its end: the host then
/// aborts the request instead of sending a short body as a complete one.
pub(super) fn unfinished() -> TrailersResult {
    Err(ErrorCode::InternalError(Some(
        "the request body was not written to its end".to_owned(),
    )))
}

/// No trailers, no error: the end of a complete body.
pub(super) fn finished() -> TrailersResult {
    Ok(None)
}

/// Writes `body` into `tx`, each chunk within `write_timeout`, then closes the stream and
/// confirms the body's end through `trailers`. Returning early (an error, or this future
/// dropped) drops `trailers` unwritten, and its default value tells the host the body is
/// unfinished.
pub(super) async fn write_body(
    mut tx: StreamWriter<u8>,
    trailers: FutureWriter<TrailersResult>,
    body: Body,
    write_timeout: Option<Duration>,
    url: &Url,
) -> std::result::Result<(), WriteError> {
    let mut chunks = body.into_stream();
    while let Some(chunk) = chunks.next().await {
        let chunk = chunk.map_err(WriteError::Other)?;
        if chunk.is_empty() {
            continue;
        }
        let write = tx.write_all(Vec::from(chunk));
        let what = "took no more of the request body";
        let rest = within_write_timeout(write_timeout, write, what, url).await?;
        if !rest.is_empty() {
            return Err(WriteError::Stopped(
                Error::new(ErrorKind::Write)
                    .with_message("the host stopped reading the request body")
                    .with_url(url.clone()),
            ));
        }
    }
    // The end of the body: the stream closes, then the trailers say it is complete. The write
    // of the trailers completes when the host takes them (or has gone: then `send` tells).
    drop(tx);
    let confirm = async {
        let _ = trailers.write(finished()).await;
    };
    let what = "did not take the end of the request body";
    within_write_timeout(write_timeout, confirm, what, url).await
}

/// The state of a response body between reads.
struct Reading {
    stream: StreamReader<u8>,
    trailers: FutureReader<TrailersResult>,
    /// The `Content-Length`, to catch a body that ends short without the host noticing.
    expected: Option<u64>,
    received: u64,
    url: Url,
    /// The buffer for the next read, kept while reads come back small.
    buf: Vec<u8>,
}

/// The response body: one read of at most [`MAX_READ`] bytes per item.
pub(super) fn response_body(
    stream: StreamReader<u8>,
    trailers: FutureReader<TrailersResult>,
    expected: Option<u64>,
    url: Url,
) -> impl Stream<Item = Result<Bytes>> {
    let state = Reading {
        buf: Vec::new(),
        stream,
        trailers,
        expected,
        received: 0,
        url,
    };
    futures_util::stream::unfold(Some(state), |state| async move {
        let mut st = state?;
        loop {
            let mut buf = std::mem::take(&mut st.buf);
            buf.clear();
            buf.reserve_exact(MAX_READ);
            let (result, buf) = st.stream.read(buf).await;
            match result {
                StreamResult::Complete(_) if !buf.is_empty() => {
                    st.received += buf.len() as u64;
                    // A read that filled less than half the buffer is copied out, and the
                    // buffer kept for the next: as the chunk, it would keep 64 KiB alive for a
                    // few bytes.
                    let chunk = if buf.len() >= MAX_READ / 2 {
                        Bytes::from(buf)
                    } else {
                        let chunk = Bytes::copy_from_slice(&buf);
                        st.buf = buf;
                        chunk
                    };
                    return Some((Ok(chunk), Some(st)));
                }
                StreamResult::Complete(_) | StreamResult::Cancelled => {
                    st.buf = buf;
                    continue;
                }
                StreamResult::Dropped => return end_of_body(st).await.map(|e| (Err(e), None)),
            }
        }
    })
}

/// The body stream has closed: whether the body is whole, by the host's trailers result and by
/// its `Content-Length`. `None` when it is.
async fn end_of_body(st: Reading) -> Option<Error> {
    let Reading {
        stream,
        trailers,
        expected,
        received,
        url,
        buf: _,
    } = st;
    drop(stream);
    let short = expected
        .filter(|&n| received < n)
        .map(|n| format!("the response body ended after {received} of its {n} bytes"));
    match trailers.await {
        Err(code) => {
            let mut e = map_error_code(code, Phase::ReadBody, &url);
            if let Some(m) = short {
                e = e.with_message(m);
            }
            Some(e)
        }
        Ok(_trailers) => short.map(|m| {
            Error::new(ErrorKind::Protocol)
                .with_message(m)
                .with_url(url)
        }),
    }
}
