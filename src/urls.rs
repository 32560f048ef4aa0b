//! URLs as a request takes them: the [`IntoUrl`] inputs, a relative URL joined onto the
//! client's base URL (httpx's rules), the checks every URL passes (no control characters, http
//! or https with a host), and the origin rule that decides where credentials may go.

use std::fmt;

use url::Url;

use crate::error::{Error, ErrorKind, Result};
use crate::redact::{RedactedStr, RedactedUrl};

mod sealed {
    pub trait Sealed {}
}

/// Something that names a URL: `&str`, `String` or [`Url`]. A string without a scheme is joined
/// onto the client's `base_url`.
pub trait IntoUrl: sealed::Sealed {
    #[doc(hidden)]
    fn into_url_input(self) -> UrlInput;
}

#[doc(hidden)]
#[derive(Clone)]
pub enum UrlInput {
    Url(Url),
    Str(String),
}

impl fmt::Debug for UrlInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UrlInput::Url(u) => fmt::Debug::fmt(&RedactedUrl(u), f),
            UrlInput::Str(s) => match Url::parse(s) {
                Ok(u) if u.password().is_some() => fmt::Debug::fmt(&RedactedUrl(&u), f),
                _ => fmt::Debug::fmt(s, f),
            },
        }
    }
}

impl sealed::Sealed for &str {}
impl IntoUrl for &str {
    fn into_url_input(self) -> UrlInput {
        UrlInput::Str(self.to_owned())
    }
}
impl sealed::Sealed for String {}
impl IntoUrl for String {
    fn into_url_input(self) -> UrlInput {
        UrlInput::Str(self)
    }
}
impl sealed::Sealed for &String {}
impl IntoUrl for &String {
    fn into_url_input(self) -> UrlInput {
        UrlInput::Str(self.clone())
    }
}
impl sealed::Sealed for Url {}
impl IntoUrl for Url {
    fn into_url_input(self) -> UrlInput {
        UrlInput::Url(self)
    }
}
impl sealed::Sealed for &Url {}
impl IntoUrl for &Url {
    fn into_url_input(self) -> UrlInput {
        UrlInput::Url(self.clone())
    }
}

/// Rejects control characters, which the URL parser would otherwise drop silently.
fn check_chars(s: &str) -> Result<()> {
    if let Some(c) = s.chars().find(|c| c.is_control()) {
        return Err(Error::builder(format!(
            "URL contains the control character {c:?}: {:?}",
            RedactedStr(s)
        )));
    }
    Ok(())
}

/// Parses a base URL, giving its path a trailing slash (as httpx does) so joins append to it.
pub(crate) fn parse_base_url(input: UrlInput) -> Result<Url> {
    let mut url = match input {
        UrlInput::Url(u) => u,
        UrlInput::Str(s) => {
            check_chars(&s)?;
            parse_absolute(&s).map_err(|e| url_error(e, &s))?
        }
    };
    check_scheme(&url)?;
    if !url.path().ends_with('/') {
        let p = format!("{}/", url.path());
        url.set_path(&p);
    }
    Ok(url)
}

/// Resolves a request URL, joining a relative one onto `base` with httpx semantics: the
/// relative path (a leading `/` or not) is appended to the base path.
pub(crate) fn resolve_url(input: UrlInput, base: Option<&Url>) -> Result<Url> {
    let url = match input {
        UrlInput::Url(u) => u,
        UrlInput::Str(s) => {
            check_chars(&s)?;
            match parse_absolute(&s) {
                Ok(u) => u,
                Err(url::ParseError::RelativeUrlWithoutBase) => match base {
                    Some(base) => join_base(base, &s)?,
                    None => {
                        return Err(Error::builder(format!(
                            "relative URL {:?} without a base_url: add a scheme (http:// or https://) or set ClientBuilder::base_url",
                            RedactedStr(&s)
                        )))
                    }
                },
                Err(e) => return Err(url_error(e, &s)),
            }
        }
    };
    check_scheme(&url)?;
    Ok(url)
}

/// Parses an absolute URL.
///
/// International hosts are mapped to ASCII (IDNA) by `url`, through the `idna_adapter` the
/// final program's lock file picks: the Unicode tables by default, or none when the program
/// pins `idna_adapter = "=1.0.0"` to save about 125 kB of wasm (see docs/size.md). In a browser or
/// Node, the host's own WHATWG URL parser does IDNA: a host `url` cannot map is handed to it,
/// so international hosts keep working there without the tables.
fn parse_absolute(s: &str) -> std::result::Result<Url, url::ParseError> {
    match Url::parse(s) {
        Err(url::ParseError::IdnaError) => match crate::platform::host_url_href(s) {
            Some(ascii) => Url::parse(&ascii),
            None => Err(url::ParseError::IdnaError),
        },
        parsed => parsed,
    }
}

/// The builder error for a URL that does not parse.
fn url_error(e: url::ParseError, s: &str) -> Error {
    let mut message = format!("invalid URL {:?}", RedactedStr(s));
    if e == url::ParseError::IdnaError && !s.is_ascii() && !unicode_idna() {
        message.push_str(
            ": this program maps only ASCII hosts (it pins the ASCII-only idna_adapter 1.0); write an international host in its xn-- (punycode) form",
        );
    }
    Error::from(e).with_message(message)
}

/// Whether `url` maps international hosts here (the `idna_adapter` with Unicode tables).
fn unicode_idna() -> bool {
    Url::parse("http://\u{e9}.test/").is_ok()
}

fn join_base(base: &Url, rel: &str) -> Result<Url> {
    let mut joined = base.clone();
    joined.set_query(None);
    joined.set_fragment(None);
    let rel = rel.trim_start_matches('/');
    let (rest, fragment) = match rel.split_once('#') {
        Some((r, f)) => (r, Some(f)),
        None => (rel, None),
    };
    let (path, query) = match rest.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (rest, None),
    };
    let full = format!("{}{}", base.path(), path);
    joined.set_path(&full);
    joined.set_query(query.or(base.query()));
    joined.set_fragment(fragment);
    Ok(joined)
}

pub(crate) fn check_scheme(url: &Url) -> Result<()> {
    match url.scheme() {
        "http" | "https" if url.host().is_some() => Ok(()),
        "http" | "https" => Err(Error::builder("URL has no host").with_url(url.clone())),
        other => Err(Error::new(ErrorKind::Unsupported)
            .with_message(format!(
                "unsupported URL scheme {other:?}: only http and https can be fetched"
            ))
            .with_url(url.clone())),
    }
}

/// The origin triple used to decide whether credentials survive a redirect.
pub(crate) fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::redact::RedactedHeaders;
    use http::HeaderMap;

    fn join(base: &str, rel: &str) -> String {
        let b = parse_base_url(UrlInput::Str(base.into())).unwrap();
        resolve_url(UrlInput::Str(rel.into()), Some(&b))
            .unwrap()
            .to_string()
    }

    #[test]
    fn debug_redacts_credentials() {
        let u = Url::parse("http://user:hunter2@h/p?q=1").unwrap();
        assert_eq!(
            RedactedUrl(&u).to_string(),
            "http://user:[redacted]@h/p?q=1"
        );
        assert_eq!(
            format!("{:?}", RedactedUrl(&u)),
            "\"http://user:[redacted]@h/p?q=1\""
        );
        let s = format!("{:?}", UrlInput::Str("http://:hunter2@h/".into()));
        assert!(!s.contains("hunter2"), "{s}");
        assert_eq!(format!("{:?}", UrlInput::Str("/rel".into())), "\"/rel\"");

        let mut h = HeaderMap::new();
        h.insert("authorization", "Basic dXNlcjpwYXNzd2Q=".parse().unwrap());
        h.insert("proxy-authorization", "Bearer t0ken".parse().unwrap());
        h.insert("cookie", "session=s3cret".parse().unwrap());
        h.insert("set-cookie", "session=s3cret".parse().unwrap());
        let mut token = http::HeaderValue::from_static("k3y");
        token.set_sensitive(true);
        h.insert("x-api-key", token);
        h.insert("accept", "*/*".parse().unwrap());
        let s = format!("{:?}", RedactedHeaders(&h));
        for secret in ["dXNlcjpwYXNzd2Q", "t0ken", "s3cret", "k3y"] {
            assert!(!s.contains(secret), "{s}");
        }
        assert!(s.contains("\"accept\": \"*/*\""), "{s}");
    }

    #[test]
    fn base_url_joins_like_httpx() {
        assert_eq!(join("http://h/api", "/items"), "http://h/api/items");
        assert_eq!(join("http://h/api/", "/items"), "http://h/api/items");
        assert_eq!(join("http://h/api", "items"), "http://h/api/items");
        assert_eq!(join("http://h", "/items?a=1"), "http://h/items?a=1");
        assert_eq!(join("http://h/v1", ""), "http://h/v1/");
        assert_eq!(join("http://h/v1", "http://other/x"), "http://other/x");
    }

    #[test]
    fn urls_that_do_not_parse_keep_their_password_out_of_messages() {
        for bad in [
            "http://user:hunter2@[::1/x",
            "http://user:hunter2@h/a\r\nb",
            "http://user:hunter2@exa mple.com/",
        ] {
            let e = resolve_url(UrlInput::Str(bad.into()), None).unwrap_err();
            for shown in [
                e.to_string(),
                format!("{e:?}"),
                e.display_chain().to_string(),
            ] {
                assert!(!shown.contains("hunter2"), "{shown}");
                assert!(shown.contains("[redacted]"), "{shown}");
            }
        }
        assert_eq!(
            format!("{:?}", RedactedStr("no-scheme@x")),
            "\"no-scheme@x\""
        );
        assert_eq!(
            format!("{:?}", RedactedStr("https://u@h/p:q@r")),
            "\"https://u@h/p:q@r\""
        );
    }

    #[test]
    fn bad_urls_are_builder_errors() {
        let e = resolve_url(UrlInput::Str("/x".into()), None).unwrap_err();
        assert!(e.is_builder(), "{e}");
        let e = resolve_url(UrlInput::Str("http://h/a\r\nX: y".into()), None).unwrap_err();
        assert!(e.is_builder(), "{e}");
        let e = resolve_url(UrlInput::Str("http://[::1".into()), None).unwrap_err();
        assert!(e.is_builder(), "{e}");
        let e = resolve_url(UrlInput::Str("ftp://h/x".into()), None).unwrap_err();
        assert!(e.is_unsupported(), "{e}");
    }

    #[test]
    fn origins() {
        let u = |s| Url::parse(s).unwrap();
        assert!(same_origin(&u("http://a/x"), &u("http://a:80/y")));
        assert!(!same_origin(&u("http://a/x"), &u("https://a/x")));
        assert!(!same_origin(&u("http://a/x"), &u("http://a:81/x")));
        assert!(!same_origin(&u("http://a/x"), &u("http://b/x")));
    }

    /// With `url`'s default IDNA backend an international host is mapped to ASCII; the
    /// ASCII-only backend is tested in `tests/idna-ascii/` (its own lock file pins it).
    #[test]
    fn an_international_host_is_mapped_to_ascii() {
        assert!(unicode_idna());
        let u = resolve_url(UrlInput::Str("http://Bücher.example/x".into()), None).unwrap();
        assert_eq!(u.as_str(), "http://xn--bcher-kva.example/x");
    }
}
