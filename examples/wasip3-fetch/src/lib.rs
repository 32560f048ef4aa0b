//! A WASI 0.3 command component that fetches the URL given on its command line and prints the
//! status, the headers and the body (streamed as it arrives). With `--fan-out N`, it fetches
//! the URL N times at once instead and prints how long they took together.
//!
//! ```sh
//! cargo build --target wasm32-wasip2 --profile release-small
//! wasmtime run -S p3 -S http target/wasm32-wasip2/release-small/anyfetch_wasip3_fetch.wasm http://127.0.0.1:8000/get
//! ```
//!
//! On WASI 0.3 there is no `block_on`: the command exports an async `run` (here with the
//! `wasip3` crate's macro) and awaits anyfetch's futures in it; the host schedules every
//! pending request and timer of the component.

use std::io::Write;
use std::time::{Duration, Instant};

use futures::StreamExt;

struct Command;

wasip3::cli::command::export!(Command);

impl wasip3::exports::cli::run::Guest for Command {
    async fn run() -> Result<(), ()> {
        let args: Vec<String> = std::env::args().skip(1).collect();
        let result = match args.as_slice() {
            [url] => fetch(url).await,
            [flag, n, url] if flag == "--fan-out" => match n.parse() {
                Ok(n) => fan_out(url, n).await,
                Err(_) => return usage(),
            },
            _ => return usage(),
        };
        result.map_err(|e| eprintln!("anyfetch-wasip3-fetch: {}", e.display_chain()))
    }
}

fn usage() -> Result<(), ()> {
    eprintln!("usage: anyfetch-wasip3-fetch [--fan-out N] URL");
    Err(())
}

fn client() -> anyfetch::Result<anyfetch::Client> {
    anyfetch::Client::builder()
        .timeout(Duration::from_secs(30))
        .follow_redirects(true)
        .build()
}

async fn fetch(url: &str) -> anyfetch::Result<()> {
    let mut response = client()?.get(url).await?;
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

/// `n` requests at once over one client: on 0.3 they wait in the host together.
async fn fan_out(url: &str, n: usize) -> anyfetch::Result<()> {
    let client = client()?;
    let start = Instant::now();
    let all = futures::future::join_all((0..n).map(|_| client.get(url).send())).await;
    let elapsed = start.elapsed();
    for r in all {
        r?.error_for_status()?;
    }
    println!("{n} requests in {:.3} s", elapsed.as_secs_f64());
    Ok(())
}
