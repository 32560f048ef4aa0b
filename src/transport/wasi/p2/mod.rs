//! The WASI 0.2 exchange: `outgoing-handler.handle`, waiting in the reactor of
//! [`crate::platform`] (driven by [`block_on`](crate::block_on)). The request body is written
//! ([`body`]) while the response head is awaited, by the driver both versions share.

mod body;

use ::wasi::http::outgoing_handler;
use ::wasi::http::types::{FutureIncomingResponse, IncomingResponse, OutgoingRequest};
use http::Method;
use url::Url;

use self::body::ResponseBody;
use super::error::{host_refused, map_error_code, Phase};
use super::exchange::write_while_awaiting_head;
use super::head::{request_fields, response, response_head, set_target};
use super::timeouts::request_options;
use crate::error::Result;
use crate::platform::wasip2::WaitFor;
use crate::request::Request;
use crate::response::Response;

pub(super) async fn send(request: Request) -> Result<Response> {
    let (parts, body) = request.into_parts();
    let url = parts.url;
    let timeout = parts.timeout;
    let outgoing = outgoing_request(&parts.method, &url, &parts.headers, &body)?;
    let out_body = outgoing
        .body()
        .map_err(|()| host_refused("to give the request body", &url))?;
    let (options, host) = request_options(&timeout);
    let future = outgoing_handler::handle(outgoing, Some(options))
        .map_err(|code| map_error_code(code, Phase::Send, &url))?;

    // The client's own wait for the head starts when the body is written.
    let head_limit = host.head_backstop(&timeout);
    let writing = body::write_body(out_body, body, timeout.get_write(), &url);
    let head = await_head(&future, &url);
    let response = write_while_awaiting_head(writing, head, |e, _| e, head_limit, &url).await?;
    // `future` (the parent of the response's pollables, now all gone) may be dropped now.
    drop(future);
    into_response(response, parts.method == Method::HEAD, url)
}

/// Waits for the response head.
async fn await_head(future: &FutureIncomingResponse, url: &Url) -> Result<IncomingResponse> {
    loop {
        match future.get() {
            Some(Ok(Ok(response))) => return Ok(response),
            Some(Ok(Err(code))) => return Err(map_error_code(code, Phase::ReadHead, url)),
            Some(Err(())) => return Err(host_refused("to give the response twice", url)),
            // The pollable is a child of the future: it is dropped at the end of this wait.
            None => WaitFor::new(future.subscribe()).await,
        }
    }
}

/// The `outgoing-request` for the request head.
fn outgoing_request(
    method: &Method,
    url: &Url,
    headers: &http::HeaderMap,
    body: &crate::body::Body,
) -> Result<OutgoingRequest> {
    let fields = request_fields(method, url, headers, body)?;
    // `fields` moves into the request: it is the request's headers from here on.
    let request = OutgoingRequest::new(fields);
    set_target!(request, method, url);
    Ok(request)
}

/// The anyfetch response for the host's: status, headers, and the body as a stream.
fn into_response(incoming: IncomingResponse, head: bool, url: Url) -> Result<Response> {
    let entries = {
        // A child of the response: dropped at the end of this block, before the response.
        let fields = incoming.headers();
        fields.entries()
    };
    let (status, headers, expected) = response_head(incoming.status(), entries, head, &url)?;
    let body = ResponseBody::new(incoming, expected, url)?;
    Ok(response(status, headers, Box::pin(body)))
}
