//! Event hooks (httpx `event_hooks`): sync closures, or closures that return a future.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::error::Result;
use crate::platform::{BoxFuture, MaybeSend};
use crate::request::Request;
use crate::response::Response;

#[cfg(native)]
pub(crate) type RequestHook = Arc<dyn Fn(&mut Request) -> HookOutcome + Send + Sync>;
#[cfg(native)]
pub(crate) type ResponseHook = Arc<dyn Fn(&Response) -> HookOutcome + Send + Sync>;
#[cfg(wasm)]
pub(crate) type RequestHook = Arc<dyn Fn(&mut Request) -> HookOutcome>;
#[cfg(wasm)]
pub(crate) type ResponseHook = Arc<dyn Fn(&Response) -> HookOutcome>;

/// What a hook returned: done already, or a future to await.
#[doc(hidden)]
pub enum HookOutcome {
    Ready(Result<()>),
    Pending(BoxFuture<'static, Result<()>>),
}

impl std::fmt::Debug for HookOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HookOutcome::Ready(r) => f.debug_tuple("Ready").field(r).finish(),
            HookOutcome::Pending(_) => f.write_str("Pending"),
        }
    }
}

impl HookOutcome {
    pub(crate) async fn wait(self) -> Result<()> {
        match self {
            HookOutcome::Ready(r) => r,
            HookOutcome::Pending(f) => f.await,
        }
    }
}

/// What a hook may return: `()`, `anyfetch::Result<()>` (an `Err` fails the request), or a
/// boxed future of either, to do async work (`Box::pin(async move { .. })`):
///
/// ```no_run
/// # fn run() -> anyfetch::Result<()> {
/// let client = anyfetch::Client::builder()
///     // sync: may change the request
///     .on_request(|req| {
///         req.headers_mut().insert("x-request-id", "42".parse().unwrap());
///     })
///     // async: copy what the future needs out of the response first
///     .on_response(|resp| {
///         let status = resp.status();
///         Box::pin(async move {
///             // e.g. `log_sink.send(status).await`
///             println!("{status}");
///             Ok(())
///         })
///     })
///     .build()?;
/// # Ok(()) }
/// ```
pub trait HookResult {
    #[doc(hidden)]
    fn into_outcome(self) -> HookOutcome;
}

impl HookResult for () {
    fn into_outcome(self) -> HookOutcome {
        HookOutcome::Ready(Ok(()))
    }
}

impl HookResult for Result<()> {
    fn into_outcome(self) -> HookOutcome {
        HookOutcome::Ready(self)
    }
}

impl<F, O> HookResult for Pin<Box<F>>
where
    F: Future<Output = O> + MaybeSend + ?Sized + 'static,
    O: AsyncHookOutput,
{
    fn into_outcome(self) -> HookOutcome {
        HookOutcome::Pending(Box::pin(async move { self.await.into_result() }))
    }
}

/// What an async hook's future may resolve to: `()` or `anyfetch::Result<()>`.
pub trait AsyncHookOutput: 'static {
    #[doc(hidden)]
    fn into_result(self) -> Result<()>;
}

impl AsyncHookOutput for () {
    fn into_result(self) -> Result<()> {
        Ok(())
    }
}

impl AsyncHookOutput for Result<()> {
    fn into_result(self) -> Result<()> {
        self
    }
}
