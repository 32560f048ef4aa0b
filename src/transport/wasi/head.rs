//! The head of an exchange in `wasi:http` terms, the same for 0.2 and 0.3: the request's
//! headers as one `fields` list, its target (method, scheme, authority, path), and the response
//! head read back into anyfetch types. What every backend decides alike (the authority, the
//! request target, `Content-Length`) comes from [`crate::transport::head`].

#[cfg(wasip2)]
use ::wasi::http::types as wasi_types;
#[cfg(wasip3)]
use ::wasip3::http::types as wasi_types;
use http::header::{CONTENT_LENGTH, HOST};
use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use url::Url;
use wasi_types::{Fields, HeaderError, Method as WasiMethod, Scheme};

use crate::body::Body;
use crate::error::{Error, ErrorKind, Result};
use crate::response::Response;
use crate::transport::head;

/// The request's headers as the host takes them, in one `fields.from-list` call: every header
/// but `Host` (the host derives it from the authority; another value is refused), and a
/// `Content-Length` for a body of known size.
pub(super) fn request_fields(
    method: &Method,
    url: &Url,
    headers: &HeaderMap,
    body: &Body,
) -> Result<Fields> {
    let mut list: Vec<(String, Vec<u8>)> = Vec::with_capacity(headers.len() + 1);
    for (name, value) in headers {
        if name == HOST {
            // The host sends `Host` from the authority.
            head::check_derived_host(value, url, "the WASI host")?;
            continue;
        }
        list.push((name.as_str().to_owned(), value.as_bytes().to_vec()));
    }
    if let Some(n) = head::content_length(method, headers, body) {
        list.push((
            CONTENT_LENGTH.as_str().to_owned(),
            n.to_string().into_bytes(),
        ));
    }
    // One host call for all the headers. When the host refuses the list, the headers are
    // appended one by one to name the one it refuses.
    match Fields::from_list(&list) {
        Ok(fields) => Ok(fields),
        Err(_) => {
            let fields = Fields::new();
            for (name, value) in &list {
                append(&fields, name, value, url)?;
            }
            Ok(fields)
        }
    }
}

/// Sets the method, scheme, authority and path of a `wasi:http` request (the 0.2
/// `outgoing-request` and the 0.3 `request` have the same setters).
macro_rules! set_target {
    ($request:expr, $method:expr, $url:expr) => {{
        let (request, method, url) = (&$request, $method, $url);
        let authority = $crate::transport::head::authority(url)?;
        let path = $crate::transport::head::origin_form(url);
        let host_refused = $crate::transport::wasi::error::host_refused;
        request
            .set_method(&$crate::transport::wasi::head::wasi_method(method))
            .map_err(|_| host_refused(&format!("the method {method}"), url))?;
        request
            .set_scheme(Some(&$crate::transport::wasi::head::wasi_scheme(url)))
            .map_err(|_| host_refused("the URL scheme", url))?;
        request
            .set_authority(Some(authority))
            .map_err(|_| host_refused("the URL authority", url))?;
        request
            .set_path_with_query(Some(path))
            .map_err(|_| host_refused("the URL path", url))?;
    }};
}
pub(super) use set_target;

pub(super) fn wasi_method(method: &Method) -> WasiMethod {
    match *method {
        Method::GET => WasiMethod::Get,
        Method::HEAD => WasiMethod::Head,
        Method::POST => WasiMethod::Post,
        Method::PUT => WasiMethod::Put,
        Method::DELETE => WasiMethod::Delete,
        Method::CONNECT => WasiMethod::Connect,
        Method::OPTIONS => WasiMethod::Options,
        Method::TRACE => WasiMethod::Trace,
        Method::PATCH => WasiMethod::Patch,
        ref other => WasiMethod::Other(other.as_str().to_owned()),
    }
}

pub(super) fn wasi_scheme(url: &Url) -> Scheme {
    match url.scheme() {
        "https" => Scheme::Https,
        "http" => Scheme::Http,
        other => Scheme::Other(other.to_owned()),
    }
}

// The 0.2 bindings take `&String` and `&Vec<u8>`, the 0.3 ones slices.
#[allow(clippy::ptr_arg)]
fn append(fields: &Fields, name: &String, value: &Vec<u8>, url: &Url) -> Result<()> {
    fields.append(name, value).map_err(|e| {
        let (kind, why) = match e {
            HeaderError::Forbidden => (ErrorKind::Unsupported, "the WASI host forbids it"),
            HeaderError::InvalidSyntax => (ErrorKind::Builder, "the WASI host finds it invalid"),
            HeaderError::Immutable => (ErrorKind::Builder, "the headers are immutable"),
            #[cfg(wasip3)]
            HeaderError::SizeExceeded => {
                (ErrorKind::Builder, "it is larger than the WASI host takes")
            }
            #[cfg(wasip3)]
            HeaderError::Other(_) => (ErrorKind::Builder, "the WASI host refuses it"),
        };
        Error::new(kind)
            .with_message(format!("cannot send the header {name}: {why}"))
            .with_url(url.clone())
    })
}

/// The response head as anyfetch types: the status, the headers from the host's list, and the
/// `Content-Length` the body must reach (none for HEAD answers and 204/304, which carry one
/// without a body).
pub(super) fn response_head(
    status: u16,
    entries: Vec<(String, Vec<u8>)>,
    head: bool,
    url: &Url,
) -> Result<(StatusCode, HeaderMap, Option<u64>)> {
    let status = StatusCode::from_u16(status).map_err(|e| {
        Error::new(ErrorKind::Protocol)
            .with_message("the status code is out of range")
            .with_source(e)
            .with_url(url.clone())
    })?;
    let mut headers = HeaderMap::with_capacity(entries.len());
    for (name, value) in entries {
        let name = HeaderName::from_bytes(name.as_bytes());
        // The host's bytes become the value without a copy.
        let value = HeaderValue::from_maybe_shared(bytes::Bytes::from(value));
        match (name, value) {
            (Ok(n), Ok(v)) => {
                headers.append(n, v);
            }
            _ => {
                return Err(Error::new(ErrorKind::Protocol)
                    .with_message("the response has an invalid header")
                    .with_url(url.clone()))
            }
        }
    }
    let expected = match status.as_u16() {
        _ if head => None,
        204 | 304 => None,
        _ => headers
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok()?.parse().ok()),
    };
    Ok((status, headers, expected))
}

/// A response with `body` as its stream.
pub(super) fn response(
    status: StatusCode,
    headers: HeaderMap,
    body: crate::body::BoxStream,
) -> Response {
    let mut response = Response::new(status, Body::from_result_stream(body));
    *response.headers_mut() = headers;
    response
}
