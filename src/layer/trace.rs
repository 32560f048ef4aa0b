//! `TraceLayer` (feature `tracing`): one `tracing` span per request, with no secret in it.

use std::fmt;

use tracing::field::Empty;
use tracing::Instrument;
use url::Url;

use super::{Layer, RetryAttempt};
use crate::error::{ErrorKind, Result, TimeoutKind};
use crate::platform::BoxFuture;
use crate::platform::Instant;
use crate::request::Request;
use crate::response::Response;
use crate::transport::{Capabilities, Transport};

/// Makes [`Trace`] transports: one `tracing` span per request sent through them (feature
/// `tracing`).
///
/// The span is named `http.request`, at the `INFO` level, target `anyfetch::layer::trace`, and
/// covers sending the request up to the response head. Its fields:
///
/// | field | value |
/// |---|---|
/// | `http.request.method` | the method |
/// | `url.full` | the URL without user name, password and fragment, every query value replaced by `REDACTED` (`https://api.test/items?token=REDACTED&page=REDACTED`) |
/// | `retry.attempt` | the request's [`RetryAttempt`], `0` when it has none |
/// | `http.response.status_code` | the status, once the head has arrived |
/// | `elapsed_ms` | milliseconds from sending to the response head (or to the error) |
/// | `error.kind` | on failure, the [`ErrorKind`] only (`timeout.read`, `connect`, ...) |
///
/// No header value, no body and no error message is ever recorded: those may carry
/// credentials. Added as the outermost layer (first), it sees what the client sends; added
/// after a [`ConcurrencyLimitLayer`](super::ConcurrencyLimitLayer) it does not time the
/// wait for a place.
///
/// ```
/// use anyfetch::layer::TraceLayer;
/// let client = anyfetch::Client::builder().layer(TraceLayer::new()).build()?;
/// # Ok::<(), anyfetch::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct TraceLayer {
    _private: (),
}

impl TraceLayer {
    /// The layer.
    pub fn new() -> Self {
        TraceLayer::default()
    }
}

impl<T: Transport> Layer<T> for TraceLayer {
    type Transport = Trace<T>;

    fn layer(&self, inner: T) -> Trace<T> {
        Trace::new(inner)
    }
}

/// A transport that records one `tracing` span per request; see [`TraceLayer`].
pub struct Trace<T> {
    inner: T,
}

impl<T> Trace<T> {
    /// Wraps `inner`.
    pub fn new(inner: T) -> Self {
        Trace { inner }
    }

    /// The wrapped transport.
    pub fn inner(&self) -> &T {
        &self.inner
    }
}

impl<T: fmt::Debug> fmt::Debug for Trace<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Trace").field("inner", &self.inner).finish()
    }
}

impl<T: Transport> Transport for Trace<T> {
    fn send(&self, request: Request) -> BoxFuture<'static, Result<Response>> {
        let attempt = request
            .extensions()
            .get::<RetryAttempt>()
            .map_or(0, |a| a.0);
        let span = tracing::info_span!(
            "http.request",
            http.request.method = %request.method(),
            url.full = %redacted(request.url()),
            retry.attempt = attempt,
            http.response.status_code = Empty,
            elapsed_ms = Empty,
            error.kind = Empty,
        );
        let start = Instant::now();
        let send = span.in_scope(|| self.inner.send(request));
        let record = span.clone();
        Box::pin(
            async move {
                let result = send.await;
                let elapsed = start.elapsed().as_secs_f64() * 1000.0;
                record.record("elapsed_ms", elapsed);
                match &result {
                    Ok(r) => {
                        record.record("http.response.status_code", r.status().as_u16());
                    }
                    Err(e) => {
                        record.record("error.kind", kind_name(e.kind()));
                    }
                }
                result
            }
            .instrument(span),
        )
    }

    fn capabilities(&self) -> Capabilities {
        self.inner.capabilities()
    }
}

/// The URL for a log: no user name, password or fragment, and every query value replaced by
/// `REDACTED` (a bare `?word` too, as it may be a token). Names of query parameters stay.
pub(crate) fn redacted(url: &Url) -> String {
    let mut out = url.clone();
    // Both fail only for URLs that cannot have credentials, which then have none.
    let _ = out.set_username("");
    let _ = out.set_password(None);
    out.set_fragment(None);
    if let Some(query) = url.query() {
        let redacted: Vec<String> = query
            .split('&')
            .filter(|part| !part.is_empty())
            .map(|part| match part.split_once('=') {
                Some((name, _)) => format!("{name}=REDACTED"),
                None => "REDACTED".to_owned(),
            })
            .collect();
        out.set_query(Some(&redacted.join("&")));
    }
    out.into()
}

/// A stable name for an error kind, without any detail the error may carry. (Both kinds are
/// `#[non_exhaustive]`: the catch-all arms are for kinds added later.)
#[allow(unreachable_patterns)]
fn kind_name(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::Builder => "builder",
        ErrorKind::Connect => "connect",
        ErrorKind::Timeout(TimeoutKind::Connect) => "timeout.connect",
        ErrorKind::Timeout(TimeoutKind::Read) => "timeout.read",
        ErrorKind::Timeout(TimeoutKind::Write) => "timeout.write",
        ErrorKind::Timeout(TimeoutKind::Pool) => "timeout.pool",
        ErrorKind::Timeout(TimeoutKind::Total) => "timeout.total",
        ErrorKind::Timeout(_) => "timeout",
        ErrorKind::Write => "write",
        ErrorKind::Read => "read",
        ErrorKind::Protocol => "protocol",
        ErrorKind::Unsupported => "unsupported",
        ErrorKind::Decode => "decode",
        ErrorKind::Redirect => "redirect",
        ErrorKind::Status(_) => "status",
        _ => "other",
    }
}

#[cfg(test)]
mod tests;
