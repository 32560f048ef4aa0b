//! A WASI command component that fetches the URL given on its command line and prints the
//! status, the headers and the body (streamed as it arrives).
//!
//! ```sh
//! cargo build --target wasm32-wasip2 --profile release-small
//! wasmtime run -S http target/wasm32-wasip2/release-small/anyfetch-wasi-fetch.wasm http://127.0.0.1:8000/get
//! ```

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use futures::StreamExt;

fn main() -> ExitCode {
    let Some(url) = std::env::args().nth(1) else {
        eprintln!("usage: anyfetch-wasi-fetch URL");
        return ExitCode::from(2);
    };
    // `block_on` runs anyfetch's futures in the component, waiting with wasi:io/poll.
    match anyfetch::block_on(fetch(&url)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("anyfetch-wasi-fetch: {}", e.display_chain());
            ExitCode::FAILURE
        }
    }
}

async fn fetch(url: &str) -> anyfetch::Result<()> {
    let client = anyfetch::Client::builder()
        .timeout(Duration::from_secs(30))
        .follow_redirects(true)
        .build()?;
    let mut response = client.get(url).await?;
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{} {}", response.status(), response.url());
    for (name, value) in response.headers() {
        let _ = writeln!(err, "{name}: {}", String::from_utf8_lossy(value.as_bytes()));
    }
    drop(err);
    let mut out = std::io::stdout().lock();
    let mut body = response.bytes_stream();
    while let Some(chunk) = body.next().await {
        let _ = out.write_all(&chunk?);
    }
    let _ = out.flush();
    Ok(())
}
