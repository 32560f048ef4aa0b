//! Request dispatch, CORS and the connection-id header.

use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper::header::{self, HeaderName, HeaderValue};
use hyper::{Method, Request, StatusCode};
use serde_json::json;

use crate::echo::{echo, headers_of};
use crate::req::{pct_decode, Ctx, Req};
use crate::util::{bad_request, method_not_allowed, not_found, ok_json, status_only, text, Resp};
use crate::{auth, content, encode, stream};

const EXPOSE: &str = "*, X-Connection-Id, Content-Encoding, Content-Length, Content-Type, \
Location, Retry-After, WWW-Authenticate, ETag, Last-Modified, Date";
const ALL_METHODS: &str = "GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS";

pub(crate) async fn handle(req: Request<Incoming>, ctx: Ctx) -> Resp {
    let origin = req.headers().get(header::ORIGIN).cloned();
    let conn_id = ctx.conn_id;
    let mut resp = if req.method() == Method::OPTIONS
        && req
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD)
    {
        preflight(&req)
    } else {
        route(req, ctx).await
    };
    let h = resp.headers_mut();
    h.insert(HeaderName::from_static("x-connection-id"), conn_id.into());
    match origin {
        Some(o) => {
            h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, o);
            h.insert(
                header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
                HeaderValue::from_static("true"),
            );
            h.append(header::VARY, HeaderValue::from_static("Origin"));
        }
        None => {
            h.insert(
                header::ACCESS_CONTROL_ALLOW_ORIGIN,
                HeaderValue::from_static("*"),
            );
        }
    }
    h.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static(EXPOSE),
    );
    resp
}

fn preflight(req: &Request<Incoming>) -> Resp {
    let mut resp = status_only(StatusCode::NO_CONTENT);
    let h = resp.headers_mut();
    h.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static(ALL_METHODS),
    );
    if let Some(v) = req.headers().get(header::ACCESS_CONTROL_REQUEST_HEADERS) {
        h.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, v.clone());
    }
    h.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("3600"),
    );
    resp
}

async fn route(req: Request<Incoming>, ctx: Ctx) -> Resp {
    if req.uri().path().starts_with("/misbehave/") {
        return crate::hijack::request(&req, &ctx);
    }
    if req.uri().path() == "/upload-sink" {
        return stream::upload_sink(req, &ctx).await;
    }
    let (parts, body) = req.into_parts();
    let body = match body.collect().await {
        Ok(c) => c.to_bytes(),
        Err(_) => return bad_request("error reading the request body"),
    };
    let r = Req::new(parts, body, ctx);
    match dispatch(&r).await {
        Ok(resp) | Err(resp) => resp,
    }
}

/// The echo document for `allowed` methods; others get 405.
async fn only(r: &Req, allowed: &[Method]) -> Resp {
    if allowed.contains(&r.method) {
        echo(r).await
    } else {
        let names: Vec<&str> = allowed.iter().map(Method::as_str).collect();
        method_not_allowed(&names.join(", "))
    }
}

async fn dispatch(r: &Req) -> Result<Resp, Resp> {
    let path = r.uri.path().to_string();
    let segs: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let d = |s: &str| pct_decode(s);
    Ok(match segs.as_slice() {
        [""] => text(
            StatusCode::OK,
            "text/plain; charset=utf-8",
            "anyfetch-testserver: an httpbin-compatible test server\n",
        ),
        ["get"] => only(r, &[Method::GET, Method::HEAD]).await,
        ["post"] => only(r, &[Method::POST]).await,
        ["put"] => only(r, &[Method::PUT]).await,
        ["patch"] => only(r, &[Method::PATCH]).await,
        ["delete"] => only(r, &[Method::DELETE]).await,
        ["anything", ..] => echo(r).await,
        ["headers"] => ok_json(&json!({"headers": headers_of(r)})),
        ["ip"] => ok_json(&json!({"origin": r.origin()})),
        ["user-agent"] => ok_json(&json!({"user-agent": r.header("user-agent")})),
        ["status", code] => content::status(code)?,
        ["redirect", n] => {
            let absolute = r.q("absolute").is_some_and(|v| v == "true");
            content::redirect(r, n, "redirect", absolute)?
        }
        ["relative-redirect", n] => content::redirect(r, n, "relative-redirect", false)?,
        ["absolute-redirect", n] => content::redirect(r, n, "absolute-redirect", true)?,
        ["redirect-to"] => content::redirect_to(r)?,
        ["cookies"] => content::cookies(r),
        ["cookies", "set"] => content::set_cookies(
            r.query
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        ),
        ["cookies", "set", name, value] => content::set_cookies(vec![(d(name), d(value))]),
        ["cookies", "delete"] => content::delete_cookies(r),
        ["basic-auth", u, p] => auth::basic(r, &d(u), &d(p), false),
        ["hidden-basic-auth", u, p] => auth::basic(r, &d(u), &d(p), true),
        ["bearer"] => auth::bearer(r),
        ["oauth", key, "token"] => auth::oauth_token(r, &d(key)),
        ["oauth", key, "resource"] => auth::oauth_resource(r, &d(key)),
        ["digest-auth", qop, u, p] => auth::digest(r, qop, &d(u), &d(p), None),
        ["digest-auth", qop, u, p, alg] => auth::digest(r, qop, &d(u), &d(p), Some(alg)),
        ["delay", secs] => {
            let secs: f64 = secs.parse().map_err(|_| bad_request("invalid delay"))?;
            tokio::time::sleep(stream::seconds(secs, 10.0)?).await;
            echo(r).await
        }
        ["drip"] => stream::drip(r).await?,
        ["stream", n] => stream::stream_json(r, n)?,
        ["stream-bytes", n] => stream::stream_bytes(r, n)?,
        ["bytes", n] => stream::bytes(r, n)?,
        ["range", n] => stream::range(n)?,
        ["zeros", n] => stream::zeros(r, n)?,
        ["lines", n] => stream::lines(r, n)?,
        ["sse"] => crate::sse::route(r)?,
        [name @ ("gzip" | "deflate" | "brotli" | "zstd")] => encode::route(r, name),
        ["encode"] => encode::encode(r)?,
        ["json"] => content::json_doc(),
        ["html"] => content::html(),
        ["xml"] => content::xml(),
        ["encoding", "utf8"] => content::utf8(),
        ["charset", name] => content::charset(name)?,
        ["response-headers"] => content::response_headers(r)?,
        ["retry", key] => content::retry(r, &d(key))?,
        ["retry-count", key] => content::retry_count(r, &d(key)),
        ["upload-result", key] => stream::upload_result(r, &d(key)),
        ["base64", value] => content::base64(value)?,
        ["uuid"] => content::uuid(),
        ["cache"] => content::cache(r).await,
        ["echo"] => content::echo_raw(r),
        ["tls", "client-cert"] => content::client_cert(r),
        _ => not_found(),
    })
}
