//! `anyfetch`: an httpx-style command-line HTTP client on the anyfetch library. One program on
//! every host: the binary natively (hyper), a WASI 0.2 command component (`wasmtime run -S
//! http`), and the npm package's bin (`npx anyfetch`), for which this crate is compiled to wasm
//! on the fetch backend (`web.rs`; `js/cli/` links it, `js/bin/anyfetch.mjs` runs it). What
//! differs by host is only its I/O (`host.rs`) and its progress bar. README.md is the contract:
//! options, exit codes, and the output to the byte.

mod args;
mod format;
mod host;
mod progress;
#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
pub mod web;

use std::ffi::OsString;
use std::io::{self, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyfetch::{Certificate, Client, DigestAuth, Proxy, Request, Response, Retry, Timeout};
use clap::Parser;
use futures_util::StreamExt;

use args::{Args, BodyArg, Plan};

/// Why a run failed, and so its exit code.
enum Failure {
    /// Exit 2: the command line asked for something impossible.
    Usage(String),
    /// Exit 1 (2 for a request the library refused to build or a runtime cannot honour).
    Request(anyfetch::Error),
    /// Exit 1: the download file or stdout failed.
    Io(String),
    /// Exit 0, quietly: whoever read stdout stopped reading (`anyfetch URL | head`).
    StdoutClosed,
}

impl From<anyfetch::Error> for Failure {
    fn from(e: anyfetch::Error) -> Self {
        Failure::Request(e)
    }
}

/// Runs the command with `argv` (the program's name first, as `std::env::args_os` gives it) and
/// returns its exit code: 0 a response arrived; 1 the request failed; 2 a usage error; 3, 4, 5
/// with `--check-status` a 3xx, 4xx or 5xx status.
pub async fn main<I, T>(argv: I) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let args = match Args::try_parse_from(argv) {
        Ok(args) => args,
        Err(e) if !e.use_stderr() => {
            // --help and --version print to stdout and exit 0; styled on a terminal.
            let text = e.render();
            let text = if host::stdout_is_terminal() && !host::no_color() {
                text.ansi().to_string()
            } else {
                text.to_string()
            };
            let _ = host::stdout_write(text.as_bytes());
            return 0;
        }
        Err(e) => {
            // Mistakes: one line (after the usage line for some), and exit 2.
            let (usage, message) = args::clap_message(&e);
            if usage {
                host::say(args::USAGE_LINE);
            }
            host::say(&format!("anyfetch: error: {message}"));
            return 2;
        }
    };
    match run(args).await {
        Ok(code) => code,
        Err(Failure::Usage(m)) => {
            host::say(&format!("anyfetch: error: {m}"));
            2
        }
        Err(Failure::Request(e)) => {
            host::say(&format!("anyfetch: error: {}", e.display_chain()));
            if e.is_builder() || e.is_unsupported() {
                2
            } else {
                1
            }
        }
        Err(Failure::Io(m)) => {
            host::say(&format!("anyfetch: error: {m}"));
            1
        }
        Err(Failure::StdoutClosed) => 0,
    }
}

/// Stdout, shared with the hooks that print the heads of every hop under `-v`. A head is
/// followed by an empty line when something is printed after it.
struct Out {
    colors: bool,
    separate: bool,
}

impl Out {
    fn part(&mut self, text: &str, is_head: bool) -> Result<(), Failure> {
        let choice = if self.colors {
            anstream::ColorChoice::Always
        } else {
            anstream::ColorChoice::Never
        };
        // Colours kept or stripped (and on old Windows consoles, translated) by anstream.
        let mut styled = anstream::AutoStream::new(Vec::new(), choice);
        if self.separate {
            styled.write_all(b"\n").map_err(stdout_failed)?;
        }
        styled.write_all(text.as_bytes()).map_err(stdout_failed)?;
        host::stdout_write(&styled.into_inner()).map_err(stdout_failed)?;
        host::stdout_flush().map_err(stdout_failed)?;
        self.separate = is_head;
        Ok(())
    }

    /// Raw body bytes, written as they are (never through the colour filter).
    fn raw(&mut self, bytes: &[u8]) -> Result<(), Failure> {
        if std::mem::take(&mut self.separate) {
            host::stdout_write(b"\n").map_err(stdout_failed)?;
        }
        host::stdout_write(bytes).map_err(stdout_failed)
    }
}

fn stdout_failed(e: io::Error) -> Failure {
    if e.kind() == io::ErrorKind::BrokenPipe {
        return Failure::StdoutClosed;
    }
    Failure::Io(format!("cannot write to stdout: {e}"))
}

fn usage(m: impl Into<String>) -> Failure {
    Failure::Usage(m.into())
}

async fn run(args: Args) -> Result<u8, Failure> {
    let plan = args
        .plan(host::stdout_is_terminal())
        .map_err(Failure::Usage)?;
    let out = Arc::new(Mutex::new(Out {
        colors: plan.style.colors,
        separate: false,
    }));
    let client = client(&args, &plan, &out)?;
    let mut response = request(&client, &args, &plan)?.send().await?;

    // With `H` and `h` the hooks printed every response head, the final one included.
    let hops_printed = plan.print.request_head;
    // The hooks are done (the last one printed the final head): stdout is ours alone now.
    let mut out = Out {
        colors: plan.style.colors,
        separate: lock(&out).separate,
    };
    if plan.print.response_head && !hops_printed {
        let head = format::response_head(
            plan.style,
            response.version(),
            response.status(),
            response.headers(),
        );
        out.part(&head, true)?;
    }
    if let Some(path) = &args.download {
        download(&mut response, path).await?;
    } else if plan.print.body {
        body(&mut out, &plan, &mut response).await?;
    }

    let status = response.status();
    if args.check_status && status.as_u16() >= 300 {
        host::say(&format!("anyfetch: warning: HTTP {status}"));
        return Ok((status.as_u16() / 100).min(5) as u8);
    }
    Ok(0)
}

fn lock(out: &Mutex<Out>) -> std::sync::MutexGuard<'_, Out> {
    out.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn client(args: &Args, plan: &Plan, out: &Arc<Mutex<Out>>) -> Result<Client, Failure> {
    let timeout = if args.timeout == 0.0 {
        Timeout::none()
    } else {
        // `plan` checked that it fits.
        Timeout::new(Duration::try_from_secs_f64(args.timeout).unwrap_or(Duration::MAX))
    };
    let mut builder = Client::builder()
        .timeout(timeout)
        .follow_redirects(args.follow_redirects)
        .max_redirects(args.max_redirects as usize)
        .http2(args.http2);
    if args.retry > 0 {
        builder = builder.retry(Retry::new(args.retry));
    }
    if args.no_verify {
        builder = builder.danger_accept_invalid_certs(true);
    }
    if let Some(path) = &args.cacert {
        let pem = host::read_file(path)
            .map_err(|e| usage(format!("cannot read --cacert {}: {e}", path.display())))?;
        builder = builder.add_root_certificate(Certificate::from_pem(&pem)?);
    }
    if let Some(proxy) = &args.proxy {
        builder = builder.proxy(Proxy::all(proxy)?);
    }
    if plan.print.request_head {
        // -v: the head of every request as it is sent and of every response as it arrives,
        // redirect hops and auth round-trips included.
        let style = plan.style;
        let requests = Arc::clone(out);
        builder = builder.on_request(move |r: &mut Request| {
            let head = format::request_head(style, r.method(), r.url(), r.version(), r.headers());
            print_hop(&requests, &head)
        });
        if plan.print.response_head {
            let responses = Arc::clone(out);
            builder = builder.on_response(move |r: &Response| {
                let head = format::response_head(style, r.version(), r.status(), r.headers());
                print_hop(&responses, &head)
            });
        }
    }
    builder.build().map_err(Failure::Request)
}

fn print_hop(out: &Mutex<Out>, head: &str) -> anyfetch::Result<()> {
    lock(out).part(head, true).map_err(|_| {
        anyfetch::Error::new(anyfetch::ErrorKind::Write).with_message("cannot write to stdout")
    })
}

fn request(client: &Client, args: &Args, plan: &Plan) -> Result<anyfetch::RequestBuilder, Failure> {
    let mut rb = client.request(plan.method.clone(), plan.url.clone());
    let params = args.param_pairs();
    if !params.is_empty() {
        rb = rb.query(&params);
    }
    for (name, value) in args.header_pairs() {
        rb = rb.header(name, value);
    }
    let cookies = args.cookie_pairs();
    if !cookies.is_empty() {
        let line: Vec<String> = cookies.iter().map(|(n, v)| format!("{n}={v}")).collect();
        rb = rb.header("cookie", line.join("; "));
    }
    if let [user, pass] = args.auth.as_slice() {
        rb = if args.digest {
            rb.auth(DigestAuth::new(user, pass))
        } else {
            rb.basic_auth(user, pass)
        };
    }
    if let Some(token) = &args.bearer {
        rb = rb.bearer_auth(token);
    }
    rb = match &plan.body {
        None => rb,
        Some(BodyArg::Json(text)) => rb
            .header("content-type", "application/json")
            .body(text.clone()),
        Some(BodyArg::Form(fields)) => rb.form(fields),
        Some(BodyArg::Content(bytes)) => rb.body(bytes.clone()),
        Some(BodyArg::Multipart { fields, files }) => {
            let mut form = anyfetch::multipart::Form::new();
            for (name, value) in fields {
                form = form.text(name, value);
            }
            for (name, path) in files {
                let data = host::read_file(path)
                    .map_err(|e| usage(format!("cannot read --files {}: {e}", path.display())))?;
                let file_name = path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                form = form.file(name, file_name, data);
            }
            rb.multipart(form)
        }
    };
    Ok(rb)
}

/// The body, formatted by its content type, or as the bytes came.
async fn body(out: &mut Out, plan: &Plan, response: &mut Response) -> Result<(), Failure> {
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let kind = format::kind(content_type.as_deref());
    if !plan.style.format {
        if plan.style.colors && matches!(kind, format::Kind::Json | format::Kind::Markup) {
            // --pretty colors: JSON and XML/HTML coloured as written, nothing added.
            let text = response.text().await?;
            let printed = match kind {
                format::Kind::Json if format::is_json(&text) => format::json_in_place(&text),
                format::Kind::Json => text,
                _ => format::markup(&text, true),
            };
            return out.part(&printed, false);
        }
        // Streamed: `anyfetch URL > file` holds one chunk at a time.
        let mut stream = response.bytes_stream();
        while let Some(chunk) = stream.next().await {
            out.raw(&chunk?)?;
        }
        return host::stdout_flush().map_err(stdout_failed);
    }
    let text;
    let bytes;
    if kind == format::Kind::Other {
        text = None;
        bytes = response.bytes().await?;
    } else {
        text = Some(response.text().await?);
        bytes = anyfetch::Bytes::new();
    }
    let printed = format::body(plan.style, kind, text.as_deref(), &bytes);
    if !printed.is_empty() {
        out.part(&printed, false)?;
    }
    Ok(())
}

/// Streams the body into `path`, with a progress bar on a terminal.
async fn download(response: &mut Response, path: &Path) -> Result<(), Failure> {
    let io_failed = |e: io::Error| Failure::Io(format!("cannot write {}: {e}", path.display()));
    let mut file = host::create_file(path).map_err(io_failed)?;
    let bar = progress::Progress::new(response.content_length());
    let mut stream = response.bytes_stream();
    let mut saved = 0u64;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk?;
        file.write_all(&chunk).map_err(io_failed)?;
        saved += chunk.len() as u64;
        bar.set(response.num_bytes_downloaded());
    }
    file.flush().map_err(io_failed)?;
    bar.finish();
    host::say(&format!(
        "anyfetch: saved {saved} bytes to {}",
        path.display()
    ));
    Ok(())
}
