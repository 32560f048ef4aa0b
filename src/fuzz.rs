//! Entry points for the fuzz targets in `fuzz/` (feature `fuzzing`, off by default; not a
//! public API). Each takes untrusted bytes or text, runs the real code path the client runs on
//! what a server sends (or what a caller passes), and returns something cheap. None of them
//! panics by design: a panic found by the fuzzer is a bug in the library.

use bytes::Bytes;
use http::header::{HeaderMap, HeaderValue, CONTENT_ENCODING, CONTENT_TYPE, LOCATION, RETRY_AFTER};
use http::{Method, StatusCode};
use url::Url;

use crate::body::Body;
use crate::request::Request;
use crate::response::Response;
use crate::urls::UrlInput;

/// Parses `base` as a client's `base_url` and resolves `rel` against it, as a request does;
/// the resulting URL, or `None` when either is rejected.
pub fn join_url(base: &str, rel: &str) -> Option<String> {
    let base = crate::urls::parse_base_url(UrlInput::Str(base.to_owned())).ok()?;
    let url = crate::urls::resolve_url(UrlInput::Str(rel.to_owned()), Some(&base)).ok()?;
    Some(url.into())
}

/// Validates a header name and value as `RequestBuilder::header` does; whether both are valid.
pub fn header(name: &[u8], value: &[u8]) -> bool {
    crate::builder::header_pair(name, value).is_ok()
}

/// Stores the `Set-Cookie` headers of a response to `url` in a fresh jar, then asks the jar
/// for the cookies of a request to that URL; their number (0 when `url` does not parse).
pub fn set_cookie(url: &str, headers: &[&[u8]]) -> usize {
    let Ok(url) = Url::parse(url) else {
        return 0;
    };
    let mut map = HeaderMap::new();
    for h in headers {
        if let Ok(v) = HeaderValue::from_bytes(h) {
            map.append(http::header::SET_COOKIE, v);
        }
    }
    let jar = crate::cookies::Jar::default();
    jar.store(&url, &map);
    let n = jar.cookies(&url).len();
    jar.apply(&url, &mut map);
    n
}

/// Parses a `WWW-Authenticate` value as a Digest challenge and, when it is one, answers it
/// for a fixed request (`POST /dir/index.html?x=1` with a small body); the `Authorization`
/// value, or `None`.
pub fn digest_challenge(header: &str) -> Option<String> {
    let challenge = crate::digest::parse_challenge(header)?;
    let url = Url::parse("http://example.com/dir/index.html?x=1").ok()?;
    let mut request = Request::new(Method::POST, url);
    *request.body_mut() = Body::from("a body");
    crate::digest::digest_header(
        "Mufasa",
        "Circle of Life",
        &challenge,
        &request,
        1,
        "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
    )
    .ok()
}

/// Builds the next request of a redirect: a `POST` with a body to `from`, answered by `status`
/// with the `Location` value `location`; the next URL, or `None` (an invalid `from`, status or
/// header value, or a redirect the client refuses).
pub fn location(from: &str, location: &[u8], status: u16) -> Option<String> {
    let from = Url::parse(from).ok()?;
    let status = StatusCode::from_u16(status).ok()?;
    let value = HeaderValue::from_bytes(location).ok()?;
    let mut request = Request::new(Method::POST, from);
    *request.body_mut() = Body::from("data");
    let mut response = Response::new(status, Body::empty());
    response.headers_mut().insert(LOCATION, value);
    let next = crate::redirect::next_request(request, true, &response).ok()?;
    Some(next.url().to_string())
}

/// Parses a `Retry-After` value, alone and as a response header read by `Retry::new(3)`; the
/// wait in milliseconds (saturated), or `None`.
pub fn retry_after(v: &str) -> Option<u128> {
    let parsed = crate::retry::parse_retry_after(v);
    if let Ok(value) = HeaderValue::from_str(v) {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, value);
        let _ = crate::retry::Retry::new(3).retry_after(503, &headers);
    }
    parsed.map(|d| d.as_millis())
}

/// Reads `input` as a response body with `Content-Encoding: <encodings>` through a client
/// (a `MockTransport` answering in a few chunks) limited to `max` decoded bytes; the decoded
/// length, or 0 on any error.
pub fn decode(encodings: &str, input: &[u8], max: u64) -> usize {
    let Ok(encoding) = HeaderValue::from_str(encodings) else {
        return 0;
    };
    // Three chunks of about equal size (the decoders must carry state across chunks).
    let input = Bytes::copy_from_slice(input);
    let third = input.len().div_ceil(3).max(1);
    let chunks: Vec<Bytes> = (0..input.len())
        .step_by(third)
        .map(|i| input.slice(i..(i + third).min(input.len())))
        .collect();
    let transport = crate::MockTransport::new(move |_| {
        let chunks = chunks.clone();
        let encoding = encoding.clone();
        async move {
            let body = Body::from_stream(futures_util::stream::iter(
                chunks.into_iter().map(Ok::<_, std::convert::Infallible>),
            ));
            let mut r = Response::new(200, body);
            r.headers_mut().insert(CONTENT_ENCODING, encoding);
            Ok(r)
        }
    });
    let Ok(client) = crate::Client::builder()
        .max_decoded_size(max)
        .transport(transport)
        .build()
    else {
        return 0;
    };
    futures_executor::block_on(async {
        let mut r = client.get("http://example.test/").await?;
        r.bytes().await
    })
    .map_or(0, |b| b.len())
}

/// Decodes `body` as the text of a response with that `Content-Type` (its `charset`), in two
/// chunks.
pub fn charset(content_type: &str, body: &[u8]) -> String {
    let mut headers = HeaderMap::new();
    if let Ok(v) = HeaderValue::from_str(content_type) {
        headers.insert(CONTENT_TYPE, v);
    }
    let mut decoder = crate::charset::TextDecoder::for_headers(&headers);
    let (a, b) = body.split_at(body.len() / 2);
    let mut out = decoder.decode(a);
    out.push_str(&decoder.decode(b));
    out.push_str(&decoder.finish());
    out
}

/// Parses `input` as a `text/event-stream` body whole and cut at `split` (each half fed as it
/// is), under a limit of `max` bytes; asserts that both give the same events and the same
/// verdict on the limit, and that each event's data and type fit in it. The number of events.
pub fn sse(input: &[u8], split: usize, max: usize) -> usize {
    let (whole, whole_over) = crate::sse::parse_chunks(&[input], max);
    let (a, b) = input.split_at(split.min(input.len()));
    let (cut, cut_over) = crate::sse::parse_chunks(&[a, b], max);
    assert_eq!(
        whole, cut,
        "the events differ when the input is cut at {split}"
    );
    assert_eq!(
        whole_over, cut_over,
        "the limit is hit on one side only (cut at {split})"
    );
    for e in &whole {
        assert!(
            e.data.len() + e.event.len() <= max + "message".len(),
            "an event over the limit"
        );
    }
    whole.len()
}
