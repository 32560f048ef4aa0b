//! OAuth-style token refresh with an async [`Auth`]: send the token held; on a `401`, fetch a
//! new one from the token endpoint (through the same client, without auth) and send the
//! request again. Runs against a local server it starts itself:
//!
//! ```text
//! cargo run --example token_refresh
//! ```

use std::sync::Mutex;

use anyfetch::{Auth, AuthContext, AuthStep, Client, Request, Response, Result};
use anyfetch_testserver::TestServer;
use serde_json::Value;

/// A bearer token that renews itself when the server rejects it.
struct RefreshingToken {
    token: Mutex<String>,
    token_url: String,
}

impl RefreshingToken {
    fn set(request: &mut Request, token: &str) -> Result<()> {
        let mut value: anyfetch::HeaderValue = format!("Bearer {token}").parse().map_err(|_| {
            anyfetch::Error::new(anyfetch::ErrorKind::Builder)
                .with_message("the token is not a valid header value")
        })?;
        value.set_sensitive(true);
        request.headers_mut().insert("authorization", value);
        Ok(())
    }
}

impl Auth for RefreshingToken {
    async fn on_request(&self, request: &mut Request, _: &AuthContext) -> Result<()> {
        let token = self.token.lock().unwrap_or_else(|e| e.into_inner()).clone();
        Self::set(request, &token)
    }

    async fn on_response(
        &self,
        request: &mut Request,
        response: &Response,
        attempt: u32,
        cx: &AuthContext,
    ) -> Result<AuthStep> {
        if response.status() != 401 || attempt > 0 {
            return Ok(AuthStep::Done);
        }
        println!("  401: refreshing the token at {}", self.token_url);
        let refresh = cx
            .client()
            .post(&self.token_url)
            .form(&[("grant_type", "client_credentials")])
            .build()?;
        let grant: Value = cx.send(refresh).await?.error_for_status()?.json().await?;
        let token = grant["access_token"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        Self::set(request, &token)?;
        *self.token.lock().unwrap_or_else(|e| e.into_inner()) = token;
        Ok(AuthStep::Retry)
    }
}

#[tokio::main]
async fn main() -> Result<()> {
    let server = TestServer::start();
    let client = Client::builder()
        .base_url(server.url("/oauth/demo/"))
        .auth(RefreshingToken {
            token: Mutex::new("expired-token".into()),
            token_url: server.url("/oauth/demo/token"),
        })
        .build()?;
    for round in 1..=2 {
        let mut r = client.get("resource").await?.error_for_status()?;
        let v: Value = r.json().await?;
        println!("request {round}: {} with token {}", r.status(), v["token"]);
    }
    Ok(())
}
