//! The JavaScript option objects, read into [`ClientBuilder`] and [`RequestBuilder`] settings.
//!
//! Every option is checked: an unknown key (a typo such as `follow_redirects`) or a value of the
//! wrong type is an `is_builder` error naming the option, never silently ignored. `undefined`
//! means "not given"; `null` is only meaningful for timeouts (no limit).

use std::rc::Rc;
use std::time::Duration;

use js_sys::{Array, Function, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

use crate::auth::{Auth, AuthContext, AuthStep, BasicAuth, BearerAuth};
use crate::builder::RequestBuilder;
use crate::client::{Client, ClientBuilder};
use crate::digest::DigestAuth;
use crate::error::{Error, Result};
use crate::request::Request;
use crate::response::Response;
use crate::retry::Retry;
use crate::timeout::Timeout;
use crate::transport::FetchCredentials;

use super::hooks::{Hooks, JsHooksLayer};
use super::signal::Signal;
use super::value::{object, pairs, text};

const CLIENT_KEYS: &[&str] = &[
    "baseUrl",
    "headers",
    "params",
    "timeout",
    "followRedirects",
    "maxRedirects",
    "auth",
    "retry",
    "hooks",
    "fetch",
    "throwHttpErrors",
];

const REQUEST_KEYS: &[&str] = &[
    "params",
    "headers",
    "json",
    "form",
    "content",
    "files",
    "timeout",
    "auth",
    "followRedirects",
    "credentials",
    "signal",
    "onDownloadProgress",
    "onUploadProgress",
    "throwHttpErrors",
];

/// The keys only a client has: a one-off request that gives one of them gets a client of its
/// own with them (a one-off takes the keys of both).
const CLIENT_ONLY_KEYS: &[&str] = &["baseUrl", "maxRedirects", "retry", "hooks", "fetch"];

/// What a request carries besides its [`RequestBuilder`]: read by the JavaScript `send`.
#[derive(Default)]
pub(super) struct Extras {
    pub(super) signal: Option<Signal>,
    pub(super) on_download_progress: Option<Function>,
    pub(super) on_upload_progress: Option<Function>,
    /// The request's `throwHttpErrors`, if it gives one (else the client's).
    pub(super) throw_http_errors: Option<bool>,
}

/// A client as the JavaScript API holds it: the Rust client, and the options that act around
/// each call (the `afterResponse` and `beforeError` hooks, `throwHttpErrors`).
#[derive(Debug, Clone)]
pub(crate) struct JsClientParts {
    pub(crate) client: Client,
    pub(crate) hooks: Rc<Hooks>,
    pub(crate) throw_http_errors: bool,
}

/// A client from `new Client(options)`.
pub(crate) fn client(options: &JsValue) -> Result<JsClientParts> {
    let o = Opts::new(options, "Client options", CLIENT_KEYS)?;
    client_from(&o, false)
}

/// The client for a one-off request: a default one, or one with the client-only options given.
pub(crate) fn one_off_client(options: &JsValue) -> Result<JsClientParts> {
    let o = Opts::new(options, "request options", &one_off_keys())?;
    if CLIENT_ONLY_KEYS.iter().any(|k| o.get(k).is_some()) {
        client_from(&o, true)
    } else {
        Ok(JsClientParts {
            client: Client::new(),
            hooks: Rc::default(),
            throw_http_errors: false,
        })
    }
}

fn one_off_keys() -> Vec<&'static str> {
    let mut keys = REQUEST_KEYS.to_vec();
    keys.extend(CLIENT_KEYS.iter().filter(|k| !REQUEST_KEYS.contains(k)));
    keys
}

/// A client from client options; for a one-off, the keys a request has too are left to
/// [`request`].
fn client_from(o: &Opts, one_off: bool) -> Result<JsClientParts> {
    let mut b = ClientBuilder::new();
    let mut all_hooks = Rc::new(Hooks::default());
    let mut throw_http_errors = false;
    if let Some(v) = o.get("fetch") {
        let f = v
            .dyn_into::<Function>()
            .map_err(|_| Error::builder("option `fetch` must be a function"))?;
        b = b.transport(crate::transport::fetch::FetchTransport::with_fetch(f));
    }
    if let Some(v) = o.get("hooks") {
        all_hooks = Rc::new(hooks(&v)?);
        if all_hooks.any_per_hop() {
            b = b.layer(JsHooksLayer(all_hooks.clone()));
        }
    }
    if let Some(v) = o.get("throwHttpErrors") {
        throw_http_errors = boolean(&v, "throwHttpErrors")?;
    }
    if let Some(v) = o.get("maxRedirects") {
        b = b.max_redirects(count(&v, "maxRedirects")? as usize);
    }
    if let Some(v) = o.get("retry") {
        b = b.retry(retry(&v)?);
    }
    if let Some(v) = o.get("baseUrl") {
        b = b.base_url(text(&v, "baseUrl")?);
    }
    let parts = |b: ClientBuilder| -> Result<JsClientParts> {
        Ok(JsClientParts {
            client: b.build()?,
            hooks: all_hooks.clone(),
            throw_http_errors,
        })
    };
    if one_off {
        return parts(b);
    }
    if let Some(v) = o.get("headers") {
        for (k, v) in pairs(&v, "headers")? {
            b = b.header(k, v);
        }
    }
    if let Some(v) = o.get("params") {
        b = b.query(&pairs(&v, "params")?);
    }
    if let Some(v) = o.get("timeout") {
        b = b.timeout(timeout(&v)?);
    }
    if let Some(v) = o.get("followRedirects") {
        b = b.follow_redirects(boolean(&v, "followRedirects")?);
    }
    if let Some(v) = o.get("auth") {
        b = b.auth(auth(&v)?);
    }
    parts(b)
}

/// `hooks`: `{ beforeRequest, beforeRetry, afterResponse, beforeError }`, each an array of
/// functions, all run by [`super::hooks`].
fn hooks(v: &JsValue) -> Result<Hooks> {
    const KEYS: &[&str] = &[
        "beforeRequest",
        "beforeRetry",
        "afterResponse",
        "beforeError",
    ];
    let o = Opts::new(v, "hooks", KEYS)?;
    let mut lists = KEYS.iter().map(|k| -> Result<Vec<Function>> {
        let Some(list) = o.get(k) else {
            return Ok(Vec::new());
        };
        let bad = || Error::builder(format!("option `hooks.{k}` must be an array of functions"));
        if !Array::is_array(&list) {
            return Err(bad());
        }
        Array::from(&list)
            .iter()
            .map(|f| f.dyn_into::<Function>().map_err(|_| bad()))
            .collect()
    });
    let before_request = lists.next().unwrap_or(Ok(Vec::new()))?;
    let before_retry = lists.next().unwrap_or(Ok(Vec::new()))?;
    let after_response = lists.next().unwrap_or(Ok(Vec::new()))?;
    let before_error = lists.next().unwrap_or(Ok(Vec::new()))?;
    Ok(Hooks {
        before_request,
        before_retry,
        after_response,
        before_error,
    })
}

/// A request from `client.request(method, url, options)`, body included (see [`super::body`]);
/// `one_off` for `request(method, url, options)`, whose options may also name client keys.
pub(crate) async fn request(
    client: &Client,
    method: &str,
    url: &str,
    options: &JsValue,
    one_off: bool,
) -> Result<(RequestBuilder, Extras)> {
    let o = if one_off {
        Opts::new(options, "request options", &one_off_keys())?
    } else {
        Opts::new(options, "request options", REQUEST_KEYS)?
    };
    let mut extras = Extras::default();
    if let Some(v) = o.get("signal") {
        extras.signal = Some(Signal::from_option(&v)?);
    }
    let callback = |key: &str| -> Result<Option<Function>> {
        o.get(key)
            .map(|f| {
                f.dyn_into::<Function>()
                    .map_err(|_| Error::builder(format!("option `{key}` must be a function")))
            })
            .transpose()
    };
    extras.on_download_progress = callback("onDownloadProgress")?;
    extras.on_upload_progress = callback("onUploadProgress")?;
    if let Some(v) = o.get("throwHttpErrors") {
        extras.throw_http_errors = Some(boolean(&v, "throwHttpErrors")?);
    }
    let mut b = client.request(method, url);
    let mut has_content_type = false;
    if let Some(v) = o.get("headers") {
        for (k, v) in pairs(&v, "headers")? {
            has_content_type |= k.eq_ignore_ascii_case("content-type");
            b = b.header(k, v);
        }
    }
    if let Some(v) = o.get("params") {
        b = b.query(&pairs(&v, "params")?);
    }
    if let Some(v) = o.get("timeout") {
        b = b.timeout(timeout(&v)?);
    }
    if let Some(v) = o.get("auth") {
        b = b.auth(auth(&v)?);
    }
    if let Some(v) = o.get("followRedirects") {
        b = b.follow_redirects(boolean(&v, "followRedirects")?);
    }
    if let Some(v) = o.get("credentials") {
        b = b.extension(match v.as_string().as_deref() {
            Some("omit") => FetchCredentials::Omit,
            Some("same-origin") => FetchCredentials::SameOrigin,
            Some("include") => FetchCredentials::Include,
            _ => {
                return Err(Error::builder(
                    "option `credentials` must be \"omit\", \"same-origin\" or \"include\"",
                ))
            }
        });
    }

    let b = super::body::set(
        b,
        o.get("json"),
        o.get("form"),
        o.get("content"),
        o.get("files"),
        has_content_type,
    )
    .await?;
    Ok((b, extras))
}

/// The options of `events()`: `maxEventSize`, a positive number of bytes, when given.
pub(super) fn max_event_size(options: &JsValue) -> Result<Option<usize>> {
    let o = Opts::new(options, "events() options", &["maxEventSize"])?;
    let Some(v) = o.get("maxEventSize") else {
        return Ok(None);
    };
    match count(&v, "maxEventSize")? {
        0 => Err(Error::builder("option `maxEventSize` must be at least 1")),
        n => Ok(Some(n as usize)),
    }
}

/// An options object: the keys it may have, read with `undefined` as absent.
struct Opts(Option<Object>);

impl Opts {
    fn new(value: &JsValue, what: &str, allowed: &[&str]) -> Result<Opts> {
        if value.is_undefined() || value.is_null() {
            return Ok(Opts(None));
        }
        let obj = object(value, what)?;
        for key in Object::keys(&obj).iter() {
            let key = key.as_string().unwrap_or_default();
            if !allowed.contains(&key.as_str()) {
                return Err(Error::builder(format!(
                    "unknown key `{key}` in {what}; expected one of: {}",
                    allowed.join(", ")
                )));
            }
        }
        Ok(Opts(Some(obj)))
    }

    fn get(&self, key: &str) -> Option<JsValue> {
        let v = Reflect::get(self.0.as_ref()?, &JsValue::from_str(key)).ok()?;
        (!v.is_undefined()).then_some(v)
    }
}

fn boolean(v: &JsValue, what: &str) -> Result<bool> {
    v.as_bool()
        .ok_or_else(|| Error::builder(format!("option `{what}` must be a boolean")))
}

/// A non-negative integer.
fn count(v: &JsValue, what: &str) -> Result<u32> {
    match v.as_f64() {
        Some(n) if n >= 0.0 && n.fract() == 0.0 && n <= f64::from(u32::MAX) => Ok(n as u32),
        _ => Err(Error::builder(format!(
            "option `{what}` must be a non-negative integer"
        ))),
    }
}

/// Seconds, as JavaScript users write them (`10`, `0.5`).
fn seconds(v: &JsValue, what: &str) -> Result<Option<Duration>> {
    if v.is_null() {
        return Ok(None);
    }
    // NaN, negative, infinite, or beyond what a Duration holds (about 5.8e11 years).
    match v.as_f64().map(Duration::try_from_secs_f64) {
        Some(Ok(d)) => Ok(Some(d)),
        _ => Err(Error::builder(format!(
            "timeout `{what}` must be a non-negative number of seconds, or null for none"
        ))),
    }
}

/// `timeout`: seconds for connect, read, write and pool alike; `null` for none; or
/// `{ connect, read, write, pool, total }`, where a missing phase keeps its 5 s default and
/// `null` removes it.
fn timeout(v: &JsValue) -> Result<Timeout> {
    if v.is_null() {
        return Ok(Timeout::none());
    }
    if v.as_f64().is_some() {
        return Ok(seconds(v, "timeout")?.map_or(Timeout::none(), Timeout::new));
    }
    let o = Opts::new(v, "timeout", &["connect", "read", "write", "pool", "total"])?;
    let mut t = Timeout::default();
    if let Some(v) = o.get("connect") {
        t = t.connect(seconds(&v, "connect")?);
    }
    if let Some(v) = o.get("read") {
        t = t.read(seconds(&v, "read")?);
    }
    if let Some(v) = o.get("write") {
        t = t.write(seconds(&v, "write")?);
    }
    if let Some(v) = o.get("pool") {
        t = t.pool(seconds(&v, "pool")?);
    }
    if let Some(v) = o.get("total") {
        t = t.total(seconds(&v, "total")?);
    }
    Ok(t)
}

/// `retry`: a number of retries, or `{ limit, backoffFactor, backoffLimit, statusCodes,
/// methods, afterStatusCodes }` (ky's names; `backoffFactor`, which ky lacks, is the Rust one).
fn retry(v: &JsValue) -> Result<Retry> {
    if v.as_f64().is_some() {
        return Ok(Retry::new(count(v, "retry")?));
    }
    let o = Opts::new(
        v,
        "retry",
        &[
            "limit",
            "backoffFactor",
            "backoffLimit",
            "statusCodes",
            "methods",
            "afterStatusCodes",
        ],
    )?;
    let limit = o
        .get("limit")
        .ok_or_else(|| Error::builder("option `retry` needs `limit`, the most retries"))?;
    let mut r = Retry::new(count(&limit, "retry.limit")?);
    if let Some(f) = o.get("backoffFactor") {
        match f.as_f64() {
            Some(f) if f.is_finite() && f >= 0.0 => r = r.backoff_factor(f),
            _ => {
                return Err(Error::builder(
                    "option `retry.backoffFactor` must be a non-negative number of seconds",
                ))
            }
        }
    }
    if let Some(max) = o.get("backoffLimit") {
        match seconds(&max, "retry.backoffLimit") {
            Ok(Some(max)) => r = r.backoff_max(max),
            _ => {
                return Err(Error::builder(
                    "option `retry.backoffLimit` must be a non-negative number of seconds",
                ))
            }
        }
    }
    if let Some(list) = o.get("statusCodes") {
        r = r.status_forcelist(statuses(&list, "retry.statusCodes")?);
    }
    if let Some(list) = o.get("afterStatusCodes") {
        r = r.retry_after_statuses(statuses(&list, "retry.afterStatusCodes")?);
    }
    if let Some(list) = o.get("methods") {
        let bad = || Error::builder("option `retry.methods` must be an array of method names");
        if !Array::is_array(&list) {
            return Err(bad());
        }
        let methods = Array::from(&list)
            .iter()
            .map(|m| {
                let m = m.as_string().ok_or_else(bad)?.to_ascii_uppercase();
                http::Method::from_bytes(m.as_bytes()).map_err(|_| bad())
            })
            .collect::<Result<Vec<_>>>()?;
        r = r.methods(methods);
    }
    Ok(r)
}

/// An array of status codes.
fn statuses(list: &JsValue, what: &str) -> Result<Vec<u16>> {
    let bad = || {
        Error::builder(format!(
            "option `{what}` must be an array of status codes (100 to 999)"
        ))
    };
    if !Array::is_array(list) {
        return Err(bad());
    }
    Array::from(list)
        .iter()
        .map(|s| match s.as_f64() {
            Some(n) if (100.0..=999.0).contains(&n) && n.fract() == 0.0 => Ok(n as u16),
            _ => Err(bad()),
        })
        .collect()
}

/// The auth schemes JavaScript can name; each runs the shared Rust flow.
enum AnyAuth {
    Basic(BasicAuth),
    Bearer(BearerAuth),
    Digest(DigestAuth),
}

impl Auth for AnyAuth {
    async fn on_request(&self, request: &mut Request, cx: &AuthContext) -> Result<()> {
        match self {
            AnyAuth::Basic(a) => a.on_request(request, cx).await,
            AnyAuth::Bearer(a) => a.on_request(request, cx).await,
            AnyAuth::Digest(a) => a.on_request(request, cx).await,
        }
    }
    async fn on_response(
        &self,
        request: &mut Request,
        response: &Response,
        attempt: u32,
        cx: &AuthContext,
    ) -> Result<AuthStep> {
        match self {
            AnyAuth::Basic(a) => a.on_response(request, response, attempt, cx).await,
            AnyAuth::Bearer(a) => a.on_response(request, response, attempt, cx).await,
            AnyAuth::Digest(a) => a.on_response(request, response, attempt, cx).await,
        }
    }
}

/// `auth`: `{ basic: [user, password] }`, `{ bearer: token }` or `{ digest: [user, password] }`.
fn auth(v: &JsValue) -> Result<AnyAuth> {
    const SHAPE: &str = "option `auth` must be { basic: [user, password] }, { bearer: token } or { digest: [user, password] }";
    let o = Opts::new(v, "auth", &["basic", "bearer", "digest"])?;
    let credentials = |v: JsValue| -> Result<(String, String)> {
        let a = Array::is_array(&v)
            .then(|| Array::from(&v))
            .filter(|a| a.length() == 2)
            .ok_or_else(|| Error::builder(SHAPE))?;
        Ok((
            text(&a.get(0), "auth user")?,
            text(&a.get(1), "auth password")?,
        ))
    };
    match (o.get("basic"), o.get("bearer"), o.get("digest")) {
        (Some(b), None, None) => credentials(b).map(|(u, p)| AnyAuth::Basic(BasicAuth::new(u, p))),
        (None, Some(t), None) => Ok(AnyAuth::Bearer(BearerAuth::new(text(&t, "auth bearer")?))),
        (None, None, Some(d)) => {
            credentials(d).map(|(u, p)| AnyAuth::Digest(DigestAuth::new(u, p)))
        }
        _ => Err(Error::builder(SHAPE)),
    }
}
