//! Authentication as an async step machine (httpx's `auth_flow`, with I/O allowed): a scheme
//! adds credentials to a request and, seeing the response, may ask for the request to be sent
//! once more. Between the two it may await anything, including requests of its own sent through
//! the client ([`AuthContext::send`]), such as a token refresh.

use std::future::Future;

use http::header::{HeaderValue, AUTHORIZATION};

use crate::client::Client;
use crate::error::{Error, Result};
use crate::platform::{BoxFuture, MaybeSend, MaybeSendSync};
use crate::request::{AuthChoice, Request, SharedAuth};
use crate::response::Response;

/// The next step of an auth flow, returned by [`Auth::on_response`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthStep {
    /// The flow is over: hand the response to the caller.
    Done,
    /// Send the (updated) request again and call `on_response` with the new response.
    Retry,
}

/// An authentication scheme (httpx `Auth.auth_flow`), run by the client as a step machine on
/// every hop of a request to the origin the request was addressed to:
///
/// ```text
///   on_request(req) ──► send ──► on_response(req, resp, 0) ──Done──► the hop's response
///                                   │ Retry (req updated)
///                                   ▼
///                          send ──► on_response(req, resp, 1) ── ... (at most 10 rounds)
/// ```
///
/// Per hop: when a redirect leads to another origin (scheme, host or port; an upgrade from
/// `http` to `https` on the same host excepted), the scheme does not run there, and nothing it
/// added to the first hop is carried over. Both methods are async: they may await I/O, and send
/// requests of their own through [`AuthContext::send`] (a token refresh). A request whose body
/// is a stream cannot be sent twice, so a `Retry` for it fails with an
/// [`is_builder`](Error::is_builder) error.
///
/// Write the methods as `async fn`s:
///
/// ```
/// use anyfetch::{Auth, AuthContext, Request, Result};
///
/// /// Sends an API key in a custom header.
/// struct ApiKey(&'static str);
///
/// impl Auth for ApiKey {
///     async fn on_request(&self, request: &mut Request, _: &AuthContext) -> Result<()> {
///         request.headers_mut().insert("x-api-key", self.0.parse().unwrap());
///         Ok(())
///     }
/// }
/// ```
///
/// `examples/token_refresh.rs` refreshes an OAuth-style token on a `401` and sends the request
/// again.
pub trait Auth: MaybeSendSync + 'static {
    /// Adds the credentials already known to the first attempt of a hop.
    fn on_request(
        &self,
        request: &mut Request,
        cx: &AuthContext,
    ) -> impl Future<Output = Result<()>> + MaybeSend;

    /// Sees the response to attempt number `attempt` (0 for the first); may update `request`
    /// and return [`AuthStep::Retry`] to send it again. Defaults to [`AuthStep::Done`].
    fn on_response(
        &self,
        request: &mut Request,
        response: &Response,
        attempt: u32,
        cx: &AuthContext,
    ) -> impl Future<Output = Result<AuthStep>> + MaybeSend {
        let _ = (request, response, attempt, cx);
        async { Ok(AuthStep::Done) }
    }
}

/// What an auth flow may use besides the request: the client that runs it.
#[derive(Debug)]
pub struct AuthContext {
    client: Client,
}

impl AuthContext {
    pub(crate) fn new(client: Client) -> Self {
        AuthContext { client }
    }

    /// The client running this flow.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Sends a request of the flow's own (a token refresh, say) through the client's layers
    /// (cookies, redirects, retries, hooks, decoding) but without any auth scheme, as httpx
    /// sends the requests an `auth_flow` yields. Build it with `cx.client().post(..).build()?`.
    ///
    /// # Errors
    /// As [`Client::send`].
    pub async fn send(&self, mut request: Request) -> Result<Response> {
        request.options.auth = AuthChoice::Off;
        self.client.send(request).await
    }
}

impl Request {
    /// Runs `auth` for this request instead of its client's scheme.
    pub fn set_auth(&mut self, auth: impl Auth) {
        self.options.auth = AuthChoice::Use(SharedAuth::new(auth));
    }
}

impl SharedAuth {
    /// Shares `auth` as the client and its requests hold it.
    pub(crate) fn new(auth: impl Auth) -> SharedAuth {
        let scheme: Box<dyn DynAuth> = Box::new(auth);
        SharedAuth(std::sync::Arc::new(scheme))
    }

    /// The scheme inside. Every `SharedAuth` is made by [`SharedAuth::new`], so the value is
    /// always a `Box<dyn DynAuth>`.
    pub(crate) fn scheme(&self) -> &dyn DynAuth {
        match self.0.downcast_ref::<Box<dyn DynAuth>>() {
            Some(scheme) => &**scheme,
            None => unreachable!("a SharedAuth holds a Box<dyn DynAuth> (SharedAuth::new)"),
        }
    }
}

/// [`Auth`] as a trait object: the client stores schemes behind this.
pub(crate) trait DynAuth: MaybeSendSync + 'static {
    fn dyn_on_request<'a>(
        &'a self,
        request: &'a mut Request,
        cx: &'a AuthContext,
    ) -> BoxFuture<'a, Result<()>>;

    fn dyn_on_response<'a>(
        &'a self,
        request: &'a mut Request,
        response: &'a Response,
        attempt: u32,
        cx: &'a AuthContext,
    ) -> BoxFuture<'a, Result<AuthStep>>;
}

impl<A: Auth> DynAuth for A {
    fn dyn_on_request<'a>(
        &'a self,
        request: &'a mut Request,
        cx: &'a AuthContext,
    ) -> BoxFuture<'a, Result<()>> {
        Box::pin(Auth::on_request(self, request, cx))
    }

    fn dyn_on_response<'a>(
        &'a self,
        request: &'a mut Request,
        response: &'a Response,
        attempt: u32,
        cx: &'a AuthContext,
    ) -> BoxFuture<'a, Result<AuthStep>> {
        Box::pin(Auth::on_response(self, request, response, attempt, cx))
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
    async fn on_request(&self, request: &mut Request, _: &AuthContext) -> Result<()> {
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
    async fn on_request(&self, request: &mut Request, _: &AuthContext) -> Result<()> {
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

    fn cx() -> AuthContext {
        AuthContext::new(Client::new())
    }

    #[test]
    fn basic_header_bytes() {
        let mut req = Request::new(http::Method::GET, "http://h/".parse().unwrap());
        futures::executor::block_on(BasicAuth::new("user", "passwd").on_request(&mut req, &cx()))
            .unwrap();
        assert_eq!(req.headers()["authorization"], "Basic dXNlcjpwYXNzd2Q=");
        assert_eq!(base64(b"a"), "YQ==");
        assert_eq!(base64(b"ab"), "YWI=");
    }

    #[test]
    fn bearer_rejects_newlines() {
        let mut req = Request::new(http::Method::GET, "http://h/".parse().unwrap());
        let e = futures::executor::block_on(BearerAuth::new("a\r\nb").on_request(&mut req, &cx()))
            .unwrap_err();
        assert!(e.is_builder());
    }
}
