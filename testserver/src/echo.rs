//! The httpbin echo document: args, data, files, form, headers, json, method, origin, url.

use std::convert::Infallible;

use bytes::Bytes;
use hyper::HeaderMap;
use serde_json::{json, Map, Value};

use crate::req::Req;
use crate::util::{bad_request, bytes_to_string, multi_map, ok_json, Resp};

/// `User-Agent` from `user-agent`: each dash-separated word capitalized.
pub(crate) fn title_case(name: &str) -> String {
    name.split('-')
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + &c.as_str().to_ascii_lowercase(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// Request headers as httpbin shows them: Title-Case keys, repeats joined with ", ".
pub(crate) fn headers_value(headers: &HeaderMap, host: &str) -> Value {
    let mut m = Map::new();
    for name in headers.keys() {
        let sep = if name == hyper::header::COOKIE {
            "; "
        } else {
            ", "
        };
        let joined = headers
            .get_all(name)
            .iter()
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .collect::<Vec<_>>()
            .join(sep);
        m.insert(title_case(name.as_str()), Value::String(joined));
    }
    if !m.contains_key("Host") {
        m.insert("Host".into(), Value::String(host.to_string()));
    }
    Value::Object(m)
}

pub(crate) fn headers_of(r: &Req) -> Value {
    headers_value(&r.headers, &r.host())
}

pub(crate) fn args_of(r: &Req) -> Value {
    multi_map(
        r.query
            .iter()
            .map(|(k, v)| (k.as_str(), Value::String(v.clone()))),
    )
}

fn content_type(r: &Req) -> String {
    r.header("content-type").unwrap_or("").to_ascii_lowercase()
}

/// form and files of a body: url-encoded or multipart. `None` when neither.
async fn parse_form(r: &Req) -> Result<Option<(Value, Value)>, Resp> {
    let ct = content_type(r);
    if ct.starts_with("application/x-www-form-urlencoded") {
        let form = multi_map(
            url::form_urlencoded::parse(&r.body).map(|(k, v)| (k, Value::String(v.into_owned()))),
        );
        return Ok(Some((form, json!({}))));
    }
    if !ct.starts_with("multipart/form-data") {
        return Ok(None);
    }
    let raw_ct = r.header("content-type").unwrap_or("");
    let boundary =
        multer::parse_boundary(raw_ct).map_err(|_| bad_request("multipart: bad boundary"))?;
    let body = r.body.clone();
    let stream = futures_util::stream::once(async move { Ok::<Bytes, Infallible>(body) });
    let mut mp = multer::Multipart::new(stream, boundary);
    let mut form = Vec::new();
    let mut files = Vec::new();
    loop {
        let field = match mp.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => return Err(bad_request(&format!("multipart: {e}"))),
        };
        let name = field.name().unwrap_or("").to_string();
        let is_file = field.file_name().is_some();
        let data = field
            .bytes()
            .await
            .map_err(|e| bad_request(&format!("multipart: {e}")))?;
        let v = Value::String(bytes_to_string(&data));
        if is_file {
            files.push((name, v));
        } else {
            form.push((name, v));
        }
    }
    Ok(Some((multi_map(form), multi_map(files))))
}

/// The full echo document of a request.
pub(crate) async fn echo_value(r: &Req) -> Result<Value, Resp> {
    let (data, form, files) = match parse_form(r).await? {
        Some((form, files)) => (String::new(), form, files),
        None => (bytes_to_string(&r.body), json!({}), json!({})),
    };
    let parsed = serde_json::from_slice::<Value>(&r.body).unwrap_or(Value::Null);
    Ok(json!({
        "args": args_of(r),
        "data": data,
        "files": files,
        "form": form,
        "headers": headers_of(r),
        "json": parsed,
        "method": r.method.as_str(),
        "origin": r.origin(),
        "url": r.full_url(),
        "body_len": r.body.len(),
    }))
}

pub(crate) async fn echo(r: &Req) -> Resp {
    match echo_value(r).await {
        Ok(v) => ok_json(&v),
        Err(e) => e,
    }
}
