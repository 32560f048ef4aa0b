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
mod body;

use ::wasip3::http::client;
use ::wasip3::http::types::{ErrorCode, Request as WasiRequest, Response as WasiResponse};
use ::wasip3::{wit_future, wit_stream};
use http::Method;
use url::Url;

use self::body::{finished, response_body, unfinished, write_body, TrailersResult};
use super::error::map_error_code;
use super::exchange::write_while_awaiting_head;
use super::head::{request_fields, response, response_head, set_target};
use super::timeouts::request_options;
use crate::error::Result;
use crate::request::Request;
use crate::response::Response;

pub(super) async fn send(request: Request) -> Result<Response> {
    let (parts, body) = request.into_parts();
    let url = parts.url;
    let timeout = parts.timeout;
    let headers = request_fields(&parts.method, &url, &parts.headers, &body)?;
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

    // The client's own wait for the head starts when the body is written.
    let head_limit = host.head_backstop(&timeout);
    let map = |code, phase| map_error_code(code, phase, &url);
    let sending = client::send(request);
    let response = match writer {
        None => {
            let written = std::future::ready(Ok(()));
            write_while_awaiting_head(written, sending, map, head_limit, &url).await?
        }
        Some((tx, trailers_tx)) => {
            let writing = write_body(tx, trailers_tx, body, timeout.get_write(), &url);
            write_while_awaiting_head(writing, sending, map, head_limit, &url).await?
        }
    };
    into_response(response, parts.method == Method::HEAD, url)
}

/// The anyfetch response for the host's: status, headers, and the body as a stream.
fn into_response(incoming: WasiResponse, head: bool, url: Url) -> Result<Response> {
    let entries = {
        // A child of the response: dropped at the end of this block, before the response.
        let fields = incoming.get_headers();
        fields.copy_all()
    };
    let (status, headers, expected) =
        response_head(incoming.get_status_code(), entries, head, &url)?;
    // The result future lets a handler report an error in handling the response; a client has
    // none to report, so it resolves to its default, `ok`.
    let (result_tx, result_rx) = wit_future::new::<std::result::Result<(), ErrorCode>>(|| Ok(()));
    let (stream, trailers) = WasiResponse::consume_body(incoming, result_rx);
    drop(result_tx);
    let body = response_body(stream, trailers, expected, url);
    Ok(response(status, headers, Box::pin(body)))
}
