//! Request bodies: bytes or a stream.

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_core::Stream;

use crate::error::{BoxError, Error, ErrorKind, Result};
use crate::util::MaybeSend;

#[cfg(not(target_arch = "wasm32"))]
pub(crate) type BoxStream = Pin<Box<dyn Stream<Item = Result<Bytes>> + Send + 'static>>;
#[cfg(target_arch = "wasm32")]
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
    Stream(BoxStream),
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
            inner: Inner::Stream(Box::pin(stream.map(|r| {
                r.map(Into::into)
                    .map_err(|e| Error::new(ErrorKind::Write).with_source(e))
            }))),
        }
    }

    pub(crate) fn from_result_stream(stream: BoxStream) -> Self {
        Body {
            inner: Inner::Stream(stream),
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

    /// Reads the whole body into memory.
    pub async fn collect(self) -> Result<Bytes> {
        match self.inner {
            Inner::Bytes(b) => Ok(b),
            Inner::Stream(mut s) => {
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
                let r = s.as_mut().poll_next(cx);
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
            Some(Inner::Stream(s)) => s.size_hint(),
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
