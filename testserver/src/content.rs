//! Small routes: status, redirects, cookies, documents, response-headers, retry, base64, ...

use base64::Engine;
use hyper::header::{self, HeaderName, HeaderValue};
use hyper::StatusCode;
use serde_json::{json, Value};

use crate::req::Req;
use crate::util::{
    append, bad_request, json, multi_map, ok_json, set, status_only, text, with_body, Resp,
};

/// `/status/{code}`: that status, empty body.
pub(crate) fn status(code: &str) -> Result<Resp, Resp> {
    let code: u16 = code
        .parse()
        .map_err(|_| bad_request("invalid status code"))?;
    if !(200..=599).contains(&code) {
        return Err(bad_request("invalid status code"));
    }
    let status = StatusCode::from_u16(code).map_err(|_| bad_request("invalid status code"))?;
    let mut resp = status_only(status);
    if (300..400).contains(&code) {
        set(&mut resp, header::LOCATION, "/redirect/1");
    }
    if code == 401 {
        set(
            &mut resp,
            header::WWW_AUTHENTICATE,
            "Basic realm=\"Fake Realm\"",
        );
    }
    Ok(resp)
}

fn found(location: &str) -> Result<Resp, Resp> {
    let mut resp = status_only(StatusCode::FOUND);
    let v = HeaderValue::from_str(location).map_err(|_| bad_request("invalid location"))?;
    resp.headers_mut().insert(header::LOCATION, v);
    Ok(resp)
}

/// `/redirect/{n}`, `/relative-redirect/{n}`, `/absolute-redirect/{n}`.
pub(crate) fn redirect(r: &Req, n: &str, route: &str, absolute: bool) -> Result<Resp, Resp> {
    let n: u32 = n
        .parse()
        .map_err(|_| bad_request("invalid redirect count"))?;
    if n == 0 {
        return Err(bad_request("redirect count must be at least 1"));
    }
    let route = if absolute { "absolute-redirect" } else { route };
    let path = if n == 1 {
        "/get".to_string()
    } else {
        format!("/{route}/{}", n - 1)
    };
    if absolute {
        found(&format!("{}{path}", r.base_url()))
    } else {
        found(&path)
    }
}

/// `/redirect-to?url=U&status_code=C` (C must be 3xx, else 302).
pub(crate) fn redirect_to(r: &Req) -> Result<Resp, Resp> {
    let url = r.q("url").ok_or_else(|| bad_request("missing url"))?;
    let code: u16 = r.q_parse("status_code", 302)?;
    let code = if (300..400).contains(&code) {
        code
    } else {
        302
    };
    let mut resp = found(url)?;
    *resp.status_mut() = StatusCode::from_u16(code).unwrap_or(StatusCode::FOUND);
    Ok(resp)
}

/// `/cookies`: the Cookie header as an object.
pub(crate) fn cookies(r: &Req) -> Resp {
    let mut m = serde_json::Map::new();
    for v in r.headers.get_all(header::COOKIE) {
        for pair in String::from_utf8_lossy(v.as_bytes()).split(';') {
            if let Some((k, v)) = pair.trim().split_once('=') {
                m.insert(k.trim().to_string(), Value::String(v.trim().to_string()));
            }
        }
    }
    ok_json(&json!({"cookies": m}))
}

/// `/cookies/set...`: Set-Cookie for each pair, then 302 to `/cookies`.
pub(crate) fn set_cookies(pairs: Vec<(String, String)>) -> Resp {
    let mut resp = status_only(StatusCode::FOUND);
    set(&mut resp, header::LOCATION, "/cookies");
    for (k, v) in pairs {
        append(&mut resp, header::SET_COOKIE, &format!("{k}={v}; Path=/"));
    }
    resp
}

/// `/cookies/delete?name`: expire each named cookie, then 302 to `/cookies`.
pub(crate) fn delete_cookies(r: &Req) -> Resp {
    let mut resp = status_only(StatusCode::FOUND);
    set(&mut resp, header::LOCATION, "/cookies");
    for (k, _) in &r.query {
        let c = format!("{k}=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/");
        append(&mut resp, header::SET_COOKIE, &c);
    }
    resp
}

pub(crate) fn json_doc() -> Resp {
    ok_json(&json!({
        "slideshow": {
            "author": "Yours Truly",
            "date": "date of publication",
            "slides": [
                {"title": "Wake up to WonderWidgets!", "type": "all"},
                {"items": ["Why <em>WonderWidgets</em> are great", "Who <em>buys</em> WonderWidgets"],
                 "title": "Overview", "type": "all"}
            ],
            "title": "Sample Slide Show"
        }
    }))
}

pub(crate) fn html() -> Resp {
    text(
        StatusCode::OK,
        "text/html; charset=utf-8",
        "<!DOCTYPE html>\n<html>\n  <head>\n  </head>\n  <body>\n      <h1>Herman Melville - Moby-Dick</h1>\n      <div>\n        <p>Availing himself of the mild, summer-cool weather that now reigned in these latitudes...</p>\n      </div>\n  </body>\n</html>\n",
    )
}

pub(crate) fn xml() -> Resp {
    text(
        StatusCode::OK,
        "application/xml",
        "<?xml version='1.0' encoding='us-ascii'?>\n<slideshow title=\"Sample Slide Show\" date=\"Date of publication\" author=\"Yours Truly\">\n    <slide type=\"all\">\n      <title>Wake up to WonderWidgets!</title>\n    </slide>\n</slideshow>\n",
    )
}

pub(crate) fn utf8() -> Resp {
    text(
        StatusCode::OK,
        "text/html; charset=utf-8",
        "<h1>Unicode Demo</h1>\n<p>café naïve — 日本語 — Ελληνικά — ∑ ∞ ≠ — 😀</p>\n",
    )
}

/// `/charset/latin1`: "café" in ISO-8859-1.
pub(crate) fn charset(name: &str) -> Result<Resp, Resp> {
    match name.to_ascii_lowercase().as_str() {
        "latin1" | "iso-8859-1" => Ok(text(
            StatusCode::OK,
            "text/plain; charset=ISO-8859-1",
            &b"caf\xe9"[..],
        )),
        _ => Err(crate::util::not_found()),
    }
}

/// `/response-headers?K=V&...`: each pair as a header, and the args as JSON.
pub(crate) fn response_headers(r: &Req) -> Result<Resp, Resp> {
    let doc = multi_map(
        r.query
            .iter()
            .map(|(k, v)| (k.as_str(), Value::String(v.clone()))),
    );
    let mut resp = ok_json(&doc);
    let mut seen = Vec::new();
    for (k, v) in &r.query {
        let name =
            HeaderName::from_bytes(k.as_bytes()).map_err(|_| bad_request("bad header name"))?;
        let value = HeaderValue::from_str(v).map_err(|_| bad_request("bad header value"))?;
        if seen.contains(&name) {
            resp.headers_mut().append(name, value);
        } else {
            seen.push(name.clone());
            resp.headers_mut().insert(name, value);
        }
    }
    Ok(resp)
}

/// `/retry/{key}?fail=N&status=S&retry_after=R`.
pub(crate) fn retry(r: &Req, key: &str) -> Result<Resp, Resp> {
    let fail: u64 = r.q_parse("fail", 1)?;
    let code: u16 = r.q_parse("status", 503)?;
    let status = StatusCode::from_u16(code).map_err(|_| bad_request("invalid status"))?;
    let attempts = match r.ctx.state.retries.lock() {
        Ok(mut m) => {
            let c = m.entry(key.to_string()).or_insert(0);
            *c += 1;
            *c
        }
        Err(_) => return Err(bad_request("state poisoned")),
    };
    if attempts <= fail {
        let mut resp = json(status, &json!({"attempts": attempts}));
        if let Some(ra) = r.q("retry_after") {
            set(&mut resp, header::RETRY_AFTER, ra);
        }
        return Ok(resp);
    }
    Ok(ok_json(&json!({"attempts": attempts})))
}

/// `/retry-count/{key}`: the attempts so far, without counting this one.
pub(crate) fn retry_count(r: &Req, key: &str) -> Resp {
    let attempts = match r.ctx.state.retries.lock() {
        Ok(m) => m.get(key).copied().unwrap_or(0),
        Err(_) => 0,
    };
    ok_json(&json!({"attempts": attempts}))
}

/// `/base64/{value}`: URL-safe or standard base64, padded or not.
pub(crate) fn base64(value: &str) -> Result<Resp, Resp> {
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    let v = crate::req::pct_decode(value);
    let decoded = [URL_SAFE, URL_SAFE_NO_PAD, STANDARD, STANDARD_NO_PAD]
        .iter()
        .find_map(|e| e.decode(&v).ok())
        .ok_or_else(|| bad_request("invalid base64"))?;
    Ok(text(StatusCode::OK, "text/html; charset=utf-8", decoded))
}

pub(crate) fn uuid() -> Resp {
    let mut b = crate::util::seeded_bytes(16, None);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    let id = format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    );
    ok_json(&json!({"uuid": id}))
}

/// `/cache`: 304 with If-Modified-Since / If-None-Match, else the echo with validators.
pub(crate) async fn cache(r: &Req) -> Resp {
    if r.headers.contains_key(header::IF_MODIFIED_SINCE)
        || r.headers.contains_key(header::IF_NONE_MATCH)
    {
        return status_only(StatusCode::NOT_MODIFIED);
    }
    let mut resp = crate::echo::echo(r).await;
    set(
        &mut resp,
        header::LAST_MODIFIED,
        "Wed, 21 Oct 2015 07:28:00 GMT",
    );
    set(
        &mut resp,
        header::ETAG,
        &format!("\"{}\"", crate::util::random_hex(16)),
    );
    resp
}

/// `/echo`: the request body back with the request's Content-Type.
pub(crate) fn echo_raw(r: &Req) -> Resp {
    let ct = r
        .header("content-type")
        .unwrap_or("application/octet-stream");
    let mut resp = with_body(StatusCode::OK, ct, crate::util::full(r.body.clone()));
    if r.headers.get(header::CONTENT_TYPE).is_none() {
        resp.headers_mut().remove(header::CONTENT_TYPE);
    }
    resp
}

/// `/tls/client-cert`: the certificate the client presented in the TLS handshake, as
/// `{"client_cert": "<base64 of the DER>"}`, or `null` without one (or over plain HTTP).
pub(crate) fn client_cert(r: &Req) -> Resp {
    let cert = r
        .ctx
        .client_cert
        .as_ref()
        .map(|der| base64::engine::general_purpose::STANDARD.encode(der.as_slice()));
    ok_json(&json!({ "client_cert": cert }))
}
