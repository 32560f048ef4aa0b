//! `RawResponse`: the Rust [`Response`] behind the JavaScript `Response`.
//!
//! The head (status, URL, headers, timing) is copied out when the response arrives, so the
//! getters never wait. The body stays in Rust: `bytes`, `text` and `json` read it whole (and keep
//! it, so they can be called again); `stream`, `lines` and `events` hand it over as a `ReadableStream`
//! that the JavaScript layer iterates with `for await`.

use std::cell::RefCell;
use std::rc::Rc;

use futures_util::StreamExt;
use js_sys::{Array, Function, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::future_to_promise;

use super::error::to_js;
use super::signal::Signal;
use crate::error::{Error, ErrorKind};
use crate::response::Response;

/// A response, as the JavaScript layer sees it (not exported to users as is).
#[wasm_bindgen(js_name = RawResponse)]
pub struct JsResponse {
    status: u16,
    url: String,
    headers: Vec<(String, String)>,
    elapsed_ms: f64,
    is_success: bool,
    is_redirect: bool,
    is_error: bool,
    /// `None` while a whole-body read is in flight.
    body: Rc<RefCell<Option<Response>>>,
    /// The request's `signal`: aborting rejects the body reads.
    signal: Option<Signal>,
    /// The redirect responses before this one, oldest first, until `takeHistory` takes them.
    history: RefCell<Vec<JsResponse>>,
    /// What `events()` has read so far: the last event ID and the reconnection time, which a
    /// block without data sets too (no event carries them then).
    sse: Rc<RefCell<SseState>>,
}

#[derive(Default)]
struct SseState {
    last_event_id: String,
    retry: Option<std::time::Duration>,
}

impl std::fmt::Debug for JsResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URL may hold a password and the headers Set-Cookie (Node): left out.
        f.debug_struct("JsResponse")
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

impl JsResponse {
    pub(super) fn new(
        mut r: Response,
        signal: Option<Signal>,
        on_download_progress: Option<Function>,
    ) -> JsResponse {
        if let Some(f) = on_download_progress {
            with_download_progress(&mut r, f);
        }
        let history = r
            .take_history()
            .into_iter()
            .map(|hop| JsResponse::new(hop, None, None))
            .collect();
        JsResponse {
            history: RefCell::new(history),
            sse: Rc::default(),
            signal,
            status: r.status().as_u16(),
            url: r.url().to_string(),
            headers: r
                .headers()
                .iter()
                .map(|(k, v)| {
                    (
                        k.as_str().to_owned(),
                        String::from_utf8_lossy(v.as_bytes()).into_owned(),
                    )
                })
                .collect(),
            elapsed_ms: r.elapsed().as_secs_f64() * 1000.0,
            is_success: r.is_success(),
            is_redirect: r.is_redirect(),
            is_error: r.is_error(),
            body: Rc::new(RefCell::new(Some(r))),
        }
    }

    /// Runs `read` on the response, taken out of its cell for the duration (a `RefCell` borrow
    /// must not be held across an `.await`).
    fn read<F, Fut>(&self, read: F) -> Promise
    where
        F: FnOnce(Response) -> Fut + 'static,
        Fut: std::future::Future<Output = (Response, Result<JsValue, JsValue>)> + 'static,
    {
        let cell = self.body.clone();
        let url = self.url.clone();
        let signal = self.signal.clone();
        future_to_promise(async move {
            if let Some(reason) = signal.as_ref().and_then(Signal::aborted) {
                return Err(reason);
            }
            let taken = cell.borrow_mut().take();
            let resp = taken.ok_or_else(|| busy(&url))?;
            // Aborted mid-read: the response is dropped (which aborts the fetch), not put back.
            let read = async move {
                let (resp, result) = read(resp).await;
                *cell.borrow_mut() = Some(resp);
                result
            };
            Signal::race(signal.as_ref(), read).await
        })
    }

    fn take_stream<T>(&self, take: impl FnOnce(&mut Response) -> T) -> Result<T, JsValue> {
        let mut cell = self.body.borrow_mut();
        let resp = cell.as_mut().ok_or_else(|| busy(&self.url))?;
        Ok(take(resp))
    }
}

impl JsResponse {
    /// A `ReadableStream` of `items`, ended by the abort reason if the signal aborts first.
    fn readable<S>(&self, items: S) -> JsValue
    where
        S: futures_util::Stream<Item = Result<JsValue, JsValue>> + 'static,
    {
        // Boxed: one copy of the guard and of the stream glue for every kind of item.
        let items: std::pin::Pin<Box<dyn futures_util::Stream<Item = Result<JsValue, JsValue>>>> =
            Box::pin(items);
        let items = Signal::guard(self.signal.clone(), items);
        wasm_streams::ReadableStream::from_stream(items)
            .into_raw()
            .into()
    }
}

/// Calls an `onDownloadProgress`/`onUploadProgress` callback with `{ transferred, total,
/// percent }` (and the chunk, for downloads); what it throws is the error of the read.
pub(super) fn progress(
    f: &Function,
    transferred: u64,
    total: u64,
    chunk: Option<&[u8]>,
) -> Result<(), JsValue> {
    let p = Object::new();
    let percent = if total == 0 {
        0.0
    } else {
        (transferred as f64 / total as f64).min(1.0)
    };
    let _ = Reflect::set(&p, &"transferred".into(), &(transferred as f64).into());
    let _ = Reflect::set(&p, &"total".into(), &(total as f64).into());
    let _ = Reflect::set(&p, &"percent".into(), &percent.into());
    let chunk = Uint8Array::from(chunk.unwrap_or_default());
    f.call2(&JsValue::UNDEFINED, &p, &chunk)?;
    Ok(())
}

/// Counts the body's bytes as they are read, calling `f` when reading starts, after each
/// chunk, and at the end (`percent` 1, `total` at least `transferred`). `total` is the
/// `Content-Length` of a body with no `Content-Encoding`, else 0 (unknown: the runtime
/// decodes the body, and the length counts the encoded bytes).
fn with_download_progress(r: &mut Response, f: Function) {
    use http::header::{CONTENT_ENCODING, CONTENT_LENGTH};
    let Some(body) = r.take_body() else { return };
    let encoded = r
        .headers()
        .get(CONTENT_ENCODING)
        .is_some_and(|v| !v.as_bytes().eq_ignore_ascii_case(b"identity"));
    let total = (!encoded)
        .then(|| r.headers().get(CONTENT_LENGTH)?.to_str().ok()?.parse().ok())
        .flatten()
        .unwrap_or(0u64);
    let url = r.url().clone();
    let fail =
        move |e: JsValue| super::hooks::thrown(e, "onDownloadProgress").with_url(url.clone());
    enum State {
        Start,
        Reading,
        Done,
    }
    let stream = futures_util::stream::unfold(
        (body.into_stream(), 0u64, State::Start),
        move |(mut body, mut seen, state)| {
            let f = f.clone();
            let fail = fail.clone();
            async move {
                if let State::Start = state {
                    if let Err(e) = progress(&f, 0, total, None) {
                        return Some((Err(fail(e)), (body, seen, State::Done)));
                    }
                } else if let State::Done = state {
                    return None;
                }
                match body.next().await {
                    Some(Ok(chunk)) => {
                        seen += chunk.len() as u64;
                        let out = match progress(&f, seen, total, Some(&chunk)) {
                            Ok(()) => Ok(chunk),
                            Err(e) => Err(fail(e)),
                        };
                        Some((out, (body, seen, State::Reading)))
                    }
                    Some(Err(e)) => Some((Err(e), (body, seen, State::Done))),
                    None => {
                        let total = total.max(seen);
                        let p = Object::new();
                        let _ = Reflect::set(&p, &"transferred".into(), &(seen as f64).into());
                        let _ = Reflect::set(&p, &"total".into(), &(total as f64).into());
                        let _ = Reflect::set(&p, &"percent".into(), &1.0.into());
                        match f.call2(&JsValue::UNDEFINED, &p, &Uint8Array::new_with_length(0)) {
                            Ok(_) => None,
                            Err(e) => Some((Err(fail(e)), (body, seen, State::Done))),
                        }
                    }
                }
            }
        },
    );
    r.set_body(crate::body::Body::from_result_stream(Box::pin(stream)));
}

fn busy(url: &str) -> JsValue {
    let mut e = Error::new(ErrorKind::Builder)
        .with_message("the body is being read by another call; await it first");
    if let Ok(u) = url::Url::parse(url) {
        e = e.with_url(u);
    }
    to_js(&e)
}

/// `{ event, data, id, retry }`, `retry` in milliseconds or `null`.
fn event_to_js(e: &crate::Event) -> JsValue {
    let o = js_sys::Object::new();
    let retry = e
        .retry
        .map_or(JsValue::NULL, |d| JsValue::from(d.as_millis() as f64));
    for (k, v) in [
        ("event", JsValue::from(&e.event)),
        ("data", JsValue::from(&e.data)),
        ("id", JsValue::from(&e.id)),
        ("retry", retry),
    ] {
        // Setting a plain property on a fresh object cannot fail.
        let _ = js_sys::Reflect::set(&o, &k.into(), &v);
    }
    o.into()
}

#[wasm_bindgen(js_class = RawResponse)]
impl JsResponse {
    /// The status code.
    #[wasm_bindgen(getter)]
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The final URL, after any redirects.
    #[wasm_bindgen(getter)]
    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// The headers as `[name, value]` pairs, names lower-case, repeated names repeated.
    #[wasm_bindgen(js_name = headerPairs)]
    pub fn header_pairs(&self) -> Array {
        self.headers
            .iter()
            .map(|(k, v)| Array::of2(&k.into(), &v.into()))
            .collect()
    }

    /// The redirect responses before this one, oldest first, bodies empty; taken by the first
    /// call (the JavaScript `Response` keeps them).
    #[wasm_bindgen(js_name = takeHistory)]
    pub fn take_history(&self) -> Vec<JsResponse> {
        self.history.take()
    }

    /// Milliseconds from sending the request to receiving the response head.
    #[wasm_bindgen(getter)]
    pub fn elapsed(&self) -> f64 {
        self.elapsed_ms
    }

    /// 2xx.
    #[wasm_bindgen(getter, js_name = isSuccess)]
    pub fn is_success(&self) -> bool {
        self.is_success
    }

    /// A 3xx with a `Location`.
    #[wasm_bindgen(getter, js_name = isRedirect)]
    pub fn is_redirect(&self) -> bool {
        self.is_redirect
    }

    /// 4xx or 5xx.
    #[wasm_bindgen(getter, js_name = isError)]
    pub fn is_error(&self) -> bool {
        self.is_error
    }

    /// Throws the `status` error object on a 4xx or 5xx, as `Response::error_for_status`.
    #[wasm_bindgen(js_name = raiseForStatus)]
    pub fn raise_for_status(&self) -> Result<(), JsValue> {
        if !self.is_error {
            return Ok(());
        }
        let status = http::StatusCode::from_u16(self.status).map_err(|_| JsValue::NULL)?;
        let mut e = Error::new(ErrorKind::Status(status));
        if let Ok(u) = url::Url::parse(&self.url) {
            e = e.with_url(u);
        }
        Err(to_js(&e))
    }

    /// The whole body, as a `Uint8Array`.
    pub fn bytes(&self) -> Promise {
        self.read(|mut r| async move {
            let result = r
                .bytes()
                .await
                .map(|b| Uint8Array::from(&b[..]).into())
                .map_err(|e| to_js(&e));
            (r, result)
        })
    }

    /// The whole body as text, decoded by the `charset` of `Content-Type` (UTF-8 by default).
    pub fn text(&self) -> Promise {
        self.read(|mut r| async move {
            let result = r.text().await.map(JsValue::from).map_err(|e| to_js(&e));
            (r, result)
        })
    }

    /// The whole body parsed as JSON (with `JSON.parse`).
    pub fn json(&self) -> Promise {
        self.read(|mut r| async move {
            let result = match r.text().await {
                Ok(t) => js_sys::JSON::parse(&t).map_err(|e| {
                    let message = js_sys::Reflect::get(&e, &"message".into())
                        .ok()
                        .and_then(|m| m.as_string())
                        .unwrap_or_default();
                    to_js(
                        &Error::new(ErrorKind::Decode)
                            .with_message(format!("response body is not valid JSON: {message}"))
                            .with_url(r.url().clone()),
                    )
                }),
                Err(e) => Err(to_js(&e)),
            };
            (r, result)
        })
    }

    /// The body as a `ReadableStream` of `Uint8Array` chunks, as they arrive. Takes the body.
    pub fn stream(&self) -> Result<JsValue, JsValue> {
        let chunks = self.take_stream(Response::bytes_stream)?;
        let chunks = chunks.map(|r| {
            r.map(|b| Uint8Array::from(&b[..]).into())
                .map_err(|e| to_js(&e))
        });
        Ok(self.readable(chunks))
    }

    /// The body as a `ReadableStream` of lines of text, without their line endings. Takes the
    /// body.
    pub fn lines(&self) -> Result<JsValue, JsValue> {
        let lines = self.take_stream(|r| r.lines())?;
        let lines = lines.map(|r| r.map(JsValue::from).map_err(|e| to_js(&e)));
        Ok(self.readable(lines))
    }

    /// The body as a `ReadableStream` of Server-Sent Events, `{ event, data, id, retry }`
    /// objects (`retry` in milliseconds, or `null`), as they arrive. Takes the body.
    ///
    /// `options` may set `maxEventSize`, as [`crate::Events::max_event_size`].
    pub fn events(&self, options: JsValue) -> Result<JsValue, JsValue> {
        let max = super::options::max_event_size(&options).map_err(|e| to_js(&e))?;
        let mut events = self.take_stream(Response::events)?;
        if let Some(max) = max {
            events = events.max_event_size(max);
        }
        let state = Rc::clone(&self.sse);
        let events = futures_util::stream::unfold(events, move |mut events| {
            let state = Rc::clone(&state);
            async move {
                let item = events.next().await;
                let mut state = state.borrow_mut();
                if state.last_event_id != events.last_event_id() {
                    // Copied only when it changes, not for every event.
                    state.last_event_id = events.last_event_id().to_owned();
                }
                state.retry = events.retry();
                drop(state);
                let item = item?.map(|e| event_to_js(&e)).map_err(|e| to_js(&e));
                Some((item, events))
            }
        });
        Ok(self.readable(events))
    }

    /// The last event ID `events()` has read, `""` when none.
    #[wasm_bindgen(getter, js_name = sseLastEventId)]
    pub fn sse_last_event_id(&self) -> String {
        self.sse.borrow().last_event_id.clone()
    }

    /// The reconnection time `events()` has read, in milliseconds, or `null`.
    #[wasm_bindgen(getter, js_name = sseRetry)]
    pub fn sse_retry(&self) -> JsValue {
        self.sse
            .borrow()
            .retry
            .map_or(JsValue::NULL, |d| JsValue::from(d.as_millis() as f64))
    }
}
