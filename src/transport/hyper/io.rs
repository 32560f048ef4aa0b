//! A read buffer between the TCP socket and rustls.
//!
//! rustls pulls ciphertext in reads of at most 4 KiB (`read_tls` sizes its buffer for one
//! more 4 KiB read at a time), so a 16 KiB TLS record costs four `recv` calls, and each of
//! them makes the kernel send an ACK to the peer. Below rustls, [`ReadBuffered`] fills a
//! larger buffer with one `recv` and hands it out from memory: a memcpy instead of a system
//! call per 4 KiB. Writes go straight through.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// The buffer: room for a few TLS records (16 KiB each) per `recv`.
const CAPACITY: usize = 64 * 1024;

/// `inner` with a read buffer of [`CAPACITY`] bytes, allocated on the first read.
pub(super) struct ReadBuffered<S> {
    inner: S,
    buf: Box<[u8]>,
    /// `buf[pos..filled]` is read from the socket, not yet handed out.
    pos: usize,
    filled: usize,
}

impl<S> ReadBuffered<S> {
    pub(super) fn new(inner: S) -> Self {
        ReadBuffered {
            inner,
            buf: Box::default(),
            pos: 0,
            filled: 0,
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for ReadBuffered<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        out: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.pos == this.filled {
            if out.remaining() >= CAPACITY {
                // A read at least as large as the buffer gains nothing from it.
                return Pin::new(&mut this.inner).poll_read(cx, out);
            }
            if this.buf.is_empty() {
                this.buf = vec![0; CAPACITY].into_boxed_slice();
            }
            let mut rb = ReadBuf::new(&mut this.buf);
            std::task::ready!(Pin::new(&mut this.inner).poll_read(cx, &mut rb))?;
            this.pos = 0;
            this.filled = rb.filled().len();
        }
        let n = out.remaining().min(this.filled - this.pos);
        out.put_slice(&this.buf[this.pos..this.pos + n]);
        this.pos += n;
        Poll::Ready(Ok(()))
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for ReadBuffered<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// Small reads come out of the buffer in order, large ones bypass it, writes pass through.
    #[tokio::test]
    async fn reads_in_order_and_writes_through() {
        let (a, mut b) = tokio::io::duplex(1 << 20);
        let mut r = ReadBuffered::new(a);
        let data: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        let writer = {
            let data = data.clone();
            tokio::spawn(async move {
                b.write_all(&data).await.unwrap();
                let mut back = [0u8; 5];
                b.read_exact(&mut back).await.unwrap();
                assert_eq!(&back, b"hello");
            })
        };
        let mut got = Vec::new();
        let mut small = [0u8; 4096];
        let mut large = vec![0u8; CAPACITY + 10];
        let mut i = 0;
        while got.len() < data.len() {
            let n = if i % 3 == 2 {
                r.read(&mut large).await.unwrap()
            } else {
                r.read(&mut small[..1 + i % 4096]).await.unwrap()
            };
            let chunk = if i % 3 == 2 { &large[..n] } else { &small[..n] };
            got.extend_from_slice(chunk);
            i += 1;
        }
        assert_eq!(got, data);
        r.write_all(b"hello").await.unwrap();
        writer.await.unwrap();
    }
}
