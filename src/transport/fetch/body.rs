//! Bodies over WHATWG streams: the response's `ReadableStream` read as a Rust `Stream` as it
//! arrives, and a streamed request body handed to fetch as a `ReadableStream` (a pull source of
//! two closures). No bridging crate: `wasm-streams` exports its JavaScript classes from every
//! module that links it, used or not. The [`AbortOnDrop`] guard travels with the exchange, then with the
//! response body, so that dropping either one aborts the fetch.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_core::Stream;
use futures_util::StreamExt;
use js_sys::{Promise, Reflect, Uint8Array};
use url::Url;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::{future_to_promise, JsFuture};
use web_sys::AbortController;

use super::error::{self, map_js_error, Phase};
use crate::body::Body;
use crate::error::{Error, ErrorKind, Result};
use crate::platform::web::{call_method, global, prop, Runtime};

/// Aborts the fetch when dropped, unless [`disarm`](AbortOnDrop::disarm)ed: dropping the
/// request future or the unfinished response body cancels the exchange and its body stream.
pub(super) struct AbortOnDrop(Option<AbortController>);

impl AbortOnDrop {
    pub(super) fn new(controller: AbortController) -> Self {
        AbortOnDrop(Some(controller))
    }

    fn disarm(&mut self) {
        self.0 = None;
    }
}

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        if let Some(c) = self.0.take() {
            c.abort();
        }
    }
}

/// The response body: the `ReadableStream` read with its default reader, one `read()` at a
/// time (backpressure: nothing is asked of the stream before the caller polls again).
pub(super) struct ResponseBody {
    /// The `ReadableStreamDefaultReader`; `None` once the stream ended or failed.
    reader: Option<JsValue>,
    /// The pending `reader.read()`.
    read: Option<JsFuture>,
    abort: AbortOnDrop,
    url: Url,
    runtime: Runtime,
}

impl ResponseBody {
    pub(super) fn new(
        raw: web_sys::ReadableStream,
        abort: AbortOnDrop,
        url: Url,
        runtime: Runtime,
    ) -> Self {
        ResponseBody {
            // A fresh response body is never locked: `getReader` does not throw here (and if
            // it did, the body would read as empty and the abort guard stay armed).
            reader: call_method(&raw, "getReader", &[]).ok(),
            read: None,
            abort,
            url,
            runtime,
        }
    }

    fn js_error(&self, e: &JsValue) -> Error {
        let cx = error::Context {
            url: &self.url,
            runtime: self.runtime,
            streamed_upload: false,
        };
        map_js_error(e, Phase::Body, &cx)
    }
}

impl Stream for ResponseBody {
    type Item = Result<Bytes>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Bytes>>> {
        let this = &mut *self;
        let Some(reader) = &this.reader else {
            return Poll::Ready(None);
        };
        let read = match &mut this.read {
            Some(read) => read,
            None => match call_method(reader, "read", &[]) {
                Ok(p) => this
                    .read
                    .insert(JsFuture::from(Promise::unchecked_from_js(p))),
                Err(e) => {
                    this.reader = None;
                    return Poll::Ready(Some(Err(this.js_error(&e))));
                }
            },
        };
        let result = std::task::ready!(Pin::new(read).poll(cx));
        this.read = None;
        match result {
            Ok(r) if prop(&r, "done").and_then(|d| d.as_bool()) == Some(true) => {
                this.reader = None;
                this.abort.disarm();
                Poll::Ready(None)
            }
            Ok(r) => match prop(&r, "value").map(JsCast::dyn_into::<Uint8Array>) {
                Some(Ok(a)) => Poll::Ready(Some(Ok(Bytes::from(a.to_vec())))),
                _ => {
                    this.reader = None;
                    Poll::Ready(Some(Err(Error::new(crate::ErrorKind::Protocol)
                        .with_message(
                            "the response body stream yielded a chunk that is not a Uint8Array",
                        )
                        .with_url(this.url.clone()))))
                }
            },
            Err(e) => {
                this.reader = None;
                Poll::Ready(Some(Err(this.js_error(&e))))
            }
        }
    }
}

impl Drop for ResponseBody {
    fn drop(&mut self) {
        // An unfinished body: cancel the stream (then the abort guard aborts the fetch).
        if let Some(reader) = self.reader.take() {
            if let Ok(p) = call_method(&reader, "cancel", &[]) {
                // Nobody waits for it: a rejection must not surface as unhandled.
                let ignore = Closure::<dyn FnMut(JsValue)>::new(|_: JsValue| {});
                let _ = call_method(&p, "catch", &[ignore.into_js_value()]);
            }
        }
    }
}

/// Where the upload keeps the error of the Rust body stream, so that the exchange reports it
/// (a `Write` error) rather than the runtime's generic rejection that follows it.
pub(super) type UploadError = Rc<RefCell<Option<Error>>>;

/// A streamed request body as a `ReadableStream` of `Uint8Array`s, pulled chunk by chunk: the
/// runtime calls `pull` when it wants more (never twice at once), and `cancel` when it gives
/// up, which drops the Rust stream.
pub(super) fn upload_stream(
    body: Body,
    failed: UploadError,
) -> std::result::Result<web_sys::ReadableStream, JsValue> {
    let chunks = Rc::new(RefCell::new(Some(body.into_stream())));
    let pulled = chunks.clone();
    let pull = Closure::<dyn FnMut(JsValue) -> Promise>::new(move |controller: JsValue| {
        let chunks = pulled.clone();
        let failed = failed.clone();
        future_to_promise(async move {
            // Out of the cell while awaited (`cancel` may run meanwhile), back in after.
            let Some(mut stream) = chunks.borrow_mut().take() else {
                return Ok(JsValue::UNDEFINED);
            };
            match stream.next().await {
                Some(Ok(bytes)) => {
                    let chunk = Uint8Array::from(&bytes[..]);
                    *chunks.borrow_mut() = Some(stream);
                    call_method(&controller, "enqueue", &[chunk.into()])?;
                }
                Some(Err(e)) => {
                    // Rejecting `pull` errors the stream, and with it the fetch.
                    let js = js_sys::Error::new(&e.display_chain().to_string());
                    *failed.borrow_mut() = Some(e);
                    return Err(js.into());
                }
                None => {
                    call_method(&controller, "close", &[])?;
                }
            }
            Ok(JsValue::UNDEFINED)
        })
    });
    let cancel = Closure::<dyn FnMut(JsValue)>::new(move |_reason: JsValue| {
        drop(chunks.borrow_mut().take());
    });
    let source = js_sys::Object::new();
    Reflect::set(&source, &"pull".into(), &pull.into_js_value())?;
    Reflect::set(&source, &"cancel".into(), &cancel.into_js_value())?;
    web_sys::ReadableStream::new_with_underlying_source(&source)
}

/// Refuses a streamed request body where the runtime's fetch would not send it as a stream.
///
/// A fetch that does not know request streams (Firefox, Safari) does not reject a
/// `ReadableStream` body: it sends its string form, the 23 bytes `[object ReadableStream]`,
/// with `Content-Type: text/plain`, and the server answers as if that were the body. So this
/// asks first, once per thread, with the feature test of the fetch standard's authors: a
/// `Request` built with a stream body reads `duplex` and sets no `Content-Type` only where
/// streams are sent. Chromium passes it (and then fails the fetch over HTTP/1.1, which
/// `error.rs` maps); so do Node and Deno. If the test itself cannot run, nothing is refused.
///
/// # Errors
/// [`ErrorKind::Unsupported`] where the runtime would send the stream's string form.
pub(super) fn refuse_unsent_stream(url: &Url) -> Result<()> {
    thread_local!(static SENDS_STREAMS: Cell<Option<bool>> = const { Cell::new(None) });
    let sends = SENDS_STREAMS.with(|cell| {
        *cell
            .get()
            .get_or_insert_with(|| sends_streams(url).unwrap_or(true))
    });
    if sends {
        return Ok(());
    }
    Err(Error::new(ErrorKind::Unsupported)
        .with_message(
            "this browser's fetch cannot send a streamed request body (Firefox and Safari do not implement request streams: the text \"[object ReadableStream]\" would be sent instead): send the body as bytes",
        )
        .with_url(url.clone()))
}

/// `new Request(url, { method: "POST", body: new ReadableStream(), get duplex() })`: whether
/// `duplex` was read and no `Content-Type` was set. `None` if the test throws.
fn sends_streams(url: &Url) -> Option<bool> {
    let read_duplex = Rc::new(Cell::new(false));
    let flag = read_duplex.clone();
    let getter = Closure::<dyn FnMut() -> JsValue>::new(move || {
        flag.set(true);
        JsValue::from_str("half")
    });
    let init = js_sys::Object::new();
    Reflect::set(&init, &"method".into(), &"POST".into()).ok()?;
    let stream: JsValue = web_sys::ReadableStream::new().ok()?.into();
    Reflect::set(&init, &"body".into(), &stream).ok()?;
    let descriptor = js_sys::Object::new();
    Reflect::set(&descriptor, &"get".into(), getter.as_ref()).ok()?;
    js_sys::Object::define_property(&init, &"duplex".into(), &descriptor);
    let ctor: js_sys::Function = prop(&global(), "Request")?.dyn_into().ok()?;
    let args = js_sys::Array::of2(&JsValue::from_str(url.as_str()), &init);
    let request = Reflect::construct(&ctor, &args).ok()?;
    let has_type = call_method(&prop(&request, "headers")?, "has", &["Content-Type".into()])
        .ok()?
        .as_bool()?;
    drop(getter);
    Some(read_duplex.get() && !has_type)
}
