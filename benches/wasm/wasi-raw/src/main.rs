//! The floor: the benchmark program written against the `wasip2` bindings directly (see
//! `../common/args.rs`). Only `http://host[:port]/path` URLs, no timeouts, no redirects, no
//! header checks: what any client must at least do.
include!("../../common/args.rs");

use wasip2::http::outgoing_handler;
use wasip2::http::types::{Fields, Method, OutgoingBody, OutgoingRequest, Scheme};
use wasip2::io::streams::StreamError;

fn get(authority: &str, path: &str) -> Result<(u16, Vec<u8>), String> {
    let request = OutgoingRequest::new(Fields::new());
    request.set_method(&Method::Get).map_err(|()| "method")?;
    request
        .set_scheme(Some(&Scheme::Http))
        .map_err(|()| "scheme")?;
    request
        .set_authority(Some(authority))
        .map_err(|()| "authority")?;
    request
        .set_path_with_query(Some(path))
        .map_err(|()| "path")?;
    let out = request.body().map_err(|()| "request body")?;
    let future = outgoing_handler::handle(request, None).map_err(|e| format!("{e:?}"))?;
    OutgoingBody::finish(out, None).map_err(|e| format!("{e:?}"))?;
    let response = loop {
        match future.get() {
            Some(r) => break r.map_err(|()| "twice")?.map_err(|e| format!("{e:?}"))?,
            None => future.subscribe().block(),
        }
    };
    let status = response.status();
    let body = response.consume().map_err(|()| "consume")?;
    let mut bytes = Vec::new();
    {
        let stream = body.stream().map_err(|()| "stream")?;
        loop {
            match stream.blocking_read(64 * 1024) {
                Ok(chunk) => bytes.extend_from_slice(&chunk),
                Err(StreamError::Closed) => break,
                Err(e) => return Err(format!("{e:?}")),
            }
        }
    }
    drop(body);
    drop(response);
    drop(future);
    Ok((status, bytes))
}

fn main() -> std::process::ExitCode {
    let args = args();
    let Some(rest) = args.url.strip_prefix("http://") else {
        eprintln!("only http:// URLs");
        return std::process::ExitCode::from(2);
    };
    let (authority, path) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, "/"),
    };
    let mut doc = serde_json::Value::Null;
    for _ in 0..args.count {
        match get(authority, path) {
            Ok((200, body)) => match serde_json::from_slice(&body) {
                Ok(v) => doc = v,
                Err(e) => {
                    eprintln!("error: {e}");
                    return std::process::ExitCode::FAILURE;
                }
            },
            Ok((status, _)) => {
                eprintln!("status {status}");
                return std::process::ExitCode::FAILURE;
            }
            Err(e) => {
                eprintln!("error: {e}");
                return std::process::ExitCode::FAILURE;
            }
        }
    }
    report(&args, 200, &doc)
}
