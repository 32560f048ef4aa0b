//! The benchmark program with wstd 0.6 (see `../common/args.rs`).
include!("../../common/args.rs");

use wstd::http::body::util::Empty;
use wstd::http::body::Bytes;
use wstd::http::{Body, Client, Request};

#[wstd::main]
async fn main() -> std::process::ExitCode {
    let args = args();
    let client = Client::new();
    let mut doc = serde_json::Value::Null;
    for _ in 0..args.count {
        let request = Request::get(args.url.as_str())
            // Not `Body::empty()`: wstd 0.6.8 writes even an empty body (`write_all(&[])` calls
            // `check-write`), and when the host has already closed the request-body stream
            // because a fast server answered, it fails the whole request with
            // "connection reset" (4 requests in 10 against the local test server). An
            // `http_body` that ends at once is finished without a write.
            .body(Body::from_http_body(Empty::<Bytes>::new()))
            .expect("a request");
        let response = match client.send(request).await {
            Ok(r) => r,
            Err(e) => {
                eprintln!("error: {e:?}");
                return std::process::ExitCode::FAILURE;
            }
        };
        let status = response.status().as_u16();
        if status != 200 {
            eprintln!("status {status}");
            return std::process::ExitCode::FAILURE;
        }
        doc = match response.into_body().json::<serde_json::Value>().await {
            Ok(v) => v,
            Err(e) => {
                eprintln!("error: {e:?}");
                return std::process::ExitCode::FAILURE;
            }
        };
    }
    report(&args, 200, &doc)
}
