//! Every JavaScript hook (ky's four) runs here, and nowhere else:
//!
//! - `beforeRetry` and `beforeRequest` per hop, as a [`Layer`] over the fetch transport. A
//!   layer, not the client's `on_request` hooks: a JavaScript hook may return a promise and
//!   change the request after awaiting, and only a transport owns the request across an await.
//!   The layer sits below the client's policies, so a hook sees each hop as it is sent (absolute
//!   URL, default headers, cookies and auth applied), redirects and retries included. A hook
//!   gets a view `{ method, url, headers }` (`headers` a `Headers`); the headers it leaves
//!   there are the ones sent.
//! - `afterResponse`, then `throwHttpErrors`, and on an error `beforeError`, once per call, in
//!   [`finish`]: these see the package's own classes (`Response`, `HTTPError`), which
//!   `js/src/api.js` hands over with each call ([`Classes`]).
//!
//! What a hook throws (or rejects with) reaches the caller unchanged: a per-hop hook's is
//! parked here and [`take_thrown`] hands it to [`super::error::to_js`].

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use http::{HeaderMap, HeaderName, HeaderValue};
use js_sys::{Array, Function, Object, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::error::{Error, ErrorKind, Result};
use crate::layer::{Layer, RetryAttempt};
use crate::platform::BoxFuture;
use crate::request::Request;
use crate::response::Response;
use crate::transport::{Capabilities, Transport};

/// The `hooks` option: each kind's functions, in order.
#[derive(Debug, Default)]
pub(super) struct Hooks {
    pub(super) before_request: Vec<Function>,
    pub(super) before_retry: Vec<Function>,
    pub(super) after_response: Vec<Function>,
    pub(super) before_error: Vec<Function>,
}

impl Hooks {
    /// Whether any hook runs per hop (then the client gets the [`JsHooksLayer`]).
    pub(super) fn any_per_hop(&self) -> bool {
        !self.before_request.is_empty() || !self.before_retry.is_empty()
    }
}

/// The package's classes, handed over by `js/src/api.js` with each call: an object with
/// `response(raw)` (a `RawResponse` as a `Response`), `error(e)` (an error as the caller gets
/// it: anyfetch's as an `HTTPError` subclass, anything else unchanged), `isResponse(v)` and
/// `isHTTPError(v)`.
pub(super) struct Classes(pub(super) JsValue);

impl Classes {
    fn call(&self, name: &str, arg: &JsValue) -> std::result::Result<JsValue, JsValue> {
        let f: Function = Reflect::get(&self.0, &name.into())?.dyn_into()?;
        f.call1(&self.0, arg)
    }

    fn is(&self, name: &str, arg: &JsValue) -> bool {
        self.call(name, arg).is_ok_and(|v| v.is_truthy())
    }
}

/// Awaits `value` if it is a promise (or any value: `Promise.resolve`).
async fn settle(value: JsValue) -> std::result::Result<JsValue, JsValue> {
    JsFuture::from(Promise::resolve(&value)).await
}

/// The end of a call: the `afterResponse` hooks (`hook(request, options, response)`; one that
/// returns a `Response` replaces it), then `throwHttpErrors` (`response.raiseForStatus()` on a
/// 4xx or 5xx), and on any error the `beforeError` hooks (for an `HTTPError`: `hook(error)`;
/// what one returns replaces it). Resolves to the `Response`, or rejects with the error.
pub(super) async fn finish(
    sent: std::result::Result<JsValue, JsValue>,
    hooks: &Hooks,
    throw_http_errors: bool,
    request: &JsValue,
    options: &JsValue,
    classes: &Classes,
) -> std::result::Result<JsValue, JsValue> {
    let outcome = async {
        let mut response = classes.call("response", &sent?)?;
        for hook in &hooks.after_response {
            let out = settle(hook.call3(&JsValue::UNDEFINED, request, options, &response)?).await?;
            if classes.is("isResponse", &out) {
                response = out;
            }
        }
        if throw_http_errors && Reflect::get(&response, &"isError".into())?.is_truthy() {
            let raise: Function = Reflect::get(&response, &"raiseForStatus".into())?.dyn_into()?;
            raise.call0(&response)?;
        }
        Ok(response)
    }
    .await;
    let thrown = match outcome {
        Ok(response) => return Ok(response),
        Err(thrown) => thrown,
    };
    let mut error = classes.call("error", &thrown)?;
    if classes.is("isHTTPError", &error) {
        for hook in &hooks.before_error {
            let out = settle(hook.call1(&JsValue::UNDEFINED, &error)?).await?;
            if !out.is_undefined() && !out.is_null() {
                error = out;
            }
        }
    }
    Err(error)
}

/// Put on each request by the JavaScript `send`: the last retry its `beforeRetry` hooks ran
/// for, shared by the hops of one call (extensions are cloned from hop to hop).
#[derive(Clone, Debug, Default)]
pub(super) struct RetrySeen(Arc<AtomicU32>);

/// Wraps the transport in [`JsHooks`].
#[derive(Clone, Debug)]
pub(super) struct JsHooksLayer(pub(super) Rc<Hooks>);

/// The transport that runs the hooks, then sends.
#[derive(Debug)]
pub(super) struct JsHooks<T> {
    inner: Rc<T>,
    hooks: Rc<Hooks>,
}

impl<T: Transport> Layer<T> for JsHooksLayer {
    type Transport = JsHooks<T>;
    fn layer(&self, inner: T) -> JsHooks<T> {
        JsHooks {
            inner: Rc::new(inner),
            hooks: self.0.clone(),
        }
    }
}

impl<T: Transport> Transport for JsHooks<T> {
    fn send(&self, mut request: Request) -> BoxFuture<'static, Result<Response>> {
        let inner = self.inner.clone();
        let hooks = self.hooks.clone();
        Box::pin(async move {
            let retry = request
                .extensions()
                .get::<RetryAttempt>()
                .map_or(0, |a| a.0);
            // Once per retry, not once per redirect hop of it.
            let first_hop_of_retry = retry > 0
                && request
                    .extensions()
                    .get::<RetrySeen>()
                    .is_none_or(|seen| seen.0.fetch_max(retry, Ordering::Relaxed) < retry);
            if first_hop_of_retry && !hooks.before_retry.is_empty() {
                let view = view(&request)?;
                let arg = Object::new();
                let _ = Reflect::set(&arg, &"request".into(), &view);
                let _ = Reflect::set(&arg, &"retryCount".into(), &JsValue::from(retry));
                for hook in &hooks.before_retry {
                    call(hook, &arg, "beforeRetry").await?;
                }
                apply(&view, &mut request)?;
            }
            if !hooks.before_request.is_empty() {
                let view = view(&request)?;
                for hook in &hooks.before_request {
                    call(hook, &view, "beforeRequest").await?;
                }
                apply(&view, &mut request)?;
            }
            inner.send(request).await
        })
    }

    fn capabilities(&self) -> Capabilities {
        self.inner.capabilities()
    }
}

/// Calls `hook(arg)` and awaits what it returns (a promise or not).
async fn call(hook: &Function, arg: &JsValue, name: &str) -> Result<()> {
    let out = hook
        .call1(&JsValue::UNDEFINED, arg)
        .map_err(|e| thrown(e, name))?;
    JsFuture::from(Promise::resolve(&out))
        .await
        .map_err(|e| thrown(e, name))?;
    Ok(())
}

/// `{ method, url, headers }` for a hook.
fn view(request: &Request) -> Result<JsValue> {
    let headers = web_sys::Headers::new().map_err(|e| thrown(e, "Headers"))?;
    for (name, value) in request.headers() {
        // A header value is a ByteString in JS: one char per byte.
        let value: String = value.as_bytes().iter().map(|&b| char::from(b)).collect();
        headers
            .append(name.as_str(), &value)
            .map_err(|e| thrown(e, "Headers"))?;
    }
    let v = Object::new();
    let _ = Reflect::set(&v, &"method".into(), &request.method().as_str().into());
    let _ = Reflect::set(&v, &"url".into(), &request.url().as_str().into());
    let _ = Reflect::set(&v, &"headers".into(), &headers);
    Ok(v.into())
}

/// The headers a hook left in the view become the request's.
fn apply(view: &JsValue, request: &mut Request) -> Result<()> {
    let bad = || Error::builder("a hook left `request.headers` that is not a Headers object");
    let headers = Reflect::get(view, &"headers".into()).map_err(|_| bad())?;
    let entries = js_sys::try_iter(&headers).ok().flatten().ok_or_else(bad)?;
    let mut out = HeaderMap::new();
    for entry in entries {
        let entry: Array = entry.map_err(|_| bad())?.dyn_into().map_err(|_| bad())?;
        let (name, value) = (
            entry.get(0).as_string().unwrap_or_default(),
            entry.get(1).as_string().unwrap_or_default(),
        );
        let invalid = || Error::builder(format!("a hook set an invalid header {name:?}"));
        let bytes: Option<Vec<u8>> = value.chars().map(|c| u8::try_from(c).ok()).collect();
        let n = HeaderName::from_bytes(name.as_bytes()).map_err(|_| invalid())?;
        let v = bytes
            .and_then(|b| HeaderValue::from_bytes(&b).ok())
            .ok_or_else(invalid)?;
        out.append(n, v);
    }
    *request.headers_mut() = out;
    Ok(())
}

thread_local! {
    /// What hooks threw, until the error reaches JavaScript (the newest last).
    static THROWN: RefCell<Vec<(u32, JsValue)>> = const { RefCell::new(Vec::new()) };
    static NEXT: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// The source of an error thrown by a hook: the key of the parked JS value.
#[derive(Debug)]
struct HookThrew(u32);

impl std::fmt::Display for HookThrew {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the hook threw")
    }
}

impl std::error::Error for HookThrew {}

/// An error carrying `value`, a JS value a hook threw, parked until [`take_thrown`].
pub(super) fn thrown(value: JsValue, hook: &str) -> Error {
    let key = NEXT.with(|n| {
        let k = n.get();
        n.set(k.wrapping_add(1));
        k
    });
    THROWN.with(|t| {
        let mut t = t.borrow_mut();
        // Errors dropped on the way (a retried attempt) must not pile up.
        if t.len() >= 64 {
            t.remove(0);
        }
        t.push((key, value));
    });
    Error::new(ErrorKind::Builder)
        .with_message(format!("the {hook} hook threw"))
        .with_source(HookThrew(key))
}

/// The JS value a hook threw, if `e` carries one.
pub(super) fn take_thrown(e: &Error) -> Option<JsValue> {
    let key = std::error::Error::source(e)?.downcast_ref::<HookThrew>()?.0;
    THROWN.with(|t| {
        let mut t = t.borrow_mut();
        let at = t.iter().position(|(k, _)| *k == key)?;
        Some(t.remove(at).1)
    })
}
