//! `anyfetch-bench`: anyfetch (native) side by side with raw hyper (hyper-util's legacy pooled
//! client) and reqwest, against the same local `anyfetch-testserver`.
//!
//! ```text
//! anyfetch-bench [--rounds N] [--seq N] [--conc-total N] [--conc N] [--stream-mib N] [--stream-reps N]
//!                [--only CLIENT,..] [--scenarios seq,conc,stream]
//!     the whole benchmark: starts the server as a separate process (`serve`), then runs each
//!     (round, scenario, client) in a fresh child process (`run`), interleaved, and prints a
//!     Markdown table of the medians
//! anyfetch-bench serve
//!     the test server alone; prints `anyfetch-testserver listening on http://127.0.0.1:PORT`
//! anyfetch-bench run CLIENT SCENARIO BASE_URL [options]
//!     one measurement; prints `RESULT <value> <peak RSS kB> <connections used> <CPU µs per unit>`
//! ```
//!
//! Every client runs on the same runtime flavour: tokio multi-thread with 2 workers. Every
//! scenario checks the status (200) and the byte count, so a broken client cannot look fast.

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures::StreamExt;
use http_body_util::{BodyExt, Empty};

/// The tiny response: `/range/13` is `abcdefghijklm` with Content-Length.
const TINY_PATH: &str = "/range/13";
const TINY_BODY: &[u8] = b"abcdefghijklm";
const SEQ_WARMUP: usize = 100;
const CONC_WARMUP: usize = 640;
const WORKER_THREADS: usize = 2;

const CLIENTS: &[&str] = &["anyfetch", "hyper", "reqwest"];
/// Not in the default run: anyfetch with its keep-alive limit raised to 64 (the default is 20,
/// as in httpx), to tell pool churn from per-request cost in the 64-concurrent scenario.
/// `anyfetch-lean` has no timeouts (no timer armed per request/chunk) and no cookie jar, to
/// size those two costs.
/// `anyfetch-str` passes the URL as a string, parsed on every request (WHATWG parsing, as
/// reqwest's users who pass strings pay too), to size that cost against the others, which get
/// a URL parsed once (hyper a `Uri`, anyfetch and reqwest a `Url`).
const EXTRA_CLIENTS: &[&str] = &["anyfetch-ka64", "anyfetch-lean", "anyfetch-str"];

#[derive(Clone, Debug)]
struct Opts {
    rounds: usize,
    seq: usize,
    conc_total: usize,
    conc: usize,
    stream_mib: u64,
    stream_reps: usize,
    chunk: usize,
    clients: Vec<String>,
    scenarios: Vec<String>,
}

impl Default for Opts {
    fn default() -> Self {
        Opts {
            rounds: 5,
            seq: 2000,
            conc_total: 10_000,
            conc: 64,
            stream_mib: 256,
            stream_reps: 4,
            chunk: 64 * 1024,
            clients: CLIENTS.iter().map(|s| s.to_string()).collect(),
            scenarios: vec!["seq".into(), "conc".into(), "stream".into()],
        }
    }
}

impl Opts {
    fn parse(args: &mut dyn Iterator<Item = String>) -> Result<Opts, String> {
        let mut o = Opts::default();
        while let Some(flag) = args.next() {
            let mut val = || args.next().ok_or_else(|| format!("{flag} needs a value"));
            let num = |v: String| {
                v.parse::<usize>()
                    .map_err(|_| format!("{flag}: bad number {v}"))
            };
            match flag.as_str() {
                "--rounds" => o.rounds = num(val()?)?.max(1),
                "--seq" => o.seq = num(val()?)?.max(1),
                "--conc-total" => o.conc_total = num(val()?)?.max(1),
                "--conc" => o.conc = num(val()?)?.max(1),
                "--stream-mib" => o.stream_mib = num(val()?)?.max(1) as u64,
                "--stream-reps" => o.stream_reps = num(val()?)?.max(1),
                "--chunk" => o.chunk = num(val()?)?.max(1),
                "--only" => o.clients = val()?.split(',').map(str::to_string).collect(),
                "--scenarios" => o.scenarios = val()?.split(',').map(str::to_string).collect(),
                _ => return Err(format!("unknown argument {flag}")),
            }
        }
        for c in &o.clients {
            if !CLIENTS.contains(&c.as_str()) && !EXTRA_CLIENTS.contains(&c.as_str()) {
                return Err(format!("unknown client {c}"));
            }
        }
        for s in &o.scenarios {
            if !["seq", "conc", "stream"].contains(&s.as_str()) {
                return Err(format!("unknown scenario {s}"));
            }
        }
        Ok(o)
    }

    fn to_args(&self) -> Vec<String> {
        let mut v = Vec::new();
        for (k, x) in [
            ("--rounds", self.rounds),
            ("--seq", self.seq),
            ("--conc-total", self.conc_total),
            ("--conc", self.conc),
            ("--stream-mib", self.stream_mib as usize),
            ("--stream-reps", self.stream_reps),
            ("--chunk", self.chunk),
        ] {
            v.push(k.to_string());
            v.push(x.to_string());
        }
        v
    }
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1).peekable();
    let res = match args.peek().map(String::as_str) {
        Some("serve") => serve(),
        Some("soak") => {
            args.next();
            let num = |a: Option<String>, d: usize| a.and_then(|v| v.parse().ok()).unwrap_or(d);
            let (total, fan_out) = (num(args.next(), 100_000), num(args.next(), 32));
            soak_with_server(total, fan_out)
        }
        Some("run") => {
            args.next();
            let (Some(client), Some(scenario), Some(url)) = (args.next(), args.next(), args.next())
            else {
                eprintln!("usage: anyfetch-bench run CLIENT SCENARIO BASE_URL [options]");
                return ExitCode::from(2);
            };
            Opts::parse(&mut args).and_then(|o| child(&client, &scenario, &url, &o))
        }
        _ => Opts::parse(&mut args).and_then(|o| parent(&o)),
    };
    match res {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("anyfetch-bench: {e}");
            ExitCode::FAILURE
        }
    }
}

mod soak;

/// Starts the server process, then soaks one client against it.
fn soak_with_server(total: usize, fan_out: usize) -> Result<(), String> {
    let (server, base) = start_server()?;
    let result = soak::soak(&base, total, fan_out);
    drop(server);
    result
}

// ---------------------------------------------------------------------------------------------
// The server process

fn serve() -> Result<(), String> {
    let server = anyfetch_testserver::TestServer::start();
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "anyfetch-testserver listening on http://{}",
        server.addr()
    )
    .and_then(|_| out.flush())
    .map_err(|e| e.to_string())?;
    drop(out);
    // Serve until the parent closes our stdin (or kills us).
    let mut sink = String::new();
    while std::io::stdin()
        .read_line(&mut sink)
        .map(|n| n > 0)
        .unwrap_or(false)
    {}
    Ok(())
}

/// Kills and reaps the server process when dropped (also on an early return).
struct ServerProc(Child);

impl Drop for ServerProc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

// ---------------------------------------------------------------------------------------------
// The parent: orchestration and the table

struct Sample {
    value: f64,
    rss_kb: u64,
    conns: u64,
    /// CPU time (user + system, all threads) of the client process per request (per MB when
    /// streaming), in µs, over the timed part.
    cpu_us: f64,
}

/// Starts `anyfetch-bench serve` as a child process; returns it (killed when dropped) and its
/// base URL.
fn start_server() -> Result<(ServerProc, String), String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut server = Command::new(&exe)
        .arg("serve")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("starting the server: {e}"))?;
    let stdout = server.stdout.take().ok_or("no server stdout")?;
    let server = ServerProc(server);
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .map_err(|e| e.to_string())?;
    let base = line
        .trim()
        .strip_prefix("anyfetch-testserver listening on ")
        .ok_or_else(|| format!("unexpected server output: {line:?}"))?
        .to_string();
    eprintln!("server: {base} (pid {})", server.0.id());
    Ok((server, base))
}

fn parent(o: &Opts) -> Result<(), String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let (server, base) = start_server()?;

    let n = o.clients.len();
    // results[scenario][client] = samples
    let mut results: Vec<Vec<Vec<Option<Sample>>>> = o
        .scenarios
        .iter()
        .map(|_| (0..n).map(|_| Vec::new()).collect())
        .collect();
    let started = Instant::now();
    for round in 0..o.rounds {
        for (si, scenario) in o.scenarios.iter().enumerate() {
            // Rotate the order each round so no client always runs first (or last).
            for k in 0..n {
                let ci = (k + round) % n;
                let client = &o.clients[ci];
                let t = Instant::now();
                let out = Command::new(&exe)
                    .args(["run", client, scenario, &base])
                    .args(o.to_args())
                    .stdin(Stdio::null())
                    .stderr(Stdio::inherit())
                    .output()
                    .map_err(|e| e.to_string())?;
                let stdout = String::from_utf8_lossy(&out.stdout);
                let sample = stdout.lines().find_map(|l| {
                    let mut f = l.strip_prefix("RESULT ")?.split_whitespace();
                    Some(Sample {
                        value: f.next()?.parse().ok()?,
                        rss_kb: f.next()?.parse().ok()?,
                        conns: f.next()?.parse().ok()?,
                        cpu_us: f.next()?.parse().ok()?,
                    })
                });
                match &sample {
                    Some(s) if out.status.success() => eprintln!(
                        "round {}/{} {scenario:>6} {client:<14} {:>12.1} {}  cpu {:>7.2} µs  rss {:>7} kB  conns {:>3}  ({:.2} s)",
                        round + 1,
                        o.rounds,
                        s.value,
                        unit(scenario),
                        s.cpu_us,
                        s.rss_kb,
                        s.conns,
                        t.elapsed().as_secs_f64()
                    ),
                    _ => eprintln!(
                        "round {}/{} {scenario:>6} {client:<14} FAILED ({})",
                        round + 1,
                        o.rounds,
                        out.status
                    ),
                }
                results[si][ci].push(if out.status.success() { sample } else { None });
            }
        }
    }
    let total = started.elapsed();
    drop(server);

    print_table(o, &results, total);
    Ok(())
}

fn unit(scenario: &str) -> &'static str {
    match scenario {
        "stream" => "MB/s",
        _ => "req/s",
    }
}

/// The median and the range, or None when any run failed.
fn stats(samples: &[Option<Sample>], f: impl Fn(&Sample) -> f64) -> Option<(f64, f64, f64)> {
    let mut v: Vec<f64> = samples
        .iter()
        .map(|s| s.as_ref().map(&f))
        .collect::<Option<_>>()?;
    if v.is_empty() {
        return None;
    }
    Some(median_range(&mut v))
}

/// The median, the minimum and the maximum of a non-empty list.
fn median_range(v: &mut [f64]) -> (f64, f64, f64) {
    v.sort_by(|a, b| a.total_cmp(b));
    let mid = v.len() / 2;
    let median = if v.len() % 2 == 1 {
        v[mid]
    } else {
        (v[mid - 1] + v[mid]) / 2.0
    };
    (median, v[0], v[v.len() - 1])
}

/// The ratio to the baseline's sample of the same round, per round: median (min–max). Rounds
/// pair the runs that were closest in time, which cancels much of a shared machine's drift.
fn paired(
    samples: &[Option<Sample>],
    base: Option<&Vec<Option<Sample>>>,
    f: impl Fn(&Sample) -> f64,
) -> String {
    let Some(base) = base else {
        return String::new();
    };
    let mut r: Vec<f64> = samples
        .iter()
        .zip(base)
        .filter_map(|(a, b)| Some(f(a.as_ref()?) / f(b.as_ref()?)))
        .filter(|x| x.is_finite())
        .collect();
    if r.is_empty() {
        return String::new();
    }
    let (median, lo, hi) = median_range(&mut r);
    format!(" ×{median:.2} ({lo:.2}–{hi:.2})")
}

fn fmt_num(x: f64) -> String {
    if x >= 100.0 {
        let s = format!("{:.0}", x);
        // thousands separators
        let mut out = String::new();
        for (i, c) in s.chars().enumerate() {
            if i > 0 && (s.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(c);
        }
        out
    } else {
        format!("{x:.1}")
    }
}

fn print_table(o: &Opts, results: &[Vec<Vec<Option<Sample>>>], total: Duration) {
    let label = |c: &str| match c {
        "hyper" => "hyper (raw)".to_string(),
        "anyfetch-ka64" => "anyfetch (keep-alive 64)".to_string(),
        "anyfetch-lean" => "anyfetch (no timeouts, no cookies)".to_string(),
        "anyfetch-str" => "anyfetch (URL string parsed per request)".to_string(),
        c => c.to_string(),
    };
    let mut out = String::new();
    out.push_str("\n## anyfetch vs hyper vs reqwest\n\n");
    out.push_str(&format!(
        "| scenario | {} |\n",
        o.clients
            .iter()
            .map(|c| label(c))
            .collect::<Vec<_>>()
            .join(" | ")
    ));
    out.push_str(&format!("|---|{}\n", "---:|".repeat(o.clients.len())));
    let hyper_idx = o.clients.iter().position(|c| c == "hyper");
    for (si, scenario) in o.scenarios.iter().enumerate() {
        let name = match scenario.as_str() {
            "seq" => format!("sequential keep-alive, {} B body (req/s)", TINY_BODY.len()),
            "conc" => format!("{}-concurrent, {} B body (req/s)", o.conc, TINY_BODY.len()),
            _ => format!("streaming {} × {} MiB (MB/s)", o.stream_reps, o.stream_mib),
        };
        let base = hyper_idx.map(|h| &results[si][h]);
        let cells: Vec<String> = results[si]
            .iter()
            .map(|samples| match stats(samples, |s| s.value) {
                None => "FAILED".into(),
                Some((m, lo, hi)) => {
                    let rel = paired(samples, base, |s| s.value);
                    format!("**{}** ({}–{}){rel}", fmt_num(m), fmt_num(lo), fmt_num(hi))
                }
            })
            .collect();
        out.push_str(&format!("| {name} | {} |\n", cells.join(" | ")));
        let cells: Vec<String> = results[si]
            .iter()
            .map(|samples| match stats(samples, |s| s.cpu_us) {
                None => "—".into(),
                Some((m, lo, hi)) => {
                    let rel = paired(samples, base, |s| s.cpu_us);
                    format!("**{m:.2}** ({lo:.2}–{hi:.2}){rel}")
                }
            })
            .collect();
        out.push_str(&format!(
            "| ↳ client CPU, user + system, µs per {} (lower is better) | {} |\n",
            if scenario == "stream" {
                "MB"
            } else {
                "request"
            },
            cells.join(" | ")
        ));
        if scenario == "conc" {
            let cells: Vec<String> = results[si]
                .iter()
                .map(|s| {
                    stats(s, |s| s.conns as f64).map_or("—".into(), |s| format!("{:.0}", s.0))
                })
                .collect();
            out.push_str(&format!(
                "| ↳ TCP connections opened ({} requests) | {} |\n",
                o.conc_total + CONC_WARMUP,
                cells.join(" | ")
            ));
        }
        if scenario == "stream" {
            let cells: Vec<String> = results[si]
                .iter()
                .map(|s| {
                    stats(s, |s| s.rss_kb as f64 / 1024.0)
                        .map_or("—".into(), |s| format!("{:.1}", s.0))
                })
                .collect();
            out.push_str(&format!(
                "| ↳ peak RSS of the client process, VmHWM (MiB) | {} |\n",
                cells.join(" | ")
            ));
        }
    }
    out.push_str(
        "\nCells: **median** (min–max) over the rounds, then ×median (min–max) of the ratio to raw hyper's run of the same round.\n",
    );

    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into());
    let nproc = std::thread::available_parallelism().map_or(0, |n| n.get());
    out.push_str(&format!(
        "\n- machine: {nproc} CPUs ({cpu}), {}\n",
        std::env::consts::OS
    ));
    out.push_str(&format!(
        "- server: `anyfetch-testserver` in its own process (tokio multi-thread, 2 workers), HTTP/1.1 on 127.0.0.1; \
         tiny = `GET {TINY_PATH}` ({} B, Content-Length); streaming = `GET /zeros/{}?chunk_size={}` (Content-Length, {} KiB frames)\n",
        TINY_BODY.len(),
        o.stream_mib << 20,
        o.chunk,
        o.chunk / 1024
    ));
    out.push_str(&format!(
        "- clients: each run in a fresh process, tokio multi-thread runtime with {WORKER_THREADS} workers for all; \
         one client per run; release build\n"
    ));
    out.push_str(&format!(
        "- sequential: {SEQ_WARMUP} warm-up + {} timed requests, one at a time, body read whole\n",
        o.seq
    ));
    out.push_str(&format!(
        "- concurrent: {} tasks sharing one client, {CONC_WARMUP} warm-up + {} timed requests, body read whole\n",
        o.conc, o.conc_total
    ));
    out.push_str(&format!(
        "- streaming: 1 warm-up request, then {} × {} MiB bodies read chunk by chunk (never held whole), MB = 10^6 bytes\n",
        o.stream_reps, o.stream_mib
    ));
    out.push_str(&format!(
        "- rounds: {} (client order rotated each round); checks: status 200 and exact byte count (tiny body compared byte for byte)\n",
        o.rounds
    ));
    out.push_str(
        "- pool settings: anyfetch `Client::new()` defaults (max 100 connections, 20 kept alive); \
         hyper `Client::builder(TokioExecutor).build_http()` defaults; reqwest `Client::builder().no_proxy()` defaults\n",
    );
    out.push_str(&format!(
        "- total measuring time: {:.1} s\n",
        total.as_secs_f64()
    ));
    print!("{out}");
}

// ---------------------------------------------------------------------------------------------
// The child: one measurement with one client

type HyperClient = hyper_util::client::legacy::Client<
    hyper_util::client::legacy::connect::HttpConnector,
    Empty<Bytes>,
>;

#[allow(clippy::large_enum_variant)] // one per process
enum Cl {
    /// The client, and whether it is handed the URL as a string (parsed per request).
    Anyfetch(anyfetch::Client, bool),
    Hyper(HyperClient),
    Reqwest(reqwest::Client),
}

/// A request target, parsed once, as a client in a loop would keep it: hyper takes a `Uri`,
/// anyfetch and reqwest a `Url` (`anyfetch-str` the string, parsed on every request).
struct Target {
    url: String,
    parsed: anyfetch::Url,
    uri: hyper::Uri,
}

impl Target {
    fn new(url: String) -> Result<Target, String> {
        let uri = url.parse().map_err(|e| format!("{url}: {e}"))?;
        let parsed = url.parse().map_err(|e| format!("{url}: {e}"))?;
        Ok(Target { url, parsed, uri })
    }
}

/// The server's `X-Connection-Id` (hyper, reqwest and anyfetch all use the `http` 1.x map).
fn conn_id(h: &hyper::HeaderMap) -> u64 {
    h.get("x-connection-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

impl Cl {
    fn new(name: &str) -> Result<Cl, String> {
        Ok(match name {
            "anyfetch" => Cl::Anyfetch(anyfetch::Client::new(), false),
            "anyfetch-str" => Cl::Anyfetch(anyfetch::Client::new(), true),
            "anyfetch-ka64" => Cl::Anyfetch(
                anyfetch::Client::builder()
                    .limits(anyfetch::Limits::default().max_keepalive_connections(64))
                    .build()
                    .map_err(|e| e.to_string())?,
                false,
            ),
            "anyfetch-lean" => Cl::Anyfetch(
                anyfetch::Client::builder()
                    .timeout(anyfetch::Timeout::none())
                    .cookie_store(false)
                    .build()
                    .map_err(|e| e.to_string())?,
                false,
            ),
            "hyper" => Cl::Hyper(
                hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
                    .build_http(),
            ),
            "reqwest" => Cl::Reqwest(
                reqwest::Client::builder()
                    .no_proxy()
                    .build()
                    .map_err(|e| e.to_string())?,
            ),
            _ => return Err(format!("unknown client {name}")),
        })
    }

    /// GET, read the body whole; returns (status, body, connection id).
    async fn get_whole(&self, t: &Target) -> Result<(u16, Bytes, u64), String> {
        match self {
            Cl::Anyfetch(c, as_str) => {
                let r = if *as_str {
                    c.get(t.url.as_str()).await
                } else {
                    c.get(&t.parsed).await
                };
                let mut r = r.map_err(|e| e.to_string())?;
                let id = conn_id(r.headers());
                let b = r.bytes().await.map_err(|e| e.to_string())?;
                Ok((r.status().as_u16(), b, id))
            }
            Cl::Hyper(c) => {
                let req = hyper::Request::get(t.uri.clone())
                    .body(Empty::new())
                    .map_err(|e| e.to_string())?;
                let r = c.request(req).await.map_err(|e| e.to_string())?;
                let (status, id) = (r.status().as_u16(), conn_id(r.headers()));
                let b = r
                    .into_body()
                    .collect()
                    .await
                    .map_err(|e| e.to_string())?
                    .to_bytes();
                Ok((status, b, id))
            }
            Cl::Reqwest(c) => {
                let r = c
                    .get(t.parsed.clone())
                    .send()
                    .await
                    .map_err(|e| e.to_string())?;
                let (status, id) = (r.status().as_u16(), conn_id(r.headers()));
                let b = r.bytes().await.map_err(|e| e.to_string())?;
                Ok((status, b, id))
            }
        }
    }

    /// GET, read the body chunk by chunk and count it; returns (status, bytes, chunks).
    async fn get_streamed(&self, t: &Target) -> Result<(u16, u64, u64), String> {
        let (mut n, mut chunks) = (0u64, 0u64);
        let status;
        match self {
            Cl::Anyfetch(c, _) => {
                let mut r = c.get(&t.parsed).await.map_err(|e| e.to_string())?;
                status = r.status().as_u16();
                let mut s = r.bytes_stream();
                while let Some(chunk) = s.next().await {
                    n += chunk.map_err(|e| e.to_string())?.len() as u64;
                    chunks += 1;
                }
            }
            Cl::Hyper(c) => {
                let req = hyper::Request::get(t.uri.clone())
                    .body(Empty::new())
                    .map_err(|e| e.to_string())?;
                let r = c.request(req).await.map_err(|e| e.to_string())?;
                status = r.status().as_u16();
                let mut body = r.into_body();
                while let Some(frame) = body.frame().await {
                    if let Some(d) = frame.map_err(|e| e.to_string())?.data_ref() {
                        n += d.len() as u64;
                        chunks += 1;
                    }
                }
            }
            Cl::Reqwest(c) => {
                let r = c
                    .get(t.parsed.clone())
                    .send()
                    .await
                    .map_err(|e| e.to_string())?;
                status = r.status().as_u16();
                let mut s = r.bytes_stream();
                while let Some(chunk) = s.next().await {
                    n += chunk.map_err(|e| e.to_string())?.len() as u64;
                    chunks += 1;
                }
            }
        }
        Ok((status, n, chunks))
    }
}

async fn tiny(c: &Cl, t: &Target) -> Result<u64, String> {
    let (status, body, id) = c.get_whole(t).await?;
    if status != 200 {
        return Err(format!("status {status}"));
    }
    if body.as_ref() != TINY_BODY {
        return Err(format!(
            "body {body:?}, expected {:?}",
            Bytes::from_static(TINY_BODY)
        ));
    }
    Ok(id)
}

/// CPU time of this process (user + system, every thread), in µs.
fn cpu_time_us() -> f64 {
    // SAFETY: getrusage writes one rusage into the zeroed struct we own.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) } != 0 {
        return f64::NAN;
    }
    let us = |t: libc::timeval| t.tv_sec as f64 * 1e6 + t.tv_usec as f64;
    us(ru.ru_utime) + us(ru.ru_stime)
}

fn peak_rss_kb() -> u64 {
    proc_status_kb("VmHWM:")
}

/// A `kB` field of `/proc/self/status` (`VmHWM:`, `VmRSS:`), 0 when it cannot be read.
pub(crate) fn proc_status_kb(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

fn child(client: &str, scenario: &str, base: &str, o: &Opts) -> Result<(), String> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(WORKER_THREADS)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let base = base.trim_end_matches('/');
    let (value, conns, cpu_us) = rt.block_on(async {
        let c = Arc::new(Cl::new(client)?);
        match scenario {
            "seq" => {
                let t = Target::new(format!("{base}{TINY_PATH}"))?;
                let mut ids = HashSet::new();
                for _ in 0..SEQ_WARMUP {
                    ids.insert(tiny(&c, &t).await?);
                }
                let (start, cpu) = (Instant::now(), cpu_time_us());
                for _ in 0..o.seq {
                    ids.insert(tiny(&c, &t).await?);
                }
                let secs = start.elapsed().as_secs_f64();
                let cpu = (cpu_time_us() - cpu) / o.seq as f64;
                Ok::<_, String>((o.seq as f64 / secs, ids.len() as u64, cpu))
            }
            "conc" => {
                let t = Arc::new(Target::new(format!("{base}{TINY_PATH}"))?);
                let run = |total: usize| {
                    let next = Arc::new(AtomicUsize::new(0));
                    let tasks: Vec<_> = (0..o.conc)
                        .map(|_| {
                            let (c, t, next) = (c.clone(), t.clone(), next.clone());
                            tokio::spawn(async move {
                                let mut ids = HashSet::new();
                                while next.fetch_add(1, Ordering::Relaxed) < total {
                                    ids.insert(tiny(&c, &t).await?);
                                }
                                Ok::<_, String>(ids)
                            })
                        })
                        .collect();
                    async move {
                        let mut ids = HashSet::new();
                        for task in tasks {
                            ids.extend(task.await.map_err(|e| e.to_string())??);
                        }
                        Ok::<_, String>(ids)
                    }
                };
                let mut ids = run(CONC_WARMUP).await?;
                let (start, cpu) = (Instant::now(), cpu_time_us());
                ids.extend(run(o.conc_total).await?);
                let secs = start.elapsed().as_secs_f64();
                let cpu = (cpu_time_us() - cpu) / o.conc_total as f64;
                Ok((o.conc_total as f64 / secs, ids.len() as u64, cpu))
            }
            "stream" => {
                let expect = o.stream_mib << 20;
                let warm = Target::new(format!("{base}/zeros/{}?chunk_size={}", 1 << 20, o.chunk))?;
                let (status, n, _) = c.get_streamed(&warm).await?;
                if status != 200 || n != 1 << 20 {
                    return Err(format!("warm-up: status {status}, {n} bytes"));
                }
                let t = Target::new(format!("{base}/zeros/{expect}?chunk_size={}", o.chunk))?;
                let (start, cpu) = (Instant::now(), cpu_time_us());
                for _ in 0..o.stream_reps {
                    let (status, n, _chunks) = c.get_streamed(&t).await?;
                    if status != 200 {
                        return Err(format!("status {status}"));
                    }
                    if n != expect {
                        return Err(format!("read {n} bytes, expected {expect}"));
                    }
                }
                let secs = start.elapsed().as_secs_f64();
                let mb = (expect * o.stream_reps as u64) as f64 / 1e6;
                Ok((mb / secs, 1, (cpu_time_us() - cpu) / mb))
            }
            _ => Err(format!("unknown scenario {scenario}")),
        }
    })?;
    drop(rt);
    println!("RESULT {value} {} {conns} {cpu_us}", peak_rss_kb());
    Ok(())
}
