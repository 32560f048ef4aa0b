//! Time in browsers, web workers and Node: `setTimeout` for sleeps, `performance.now()` (through
//! `web-time`) for instants, `Date.now()` for the wall clock. `std`'s clocks panic on this
//! target.

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

/// Calls the global timer function `name` (through `globalThis`, never `window`).
fn call_global(name: &str, args: &[JsValue]) -> Option<JsValue> {
    let global: JsValue = js_sys::global().into();
    let f: Function = Reflect::get(&global, &JsValue::from_str(name))
        .ok()?
        .dyn_into()
        .ok()?;
    f.apply(&global, &args.iter().collect()).ok()
}

/// Sleeps with `globalThis.setTimeout`; dropping the future clears the timer, so abandoned
/// timeouts do not keep Node's event loop alive.
pub(crate) fn sleep(d: Duration) -> super::Sleep {
    // setTimeout takes a signed 32-bit number of milliseconds.
    let ms = (d.as_secs_f64() * 1000.0).ceil().min(f64::from(i32::MAX));
    let mut handle = None;
    let promise = Promise::new(&mut |resolve, _reject| {
        handle = call_global("setTimeout", &[resolve.into(), JsValue::from_f64(ms)]);
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
