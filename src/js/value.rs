//! Reading JavaScript values as the options and bodies need them: a property, text as
//! `String(v)` writes it, key/value entries of any of the shapes JavaScript users pass. Every
//! wrong shape is an `is_builder` error naming the option.

use js_sys::{Array, Function, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

use crate::error::{Error, Result};

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    /// The global `String(value)`: how JavaScript itself turns a number or boolean into text.
    #[wasm_bindgen(js_name = String)]
    pub(super) fn js_string(value: &JsValue) -> String;
}

pub(super) fn object(v: &JsValue, what: &str) -> Result<Object> {
    if v.is_object() && !v.is_function() {
        Ok(v.clone().unchecked_into())
    } else {
        Err(Error::builder(format!("{what} must be an object")))
    }
}

pub(super) fn get(v: &JsValue, key: &str) -> JsValue {
    Reflect::get(v, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// A string, number, boolean or bigint, as JavaScript's `String(v)` writes it.
pub(super) fn text(v: &JsValue, what: &str) -> Result<String> {
    if let Some(s) = v.as_string() {
        return Ok(s);
    }
    if v.as_f64().is_some() || v.as_bool().is_some() || v.is_bigint() {
        return Ok(js_string(v));
    }
    Err(Error::builder(format!(
        "`{what}` must be a string, number or boolean"
    )))
}

/// `(key, value)` entries of a plain object, a `Map`, `Headers`, `URLSearchParams`, or an array
/// of pairs; values not yet converted.
pub(super) fn entries(v: &JsValue, what: &str) -> Result<Vec<(String, JsValue)>> {
    let shape = || {
        Error::builder(format!(
            "option `{what}` must be an object, a Map or an array of [key, value] pairs"
        ))
    };
    let list: Vec<JsValue> = if Array::is_array(v) {
        Array::from(v).to_vec()
    } else if get(v, "entries").is_function() {
        let iter = get(v, "entries")
            .unchecked_into::<Function>()
            .call0(v)
            .map_err(|_| shape())?;
        match js_sys::try_iter(&iter) {
            Ok(Some(it)) => it
                .collect::<std::result::Result<_, _>>()
                .map_err(|_| shape())?,
            _ => return Err(shape()),
        }
    } else {
        Object::entries(&object(v, &format!("option `{what}`"))?).to_vec()
    };
    list.into_iter()
        .map(|pair| {
            if !Array::is_array(&pair) {
                return Err(shape());
            }
            let pair = Array::from(&pair);
            Ok((text(&pair.get(0), what)?, pair.get(1)))
        })
        .collect()
}

/// String pairs for headers, params and forms; an array value repeats its key, `undefined`
/// and `null` values are left out.
pub(super) fn pairs(v: &JsValue, what: &str) -> Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    for (k, v) in entries(v, what)? {
        if v.is_undefined() || v.is_null() {
            continue;
        }
        if Array::is_array(&v) {
            for item in Array::from(&v).iter() {
                out.push((k.clone(), text(&item, what)?));
            }
        } else {
            out.push((k, text(&v, what)?));
        }
    }
    Ok(out)
}
