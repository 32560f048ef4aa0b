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
    inner: Client,
}

#[wasm_bindgen(js_class = RawClient)]
impl JsClient {
    /// `new Client(options)`: see `js/index.d.ts` for the options.
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<JsClient, JsValue> {
        let inner = options::client(&options).map_err(|e| error::to_js(&e))?;
        Ok(JsClient { inner })
    }

    /// Sends `method url` with per-request `options`; resolves to a [`JsResponse`].
    pub fn request(&self, method: String, url: String, options: JsValue) -> Promise {
        send(Ok(self.inner.clone()), method, url, options, false)
    }
}

/// A one-off request on a new client (`get(url)`, `request(method, url)`...): a default one,
/// or one with the client options given among the request's.
#[wasm_bindgen(js_name = request)]
pub fn one_off(method: String, url: String, options: JsValue) -> Promise {
    send(
        options::one_off_client(&options),
        method,
        url,
        options,
        true,
    )
}

fn send(
    client: crate::Result<Client>,
    method: String,
    url: String,
    options: JsValue,
    one_off: bool,
) -> Promise {
    future_to_promise(async move {
        let client = client.map_err(|e| error::to_js(&e))?;
        let (builder, extras) = options::request(&client, &method, &url, &options, one_off)
            .await
            .map_err(|e| error::to_js(&e))?;
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
    })
}
