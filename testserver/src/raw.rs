//! `/misbehave/...`: hand-written HTTP/1.1 responses that break the protocol on purpose.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::{sleep, timeout};

const CORS: &str = "Access-Control-Allow-Origin: *\r\n";
const HOLD: Duration = Duration::from_secs(60);

/// Whether a request line (`GET /misbehave/x HTTP/1.1`) targets a raw route. A CORS preflight
/// (`OPTIONS`) never does: hyper answers it, and the request it clears then hijacks the socket
/// (a browser that sends a non-safelisted header, such as Firefox with a `User-Agent`, asks
/// first, on a new connection as often as on a kept one).
pub(crate) fn is_raw_request_line(line: &[u8]) -> bool {
    let mut parts = line.split(|&b| b == b' ');
    let method = parts.next();
    method != Some(b"OPTIONS".as_slice())
        && parts
            .next()
            .is_some_and(|target| target.starts_with(b"/misbehave/"))
}

/// Reads the request head (up to the blank line); returns the request target.
async fn read_head(stream: &mut TcpStream) -> Option<String> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    loop {
        let n = timeout(Duration::from_secs(30), stream.read(&mut chunk))
            .await
            .ok()?
            .ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if buf.windows(4).any(|w| w == b"\r\n\r\n") || buf.windows(2).any(|w| w == b"\n\n") {
            break;
        }
        if buf.len() > 64 * 1024 {
            return None;
        }
    }
    let line = buf.split(|&b| b == b'\n').next()?;
    let target = String::from_utf8_lossy(line).split(' ').nth(1)?.to_string();
    Some(target)
}

/// Sends FIN, then drains what the client still sends (so close does not turn into a reset).
async fn close_gracefully(mut stream: TcpStream) {
    let _ = stream.flush().await;
    let _ = stream.shutdown().await;
    let mut sink = [0u8; 4096];
    let _ = timeout(Duration::from_secs(2), async {
        while let Ok(n) = stream.read(&mut sink).await {
            if n == 0 {
                break;
            }
        }
    })
    .await;
}

fn head(status_line: &str, headers: &str) -> Vec<u8> {
    format!("{status_line}\r\n{headers}{CORS}Connection: close\r\n\r\n").into_bytes()
}

fn complete(headers: &str, body: &[u8]) -> Vec<u8> {
    let h = format!("{headers}Content-Length: {}\r\n", body.len());
    let mut out = head("HTTP/1.1 200 OK", &h);
    out.extend_from_slice(body);
    out
}

/// Serves a connection whose first request targets `/misbehave/...`.
pub(crate) async fn handle(mut stream: TcpStream) {
    if let Some(target) = read_head(&mut stream).await {
        serve(stream, &target).await;
    }
}

/// Misbehaves on `stream`, whose request head (for `target`) has been read already.
pub(crate) async fn serve(mut stream: TcpStream, target: &str) {
    let path = target.split('?').next().unwrap_or("");
    let name = path.trim_start_matches("/misbehave/");
    let out: Vec<u8> = match name {
        "truncated" => {
            let mut v = head(
                "HTTP/1.1 200 OK",
                "Content-Type: text/plain\r\nContent-Length: 100\r\n",
            );
            v.extend_from_slice(&[b'x'; 50]);
            v
        }
        "sse-cut" => {
            // An event, then, 300 ms later (a browser drops what a stream has queued when it
            // fails, so the event must be read first), the start of the next one, and the
            // connection closes short of the Content-Length.
            let mut v = head(
                "HTTP/1.1 200 OK",
                "Content-Type: text/event-stream\r\nContent-Length: 100\r\n",
            );
            v.extend_from_slice(b"data: one\n\n");
            if stream.write_all(&v).await.is_err() || stream.flush().await.is_err() {
                return;
            }
            sleep(Duration::from_millis(300)).await;
            b"data: tw".to_vec()
        }
        "bad-chunk" => {
            let mut v = head(
                "HTTP/1.1 200 OK",
                "Content-Type: text/plain\r\nTransfer-Encoding: chunked\r\n",
            );
            v.extend_from_slice(b"5\r\nhello\r\nzz\r\n");
            v
        }
        "reset" => {
            let mut v = head(
                "HTTP/1.1 200 OK",
                "Content-Type: application/octet-stream\r\nContent-Length: 100000\r\n",
            );
            v.extend_from_slice(&[b'x'; 1000]);
            let _ = stream.write_all(&v).await;
            let _ = stream.flush().await;
            sleep(Duration::from_millis(100)).await;
            let _ = stream.set_zero_linger();
            drop(stream);
            return;
        }
        "stall" => {
            let mut v = head(
                "HTTP/1.1 200 OK",
                "Content-Type: text/plain\r\nContent-Length: 100\r\n",
            );
            v.extend_from_slice(&[b'x'; 10]);
            let _ = stream.write_all(&v).await;
            let _ = stream.flush().await;
            sleep(HOLD).await;
            return;
        }
        "stall-headers" | "no-read" => {
            sleep(HOLD).await;
            return;
        }
        "bad-json" => complete("Content-Type: application/json\r\n", b"{\"a\": 1,"),
        "bad-gzip" => complete(
            "Content-Type: text/plain\r\nContent-Encoding: gzip\r\n",
            b"this is definitely not gzip data",
        ),
        "gzip-bomb" => {
            let bomb = tokio::task::spawn_blocking(crate::encode::gzip_bomb).await;
            let Ok(bomb) = bomb else { return };
            complete(
                "Content-Type: application/octet-stream\r\nContent-Encoding: gzip\r\n",
                bomb,
            )
        }
        "bad-status" => b"HTTP/1.1 abc\r\n\r\n".to_vec(),
        "close" => Vec::new(),
        _ => {
            let mut v = head(
                "HTTP/1.1 404 Not Found",
                "Content-Type: text/plain\r\nContent-Length: 24\r\n",
            );
            v.extend_from_slice(b"unknown misbehave route\n");
            v
        }
    };
    if stream.write_all(&out).await.is_ok() {
        close_gracefully(stream).await;
    }
}
