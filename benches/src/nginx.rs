//! The neutral server of the matrix: Debian's nginx, run as the current user with its own
//! configuration in a temporary directory, serving a tiny file and a large one over HTTP/1.1
//! and HTTP/2, plain and TLS, each on its own port. The TLS certificate is signed by a CA made
//! at run time (by the `openssl` command); every client is given that CA as a trusted root.

use std::io::Write;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The tiny file, as `/tiny`: the same 13 bytes as the test server's `/range/13`.
pub(crate) const TINY: &[u8] = b"abcdefghijklm";
/// The warm-up body of the streaming scenario, as `/warm`.
pub(crate) const WARM_LEN: u64 = 1 << 20;

/// A running nginx; stopped, and its directory removed, when dropped.
pub(crate) struct Nginx {
    child: Child,
    dir: PathBuf,
    /// Ports: plain HTTP/1.1, h2c (prior knowledge), HTTP/1.1 over TLS, HTTP/2 over TLS (ALPN).
    pub(crate) ports: [u16; 4],
}

impl Nginx {
    /// The CA certificate (PEM) the clients trust.
    pub(crate) fn ca(&self) -> PathBuf {
        self.dir.join("ca.pem")
    }

    /// Starts nginx with a `big_len`-byte `/big`.
    pub(crate) fn start(big_len: u64) -> Result<Nginx, String> {
        let dir = std::env::temp_dir().join(format!("anyfetch-bench-nginx-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("www")).map_err(|e| format!("{}: {e}", dir.display()))?;
        std::fs::create_dir_all(dir.join("tmp")).map_err(|e| e.to_string())?;
        let guard = RemoveDir(dir.clone());
        make_certs(&dir)?;
        let www = dir.join("www");
        std::fs::write(www.join("tiny"), TINY).map_err(|e| e.to_string())?;
        write_zeros(&www.join("warm"), WARM_LEN)?;
        write_zeros(&www.join("big"), big_len)?;

        let ports = free_ports()?;
        let d = dir.display();
        let conf = format!(
            r#"# anyfetch-bench: one process (no master), in the foreground, as the current user
worker_processes 1;
master_process off;
daemon off;
pid {d}/nginx.pid;
error_log {d}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {d}/tmp;
    proxy_temp_path {d}/tmp;
    fastcgi_temp_path {d}/tmp;
    uwsgi_temp_path {d}/tmp;
    scgi_temp_path {d}/tmp;
    sendfile on;
    # every request of a run on the connections it opened
    keepalive_requests 1000000;
    ssl_certificate {d}/server.pem;
    ssl_certificate_key {d}/server.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    root {d}/www;
    default_type application/octet-stream;
    # the connection serial number: how many connections a client opened
    add_header X-Connection-Id $connection always;
    server {{
        listen 127.0.0.1:{p0};
        listen 127.0.0.1:{p2} ssl;
        listen 127.0.0.1:{p3} ssl http2;
        # The tiny file in one write with its head: with sendfile, nginx writes the head, then
        # sends the 13 bytes in a second segment, and every client pays a second wake-up.
        location = /tiny {{ sendfile off; }}
    }}
    server {{
        listen 127.0.0.1:{p1} http2;
        # h2c with sendfile: nginx 1.22 writes the HEADERS frame, then turns Nagle back on and
        # corks the socket around the DATA frame's sendfile, which then waits for the client's
        # delayed ACK: about 22 requests/s for every client. Without sendfile it writes both
        # frames at once. (TLS never uses sendfile.)
        sendfile off;
    }}
}}
"#,
            p0 = ports[0],
            p1 = ports[1],
            p2 = ports[2],
            p3 = ports[3],
        );
        let conf_path = dir.join("nginx.conf");
        std::fs::write(&conf_path, conf).map_err(|e| e.to_string())?;
        let child = Command::new("nginx")
            .arg("-e")
            .arg(dir.join("error.log"))
            .arg("-p")
            .arg(&dir)
            .arg("-c")
            .arg(&conf_path)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("starting nginx (apt-get install nginx-light): {e}"))?;
        std::mem::forget(guard);
        let mut nginx = Nginx { child, dir, ports };
        // Ready when every port accepts.
        let t = Instant::now();
        while !ports
            .iter()
            .all(|p| std::net::TcpStream::connect(("127.0.0.1", *p)).is_ok())
        {
            if let Ok(Some(status)) = nginx.child.try_wait() {
                let log = std::fs::read_to_string(nginx.dir.join("error.log")).unwrap_or_default();
                return Err(format!("nginx exited ({status}): {log}"));
            }
            if t.elapsed() > Duration::from_secs(10) {
                return Err("nginx did not start listening within 10 s".into());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        eprintln!(
            "{}: ports {ports:?} (pid {}), in {}",
            Nginx::version(),
            nginx.child.id(),
            nginx.dir.display()
        );
        Ok(nginx)
    }

    /// nginx's version, e.g. `nginx/1.22.1`.
    pub(crate) fn version() -> String {
        Command::new("nginx")
            .arg("-v")
            .output()
            .ok()
            .and_then(|o| {
                String::from_utf8_lossy(&o.stderr)
                    .split_whitespace()
                    .find(|w| w.starts_with("nginx/"))
                    .map(str::to_string)
            })
            .unwrap_or_else(|| "nginx".into())
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Removes a directory when dropped (until forgotten).
struct RemoveDir(PathBuf);

impl Drop for RemoveDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn write_zeros(path: &Path, len: u64) -> Result<(), String> {
    let mut f = std::fs::File::create(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let block = vec![0u8; 1 << 20];
    let mut left = len;
    while left > 0 {
        let n = left.min(block.len() as u64) as usize;
        f.write_all(&block[..n]).map_err(|e| e.to_string())?;
        left -= n as u64;
    }
    Ok(())
}

/// Four ports the kernel had free a moment ago.
fn free_ports() -> Result<[u16; 4], String> {
    let listeners = (0..4)
        .map(|_| TcpListener::bind("127.0.0.1:0"))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| e.to_string())?;
    let mut ports = [0u16; 4];
    for (p, l) in ports.iter_mut().zip(&listeners) {
        *p = l.local_addr().map_err(|e| e.to_string())?.port();
    }
    Ok(ports)
}

/// A P-256 CA and a server certificate it signs, for 127.0.0.1 and localhost, in `dir`.
fn make_certs(dir: &Path) -> Result<(), String> {
    let run = |args: &[&str]| -> Result<(), String> {
        let out = Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("openssl (apt-get install openssl): {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "openssl {}: {}",
                args.join(" "),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        Ok(())
    };
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
    ];
    let mut ca = vec!["req", "-x509"];
    ca.extend(ec);
    ca.extend([
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=anyfetch-bench CA",
    ]);
    run(&ca)?;
    let mut csr = vec!["req"];
    csr.extend(ec);
    csr.extend([
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        "-subj",
        "/CN=localhost",
    ]);
    run(&csr)?;
    std::fs::write(
        dir.join("ext.cnf"),
        "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    )
    .map_err(|e| e.to_string())?;
    run(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "server.pem",
        "-days",
        "2",
        "-extfile",
        "ext.cnf",
    ])
}
