//! Event hooks (httpx `event_hooks`).

use std::sync::Arc;

use crate::error::Result;
use crate::request::Request;
use crate::response::Response;

pub(crate) type RequestHook = Arc<dyn Fn(&mut Request) -> Result<()> + Send + Sync>;
pub(crate) type ResponseHook = Arc<dyn Fn(&Response) -> Result<()> + Send + Sync>;

/// What a hook may return: `()` or `anyfetch::Result<()>` (an `Err` fails the request).
pub trait HookResult {
    /// As a `Result`.
    fn into_result(self) -> Result<()>;
}

impl HookResult for () {
    fn into_result(self) -> Result<()> {
        Ok(())
    }
}

impl HookResult for Result<()> {
    fn into_result(self) -> Result<()> {
        self
    }
}
