//! The JavaScript host (browsers, web workers, Node, Deno, Bun, Cloudflare's workerd), reached
//! through the global object only (`globalThis`), never through `window`: its globals, which
//! runtime this is, its randomness and URL parser, and time (`setTimeout` for sleeps,
//! `performance.now()` through `web-time` for instants, `Date.now()` for the wall clock; `std`'s
//! clocks panic on this target).

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

pub(crate) use web_time::Instant;

/// The wall clock, from `Date.now()`.
pub(crate) fn system_now() -> std::time::SystemTime {
    std::time::UNIX_EPOCH + Duration::from_secs_f64(js_sys::Date::now().max(0.0) / 1000.0)
}

/// Sleeps with `globalThis.setTimeout`; dropping the future clears the timer, so abandoned
/// timeouts do not keep Node's event loop alive.
pub(crate) fn sleep(d: Duration) -> super::Sleep {
    // setTimeout takes a signed 32-bit number of milliseconds.
    let ms = (d.as_secs_f64() * 1000.0).ceil().min(f64::from(i32::MAX));
    let mut handle = None;
    let promise = Promise::new(&mut |resolve, _reject| {
        handle = call_global("setTimeout", &[resolve.into(), JsValue::from_f64(ms)]).ok();
    });
    Box::pin(Timer {
        fired: JsFuture::from(promise),
        handle,
    })
}

struct Timer {
    fired: JsFuture,
    handle: Option<JsValue>,
}

impl Future for Timer {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        match Pin::new(&mut self.fired).poll(cx) {
            Poll::Ready(_) => {
                self.handle = None;
                Poll::Ready(())
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        if let Some(handle) = self.handle.take() {
            let _ = call_global("clearTimeout", &[handle]);
        }
    }
}

/// A property of `target`, `None` when it is `undefined` or `null` (or the lookup throws).
pub(crate) fn prop(target: &JsValue, key: &str) -> Option<JsValue> {
    Reflect::get(target, &JsValue::from_str(key))
        .ok()
        .filter(|v| !v.is_undefined() && !v.is_null())
}

/// `globalThis`.
pub(crate) fn global() -> JsValue {
    js_sys::global().into()
}

/// Calls the global function `name` with `this` = `globalThis`.
pub(crate) fn call_global(name: &str, args: &[JsValue]) -> Result<JsValue, JsValue> {
    let global = global();
    let f: Function = prop(&global, name)
        .and_then(|f| f.dyn_into().ok())
        .ok_or_else(|| {
            JsValue::from(js_sys::TypeError::new(&format!(
                "globalThis.{name} is not a function"
            )))
        })?;
    f.apply(&global, &args.iter().collect())
}

/// Calls the method `name` of `target`.
pub(crate) fn call_method(
    target: &JsValue,
    name: &str,
    args: &[JsValue],
) -> Result<JsValue, JsValue> {
    let f: Function = prop(target, name)
        .and_then(|f| f.dyn_into().ok())
        .ok_or_else(|| {
            JsValue::from(js_sys::TypeError::new(&format!("{name} is not a function")))
        })?;
    f.apply(target, &args.iter().collect())
}

/// Which kind of JavaScript runtime runs the module, detected once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Runtime {
    /// A browser window or worker: fetch follows the web platform's rules (CORS, forbidden
    /// headers, hidden `Set-Cookie`, opaque manual redirects, a cookie store of its own).
    Browser,
    /// Node, Deno, Bun or Cloudflare's workerd: a server-side fetch that shows `Set-Cookie`
    /// (`headers.getSetCookie()`) and real 3xx answers (`redirect: "manual"`), with no HTTP
    /// cache and no cookie store of its own.
    Server,
}

impl Runtime {
    pub(crate) fn detect() -> Runtime {
        thread_local!(static RUNTIME: Cell<Option<Runtime>> = const { Cell::new(None) });
        RUNTIME.with(|cell| {
            *cell.get().get_or_insert_with(|| {
                let g = global();
                let node = prop(&g, "process")
                    .and_then(|p| prop(&p, "versions"))
                    .and_then(|v| prop(&v, "node"))
                    .is_some();
                // Workers have no `process` (unless nodejs_compat) and no `Deno`, but say who
                // they are in `navigator.userAgent`.
                let workerd = prop(&g, "navigator")
                    .and_then(|n| prop(&n, "userAgent"))
                    .and_then(|ua| ua.as_string())
                    .is_some_and(|ua| ua == "Cloudflare-Workers");
                if node || workerd || prop(&g, "Deno").is_some() {
                    Runtime::Server
                } else {
                    Runtime::Browser
                }
            })
        })
    }
}

/// Seeds `fastrand`'s thread-local generator once from the host's randomness (digest cnonces,
/// multipart boundaries): on this target it would otherwise start from a fixed seed.
pub(crate) fn seed_fastrand() {
    thread_local!(static SEEDED: Cell<bool> = const { Cell::new(false) });
    if SEEDED.with(|s| s.replace(true)) {
        return;
    }
    let bytes = js_sys::Uint8Array::new_with_length(8);
    let from_crypto = prop(&global(), "crypto")
        .map(|c| call_method(&c, "getRandomValues", &[bytes.clone().into()]).is_ok())
        .unwrap_or(false);
    let seed = if from_crypto {
        let mut b = [0u8; 8];
        bytes.copy_to(&mut b);
        u64::from_le_bytes(b)
    } else {
        let hi = (js_sys::Math::random() * 4_294_967_296.0) as u64;
        let lo = (js_sys::Math::random() * 4_294_967_296.0) as u64;
        (hi << 32) | lo
    };
    fastrand::seed(seed);
}

/// `new URL(s).href`: the host's WHATWG parse of an absolute URL, whose host is mapped to
/// ASCII (IDNA) by the runtime itself. `None` when `URL` is missing or throws.
pub(crate) fn host_url_href(s: &str) -> Option<String> {
    let ctor: Function = prop(&global(), "URL")?.dyn_into().ok()?;
    let url = Reflect::construct(&ctor, &js_sys::Array::of1(&JsValue::from_str(s))).ok()?;
    prop(&url, "href")?.as_string()
}
