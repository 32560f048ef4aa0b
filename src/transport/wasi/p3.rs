//! The WASI 0.3 exchange: `wasi:http/client@0.3.0`'s async `send` (feature `wasip3`).
//!
//! - The request body is a `stream<u8>` written while the host sends the request and the
//!   response head is awaited (the host reads the body only once the request is on its way, so
//!   writing it first would deadlock). Its end is confirmed through the trailers future, which
//!   resolves to an error unless the whole body was written: a body whose source fails, or a
//!   send that is dropped half-way, is never sent as complete.
//! - The response body is the host's `stream<u8>`, read one chunk per poll (backpressure:
//!   nothing is read ahead of the reader). When it closes, its trailers future says whether the
//!   body arrived whole.
//!
//! Every wait is a component-model future awaited in the caller's task: the host schedules it
//! with every other pending call of the component, so requests run concurrently wherever the
//! caller joins their futures.

use std::time::Duration;

use ::wasip3::http::client;
use ::wasip3::http::types::{ErrorCode, Fields, Request as WasiRequest, Response as WasiResponse};
use ::wasip3::wit_bindgen::{FutureReader, FutureWriter, StreamReader, StreamResult, StreamWriter};
use ::wasip3::{wit_future, wit_stream};
use bytes::Bytes;
use futures_core::Stream;
use futures_util::future::{select, Either};
use futures_util::StreamExt;
use http::Method;
use url::Url;

use super::error::{map_error_code, Phase};
use super::{request_options, set_target, STREAM_FAILURE_GRACE};
use crate::body::Body;
use crate::error::{Error, ErrorKind, Result, TimeoutKind};
use crate::request::Request;
use crate::response::Response;

/// The most bytes asked of one read: a chunk of the response body.
const MAX_READ: usize = 64 * 1024;

/// What the host's trailers future holds.
type TrailersResult = std::result::Result<Option<Fields>, ErrorCode>;

/// The trailers a request body ends with when it was not written to its end: the host then
/// aborts the request instead of sending a short body as a complete one.
fn unfinished() -> TrailersResult {
    Err(ErrorCode::InternalError(Some(
        "the request body was not written to its end".to_owned(),
    )))
}

/// No trailers, no error: the end of a complete body.
fn finished() -> TrailersResult {
    Ok(None)
}

pub(super) async fn send(request: Request) -> Result<Response> {
    let (parts, body) = request.into_parts();
    let url = parts.url;
    let timeout = parts.timeout;
    let headers = super::request_fields(&parts.method, &url, &parts.headers, &body)?;
    let (options, host) = request_options(&timeout);

    // A known empty body (a GET) is sent without a stream; any other body goes through one.
    let (contents, writer, trailers) = if body.content_length() == Some(0) {
        let (trailers_tx, trailers_rx) = wit_future::new::<TrailersResult>(finished);
        drop(trailers_tx);
        (None, None, trailers_rx)
    } else {
        let (tx, rx) = wit_stream::new::<u8>();
        let (trailers_tx, trailers_rx) = wit_future::new::<TrailersResult>(unfinished);
        (Some(rx), Some((tx, trailers_tx)), trailers_rx)
    };
    // The transmission result is not awaited: a failure shows in `send` or in the body writes.
    let (request, _transmitted) = WasiRequest::new(headers, contents, trailers, Some(options));
    set_target!(request, &parts.method, &url);

    let head_limit = host.head_backstop(&timeout);
    let sending = std::pin::pin!(client::send(request));
    let response = match writer {
        None => await_head(sending, head_limit, &url).await?,
        Some((tx, trailers_tx)) => {
            let writing = std::pin::pin!(write_body(
                tx,
                trailers_tx,
                body,
                timeout.write_timeout(),
                &url
            ));
            match select(writing, sending).await {
                // Written: the client's own wait for the head starts now.
                Either::Left((Ok(()), sending)) => await_head(sending, head_limit, &url).await?,
                Either::Left((Err(WriteError::Other(e)), _sending)) => return Err(e),
                Either::Left((Err(WriteError::Stopped(e)), sending)) => {
                    // The host stopped reading the body. When it failed the whole exchange,
                    // `send` says why; when the server answered anyway, the answer stands.
                    let grace = head_limit.unwrap_or(STREAM_FAILURE_GRACE);
                    let head = async {
                        sending
                            .await
                            .map_err(|code| map_error_code(code, Phase::ReadHead, &url))
                    };
                    crate::platform::timeout(Some(grace), head, || e).await?
                }
                Either::Right((Ok(response), writing)) => {
                    // The server answered early: the body is finished (the host needs its end),
                    // but the answer stands whatever becomes of it.
                    let _ = writing.await;
                    response
                }
                // The exchange failed while the body was being written.
                Either::Right((Err(code), _writing)) => {
                    return Err(map_error_code(code, Phase::Write, &url))
                }
            }
        }
    };
    into_response(response, parts.method == Method::HEAD, url)
}

/// Waits for the response head, at most `limit` (a backstop: the host enforces the first-byte
/// timeout itself where it takes it, and reports it with its own code).
async fn await_head(
    sending: impl std::future::Future<Output = std::result::Result<WasiResponse, ErrorCode>>,
    limit: Option<Duration>,
    url: &Url,
) -> Result<WasiResponse> {
    let head = async {
        sending
            .await
            .map_err(|code| map_error_code(code, Phase::ReadHead, url))
    };
    crate::platform::timeout(limit, head, || {
        Error::timeout(TimeoutKind::Read)
            .with_message("no response head in time")
            .with_url(url.clone())
    })
    .await
}

/// Why writing the request body stopped.
enum WriteError {
    /// The host stopped reading the body stream: the exchange's own result says more.
    Stopped(Error),
    /// The write timeout, or the body's source failing.
    Other(Error),
}

/// Writes `body` into `tx`, each chunk within `write_timeout`, then closes the stream and
/// confirms the body's end through `trailers`. Returning early (an error, or this future
/// dropped) drops `trailers` unwritten, and its default value tells the host the body is
/// unfinished.
async fn write_body(
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
        let write = async { Ok(tx.write_all(Vec::from(chunk)).await) };
        let rest = crate::platform::timeout(write_timeout, write, || {
            Error::timeout(TimeoutKind::Write)
                .with_message("the host took no more of the request body in time")
                .with_url(url.clone())
        })
        .await
        .map_err(WriteError::Other)?;
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
        Ok(())
    };
    crate::platform::timeout(write_timeout, confirm, || {
        Error::timeout(TimeoutKind::Write)
            .with_message("the host did not take the end of the request body in time")
            .with_url(url.clone())
    })
    .await
    .map_err(WriteError::Other)
}

/// The anyfetch response for the host's: status, headers, and the body as a stream.
fn into_response(incoming: WasiResponse, head: bool, url: Url) -> Result<Response> {
    let entries = {
        // A child of the response: dropped at the end of this block, before the response.
        let fields = incoming.get_headers();
        fields.copy_all()
    };
    let (status, headers, expected) =
        super::response_head(incoming.get_status_code(), entries, head, &url)?;
    // The result future lets a handler report an error in handling the response; a client has
    // none to report, so it resolves to its default, `ok`.
    let (result_tx, result_rx) = wit_future::new::<std::result::Result<(), ErrorCode>>(|| Ok(()));
    let (stream, trailers) = WasiResponse::consume_body(incoming, result_rx);
    drop(result_tx);
    let body = response_body(stream, trailers, expected, url);
    Ok(super::response(status, headers, Box::pin(body)))
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
fn response_body(
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
