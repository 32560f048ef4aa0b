mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::sync::Arc;

use anyfetch_testserver::TestServer;
use base64::Engine;
use rustls::pki_types::{CertificateDer, ServerName};

fn pem_to_der(pem: &str) -> Vec<u8> {
    let b64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    base64::engine::general_purpose::STANDARD
        .decode(b64)
        .expect("PEM base64")
}

/// A blocking HTTPS GET that trusts only the server's certificate; returns (ALPN, raw response).
fn https_get(server: &TestServer, host: &str, alpn: &[u8]) -> (Option<Vec<u8>>, String) {
    let mut roots = rustls::RootCertStore::empty();
    let der = pem_to_der(server.cert_pem().expect("cert"));
    roots.add(CertificateDer::from(der)).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![alpn.to_vec()];
    let name = ServerName::try_from(host.to_string()).unwrap();
    let conn = rustls::ClientConnection::new(Arc::new(config), name).unwrap();
    let port = server.tls_addr().unwrap().port();
    let sock = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let mut tls = rustls::StreamOwned::new(conn, sock);
    if alpn == b"h2" {
        tls.flush().unwrap();
        // Only the handshake matters here: report the negotiated protocol.
        while tls.conn.is_handshaking() {
            tls.conn.complete_io(&mut tls.sock).unwrap();
        }
        return (tls.conn.alpn_protocol().map(<[u8]>::to_vec), String::new());
    }
    write!(
        tls,
        "GET /get HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = Vec::new();
    let _ = tls.read_to_end(&mut out);
    (
        tls.conn.alpn_protocol().map(<[u8]>::to_vec),
        String::from_utf8_lossy(&out).into_owned(),
    )
}

#[test]
fn tls_listener_serves_localhost_and_ip() {
    let server = TestServer::start_with_tls();
    assert!(server.https_url("/get").starts_with("https://localhost:"));
    for host in ["localhost", "127.0.0.1"] {
        let (alpn, resp) = https_get(&server, host, b"http/1.1");
        assert_eq!(alpn.as_deref(), Some(&b"http/1.1"[..]));
        assert!(resp.starts_with("HTTP/1.1 200 OK"), "{resp}");
        assert!(resp.contains("\"url\": \"https://"), "{resp}");
    }
    let (alpn, _) = https_get(&server, "localhost", b"h2");
    assert_eq!(alpn.as_deref(), Some(&b"h2"[..]));
}

#[test]
fn binary_prints_its_port() {
    let cert = std::env::temp_dir().join(format!("anyfetch-ts-{}.pem", std::process::id()));
    let mut child = Command::new(env!("CARGO_BIN_EXE_anyfetch-testserver"))
        .args(["--tls-port", "0", "--cert-out"])
        .arg(&cert)
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn the binary");
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    out.read_line(&mut first).unwrap();
    let mut second = String::new();
    out.read_line(&mut second).unwrap();
    let result = std::panic::catch_unwind(|| {
        let url = first
            .trim()
            .strip_prefix("anyfetch-testserver listening on http://")
            .expect("first line");
        let addr = url.parse().expect("an address");
        assert_eq!(common::get(addr, "/ip").json()["origin"], "127.0.0.1");
        assert!(second.starts_with("anyfetch-testserver tls on https://localhost:"));
        let pem = std::fs::read_to_string(&cert).unwrap();
        assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"));
    });
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_file(&cert);
    if let Err(e) = result {
        std::panic::resume_unwind(e);
    }
}
