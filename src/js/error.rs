//! [`Error`] → the plain object the JavaScript layer turns into its error classes.
//!
//! Rust cannot construct the package's classes itself (wasm-bindgen would load a second copy of
//! `errors.js`, and `instanceof` would fail), so it throws `{ anyfetch: true, kind, timeoutKind,
//! message, url, status }` and `js/src/errors.js` maps `kind` to a class in one place. The
//! message is the error with its causes ([`Error::display_chain`]).

use js_sys::{Object, Reflect};
use wasm_bindgen::JsValue;

use crate::error::{Error, ErrorKind, TimeoutKind};

/// The error as a plain object (see the module docs).
pub(crate) fn to_js(e: &Error) -> JsValue {
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
    set(
        &o,
        "url",
        e.url().map_or(JsValue::NULL, |u| u.as_str().into()),
    );
    set(
        &o,
        "status",
        e.status()
            .map_or(JsValue::NULL, |s| JsValue::from(s.as_u16())),
    );
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
