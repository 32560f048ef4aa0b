//! Bodies: bytes or a stream, both ways; and the adapters the client puts around a response
//! body, each in its own file: [`count`] (raw bytes for progress), [`idle`] (the read timeout
//! between chunks), [`decode`] (`Content-Encoding`), [`max_size`] (the decoded-size cap) and
//! [`deadline`] (the total deadline).

use std::fmt;
use std::pin::Pin;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures_core::Stream;
use sync_wrapper::SyncWrapper;
use url::Url;

use crate::error::{BoxError, Error, ErrorKind, Result};
use crate::platform::MaybeSend;

mod count;
mod deadline;
mod decode;
mod idle;
mod max_size;

pub(crate) use decode::{accept_encoding, decoders_for, Decoder};

#[cfg(native)]
pub(crate) type BoxStream = Pin<Box<dyn Stream<Item = Result<Bytes>> + Send + 'static>>;
#[cfg(wasm)]
pub(crate) type BoxStream = Pin<Box<dyn Stream<Item = Result<Bytes>> + 'static>>;

/// A request or response body: nothing, bytes held in memory, or a stream of chunks.
///
/// A body held in memory can be sent again (for redirects, auth challenges and retries); a
/// streamed one cannot, and anyfetch refuses to replay it rather than send it empty.
pub struct Body {
    inner: Inner,
}

enum Inner {
    Bytes(Bytes),
    /// Reached only through `&mut`, so a `&Body` (and a `&Response`) can be shared across
    /// threads while the stream itself is only `Send`.
    Stream(SyncWrapper<BoxStream>),
}

impl Body {
    /// An empty body.
    pub fn empty() -> Self {
        Body {
            inner: Inner::Bytes(Bytes::new()),
        }
    }

    /// A body read from a stream of chunks, sent as it is produced (chunked on HTTP/1.1 unless a
    /// `Content-Length` header is set). It cannot be replayed.
    pub fn from_stream<S, B, E>(stream: S) -> Self
    where
        S: Stream<Item = std::result::Result<B, E>> + MaybeSend + 'static,
        B: Into<Bytes>,
        E: Into<BoxError>,
    {
        use futures_util::StreamExt;
        Body {
            inner: Inner::Stream(SyncWrapper::new(Box::pin(stream.map(|r| {
                r.map(Into::into)
                    .map_err(|e| Error::new(ErrorKind::Write).with_source(e))
            })))),
        }
    }

    pub(crate) fn from_result_stream(stream: BoxStream) -> Self {
        Body {
            inner: Inner::Stream(SyncWrapper::new(stream)),
        }
    }

    /// The bytes of a body held in memory, `None` for a stream.
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match &self.inner {
            Inner::Bytes(b) => Some(b),
            Inner::Stream(_) => None,
        }
    }

    /// The length, when it is known without reading.
    pub fn content_length(&self) -> Option<u64> {
        match &self.inner {
            Inner::Bytes(b) => Some(b.len() as u64),
            Inner::Stream(_) => None,
        }
    }

    /// True for a body held in memory, which can be sent again.
    pub fn is_replayable(&self) -> bool {
        matches!(self.inner, Inner::Bytes(_))
    }

    /// A copy of a body held in memory (cheap), `None` for a stream.
    pub fn try_clone(&self) -> Option<Body> {
        match &self.inner {
            Inner::Bytes(b) => Some(Body {
                inner: Inner::Bytes(b.clone()),
            }),
            Inner::Stream(_) => None,
        }
    }

    /// Turns the body into a stream of chunks (a body in memory yields one chunk, or none).
    pub fn into_stream(self) -> BodyStream {
        BodyStream {
            inner: match self.inner {
                Inner::Bytes(b) if b.is_empty() => None,
                Inner::Bytes(b) => Some(Inner::Bytes(b)),
                s => Some(s),
            },
        }
    }

    /// Calls `progress` with the bytes handed to the transport so far, after each chunk of a
    /// streamed body. A body held in memory is handed over whole and is returned unchanged.
    pub(crate) fn with_upload_progress<F>(self, mut progress: F) -> Body
    where
        F: FnMut(u64) + MaybeSend + 'static,
    {
        match self.inner {
            Inner::Stream(s) => {
                use futures_util::StreamExt;
                let mut sent = 0u64;
                let counted = s.into_inner().inspect(move |chunk| {
                    if let Ok(chunk) = chunk {
                        sent += chunk.len() as u64;
                        progress(sent);
                    }
                });
                Body::from_result_stream(Box::pin(counted))
            }
            bytes => Body { inner: bytes },
        }
    }

    /// Reads the whole body into memory.
    pub async fn collect(self) -> Result<Bytes> {
        match self.inner {
            Inner::Bytes(b) => Ok(b),
            Inner::Stream(s) => {
                let mut s = s.into_inner();
                use futures_util::StreamExt;
                let mut buf = bytes::BytesMut::new();
                while let Some(chunk) = s.next().await {
                    buf.extend_from_slice(&chunk?);
                }
                Ok(buf.freeze())
            }
        }
    }
}

/// A [`Body`] as a `Stream` of chunks; see [`Body::into_stream`].
pub struct BodyStream {
    inner: Option<Inner>,
}

impl fmt::Debug for BodyStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.inner {
            None => f.write_str("BodyStream(done)"),
            Some(Inner::Bytes(b)) => f.debug_tuple("BodyStream").field(&b.len()).finish(),
            Some(Inner::Stream(_)) => f.write_str("BodyStream(stream)"),
        }
    }
}

impl Stream for BodyStream {
    type Item = Result<Bytes>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        match self.inner.take() {
            None => Poll::Ready(None),
            Some(Inner::Bytes(b)) => Poll::Ready(Some(Ok(b))),
            Some(Inner::Stream(mut s)) => {
                let r = s.get_mut().as_mut().poll_next(cx);
                if !matches!(r, Poll::Ready(None)) {
                    self.inner = Some(Inner::Stream(s));
                }
                r
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match &self.inner {
            None => (0, Some(0)),
            Some(Inner::Bytes(_)) => (1, Some(1)),
            // A shared `&self` cannot reach the stream.
            Some(Inner::Stream(_)) => (0, None),
        }
    }
}

impl BodyStream {
    /// True once every chunk has been yielded.
    pub fn is_end(&self) -> bool {
        self.inner.is_none()
    }
}

impl Default for Body {
    fn default() -> Self {
        Body::empty()
    }
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.inner {
            Inner::Bytes(b) => f.debug_tuple("Body").field(&b.len()).finish(),
            Inner::Stream(_) => f.write_str("Body(stream)"),
        }
    }
}

macro_rules! from_bytes {
    ($($t:ty),*) => {$(
        impl From<$t> for Body {
            fn from(v: $t) -> Body {
                Body { inner: Inner::Bytes(Bytes::from(v)) }
            }
        }
    )*};
}
from_bytes!(Bytes, Vec<u8>, String, &'static [u8], &'static str);

impl From<()> for Body {
    fn from(_: ()) -> Body {
        Body::empty()
    }
}

/// What [`adapt`] puts around a response body.
pub(crate) struct Adapters {
    /// Counts raw bytes for `Response::num_bytes_downloaded`.
    pub(crate) counter: Arc<AtomicU64>,
    /// The `Content-Encoding` stack, outermost first (empty: the body is not encoded).
    pub(crate) decoders: Vec<Decoder>,
    /// The decoded-size cap (for encoded bodies).
    pub(crate) max_decoded: u64,
    /// The read timeout between chunks.
    pub(crate) read_timeout: Option<Duration>,
}

/// A response body as the caller reads it: counted, timed, decoded and capped. The adapters
/// are composed statically and boxed once. Their errors carry no URL: the
/// [`Response`](crate::Response) adds its own when one surfaces.
pub(crate) fn adapt(body: Body, a: Adapters) -> Body {
    let raw = count::Count::new(body.into_stream(), a.counter);
    // Without a codec feature there is never a decoder (an encoded body fails before this):
    // the constant leaves the decoding adapters out of a minimal build.
    const ANY_CODEC: bool = cfg!(any(
        feature = "gzip",
        feature = "deflate",
        feature = "brotli",
        feature = "zstd"
    ));
    match (a.read_timeout, !ANY_CODEC || a.decoders.is_empty()) {
        (Some(t), true) => boxed(idle::Idle::new(raw, t)),
        (None, true) => boxed(raw),
        (Some(t), false) => boxed(max_size::MaxSize::new(
            decode::Decode::new(idle::Idle::new(raw, t), a.decoders),
            a.max_decoded,
        )),
        (None, false) => boxed(max_size::MaxSize::new(
            decode::Decode::new(raw, a.decoders),
            a.max_decoded,
        )),
    }
}

/// A body whose errors carry `url`.
pub(crate) fn with_url(body: Body, url: Url) -> Body {
    if body.is_replayable() {
        return body; // bytes in memory: no error to come
    }
    boxed(WithUrl::new(body.into_stream(), url))
}

/// A body that must end before `left` has passed (the total deadline).
pub(crate) fn deadline(body: Body, left: Duration, url: Url) -> Body {
    let timer = crate::platform::sleep(left);
    boxed(WithUrl::new(
        deadline::Deadline::new(body.into_stream(), timer),
        url,
    ))
}

fn boxed<S: Stream<Item = Result<Bytes>> + MaybeSend + 'static>(s: S) -> Body {
    Body::from_result_stream(Box::pin(s))
}

pin_project_lite::pin_project! {
    /// Attaches the URL to every error a body yields.
    pub(crate) struct WithUrl<S> {
        #[pin]
        inner: S,
        url: url::Url,
    }
}

impl<S> WithUrl<S> {
    pub(crate) fn new(inner: S, url: url::Url) -> Self {
        WithUrl { inner, url }
    }
}

impl<S: Stream<Item = Result<Bytes>>> Stream for WithUrl<S> {
    type Item = Result<Bytes>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.project();
        match std::task::ready!(this.inner.poll_next(cx)) {
            Some(Err(e)) => Poll::Ready(Some(Err(e.with_url(this.url.clone())))),
            item => Poll::Ready(item),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}
