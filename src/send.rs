//! The I/O loop that drives the shared policies, httpx style:
//! total deadline → retries → redirects → auth (per hop) → one send (cookies, hooks, decoding).
//!
//! Every option comes from the [`Request`] itself (its [`Policy`](crate::request::Policy)),
//! falling back to the client's, so a request built with `RequestBuilder::build` and sent with
//! `Client::send` behaves exactly as the builder's `.await`.

use std::time::Duration;

use crate::auth::{AuthContext, AuthStep, DynAuth};
use crate::body::Body;
use crate::client::{Client, ClientInner};
use crate::error::{Error, ErrorKind, Result, TimeoutKind};
use crate::request::{AuthChoice, Request};
use crate::response::Response;
use crate::rt::{self, Instant};

/// The most auth rounds one hop may take, so a scheme that keeps asking cannot loop.
const MAX_AUTH_ROUNDS: u32 = 10;

pub(crate) async fn execute(client: &Client, mut request: Request) -> Result<Response> {
    check_framing(&request).map_err(|e| e.with_url(request.url().clone()))?;
    if has_userinfo(request.url()) {
        userinfo_to_auth(&client.inner, &mut request);
    }
    if needs_only_one_send(&client.inner, &request) {
        // The common case: no deadline, retries, auth or redirects to follow. The future of
        // the whole stack is large (kilobytes, copied on every move), so it is boxed, and only
        // built for the requests that need it.
        return send_single(&client.inner, request).await;
    }
    Box::pin(execute_all(client, request)).await
}

fn has_userinfo(url: &url::Url) -> bool {
    !url.username().is_empty() || url.password().is_some()
}

/// `http://user:pass@host/` (httpx, curl): the user info leaves the URL, so it is never sent in
/// `Host` or `:authority` nor shown, and becomes Basic auth for the request, unless the
/// request or the client has an auth scheme of its own. Like any auth, it runs only on hops to
/// this origin.
fn userinfo_to_auth(client: &ClientInner, request: &mut Request) {
    let url = request.url();
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(s)
            .decode_utf8_lossy()
            .into_owned()
    };
    let (user, pass) = (decode(url.username()), url.password().map(decode));
    let url = request.url_mut();
    // Infallible for http(s) URLs with a host, which is all a request can have here.
    let _ = url.set_username("");
    let _ = url.set_password(None);
    let inherits = matches!(request.policy.auth, AuthChoice::Inherit) && client.auth.is_none();
    if inherits {
        request.set_auth(crate::BasicAuth::new(user, pass.unwrap_or_default()));
    }
}

/// The framing headers a user set must agree with the body: a `Content-Length` that is not the
/// body's length would truncate or pad what is sent (or leave the server waiting), and a
/// `Transfer-Encoding` on a body of known size, or beside a `Content-Length`, is the stuff of
/// request smuggling. Each is a builder error; nothing is sent.
fn check_framing(request: &Request) -> Result<()> {
    use http::header::{CONTENT_LENGTH, TRANSFER_ENCODING};
    let headers = request.headers();
    let mut lengths = headers.get_all(CONTENT_LENGTH).iter();
    let declared = match (lengths.next(), lengths.next()) {
        (None, _) => None,
        (Some(v), None) => Some(
            v.to_str()
                .ok()
                .filter(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|s| s.parse::<u64>().ok())
                .ok_or_else(|| Error::builder("the Content-Length header is not a length"))?,
        ),
        (Some(_), Some(_)) => return Err(Error::builder("more than one Content-Length header")),
    };
    let body = request.body().content_length();
    if let (Some(declared), Some(actual)) = (declared, body) {
        if declared != actual {
            return Err(Error::builder(format!(
                "the Content-Length header says {declared} bytes, and the body has {actual}: remove the header, anyfetch sets it"
            )));
        }
    }
    if headers.contains_key(TRANSFER_ENCODING) {
        if declared.is_some() {
            return Err(Error::builder(
                "both Content-Length and Transfer-Encoding are set: a request has one framing",
            ));
        }
        if body.is_some() {
            return Err(Error::builder(
                "Transfer-Encoding is set on a body of known size: remove the header, anyfetch frames the body",
            ));
        }
    }
    Ok(())
}

fn needs_only_one_send(client: &ClientInner, request: &Request) -> bool {
    let policy = &request.policy;
    request.timeout().total_timeout().is_none()
        && policy.retry.is_none()
        && client.retry.is_none()
        && match policy.auth {
            AuthChoice::Inherit => client.auth.is_none(),
            AuthChoice::Use(_) => false,
            AuthChoice::Off => true,
        }
        && !policy.follow_redirects.unwrap_or(client.follow_redirects)
        // A host that follows redirects itself is told what was asked (a request extension).
        && !client.caps.follows_redirects
}

async fn execute_all(client: &Client, request: Request) -> Result<Response> {
    let total = request.timeout().total_timeout();
    let url = total.map(|_| request.url().clone());
    let started = Instant::now();
    // One future for both cases (`rt::timeout` with no limit just awaits it).
    let exchange = send_with_retries(client, request);
    let mut response = rt::timeout(total, exchange, || {
        let e = Error::timeout(TimeoutKind::Total);
        match &url {
            Some(url) => e.with_url(url.clone()),
            None => e,
        }
    })
    .await?;
    if let (Some(total), Some(url)) = (total, url) {
        // The body is part of the exchange: it must arrive before the deadline too.
        let left = total.saturating_sub(started.elapsed());
        if let Some(body) = response.take_body() {
            response.set_body(crate::body::deadline(body, left, url));
        }
    }
    Ok(response)
}

async fn send_with_retries(client: &Client, mut request: Request) -> Result<Response> {
    let Some(retry) = request
        .policy
        .retry
        .clone()
        .or_else(|| client.inner.retry.clone())
    else {
        return send_with_redirects(client, request).await;
    };
    let mut attempt = 0;
    loop {
        let again = if attempt < retry.total {
            request.try_clone()
        } else {
            None
        };
        let method = request.method().clone();
        let result = send_with_redirects(client, request).await;
        let Some(mut next) = again else { return result };
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
                match retry.retry_after(resp.status().as_u16(), resp.headers()) {
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
        next.extensions_mut().insert(crate::RetryAttempt(attempt));
        request = next;
    }
}

async fn send_with_redirects(client: &Client, mut request: Request) -> Result<Response> {
    let inner = &*client.inner;
    let asked = request
        .policy
        .follow_redirects
        .unwrap_or(inner.follow_redirects);
    let max_redirects = request.policy.max_redirects.unwrap_or(inner.max_redirects);
    let auth: Option<std::sync::Arc<dyn DynAuth>> = match &request.policy.auth {
        AuthChoice::Inherit => inner.auth.clone(),
        AuthChoice::Use(a) => Some(a.clone()),
        AuthChoice::Off => None,
    };
    if inner.caps.follows_redirects {
        // The host follows (or not) by itself: tell the transport what was asked.
        request
            .extensions_mut()
            .insert(crate::transport::FollowRedirects(asked));
    }
    let follow = asked && !inner.caps.follows_redirects;
    // Auth runs on the hops to the origin the request was addressed to, and nowhere else.
    let origin = auth.as_ref().map(|_| request.url().clone());
    let cx = auth.as_ref().map(|_| AuthContext::new(client.clone()));
    let mut history: Vec<Response> = Vec::new();
    loop {
        // What the next hop is made from: the request as it was before auth touched it.
        let template = if follow {
            let replayable = request.body().is_replayable();
            Some((
                request.try_clone().unwrap_or_else(|| request.head_clone()),
                replayable,
            ))
        } else {
            None
        };
        let hop_auth = match (&auth, &origin, &cx) {
            (Some(a), Some(o), Some(cx))
                if crate::redirect::keeps_credentials(o, request.url()) =>
            {
                Some((&**a, cx))
            }
            _ => None,
        };
        let mut response = send_with_auth(inner, request, hop_auth).await?;
        let Some((previous, replayable)) = template.filter(|_| response.is_redirect()) else {
            response.set_history(history);
            return Ok(response);
        };
        if history.len() >= max_redirects {
            return Err(Error::new(ErrorKind::Redirect)
                .with_message(format!("exceeded the maximum of {max_redirects} redirects"))
                .with_url(response.url().clone()));
        }
        request = crate::redirect::next_request(previous, replayable, &response)?;
        history.push(response.head_only());
    }
}

/// One hop under an auth scheme: `on_request`, then send and `on_response` until it is done.
async fn send_with_auth(
    client: &ClientInner,
    mut request: Request,
    auth: Option<(&dyn DynAuth, &AuthContext)>,
) -> Result<Response> {
    let Some((auth, cx)) = auth else {
        return send_single(client, request).await;
    };
    auth.dyn_on_request(&mut request, cx)
        .await
        .map_err(|e| e.with_url(request.url().clone()))?;
    let mut round = 0;
    loop {
        let kept = request.try_clone();
        let replayable = kept.is_some();
        let mut next = kept.unwrap_or_else(|| request.head_clone());
        let response = send_single(client, request).await?;
        match auth.dyn_on_response(&mut next, &response, round, cx).await? {
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

/// One hop: cookies in, hooks, the transport, cookies out, hooks, body adapters.
async fn send_single(client: &ClientInner, mut request: Request) -> Result<Response> {
    if let Some(jar) = &client.jar {
        let (url, headers) = request.url_and_headers_mut();
        jar.apply(url, headers);
    }
    for hook in &client.on_request {
        hook(&mut request)
            .wait()
            .await
            .map_err(|e| e.with_url(request.url().clone()))?;
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
    if let Some(jar) = &client.jar {
        jar.store(&url, response.headers());
    }
    response.set_url(host_url.map_or(url, |u| u.0));
    for hook in &client.on_response {
        hook(&response)
            .wait()
            .await
            .map_err(|e| e.with_url(response.url().clone()))?;
    }
    if let Some(body) = response.take_body() {
        let body = if is_head {
            Body::empty()
        } else {
            let decoders = if client.decode_content {
                crate::body::decoders_for(response.headers())
                    .map_err(|e| e.with_url(response.url().clone()))?
            } else {
                Vec::new()
            };
            let counter = response.download_counter();
            crate::body::adapt(
                body,
                crate::body::Adapters {
                    counter,
                    decoders,
                    max_decoded: client.max_decoded_size,
                    read_timeout,
                },
            )
        };
        response.set_body(body);
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    /// Every `Box::pin` of a request's future copies it whole: the common path (no deadline,
    /// retries, auth or redirects) must not carry the kilobytes of the full policy stack.
    #[test]
    fn the_common_path_future_stays_small() {
        let client = crate::Client::new();
        let req = || client.get("http://h/").build().unwrap();
        let common = std::mem::size_of_val(&super::execute(&client, req()));
        let full = std::mem::size_of_val(&super::execute_all(&client, req()));
        assert!(common < 4096, "execute: {common} bytes");
        assert!(
            full > common,
            "execute_all: {full} bytes, execute: {common} bytes"
        );
    }
}
