//! The `signal` option: an `AbortSignal` that cancels a request, and any read of its body.
//!
//! Aborting rejects with the signal's `reason`, as `fetch` does (a `DOMException` named
//! `AbortError` unless the caller gave another reason): the request future, its retries and
//! backoff waits, and the body reads in flight are all raced against the signal, and dropping
//! the losing future aborts the underlying `fetch` (the fetch backend aborts on drop).

use std::future::Future;

use futures_util::future::{select, Either};
use futures_util::{Stream, StreamExt};
use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::error::{Error, Result};

/// An `AbortSignal` given by the caller.
#[derive(Clone, Debug)]
pub(super) struct Signal(JsValue);

impl Signal {
    /// Reads the `signal` option: an object with `aborted` and `addEventListener`.
    pub(super) fn from_option(v: &JsValue) -> Result<Signal> {
        let ok = Reflect::get(v, &"aborted".into()).is_ok_and(|a| a.as_bool().is_some())
            && Reflect::get(v, &"addEventListener".into()).is_ok_and(|f| f.is_function());
        if ok {
            Ok(Signal(v.clone()))
        } else {
            Err(Error::builder("option `signal` must be an AbortSignal"))
        }
    }

    /// The reason to reject with, if the signal has been aborted.
    pub(super) fn aborted(&self) -> Option<JsValue> {
        let aborted = Reflect::get(&self.0, &"aborted".into())
            .ok()
            .and_then(|a| a.as_bool())
            .unwrap_or(false);
        aborted.then(|| self.reason())
    }

    fn reason(&self) -> JsValue {
        match Reflect::get(&self.0, &"reason".into()) {
            Ok(r) if !r.is_undefined() => r,
            // Runtimes older than `reason`: an error named as fetch would name it.
            _ => {
                let e = js_sys::Error::new("This operation was aborted");
                e.set_name("AbortError");
                e.into()
            }
        }
    }

    /// Resolves with the reason once the signal aborts (at once if it already has).
    fn wait(&self) -> impl Future<Output = JsValue> + 'static {
        let this = self.clone();
        let promise = Promise::new(&mut |resolve: Function, _reject| {
            if this.aborted().is_some() {
                let _ = resolve.call0(&JsValue::UNDEFINED);
                return;
            }
            let on_abort = Closure::once_into_js(move || {
                let _ = resolve.call0(&JsValue::UNDEFINED);
            });
            let options = js_sys::Object::new();
            let _ = Reflect::set(&options, &"once".into(), &JsValue::TRUE);
            if let Ok(add) = Reflect::get(&this.0, &"addEventListener".into()) {
                if let Some(add) = add.dyn_ref::<Function>() {
                    let _ = add.call3(&this.0, &"abort".into(), &on_abort, &options);
                }
            }
        });
        let this = self.clone();
        async move {
            let _ = JsFuture::from(promise).await;
            this.reason()
        }
    }

    /// Runs `fut` unless the signal aborts first: then `fut` is dropped and the reason returned.
    pub(super) async fn race<T>(
        signal: Option<&Signal>,
        fut: impl Future<Output = std::result::Result<T, JsValue>>,
    ) -> std::result::Result<T, JsValue> {
        let Some(signal) = signal else {
            return fut.await;
        };
        if let Some(reason) = signal.aborted() {
            return Err(reason);
        }
        let fut = std::pin::pin!(fut);
        let abort = std::pin::pin!(signal.wait());
        match select(fut, abort).await {
            Either::Left((out, _)) => out,
            Either::Right((reason, _)) => Err(reason),
        }
    }

    /// `stream`, ending with the reason as its last item if the signal aborts first.
    pub(super) fn guard<S>(
        signal: Option<Signal>,
        stream: S,
    ) -> impl Stream<Item = std::result::Result<JsValue, JsValue>>
    where
        S: Stream<Item = std::result::Result<JsValue, JsValue>> + 'static,
    {
        futures_util::stream::unfold(Some(Box::pin(stream)), move |stream| {
            let signal = signal.clone();
            async move {
                let mut stream = stream?;
                let next = Signal::race(signal.as_ref(), async {
                    Ok::<_, JsValue>(stream.next().await)
                })
                .await;
                match next {
                    Ok(Some(item)) => Some((item, Some(stream))),
                    Ok(None) => None,
                    // Aborted: the reason, then the end (the stream is dropped).
                    Err(reason) => Some((Err(reason), None)),
                }
            }
        })
    }
}
