//! A `wasi:http/proxy` component: for each incoming request, fetches the same path and query
//! from an upstream server with anyfetch and streams the answer back as it arrives.
//!
//! ```sh
//! cargo build --target wasm32-wasip2 --release
//! wasmtime serve -S cli --env UPSTREAM=http://127.0.0.1:8000 --addr 127.0.0.1:8080 \
//!     target/wasm32-wasip2/release/anyfetch_wasi_proxy.wasm
//! curl http://127.0.0.1:8080/get?q=1
//! ```
//!
//! `UPSTREAM` (default `http://127.0.0.1:8000`) is the base URL requests are forwarded to.

use futures::StreamExt;
use wasi::exports::http::incoming_handler::Guest;
use wasi::http::types::{
    ErrorCode, Fields, IncomingRequest, OutgoingBody, OutgoingResponse, ResponseOutparam,
};

struct Proxy;

wasi::http::proxy::export!(Proxy);

/// Response headers a `wasi:http` host will not take from a component (hop-by-hop ones).
const HOP_BY_HOP: &[&str] = &[
    "connection",
    "keep-alive",
    "proxy-connection",
    "transfer-encoding",
    "upgrade",
    "host",
];

impl Guest for Proxy {
    fn handle(request: IncomingRequest, out: ResponseOutparam) {
        let path = request.path_with_query().unwrap_or_else(|| "/".into());
        // The request's resources are not needed further: drop it before the long wait.
        drop(request);
        anyfetch::block_on(forward(&path, out));
    }
}

async fn forward(path: &str, out: ResponseOutparam) {
    let upstream = std::env::var("UPSTREAM").unwrap_or_else(|_| "http://127.0.0.1:8000".into());
    let url = format!("{}{path}", upstream.trim_end_matches('/'));
    // The body passes through as the upstream encoded it.
    let client = match anyfetch::Client::builder().decode_content(false).build() {
        Ok(c) => c,
        Err(e) => {
            return ResponseOutparam::set(
                out,
                Err(ErrorCode::InternalError(Some(
                    e.display_chain().to_string(),
                ))),
            )
        }
    };
    let mut upstream_response = match client.get(&url).await {
        Ok(r) => r,
        Err(e) => {
            eprintln!("anyfetch-wasi-proxy: {url}: {}", e.display_chain());
            // The host's own error-code when it gave one (the same wasi:http type), passed on.
            let host = std::error::Error::source(&e)
                .and_then(|s| s.downcast_ref::<anyfetch::WasiHttpError>());
            let code = match host {
                Some(host) => host.code().clone(),
                None if e.is_timeout() => ErrorCode::HttpResponseTimeout,
                None => ErrorCode::DestinationUnavailable,
            };
            return ResponseOutparam::set(out, Err(code));
        }
    };

    let headers = Fields::new();
    for (name, value) in upstream_response.headers() {
        if HOP_BY_HOP.contains(&name.as_str()) {
            continue;
        }
        let _ = headers.append(&name.as_str().to_owned(), &value.as_bytes().to_vec());
    }
    let _ = headers.append(&"x-proxied-by".to_owned(), &b"anyfetch-wasi-proxy".to_vec());
    let response = OutgoingResponse::new(headers);
    let _ = response.set_status_code(upstream_response.status().as_u16());
    let Ok(body) = response.body() else { return };
    ResponseOutparam::set(out, Ok(response));

    let Ok(stream) = body.write() else { return };
    let mut chunks = upstream_response.bytes_stream();
    let mut failed = false;
    while let Some(chunk) = chunks.next().await {
        let Ok(chunk) = chunk else {
            failed = true;
            break;
        };
        // At most 4096 bytes per blocking write.
        if chunk
            .chunks(4096)
            .any(|piece| stream.blocking_write_and_flush(piece).is_err())
        {
            failed = true;
            break;
        }
    }
    // The output-stream is a child of the outgoing-body: drop it before finishing the body.
    drop(stream);
    if !failed {
        let _ = OutgoingBody::finish(body, None);
    }
    // Dropping an unfinished body tells the host the response was cut short.
}
