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
mod options;
mod response;

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
        send(self.inner.clone(), method, url, options)
    }
}

/// A one-off request on a new default client (`get(url)`, `request(method, url)`...).
#[wasm_bindgen(js_name = request)]
pub fn one_off(method: String, url: String, options: JsValue) -> Promise {
    send(Client::new(), method, url, options)
}

fn send(client: Client, method: String, url: String, options: JsValue) -> Promise {
    future_to_promise(async move {
        let builder = options::request(&client, &method, &url, &options)
            .await
            .map_err(|e| error::to_js(&e))?;
        let response = builder.send().await.map_err(|e| error::to_js(&e))?;
        Ok(JsResponse::new(response).into())
    })
}
