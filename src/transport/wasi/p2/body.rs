//! Bodies over `wasi:io` streams: the request body written in pieces the host accepts, the
//! response body read as a [`Stream`] with backpressure (one read per poll).
//!
//! WASI resources form trees, and a child must be dropped before its parent, or the host traps:
//! - request: `pollable` → `output-stream` → `outgoing-body` (then `outgoing-body.finish`);
//! - response: `pollable` → `input-stream` → `incoming-body` → `incoming-response`.
//!
//! Both types below hold their resources in `Option`s and release them child first, on the
//! normal path and in `Drop` alike.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use ::wasi::http::types::{IncomingBody, IncomingResponse, OutgoingBody};
use ::wasi::io::streams::{InputStream, OutputStream, StreamError};
use bytes::Bytes;
use futures_core::Stream;
use futures_util::StreamExt;
use url::Url;

use crate::body::Body;
use crate::error::{Error, ErrorKind, Result};
use crate::platform::wasip2::WaitFor;
use crate::transport::wasi::error::{host_refused, map_error_code, map_stream_error, Phase};
use crate::transport::wasi::exchange::{within_write_timeout, WriteError};

/// The most bytes one `write` may carry: hosts accept at most 4096 per call (and never more
/// than `check-write` allows).
const MAX_WRITE: usize = 4096;

/// The most bytes asked of one `read`: a chunk of the response body.
const MAX_READ: u64 = 64 * 1024;

/// The request body being written: the stream and its parent body.
struct BodyWriter {
    /// Child of `body`: dropped first.
    stream: Option<OutputStream>,
    body: Option<OutgoingBody>,
}

impl Drop for BodyWriter {
    fn drop(&mut self) {
        // The output-stream before its outgoing-body. Dropping an outgoing-body without
        // `finish` tells the host the body is incomplete, so it aborts the request.
        drop(self.stream.take());
        drop(self.body.take());
    }
}

/// The host's stream failed: the exchange's own error (from the response future) says more.
fn stopped(e: StreamError, url: &Url) -> WriteError {
    WriteError::Stopped(map_stream_error(e, Phase::Write, url))
}

/// Writes `body` into `out` and finishes it, waiting at most `write_timeout` each time the host
/// is not ready for more.
pub(super) async fn write_body(
    out: OutgoingBody,
    body: Body,
    write_timeout: Option<Duration>,
    url: &Url,
) -> Result<(), WriteError> {
    if body.content_length() == Some(0) {
        // Nothing to write (a GET): the body is finished without opening its stream, which
        // saves a flush and a wait for the host to take it.
        return OutgoingBody::finish(out, None)
            .map_err(|c| WriteError::Other(map_error_code(c, Phase::Write, url)));
    }
    let stream = out
        .write()
        .map_err(|()| WriteError::Other(host_refused("to open the request body stream", url)))?;
    let mut writer = BodyWriter {
        stream: Some(stream),
        body: Some(out),
    };
    if let Some(stream) = &writer.stream {
        let mut chunks = body.into_stream();
        while let Some(chunk) = chunks.next().await {
            let chunk = chunk.map_err(WriteError::Other)?;
            write_chunk(stream, &chunk, write_timeout, url).await?;
        }
        flush(stream, write_timeout, url).await?;
    }
    // The stream must be gone before `finish` consumes its parent.
    drop(writer.stream.take());
    match writer.body.take() {
        Some(out) => OutgoingBody::finish(out, None)
            .map_err(|c| WriteError::Other(map_error_code(c, Phase::Write, url))),
        None => Ok(()),
    }
}

async fn write_chunk(
    stream: &OutputStream,
    mut rest: &[u8],
    write_timeout: Option<Duration>,
    url: &Url,
) -> Result<(), WriteError> {
    while !rest.is_empty() {
        let allowed = stream.check_write().map_err(|e| stopped(e, url))?;
        if allowed == 0 {
            writable(stream, write_timeout, url).await?;
            continue;
        }
        let n = rest
            .len()
            .min(MAX_WRITE)
            .min(usize::try_from(allowed).unwrap_or(usize::MAX));
        stream.write(&rest[..n]).map_err(|e| stopped(e, url))?;
        rest = &rest[n..];
    }
    Ok(())
}

/// Flushes and waits until the flush is done (`check-write` reports room again).
async fn flush(
    stream: &OutputStream,
    write_timeout: Option<Duration>,
    url: &Url,
) -> Result<(), WriteError> {
    stream.flush().map_err(|e| stopped(e, url))?;
    loop {
        match stream.check_write() {
            Ok(0) => writable(stream, write_timeout, url).await?,
            Ok(_) => return Ok(()),
            Err(e) => return Err(stopped(e, url)),
        }
    }
}

/// Waits for the stream to take more bytes, under the write timeout.
async fn writable(
    stream: &OutputStream,
    write_timeout: Option<Duration>,
    url: &Url,
) -> Result<(), WriteError> {
    // The pollable is a child of the stream; the WaitFor owning it ends with this call.
    let ready = WaitFor::new(stream.subscribe());
    let what = "took no more of the request body";
    within_write_timeout(write_timeout, ready, what, url).await
}

/// A response body read from its `input-stream`, one chunk per poll.
pub(super) struct ResponseBody {
    /// Child of `stream`.
    wait: Option<WaitFor>,
    /// Child of `body`.
    stream: Option<InputStream>,
    /// Child of `response`.
    body: Option<IncomingBody>,
    response: Option<IncomingResponse>,
    /// The `Content-Length`, to catch a body that ends short without the host noticing.
    expected: Option<u64>,
    received: u64,
    url: Url,
}

impl ResponseBody {
    /// Opens the body of `response`.
    pub(super) fn new(
        response: IncomingResponse,
        expected: Option<u64>,
        url: Url,
    ) -> Result<ResponseBody> {
        let body = response
            .consume()
            .map_err(|()| host_refused("to hand over the response body", &url))?;
        let stream = body
            .stream()
            .map_err(|()| host_refused("to open the response body stream", &url))?;
        Ok(ResponseBody {
            wait: None,
            stream: Some(stream),
            body: Some(body),
            response: Some(response),
            expected,
            received: 0,
            url,
        })
    }

    /// Releases every resource, child first.
    fn release(&mut self) {
        drop(self.wait.take());
        drop(self.stream.take());
        if let Some(body) = self.body.take() {
            // Trailers are not exposed; the future-trailers is dropped at once.
            drop(IncomingBody::finish(body));
        }
        drop(self.response.take());
    }
}

impl Drop for ResponseBody {
    fn drop(&mut self) {
        self.release();
    }
}

impl Stream for ResponseBody {
    type Item = Result<Bytes>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            if let Some(wait) = &mut this.wait {
                std::task::ready!(Pin::new(wait).poll(cx));
                this.wait = None;
            }
            let Some(stream) = &this.stream else {
                return Poll::Ready(None);
            };
            match stream.read(MAX_READ) {
                Ok(bytes) if bytes.is_empty() => {
                    // Nothing buffered yet: wait for the host, then read again.
                    this.wait = Some(WaitFor::new(stream.subscribe()));
                }
                Ok(bytes) => {
                    this.received += bytes.len() as u64;
                    return Poll::Ready(Some(Ok(Bytes::from(bytes))));
                }
                Err(StreamError::Closed) => {
                    this.release();
                    return Poll::Ready(match this.expected {
                        Some(n) if this.received < n => Some(Err(Error::new(ErrorKind::Protocol)
                            .with_message(format!(
                                "the response body ended after {} of its {n} bytes",
                                this.received
                            ))
                            .with_url(this.url.clone()))),
                        _ => None,
                    });
                }
                Err(e) => {
                    let mut err = map_stream_error(e, Phase::ReadBody, &this.url);
                    if let Some(n) = this.expected.filter(|&n| this.received < n) {
                        err = err.with_message(format!(
                            "the response body ended after {} of its {n} bytes",
                            this.received
                        ));
                    }
                    this.release();
                    return Poll::Ready(Some(Err(err)));
                }
            }
        }
    }
}
