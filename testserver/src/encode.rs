//! Content-Encoding routes: /gzip, /deflate, /brotli, /zstd, /encode, and the gzip bomb.

use std::io::Write;
use std::sync::OnceLock;

use hyper::header::CONTENT_ENCODING;
use hyper::StatusCode;
use serde_json::json;

use crate::echo::headers_of;
use crate::req::Req;
use crate::util::{bad_request, set, text, Resp};

/// Compresses `data` with one content coding (`gzip`, `deflate`, `br`, `zstd`; `identity`
/// passes it through), as the routes do: for tests that need encoded bodies.
pub fn compress(enc: &str, data: &[u8]) -> Option<Vec<u8>> {
    match enc {
        "gzip" => {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            e.write_all(data).ok()?;
            e.finish().ok()
        }
        "deflate" => {
            let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
            e.write_all(data).ok()?;
            e.finish().ok()
        }
        "br" => {
            let mut out = Vec::new();
            {
                let mut w = brotli::CompressorWriter::new(&mut out, 4096, 5, 22);
                w.write_all(data).ok()?;
                w.flush().ok()?;
            }
            Some(out)
        }
        "zstd" => zstd::stream::encode_all(data, 3).ok(),
        "identity" => Some(data.to_vec()),
        _ => None,
    }
}

/// `/gzip`, `/deflate`, `/brotli`, `/zstd`.
pub(crate) fn route(r: &Req, name: &str) -> Resp {
    let (key, enc) = match name {
        "gzip" => ("gzipped", "gzip"),
        "deflate" => ("deflated", "deflate"),
        "brotli" => ("brotli", "br"),
        _ => ("zstd", "zstd"),
    };
    let doc = json!({key: true, "headers": headers_of(r), "method": r.method.as_str(), "origin": r.origin()});
    let plain = serde_json::to_vec_pretty(&doc).unwrap_or_default();
    match compress(enc, &plain) {
        Some(body) => {
            let mut resp = text(StatusCode::OK, "application/json", body);
            set(&mut resp, CONTENT_ENCODING, enc);
            resp
        }
        None => bad_request("compression failed"),
    }
}

/// `/encode?enc=gzip,br&size=N`: N bytes of `a`, stacked encodings in listed order.
pub(crate) fn encode(r: &Req) -> Result<Resp, Resp> {
    let size: usize = r.q_parse("size", 1024)?;
    if size > 100 * 1024 * 1024 {
        return Err(bad_request("size too large"));
    }
    let encs: Vec<String> = r
        .q("enc")
        .unwrap_or("")
        .split(',')
        .map(|e| e.trim().to_ascii_lowercase())
        .filter(|e| !e.is_empty())
        .collect();
    let mut body = vec![b'a'; size];
    for e in &encs {
        body = compress(e, &body).ok_or_else(|| bad_request(&format!("unknown encoding {e}")))?;
    }
    let mut resp = text(StatusCode::OK, "text/plain; charset=utf-8", body);
    if !encs.is_empty() {
        set(&mut resp, CONTENT_ENCODING, &encs.join(", "));
    }
    Ok(resp)
}

/// 50 MB of zeros, gzip-compressed (computed once).
pub(crate) fn gzip_bomb() -> &'static [u8] {
    static BOMB: OnceLock<Vec<u8>> = OnceLock::new();
    BOMB.get_or_init(|| {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        let zeros = vec![0u8; 1024 * 1024];
        for _ in 0..50 {
            if e.write_all(&zeros).is_err() {
                break;
            }
        }
        e.finish().unwrap_or_default()
    })
}
