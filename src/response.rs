//! The response: status, headers, and a body read whole or streamed.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures_core::Stream;
use futures_util::StreamExt;
use http::{Extensions, HeaderMap, StatusCode, Version};
use url::Url;

use crate::body::{Body, BodyStream};
use crate::charset::TextDecoder;
use crate::error::{Error, ErrorKind, Result};

/// An HTTP response.
///
/// The body is read lazily. [`bytes`](Response::bytes), [`text`](Response::text) and
/// [`json`](Response::json) read it whole and keep it, so they can be called more than once (as
/// httpx's `r.content`, `r.text`, `r.json()`); [`bytes_stream`](Response::bytes_stream),
/// [`text_stream`](Response::text_stream) and [`lines`](Response::lines) hand it over as it
/// arrives, in bounded memory, and can be taken once.
pub struct Response {
    status: StatusCode,
    version: Version,
    headers: HeaderMap,
    /// `None` until a client sets the request's URL (see [`Response::url`]).
    url: Option<Url>,
    history: Vec<Response>,
    elapsed: Duration,
    body: BodyState,
    extensions: Extensions,
    /// Raw bytes read off the wire, shared with the body's counting adapter.
    downloaded: Option<Arc<AtomicU64>>,
}

enum BodyState {
    Unread(Body),
    Read(Bytes),
    Streamed,
}

impl Response {
    /// A response with `status` and `body`, HTTP/1.1, no headers. Transports and
    /// [`MockTransport`](crate::MockTransport) handlers build responses with this (or from an
    /// `http::Response`); the client fills in the URL, timing and history.
    ///
    /// # Panics
    /// When `status` is a `u16` outside 100..=999.
    pub fn new(status: impl IntoStatusCode, body: impl Into<Body>) -> Self {
        Response {
            status: status.into_status_code(),
            version: Version::HTTP_11,
            headers: HeaderMap::new(),
            url: None,
            history: Vec::new(),
            elapsed: Duration::ZERO,
            body: BodyState::Unread(body.into()),
            extensions: Extensions::new(),
            downloaded: None,
        }
    }

    /// Adds a header (for transports and mock handlers). Panics on an invalid name or value,
    /// like `http::HeaderValue::from_static`; use [`headers_mut`](Response::headers_mut) with
    /// checked values for untrusted input.
    pub fn with_header(mut self, name: &'static str, value: &str) -> Self {
        self.headers.append(
            http::HeaderName::from_static(name),
            http::HeaderValue::from_str(value).expect("valid header value"),
        );
        self
    }

    /// A JSON response (for mock handlers): `Content-Type: application/json`.
    #[cfg(feature = "json")]
    pub fn from_json<T: serde::Serialize + ?Sized>(status: impl IntoStatusCode, value: &T) -> Self {
        let body = serde_json::to_vec(value).unwrap_or_default();
        Response::new(status, body).with_header("content-type", "application/json")
    }

    /// The status code.
    pub fn status(&self) -> StatusCode {
        self.status
    }
    /// The protocol version the server answered with (what was negotiated).
    pub fn version(&self) -> Version {
        self.version
    }
    /// The headers (names compare case-insensitively).
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }
    /// The headers, to change (for transports and hooks).
    pub fn headers_mut(&mut self) -> &mut HeaderMap {
        &mut self.headers
    }
    /// The final URL, after any redirects.
    pub fn url(&self) -> &Url {
        self.url.as_ref().unwrap_or_else(|| placeholder_url())
    }
    /// The redirect responses that led here, oldest first; their bodies are not kept.
    pub fn history(&self) -> &[Response] {
        &self.history
    }
    /// Time from sending the request to receiving the response head.
    pub fn elapsed(&self) -> Duration {
        self.elapsed
    }
    /// Per-response values set by transports.
    pub fn extensions(&self) -> &Extensions {
        &self.extensions
    }
    /// Per-response values, to change.
    pub fn extensions_mut(&mut self) -> &mut Extensions {
        &mut self.extensions
    }
    /// The `Content-Length` the server announced, if any.
    pub fn content_length(&self) -> Option<u64> {
        self.headers
            .get(http::header::CONTENT_LENGTH)?
            .to_str()
            .ok()?
            .parse()
            .ok()
    }

    /// 2xx.
    pub fn is_success(&self) -> bool {
        self.status.is_success()
    }
    /// A 3xx that carries a `Location` (httpx `is_redirect`).
    pub fn is_redirect(&self) -> bool {
        matches!(self.status.as_u16(), 301 | 302 | 303 | 307 | 308)
            && self.headers.contains_key(http::header::LOCATION)
    }
    /// 4xx or 5xx.
    pub fn is_error(&self) -> bool {
        self.status.is_client_error() || self.status.is_server_error()
    }

    /// Returns the response unchanged on success, or an error with
    /// [`is_status`](Error::is_status) true for a 4xx or 5xx status (httpx `raise_for_status`).
    ///
    /// # Errors
    /// [`ErrorKind::Status`] with the status and this response's URL.
    pub fn error_for_status(self) -> Result<Self> {
        if self.is_error() {
            Err(Error::new(ErrorKind::Status(self.status)).with_url(self.url().clone()))
        } else {
            Ok(self)
        }
    }

    /// Reads the whole body (decoded by its `Content-Encoding`) and keeps it.
    pub async fn bytes(&mut self) -> Result<Bytes> {
        match std::mem::replace(&mut self.body, BodyState::Streamed) {
            BodyState::Unread(body) => {
                let bytes = match body.collect().await {
                    Ok(bytes) => bytes,
                    Err(e) => return Err(e.with_url(self.url().clone())),
                };
                self.body = BodyState::Read(bytes.clone());
                Ok(bytes)
            }
            BodyState::Read(b) => {
                self.body = BodyState::Read(b.clone());
                Ok(b)
            }
            BodyState::Streamed => Err(consumed()),
        }
    }

    /// Reads the body as text, decoded by the `charset` of `Content-Type` (UTF-8 when absent);
    /// bytes that are not valid in it become U+FFFD, as in httpx.
    pub async fn text(&mut self) -> Result<String> {
        let bytes = self.bytes().await?;
        let mut dec = TextDecoder::for_headers(&self.headers);
        let mut s = dec.decode(&bytes);
        s.push_str(&dec.finish());
        Ok(s)
    }

    /// Reads the body as JSON.
    ///
    /// # Errors
    /// [`ErrorKind::Decode`] when the body is not valid JSON for `T`.
    #[cfg(feature = "json")]
    pub async fn json<T: serde::de::DeserializeOwned>(&mut self) -> Result<T> {
        let bytes = self.bytes().await?;
        serde_json::from_slice(&bytes).map_err(|e| {
            Error::decode("response body is not the expected JSON")
                .with_source(e)
                .with_url(self.url().clone())
        })
    }

    /// The body as a stream of chunks as they arrive, decoded by `Content-Encoding`.
    /// Takes the body: reading it again afterwards fails.
    ///
    /// A chunk may be kept as long as needed: each costs about its own bytes, never the
    /// (much larger) buffer the backend read it into; short chunks are copied out of it.
    pub fn bytes_stream(&mut self) -> BodyStream {
        match std::mem::replace(&mut self.body, BodyState::Streamed) {
            BodyState::Unread(body) => {
                crate::body::with_url(body, self.url().clone()).into_stream()
            }
            BodyState::Read(b) => Body::from(b).into_stream(),
            BodyState::Streamed => {
                let err: Result<Bytes> = Err(consumed());
                Body::from_result_stream(Box::pin(futures_util::stream::iter([err]))).into_stream()
            }
        }
    }

    /// The body as text chunks, decoded by the response's charset as bytes arrive (a character
    /// split between chunks is held until complete).
    pub fn text_stream(
        &mut self,
    ) -> impl Stream<Item = Result<String>> + crate::platform::MaybeSend {
        let decoder = TextDecoder::for_headers(&self.headers);
        let bytes = self.bytes_stream();
        futures_util::stream::unfold(
            (bytes, decoder, false),
            |(mut bytes, mut decoder, done)| async move {
                if done {
                    return None;
                }
                loop {
                    match bytes.next().await {
                        Some(Ok(chunk)) => {
                            let s = decoder.decode(&chunk);
                            if !s.is_empty() {
                                return Some((Ok(s), (bytes, decoder, false)));
                            }
                        }
                        Some(Err(e)) => return Some((Err(e), (bytes, decoder, true))),
                        None => {
                            let s = decoder.finish();
                            if s.is_empty() {
                                return None;
                            }
                            return Some((Ok(s), (bytes, decoder, true)));
                        }
                    }
                }
            },
        )
    }

    /// The body as lines of text as they arrive, without their line endings (`\n`, `\r\n` or
    /// `\r`), as httpx's `iter_lines`.
    ///
    /// A line longer than 16 MiB (of UTF-8) ends the stream with an error for which
    /// [`is_decode`](Error::is_decode) is true, so memory stays bounded whatever the server
    /// sends; read [`bytes_stream`](Response::bytes_stream) for longer lines.
    pub fn lines(&mut self) -> impl Stream<Item = Result<String>> + crate::platform::MaybeSend {
        // The URL rides in the state (moved, not cloned, from one line to the next) for the
        // error of an over-long line.
        let url = self.url().clone();
        let text = Box::pin(self.text_stream());
        futures_util::stream::unfold(
            (
                text,
                LineSplitter::default(),
                std::collections::VecDeque::new(),
                false,
                url,
            ),
            |(mut text, mut split, mut ready, mut done, url)| async move {
                loop {
                    if let Some(line) = ready.pop_front() {
                        return Some((line, (text, split, ready, done, url)));
                    }
                    if done {
                        return None;
                    }
                    match text.next().await {
                        Some(Ok(s)) => {
                            let lines = split.push(&s);
                            let too_long = |l: &String| l.len() > MAX_LINE_SIZE;
                            if lines.iter().any(too_long) || split.buf.len() > MAX_LINE_SIZE {
                                // The lines before the long one, then the error.
                                ready
                                    .extend(lines.into_iter().take_while(|l| !too_long(l)).map(Ok));
                                let e = Error::decode(format!(
                                    "a line of the body exceeds the limit of {MAX_LINE_SIZE} bytes (Response::lines)"
                                ))
                                .with_url(url.clone());
                                ready.push_back(Err(e));
                                split = LineSplitter::default();
                                done = true;
                            } else {
                                ready.extend(lines.into_iter().map(Ok));
                            }
                        }
                        Some(Err(e)) => return Some((Err(e), (text, split, ready, true, url))),
                        None => {
                            done = true;
                            ready.extend(split.finish().map(Ok));
                        }
                    }
                }
            },
        )
    }

    /// The body as [Server-Sent Events], parsed as they arrive (the `text/event-stream`
    /// format of the WHATWG HTML standard, as a browser's `EventSource` reads it). Takes the
    /// body. Reconnecting is left to the caller: see [`Event::id`](crate::Event::id) and
    /// [`Event::retry`](crate::Event::retry), and the example of docs/guide.md.
    ///
    /// ```no_run
    /// # async fn run() -> anyfetch::Result<()> {
    /// use futures::StreamExt;
    ///
    /// let mut r = anyfetch::get("http://localhost:8000/sse")
    ///     .header("Accept", "text/event-stream")
    ///     .await?
    ///     .error_for_status()?;
    /// let mut events = r.events();
    /// while let Some(event) = events.next().await {
    ///     let event = event?;
    ///     println!("{}: {} (id {:?})", event.event, event.data, event.id);
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// The stream yields the errors of [`bytes_stream`](Response::bytes_stream) (a timeout, a
    /// body cut short), and an [`is_decode`](Error::is_decode) one for an event over
    /// [`Events::max_event_size`](crate::Events::max_event_size); then it ends.
    ///
    /// [Server-Sent Events]: https://html.spec.whatwg.org/multipage/server-sent-events.html
    pub fn events(&mut self) -> crate::Events {
        let url = self.url().clone();
        crate::Events::new(self.bytes_stream(), url)
    }

    // --- for the client -------------------------------------------------------------------

    pub(crate) fn take_body(&mut self) -> Option<Body> {
        match std::mem::replace(&mut self.body, BodyState::Streamed) {
            BodyState::Unread(b) => Some(b),
            other => {
                self.body = other;
                None
            }
        }
    }

    pub(crate) fn set_body(&mut self, body: Body) {
        self.body = BodyState::Unread(body);
    }

    pub(crate) fn set_url(&mut self, url: Url) {
        self.url = Some(url);
    }

    pub(crate) fn set_elapsed(&mut self, d: Duration) {
        self.elapsed = d;
    }

    pub(crate) fn set_history(&mut self, h: Vec<Response>) {
        self.history = h;
    }

    /// Moves the history out (the JavaScript layer hands it over as responses of their own).
    #[cfg(all(feature = "js", web))]
    pub(crate) fn take_history(&mut self) -> Vec<Response> {
        std::mem::take(&mut self.history)
    }

    /// A copy of the head, body dropped: what `history()` keeps.
    pub(crate) fn head_only(&self) -> Response {
        Response {
            status: self.status,
            version: self.version,
            headers: self.headers.clone(),
            url: self.url.clone(),
            history: Vec::new(),
            elapsed: self.elapsed,
            body: BodyState::Read(Bytes::new()),
            extensions: Extensions::new(),
            downloaded: None,
        }
    }

    /// The counter the body's counting adapter adds to.
    pub(crate) fn download_counter(&mut self) -> Arc<AtomicU64> {
        self.downloaded
            .get_or_insert_with(|| Arc::new(AtomicU64::new(0)))
            .clone()
    }

    /// The bytes of the body read off the wire so far, before any `Content-Encoding` is
    /// decoded (httpx `num_bytes_downloaded`): compare it with
    /// [`content_length`](Response::content_length) for a download's progress. The decoded
    /// bytes the stream yields may be many more.
    ///
    /// ```no_run
    /// # async fn run() -> anyfetch::Result<()> {
    /// use futures::StreamExt;
    /// let mut r = anyfetch::get("http://localhost:8000/gzip").await?;
    /// let total = r.content_length();
    /// let mut body = r.bytes_stream();
    /// while let Some(chunk) = body.next().await {
    ///     let _decoded = chunk?;
    ///     println!("{} of {total:?} bytes", body_progress(&r));
    /// }
    /// # fn body_progress(r: &anyfetch::Response) -> u64 { r.num_bytes_downloaded() }
    /// # Ok(()) }
    /// ```
    pub fn num_bytes_downloaded(&self) -> u64 {
        self.downloaded
            .as_ref()
            .map_or(0, |c| c.load(Ordering::Relaxed))
    }

    /// Sets the version (for transports).
    pub fn set_version(&mut self, v: Version) {
        self.version = v;
    }
}

/// A status code given as a `u16` or a [`StatusCode`].
pub trait IntoStatusCode {
    /// The status code.
    fn into_status_code(self) -> StatusCode;
}

impl IntoStatusCode for StatusCode {
    fn into_status_code(self) -> StatusCode {
        self
    }
}

impl IntoStatusCode for u16 {
    fn into_status_code(self) -> StatusCode {
        StatusCode::from_u16(self).unwrap_or_else(|_| panic!("invalid HTTP status code {self}"))
    }
}

fn consumed() -> Error {
    Error::new(ErrorKind::Builder)
        .with_message("the response body was already taken as a stream and cannot be read again")
}

/// The URL of a response no client has sent yet (one a transport or a mock handler just
/// made): `http://localhost/`, parsed once.
fn placeholder_url() -> &'static Url {
    static URL: std::sync::OnceLock<Url> = std::sync::OnceLock::new();
    URL.get_or_init(|| Url::parse("http://localhost/").expect("static URL"))
}

impl<B: Into<Body>> From<http::Response<B>> for Response {
    fn from(r: http::Response<B>) -> Self {
        let (parts, body) = r.into_parts();
        let mut resp = Response::new(parts.status, body);
        resp.version = parts.version;
        resp.headers = parts.headers;
        resp.extensions = parts.extensions;
        resp
    }
}

impl fmt::Debug for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Response")
            .field("status", &self.status)
            .field("version", &self.version)
            .field("url", &crate::redact::RedactedUrl(self.url()))
            .field("headers", &crate::redact::RedactedHeaders(&self.headers))
            .finish()
    }
}

/// The longest line [`Response::lines`] holds: 16 MiB, as an event of
/// [`Events`](crate::Events) by default.
const MAX_LINE_SIZE: usize = 16 << 20;

/// Splits text into lines across chunk boundaries (`\n`, `\r\n`, `\r`).
#[derive(Default)]
struct LineSplitter {
    buf: String,
    /// The previous chunk ended in `\r`: a `\n` starting the next one belongs to it.
    pending_cr: bool,
}

impl LineSplitter {
    fn push(&mut self, s: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut s = s;
        if self.pending_cr {
            self.pending_cr = false;
            s = s.strip_prefix('\n').unwrap_or(s);
        }
        let mut rest = s;
        while let Some(i) = rest.find(['\n', '\r']) {
            self.buf.push_str(&rest[..i]);
            out.push(std::mem::take(&mut self.buf));
            let bytes = rest.as_bytes();
            if bytes[i] == b'\r' {
                if i + 1 == bytes.len() {
                    self.pending_cr = true;
                    rest = "";
                    break;
                }
                rest = if bytes[i + 1] == b'\n' {
                    &rest[i + 2..]
                } else {
                    &rest[i + 1..]
                };
            } else {
                rest = &rest[i + 1..];
            }
        }
        self.buf.push_str(rest);
        out
    }

    fn finish(&mut self) -> Option<String> {
        if self.buf.is_empty() {
            None
        } else {
            Some(std::mem::take(&mut self.buf))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_split_across_chunks_and_endings() {
        let mut s = LineSplitter::default();
        let mut out = s.push("a\r");
        out.extend(s.push("\nb\nc"));
        out.extend(s.push("d\re\r\n"));
        out.extend(s.finish());
        assert_eq!(out, ["a", "b", "cd", "e"]);
    }
}
