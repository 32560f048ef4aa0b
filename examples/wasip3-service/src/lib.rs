//! A WASI 0.3 `wasi:http/service` component: for each incoming request, fetches the same path
//! and query from an upstream server with anyfetch and streams the answer back as it arrives.
//! The 0.3 twin of `examples/wasi-proxy`: the handler is an `async fn` that awaits anyfetch
//! directly (no `block_on`), so one instance serves several requests at once.
//!
//! ```sh
//! cargo build --target wasm32-wasip2 --release
//! wasmtime serve -S p3 -S cli --env UPSTREAM=http://127.0.0.1:8000 --addr 127.0.0.1:8080 \
//!     target/wasm32-wasip2/release/anyfetch_wasip3_service.wasm
//! curl http://127.0.0.1:8080/get?q=1
//! ```
//!
//! `UPSTREAM` (default `http://127.0.0.1:8000`) is the base URL requests are forwarded to.

use futures::StreamExt;
use wasip3::exports::http::handler::Guest;
use wasip3::http::types::{ErrorCode, Fields, Request, Response};
use wasip3::{wit_bindgen, wit_future, wit_stream};

struct Service;

wasip3::http::service::export!(Service);

/// Response headers a `wasi:http` host will not take from a component (hop-by-hop ones).
const HOP_BY_HOP: &[&str] = &[
    "connection",
    "keep-alive",
    "proxy-connection",
    "transfer-encoding",
    "upgrade",
    "host",
];

type Trailers = Result<Option<Fields>, ErrorCode>;

impl Guest for Service {
    async fn handle(request: Request) -> Result<Response, ErrorCode> {
        let path = request.get_path_with_query().unwrap_or_else(|| "/".into());
        drop(request);
        let upstream = std::env::var("UPSTREAM").unwrap_or_else(|_| "http://127.0.0.1:8000".into());
        let url = format!("{}{path}", upstream.trim_end_matches('/'));
        // The body passes through as the upstream encoded it.
        let client = anyfetch::Client::builder()
            .decode_content(false)
            .build()
            .map_err(|e| ErrorCode::InternalError(Some(e.display_chain().to_string())))?;
        let mut upstream_response = client.get(&url).await.map_err(|e| {
            eprintln!("anyfetch-wasip3-service: {url}: {}", e.display_chain());
            // The host's own error-code when it gave one (the same wasi:http type), passed on.
            match std::error::Error::source(&e)
                .and_then(|s| s.downcast_ref::<anyfetch::WasiHttpError>())
            {
                Some(host) => host.code().clone(),
                None if e.is_timeout() => ErrorCode::HttpResponseTimeout,
                None => ErrorCode::DestinationUnavailable,
            }
        })?;

        let mut list: Vec<(String, Vec<u8>)> = upstream_response
            .headers()
            .iter()
            .filter(|(name, _)| !HOP_BY_HOP.contains(&name.as_str()))
            .map(|(name, value)| (name.as_str().to_owned(), value.as_bytes().to_vec()))
            .collect();
        list.push(("x-proxied-by".into(), b"anyfetch-wasip3-service".to_vec()));
        let headers = Fields::from_list(&list)
            .map_err(|e| ErrorCode::InternalError(Some(format!("{e:?}"))))?;

        let (mut body_tx, body_rx) = wit_stream::new::<u8>();
        // Unless the whole body is passed on, its trailers tell the host it was cut short.
        let (trailers_tx, trailers_rx) = wit_future::new::<Trailers>(|| {
            Err(ErrorCode::InternalError(Some(
                "the upstream body was cut short".into(),
            )))
        });
        let (response, _transmitted) = Response::new(headers, Some(body_rx), trailers_rx);
        response
            .set_status_code(upstream_response.status().as_u16())
            .map_err(|()| ErrorCode::InternalError(Some("status".into())))?;

        // The head goes back now; the body streams after the handler has returned.
        wit_bindgen::spawn_local(async move {
            let mut chunks = upstream_response.bytes_stream();
            while let Some(chunk) = chunks.next().await {
                let Ok(chunk) = chunk else { return };
                if !body_tx.write_all(chunk.to_vec()).await.is_empty() {
                    return;
                }
            }
            drop(body_tx);
            let _ = trailers_tx.write(Ok(None)).await;
        });
        Ok(response)
    }
}
