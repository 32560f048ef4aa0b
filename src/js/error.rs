//! [`Error`] → the plain object the JavaScript layer turns into its error classes.
//!
//! Rust cannot construct the package's classes itself (wasm-bindgen would load a second copy of
//! `errors.js`, and `instanceof` would fail), so it throws `{ anyfetch: true, kind, timeoutKind,
//! message, url, status }` and `js/src/errors.js` maps `kind` to a class in one place. The
//! message is the error with its causes ([`Error::display_chain`]).

use js_sys::{Object, Reflect};
use wasm_bindgen::JsValue;

use crate::error::{Error, ErrorKind, TimeoutKind};
use crate::redact::RedactedUrl;
use crate::transport::fetch::JsError;

/// The error as a plain object (see the module docs); what a hook threw, unchanged.
pub(crate) fn to_js(e: &Error) -> JsValue {
    if let Some(thrown) = super::hooks::take_thrown(e) {
        return thrown;
    }
    let (kind, timeout_kind) = match e.kind() {
        ErrorKind::Builder => ("builder", None),
        ErrorKind::Connect => ("connect", None),
        ErrorKind::Timeout(t) => ("timeout", Some(timeout_name(t))),
        ErrorKind::Write => ("write", None),
        ErrorKind::Read => ("read", None),
        ErrorKind::Protocol => ("protocol", None),
        ErrorKind::Unsupported => ("unsupported", None),
        ErrorKind::Decode => ("decode", None),
        ErrorKind::Redirect => ("redirect", None),
        ErrorKind::Status(_) => ("status", None),
    };
    let o = Object::new();
    set(&o, "anyfetch", JsValue::TRUE);
    set(&o, "kind", kind.into());
    set(
        &o,
        "timeoutKind",
        timeout_kind.map_or(JsValue::NULL, JsValue::from),
    );
    // JS errors have no `source` chain to walk: the message carries the causes.
    set(&o, "message", e.display_chain().to_string().into());
    // The password of the URL's user info, if any, is `[redacted]` here as in the message.
    set(
        &o,
        "url",
        e.url()
            .map_or(JsValue::NULL, |u| RedactedUrl(u).to_string().into()),
    );
    set(
        &o,
        "cause",
        std::error::Error::source(e).map_or(JsValue::UNDEFINED, |s| cause(s, 0)),
    );
    set(
        &o,
        "status",
        e.status()
            .map_or(JsValue::NULL, |s| JsValue::from(s.as_u16())),
    );
    o.into()
}

/// The error's source as `{ name, message, code, cause }`, which `errors.js` makes an `Error`:
/// a JavaScript error keeps its own name and code (`TypeError`, `ECONNREFUSED`).
fn cause(source: &(dyn std::error::Error + 'static), depth: u32) -> JsValue {
    let o = Object::new();
    match source.downcast_ref::<JsError>() {
        Some(js) => {
            set(&o, "name", js.name().into());
            set(&o, "message", js.message().into());
            if let Some(code) = js.code() {
                set(&o, "code", code.into());
            }
        }
        None => {
            set(&o, "name", "Error".into());
            set(&o, "message", source.to_string().into());
        }
    }
    if let Some(next) = source.source().filter(|_| depth < 4) {
        set(&o, "cause", cause(next, depth + 1));
    }
    o.into()
}

fn timeout_name(t: TimeoutKind) -> &'static str {
    match t {
        TimeoutKind::Connect => "connect",
        TimeoutKind::Read => "read",
        TimeoutKind::Write => "write",
        TimeoutKind::Pool => "pool",
        TimeoutKind::Total => "total",
    }
}

fn set(o: &Object, key: &str, value: JsValue) {
    // Setting a property on a fresh plain object cannot fail.
    let _ = Reflect::set(o, &JsValue::from_str(key), &value);
}
