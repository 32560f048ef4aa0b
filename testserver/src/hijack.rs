//! Taking the raw socket away from hyper, for `/misbehave/` requests that arrive on a
//! kept-alive HTTP/1.1 connection (browsers and connection pools reuse connections).
//!
//! The service stores the request target in the connection's [`Slot`] and returns a
//! placeholder response; when hyper tries to write it, [`HijackIo`] hands the socket to
//! the raw handler instead and fails the write, so hyper drops the connection.

use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use hyper::body::Incoming;
use hyper::{Request, StatusCode, Version};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

use crate::req::Ctx;
use crate::util::{status_only, text, Resp};

pub(crate) type Slot = Arc<Mutex<Option<String>>>;

/// A `/misbehave/` request seen by hyper: hijack the socket if this is plain HTTP/1.
pub(crate) fn request(req: &Request<Incoming>, ctx: &Ctx) -> Resp {
    let target = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_default();
    match &ctx.hijack {
        Some(slot) if req.version() <= Version::HTTP_11 => {
            if let Ok(mut s) = slot.lock() {
                *s = Some(target);
            }
            status_only(StatusCode::OK)
        }
        _ => text(
            StatusCode::NOT_FOUND,
            "text/plain; charset=utf-8",
            "misbehave routes are served raw on plain HTTP/1.1 only\n",
        ),
    }
}

/// A TCP stream that can be taken away from hyper when its slot is set.
pub(crate) struct HijackIo {
    stream: Option<TcpStream>,
    slot: Slot,
}

impl HijackIo {
    pub(crate) fn new(stream: TcpStream) -> (HijackIo, Slot) {
        let slot = Slot::default();
        let io = HijackIo {
            stream: Some(stream),
            slot: slot.clone(),
        };
        (io, slot)
    }

    /// Hands the stream to the raw handler if asked to; returns it if still ours.
    fn stream(&mut self) -> Option<&mut TcpStream> {
        let target = self.slot.lock().ok().and_then(|mut s| s.take());
        if let Some(target) = target {
            if let Some(stream) = self.stream.take() {
                tokio::spawn(async move { crate::raw::serve(stream, &target).await });
            }
        }
        self.stream.as_mut()
    }
}

fn hijacked() -> io::Error {
    io::Error::new(io::ErrorKind::ConnectionAborted, "hijacked for /misbehave/")
}

impl AsyncRead for HijackIo {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.stream.as_mut() {
            Some(s) => Pin::new(s).poll_read(cx, buf),
            None => Poll::Ready(Ok(())),
        }
    }
}

impl AsyncWrite for HijackIo {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.stream() {
            Some(s) => Pin::new(s).poll_write(cx, buf),
            None => Poll::Ready(Err(hijacked())),
        }
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.stream() {
            Some(s) => Pin::new(s).poll_flush(cx),
            None => Poll::Ready(Ok(())),
        }
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.stream() {
            Some(s) => Pin::new(s).poll_shutdown(cx),
            None => Poll::Ready(Ok(())),
        }
    }
}
