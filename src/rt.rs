//! Timers for the shared layers, chosen by target in this one place.

use std::future::Future;
use std::time::Duration;

/// A monotonic instant.
#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
pub(crate) use std::time::Instant;

#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
pub(crate) use crate::transport::fetch::Instant;

/// Sleeps for `d` on whatever timer this target has.
pub(crate) fn sleep(d: Duration) -> impl Future<Output = ()> + crate::util::MaybeSend {
    imp::sleep(d)
}

#[cfg(all(not(target_arch = "wasm32"), feature = "native"))]
mod imp {
    use super::*;
    pub(crate) fn sleep(d: Duration) -> impl Future<Output = ()> + Send {
        // Inside a tokio runtime use its timer; elsewhere (a plain executor driving a
        // MockTransport) fall back to a thread timer.
        let tokio = tokio::runtime::Handle::try_current().is_ok();
        async move {
            if tokio {
                tokio::time::sleep(d).await
            } else {
                super::thread_timer::sleep(d).await
            }
        }
    }
}

#[cfg(all(not(target_arch = "wasm32"), not(feature = "native")))]
mod imp {
    use super::*;
    pub(crate) fn sleep(d: Duration) -> impl Future<Output = ()> + Send {
        super::thread_timer::sleep(d)
    }
}

#[cfg(all(target_arch = "wasm32", target_os = "wasi"))]
mod imp {
    pub(crate) use crate::transport::wasi::sleep;
}

#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
mod imp {
    pub(crate) use crate::transport::fetch::sleep;
}

#[cfg(not(target_arch = "wasm32"))]
mod thread_timer {
    use std::sync::{Arc, Mutex};
    use std::task::{Poll, Waker};
    use std::time::Duration;

    /// A timer that needs no runtime: one short-lived thread per sleep.
    pub(crate) async fn sleep(d: Duration) {
        struct State {
            done: bool,
            waker: Option<Waker>,
        }
        let state = Arc::new(Mutex::new(State {
            done: false,
            waker: None,
        }));
        let s2 = state.clone();
        std::thread::spawn(move || {
            std::thread::sleep(d);
            let mut s = s2.lock().unwrap_or_else(|e| e.into_inner());
            s.done = true;
            if let Some(w) = s.waker.take() {
                w.wake();
            }
        });
        std::future::poll_fn(|cx| {
            let mut s = state.lock().unwrap_or_else(|e| e.into_inner());
            if s.done {
                Poll::Ready(())
            } else {
                s.waker = Some(cx.waker().clone());
                Poll::Pending
            }
        })
        .await
    }
}

/// Runs `fut`, failing with `on_timeout()` if `limit` passes first.
pub(crate) async fn timeout<F, T>(
    limit: Option<Duration>,
    fut: F,
    on_timeout: impl FnOnce() -> crate::Error,
) -> crate::Result<T>
where
    F: Future<Output = crate::Result<T>>,
{
    match limit {
        None => fut.await,
        Some(d) => {
            use futures_util::future::{select, Either};
            let fut = std::pin::pin!(fut);
            let timer = std::pin::pin!(sleep(d));
            match select(fut, timer).await {
                Either::Left((r, _)) => r,
                Either::Right(((), _)) => Err(on_timeout()),
            }
        }
    }
}

/// Time from now until an HTTP date (`Retry-After`), zero if it has passed.
pub(crate) fn until_http_date(s: &str) -> Option<Duration> {
    let t = httpdate::parse_http_date(s).ok()?;
    Some(t.duration_since(system_now()).unwrap_or(Duration::ZERO))
}

#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
fn system_now() -> std::time::SystemTime {
    std::time::SystemTime::now()
}

#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
use crate::transport::fetch::system_now;
