//! `anyfetch-bench`: anyfetch (native) side by side with raw hyper (hyper-util's legacy pooled
//! client), reqwest and curl, over HTTP/1.1 and HTTP/2, plain and TLS, against nginx (and,
//! optionally, the project's own `anyfetch-testserver`).
//!
//! ```text
//! anyfetch-bench [--rounds N] [--protos h1,h1s,h2,h2s,h1t] [--scenarios seq,conc,stream]
//!                [--only CLIENT,..] [--seq N] [--conc-total N] [--conc N]
//!                [--stream-mib N] [--stream-reps N] [--chunk N]
//!     the whole benchmark: starts the servers as separate processes, then runs each
//!     (round, protocol, scenario, client) in a fresh child process (`run`), interleaved, and
//!     prints Markdown tables of the medians and of the paired per-round ratios
//! anyfetch-bench serve
//!     the test server alone; prints `anyfetch-testserver listening on http://127.0.0.1:PORT`
//! anyfetch-bench nginx [--stream-mib N]
//!     nginx alone, as the matrix runs it (for profiling one client with `run`); prints the
//!     base URL of each protocol and the CA file, serves until stdin closes
//! anyfetch-bench run CLIENT SCENARIO PROTO BASE_URL [--ca PEM] [options]
//!     one measurement; prints `RESULT <value> <peak RSS kB> <connections used> <CPU µs per unit>`
//! ```
//!
//! Protocols: `h1` HTTP/1.1, `h1s` HTTP/1.1 over TLS, `h2` HTTP/2 by prior knowledge (h2c),
//! `h2s` HTTP/2 over TLS (ALPN), all served by nginx; `h1t` plain HTTP/1.1 against
//! `anyfetch-testserver` (the benchmark's earlier server; not in the default run).
//!
//! Every Rust client runs on the same runtime flavour: tokio multi-thread with 2 workers.
//! Every scenario checks the status (200), the HTTP version and the byte count, so a broken
//! client cannot look fast.

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures::StreamExt;
use http_body_util::{BodyExt, Empty};

mod curl;
mod nginx;
mod soak;

const SEQ_WARMUP: usize = 100;
const CONC_WARMUP: usize = 640;
const WORKER_THREADS: usize = 2;

const CLIENTS: &[&str] = &["anyfetch", "hyper", "reqwest", "curl"];
/// Not in the default run: anyfetch with its keep-alive limit raised to 64 (the default is 20,
/// as in httpx), to tell pool churn from per-request cost in the 64-concurrent scenario.
/// `anyfetch-lean` has no timeouts (no timer armed per request/chunk) and no cookie jar, to
/// size those two costs.
/// `anyfetch-str` passes the URL as a string, parsed on every request (WHATWG parsing, as
/// reqwest's users who pass strings pay too), to size that cost against the others, which get
/// a URL parsed once (hyper a `Uri`, anyfetch and reqwest a `Url`).
const EXTRA_CLIENTS: &[&str] = &["anyfetch-ka64", "anyfetch-lean", "anyfetch-str"];
const SCENARIOS: &[&str] = &["seq", "conc", "stream"];

/// A protocol (and server) of the matrix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Proto {
    /// Plain HTTP/1.1 against `anyfetch-testserver`.
    H1t,
    /// Plain HTTP/1.1 against nginx.
    H1,
    /// HTTP/1.1 over TLS against nginx.
    H1s,
    /// HTTP/2 by prior knowledge (h2c) against nginx.
    H2,
    /// HTTP/2 over TLS (ALPN `h2`) against nginx.
    H2s,
}

const PROTOS: &[Proto] = &[Proto::H1t, Proto::H1, Proto::H1s, Proto::H2, Proto::H2s];

impl Proto {
    fn name(self) -> &'static str {
        match self {
            Proto::H1t => "h1t",
            Proto::H1 => "h1",
            Proto::H1s => "h1s",
            Proto::H2 => "h2",
            Proto::H2s => "h2s",
        }
    }

    fn parse(s: &str) -> Option<Proto> {
        PROTOS.iter().copied().find(|p| p.name() == s)
    }

    fn label(self) -> &'static str {
        match self {
            Proto::H1t => "HTTP/1.1 (test server)",
            Proto::H1 => "HTTP/1.1",
            Proto::H1s => "HTTP/1.1 + TLS",
            Proto::H2 => "HTTP/2 (h2c)",
            Proto::H2s => "HTTP/2 + TLS",
        }
    }

    fn tls(self) -> bool {
        matches!(self, Proto::H1s | Proto::H2s)
    }

    fn h2(self) -> bool {
        matches!(self, Proto::H2 | Proto::H2s)
    }

    fn version(self) -> hyper::Version {
        if self.h2() {
            hyper::Version::HTTP_2
        } else {
            hyper::Version::HTTP_11
        }
    }

    fn tiny_path(self) -> &'static str {
        match self {
            Proto::H1t => "/range/13",
            _ => "/tiny",
        }
    }

    fn warm_path(self, o: &Opts) -> String {
        match self {
            Proto::H1t => format!("/zeros/{}?chunk_size={}", nginx::WARM_LEN, o.chunk),
            _ => "/warm".into(),
        }
    }

    fn big_path(self, o: &Opts) -> String {
        match self {
            Proto::H1t => format!("/zeros/{}?chunk_size={}", o.stream_mib << 20, o.chunk),
            _ => "/big".into(),
        }
    }
}

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
    protos: Vec<Proto>,
    /// The CA the TLS clients trust (PEM file); set by the parent for its children.
    ca: Option<String>,
}

impl Default for Opts {
    fn default() -> Self {
        Opts {
            rounds: 5,
            seq: 2000,
            conc_total: 10_000,
            conc: 64,
            stream_mib: 100,
            stream_reps: 2,
            chunk: 64 * 1024,
            clients: CLIENTS.iter().map(|s| s.to_string()).collect(),
            scenarios: SCENARIOS.iter().map(|s| s.to_string()).collect(),
            protos: vec![Proto::H1, Proto::H1s, Proto::H2, Proto::H2s],
            ca: None,
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
                "--protos" => {
                    o.protos = val()?
                        .split(',')
                        .map(|p| Proto::parse(p).ok_or_else(|| format!("unknown protocol {p}")))
                        .collect::<Result<_, _>>()?
                }
                "--ca" => o.ca = Some(val()?),
                _ => return Err(format!("unknown argument {flag}")),
            }
        }
        for c in &o.clients {
            if !CLIENTS.contains(&c.as_str()) && !EXTRA_CLIENTS.contains(&c.as_str()) {
                return Err(format!("unknown client {c}"));
            }
        }
        for s in &o.scenarios {
            if !SCENARIOS.contains(&s.as_str()) {
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
        if let Some(ca) = &self.ca {
            v.push("--ca".into());
            v.push(ca.clone());
        }
        v
    }
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1).peekable();
    let res = match args.peek().map(String::as_str) {
        Some("serve") => serve(),
        Some("nginx") => {
            args.next();
            Opts::parse(&mut args).and_then(|o| serve_nginx(&o))
        }
        Some("soak") => {
            args.next();
            let num = |a: Option<String>, d: usize| a.and_then(|v| v.parse().ok()).unwrap_or(d);
            let (total, fan_out) = (num(args.next(), 100_000), num(args.next(), 32));
            soak_with_server(total, fan_out)
        }
        Some("run") => {
            args.next();
            let (Some(client), Some(scenario), Some(proto), Some(url)) =
                (args.next(), args.next(), args.next(), args.next())
            else {
                eprintln!("usage: anyfetch-bench run CLIENT SCENARIO PROTO BASE_URL [options]");
                return ExitCode::from(2);
            };
            match Proto::parse(&proto) {
                None => Err(format!("unknown protocol {proto}")),
                Some(proto) => {
                    Opts::parse(&mut args).and_then(|o| child(&client, &scenario, proto, &url, &o))
                }
            }
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

fn serve_nginx(o: &Opts) -> Result<(), String> {
    let n = nginx::Nginx::start(o.stream_mib << 20)?;
    println!("h1  http://127.0.0.1:{}", n.ports[0]);
    println!("h2  http://127.0.0.1:{}", n.ports[1]);
    println!("h1s https://127.0.0.1:{}", n.ports[2]);
    println!("h2s https://127.0.0.1:{}", n.ports[3]);
    println!("ca  {}", n.ca().display());
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
// The parent: orchestration and the tables

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

/// One row of the tables: a protocol and a scenario.
struct Case {
    proto: Proto,
    scenario: String,
    base: String,
}

fn parent(o: &Opts) -> Result<(), String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut o = o.clone();
    let testserver = if o.protos.contains(&Proto::H1t) {
        Some(start_server()?)
    } else {
        None
    };
    let nginx = if o.protos.iter().any(|p| *p != Proto::H1t) {
        Some(nginx::Nginx::start(o.stream_mib << 20)?)
    } else {
        None
    };
    if let Some(n) = &nginx {
        o.ca = Some(n.ca().to_string_lossy().into_owned());
    }
    let base = |p: Proto| -> String {
        match (p, &testserver, &nginx) {
            (Proto::H1t, Some((_, base)), _) => base.clone(),
            (_, _, Some(n)) => {
                let (scheme, port) = match p {
                    Proto::H1 => ("http", n.ports[0]),
                    Proto::H2 => ("http", n.ports[1]),
                    Proto::H1s => ("https", n.ports[2]),
                    _ => ("https", n.ports[3]),
                };
                format!("{scheme}://127.0.0.1:{port}")
            }
            _ => unreachable!("a server runs for every protocol asked for"),
        }
    };
    let cases: Vec<Case> = o
        .protos
        .iter()
        .flat_map(|&proto| {
            let base = base(proto);
            o.scenarios.iter().map(move |s| Case {
                proto,
                scenario: s.clone(),
                base: base.clone(),
            })
        })
        .collect();

    let n = o.clients.len();
    // results[case][client] = samples
    let mut results: Vec<Vec<Vec<Option<Sample>>>> = cases
        .iter()
        .map(|_| (0..n).map(|_| Vec::new()).collect())
        .collect();
    let mut skips: Vec<String> = Vec::new();
    let started = Instant::now();
    for round in 0..o.rounds {
        for (ki, case) in cases.iter().enumerate() {
            // Rotate the order each round so no client always runs first (or last).
            for k in 0..n {
                let ci = (k + round) % n;
                let client = &o.clients[ci];
                let (scenario, proto) = (&case.scenario, case.proto.name());
                let t = Instant::now();
                let out = Command::new(&exe)
                    .args(["run", client, scenario, proto, &case.base])
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
                if let Some(why) = stdout.lines().find_map(|l| l.strip_prefix("SKIP ")) {
                    let note = format!("{client}, {}: {why}", case.proto.label());
                    if !skips.contains(&note) {
                        eprintln!("skipped: {note}");
                        skips.push(note);
                    }
                    results[ki][ci].push(None);
                    continue;
                }
                match &sample {
                    Some(s) if out.status.success() => eprintln!(
                        "round {}/{} {proto:>3} {scenario:>6} {client:<14} {:>12.1} {}  cpu {:>7.2} µs  rss {:>7} kB  conns {:>3}  ({:.2} s)",
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
                        "round {}/{} {proto:>3} {scenario:>6} {client:<14} FAILED ({})",
                        round + 1,
                        o.rounds,
                        out.status
                    ),
                }
                results[ki][ci].push(if out.status.success() { sample } else { None });
            }
        }
    }
    let total = started.elapsed();
    drop(nginx);
    drop(testserver);

    print_tables(&o, &cases, &results, &skips, total);
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

/// The ratio to the peer's sample of the same round, per round: median (min–max). Rounds
/// pair the runs that were closest in time, which cancels much of a shared machine's drift.
fn paired(samples: &[Option<Sample>], peer: &[Option<Sample>]) -> String {
    let mut r: Vec<f64> = samples
        .iter()
        .zip(peer)
        .filter_map(|(a, b)| Some(a.as_ref()?.value / b.as_ref()?.value))
        .filter(|x| x.is_finite())
        .collect();
    if r.is_empty() {
        return "—".into();
    }
    let (median, lo, hi) = median_range(&mut r);
    format!("×{median:.2} ({lo:.2}–{hi:.2})")
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

fn label(c: &str) -> String {
    match c {
        "hyper" => "hyper (raw)".to_string(),
        "curl" => "curl (CLI)".to_string(),
        "anyfetch-ka64" => "anyfetch (keep-alive 64)".to_string(),
        "anyfetch-lean" => "anyfetch (no timeouts, no cookies)".to_string(),
        "anyfetch-str" => "anyfetch (URL string parsed per request)".to_string(),
        c => c.to_string(),
    }
}

fn scenario_label(s: &str, o: &Opts) -> String {
    match s {
        "seq" => "sequential, tiny (req/s)".into(),
        "conc" => format!("{}-concurrent, tiny (req/s)", o.conc),
        _ => format!("stream {} × {} MiB (MB/s)", o.stream_reps, o.stream_mib),
    }
}

fn print_tables(
    o: &Opts,
    cases: &[Case],
    results: &[Vec<Vec<Option<Sample>>>],
    skips: &[String],
    total: Duration,
) {
    let mut out = String::new();
    let header = |out: &mut String, cols: &[String]| {
        out.push_str(&format!("| protocol | scenario | {} |\n", cols.join(" | ")));
        out.push_str(&format!("|---|---|{}\n", "---:|".repeat(cols.len())));
    };
    let row = |out: &mut String, case: &Case, cells: Vec<String>| {
        out.push_str(&format!(
            "| {} | {} | {} |\n",
            case.proto.label(),
            scenario_label(&case.scenario, o),
            cells.join(" | ")
        ));
    };
    let labels: Vec<String> = o.clients.iter().map(|c| label(c)).collect();

    out.push_str("\n### Throughput (higher is better)\n\n");
    header(&mut out, &labels);
    for (case, res) in cases.iter().zip(results) {
        let cells = res
            .iter()
            .map(|s| match stats(s, |s| s.value) {
                None if s.iter().all(Option::is_none) && !skips.is_empty() => "n/a".into(),
                None => "FAILED".into(),
                Some((m, lo, hi)) => {
                    format!("**{}** ({}–{})", fmt_num(m), fmt_num(lo), fmt_num(hi))
                }
            })
            .collect();
        row(&mut out, case, cells);
    }

    // Every anyfetch variant against every peer, paired by round.
    let subjects: Vec<usize> = (0..o.clients.len())
        .filter(|&i| o.clients[i].starts_with("anyfetch"))
        .collect();
    let peers: Vec<usize> = (0..o.clients.len())
        .filter(|&i| !o.clients[i].starts_with("anyfetch"))
        .collect();
    if !subjects.is_empty() && !peers.is_empty() {
        out.push_str("\n### anyfetch ÷ peer, throughput ratio paired by round (above 1: anyfetch is faster)\n\n");
        let cols: Vec<String> = subjects
            .iter()
            .flat_map(|&s| {
                peers
                    .iter()
                    .map(move |&p| format!("{} ÷ {}", label(&o.clients[s]), label(&o.clients[p])))
            })
            .collect();
        header(&mut out, &cols);
        for (case, res) in cases.iter().zip(results) {
            let cells = subjects
                .iter()
                .flat_map(|&s| peers.iter().map(move |&p| paired(&res[s], &res[p])))
                .collect();
            row(&mut out, case, cells);
        }
    }

    out.push_str("\n### Client CPU, user + system, µs per request or per MB (lower is better)\n\n");
    header(&mut out, &labels);
    for (case, res) in cases.iter().zip(results) {
        let cells = res
            .iter()
            .map(|s| {
                stats(s, |s| s.cpu_us).map_or("—".into(), |(m, lo, hi)| {
                    format!("**{m:.2}** ({lo:.2}–{hi:.2})")
                })
            })
            .collect();
        row(&mut out, case, cells);
    }

    out.push_str("\n### Connections opened (concurrent) and peak RSS in MiB (stream)\n\n");
    header(&mut out, &labels);
    for (case, res) in cases.iter().zip(results) {
        let cells = match case.scenario.as_str() {
            "conc" => res
                .iter()
                .map(|s| {
                    stats(s, |s| s.conns as f64).map_or("—".into(), |s| format!("{:.0}", s.0))
                })
                .collect(),
            "stream" => res
                .iter()
                .map(|s| {
                    stats(s, |s| s.rss_kb as f64 / 1024.0)
                        .map_or("—".into(), |s| format!("{:.1}", s.0))
                })
                .collect(),
            _ => continue,
        };
        row(&mut out, case, cells);
    }

    out.push_str(
        "\nCells: **median** (min–max) over the rounds; ratios: median (min–max) of the per-round ratios.\n",
    );
    for note in skips {
        out.push_str(&format!("\nn/a: {note}\n"));
    }
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
    if o.protos.iter().any(|p| *p != Proto::H1t) {
        out.push_str(&format!(
            "- server: {} (Debian), 1 worker process, on 127.0.0.1: static files, tiny = `/tiny` ({} B), stream = `/big` ({} MiB); \
             TLS 1.3 with a P-256 certificate from a CA made at run time, which every client trusts; `sendfile on`, default `http2_chunk_size` (8 KiB)\n",
            nginx::Nginx::version(),
            nginx::TINY.len(),
            o.stream_mib
        ));
    }
    if o.protos.contains(&Proto::H1t) {
        out.push_str(&format!(
            "- test server (`HTTP/1.1 (test server)`): `anyfetch-testserver` in its own process (tokio multi-thread, 2 workers); \
             tiny = `GET /range/13`; stream = `GET /zeros/{}?chunk_size={}` ({} KiB frames)\n",
            o.stream_mib << 20,
            o.chunk,
            o.chunk / 1024
        ));
    }
    out.push_str(&format!(
        "- clients: each run in a fresh process; the Rust clients on a tokio multi-thread runtime with {WORKER_THREADS} workers, \
         all on rustls 0.23 with ring; curl {} as a command line tool, every request of the run on one command line \
         (`--parallel --parallel-max {}` for the concurrent scenario), its clock started by its own `-w` line for the last warm-up transfer; release builds\n",
        curl_version(),
        o.conc
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
        "- stream: 1 warm-up request (1 MiB), then {} × {} MiB bodies read chunk by chunk (never held whole), MB = 10^6 bytes\n",
        o.stream_reps, o.stream_mib
    ));
    out.push_str(&format!(
        "- rounds: {} (client order rotated each round); checks: status 200, HTTP version and exact byte count (the tiny body compared byte for byte by the Rust clients)\n",
        o.rounds
    ));
    out.push_str(
        "- client settings: anyfetch `Client::builder()` defaults (+ `http2(true)` for HTTP/2 over TLS, `http2_prior_knowledge(true)` for h2c); \
         hyper `legacy::Client` defaults with hyper-rustls (`http2_only` for h2c); reqwest `Client::builder().no_proxy()` \
         (+ `http1_only()` for HTTP/1.1, `http2_prior_knowledge()` for h2c); curl `--http1.1`, `--http2`, `--http2-prior-knowledge`\n",
    );
    out.push_str(&format!(
        "- total measuring time: {:.1} s\n",
        total.as_secs_f64()
    ));
    print!("{out}");
}

fn curl_version() -> String {
    Command::new("curl")
        .arg("-V")
        .output()
        .ok()
        .and_then(|o| {
            let s = String::from_utf8_lossy(&o.stdout).into_owned();
            let first = s.lines().next()?.to_string();
            let mut w = first.split_whitespace();
            let curl = w.next().zip(w.next()).map(|(a, b)| format!("{a} {b}"))?;
            let extra: Vec<&str> = first
                .split_whitespace()
                .filter(|x| x.starts_with("OpenSSL/") || x.starts_with("nghttp2/"))
                .collect();
            Some(format!("{curl} ({})", extra.join(", ")))
        })
        .unwrap_or_else(|| "curl".into())
}

// ---------------------------------------------------------------------------------------------
// The child: one measurement with one client

type HyperConnector =
    hyper_rustls::HttpsConnector<hyper_util::client::legacy::connect::HttpConnector>;
type HyperClient = hyper_util::client::legacy::Client<HyperConnector, Empty<Bytes>>;

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

/// A response as the scenarios check it.
struct Got {
    status: u16,
    version: hyper::Version,
    conn: u64,
}

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

impl Cl {
    fn new(name: &str, proto: Proto, ca: Option<&[u8]>) -> Result<Cl, String> {
        let anyfetch = |b: anyfetch::ClientBuilder| -> Result<anyfetch::Client, String> {
            let mut b = match proto {
                Proto::H2 => b.http2_prior_knowledge(true),
                Proto::H2s => b.http2(true),
                _ => b,
            };
            if let Some(pem) = ca {
                b = b.add_root_certificate(anyfetch::Certificate::from_pem(pem).map_err(err)?);
            }
            b.build().map_err(err)
        };
        Ok(match name {
            "anyfetch" => Cl::Anyfetch(anyfetch(anyfetch::Client::builder())?, false),
            "anyfetch-str" => Cl::Anyfetch(anyfetch(anyfetch::Client::builder())?, true),
            "anyfetch-ka64" => Cl::Anyfetch(
                anyfetch(
                    anyfetch::Client::builder()
                        .limits(anyfetch::Limits::default().max_keepalive_connections(64)),
                )?,
                false,
            ),
            "anyfetch-lean" => Cl::Anyfetch(
                anyfetch(
                    anyfetch::Client::builder()
                        .timeout(anyfetch::Timeout::none())
                        .cookie_store(false),
                )?,
                false,
            ),
            "hyper" => {
                let mut roots = rustls::RootCertStore::empty();
                if let Some(pem) = ca {
                    use rustls_pki_types::pem::PemObject;
                    for cert in rustls_pki_types::CertificateDer::pem_slice_iter(pem) {
                        roots.add(cert.map_err(err)?).map_err(err)?;
                    }
                }
                let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
                    rustls::crypto::ring::default_provider(),
                ))
                .with_safe_default_protocol_versions()
                .map_err(err)?
                .with_root_certificates(roots)
                .with_no_client_auth();
                let b = hyper_rustls::HttpsConnectorBuilder::new()
                    .with_tls_config(tls)
                    .https_or_http();
                let connector = if proto.h2() {
                    b.enable_all_versions().build()
                } else {
                    b.enable_http1().build()
                };
                let mut b = hyper_util::client::legacy::Client::builder(
                    hyper_util::rt::TokioExecutor::new(),
                );
                if proto == Proto::H2 {
                    b.http2_only(true);
                }
                Cl::Hyper(b.build(connector))
            }
            "reqwest" => {
                let mut b = reqwest::Client::builder().no_proxy();
                b = match proto {
                    Proto::H2 => b.http2_prior_knowledge(),
                    Proto::H2s => b,
                    _ => b.http1_only(),
                };
                if let Some(pem) = ca {
                    b = b.add_root_certificate(reqwest::Certificate::from_pem(pem).map_err(err)?);
                }
                Cl::Reqwest(b.build().map_err(err)?)
            }
            _ => return Err(format!("unknown client {name}")),
        })
    }

    /// GET, read the body whole.
    async fn get_whole(&self, t: &Target) -> Result<(Got, Bytes), String> {
        match self {
            Cl::Anyfetch(c, as_str) => {
                let r = if *as_str {
                    c.get(t.url.as_str()).await
                } else {
                    c.get(&t.parsed).await
                };
                let mut r = r.map_err(err)?;
                let conn = conn_id(r.headers());
                let b = r.bytes().await.map_err(err)?;
                let (status, version) = (r.status().as_u16(), r.version());
                Ok((
                    Got {
                        status,
                        version,
                        conn,
                    },
                    b,
                ))
            }
            Cl::Hyper(c) => {
                let req = hyper::Request::get(t.uri.clone())
                    .body(Empty::new())
                    .map_err(err)?;
                let r = c.request(req).await.map_err(err)?;
                let got = Got {
                    status: r.status().as_u16(),
                    version: r.version(),
                    conn: conn_id(r.headers()),
                };
                let b = r.into_body().collect().await.map_err(err)?.to_bytes();
                Ok((got, b))
            }
            Cl::Reqwest(c) => {
                let r = c.get(t.parsed.clone()).send().await.map_err(err)?;
                let got = Got {
                    status: r.status().as_u16(),
                    version: r.version(),
                    conn: conn_id(r.headers()),
                };
                let b = r.bytes().await.map_err(err)?;
                Ok((got, b))
            }
        }
    }

    /// GET, read the body chunk by chunk and count it; returns the response and the bytes.
    async fn get_streamed(&self, t: &Target) -> Result<(Got, u64), String> {
        let mut n = 0u64;
        let got;
        match self {
            Cl::Anyfetch(c, _) => {
                let mut r = c.get(&t.parsed).await.map_err(err)?;
                got = Got {
                    status: r.status().as_u16(),
                    version: r.version(),
                    conn: conn_id(r.headers()),
                };
                let mut s = r.bytes_stream();
                while let Some(chunk) = s.next().await {
                    n += chunk.map_err(err)?.len() as u64;
                }
            }
            Cl::Hyper(c) => {
                let req = hyper::Request::get(t.uri.clone())
                    .body(Empty::new())
                    .map_err(err)?;
                let r = c.request(req).await.map_err(err)?;
                got = Got {
                    status: r.status().as_u16(),
                    version: r.version(),
                    conn: conn_id(r.headers()),
                };
                let mut body = r.into_body();
                while let Some(frame) = body.frame().await {
                    if let Some(d) = frame.map_err(err)?.data_ref() {
                        n += d.len() as u64;
                    }
                }
            }
            Cl::Reqwest(c) => {
                let r = c.get(t.parsed.clone()).send().await.map_err(err)?;
                got = Got {
                    status: r.status().as_u16(),
                    version: r.version(),
                    conn: conn_id(r.headers()),
                };
                let mut s = r.bytes_stream();
                while let Some(chunk) = s.next().await {
                    n += chunk.map_err(err)?.len() as u64;
                }
            }
        }
        Ok((got, n))
    }
}

/// Checks a response: status 200 and the protocol's HTTP version.
fn check(got: &Got, proto: Proto) -> Result<(), String> {
    if got.status != 200 {
        return Err(format!("status {}", got.status));
    }
    if got.version != proto.version() {
        return Err(format!("{:?}, expected {:?}", got.version, proto.version()));
    }
    Ok(())
}

async fn tiny(c: &Cl, t: &Target, proto: Proto) -> Result<u64, String> {
    let (got, body) = c.get_whole(t).await?;
    check(&got, proto)?;
    if body.as_ref() != nginx::TINY {
        return Err(format!(
            "body {body:?}, expected {:?}",
            Bytes::from_static(nginx::TINY)
        ));
    }
    Ok(got.conn)
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

fn child(client: &str, scenario: &str, proto: Proto, base: &str, o: &Opts) -> Result<(), String> {
    let base = base.trim_end_matches('/');
    if client == "curl" {
        return curl_child(scenario, proto, base, o);
    }
    let ca = match (&o.ca, proto.tls()) {
        (Some(path), true) => Some(std::fs::read(path).map_err(|e| format!("{path}: {e}"))?),
        _ => None,
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(WORKER_THREADS)
        .enable_all()
        .build()
        .map_err(err)?;
    let (value, conns, cpu_us) = rt.block_on(async {
        let c = Arc::new(Cl::new(client, proto, ca.as_deref())?);
        match scenario {
            "seq" => {
                let t = Target::new(format!("{base}{}", proto.tiny_path()))?;
                let mut ids = HashSet::new();
                for _ in 0..SEQ_WARMUP {
                    ids.insert(tiny(&c, &t, proto).await?);
                }
                let (start, cpu) = (Instant::now(), cpu_time_us());
                for _ in 0..o.seq {
                    ids.insert(tiny(&c, &t, proto).await?);
                }
                let secs = start.elapsed().as_secs_f64();
                let cpu = (cpu_time_us() - cpu) / o.seq as f64;
                Ok::<_, String>((o.seq as f64 / secs, ids.len() as u64, cpu))
            }
            "conc" => {
                let t = Arc::new(Target::new(format!("{base}{}", proto.tiny_path()))?);
                let run = |total: usize| {
                    let next = Arc::new(AtomicUsize::new(0));
                    let tasks: Vec<_> = (0..o.conc)
                        .map(|_| {
                            let (c, t, next) = (c.clone(), t.clone(), next.clone());
                            tokio::spawn(async move {
                                let mut ids = HashSet::new();
                                while next.fetch_add(1, Ordering::Relaxed) < total {
                                    ids.insert(tiny(&c, &t, proto).await?);
                                }
                                Ok::<_, String>(ids)
                            })
                        })
                        .collect();
                    async move {
                        let mut ids = HashSet::new();
                        for task in tasks {
                            ids.extend(task.await.map_err(err)??);
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
                let warm = Target::new(format!("{base}{}", proto.warm_path(o)))?;
                let (got, n) = c.get_streamed(&warm).await?;
                check(&got, proto)?;
                if n != nginx::WARM_LEN {
                    return Err(format!("warm-up: {n} bytes"));
                }
                let t = Target::new(format!("{base}{}", proto.big_path(o)))?;
                let (start, cpu) = (Instant::now(), cpu_time_us());
                for _ in 0..o.stream_reps {
                    let (got, n) = c.get_streamed(&t).await?;
                    check(&got, proto)?;
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

/// One measurement with the curl command line tool.
fn curl_child(scenario: &str, proto: Proto, base: &str, o: &Opts) -> Result<(), String> {
    let flags: &[&str] = match proto {
        Proto::H2 => &["--http2-prior-knowledge"],
        Proto::H2s => &["--http2"],
        _ => &["--http1.1"],
    };
    if proto == Proto::H2 && curl::version().is_some_and(|v| v < (8, 0)) {
        // Its second request on an h2c connection fails with "Error in the HTTP2 framing
        // layer" (curl/curl#10634, fixed in 8.0).
        println!("SKIP curl before 8.0 cannot reuse an h2c (prior knowledge) connection: curl/curl#10634");
        return Ok(());
    }
    let version = if proto.h2() { "2" } else { "1.1" };
    let ca = o.ca.as_deref().filter(|_| proto.tls());
    let tiny = nginx::TINY.len() as u64;
    // The tiny URL as a glob (`?[1-N]`): curl makes N transfers of it, on the connections it
    // keeps; the server ignores the query.
    let glob = |n: usize| vec![format!("{base}{}?[1-{n}]", proto.tiny_path())];
    let job = |urls, total, warm, parallel, size| curl::Job {
        flags,
        ca,
        urls,
        total,
        warm,
        parallel,
        size,
        version,
    };
    let (value, m) = match scenario {
        "seq" => {
            let total = SEQ_WARMUP + o.seq;
            let m = curl::run(job(glob(total), total, SEQ_WARMUP, None, &|_| tiny))?;
            let cpu_us = m.cpu_us / o.seq as f64;
            (o.seq as f64 / m.secs, curl::Measured { cpu_us, ..m })
        }
        "conc" => {
            let total = CONC_WARMUP + o.conc_total;
            let m = curl::run(job(glob(total), total, CONC_WARMUP, Some(o.conc), &|_| {
                tiny
            }))?;
            let cpu_us = m.cpu_us / o.conc_total as f64;
            (o.conc_total as f64 / m.secs, curl::Measured { cpu_us, ..m })
        }
        "stream" => {
            let expect = o.stream_mib << 20;
            let mut urls = vec![format!("{base}{}", proto.warm_path(o))];
            urls.extend((0..o.stream_reps).map(|_| format!("{base}{}", proto.big_path(o))));
            let n = urls.len();
            let size = |i: usize| if i == 0 { nginx::WARM_LEN } else { expect };
            let m = curl::run(job(urls, n, 1, None, &size))?;
            let mb = (expect * o.stream_reps as u64) as f64 / 1e6;
            (
                mb / m.secs,
                curl::Measured {
                    cpu_us: m.cpu_us / mb,
                    ..m
                },
            )
        }
        _ => return Err(format!("unknown scenario {scenario}")),
    };
    let conns = if scenario == "stream" { 1 } else { m.conns };
    println!("RESULT {value} {} {conns} {}", m.rss_kb, m.cpu_us);
    Ok(())
}
