//! `anyfetch-testserver [--port N] [--tls-port N] [--cert-out PATH]`
//!
//! Prints `anyfetch-testserver listening on http://127.0.0.1:PORT` (and, with `--tls-port`,
//! `anyfetch-testserver tls on https://localhost:PORT`) to stdout, then serves forever.

use std::io::Write;
use std::process::ExitCode;

use anyfetch_testserver::TestServer;

const USAGE: &str = "usage: anyfetch-testserver [--port N] [--tls-port N] [--cert-out PATH]";

struct Args {
    port: u16,
    tls_port: Option<u16>,
    cert_out: Option<String>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        port: 0,
        tls_port: None,
        cert_out: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) => (f.to_string(), Some(v.to_string())),
            None => (a.clone(), None),
        };
        if flag == "--help" || flag == "-h" {
            return Err(USAGE.to_string());
        }
        let value = match inline.or_else(|| it.next()) {
            Some(v) => v,
            None => return Err(format!("{flag} needs a value\n{USAGE}")),
        };
        let port = || {
            value
                .parse::<u16>()
                .map_err(|_| format!("{flag}: invalid port {value}"))
        };
        match flag.as_str() {
            "--port" => args.port = port()?,
            "--tls-port" => args.tls_port = Some(port()?),
            "--cert-out" => args.cert_out = Some(value.clone()),
            _ => return Err(format!("unknown argument {flag}\n{USAGE}")),
        }
    }
    Ok(args)
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(msg) => {
            eprintln!("{msg}");
            return ExitCode::from(2);
        }
    };
    let server = match TestServer::bind(args.port, args.tls_port) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("anyfetch-testserver: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let (Some(path), Some(pem)) = (&args.cert_out, server.cert_pem()) {
        if let Err(e) = std::fs::write(path, pem) {
            eprintln!("anyfetch-testserver: writing {path}: {e}");
            return ExitCode::FAILURE;
        }
    }
    let mut out = std::io::stdout().lock();
    let _ = writeln!(
        out,
        "anyfetch-testserver listening on http://{}",
        server.addr()
    );
    if let Some(tls) = server.tls_addr() {
        let _ = writeln!(
            out,
            "anyfetch-testserver tls on https://localhost:{}",
            tls.port()
        );
    }
    let _ = out.flush();
    drop(out);
    loop {
        std::thread::park();
    }
}
