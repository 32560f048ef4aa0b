//! Content decoding (gzip, deflate, br, zstd), incremental like httpx's decoders: each chunk is
//! decoded as it arrives, with a cap on stacked encodings. The cap on the decoded size is the
//! next adapter out ([`super::limit`]).

#[cfg(any(feature = "gzip", feature = "deflate", feature = "brotli"))]
use std::io::Write;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_core::Stream;
use http::header::{HeaderMap, CONTENT_ENCODING};

use crate::error::{Error, Result};

/// The most encodings a response may stack (`Content-Encoding: gzip, br, ...`).
const MAX_STACKED: usize = 5;

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

/// One decoder of the stack.
pub(crate) enum Decoder {
    /// Keeps the enum inhabited-looking when no decoder is built in; never constructed.
    #[allow(dead_code)]
    Never(std::convert::Infallible),
    #[cfg(feature = "gzip")]
    Gzip(Box<flate2::write::MultiGzDecoder<Vec<u8>>>),
    #[cfg(feature = "deflate")]
    Deflate(Box<DeflateState>),
    #[cfg(feature = "brotli")]
    Brotli(Box<brotli_decompressor::DecompressorWriter<Vec<u8>>>),
    #[cfg(feature = "zstd")]
    Zstd(Box<ZstdState>),
}

/// `deflate` is zlib-wrapped by the standard, raw by some servers: decide on the first bytes.
#[cfg(feature = "deflate")]
pub(crate) enum DeflateState {
    Undecided(Vec<u8>),
    Zlib(flate2::write::ZlibDecoder<Vec<u8>>),
    Raw(flate2::write::DeflateDecoder<Vec<u8>>),
}

#[cfg(feature = "zstd")]
pub(crate) struct ZstdState {
    decoder: ruzstd::decoding::FrameDecoder,
    input: Vec<u8>,
    started: bool,
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

impl Decoder {
    #[allow(unreachable_code)]
    fn new(name: &str) -> Result<Decoder> {
        Ok(match name {
            #[cfg(feature = "gzip")]
            "gzip" | "x-gzip" => Decoder::Gzip(Box::new(flate2::write::MultiGzDecoder::new(Vec::new()))),
            #[cfg(feature = "deflate")]
            "deflate" => Decoder::Deflate(Box::new(DeflateState::Undecided(Vec::new()))),
            #[cfg(feature = "brotli")]
            "br" => Decoder::Brotli(Box::new(brotli_decompressor::DecompressorWriter::new(Vec::new(), 4096))),
            #[cfg(feature = "zstd")]
            "zstd" => Decoder::Zstd(Box::new(ZstdState {
                decoder: ruzstd::decoding::FrameDecoder::new(),
                input: Vec::new(),
                started: false,
            })),
            other => {
                return Err(Error::decode(format!(
                    "unsupported Content-Encoding {other:?}; turn off ClientBuilder::decode_content to read the raw bytes"
                )))
            }
        })
    }

    fn name(&self) -> &'static str {
        match self {
            Decoder::Never(n) => match *n {},
            #[cfg(feature = "gzip")]
            Decoder::Gzip(_) => "gzip",
            #[cfg(feature = "deflate")]
            Decoder::Deflate(_) => "deflate",
            #[cfg(feature = "brotli")]
            Decoder::Brotli(_) => "br",
            #[cfg(feature = "zstd")]
            Decoder::Zstd(_) => "zstd",
        }
    }

    /// Decodes one chunk, returning what came out (possibly nothing yet).
    fn decode(&mut self, input: &[u8]) -> std::io::Result<Vec<u8>> {
        let _ = input;
        match self {
            Decoder::Never(n) => match *n {},
            #[cfg(feature = "gzip")]
            Decoder::Gzip(d) => {
                d.write_all(input)?;
                Ok(std::mem::take(d.get_mut()))
            }
            #[cfg(feature = "deflate")]
            Decoder::Deflate(d) => d.decode(input),
            #[cfg(feature = "brotli")]
            Decoder::Brotli(d) => {
                d.write_all(input)?;
                Ok(std::mem::take(d.get_mut()))
            }
            #[cfg(feature = "zstd")]
            Decoder::Zstd(z) => z.decode(input),
        }
    }

    /// Ends the stream: fails on truncated input.
    fn finish(&mut self) -> std::io::Result<Vec<u8>> {
        match self {
            Decoder::Never(n) => match *n {},
            #[cfg(feature = "gzip")]
            Decoder::Gzip(d) => {
                d.try_finish()?;
                Ok(std::mem::take(d.get_mut()))
            }
            #[cfg(feature = "deflate")]
            Decoder::Deflate(d) => d.finish(),
            #[cfg(feature = "brotli")]
            Decoder::Brotli(d) => {
                d.close()?;
                Ok(std::mem::take(d.get_mut()))
            }
            #[cfg(feature = "zstd")]
            Decoder::Zstd(z) => z.finish(),
        }
    }
}

#[cfg(feature = "deflate")]
impl DeflateState {
    fn decode(&mut self, input: &[u8]) -> std::io::Result<Vec<u8>> {
        if let DeflateState::Undecided(buf) = self {
            buf.extend_from_slice(input);
            if buf.len() < 2 {
                return Ok(Vec::new());
            }
            let (cmf, flg) = (buf[0], buf[1]);
            let zlib = cmf & 0x0f == 8 && (u16::from(cmf) << 8 | u16::from(flg)) % 31 == 0;
            let pending = std::mem::take(buf);
            *self = if zlib {
                DeflateState::Zlib(flate2::write::ZlibDecoder::new(Vec::new()))
            } else {
                DeflateState::Raw(flate2::write::DeflateDecoder::new(Vec::new()))
            };
            return self.decode(&pending);
        }
        match self {
            DeflateState::Zlib(d) => {
                d.write_all(input)?;
                Ok(std::mem::take(d.get_mut()))
            }
            DeflateState::Raw(d) => {
                d.write_all(input)?;
                Ok(std::mem::take(d.get_mut()))
            }
            DeflateState::Undecided(_) => Ok(Vec::new()),
        }
    }

    fn finish(&mut self) -> std::io::Result<Vec<u8>> {
        match self {
            DeflateState::Undecided(b) if b.is_empty() => Ok(Vec::new()),
            DeflateState::Undecided(_) => Err(std::io::Error::other("truncated deflate stream")),
            DeflateState::Zlib(d) => {
                d.try_finish()?;
                Ok(std::mem::take(d.get_mut()))
            }
            DeflateState::Raw(d) => {
                d.try_finish()?;
                Ok(std::mem::take(d.get_mut()))
            }
        }
    }
}

#[cfg(feature = "zstd")]
impl ZstdState {
    fn decode(&mut self, input: &[u8]) -> std::io::Result<Vec<u8>> {
        self.input.extend_from_slice(input);
        let mut out = Vec::new();
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            if self.started && self.decoder.is_finished() && self.decoder.can_collect() == 0 {
                if self.input.is_empty() {
                    break;
                }
                // Another frame follows.
                self.decoder = ruzstd::decoding::FrameDecoder::new();
                self.started = false;
            }
            if !self.started && self.input.len() < 18 {
                // Wait for a whole frame header.
                break;
            }
            let (read, written) = self
                .decoder
                .decode_from_to(&self.input, &mut buf)
                .map_err(std::io::Error::other)?;
            self.started = true;
            // ruzstd 0.8 reports the 4 bytes of a frame's checksum as read when fewer are left,
            // having read none of them: wait for the rest.
            let read = if read > self.input.len() { 0 } else { read };
            self.input.drain(..read);
            out.extend_from_slice(&buf[..written]);
            if read == 0 && written == 0 {
                break;
            }
        }
        Ok(out)
    }

    fn finish(&mut self) -> std::io::Result<Vec<u8>> {
        if !self.started && !self.input.is_empty() {
            // A frame shorter than the header wait: try it now.
            let (read, _) = self
                .decoder
                .decode_from_to(&self.input, &mut [])
                .map_err(std::io::Error::other)?;
            self.started = true;
            self.input.drain(..read);
        }
        let mut out = self.decode(&[])?;
        if self.started && (!self.decoder.is_finished() || !self.input.is_empty()) {
            return Err(std::io::Error::other("truncated zstd stream"));
        }
        out.extend(self.decode(&[])?);
        Ok(out)
    }
}

/// Runs a chunk through the stack of decoders.
fn run_stack(decoders: &mut [Decoder], chunk: &[u8], last: bool) -> Result<Vec<u8>> {
    let mut data = chunk.to_vec();
    for d in decoders.iter_mut() {
        let mut out = d.decode(&data).map_err(|e| bad(d.name(), e))?;
        if last {
            out.extend(d.finish().map_err(|e| bad(d.name(), e))?);
        }
        data = out;
    }
    Ok(data)
}

fn bad(name: &str, e: std::io::Error) -> Error {
    Error::decode(format!("invalid {name} data in the response body")).with_source(e)
}

pin_project_lite::pin_project! {
    /// A body decoded by a stack of decoders as its chunks arrive.
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
            if *this.done {
                return Poll::Ready(None);
            }
            let item = match this.inner.as_mut().poll_next(cx) {
                Poll::Ready(item) => item,
                Poll::Pending => return Poll::Pending,
            };
            let out = match item {
                Some(Ok(chunk)) => {
                    *this.saw_input |= !chunk.is_empty();
                    run_stack(this.decoders, &chunk, false)
                }
                Some(Err(e)) => Err(e),
                None => {
                    *this.done = true;
                    if !*this.saw_input {
                        return Poll::Ready(None);
                    }
                    run_stack(this.decoders, &[], true)
                }
            };
            match out {
                Ok(data) if data.is_empty() => continue,
                Ok(data) => return Poll::Ready(Some(Ok(Bytes::from(data)))),
                Err(e) => {
                    *this.done = true;
                    return Poll::Ready(Some(Err(e)));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(enc: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(CONTENT_ENCODING, enc.parse().unwrap());
        h
    }

    fn decode_chunked(enc: &str, data: &[u8], chunk: usize) -> Result<Vec<u8>> {
        let mut d = decoders_for(&headers(enc))?;
        let mut out = Vec::new();
        for c in data.chunks(chunk.max(1)) {
            out.extend(run_stack(&mut d, c, false)?);
        }
        out.extend(run_stack(&mut d, &[], true)?);
        Ok(out)
    }

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn gzip_and_deflate_in_small_chunks() {
        let data = b"hello hello hello world".repeat(100);
        assert_eq!(decode_chunked("gzip", &gzip(&data), 7).unwrap(), data);
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        z.write_all(&data).unwrap();
        assert_eq!(
            decode_chunked("deflate", &z.finish().unwrap(), 1).unwrap(),
            data
        );
        let mut r = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
        r.write_all(&data).unwrap();
        assert_eq!(
            decode_chunked("deflate", &r.finish().unwrap(), 5).unwrap(),
            data
        );
    }

    #[test]
    fn stacked_encodings_decode_in_reverse() {
        let data = b"stacked".repeat(50);
        let twice = gzip(&gzip(&data));
        assert_eq!(decode_chunked("gzip, gzip", &twice, 3).unwrap(), data);
        let e = decode_chunked("gzip,gzip,gzip,gzip,gzip,gzip", &twice, 3).unwrap_err();
        assert!(e.is_decode(), "{e}");
    }

    #[test]
    fn bad_and_truncated_input_are_decode_errors() {
        assert!(decode_chunked("gzip", b"not gzip at all", 4)
            .unwrap_err()
            .is_decode());
        let g = gzip(b"some data to truncate, long enough");
        assert!(decode_chunked("gzip", &g[..g.len() / 2], 4)
            .unwrap_err()
            .is_decode());
        assert!(decode_chunked("compress", b"x", 1).unwrap_err().is_decode());
    }

    #[test]
    fn identity_is_ignored() {
        assert!(decoders_for(&headers("identity")).unwrap().is_empty());
    }

    /// Found by `fuzz/` (target `decode`): a zstd frame whose 4-byte checksum was not all
    /// there yet panicked (ruzstd reports those 4 bytes as read from a shorter input), whether
    /// the rest was still on its way (a valid body split there by the network) or never came.
    #[cfg(feature = "zstd")]
    #[test]
    fn zstd_checksum_split_across_chunks_or_missing() {
        // `printf 'hello hello hello anyfetch zstd\n' | zstd --check`
        let real = [
            0x28, 0xb5, 0x2f, 0xfd, 0x24, 0x20, 0xd5, 0x00, 0x00, 0xa0, 0x68, 0x65, 0x6c, 0x6c,
            0x6f, 0x20, 0x61, 0x6e, 0x79, 0x66, 0x65, 0x74, 0x63, 0x68, 0x20, 0x7a, 0x73, 0x74,
            0x64, 0x0a, 0x01, 0x00, 0xe1, 0x4a, 0x11, 0x07, 0x5f, 0x9a, 0x93,
        ];
        for chunk in 1..=real.len() {
            let out = decode_chunked("zstd", &real, chunk).unwrap();
            assert_eq!(
                out, b"hello hello hello anyfetch zstd\n",
                "chunks of {chunk}"
            );
        }
        for cut in 1..=4 {
            let e = decode_chunked("zstd", &real[..real.len() - cut], 5).unwrap_err();
            assert!(e.is_decode(), "{e}");
        }
        // Magic, checksum flag, window 1152 B, one last RLE block of 5 x 'a' (then the fuzzer's
        // own: an RLE block of 35268 bytes), then 0 to 3 of the 4 checksum bytes.
        let frame = [0x28, 0xb5, 0x2f, 0xfd, 0x04, 0x01, 0x2b, 0x00, 0x00, b'a'];
        let fuzzed = [0x28, 0xb5, 0x2f, 0xfd, 0x04, 0x01, 0x23, 0x4e, 0x04, 0xf3];
        for body in [&frame[..], &fuzzed[..]] {
            for extra in 0..4 {
                let data = [body, &[0x12, 0x34, 0x56][..extra]].concat();
                for chunk in [1, 3, 4, data.len()] {
                    let e = decode_chunked("zstd", &data, chunk).unwrap_err();
                    assert!(e.is_decode(), "{e}");
                }
            }
        }
    }
}
