//! The `anyfetch` binary against the project's test server (started in-process): exit codes,
//! the output's shape to the byte, every kind of body, auth, redirects, downloads (with a
//! checksum, and a live progress bar under a pseudo-terminal), TLS options and errors.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::OnceLock;

use anyfetch_testserver::TestServer;
use sha2::{Digest, Sha256};

fn server() -> &'static TestServer {
    static S: OnceLock<TestServer> = OnceLock::new();
    S.get_or_init(TestServer::start_with_tls)
}

fn url(path: &str) -> String {
    server().url(path)
}

/// Runs the binary (stdout and stderr are pipes, so the piped defaults apply).
fn cli(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_anyfetch"))
        .args(args)
        .env_remove("NO_COLOR")
        .env_remove("HTTP_PROXY")
        .env_remove("http_proxy")
        .env_remove("ALL_PROXY")
        .env_remove("all_proxy")
        .output()
        .expect("the anyfetch binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[track_caller]
fn ok(args: &[&str]) -> String {
    let o = cli(args);
    assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
    stdout(&o)
}

fn json(printed: &str) -> serde_json::Value {
    serde_json::from_str(printed).unwrap_or_else(|e| panic!("not JSON ({e}): {printed}"))
}

fn seeded(n: usize, seed: u64) -> Vec<u8> {
    let mut v = vec![0u8; n];
    fastrand::Rng::with_seed(seed).fill(&mut v);
    v
}

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("anyfetch-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

#[test]
fn json_is_printed_formatted_with_the_head() {
    let out = ok(&["--print", "hb", "--pretty", "format", &url("/json")]);
    let (head, body) = out
        .split_once("\n\n")
        .expect("a head, an empty line, a body");
    let lines: Vec<&str> = head.lines().collect();
    assert_eq!(lines[0], "HTTP/1.1 200 OK");
    let names: Vec<&str> = lines[1..]
        .iter()
        .map(|l| l.split(": ").next().unwrap())
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "header lines sorted by name");
    assert!(names.contains(&"content-type") && names.contains(&"content-length"));
    assert!(lines.contains(&"content-type: application/json"));
    assert_eq!(
        body,
        r#"{
    "slideshow": {
        "author": "Yours Truly",
        "date": "date of publication",
        "slides": [
            {
                "title": "Wake up to WonderWidgets!",
                "type": "all"
            },
            {
                "items": [
                    "Why <em>WonderWidgets</em> are great",
                    "Who <em>buys</em> WonderWidgets"
                ],
                "title": "Overview",
                "type": "all"
            }
        ],
        "title": "Sample Slide Show"
    }
}
"#
    );
}

#[test]
fn colours_only_when_asked_or_on_a_terminal() {
    let coloured = ok(&["--print", "hb", "--pretty", "all", &url("/json")]);
    assert!(coloured.starts_with("\x1b[34mHTTP/1.1\x1b[0m \x1b[1;32m200 OK\x1b[0m\n"));
    assert!(coloured.contains("\x1b[36mcontent-type\x1b[0m: application/json\n"));
    assert!(coloured.contains("    \x1b[34m\"slideshow\"\x1b[0m: {\n"));
    assert!(coloured.contains("\x1b[32m\"Yours Truly\"\x1b[0m"));
    let xml = ok(&["--pretty", "all", &url("/xml")]);
    assert!(xml.contains(
        "\x1b[34m<slideshow\x1b[0m \x1b[36mtitle\x1b[0m=\x1b[32m\"Sample Slide Show\"\x1b[0m"
    ));
    let html = ok(&["--pretty", "all", &url("/html")]);
    assert!(html.contains("\x1b[34m<html\x1b[0m"), "{html}");
    // --pretty colors: coloured as written; without the escapes, the exact body.
    let raw = ok(&[&url("/json")]);
    let in_place = ok(&["--pretty", "colors", &url("/json")]);
    assert!(
        in_place.contains("\x1b[34m\"slideshow\"\x1b[0m"),
        "{in_place}"
    );
    let stripped = in_place
        .replace("\x1b[0m", "")
        .replace("\x1b[34m", "")
        .replace("\x1b[32m", "");
    assert_eq!(stripped, raw);
    // Piped, by default: no escape at all.
    assert!(!ok(&["--print", "hb", &url("/json")]).contains('\x1b'));
    // A 404 is red, a 302 yellow.
    let nf = ok(&["--print", "h", "--pretty", "colors", &url("/status/404")]);
    assert!(
        nf.starts_with("\x1b[34mHTTP/1.1\x1b[0m \x1b[1;31m404 Not Found\x1b[0m\n"),
        "{nf}"
    );
    let moved = ok(&["--print", "h", "--pretty", "all", &url("/redirect/1")]);
    assert!(moved.contains("\x1b[1;33m302 Found\x1b[0m"), "{moved}");
}

#[test]
fn piped_output_is_the_exact_body() {
    let o = cli(&[&url("/bytes/70000?seed=11")]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(o.stdout, seeded(70000, 11));
    // Decoded content encodings, but nothing added: no trailing newline, no head.
    let o = cli(&[&url("/gzip")]);
    let v = json(&stdout(&o));
    assert_eq!(v["gzipped"], true);
    // With formatting, a binary body is a note, not bytes on the terminal.
    let note = ok(&["--pretty", "format", &url("/bytes/100?seed=1")]);
    assert_eq!(note, "<100 bytes of binary data>\n");
}

#[test]
fn exit_codes() {
    let dead = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let o = cli(&[&format!("http://127.0.0.1:{dead}/x")]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).starts_with("anyfetch: error: connect error"),
        "{}",
        stderr(&o)
    );

    for bad in [
        vec!["--no-such-option", ":1/x"],
        vec![],
        vec!["http://[::1/"],
        vec!["ftp://host/"],
        vec![":1/x", "--json", "{nope"],
        vec![":1/x", "--print", "q"],
        vec![":1/x", "-c", "@/no/such/file"],
        vec![":1/x", "-H", "bad header", "v"],
    ] {
        let o = cli(&bad);
        assert_eq!(o.status.code(), Some(2), "{bad:?}: {}", stderr(&o));
        assert!(stderr(&o).contains("error"), "{bad:?}: {}", stderr(&o));
        assert!(o.stdout.is_empty(), "{bad:?}");
    }
    assert!(stderr(&cli(&[":1/x", "--json", "{nope"])).contains("--json is not JSON"));

    // Any status is a success without --check-status; with it, 3, 4, 5.
    assert_eq!(cli(&[&url("/status/404")]).status.code(), Some(0));
    for (path, code) in [
        ("/status/404", 4),
        ("/status/503", 5),
        ("/redirect/1", 3),
        ("/get", 0),
    ] {
        let o = cli(&["--check-status", "--print", "h", &url(path)]);
        assert_eq!(o.status.code(), Some(code), "{path}");
        if code != 0 {
            assert!(
                stdout(&o).starts_with("HTTP/1.1 "),
                "the response is printed first"
            );
            assert!(
                stderr(&o).contains("anyfetch: warning: HTTP "),
                "{}",
                stderr(&o)
            );
        }
    }
    assert_eq!(
        ok(&["--version"]),
        format!("anyfetch {}\n", env!("CARGO_PKG_VERSION"))
    );
    assert!(ok(&["--help"]).contains("--download <FILE>"));
}

#[test]
fn every_kind_of_body() {
    let v = json(&ok(&[
        &url("/anything"),
        "--json",
        r#"{"n": 12345678901234567890, "x": [1.0]}"#,
    ]));
    assert_eq!(v["method"], "POST");
    assert_eq!(
        v["data"], r#"{"n": 12345678901234567890, "x": [1.0]}"#,
        "sent as written"
    );
    assert_eq!(v["headers"]["Content-Type"], "application/json");

    let v = json(&ok(&[
        "PUT",
        &url("/anything"),
        "-d",
        "a",
        "1",
        "--data",
        "b",
        "two words",
    ]));
    assert_eq!(v["method"], "PUT");
    assert_eq!(v["form"]["a"], "1");
    assert_eq!(v["form"]["b"], "two words");

    let file = tmp("upload.txt");
    std::fs::write(&file, "file contents\n").unwrap();
    let v = json(&ok(&[
        &url("/anything"),
        "-d",
        "field",
        "v",
        "-f",
        "up",
        file.to_str().unwrap(),
    ]));
    assert_eq!(v["form"]["field"], "v");
    assert_eq!(v["files"]["up"], "file contents\n");
    assert!(v["headers"]["Content-Type"]
        .as_str()
        .unwrap()
        .starts_with("multipart/form-data; boundary="));

    let v = json(&ok(&[
        &url("/anything"),
        "-c",
        &format!("@{}", file.display()),
    ]));
    assert_eq!(v["data"], "file contents\n");
    let v = json(&ok(&["-m", "patch", &url("/anything"), "--content", "raw"]));
    assert_eq!(
        (v["method"].as_str(), v["data"].as_str()),
        (Some("PATCH"), Some("raw"))
    );

    let v = json(&ok(&[
        &url("/anything?a=1"),
        "-p",
        "q",
        "x y",
        "-p",
        "a",
        "2",
        "-H",
        "X-Trace",
        "7",
        "--cookies",
        "c",
        "d",
    ]));
    assert_eq!(v["args"]["q"], "x y");
    assert_eq!(v["args"]["a"], serde_json::json!(["1", "2"]));
    assert_eq!(v["headers"]["X-Trace"], "7");
    assert_eq!(v["headers"]["Cookie"], "c=d");
    assert_eq!(v["method"], "GET");
}

#[test]
fn auth() {
    assert_eq!(
        cli(&[
            "--check-status",
            &url("/basic-auth/u/p"),
            "--auth",
            "u",
            "p"
        ])
        .status
        .code(),
        Some(0)
    );
    assert_eq!(
        cli(&[
            "--check-status",
            &url("/basic-auth/u/p"),
            "--auth",
            "u",
            "x"
        ])
        .status
        .code(),
        Some(4)
    );
    let digest = &url("/digest-auth/auth/u/p");
    assert_eq!(
        cli(&["--check-status", digest, "--auth", "u", "p"])
            .status
            .code(),
        Some(4),
        "Basic is refused"
    );
    let v = json(&ok(&[
        "--check-status",
        digest,
        "--auth",
        "u",
        "p",
        "--digest",
    ]));
    assert_eq!(v["authenticated"], true);
    assert_eq!(
        cli(&["--check-status", &url("/bearer"), "--bearer", "tok"])
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        cli(&["--check-status", &url("/bearer")]).status.code(),
        Some(4)
    );
}

#[test]
fn redirects_retries_and_timeouts() {
    let v = json(&ok(&[&url("/redirect/3"), "--follow-redirects"]));
    assert_eq!(v["url"], url("/get"));
    let o = cli(&[
        &url("/redirect/3"),
        "--follow-redirects",
        "--max-redirects",
        "2",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("redirect"), "{}", stderr(&o));
    // Not followed by default: the 302 itself.
    assert!(ok(&["--print", "h", &url("/redirect/1")]).starts_with("HTTP/1.1 302 Found\n"));

    let key = format!("cli-{}", std::process::id());
    let v = json(&ok(&[
        &url(&format!("/retry/{key}?fail=2")),
        "--retry",
        "2",
    ]));
    assert_eq!(v["attempts"], 3);

    let o = cli(&[&url("/delay/3"), "--timeout", "0.3"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("timeout"), "{}", stderr(&o));
}

#[test]
fn verbose_prints_every_hop() {
    let out = ok(&[
        "-v",
        "--pretty",
        "format",
        &url("/redirect/1"),
        "--follow-redirects",
        "-H",
        "X-A",
        "b",
    ]);
    let addr = server().addr();
    let first = format!("GET /redirect/1 HTTP/1.1\nhost: {addr}\n");
    assert!(out.starts_with(&first), "{out}");
    assert!(out.contains("\nx-a: b\n"), "{out}");
    let parts: Vec<&str> = out.split("\n\n").collect();
    // request, 302, request, 200, body
    assert_eq!(parts.len(), 5, "{out}");
    assert!(parts[1].starts_with("HTTP/1.1 302 Found\n"), "{out}");
    assert!(parts[2].starts_with("GET /get HTTP/1.1\n"), "{out}");
    assert!(parts[3].starts_with("HTTP/1.1 200 OK\n"), "{out}");
    assert_eq!(json(parts[4])["url"], url("/get"));
}

#[test]
fn content_at_dash_sends_standard_input() {
    use std::io::Write;
    use std::process::Stdio;
    let sent = seeded(300_000, 11);
    let mut child = Command::new(env!("CARGO_BIN_EXE_anyfetch"))
        .args(["POST", &url("/echo"), "-c", "@-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = {
        let sent = sent.clone();
        std::thread::spawn(move || stdin.write_all(&sent).unwrap())
    };
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(out.stdout == sent, "the server echoed other bytes");
}

#[test]
fn print_capital_h_is_the_request_heads_alone() {
    let out = ok(&["--print", "H", "--follow-redirects", &url("/redirect/2")]);
    let parts: Vec<&str> = out.split("\n\n").collect();
    assert_eq!(parts.len(), 3, "{out}");
    assert!(parts[0].starts_with("GET /redirect/2 HTTP/1.1\n"), "{out}");
    assert!(parts[1].starts_with("GET /redirect/1 HTTP/1.1\n"), "{out}");
    assert!(parts[2].starts_with("GET /get HTTP/1.1\n"), "{out}");
    assert!(!out.contains("HTTP/1.1 302"), "{out}");
}

fn sha(bytes: &[u8]) -> Vec<u8> {
    Sha256::digest(bytes).to_vec()
}

fn sha_file(path: &std::path::Path) -> Vec<u8> {
    let mut h = Sha256::new();
    let mut f = std::fs::File::open(path).unwrap();
    std::io::copy(&mut f, &mut h).unwrap();
    h.finalize().to_vec()
}

#[test]
fn download_writes_the_exact_bytes() {
    let file = tmp("dl.bin");
    let o = cli(&[
        &url("/bytes/3000000?seed=5"),
        "--download",
        file.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(o.stdout.is_empty(), "the body goes to the file");
    assert_eq!(sha_file(&file), sha(&seeded(3_000_000, 5)));
    let err = stderr(&o);
    assert!(
        err.contains("anyfetch: no progress bar: stderr is not a terminal\n"),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "anyfetch: saved 3000000 bytes to {}\n",
            file.display()
        )),
        "{err}"
    );

    let o = cli(&[&url("/get"), "--download", "/no/such/dir/f"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("cannot write /no/such/dir/f"),
        "{}",
        stderr(&o)
    );
}

/// 100 MB under a pseudo-terminal (util-linux `script`): the bar is redrawn as bytes arrive,
/// with the total from Content-Length, and the file has the exact bytes.
#[test]
fn download_of_100_mb_shows_a_live_progress_bar() {
    const N: usize = 100_000_000;
    let file = tmp("big.bin");
    let log = tmp("tty.log");
    let command = format!(
        "{} '{}' --download '{}'",
        env!("CARGO_BIN_EXE_anyfetch"),
        url(&format!("/bytes/{N}?seed=9")),
        file.display()
    );
    let o = Command::new("script")
        .args(["-q", "-e", "-c", &command, log.to_str().unwrap()])
        .env("TERM", "xterm")
        .output()
        .expect("util-linux `script` (bsdutils) is installed");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let tty = String::from_utf8_lossy(&std::fs::read(&log).unwrap()).into_owned();
    // indicatif redraws the line: each frame is `... X MiB/95.37 MiB ... ETA ...`.
    let frames: Vec<&str> = tty
        .split(['\r', '\n'])
        .filter(|f| f.contains("/95.37 MiB"))
        .collect();
    let mut sizes: Vec<String> = frames
        .iter()
        .filter_map(|f| {
            f.split("/95.37 MiB")
                .next()?
                .split_whitespace()
                .rev()
                .nth(1)
                .map(str::to_owned)
        })
        .collect();
    sizes.dedup();
    assert!(
        sizes.len() >= 2,
        "at least two different sizes drawn: {sizes:?}\n{tty:?}"
    );
    assert!(frames.iter().any(|f| f.contains("ETA")), "{tty:?}");
    assert!(
        frames.last().unwrap().contains("95.37 MiB/95.37 MiB"),
        "{tty:?}"
    );
    assert!(!tty.contains("no progress bar"), "{tty:?}");
    assert!(tty.contains(&format!("saved {N} bytes")), "{tty:?}");
    assert_eq!(sha_file(&file), sha(&seeded(N, 9)));
    std::fs::remove_file(&file).ok();
}

#[test]
fn tls_options() {
    let s = server();
    let https = s.https_url("/get");
    let o = cli(&[&https]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "the test server's CA is not trusted"
    );
    assert!(stderr(&o).contains("certificate"), "{}", stderr(&o));
    let v = json(&ok(&[&https, "--no-verify"]));
    assert_eq!(v["url"], https);
    let ca = tmp("ca.pem");
    std::fs::File::create(&ca)
        .unwrap()
        .write_all(s.cert_pem().unwrap().as_bytes())
        .unwrap();
    let head = ok(&[
        "--print",
        "h",
        &https,
        "--cacert",
        ca.to_str().unwrap(),
        "--http2",
    ]);
    assert!(head.starts_with("HTTP/2 200 OK\n"), "{head}");
    let head = ok(&["--print", "h", &https, "--cacert", ca.to_str().unwrap()]);
    assert!(head.starts_with("HTTP/1.1 200 OK\n"), "{head}");
    let o = cli(&[&https, "--cacert", "/no/such/ca.pem"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn a_proxy_is_used() {
    let dead = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let o = cli(&[&url("/get"), "--proxy", &format!("http://127.0.0.1:{dead}")]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("proxy"), "{}", stderr(&o));
    assert_eq!(
        cli(&[&url("/get"), "--proxy", "nope://x"]).status.code(),
        Some(2)
    );
}
