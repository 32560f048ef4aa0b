//! Content decoding (gzip, deflate, br, zstd), incremental like httpx's decoders, and bounded:
//! every decoder writes into an output slice of [`SLICE`] bytes at most, and a stack of
//! encodings is pulled one slice at a time from the innermost layer outward. So however much a
//! chunk of input expands (a decompression bomb), memory holds one slice per layer, the
//! decoders' windows, and what the caller has kept; the cap on the decoded size is the next
//! adapter out ([`super::limit`]), which stops the pulling.
//!
//! Each format is a file of its own: [`gzip`] (members, header fields, CRC and length checked),
//! [`deflate`] (zlib-wrapped or raw), [`brotli`], [`zstd`] (frames of at most an 8 MiB window,
//! as RFC 9659 asks for `Content-Encoding: zstd`).

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::{Buf, Bytes, BytesMut};
use futures_core::Stream;
use http::header::{HeaderMap, CONTENT_ENCODING};

use crate::error::{Error, Result};

#[cfg(feature = "brotli")]
mod brotli;
#[cfg(feature = "deflate")]
mod deflate;
#[cfg(feature = "gzip")]
mod gzip;
#[cfg(feature = "zstd")]
mod zstd;

/// The most encodings a response may stack (`Content-Encoding: gzip, br, ...`).
const MAX_STACKED: usize = 5;

/// The most bytes one decoding step writes.
pub(crate) const SLICE: usize = 64 * 1024;

/// The `Accept-Encoding` this build can decode, if any: built once, on first use.
pub(crate) fn accept_encoding() -> Option<&'static str> {
    static VALUE: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    VALUE
        .get_or_init(|| {
            let list: &[(&str, bool)] = &[
                ("gzip", cfg!(feature = "gzip")),
                ("deflate", cfg!(feature = "deflate")),
                ("br", cfg!(feature = "brotli")),
                ("zstd", cfg!(feature = "zstd")),
            ];
            let on: Vec<&str> = list.iter().filter(|(_, on)| *on).map(|(n, _)| *n).collect();
            (!on.is_empty()).then(|| on.join(", "))
        })
        .as_deref()
}

/// What one step of a format's decoder did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(
    not(any(
        feature = "gzip",
        feature = "deflate",
        feature = "brotli",
        feature = "zstd"
    )),
    allow(dead_code)
)]
pub(crate) enum Status {
    /// Decoding goes on (it may need more input, or more room).
    Going,
    /// The stream is complete; any further input is an error (or, for formats that allow it,
    /// the next member or frame).
    End,
}

/// One format's decoder, pushed input and pulled bounded output.
pub(crate) trait Format: Send {
    /// Decodes from `input` into the spare capacity of `out` (never growing it), returning how
    /// many input bytes it used. Using none and writing none means it needs more input.
    fn decode(&mut self, input: &[u8], out: &mut Vec<u8>) -> io::Result<(usize, Status)>;

    /// The input has ended: fine if the stream is complete, an error if it was cut short.
    fn finish(&self) -> io::Result<()>;
}

/// One decoder of the stack: a format and the input it has not used yet.
pub(crate) struct Decoder {
    name: &'static str,
    format: Box<dyn Format>,
    pending: Bytes,
    /// No more input will come.
    ended: bool,
    finished: bool,
}

/// What a layer of the stack gave.
enum Pulled {
    Data(Bytes),
    NeedInput,
    End,
}

impl Decoder {
    #[allow(unreachable_code, unused_variables)]
    fn new(name: &str) -> Result<Decoder> {
        let (name, format): (&'static str, Box<dyn Format>) = match name {
            #[cfg(feature = "gzip")]
            "gzip" | "x-gzip" => ("gzip", Box::new(gzip::Gzip::new())),
            #[cfg(feature = "deflate")]
            "deflate" => ("deflate", Box::new(deflate::Deflate::new())),
            #[cfg(feature = "brotli")]
            "br" => ("br", Box::new(brotli::Brotli::new())),
            #[cfg(feature = "zstd")]
            "zstd" => ("zstd", Box::new(zstd::Zstd::new())),
            other => {
                return Err(Error::decode(format!(
                    "unsupported Content-Encoding {other:?}; turn off ClientBuilder::decode_content to read the raw bytes"
                )))
            }
        };
        Ok(Decoder {
            name,
            format,
            pending: Bytes::new(),
            ended: false,
            finished: false,
        })
    }

    fn feed(&mut self, input: Bytes) {
        if self.pending.is_empty() {
            self.pending = input;
        } else {
            // The rest of a unit (a header, a zstd block) that needs the next chunk too.
            let mut joined = BytesMut::with_capacity(self.pending.len() + input.len());
            joined.extend_from_slice(&self.pending);
            joined.extend_from_slice(&input);
            self.pending = joined.freeze();
        }
    }

    /// Up to [`SLICE`] decoded bytes.
    fn step(&mut self) -> io::Result<Pulled> {
        if self.finished {
            return Ok(Pulled::End);
        }
        let mut out = Vec::with_capacity(SLICE);
        loop {
            let before = out.len();
            let (used, status) = self.format.decode(&self.pending, &mut out)?;
            self.pending.advance(used.min(self.pending.len()));
            let progressed = used > 0 || out.len() > before;
            if out.len() == out.capacity() {
                return Ok(Pulled::Data(Bytes::from(out)));
            }
            if status == Status::End && self.pending.is_empty() && self.ended {
                self.finished = true;
                break;
            }
            if !progressed {
                if self.ended {
                    self.format.finish()?;
                    self.finished = true;
                    break;
                }
                if out.is_empty() {
                    return Ok(Pulled::NeedInput);
                }
                return Ok(Pulled::Data(Bytes::from(out)));
            }
        }
        Ok(if out.is_empty() {
            Pulled::End
        } else {
            Pulled::Data(Bytes::from(out))
        })
    }
}

/// The decoders for a response's `Content-Encoding`, outermost (last applied) first.
pub(crate) fn decoders_for(headers: &HeaderMap) -> Result<Vec<Decoder>> {
    let mut names = Vec::new();
    for v in headers.get_all(CONTENT_ENCODING) {
        let v = v
            .to_str()
            .map_err(|_| Error::decode("Content-Encoding is not valid text"))?;
        names.extend(
            v.split(',')
                .map(|s| s.trim().to_ascii_lowercase())
                .filter(|s| !s.is_empty() && s != "identity"),
        );
    }
    if names.len() > MAX_STACKED {
        return Err(Error::decode(format!(
            "Content-Encoding stacks {} encodings; at most {MAX_STACKED} are decoded",
            names.len()
        )));
    }
    names.iter().rev().map(|n| Decoder::new(n)).collect()
}

/// Pulls the output of layer `k`, pulling input for it from the layer before.
fn pull(stack: &mut [Decoder], k: usize) -> Result<Pulled> {
    loop {
        let layer = &mut stack[k];
        let name = layer.name;
        match layer.step().map_err(|e| bad(name, e))? {
            Pulled::NeedInput if k > 0 => match pull(stack, k - 1)? {
                Pulled::Data(b) => stack[k].feed(b),
                Pulled::End => stack[k].ended = true,
                Pulled::NeedInput => return Ok(Pulled::NeedInput),
            },
            other => return Ok(other),
        }
    }
}

fn bad(name: &str, e: io::Error) -> Error {
    Error::decode(format!("invalid {name} data in the response body")).with_source(e)
}

pin_project_lite::pin_project! {
    /// A body decoded by a stack of decoders as its chunks arrive, one bounded slice at a time.
    pub(crate) struct Decode<S> {
        #[pin]
        inner: S,
        decoders: Vec<Decoder>,
        // Any encoded input seen: an empty body (a 304, a 204) with a `Content-Encoding` is
        // empty.
        saw_input: bool,
        done: bool,
    }
}

impl<S> Decode<S> {
    pub(crate) fn new(inner: S, decoders: Vec<Decoder>) -> Self {
        Decode {
            inner,
            decoders,
            saw_input: false,
            done: false,
        }
    }
}

impl<S: Stream<Item = Result<Bytes>>> Stream for Decode<S> {
    type Item = Result<Bytes>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let mut this = self.project();
        loop {
            if *this.done || this.decoders.is_empty() {
                return Poll::Ready(None);
            }
            let last = this.decoders.len() - 1;
            match pull(this.decoders, last) {
                Ok(Pulled::Data(b)) => return Poll::Ready(Some(Ok(b))),
                Ok(Pulled::End) => {
                    *this.done = true;
                    return Poll::Ready(None);
                }
                Err(e) => {
                    *this.done = true;
                    return Poll::Ready(Some(Err(e)));
                }
                Ok(Pulled::NeedInput) => {}
            }
            match std::task::ready!(this.inner.as_mut().poll_next(cx)) {
                Some(Ok(chunk)) => {
                    *this.saw_input |= !chunk.is_empty();
                    this.decoders[0].feed(chunk);
                }
                Some(Err(e)) => {
                    *this.done = true;
                    return Poll::Ready(Some(Err(e)));
                }
                None if !*this.saw_input => {
                    *this.done = true;
                    return Poll::Ready(None);
                }
                None => this.decoders[0].ended = true,
            }
        }
    }
}

/// Decodes `data` fed in chunks of `chunk` bytes, whole (for tests and fuzzing).
#[cfg(test)]
pub(crate) fn decode_all(headers: &HeaderMap, data: &[u8], chunk: usize) -> Result<Vec<u8>> {
    let decoders = decoders_for(headers)?;
    let chunks: Vec<Result<Bytes>> = data
        .chunks(chunk.max(1))
        .map(|c| Ok(Bytes::copy_from_slice(c)))
        .collect();
    let mut stream = Decode::new(futures_util::stream::iter(chunks), decoders);
    let mut out = Vec::new();
    futures_executor_lite(async {
        use futures_util::StreamExt;
        while let Some(c) = stream.next().await {
            out.extend_from_slice(&c?);
        }
        Ok::<(), Error>(())
    })?;
    Ok(out)
}

/// Runs a future that never waits (every input is ready) to its end.
#[cfg(test)]
fn futures_executor_lite<T>(fut: impl std::future::Future<Output = T>) -> T {
    let mut fut = std::pin::pin!(fut);
    let mut cx = Context::from_waker(std::task::Waker::noop());
    loop {
        if let Poll::Ready(v) = fut.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

#[cfg(test)]
mod tests;
