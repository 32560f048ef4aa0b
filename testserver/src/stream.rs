//! Streaming and byte routes: drip, stream, stream-bytes, bytes, range, zeros, lines, upload-sink.

use std::time::Duration;

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper::header::CONTENT_LENGTH;
use hyper::{Request, StatusCode};
use serde_json::json;
use tokio::time::{sleep, sleep_until, Instant};

use crate::echo::{args_of, headers_of};
use crate::req::Req;
use crate::util::{
    bad_request, channel_body, chunks, ok_json, seeded_bytes, set, text, with_body, Resp,
};

/// Upper bound for generated bodies.
const MAX_BYTES: usize = 100 * 1024 * 1024;
/// Upper bound for the number of chunks `/drip` sends.
const MAX_DRIP_CHUNKS: u64 = 10_000;

pub(crate) fn seconds(v: f64, max: f64) -> Result<Duration, Resp> {
    if !v.is_finite() || v < 0.0 {
        return Err(bad_request("invalid duration"));
    }
    Ok(Duration::from_secs_f64(v.min(max)))
}

fn count(n: &str) -> Result<usize, Resp> {
    match n.parse::<usize>() {
        Ok(n) if n <= MAX_BYTES => Ok(n),
        _ => Err(bad_request("invalid count")),
    }
}

/// `/drip?numbytes=N&duration=S&delay=D&code=C`.
pub(crate) async fn drip(r: &Req) -> Result<Resp, Resp> {
    let n: u64 = r.q_parse("numbytes", 10)?;
    if n > MAX_BYTES as u64 {
        return Err(bad_request("numbytes too large"));
    }
    let duration = seconds(r.q_parse("duration", 2.0)?, 60.0)?;
    let delay = seconds(r.q_parse("delay", 0.0)?, 60.0)?;
    let code: u16 = r.q_parse("code", 200)?;
    let status = match StatusCode::from_u16(code) {
        Ok(s) if code >= 200 => s,
        _ => return Err(bad_request("invalid code")),
    };
    sleep(delay).await;
    let (tx, body) = channel_body();
    let pieces = n.min(MAX_DRIP_CHUNKS);
    tokio::spawn(async move {
        let start = Instant::now();
        for i in 0..pieces {
            let size = (n * (i + 1) / pieces - n * i / pieces) as usize;
            if tx.send(Bytes::from(vec![b'*'; size])).await.is_err() {
                return;
            }
            sleep_until(start + duration.mul_f64((i + 1) as f64 / pieces as f64)).await;
        }
    });
    let mut resp = with_body(status, "application/octet-stream", body);
    set(&mut resp, CONTENT_LENGTH, &n.to_string());
    Ok(resp)
}

/// `/stream/{n}`: n JSON lines, one chunk each.
pub(crate) fn stream_json(r: &Req, n: &str) -> Result<Resp, Resp> {
    let n = n
        .parse::<usize>()
        .map_err(|_| bad_request("invalid n"))?
        .min(100);
    let (url, args, headers, origin) = (r.full_url(), args_of(r), headers_of(r), r.origin());
    let lines = (0..n)
        .map(|i| {
            let v =
                json!({"id": i, "url": url, "args": args, "headers": headers, "origin": origin});
            Bytes::from(format!("{v}\n"))
        })
        .collect();
    Ok(with_body(StatusCode::OK, "application/json", chunks(lines)))
}

/// `/stream-bytes/{n}?chunk_size=K&seed=S`: chunked.
pub(crate) fn stream_bytes(r: &Req, n: &str) -> Result<Resp, Resp> {
    let n = count(n)?;
    let chunk_size = r.q_parse::<usize>("chunk_size", 10240)?.max(1);
    let seed = r.q("seed").map(|s| s.parse::<u64>()).transpose();
    let seed = seed.map_err(|_| bad_request("invalid seed"))?;
    let data = Bytes::from(seeded_bytes(n, seed));
    let parts = (0..n)
        .step_by(chunk_size)
        .map(|i| data.slice(i..(i + chunk_size).min(n)))
        .collect();
    Ok(with_body(
        StatusCode::OK,
        "application/octet-stream",
        chunks(parts),
    ))
}

/// `/bytes/{n}?seed=S`: with Content-Length.
pub(crate) fn bytes(r: &Req, n: &str) -> Result<Resp, Resp> {
    let n = count(n)?;
    let seed = r.q("seed").map(|s| s.parse::<u64>()).transpose();
    let seed = seed.map_err(|_| bad_request("invalid seed"))?;
    Ok(text(
        StatusCode::OK,
        "application/octet-stream",
        seeded_bytes(n, seed),
    ))
}

/// `/zeros/{n}?chunk_size=K`: n zero bytes (up to 16 GiB) with Content-Length, streamed as
/// K-byte frames (default 64 KiB) of one shared buffer: a cheap source for throughput benchmarks.
pub(crate) fn zeros(r: &Req, n: &str) -> Result<Resp, Resp> {
    let n = match n.parse::<u64>() {
        Ok(n) if n <= 16 << 30 => n,
        _ => return Err(bad_request("invalid count")),
    };
    let chunk_size = r.q_parse::<usize>("chunk_size", 65536)?.clamp(1, 16 << 20);
    let chunk = Bytes::from(vec![0u8; chunk_size]);
    let frames = (0..n).step_by(chunk_size).map(move |i| {
        let len = (n - i).min(chunk_size as u64) as usize;
        Ok(hyper::body::Frame::data(chunk.slice(..len)))
    });
    let body = http_body_util::StreamBody::new(futures_util::stream::iter(frames));
    let mut resp = with_body(
        StatusCode::OK,
        "application/octet-stream",
        body.boxed_unsync(),
    );
    set(&mut resp, CONTENT_LENGTH, &n.to_string());
    Ok(resp)
}

/// `/range/{n}`: n bytes of the alphabet, repeating.
pub(crate) fn range(n: &str) -> Result<Resp, Resp> {
    let n = count(n)?;
    let data: Vec<u8> = (0..n).map(|i| b'a' + (i % 26) as u8).collect();
    Ok(text(StatusCode::OK, "application/octet-stream", data))
}

/// `/lines/{n}?delay=D`: `line {i}\n`, one chunk each, D seconds apart.
pub(crate) fn lines(r: &Req, n: &str) -> Result<Resp, Resp> {
    let n = n.parse::<u64>().map_err(|_| bad_request("invalid n"))?;
    let n = n.min(1_000_000);
    let delay = seconds(r.q_parse("delay", 0.0)?, 60.0)?;
    let (tx, body) = channel_body();
    tokio::spawn(async move {
        for i in 0..n {
            if i > 0 && !delay.is_zero() {
                sleep(delay).await;
            }
            if tx.send(Bytes::from(format!("line {i}\n"))).await.is_err() {
                return;
            }
        }
    });
    Ok(with_body(StatusCode::OK, "text/plain; charset=utf-8", body))
}

/// `/upload-sink`: counts the request body without buffering it.
pub(crate) async fn upload_sink(req: Request<Incoming>, ctx: &crate::req::Ctx) -> Resp {
    // `?key=K`: how the upload ended is kept for `/upload-result/K`.
    let key = req.uri().query().and_then(|q| {
        q.split('&')
            .find_map(|kv| kv.strip_prefix("key="))
            .map(crate::req::pct_decode)
    });
    let record = |outcome: serde_json::Value| {
        if let (Some(k), Ok(mut m)) = (&key, ctx.state.uploads.lock()) {
            m.insert(k.clone(), outcome);
        }
    };
    let mut body = req.into_body();
    let mut n: u64 = 0;
    while let Some(frame) = body.frame().await {
        match frame {
            Ok(f) => {
                if let Some(d) = f.data_ref() {
                    n += d.len() as u64;
                }
            }
            Err(_) => {
                record(json!({"complete": false, "received": n}));
                return bad_request("error reading the request body");
            }
        }
    }
    record(json!({"complete": true, "received": n}));
    ok_json(&json!({"received": n}))
}

/// `/upload-result/{key}`: how the upload to `/upload-sink?key={key}` ended (`complete` and
/// `received`), or `{"complete": null}` while none has ended, or when it never arrived.
pub(crate) fn upload_result(r: &Req, key: &str) -> Resp {
    let outcome = r
        .ctx
        .state
        .uploads
        .lock()
        .ok()
        .and_then(|m| m.get(key).cloned());
    ok_json(&outcome.unwrap_or_else(|| json!({"complete": null})))
}
