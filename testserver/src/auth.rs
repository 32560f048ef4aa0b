//! Basic, Bearer and Digest (RFC 7616) authentication routes.

use std::collections::HashMap;

use base64::Engine;
use hyper::header::{SET_COOKIE, WWW_AUTHENTICATE};
use hyper::StatusCode;
use md5::Md5;
use serde_json::json;
use sha2::{Digest, Sha256, Sha512};

use crate::req::Req;
use crate::util::{ok_json, random_hex, set, status_only, Resp};

const REALM: &str = "me@kennethreitz.com";

fn authorization(r: &Req) -> Option<&str> {
    r.header("authorization")
}

/// Splits `Scheme rest` and checks the scheme case-insensitively.
fn strip_scheme<'a>(value: &'a str, scheme: &str) -> Option<&'a str> {
    let (s, rest) = value.trim().split_once(' ')?;
    s.eq_ignore_ascii_case(scheme).then(|| rest.trim())
}

/// `/basic-auth/{user}/{passwd}` and `/hidden-basic-auth/...` (404 instead of 401).
pub(crate) fn basic(r: &Req, user: &str, passwd: &str, hidden: bool) -> Resp {
    let ok = authorization(r)
        .and_then(|v| strip_scheme(v, "Basic"))
        .and_then(|b64| base64::engine::general_purpose::STANDARD.decode(b64).ok())
        .map(|raw| raw == format!("{user}:{passwd}").as_bytes())
        .unwrap_or(false);
    if ok {
        return ok_json(&json!({"authenticated": true, "user": user}));
    }
    if hidden {
        return crate::util::not_found();
    }
    let mut resp = status_only(StatusCode::UNAUTHORIZED);
    set(&mut resp, WWW_AUTHENTICATE, "Basic realm=\"Fake Realm\"");
    resp
}

/// `/bearer`: 200 with the token, else 401 `WWW-Authenticate: Bearer`.
pub(crate) fn bearer(r: &Req) -> Resp {
    match authorization(r).and_then(|v| strip_scheme(v, "Bearer")) {
        Some(token) if !token.is_empty() => {
            ok_json(&json!({"authenticated": true, "token": token}))
        }
        _ => {
            let mut resp = status_only(StatusCode::UNAUTHORIZED);
            set(&mut resp, WWW_AUTHENTICATE, "Bearer");
            resp
        }
    }
}

/// `POST /oauth/{key}/token`: issues a new access token for `key`, `tok-{key}-{n}`, and with
/// it revokes every earlier one (each key is its own little authorization server).
pub(crate) fn oauth_token(r: &Req, key: &str) -> Resp {
    if r.method != hyper::Method::POST {
        return crate::util::method_not_allowed("POST");
    }
    let n = match r.ctx.state.retries.lock() {
        Ok(mut m) => {
            let c = m.entry(format!("oauth:{key}")).or_insert(0);
            *c += 1;
            *c
        }
        Err(_) => return status_only(StatusCode::INTERNAL_SERVER_ERROR),
    };
    ok_json(&json!({
        "access_token": format!("tok-{key}-{n}"),
        "token_type": "Bearer",
        "expires_in": 3600,
    }))
}

/// `/oauth/{key}/resource`: 200 for the latest token issued for `key`, else 401 with
/// `WWW-Authenticate: Bearer error="invalid_token"`.
pub(crate) fn oauth_resource(r: &Req, key: &str) -> Resp {
    let latest = r
        .ctx
        .state
        .retries
        .lock()
        .ok()
        .and_then(|m| m.get(&format!("oauth:{key}")).copied());
    let presented = authorization(r).and_then(|v| strip_scheme(v, "Bearer"));
    match (latest, presented) {
        (Some(n), Some(token)) if token == format!("tok-{key}-{n}") => {
            ok_json(&json!({"authenticated": true, "token": token}))
        }
        _ => {
            let mut resp = status_only(StatusCode::UNAUTHORIZED);
            set(
                &mut resp,
                WWW_AUTHENTICATE,
                "Bearer error=\"invalid_token\"",
            );
            resp
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Hash {
    Md5,
    Sha256,
    Sha512,
}

impl Hash {
    fn hex(self, data: &[u8]) -> String {
        let out: Vec<u8> = match self {
            Hash::Md5 => Md5::digest(data).to_vec(),
            Hash::Sha256 => Sha256::digest(data).to_vec(),
            Hash::Sha512 => Sha512::digest(data).to_vec(),
        };
        out.iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// The route's algorithm: canonical name, hash, and whether it is a `-sess` variant.
fn algorithm(name: Option<&str>) -> (&'static str, Hash, bool) {
    match name.map(str::to_ascii_uppercase).as_deref() {
        Some("SHA-256") => ("SHA-256", Hash::Sha256, false),
        Some("SHA-512") => ("SHA-512", Hash::Sha512, false),
        Some("MD5-SESS") => ("MD5-sess", Hash::Md5, true),
        Some("SHA-256-SESS") => ("SHA-256-sess", Hash::Sha256, true),
        Some("SHA-512-SESS") => ("SHA-512-sess", Hash::Sha512, true),
        _ => ("MD5", Hash::Md5, false),
    }
}

/// Parses `k=v, k="quoted, \"v\""` auth-params; keys lowercased.
pub(crate) fn parse_params(s: &str) -> HashMap<String, String> {
    let mut out = HashMap::new();
    let mut chars = s.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| *c == ',' || c.is_whitespace()) {
            chars.next();
        }
        let mut key = String::new();
        while let Some(&c) = chars.peek() {
            if c == '=' || c == ',' {
                break;
            }
            key.push(c);
            chars.next();
        }
        if key.is_empty() && chars.peek().is_none() {
            break;
        }
        let mut value = String::new();
        if chars.peek() == Some(&'=') {
            chars.next();
            while chars.peek().is_some_and(|c| c.is_whitespace()) {
                chars.next();
            }
            if chars.peek() == Some(&'"') {
                chars.next();
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => {
                            if let Some(n) = chars.next() {
                                value.push(n);
                            }
                        }
                        '"' => break,
                        c => value.push(c),
                    }
                }
            } else {
                while let Some(&c) = chars.peek() {
                    if c == ',' {
                        break;
                    }
                    value.push(c);
                    chars.next();
                }
                value = value.trim().to_string();
            }
        }
        let key = key.trim().to_ascii_lowercase();
        if !key.is_empty() {
            out.insert(key, value);
        }
        if chars.peek().is_none() {
            break;
        }
    }
    out
}

/// `/digest-auth/{qop}/{user}/{passwd}[/{algorithm}]`.
pub(crate) fn digest(r: &Req, qop: &str, user: &str, passwd: &str, alg: Option<&str>) -> Resp {
    let (alg_name, hash, sess) = algorithm(alg);
    // httpbin: `auth` and `auth-int` offer that qop; anything else offers both and also
    // accepts the legacy (RFC 2069) qop-less response.
    let offered: &[&str] = match qop {
        "auth" => &["auth"],
        "auth-int" => &["auth-int"],
        _ => &["auth", "auth-int"],
    };
    let legacy_ok = offered.len() == 2;
    let verified = authorization(r)
        .and_then(|v| strip_scheme(v, "Digest"))
        .map(|p| {
            verify(
                r,
                &parse_params(p),
                user,
                passwd,
                (alg_name, hash, sess),
                offered,
                legacy_ok,
            )
        })
        .unwrap_or(false);
    if verified {
        return ok_json(&json!({"authenticated": true, "user": user}));
    }
    let nonce = random_hex(16);
    let opaque = random_hex(16);
    if let Ok(mut map) = r.ctx.state.digest_nonces.lock() {
        map.insert(nonce.clone(), opaque.clone());
    }
    let challenge = format!(
        "Digest realm=\"{REALM}\", nonce=\"{nonce}\", qop=\"{}\", opaque=\"{opaque}\", algorithm={alg_name}, stale=FALSE",
        offered.join(",")
    );
    let mut resp = status_only(StatusCode::UNAUTHORIZED);
    set(&mut resp, WWW_AUTHENTICATE, &challenge);
    set(&mut resp, SET_COOKIE, "fake=fake_value");
    resp
}

fn verify(
    r: &Req,
    p: &HashMap<String, String>,
    user: &str,
    passwd: &str,
    (alg_name, hash, sess): (&str, Hash, bool),
    offered: &[&str],
    legacy_ok: bool,
) -> bool {
    let get = |k: &str| p.get(k).map(String::as_str);
    let (Some(username), Some(nonce), Some(uri), Some(response)) =
        (get("username"), get("nonce"), get("uri"), get("response"))
    else {
        return false;
    };
    if username != user || get("realm") != Some(REALM) {
        return false;
    }
    if !get("algorithm")
        .unwrap_or("MD5")
        .eq_ignore_ascii_case(alg_name)
    {
        return false;
    }
    let issued_opaque = match r.ctx.state.digest_nonces.lock() {
        Ok(map) => map.get(nonce).cloned(),
        Err(_) => None,
    };
    match issued_opaque {
        Some(o) if get("opaque") == Some(o.as_str()) => {}
        _ => return false,
    }
    if uri != r.path_and_query() && uri != r.full_url() {
        return false;
    }
    let cnonce = get("cnonce");
    let client_qop = get("qop");
    let mut ha1 = hash.hex(format!("{user}:{REALM}:{passwd}").as_bytes());
    if sess {
        let Some(cn) = cnonce else { return false };
        ha1 = hash.hex(format!("{ha1}:{nonce}:{cn}").as_bytes());
    }
    let method = r.method.as_str();
    let ha2 = match client_qop {
        Some("auth-int") => {
            let body_hash = hash.hex(&r.body);
            hash.hex(format!("{method}:{uri}:{body_hash}").as_bytes())
        }
        _ => hash.hex(format!("{method}:{uri}").as_bytes()),
    };
    let expected = match client_qop {
        Some(q) => {
            if !offered.contains(&q) {
                return false;
            }
            let (Some(nc), Some(cn)) = (get("nc"), cnonce) else {
                return false;
            };
            hash.hex(format!("{ha1}:{nonce}:{nc}:{cn}:{q}:{ha2}").as_bytes())
        }
        None if legacy_ok => hash.hex(format!("{ha1}:{nonce}:{ha2}").as_bytes()),
        None => return false,
    };
    expected.eq_ignore_ascii_case(response)
}
