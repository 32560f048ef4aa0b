//! Real proxies for the tests, started on free ports of 127.0.0.1 and stopped when dropped:
//! Debian's `tinyproxy` and `microsocks` (`scripts/test.sh` installs them). Their logs say what
//! they did, which the tests count.
#![allow(dead_code)]

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "anyfetch-{name}-{}-{}",
        std::process::id(),
        free_port()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Starts `program` under a small `sh` that kills it, and removes its scratch directory (the
/// log's), once our end of its stdin closes: when the struct is dropped, or when this test
/// process exits. The shared proxies live in statics, which are never dropped: started
/// directly, they were left running after every test run.
fn spawn(program: &str, args: &[&str], log: &PathBuf) -> Child {
    // fd 3 keeps the pipe: a background job's stdin is /dev/null.
    const WATCH: &str = r#"exec 3<&0
"$@" 3<&- & c=$!
{ cat <&3 >/dev/null; kill -9 "$c" 2>/dev/null; rm -rf "$ANYFETCH_SCRATCH"; } &
wait "$c""#;
    let out = std::fs::File::create(log).unwrap();
    Command::new("sh")
        .args(["-c", WATCH, "sh", program])
        .args(args)
        .env("ANYFETCH_SCRATCH", log.parent().unwrap())
        .stdin(Stdio::piped())
        .stdout(out.try_clone().unwrap())
        .stderr(out)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start sh for {program}: {e}"))
}

/// Stops a child of [`spawn`]: closing its stdin makes its `sh` kill it.
fn stop(child: &mut Child) {
    drop(child.stdin.take());
    let _ = child.wait();
}

fn wait_listening(port: u16, child: &mut Child, log: &PathBuf) {
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if let Ok(Some(status)) = child.try_wait() {
            panic!(
                "the proxy exited ({status}): {}\n(is it installed? scripts/test.sh installs it)",
                std::fs::read_to_string(log).unwrap_or_default()
            );
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "the proxy did not listen on {port}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn count(log: &PathBuf, needle: &str) -> usize {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .matches(needle)
        .count()
}

/// tinyproxy: an HTTP proxy (absolute-form requests and CONNECT to any port), with Basic
/// proxy credentials if given.
pub struct Tinyproxy {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Tinyproxy {
    pub fn start(auth: Option<(&str, &str)>) -> Tinyproxy {
        let dir = scratch("tinyproxy");
        let port = free_port();
        let log = dir.join("tinyproxy.log");
        // No ConnectPort line: CONNECT to any port (the test server's TLS port is random).
        let mut conf = format!(
            "Port {port}\nListen 127.0.0.1\nTimeout 30\nMaxClients 50\nAllow 127.0.0.1\nLogLevel Info\nLogFile \"{}\"\n",
            log.display()
        );
        if let Some((user, pass)) = auth {
            conf.push_str(&format!("BasicAuth {user} {pass}\n"));
        }
        let conf_path = dir.join("tinyproxy.conf");
        std::fs::write(&conf_path, conf).unwrap();
        let stdout = dir.join("stdout.log");
        let mut child = spawn(
            "tinyproxy",
            &["-d", "-c", conf_path.to_str().unwrap()],
            &stdout,
        );
        wait_listening(port, &mut child, &stdout);
        Tinyproxy { child, port, log }
    }

    pub fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr())
    }

    /// Requests it took (absolute form and CONNECT alike), from its log.
    pub fn requests(&self) -> usize {
        count(&self.log, "Request (file descriptor")
    }

    /// CONNECT tunnels it was asked for.
    pub fn connects(&self) -> usize {
        count(&self.log, "): CONNECT ")
    }
}

impl Drop for Tinyproxy {
    fn drop(&mut self) {
        stop(&mut self.child);
    }
}

/// microsocks: SOCKS5 with the username/password method.
pub struct Microsocks {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Microsocks {
    pub fn start(user: &str, pass: &str) -> Microsocks {
        let dir = scratch("microsocks");
        let port = free_port();
        let log = dir.join("microsocks.log");
        let p = port.to_string();
        let mut child = spawn(
            "microsocks",
            &["-i", "127.0.0.1", "-p", &p, "-u", user, "-P", pass],
            &log,
        );
        wait_listening(port, &mut child, &log);
        Microsocks { child, port, log }
    }

    pub fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Connections it made to a destination for a client, from its log.
    pub fn connections(&self) -> usize {
        count(&self.log, "connected to")
    }
}

impl Drop for Microsocks {
    fn drop(&mut self) {
        stop(&mut self.child);
    }
}

/// Dante's `danted`: SOCKS4 (and SOCKS5) without authentication. Dante 1.4 does not take the
/// SOCKS4a form (a name for the proxy to resolve): it reads the 0.0.0.x address as meant.
pub struct Danted {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Danted {
    pub fn start() -> Danted {
        let dir = scratch("danted");
        let port = free_port();
        let log = dir.join("danted.log");
        let conf = format!(
            "logoutput: {}\ninternal: 127.0.0.1 port = {port}\nexternal: 127.0.0.1\n\
             socksmethod: none\nclientmethod: none\n\
             client pass {{\n  from: 127.0.0.0/8 to: 0.0.0.0/0\n  log: connect error\n}}\n\
             socks pass {{\n  from: 127.0.0.0/8 to: 0.0.0.0/0\n  command: connect\n  log: connect error\n}}\n",
            log.display()
        );
        let conf_path = dir.join("danted.conf");
        std::fs::write(&conf_path, conf).unwrap();
        // Debian puts it in /usr/sbin, which is not on every user's PATH.
        let program = ["/usr/sbin/danted", "/usr/local/sbin/danted"]
            .into_iter()
            .find(|p| std::path::Path::new(p).exists())
            .unwrap_or("danted");
        let stdout = dir.join("stdout.log");
        let mut child = spawn(
            program,
            &["-f", conf_path.to_str().unwrap(), "-N", "1"],
            &stdout,
        );
        wait_listening(port, &mut child, &stdout);
        Danted { child, port, log }
    }

    pub fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// The destinations (`ADDRESS.PORT`, as Dante writes them) of the connections it made for
    /// a client, from its log.
    pub fn destinations(&self) -> Vec<String> {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .filter(|l| l.contains("pass(1): tcp/connect ["))
            .filter_map(|l| l.split_whitespace().last().map(str::to_owned))
            .collect()
    }

    /// Its log, for a failure message.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Danted {
    fn drop(&mut self) {
        // Its children leave when it does.
        stop(&mut self.child);
    }
}
