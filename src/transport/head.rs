//! The request head as every backend sends it, decided once: the authority (`Host` on
//! HTTP/1.1, `:authority` on HTTP/2, the authority of a `wasi:http` request, what fetch
//! derives `Host` from), the request target, and the `Content-Length` that a body of known size
//! announces. User info never goes into any of them: the client turns it into Basic auth, and a
//! transport used on its own drops it.

use http::HeaderValue;
use url::{Position, Url};

use crate::error::{Error, Result};

/// `host[:port]` as the URL serializes it (no user info; a default port is already left out):
/// a slice of the URL, not a new string for every request.
pub(crate) fn authority(url: &Url) -> Result<&str> {
    if !url.has_host() {
        return Err(Error::builder("URL has no host").with_url(url.clone()));
    }
    Ok(&url[Position::BeforeHost..Position::AfterPort])
}

/// The origin form of the request target, `/path?query`.
#[cfg(any(hyper, wasi))]
pub(crate) fn origin_form(url: &Url) -> &str {
    &url[Position::BeforePath..Position::AfterQuery]
}

/// The absolute form of the request target, `scheme://host[:port]/path?query`: what hyper's
/// HTTP/2 takes, and what a request forwarded to an HTTP proxy carries.
#[cfg(hyper)]
pub(crate) fn absolute_form(url: &Url) -> String {
    format!(
        "{}://{}",
        url.scheme(),
        &url[Position::BeforeHost..Position::AfterQuery]
    )
}

/// `Host` for HTTP/1.1: the URL's authority.
#[cfg(hyper)]
pub(crate) fn host_header(url: &Url) -> Result<HeaderValue> {
    HeaderValue::from_str(authority(url)?).map_err(|e| {
        Error::builder("the URL's host is not a valid Host header")
            .with_source(e)
            .with_url(url.clone())
    })
}

/// For a host that derives `Host` from the URL itself (WASI, fetch): `Ok` when the caller's
/// `Host` header says the same (it is then left out), else an `Unsupported` error naming `who`.
#[cfg(any(wasi, web))]
pub(crate) fn check_derived_host(value: &HeaderValue, url: &Url, who: &str) -> Result<()> {
    if value.as_bytes() == authority(url)?.as_bytes() {
        return Ok(());
    }
    Err(Error::new(crate::ErrorKind::Unsupported)
        .with_message(format!(
            "{who} derives Host from the URL: a different Host header cannot be sent"
        ))
        .with_url(url.clone()))
}

/// The `Content-Length` to add to a request: the body's size when it is known and the caller
/// set no framing header of their own, for a body that is not empty or a method that usually
/// carries one (an empty POST, PUT or PATCH is announced as `Content-Length: 0`).
#[cfg(any(hyper, wasi))]
pub(crate) fn content_length(
    method: &http::Method,
    headers: &http::HeaderMap,
    body: &crate::body::Body,
) -> Option<u64> {
    use http::Method;
    let n = body.content_length()?;
    use http::header::{CONTENT_LENGTH, TRANSFER_ENCODING};
    let unset = !headers.contains_key(CONTENT_LENGTH) && !headers.contains_key(TRANSFER_ENCODING);
    let carries_body =
        *method == Method::POST || *method == Method::PUT || *method == Method::PATCH;
    (unset && (n > 0 || carries_body)).then_some(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::body::Body;
    use http::header::TRANSFER_ENCODING;
    use http::{HeaderMap, Method};

    #[cfg(hyper)]
    #[test]
    fn the_head_leaves_user_info_out() {
        let url = Url::parse("https://user:pw@example.com:8443/a/b?q=1#frag").unwrap();
        assert_eq!(authority(&url).unwrap(), "example.com:8443");
        assert_eq!(origin_form(&url), "/a/b?q=1");
        assert_eq!(absolute_form(&url), "https://example.com:8443/a/b?q=1");
        let default_port = Url::parse("http://[::1]:80/").unwrap();
        assert_eq!(authority(&default_port).unwrap(), "[::1]");
    }

    #[cfg(hyper)]
    #[test]
    fn content_length_is_added_once_and_only_where_it_belongs() {
        let none = HeaderMap::new();
        assert_eq!(content_length(&Method::GET, &none, &Body::empty()), None);
        assert_eq!(
            content_length(&Method::POST, &none, &Body::empty()),
            Some(0)
        );
        assert_eq!(
            content_length(&Method::GET, &none, &Body::from("abc")),
            Some(3)
        );
        let mut set = HeaderMap::new();
        set.insert(TRANSFER_ENCODING, HeaderValue::from_static("chunked"));
        assert_eq!(
            content_length(&Method::POST, &set, &Body::from("abc")),
            None
        );
    }

    #[cfg(any(wasi, web))]
    #[test]
    fn a_derived_host_must_match() {
        let url = Url::parse("http://h:8080/").unwrap();
        assert!(check_derived_host(&HeaderValue::from_static("h:8080"), &url, "x").is_ok());
        let e = check_derived_host(&HeaderValue::from_static("other"), &url, "the WASI host")
            .unwrap_err();
        assert!(e.to_string().contains("the WASI host derives Host"), "{e}");
    }
}
