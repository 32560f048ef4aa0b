//! The JavaScript API (feature `js`, `wasm32-unknown-unknown` only), exported with wasm-bindgen
//! for the npm package in `js/`.
//!
//! This is the Rust half: it reads the JavaScript option objects into the one Rust
//! [`Client`]/[`RequestBuilder`](crate::RequestBuilder), sends through the fetch backend, and
//! hands back a [`JsResponse`]. Errors cross as plain objects (see [`error`]). The hand-written
//! ESM layer in `js/src/` wraps these exports in the documented classes (`Client`, `Response`,
//! the error hierarchy) and loads the wasm, so users never call an init function.

mod body;
mod error;
mod hooks;
mod options;
mod response;
mod signal;
mod value;

use js_sys::Promise;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::future_to_promise;

use crate::client::Client;
use response::JsResponse;

/// A client, as the JavaScript layer sees it (not exported to users as is).
#[wasm_bindgen(js_name = RawClient)]
#[derive(Debug)]
pub struct JsClient {
    inner: options::JsClientParts,
}

#[wasm_bindgen(js_class = RawClient)]
impl JsClient {
    /// `new Client(options)`: see `js/index.d.ts` for the options.
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<JsClient, JsValue> {
        let inner = options::client(&options).map_err(|e| error::to_js(&e))?;
        Ok(JsClient { inner })
    }

    /// Sends `method url` with per-request `options`; resolves to a `Response` made by
    /// `classes` (see [`hooks::Classes`]), after the hooks.
    pub fn request(
        &self,
        method: String,
        url: String,
        options: JsValue,
        classes: JsValue,
    ) -> Promise {
        send(Ok(self.inner.clone()), method, url, options, classes, false)
    }
}

/// A one-off request on a new client (`get(url)`, `request(method, url)`...): a default one,
/// or one with the client options given among the request's.
#[wasm_bindgen(js_name = request)]
pub fn one_off(method: String, url: String, options: JsValue, classes: JsValue) -> Promise {
    send(
        options::one_off_client(&options),
        method,
        url,
        options,
        classes,
        true,
    )
}

fn send(
    parts: crate::Result<options::JsClientParts>,
    method: String,
    url: String,
    options: JsValue,
    classes: JsValue,
    one_off: bool,
) -> Promise {
    future_to_promise(async move {
        let classes = hooks::Classes(classes);
        let view = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&view, &"method".into(), &method.as_str().into());
        let _ = js_sys::Reflect::set(&view, &"url".into(), &url.as_str().into());
        let (sent, hooks, throw_http_errors) = match parts {
            Err(e) => (Err(error::to_js(&e)), Default::default(), false),
            Ok(parts) => {
                let mut throw_http_errors = parts.throw_http_errors;
                let sent = exchange(
                    parts.client,
                    &method,
                    &url,
                    &options,
                    one_off,
                    &mut throw_http_errors,
                )
                .await;
                (sent, parts.hooks, throw_http_errors)
            }
        };
        hooks::finish(sent, &hooks, throw_http_errors, &view, &options, &classes).await
    })
}

/// Builds and sends the request; resolves to the raw response. `throw_http_errors` becomes the
/// request's own, when it gives one.
async fn exchange(
    client: Client,
    method: &str,
    url: &str,
    options: &JsValue,
    one_off: bool,
    throw_http_errors: &mut bool,
) -> Result<JsValue, JsValue> {
    let (builder, extras) = options::request(&client, method, url, options, one_off)
        .await
        .map_err(|e| error::to_js(&e))?;
    if let Some(t) = extras.throw_http_errors {
        *throw_http_errors = t;
    }
    let request = builder
        .extension(hooks::RetrySeen::default())
        .build()
        .map_err(|e| error::to_js(&e))?;
    // fetch reports no upload progress: the start, and the end once the server answered.
    let upload = extras.on_upload_progress.map(|f| {
        let total = request.body().content_length().unwrap_or(0);
        (f, total)
    });
    if let Some((f, total)) = &upload {
        response::progress(f, 0, *total, None)?;
    }
    let exchange = async { client.send(request).await.map_err(|e| error::to_js(&e)) };
    let response = signal::Signal::race(extras.signal.as_ref(), exchange).await?;
    if let Some((f, total)) = upload {
        response::progress(&f, total, total, None)?;
    }
    Ok(JsResponse::new(response, extras.signal, extras.on_download_progress).into())
}
