//! The I/O loop that drives the shared policies, httpx style:
//! total deadline → retries → auth → redirects → one send (cookies, hooks, decoding).

use std::sync::Arc;
use std::time::Duration;

use crate::auth::{Auth, AuthStep};
use crate::body::Body;
use crate::client::ClientInner;
use crate::error::{Error, ErrorKind, Result, TimeoutKind};
use crate::request::{Parts, Request};
use crate::response::Response;
use crate::rt::{self, Instant};

/// The most auth rounds one request may take, so a scheme that keeps asking cannot loop.
const MAX_AUTH_ROUNDS: u32 = 10;

pub(crate) async fn execute(
    client: Arc<ClientInner>,
    request: Request,
    auth: Option<Arc<dyn Auth>>,
    follow: Option<bool>,
) -> Result<Response> {
    let url = request.url().clone();
    let total = request.timeout().total_timeout();
    let started = Instant::now();
    let exchange = send_with_retries(&client, request, auth, follow);
    let mut response = rt::timeout(total, exchange, || {
        Error::timeout(TimeoutKind::Total).with_url(url.clone())
    })
    .await?;
    if let Some(total) = total {
        // The body is part of the exchange: it must arrive before the deadline too.
        let left = total.saturating_sub(started.elapsed());
        if let Some(body) = response.take_body() {
            let stream = crate::decode::with_deadline(body, left, url);
            response.set_body(stream);
        }
    }
    Ok(response)
}

fn head_clone(req: &Request) -> Request {
    let parts = Parts {
        method: req.method().clone(),
        url: req.url().clone(),
        headers: req.headers().clone(),
        timeout: *req.timeout(),
        version: req.version(),
        extensions: req.extensions().clone(),
    };
    Request::from_parts(parts, Body::empty())
}

async fn send_with_retries(
    client: &ClientInner,
    mut request: Request,
    auth: Option<Arc<dyn Auth>>,
    follow: Option<bool>,
) -> Result<Response> {
    let Some(retry) = client.retry.clone() else {
        return send_with_auth(client, request, auth.as_deref(), follow).await;
    };
    let mut attempt = 0;
    loop {
        let again = if attempt < retry.total {
            request.try_clone()
        } else {
            None
        };
        let method = request.method().clone();
        let result = send_with_auth(client, request, auth.as_deref(), follow).await;
        let Some(next) = again else { return result };
        attempt += 1;
        let wait = match &result {
            // Nothing reached the server: safe to retry whatever the method.
            Err(e) if e.is_connect() || e.timeout_kind() == Some(TimeoutKind::Connect) => {
                retry.backoff(attempt)
            }
            Ok(resp)
                if retry.status_allowed(resp.status().as_u16())
                    && retry.method_allowed(&method) =>
            {
                match retry.retry_after(resp.headers()) {
                    Some(Some(wait)) => wait,
                    Some(None) => return result,
                    None => retry.backoff(attempt),
                }
            }
            _ => return result,
        };
        drop(result);
        if wait > Duration::ZERO {
            rt::sleep(wait).await;
        }
        request = next;
    }
}

async fn send_with_auth(
    client: &ClientInner,
    mut request: Request,
    auth: Option<&dyn Auth>,
    follow: Option<bool>,
) -> Result<Response> {
    let Some(auth) = auth.or(client.auth.as_deref()) else {
        return send_with_redirects(client, request, follow).await;
    };
    auth.on_request(&mut request)
        .map_err(|e| e.with_url(request.url().clone()))?;
    let mut round = 0;
    loop {
        let mut kept = request.try_clone();
        let replayable = kept.is_some();
        if kept.is_none() {
            kept = Some(head_clone(&request));
        }
        let response = send_with_redirects(client, request, follow).await?;
        let mut next = kept.unwrap_or_else(|| unreachable!("set above"));
        match auth.on_response(&mut next, &response, round)? {
            AuthStep::Done => return Ok(response),
            AuthStep::Retry if round + 1 >= MAX_AUTH_ROUNDS => return Ok(response),
            AuthStep::Retry if !replayable => {
                return Err(Error::builder(
                    "the auth scheme asked to send the request again, and its streamed body cannot be re-sent; use a body held in memory",
                )
                .with_url(next.url().clone()))
            }
            AuthStep::Retry => {
                round += 1;
                request = next;
            }
        }
    }
}

async fn send_with_redirects(
    client: &ClientInner,
    mut request: Request,
    follow: Option<bool>,
) -> Result<Response> {
    let asked = follow.unwrap_or(client.follow_redirects);
    if client.caps.follows_redirects {
        // The host follows (or not) by itself: tell the transport what was asked.
        request
            .extensions_mut()
            .insert(crate::transport::FollowRedirects(asked));
    }
    let follow = asked && !client.caps.follows_redirects;
    let mut history: Vec<Response> = Vec::new();
    loop {
        let template = if follow {
            let replayable = request.body().is_replayable();
            Some((
                request.try_clone().unwrap_or_else(|| head_clone(&request)),
                replayable,
            ))
        } else {
            None
        };
        let mut response = send_single(client, request).await?;
        let Some((previous, replayable)) = template.filter(|_| response.is_redirect()) else {
            response.set_history(history);
            return Ok(response);
        };
        if history.len() >= client.max_redirects {
            return Err(Error::new(ErrorKind::Redirect)
                .with_message(format!(
                    "exceeded the maximum of {} redirects",
                    client.max_redirects
                ))
                .with_url(response.url().clone()));
        }
        request = crate::redirect::next_request(previous, replayable, &response)?;
        history.push(response.head_only());
    }
}

/// One hop: cookies in, hooks, the transport, cookies out, hooks, body decoding.
async fn send_single(client: &ClientInner, mut request: Request) -> Result<Response> {
    if let Some(jar) = &client.jar {
        let url = request.url().clone();
        jar.apply(&url, request.headers_mut());
    }
    for hook in &client.on_request {
        hook(&mut request).map_err(|e| e.with_url(request.url().clone()))?;
    }
    let url = request.url().clone();
    let read_timeout = request.timeout().read_timeout();
    let is_head = request.method() == http::Method::HEAD;
    let started = Instant::now();
    let mut response = client
        .transport
        .send(request)
        .await
        .map_err(|e| e.with_url(url.clone()))?;
    response.set_elapsed(started.elapsed());
    // A host that followed redirects itself reports where it ended up.
    let host_url = response
        .extensions_mut()
        .remove::<crate::transport::HostUrl>();
    response.set_url(host_url.map_or_else(|| url.clone(), |u| u.0));
    if let Some(jar) = &client.jar {
        jar.store(&url, response.headers());
    }
    for hook in &client.on_response {
        hook(&response).map_err(|e| e.with_url(url.clone()))?;
    }
    if let Some(body) = response.take_body() {
        let body = if is_head {
            Body::empty()
        } else {
            let decoders = if client.decode_content {
                crate::decode::decoders_for(response.headers())
                    .map_err(|e| e.with_url(url.clone()))?
            } else {
                Vec::new()
            };
            crate::decode::wrap_body(body, decoders, client.max_decoded_size, read_timeout, url)
        };
        response.set_body(body);
    }
    Ok(response)
}
