//! Building the next request of a redirect (httpx `_build_redirect_request`).

use http::header::{
    AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, COOKIE, HOST, LOCATION, PROXY_AUTHORIZATION,
    TRANSFER_ENCODING,
};
use http::{Method, StatusCode};

use crate::body::Body;
use crate::error::{Error, ErrorKind, Result};
use crate::request::Request;
use crate::response::Response;
use crate::urls::same_origin;
use url::Url;

/// The method a redirect is followed with (the fetch standard, as httpx and browsers): 303 turns
/// anything but HEAD into GET, 301 and 302 turn POST into GET; every other redirect keeps the
/// method, and with it the body.
fn redirect_method(method: &Method, status: StatusCode) -> Method {
    match status.as_u16() {
        303 if *method != Method::HEAD => Method::GET,
        301 | 302 if *method == Method::POST => Method::GET,
        _ => method.clone(),
    }
}

/// Whether credentials meant for `from` may go to `to`: the same origin (scheme, host, port),
/// or an upgrade from `http` to `https` on the same host with default ports.
pub(crate) fn keeps_credentials(from: &Url, to: &Url) -> bool {
    let https_upgrade = from.scheme() == "http"
        && to.scheme() == "https"
        && from.host_str() == to.host_str()
        && from.port().is_none()
        && to.port().is_none();
    same_origin(from, to) || https_upgrade
}

/// Makes the request for the next hop from `previous` (a copy of what was sent, its body
/// `None` when it could not be kept) and the redirect `response`.
pub(crate) fn next_request(
    previous: Request,
    previous_body_replayable: bool,
    response: &Response,
) -> Result<Request> {
    let from = previous.url().clone();
    let location = response
        .headers()
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| {
            Error::new(ErrorKind::Redirect)
                .with_message("the redirect's Location header is not valid text")
                .with_url(from.clone())
        })?;
    let mut url = from.join(location).map_err(|e| {
        Error::new(ErrorKind::Redirect)
            .with_message(format!("invalid redirect Location {location:?}"))
            .with_source(e)
            .with_url(from.clone())
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Error::new(ErrorKind::Redirect)
            .with_message(format!(
                "refusing to follow a redirect to a non-http(s) URL: {url}"
            ))
            .with_url(from));
    }
    if url.fragment().is_none() {
        url.set_fragment(from.fragment());
    }
    // Credentials a server puts in a Location are not ours to send (nor to show).
    let _ = url.set_username("");
    let _ = url.set_password(None);
    let status = response.status();
    let method = redirect_method(previous.method(), status);
    // A redirect that keeps the method keeps the body (a PUT answered by 301 re-sends what it
    // sent); one that turns the request into a GET, and any 303 ("see other": a retrieval),
    // sends none.
    let keeps_body = method == *previous.method() && status != StatusCode::SEE_OTHER;

    let (mut parts, body) = previous.into_parts();
    parts.headers.remove(HOST);
    // The jar adds the cookies that belong to the new URL when the hop is sent.
    parts.headers.remove(COOKIE);
    if !keeps_credentials(&from, &url) {
        parts.headers.remove(AUTHORIZATION);
        parts.headers.remove(PROXY_AUTHORIZATION);
    }
    let body = if keeps_body {
        if !previous_body_replayable {
            return Err(Error::new(ErrorKind::Redirect)
                .with_message(format!(
                    "a {status} redirect must re-send the request body, and a streamed body cannot be re-sent"
                ))
                .with_url(url));
        }
        body
    } else {
        parts.headers.remove(CONTENT_LENGTH);
        parts.headers.remove(CONTENT_TYPE);
        parts.headers.remove(TRANSFER_ENCODING);
        Body::empty()
    };
    parts.method = method;
    parts.url = url;
    Ok(Request::from_parts(parts, body))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(method: Method, url: &str) -> Request {
        let mut r = Request::new(method, url.parse().unwrap());
        r.headers_mut()
            .insert(AUTHORIZATION, "Basic x".parse().unwrap());
        r.headers_mut().insert(COOKIE, "a=1".parse().unwrap());
        r.headers_mut()
            .insert(CONTENT_TYPE, "text/plain".parse().unwrap());
        *r.body_mut() = Body::from("data");
        r
    }

    fn redirect(status: u16, location: &str) -> Response {
        let mut r = Response::new(status, ());
        r.headers_mut().insert(LOCATION, location.parse().unwrap());
        r
    }

    #[test]
    fn methods_and_bodies() {
        for (status, method, want, body) in [
            (301, Method::POST, Method::GET, false),
            (301, Method::PUT, Method::PUT, true),
            (302, Method::POST, Method::GET, false),
            (302, Method::PATCH, Method::PATCH, true),
            (302, Method::DELETE, Method::DELETE, true),
            (303, Method::PUT, Method::GET, false),
            (303, Method::POST, Method::GET, false),
            (303, Method::HEAD, Method::HEAD, false),
            (307, Method::POST, Method::POST, true),
            (308, Method::PUT, Method::PUT, true),
        ] {
            let next =
                next_request(req(method, "http://a/x"), true, &redirect(status, "/y")).unwrap();
            assert_eq!(*next.method(), want, "{status}");
            assert_eq!(
                next.body().as_bytes().map(|b| !b.is_empty()),
                Some(body),
                "{status}"
            );
            assert_eq!(next.headers().contains_key(CONTENT_TYPE), body, "{status}");
            assert_eq!(next.url().as_str(), "http://a/y");
        }
    }

    #[test]
    fn credentials_dropped_across_origins() {
        let same =
            next_request(req(Method::GET, "http://a/x"), true, &redirect(302, "/y")).unwrap();
        assert!(same.headers().contains_key(AUTHORIZATION));
        let other = next_request(
            req(Method::GET, "http://a/x"),
            true,
            &redirect(302, "http://b/y"),
        )
        .unwrap();
        assert!(!other.headers().contains_key(AUTHORIZATION));
        let port = next_request(
            req(Method::GET, "http://a/x"),
            true,
            &redirect(302, "http://a:8080/y"),
        )
        .unwrap();
        assert!(!port.headers().contains_key(AUTHORIZATION));
        let upgrade = next_request(
            req(Method::GET, "http://a/x"),
            true,
            &redirect(302, "https://a/y"),
        )
        .unwrap();
        assert!(upgrade.headers().contains_key(AUTHORIZATION));
        let downgrade = next_request(
            req(Method::GET, "https://a/x"),
            true,
            &redirect(302, "http://a/y"),
        )
        .unwrap();
        assert!(!downgrade.headers().contains_key(AUTHORIZATION));
        assert!(!other.headers().contains_key(COOKIE));
    }

    #[test]
    fn refusals() {
        let e = next_request(
            req(Method::GET, "http://a/x"),
            true,
            &redirect(302, "ftp://a/y"),
        )
        .unwrap_err();
        assert!(e.is_redirect(), "{e}");
        let e =
            next_request(req(Method::POST, "http://a/x"), false, &redirect(307, "/y")).unwrap_err();
        assert!(e.is_redirect() && e.to_string().contains("streamed"), "{e}");
        let ok = next_request(req(Method::POST, "http://a/x"), false, &redirect(303, "/y"));
        assert!(ok.is_ok());
    }

    #[test]
    fn fragment_is_kept() {
        let next = next_request(
            req(Method::GET, "http://a/x#frag"),
            true,
            &redirect(302, "/y"),
        )
        .unwrap();
        assert_eq!(next.url().as_str(), "http://a/y#frag");
    }
}
