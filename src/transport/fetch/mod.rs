//! The fetch backend: the global `fetch` of the JavaScript runtime, for `wasm32-unknown-unknown`
//! in browsers, web workers, Node ≥ 18 and Deno. `fetch` is found on the global object
//! (`globalThis`), never on `window`, so the same module runs in all of them.
//!
//! One exchange, in order:
//! 1. the request head becomes a `RequestInit`; in a browser the headers it would drop silently
//!    (`Cookie`, `Host`, `Origin`, `Connection`... the fetch standard's forbidden names) are
//!    refused with an [`Unsupported`](crate::ErrorKind::Unsupported) error naming the header;
//! 2. the body goes as a `Uint8Array`, or, when streamed, as a `ReadableStream` with
//!    `duplex: "half"` (Node and Deno send it; Chromium only over HTTP/2 or HTTP/3, and its
//!    rejection over HTTP/1.1 is reported as `Unsupported`; Firefox and Safari not at all: they
//!    would send the text `[object ReadableStream]`, so it is refused first, `Unsupported`);
//! 3. `fetch` runs with an `AbortController`'s signal: the read timeout bounds the wait for the
//!    response head (a timeout there is `Timeout(Read)`: fetch does not tell connecting from
//!    waiting, so the connect timeout cannot be honoured apart, and the write timeout not at
//!    all), and dropping the future aborts the fetch;
//! 4. the body streams from the response's `ReadableStream` ([`body::ResponseBody`]); dropping
//!    it unfinished aborts the fetch, which cancels the stream. The client enforces the read
//!    timeout between chunks and the total deadline above this transport.
//!
//! What differs by runtime ([`Capabilities`] follow the runtime, detected once):
//!
//! | | browsers (window, worker) | Node, Deno, Bun, workerd |
//! |---|---|---|
//! | content decoding | the platform (`decodes_content`) | the platform (gzip, deflate, br) |
//! | redirects followed | by the browser (`redirect: "follow"`, `follows_redirects`): `url()` is the final URL, `history()` is empty, the browser's own limit (20) applies | by the client, as natively (`redirect: "manual"` shows the real 3xx) |
//! | redirects not followed | `redirect: "manual"`: the browser hides the 3xx (an opaque-redirect, status 0, no headers), so the send fails with an `Unsupported` error saying so | the real 3xx with its `Location` |
//! | cookies | the browser's cookie store (`manages_cookies`); choose what it sends with a [`FetchCredentials`] request extension | the client's jar: `Set-Cookie` is read with `headers.getSetCookie()`, every one kept |
//!
//! [`Capabilities`]: crate::Capabilities
//! [`FetchCredentials`]: crate::FetchCredentials

mod body;
mod error;

use http::header::{CONTENT_LENGTH, HOST, SET_COOKIE, USER_AGENT};
use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use js_sys::{Promise, Reflect};
use url::Url;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    AbortController, RequestCache, RequestCredentials, RequestInit, RequestRedirect, ResponseType,
};

use self::body::{AbortOnDrop, ResponseBody, UploadError};
pub use self::error::JsError;
use self::error::{map_js_error, Phase};
use crate::body::Body;
use crate::error::{Error, ErrorKind, Result, TimeoutKind};
use crate::platform::web::Runtime;
use crate::platform::BoxFuture;
use crate::request::Request;
use crate::response::Response;
use crate::transport::{
    head, Capabilities, FetchCredentials, FollowRedirects, HostUrl, Transport, TransportConfig,
};

/// The fetch transport: each request is one call of the global `fetch`.
///
/// The runtime pools connections and verifies TLS itself; in a browser it also decodes
/// content, follows redirects and keeps cookies (see [`Capabilities`]). A client built without
/// [`transport`](crate::ClientBuilder::transport) makes its own (refusing the TLS options the
/// runtime cannot honour); give one explicitly to wrap it in your own transport.
#[derive(Debug)]
pub struct FetchTransport {
    runtime: Runtime,
    /// The `fetch` function called instead of the global one.
    fetch: Option<js_sys::Function>,
}

impl Default for FetchTransport {
    fn default() -> Self {
        FetchTransport::new()
    }
}

impl FetchTransport {
    /// A transport for the global `fetch` of the runtime it runs in (browser, worker, Node,
    /// Deno), detected once here.
    pub fn new() -> FetchTransport {
        crate::platform::web::seed_fastrand();
        FetchTransport {
            runtime: Runtime::detect(),
            fetch: None,
        }
    }

    /// A transport that calls `fetch` (a function with the global `fetch`'s signature, called
    /// as `fetch(url, init)`) instead of the global one: a wrapped fetch, a test double, or
    /// one bound to undici's `ProxyAgent` in Node. The runtime is still detected from the
    /// global object, so the function must behave like that runtime's fetch.
    pub fn with_fetch(fetch: js_sys::Function) -> FetchTransport {
        FetchTransport {
            fetch: Some(fetch),
            ..FetchTransport::new()
        }
    }

    /// Refuses what the runtime cannot honour.
    ///
    /// # Errors
    /// [`ErrorKind::Unsupported`] for custom roots, disabled certificate checks, a client
    /// certificate, a minimum TLS version other than 1.2, and HTTP/2
    /// prior knowledge. `Limits` do not apply (the runtime pools connections).
    pub(crate) fn with_config(config: &TransportConfig) -> Result<FetchTransport> {
        config.reject_tls_options("the JavaScript runtime's fetch")?;
        config.reject_proxies("the JavaScript runtime's fetch")?;
        config.net.reject("the JavaScript runtime's fetch")?;
        if config.http2_prior_knowledge {
            return Err(Error::new(ErrorKind::Unsupported).with_message(
                "the JavaScript runtime's fetch chooses the HTTP version itself: http2_prior_knowledge cannot be honoured",
            ));
        }
        Ok(FetchTransport::new())
    }
}

impl Transport for FetchTransport {
    fn send(&self, request: Request) -> BoxFuture<'static, Result<Response>> {
        Box::pin(send(request, self.runtime, self.fetch.clone()))
    }

    fn capabilities(&self) -> Capabilities {
        let browser = self.runtime == Runtime::Browser;
        Capabilities {
            decodes_content: true,
            follows_redirects: browser,
            manages_cookies: browser,
        }
    }
}

async fn send(
    request: Request,
    runtime: Runtime,
    fetch: Option<js_sys::Function>,
) -> Result<Response> {
    let (parts, body) = request.into_parts();
    let url = parts.url;
    let streamed_upload = !body.is_replayable();
    let cx = error::Context {
        url: &url,
        runtime,
        streamed_upload,
    };
    let init = RequestInit::new();
    init.set_method(parts.method.as_str());
    // No HTTP cache, as on the other backends (a browser's cache would also serialize
    // identical concurrent GETs behind its cache lock). Only browsers have one: the server
    // runtimes have none, and Workers reject `cache` before compatibility date 2024-11-11.
    if runtime == Runtime::Browser {
        init.set_cache(RequestCache::NoStore);
    }
    init.set_headers_headers(&request_headers(&parts.headers, &url, runtime)?);

    // Browsers follow or hide redirects; Node and Deno show the 3xx and the client follows.
    let follow = runtime == Runtime::Browser
        && parts
            .extensions
            .get::<FollowRedirects>()
            .is_some_and(|f| f.0);
    init.set_redirect(if follow {
        RequestRedirect::Follow
    } else {
        RequestRedirect::Manual
    });
    if let Some(c) = parts.extensions.get::<FetchCredentials>() {
        init.set_credentials(match c {
            FetchCredentials::Omit => RequestCredentials::Omit,
            FetchCredentials::SameOrigin => RequestCredentials::SameOrigin,
            FetchCredentials::Include => RequestCredentials::Include,
        });
    }

    let upload_error = UploadError::default();
    if streamed_upload {
        body::refuse_unsent_stream(&url)?;
        let stream = body::upload_stream(body, upload_error.clone())
            .map_err(|e| map_js_error(&e, Phase::Head, &cx))?;
        init.set_body(&stream);
        let _ = Reflect::set(&init, &"duplex".into(), &"half".into());
    } else if let Some(bytes) = body.as_bytes().filter(|b| !b.is_empty()) {
        init.set_body(&js_sys::Uint8Array::from(bytes));
    }

    let controller = AbortController::new().map_err(|e| map_js_error(&e, Phase::Head, &cx))?;
    init.set_signal(Some(&controller.signal()));
    // From here, every way out of this function before the response is returned (an error,
    // the read timeout, the caller dropping the future) aborts the fetch.
    let abort = AbortOnDrop::new(controller);

    let args = [JsValue::from_str(url.as_str()), init.into()];
    let called = match &fetch {
        Some(f) => f.call2(&JsValue::UNDEFINED, &args[0], &args[1]),
        None => crate::platform::web::call_global("fetch", &args),
    };
    // `Promise.resolve`: a custom fetch may return something that is not a Promise.
    let promise: Promise =
        Promise::resolve(&called.map_err(|e| map_js_error(&e, Phase::Head, &cx))?);
    let head = async {
        JsFuture::from(promise)
            .await
            .map_err(|e| match upload_error.borrow_mut().take() {
                Some(upload) => upload.with_url(url.clone()),
                None => map_js_error(&e, Phase::Head, &cx),
            })
    };
    let value = crate::platform::timeout(parts.timeout.get_read(), head, || {
        Error::timeout(TimeoutKind::Read)
            .with_message("no response head in time (fetch cannot tell connecting from waiting: this covers both)")
            .with_url(url.clone())
    })
    .await?;
    if crate::platform::web::prop(&value, "status")
        .and_then(|s| s.as_f64())
        .is_none()
        || crate::platform::web::prop(&value, "headers").is_none()
    {
        return Err(Error::new(ErrorKind::Protocol)
            .with_message("fetch resolved to something that is not a Response")
            .with_url(url));
    }
    let response: web_sys::Response = value.unchecked_into();
    into_response(response, abort, url, runtime, parts.method == Method::HEAD)
}

/// The fetch `Headers` for the request head.
fn request_headers(headers: &HeaderMap, url: &Url, runtime: Runtime) -> Result<web_sys::Headers> {
    let out = web_sys::Headers::new().map_err(|e| {
        let cx = error::Context {
            url,
            runtime,
            streamed_upload: false,
        };
        map_js_error(&e, Phase::Head, &cx)
    })?;
    for (name, value) in headers {
        if name == CONTENT_LENGTH {
            // fetch sets it from the body itself (browsers refuse it).
            continue;
        }
        if name == HOST {
            // fetch sets it from the URL.
            head::check_derived_host(value, url, "fetch")?;
            continue;
        }
        if runtime == Runtime::Browser && name == USER_AGENT && value == DEFAULT_USER_AGENT {
            // The client's default stays out of a browser's requests: it would make every
            // cross-origin request need a CORS preflight in Firefox (which sends the header;
            // Chromium drops it). A User-Agent set by the caller is passed on.
            continue;
        }
        if runtime == Runtime::Browser && is_forbidden(name) {
            return Err(Error::new(ErrorKind::Unsupported)
                .with_message(format!(
                    "browsers do not let a page set the {name} header (the fetch standard forbids it and the browser would drop it silently)"
                ))
                .with_url(url.clone()));
        }
        // A header value is a ByteString in JS: one char per byte.
        let value: String = value.as_bytes().iter().map(|&b| char::from(b)).collect();
        out.append(name.as_str(), &value).map_err(|e| {
            let cx = error::Context {
                url,
                runtime,
                streamed_upload: false,
            };
            map_js_error(&e, Phase::Head, &cx)
                .with_message(format!("cannot send the header {name}"))
        })?;
    }
    Ok(out)
}

/// The client's default `User-Agent` (`ClientBuilder::new`), which browsers are not sent.
const DEFAULT_USER_AGENT: &str = concat!("anyfetch/", env!("CARGO_PKG_VERSION"));

/// The fetch standard's forbidden request-header names, which a browser drops silently.
fn is_forbidden(name: &HeaderName) -> bool {
    const FORBIDDEN: &[&str] = &[
        "accept-charset",
        "accept-encoding",
        "access-control-request-headers",
        "access-control-request-method",
        "connection",
        "cookie",
        "cookie2",
        "date",
        "dnt",
        "expect",
        "keep-alive",
        "origin",
        "referer",
        "set-cookie",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "via",
    ];
    let n = name.as_str();
    FORBIDDEN.contains(&n) || n.starts_with("proxy-") || n.starts_with("sec-")
}

/// The anyfetch response for fetch's: status, headers (every `Set-Cookie`), final URL, body.
fn into_response(
    response: web_sys::Response,
    abort: AbortOnDrop,
    url: Url,
    runtime: Runtime,
    head: bool,
) -> Result<Response> {
    if response.type_() == ResponseType::Opaqueredirect {
        return Err(Error::new(ErrorKind::Unsupported)
            .with_message(
                "the server answered with a redirect, and browsers hide its status and Location from pages when redirects are not followed: enable follow_redirects to let the browser follow it",
            )
            .with_url(url));
    }
    let status = StatusCode::from_u16(response.status()).map_err(|e| {
        Error::new(ErrorKind::Protocol)
            .with_message(format!("fetch returned the status {}", response.status()))
            .with_source(e)
            .with_url(url.clone())
    })?;
    let headers = response_headers(&response.headers()).map_err(|m| {
        Error::new(ErrorKind::Protocol)
            .with_message(m)
            .with_url(url.clone())
    })?;
    let final_url = Url::parse(&response.url()).unwrap_or_else(|_| url.clone());
    let body = match response.body() {
        Some(raw) if !head => {
            Body::from_result_stream(Box::pin(ResponseBody::new(raw, abort, url, runtime)))
        }
        _ => Body::empty(),
    };
    let mut out = Response::new(status, body);
    *out.headers_mut() = headers;
    out.extensions_mut().insert(HostUrl(final_url));
    Ok(out)
}

fn response_headers(headers: &web_sys::Headers) -> std::result::Result<HeaderMap, String> {
    let mut out = HeaderMap::new();
    let bytes = |s: &str| -> Vec<u8> { s.chars().map(|c| c as u32 as u8).collect() };
    let mut add = |name: &str, value: &str| -> std::result::Result<(), String> {
        let n = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| format!("the response has an invalid header name {name:?}"))?;
        let v = HeaderValue::from_bytes(&bytes(value))
            .map_err(|_| format!("the response has an invalid value for {name}"))?;
        out.append(n, v);
        Ok(())
    };
    // Set-Cookie one by one: joined with ", " by `get` and (in older runtimes) by iteration.
    let set_cookies = crate::platform::web::call_method(headers, "getSetCookie", &[]).ok();
    if let Some(list) = set_cookies
        .as_ref()
        .and_then(|l| l.dyn_ref::<js_sys::Array>())
    {
        for v in list.iter() {
            add("set-cookie", &v.as_string().unwrap_or_default())?;
        }
    }
    let entries = js_sys::try_iter(headers)
        .ok()
        .flatten()
        .ok_or("the response headers cannot be iterated")?;
    for entry in entries {
        let entry: js_sys::Array = entry
            .map_err(|_| "reading the response headers failed")?
            .unchecked_into();
        let name = entry.get(0).as_string().unwrap_or_default();
        let value = entry.get(1).as_string().unwrap_or_default();
        if set_cookies.is_some() && name.eq_ignore_ascii_case(SET_COOKIE.as_str()) {
            continue;
        }
        add(&name, &value)?;
    }
    Ok(out)
}
