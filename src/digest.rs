//! HTTP Digest authentication (RFC 7616): MD5, SHA-256, SHA-512 and their `-sess` variants,
//! `qop=auth` and `qop=auth-int`, run on the [`Auth`] step machine.

use std::sync::Mutex;

use http::header::{HeaderValue, AUTHORIZATION, WWW_AUTHENTICATE};
use http::StatusCode;
use md5::Md5;
use sha2::{Digest as _, Sha256, Sha512};

use crate::auth::{Auth, AuthContext, AuthStep};
use crate::error::{Error, Result};
use crate::request::Request;
use crate::response::Response;

/// HTTP Digest authentication (httpx `DigestAuth`).
///
/// The first request goes out without credentials; a `401` with a `Digest` challenge is answered
/// once. The challenge is remembered, so later requests through the same `DigestAuth` (set on a
/// client) to the same origin authenticate up front with an incremented nonce count; a request
/// to another origin waits for its own challenge.
pub struct DigestAuth {
    username: String,
    password: String,
    /// The challenge last answered, the origin that sent it (its protection space), and the
    /// nonce count.
    state: Mutex<Option<(String, Challenge, u32)>>,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Challenge {
    realm: String,
    nonce: String,
    algorithm: String,
    opaque: Option<String>,
    qop: Option<String>,
}

impl DigestAuth {
    /// Credentials for `username` and `password`.
    pub fn new(username: impl Into<String>, password: impl Into<String>) -> Self {
        DigestAuth {
            username: username.into(),
            password: password.into(),
            state: Mutex::new(None),
        }
    }

    fn authorize(&self, request: &mut Request, challenge: &Challenge, nc: u32) -> Result<()> {
        let cnonce = format!("{:016x}", fastrand::u64(..));
        let value = digest_header(
            &self.username,
            &self.password,
            challenge,
            request,
            nc,
            &cnonce,
        )?;
        let mut v = HeaderValue::from_str(&value).map_err(|e| {
            Error::builder("digest credentials are not a valid header value").with_source(e)
        })?;
        v.set_sensitive(true);
        request.headers_mut().insert(AUTHORIZATION, v);
        Ok(())
    }
}

impl std::fmt::Debug for DigestAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DigestAuth")
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

impl Auth for DigestAuth {
    async fn on_request(&self, request: &mut Request, _: &AuthContext) -> Result<()> {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let origin = origin_key(request.url());
        // Up front only within the protection space the challenge came from: never to another
        // origin.
        if let Some((_, challenge, nc)) = state.as_mut().filter(|(o, _, _)| *o == origin) {
            *nc += 1;
            let (challenge, nc) = (challenge.clone(), *nc);
            drop(state);
            self.authorize(request, &challenge, nc)?;
        }
        Ok(())
    }

    async fn on_response(
        &self,
        request: &mut Request,
        response: &Response,
        attempt: u32,
        _: &AuthContext,
    ) -> Result<AuthStep> {
        if response.status() != StatusCode::UNAUTHORIZED || attempt > 0 {
            return Ok(AuthStep::Done);
        }
        let Some(challenge) = response
            .headers()
            .get_all(WWW_AUTHENTICATE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(parse_challenge)
        else {
            return Ok(AuthStep::Done);
        };
        let origin = origin_key(request.url());
        *self.state.lock().unwrap_or_else(|e| e.into_inner()) =
            Some((origin, challenge.clone(), 1));
        self.authorize(request, &challenge, 1)?;
        Ok(AuthStep::Retry)
    }
}

/// The protection space a challenge belongs to: the origin, `scheme://host[:port]`.
fn origin_key(url: &url::Url) -> String {
    format!(
        "{}://{}",
        url.scheme(),
        &url[url::Position::BeforeHost..url::Position::AfterPort]
    )
}

/// Parses `Digest realm="..", nonce="..", ...`; `None` for another scheme or a challenge
/// without a nonce.
pub(crate) fn parse_challenge(header: &str) -> Option<Challenge> {
    let (scheme, rest) = header.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("digest") {
        return None;
    }
    let mut realm = None;
    let mut nonce = None;
    let mut algorithm = "MD5".to_string();
    let mut opaque = None;
    let mut qop = None;
    for (k, v) in parse_params(rest) {
        match k.to_ascii_lowercase().as_str() {
            "realm" => realm = Some(v),
            "nonce" => nonce = Some(v),
            "algorithm" => algorithm = v,
            "opaque" => opaque = Some(v),
            "qop" => qop = Some(v),
            _ => {}
        }
    }
    Some(Challenge {
        realm: realm.unwrap_or_default(),
        nonce: nonce?,
        algorithm,
        opaque,
        qop,
    })
}

/// Splits `k=v, k="quoted, value"` pairs.
fn parse_params(s: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut chars = s.chars().peekable();
    loop {
        while matches!(chars.peek(), Some(c) if *c == ',' || c.is_whitespace()) {
            chars.next();
        }
        let key: String = chars.by_ref().take_while(|c| *c != '=').collect();
        if key.is_empty() {
            break;
        }
        let mut value = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => value.extend(chars.next()),
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
        }
        out.push((key.trim().to_string(), value.trim().to_string()));
    }
    out
}

fn hash(algorithm: &str, data: &[u8]) -> Result<String> {
    let base = algorithm
        .trim_end_matches("-sess")
        .trim_end_matches("-SESS");
    let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
    match base.to_ascii_uppercase().as_str() {
        "MD5" => Ok(hex(&Md5::digest(data))),
        "SHA-256" => Ok(hex(&Sha256::digest(data))),
        "SHA-512" => Ok(hex(&Sha512::digest(data))),
        other => Err(Error::new(crate::ErrorKind::Unsupported)
            .with_message(format!("unsupported digest algorithm {other:?}"))),
    }
}

pub(crate) fn digest_header(
    user: &str,
    pass: &str,
    ch: &Challenge,
    request: &Request,
    nc: u32,
    cnonce: &str,
) -> Result<String> {
    let alg = &ch.algorithm;
    let h = |s: &str| hash(alg, s.as_bytes());
    let url = request.url();
    let uri = match url.query() {
        Some(q) => format!("{}?{}", url.path(), q),
        None => url.path().to_string(),
    };
    let mut ha1 = h(&format!("{user}:{}:{pass}", ch.realm))?;
    if alg.to_ascii_lowercase().ends_with("-sess") {
        ha1 = h(&format!("{ha1}:{}:{cnonce}", ch.nonce))?;
    }
    let offered: Vec<&str> = ch
        .qop
        .as_deref()
        .map(|q| q.split(',').map(str::trim).collect())
        .unwrap_or_default();
    let qop = if offered.is_empty() {
        None
    } else if offered.contains(&"auth") {
        Some("auth")
    } else if offered.contains(&"auth-int") {
        Some("auth-int")
    } else {
        return Err(Error::new(crate::ErrorKind::Unsupported)
            .with_message(format!("unsupported digest qop {:?}", ch.qop)));
    };
    let ha2 = if qop == Some("auth-int") {
        let body = request.body().as_bytes().ok_or_else(|| {
            Error::builder("digest qop=auth-int needs a body held in memory, not a stream")
        })?;
        h(&format!("{}:{uri}:{}", request.method(), hash(alg, body)?))?
    } else {
        h(&format!("{}:{uri}", request.method()))?
    };
    let nc = format!("{nc:08x}");
    let response = match qop {
        Some(q) => h(&format!("{ha1}:{}:{nc}:{cnonce}:{q}:{ha2}", ch.nonce))?,
        None => h(&format!("{ha1}:{}:{ha2}", ch.nonce))?,
    };
    let q = |s: &str| s.replace('\\', "\\\\").replace('"', "\\\"");
    let mut out = format!(
        "Digest username=\"{}\", realm=\"{}\", nonce=\"{}\", uri=\"{}\", response=\"{response}\", algorithm={alg}",
        q(user),
        q(&ch.realm),
        q(&ch.nonce),
        q(&uri)
    );
    if let Some(o) = &ch.opaque {
        out.push_str(&format!(", opaque=\"{}\"", q(o)));
    }
    if let Some(qop) = qop {
        out.push_str(&format!(", qop={qop}, nc={nc}, cnonce=\"{cnonce}\""));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_2617_example() {
        // RFC 2617 section 3.5.
        let ch = parse_challenge(
            r#"Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41""#,
        )
        .unwrap();
        assert_eq!(ch.realm, "testrealm@host.com");
        assert_eq!(ch.qop.as_deref(), Some("auth,auth-int"));
        let req = Request::new(
            http::Method::GET,
            "http://www.nowhere.org/dir/index.html".parse().unwrap(),
        );
        let h = digest_header("Mufasa", "Circle Of Life", &ch, &req, 1, "0a4f113b").unwrap();
        assert!(
            h.contains(r#"response="6629fae49393a05397450978507c4ef1""#),
            "{h}"
        );
        assert!(h.contains("nc=00000001"), "{h}");
        assert!(
            h.contains(r#"opaque="5ccc069c403ebaf9f0171e9517f40e41""#),
            "{h}"
        );
    }

    #[test]
    fn rfc_7616_sha256_example() {
        // RFC 7616 section 3.9.1.
        let ch = parse_challenge(
            r#"Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=SHA-256, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS""#,
        )
        .unwrap();
        let req = Request::new(
            http::Method::GET,
            "http://h/dir/index.html".parse().unwrap(),
        );
        let h = digest_header(
            "Mufasa",
            "Circle of Life",
            &ch,
            &req,
            1,
            "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
        )
        .unwrap();
        assert!(
            h.contains(
                r#"response="753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1""#
            ),
            "{h}"
        );
    }

    #[test]
    fn other_schemes_are_ignored() {
        assert!(parse_challenge("Basic realm=\"x\"").is_none());
        assert!(parse_challenge("Digest realm=\"x\"").is_none());
    }
}
