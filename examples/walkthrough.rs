//! The main job: a walk through the httpx guide with anyfetch, against a local server this
//! example starts itself (no network needed).
//!
//! ```text
//! cargo run --example walkthrough
//! ```

use std::time::{Duration, Instant};

use anyfetch::{Client, DigestAuth, Timeout};
use anyfetch_testserver::TestServer;
use futures::StreamExt;
use serde_json::{json, Value};

#[tokio::main]
async fn main() -> anyfetch::Result<()> {
    let server = TestServer::start();
    let url = |p: &str| server.url(p);
    println!("local test server on {}\n", server.url(""));

    section("One-off requests");
    let mut r = anyfetch::get(url("/get"))
        .query(&[("q", "test"), ("page", "2")])
        .await?;
    let v: Value = r.json().await?;
    println!(
        "GET /get?q=test&page=2 -> {} args={}",
        r.status(),
        v["args"]
    );
    let v: Value = anyfetch::post(url("/post"))
        .json(&json!({"name": "ada"}))
        .await?
        .json()
        .await?;
    println!("POST json      -> json={}", v["json"]);
    let v: Value = anyfetch::post(url("/post"))
        .form(&[("key", "value")])
        .await?
        .json()
        .await?;
    println!("POST form      -> form={}", v["form"]);
    let v: Value = anyfetch::post(url("/post"))
        .body(b"raw bytes".to_vec())
        .await?
        .json()
        .await?;
    println!("POST content   -> data={}", v["data"]);
    let form = anyfetch::multipart::Form::new().file("file", "a.png", vec![0x89, b'P', b'N', b'G']);
    let v: Value = anyfetch::post(url("/post"))
        .multipart(form)
        .await?
        .json()
        .await?;
    println!("POST files     -> files={}", v["files"]);

    section("Auth");
    let r = anyfetch::get(url("/basic-auth/user/passwd"))
        .basic_auth("user", "passwd")
        .await?;
    println!("Basic  -> {}", r.status());
    let r = anyfetch::get(url("/digest-auth/auth/user/passwd/SHA-256"))
        .auth(DigestAuth::new("user", "passwd"))
        .await?;
    println!(
        "Digest -> {} (401 challenge answered, then re-sent)",
        r.status()
    );

    section("A Client with a base URL, default headers and cookies");
    let client = Client::builder()
        .base_url(url("/"))
        .header("User-Agent", "my-app/1.0")
        .timeout(Duration::from_secs(10))
        .build()?;
    let v: Value = client.get("/headers").await?.json().await?;
    println!("default User-Agent -> {}", v["headers"]["User-Agent"]);
    client.get("/cookies/set?session=abc").await?;
    let v: Value = client.get("/cookies").await?.json().await?;
    println!("cookies persisted  -> {}", v["cookies"]);

    section("Concurrent fan-out");
    let start = Instant::now();
    let rs = futures::future::join_all((0..5).map(|_| client.get("/delay/1").send())).await;
    println!(
        "5 x /delay/1 together -> {} ok in {:.2?}",
        rs.iter().filter(|r| r.is_ok()).count(),
        start.elapsed()
    );
    let start = Instant::now();
    let n = futures::stream::iter((0..4).map(|_| client.get("/delay/0.5").send()))
        .buffer_unordered(2)
        .count()
        .await;
    println!(
        "4 x /delay/0.5, at most 2 in flight -> {n} done in {:.2?}",
        start.elapsed()
    );
    let dead = std::net::TcpListener::bind("127.0.0.1:0").map(|l| l.local_addr().map(|a| a.port()));
    let dead = dead.ok().and_then(Result::ok).unwrap_or(9);
    let batch = futures::future::join_all([
        client.get("/get").send(),
        client.get(format!("http://127.0.0.1:{dead}/")).send(),
        client.get("/status/201").send(),
    ])
    .await;
    for r in &batch {
        match r {
            Ok(r) => println!("  batch item -> {}", r.status()),
            Err(e) => println!("  batch item -> error (connect: {}): {e}", e.is_connect()),
        }
    }

    section("Streaming");
    // Progress counts bytes off the wire (`num_bytes_downloaded`), which is what
    // Content-Length measures: here a gzip body that decodes to 400 kB.
    let mut r = client
        .get("/encode?enc=gzip&size=400000")
        .await?
        .error_for_status()?;
    let wire = r.content_length().unwrap_or(0);
    let bar = indicatif::ProgressBar::new(wire).with_style(
        indicatif::ProgressStyle::with_template("  {bar:40} {bytes}/{total_bytes} on the wire")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let mut decoded = 0;
    let mut chunks = r.bytes_stream();
    while let Some(chunk) = chunks.next().await {
        decoded += chunk?.len();
        bar.set_position(r.num_bytes_downloaded());
    }
    bar.finish();
    println!(
        "  downloaded {} of {wire} bytes on the wire, {decoded} bytes decoded",
        r.num_bytes_downloaded()
    );
    let mut r = client.get("/stream-bytes/100000?chunk_size=20000").await?;
    let mut chunks = r.bytes_stream();
    while let Some(chunk) = chunks.next().await {
        chunk?;
        println!("  streamed: {:>6} / 100000 bytes", r.num_bytes_downloaded());
    }
    let mut r = client.get("/lines/3?delay=0.2").await?;
    let mut lines = Box::pin(r.lines());
    while let Some(line) = lines.next().await {
        println!("  line: {}", line?);
    }

    section("Redirects");
    let r = client.get("/redirect/2").await?;
    println!(
        "not followed by default -> {} Location: {:?}",
        r.status(),
        r.headers()["location"]
    );
    let r = client.get("/redirect/2").follow_redirects(true).await?;
    println!(
        "followed -> {} {} after {} hops",
        r.status(),
        r.url().path(),
        r.history().len()
    );

    section("Errors");
    match client.get("/status/503").await?.error_for_status() {
        Err(e) => println!(
            "error_for_status -> is_status={} status={:?}: {e}",
            e.is_status(),
            e.status()
        ),
        Ok(_) => println!("unexpected success"),
    }
    let start = Instant::now();
    match client
        .get("/delay/3")
        .timeout(Timeout::new(Duration::from_secs(1)))
        .await
    {
        Err(e) => println!(
            "read timeout -> {:?} after {:.2?}: {e}",
            e.timeout_kind(),
            start.elapsed()
        ),
        Ok(r) => println!("unexpected {}", r.status()),
    }
    match client.get(format!("http://127.0.0.1:{dead}/")).await {
        // Display says what happened; display_chain adds the causes (here the io::Error).
        Err(e) => println!(
            "refused -> is_connect={}: {}",
            e.is_connect(),
            e.display_chain()
        ),
        Ok(r) => println!("unexpected {}", r.status()),
    }
    match client.get("http://exa mple.com/").await {
        Err(e) => println!(
            "bad URL -> is_builder={}: {}",
            e.is_builder(),
            e.display_chain()
        ),
        Ok(r) => println!("unexpected {}", r.status()),
    }

    section("HTTP/2 (h2c by prior knowledge)");
    let h2 = Client::builder().http2_prior_knowledge(true).build()?;
    let r = h2.get(url("/get")).await?;
    println!("version -> {:?}", r.version());
    Ok(())
}

fn section(title: &str) {
    println!("\n== {title} ==");
}
