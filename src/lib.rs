//! # anyfetch
//!
//! An HTTP client with the shape of Python's [httpx] that runs unchanged in three places:
//! natively (hyper and rustls, feature `native`), in WASI 0.2 components (`wasi:http`), and in
//! browsers, web workers and Node (the global `fetch`).
//!
//! ```no_run
//! # async fn run() -> anyfetch::Result<()> {
//! use std::time::Duration;
//! use anyfetch::{Client, Timeout};
//!
//! // One-off requests.
//! let mut r = anyfetch::get("http://localhost:8000/get").query(&[("q", "test")]).await?;
//! println!("{} {}", r.status(), r.text().await?);
//!
//! // A client with a base URL, default headers and a pool.
//! let client = Client::builder()
//!     .base_url("http://localhost:8000")
//!     .header("User-Agent", "my-app/1.0")
//!     .timeout(Timeout::new(Duration::from_secs(10)))
//!     .build()?;
//! let created = client.post("/post").json(&serde_json::json!({"name": "ada"})).await?;
//! created.error_for_status()?;
//! # Ok(()) }
//! ```
//!
//! The architecture: one [`Client`], one [`RequestBuilder`], one [`Response`] for every target.
//! The policies (base URL, default headers, cookies, auth, redirects, retries, hooks, content
//! decoding, the total deadline) are written once, above a [`Transport`] that sends exactly
//! one request. See the crate's README and DESIGN notes.
//!
//! [httpx]: https://www.python-httpx.org/
#![deny(missing_docs, missing_debug_implementations)]
// On wasm32 a client, its transport, auth and hooks may hold JavaScript values, which are
// neither `Send` nor `Sync`; the `Arc`s that share them there are single-threaded by design.
#![cfg_attr(wasm, allow(clippy::arc_with_non_send_sync))]
#![cfg_attr(docsrs, feature(doc_auto_cfg))]

mod auth;
mod body;
mod builder;
mod charset;
mod client;
mod cookies;
mod digest;
mod error;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzz;
mod hooks;
pub mod layer;
#[cfg(feature = "multipart")]
pub mod multipart;
mod platform;
mod proxy;
mod redact;
mod redirect;
mod request;
mod response;
mod retry;
mod send;
mod sse;
mod timeout;
mod transport;
mod urls;

#[cfg(feature = "blocking")]
pub mod blocking;

#[cfg(all(feature = "js", web))]
mod js;

pub use auth::{Auth, AuthContext, AuthStep, BasicAuth, BearerAuth};
pub use body::{Body, BodyStream};
pub use builder::RequestBuilder;
pub use client::{Client, ClientBuilder};
#[cfg(feature = "cookies")]
pub use cookies::Jar;
pub use digest::DigestAuth;
pub use error::{BoxError, DisplayChain, Error, ErrorKind, Result, TimeoutKind};
pub use hooks::{AsyncHookOutput, HookResult};
pub use layer::RetryAttempt;
pub use platform::{BoxFuture, MaybeSend, MaybeSendSync};
pub use proxy::Proxy;
pub use request::{Parts, Request};
pub use response::{IntoStatusCode, Response};
pub use retry::Retry;
pub use sse::{Event, Events};
pub use timeout::{Limits, Timeout};
pub use transport::{
    Capabilities, Certificate, FetchCredentials, Identity, MockTransport, Resolve, TlsVersion,
    Transport,
};
pub use urls::IntoUrl;

#[cfg(web)]
pub use transport::fetch::FetchTransport;
#[cfg(hyper)]
pub use transport::hyper::HyperTransport;
#[cfg(wasi)]
pub use transport::wasi::WasiTransport;

#[cfg(wasip2)]
pub use platform::wasip2::block_on;
#[cfg(wasi)]
#[doc(hidden)]
pub use transport::wasi::bindings;

/// The `wasi:http` `error-code` of the WASI 0.2 host (`wasi:http/types@0.2.0`), read from a
/// [`WasiHttpError`]: the [`source`](std::error::Error::source) of an [`Error`] that the host
/// reported. The same type as the `wasi` crate's (`=0.13.1`), so a proxy component can pass it
/// on.
#[cfg(wasip2)]
pub use ::wasi::http::types::ErrorCode;
/// The `wasi:http` `error-code` of the WASI 0.3 host (`wasi:http/types@0.3.0`), read from a
/// [`WasiHttpError`]: the [`source`](std::error::Error::source) of an [`Error`] that the host
/// reported. The same type as the `wasip3` crate's (`=0.9.0`), so a service component can
/// return it from its handler.
#[cfg(wasip3)]
pub use ::wasip3::http::types::ErrorCode;
#[cfg(web)]
pub use transport::fetch::JsError;
#[cfg(wasi)]
pub use transport::wasi::WasiHttpError;

/// The README's examples, compiled as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

/// The guide's examples (docs/guide.md), compiled as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../docs/guide.md")]
pub struct GuideDoctests;

pub use bytes::Bytes;
pub use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Version};
pub use url::Url;

/// Starts a request with any method on a new default [`Client`] (httpx `httpx.request`).
///
/// One-off requests share nothing: no pool, no cookies. Use a [`Client`] for repeated calls.
pub fn request<M, U>(method: M, url: U) -> RequestBuilder
where
    M: TryInto<Method>,
    M::Error: Into<http::Error>,
    U: IntoUrl,
{
    Client::new().request(method, url)
}

/// Starts a GET request on a new default [`Client`] (httpx `httpx.get`).
///
/// `.await` (or `.send().await`) sends it.
pub fn get<U: IntoUrl>(url: U) -> RequestBuilder {
    request(Method::GET, url)
}

/// Starts a POST request on a new default [`Client`] (httpx `httpx.post`).
///
/// `.await` (or `.send().await`) sends it.
pub fn post<U: IntoUrl>(url: U) -> RequestBuilder {
    request(Method::POST, url)
}

/// Starts a PUT request on a new default [`Client`] (httpx `httpx.put`).
///
/// `.await` (or `.send().await`) sends it.
pub fn put<U: IntoUrl>(url: U) -> RequestBuilder {
    request(Method::PUT, url)
}

/// Starts a PATCH request on a new default [`Client`] (httpx `httpx.patch`).
///
/// `.await` (or `.send().await`) sends it.
pub fn patch<U: IntoUrl>(url: U) -> RequestBuilder {
    request(Method::PATCH, url)
}

/// Starts a DELETE request on a new default [`Client`] (httpx `httpx.delete`).
///
/// `.await` (or `.send().await`) sends it.
pub fn delete<U: IntoUrl>(url: U) -> RequestBuilder {
    request(Method::DELETE, url)
}

/// Starts a HEAD request on a new default [`Client`] (httpx `httpx.head`).
///
/// `.await` (or `.send().await`) sends it.
pub fn head<U: IntoUrl>(url: U) -> RequestBuilder {
    request(Method::HEAD, url)
}

/// Starts a OPTIONS request on a new default [`Client`] (httpx `httpx.options`).
///
/// `.await` (or `.send().await`) sends it.
pub fn options<U: IntoUrl>(url: U) -> RequestBuilder {
    request(Method::OPTIONS, url)
}
