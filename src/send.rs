//! The I/O loop that drives the shared policies, httpx style:
//! total deadline → retries → redirects → auth (per hop) → one send (cookies, hooks, decoding).
//!
//! The options are resolved once, at the top of [`execute`]: the request's own (its
//! `RequestOptions`, set on its builder or with `Request::set_*`), else the client's, into one
//! [`Policy`] that every step reads. So a request built with `RequestBuilder::build` and sent
//! with `Client::send` behaves exactly as the builder's `.await`.

use std::time::Duration;

use crate::auth::{AuthContext, AuthStep, DynAuth};
use crate::body::Body;
use crate::client::{Client, ClientInner};
use crate::error::{Error, ErrorKind, Result, TimeoutKind};
use crate::platform::{self, Instant};
use crate::request::{AuthChoice, Request, SharedAuth};
use crate::response::Response;
use crate::retry::Retry;

/// The most auth rounds one hop may take, so a scheme that keeps asking cannot loop.
const MAX_AUTH_ROUNDS: u32 = 10;

/// One exchange's policy, decided once at its start: the request's option where it sets one,
/// else the client's. Every step below reads this, never the two sources.
struct Policy<'c> {
    /// The client, for an auth scheme's context (requests of its own).
    client: &'c Client,
    /// What every hop uses as the client has it: the transport, the jar, hooks, decoding.
    shared: &'c ClientInner,
    /// The auth scheme the hops to the request's origin run.
    auth: Option<SharedAuth>,
    /// Whether redirects are followed here (asked, and the host does not follow them itself).
    follow_redirects: bool,
    /// For a host that follows redirects itself: what was asked (told through an extension).
    host_follows: Option<bool>,
    max_redirects: usize,
    retry: Option<Retry>,
    /// The deadline of the whole exchange, body included.
    total: Option<Duration>,
}

impl<'c> Policy<'c> {
    /// Resolves `request`'s options against `client`'s. A URL's user info
    /// (`http://user:pass@host/`) leaves the URL here and becomes Basic auth, unless the request
    /// or the client has a scheme of its own (httpx, curl): it is never sent in `Host` or
    /// `:authority`, nor shown, and like any auth it runs only on hops to this origin.
    fn resolve(client: &'c Client, request: &mut Request) -> Policy<'c> {
        let shared = &*client.inner;
        let options = &request.options;
        let mut auth = match &options.auth {
            AuthChoice::Inherit => shared.auth.clone(),
            AuthChoice::Use(a) => Some(a.clone()),
            AuthChoice::Off => None,
        };
        let asked = options.follow_redirects.unwrap_or(shared.follow_redirects);
        let host_follows = shared.caps.follows_redirects;
        let mut policy = Policy {
            client,
            shared,
            auth: None,
            follow_redirects: asked && !host_follows,
            host_follows: host_follows.then_some(asked),
            max_redirects: options.max_redirects.unwrap_or(shared.max_redirects),
            retry: options.retry.clone().or_else(|| shared.retry.clone()),
            total: request.timeout().get_total(),
        };
        if let Some(basic) = take_userinfo(request) {
            if matches!(request.options.auth, AuthChoice::Inherit) && auth.is_none() {
                auth = Some(SharedAuth::new(basic));
            }
        }
        policy.auth = auth;
        policy
    }

    /// True when one send is all it takes: no deadline, retries, auth or redirects, and no host
    /// to tell about redirects.
    fn is_one_send(&self) -> bool {
        self.total.is_none()
            && self.retry.is_none()
            && self.auth.is_none()
            && !self.follow_redirects
            && self.host_follows.is_none()
    }
}

pub(crate) async fn execute(client: &Client, mut request: Request) -> Result<Response> {
    check_framing(&request).map_err(|e| e.with_url(request.url().clone()))?;
    let policy = Policy::resolve(client, &mut request);
    if policy.is_one_send() {
        // The common case. The future of the whole stack is large (kilobytes, copied on every
        // move), so it is boxed, and only built for the requests that need it.
        return send_single(&policy, request).await;
    }
    Box::pin(execute_all(&policy, request)).await
}

/// Takes the user info out of the request's URL, as Basic credentials, if it has any.
fn take_userinfo(request: &mut Request) -> Option<crate::BasicAuth> {
    let url = request.url();
    if url.username().is_empty() && url.password().is_none() {
        return None;
    }
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
    Some(crate::BasicAuth::new(user, pass.unwrap_or_default()))
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

async fn execute_all(policy: &Policy<'_>, request: Request) -> Result<Response> {
    let total = policy.total;
    let url = total.map(|_| request.url().clone());
    let started = Instant::now();
    // One future for both cases (`platform::timeout` with no limit just awaits it).
    let exchange = send_with_retries(policy, request);
    let mut response = platform::timeout(total, exchange, || {
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

async fn send_with_retries(policy: &Policy<'_>, mut request: Request) -> Result<Response> {
    let Some(retry) = &policy.retry else {
        return send_with_redirects(policy, request).await;
    };
    let mut attempt = 0;
    loop {
        let again = if attempt < retry.total {
            request.try_clone()
        } else {
            None
        };
        let method = request.method().clone();
        let result = send_with_redirects(policy, request).await;
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
            platform::sleep(wait).await;
        }
        next.extensions_mut().insert(crate::RetryAttempt(attempt));
        request = next;
    }
}

async fn send_with_redirects(policy: &Policy<'_>, mut request: Request) -> Result<Response> {
    if let Some(asked) = policy.host_follows {
        // The host follows (or not) by itself: tell the transport what was asked.
        request
            .extensions_mut()
            .insert(crate::transport::FollowRedirects(asked));
    }
    let follow = policy.follow_redirects;
    let auth = policy.auth.as_ref();
    // Auth runs on the hops to the origin the request was addressed to, and nowhere else.
    let origin = auth.map(|_| request.url().clone());
    let cx = auth.map(|_| AuthContext::new(policy.client.clone()));
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
        let hop_auth = match (auth, &origin, &cx) {
            (Some(a), Some(o), Some(cx))
                if crate::redirect::keeps_credentials(o, request.url()) =>
            {
                Some((a.scheme(), cx))
            }
            _ => None,
        };
        let mut response = send_with_auth(policy, request, hop_auth).await?;
        let Some((previous, replayable)) = template.filter(|_| response.is_redirect()) else {
            response.set_history(history);
            return Ok(response);
        };
        if history.len() >= policy.max_redirects {
            return Err(Error::new(ErrorKind::Redirect)
                .with_message(format!(
                    "exceeded the maximum of {} redirects",
                    policy.max_redirects
                ))
                .with_url(response.url().clone()));
        }
        request = crate::redirect::next_request(previous, replayable, &response)?;
        history.push(response.head_only());
    }
}

/// One hop under an auth scheme: `on_request`, then send and `on_response` until it is done.
async fn send_with_auth(
    policy: &Policy<'_>,
    mut request: Request,
    auth: Option<(&dyn DynAuth, &AuthContext)>,
) -> Result<Response> {
    let Some((auth, cx)) = auth else {
        return send_single(policy, request).await;
    };
    auth.dyn_on_request(&mut request, cx)
        .await
        .map_err(|e| e.with_url(request.url().clone()))?;
    let mut round = 0;
    loop {
        let kept = request.try_clone();
        let replayable = kept.is_some();
        let mut next = kept.unwrap_or_else(|| request.head_clone());
        let response = send_single(policy, request).await?;
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
async fn send_single(policy: &Policy<'_>, mut request: Request) -> Result<Response> {
    let client = policy.shared;
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
    let read_timeout = request.timeout().get_read();
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
        let mut request = req();
        let policy = super::Policy::resolve(&client, &mut request);
        let full = std::mem::size_of_val(&super::execute_all(&policy, request));
        assert!(common < 4096, "execute: {common} bytes");
        assert!(
            full > common,
            "execute_all: {full} bytes, execute: {common} bytes"
        );
    }
}
