//! A tiny blocking HTTP/1.1 client over std::net::TcpStream, for the tests.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("response body is JSON")
    }
}

pub fn connect(addr: SocketAddr) -> BufReader<TcpStream> {
    let s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    BufReader::new(s)
}

/// Writes `head` (with `\r\n` line ends and the blank line appended) and `body`.
pub fn send(conn: &mut BufReader<TcpStream>, head: &str, body: &[u8]) {
    let s = conn.get_mut();
    s.write_all(head.as_bytes()).unwrap();
    s.write_all(b"\r\n").unwrap();
    s.write_all(body).unwrap();
}

/// Reads one response (Content-Length, chunked, or until close).
pub fn read_response(conn: &mut BufReader<TcpStream>) -> Response {
    let mut line = String::new();
    conn.read_line(&mut line).unwrap();
    let status = line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status line");
    let mut headers = Vec::new();
    loop {
        let mut l = String::new();
        conn.read_line(&mut l).unwrap();
        let l = l.trim_end();
        if l.is_empty() {
            break;
        }
        let (k, v) = l.split_once(':').expect("header line");
        headers.push((k.trim().to_string(), v.trim().to_string()));
    }
    let mut resp = Response {
        status,
        headers,
        body: Vec::new(),
    };
    if let Some(len) = resp.header("content-length") {
        let mut body = vec![0; len.parse().unwrap()];
        conn.read_exact(&mut body).unwrap();
        resp.body = body;
    } else if resp
        .header("transfer-encoding")
        .is_some_and(|te| te.contains("chunked"))
    {
        loop {
            let mut size = String::new();
            conn.read_line(&mut size).unwrap();
            let size = usize::from_str_radix(size.trim(), 16).unwrap();
            let mut chunk = vec![0; size + 2];
            conn.read_exact(&mut chunk).unwrap();
            if size == 0 {
                break;
            }
            resp.body.extend_from_slice(&chunk[..size]);
        }
    } else if status != 204 && status != 304 {
        conn.read_to_end(&mut resp.body).unwrap();
    }
    resp
}

/// One request on a fresh connection.
pub fn request(addr: SocketAddr, method: &str, target: &str, extra_headers: &str) -> Response {
    let mut c = connect(addr);
    let head = format!(
        "{method} {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n{extra_headers}"
    );
    send(&mut c, &head, b"");
    read_response(&mut c)
}

pub fn get(addr: SocketAddr, target: &str) -> Response {
    request(addr, "GET", target, "")
}

/// The bytes a raw request receives until the server closes.
pub fn raw(addr: SocketAddr, target: &str) -> Vec<u8> {
    let mut c = connect(addr);
    send(
        &mut c,
        &format!("GET {target} HTTP/1.1\r\nHost: {addr}\r\n"),
        b"",
    );
    let mut out = Vec::new();
    let _ = c.read_to_end(&mut out);
    out
}
