//! Authentication as a step machine (httpx's `auth_flow`): a scheme adds credentials to a
//! request and, seeing the response, may ask for the request to be sent once more. No scheme
//! does I/O itself, so each runs unchanged on every backend.

use http::header::{HeaderValue, AUTHORIZATION};

use crate::error::{Error, Result};
use crate::request::Request;
use crate::response::Response;

/// The next step of an auth flow, returned by [`Auth::on_response`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthStep {
    /// The flow is over: hand the response to the caller.
    Done,
    /// Send the (updated) request again and call `on_response` with the new response.
    Retry,
}

/// An authentication scheme.
///
/// The client drives it as a state machine, once per request:
///
/// ```text
///   on_request(req) ──► send ──► on_response(req, resp, 0) ──Done──► caller gets resp
///                                   │ Retry (req updated)
///                                   ▼
///                          send ──► on_response(req, resp, 1) ── ... (at most 10 rounds)
/// ```
///
/// Redirects are followed inside each send. A request whose body is a stream cannot be sent
/// twice, so a `Retry` for it fails with an [`is_builder`](Error::is_builder) error.
///
/// ```
/// use anyfetch::{Auth, Request, Result};
///
/// /// Sends an API key in a custom header.
/// struct ApiKey(&'static str);
///
/// impl Auth for ApiKey {
///     fn on_request(&self, request: &mut Request) -> Result<()> {
///         request.headers_mut().insert("x-api-key", self.0.parse().unwrap());
///         Ok(())
///     }
/// }
/// ```
pub trait Auth: Send + Sync + 'static {
    /// Adds the credentials already known to the first attempt.
    fn on_request(&self, request: &mut Request) -> Result<()>;

    /// Sees the response to attempt number `attempt` (0 for the first); may update `request`
    /// and return [`AuthStep::Retry`] to send it again. Defaults to [`AuthStep::Done`].
    fn on_response(
        &self,
        request: &mut Request,
        response: &Response,
        attempt: u32,
    ) -> Result<AuthStep> {
        let _ = (request, response, attempt);
        Ok(AuthStep::Done)
    }
}

/// HTTP Basic authentication (RFC 7617), sent with the first request.
#[derive(Clone)]
pub struct BasicAuth {
    header: HeaderValue,
}

impl BasicAuth {
    /// Credentials for `username` and `password` (UTF-8).
    pub fn new(username: impl Into<String>, password: impl Into<String>) -> Self {
        let raw = format!("{}:{}", username.into(), password.into());
        let mut header = HeaderValue::from_str(&format!("Basic {}", base64(raw.as_bytes())))
            .unwrap_or_else(|_| HeaderValue::from_static("Basic"));
        header.set_sensitive(true);
        BasicAuth { header }
    }
}

impl std::fmt::Debug for BasicAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BasicAuth(..)")
    }
}

impl Auth for BasicAuth {
    fn on_request(&self, request: &mut Request) -> Result<()> {
        request
            .headers_mut()
            .insert(AUTHORIZATION, self.header.clone());
        Ok(())
    }
}

/// A bearer token (RFC 6750), sent with the first request.
#[derive(Clone)]
pub struct BearerAuth {
    token: String,
}

impl BearerAuth {
    /// Sends `Authorization: Bearer <token>`.
    pub fn new(token: impl Into<String>) -> Self {
        BearerAuth {
            token: token.into(),
        }
    }
}

impl std::fmt::Debug for BearerAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BearerAuth(..)")
    }
}

impl Auth for BearerAuth {
    fn on_request(&self, request: &mut Request) -> Result<()> {
        let mut v = HeaderValue::from_str(&format!("Bearer {}", self.token)).map_err(|e| {
            Error::builder("the bearer token is not a valid header value").with_source(e)
        })?;
        v.set_sensitive(true);
        request.headers_mut().insert(AUTHORIZATION, v);
        Ok(())
    }
}

/// Standard base64 with padding.
pub(crate) fn base64(input: &[u8]) -> String {
    use ::base64::Engine as _;
    ::base64::engine::general_purpose::STANDARD.encode(input)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_header_bytes() {
        let mut req = Request::new(http::Method::GET, "http://h/".parse().unwrap());
        BasicAuth::new("user", "passwd")
            .on_request(&mut req)
            .unwrap();
        assert_eq!(req.headers()["authorization"], "Basic dXNlcjpwYXNzd2Q=");
        assert_eq!(base64(b"a"), "YQ==");
        assert_eq!(base64(b"ab"), "YWI=");
    }

    #[test]
    fn bearer_rejects_newlines() {
        let mut req = Request::new(http::Method::GET, "http://h/".parse().unwrap());
        let e = BearerAuth::new("a\r\nb").on_request(&mut req).unwrap_err();
        assert!(e.is_builder());
    }
}
