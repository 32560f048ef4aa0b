//! Request bodies from JavaScript values: `json`, `form`, `content` and `files`.

use js_sys::{Array, ArrayBuffer, Function, Promise, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use super::value::{entries, get, js_string, pairs, text};
use crate::builder::RequestBuilder;
use crate::error::{Error, Result};
use crate::multipart::{Form, Part};

/// Sets the body given by at most one of `json`, `form`, `content` and `files` (`form` and
/// `files` combine into one multipart body). Async because a `Blob` is read with
/// `blob.arrayBuffer()`.
pub(super) async fn set(
    mut b: RequestBuilder,
    json: Option<JsValue>,
    form: Option<JsValue>,
    content: Option<JsValue>,
    files: Option<JsValue>,
    has_content_type: bool,
) -> Result<RequestBuilder> {
    let given = [&json, &form, &content, &files]
        .iter()
        .filter(|v| v.is_some())
        .count();
    if given > 1 && !(given == 2 && form.is_some() && files.is_some()) {
        return Err(Error::builder(
            "give one body: json, form, content or files (only form and files combine, into one multipart body)",
        ));
    }
    if let Some(v) = json {
        let s = js_sys::JSON::stringify(&v).map_err(|e| {
            Error::builder(format!(
                "the json body could not be serialized: {}",
                js_string(&e)
            ))
        })?;
        let s = s
            .as_string()
            .ok_or_else(|| Error::builder("the json body could not be serialized"))?;
        if !has_content_type {
            b = b.header("content-type", "application/json");
        }
        b = b.body(s);
    } else if let Some(files) = files {
        let mut f = Form::new();
        if let Some(form) = form {
            for (k, v) in pairs(&form, "form")? {
                f = f.text(k, v);
            }
        }
        for (name, value) in entries(&files, "files")? {
            f = f.part(name, file_part(&value).await?);
        }
        b = b.multipart(f);
    } else if let Some(v) = form {
        b = b.form(&pairs(&v, "form")?);
    } else if let Some(v) = content {
        b = match v.as_string() {
            Some(s) => b.body(s),
            None => b.body(bytes(&v).await?.ok_or_else(|| {
                Error::builder("option `content` must be a string, bytes or a Blob")
            })?),
        };
    }
    Ok(b)
}

/// The bytes of a `Uint8Array` (or any typed array, `DataView`, `ArrayBuffer`) or a `Blob`;
/// `None` for anything else.
async fn bytes(v: &JsValue) -> Result<Option<Vec<u8>>> {
    if let Some(a) = v.dyn_ref::<Uint8Array>() {
        return Ok(Some(a.to_vec()));
    }
    if let Some(b) = v.dyn_ref::<ArrayBuffer>() {
        return Ok(Some(Uint8Array::new(b).to_vec()));
    }
    if ArrayBuffer::is_view(v) {
        let buffer = get(v, "buffer");
        let offset = get(v, "byteOffset").as_f64().unwrap_or(0.0) as u32;
        let len = get(v, "byteLength").as_f64().unwrap_or(0.0) as u32;
        return Ok(Some(
            Uint8Array::new_with_byte_offset_and_length(&buffer, offset, len).to_vec(),
        ));
    }
    let read = get(v, "arrayBuffer");
    if v.is_object() && read.is_function() {
        let promise = read
            .unchecked_into::<Function>()
            .call0(v)
            .map_err(|e| Error::builder(format!("reading the Blob failed: {}", js_string(&e))))?;
        let buffer = JsFuture::from(Promise::resolve(&promise))
            .await
            .map_err(|e| Error::builder(format!("reading the Blob failed: {}", js_string(&e))))?;
        return Ok(Some(Uint8Array::new(&buffer).to_vec()));
    }
    Ok(None)
}

/// One `files` value: bytes, a `Blob`/`File`, a string, or `[filename, data, contentType?]`.
/// Without a file name, a `File`'s own name is used, else `upload` (as in httpx).
async fn file_part(v: &JsValue) -> Result<Part> {
    const SHAPE: &str = "a `files` value must be bytes, a Blob, a string, or [filename, bytes|Blob|string, contentType?]";
    let (name, data, mime) = if Array::is_array(v) {
        let a = Array::from(v);
        if !(2..=3).contains(&a.length()) {
            return Err(Error::builder(SHAPE));
        }
        let mime = a.get(2);
        let mime = (!mime.is_undefined() && !mime.is_null())
            .then(|| text(&mime, "files content type"))
            .transpose()?;
        (Some(text(&a.get(0), "files filename")?), a.get(1), mime)
    } else {
        (None, v.clone(), None)
    };
    let name = name
        .or_else(|| get(&data, "name").as_string().filter(|_| data.is_object()))
        .unwrap_or_else(|| "upload".to_owned());
    let mime = mime.or_else(|| {
        get(&data, "type")
            .as_string()
            .filter(|t| data.is_object() && !t.is_empty())
    });
    let part = match data.as_string() {
        Some(s) => Part::bytes(s.into_bytes()),
        None => Part::bytes(bytes(&data).await?.ok_or_else(|| Error::builder(SHAPE))?),
    };
    let part = part.file_name(name);
    Ok(match mime {
        Some(m) => part.mime(m),
        None => part,
    })
}
