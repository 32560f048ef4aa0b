//! Everything that differs by target and is not a transport, one file per target: time (a
//! monotonic [`Instant`], the wall clock, [`sleep`]), the WASI 0.2 reactor and `block_on`, the
//! JavaScript host's globals, and the `Send` shims. The shared layers and the transports take
//! these from here; this folder imports nothing of the crate but [`Error`](crate::Error).
//!
//! | target (cfg alias, `build.rs`) | file | `sleep` | `Instant` |
//! |---|---|---|---|
//! | `native` | `native.rs` | tokio's timer inside a tokio runtime, else one shared timer thread (`futures-timer`) | `std` |
//! | `wasip2` | `wasip2.rs` | a `wasi:clocks` pollable in its reactor ([`block_on`](crate::block_on)) | `std` (`wasi:clocks`) |
//! | `wasip3` | `wasip3.rs` | `wasi:clocks@0.3.0` `wait-until`, awaited in the host's scheduler | `std` (`wasi:clocks`) |
//! | `web` | `web.rs` | `setTimeout` | `performance.now()` (`web-time`) |

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

#[cfg(native)]
mod native;
#[cfg(native)]
use native as imp;

#[cfg(wasip2)]
pub(crate) mod wasip2;
#[cfg(wasip2)]
use wasip2 as imp;

#[cfg(wasip3)]
mod wasip3;
#[cfg(wasip3)]
use self::wasip3 as imp;

#[cfg(web)]
pub(crate) mod web;
#[cfg(web)]
use web as imp;

/// `Send` where the target has threads; nothing on wasm32, where a client, its transport, auth
/// and hooks may hold JavaScript values that are not `Send`.
#[cfg(native)]
pub trait MaybeSend: Send {}
#[cfg(native)]
impl<T: Send + ?Sized> MaybeSend for T {}

/// `Send` where the target has threads; nothing on wasm32, where a client, its transport, auth
/// and hooks may hold JavaScript values that are not `Send`.
#[cfg(wasm)]
pub trait MaybeSend {}
#[cfg(wasm)]
impl<T: ?Sized> MaybeSend for T {}

/// `Send + Sync` where the target has threads; nothing on wasm32 (see [`MaybeSend`]).
#[cfg(native)]
pub trait MaybeSendSync: Send + Sync {}
#[cfg(native)]
impl<T: Send + Sync + ?Sized> MaybeSendSync for T {}

/// `Send + Sync` where the target has threads; nothing on wasm32 (see [`MaybeSend`]).
#[cfg(wasm)]
pub trait MaybeSendSync {}
#[cfg(wasm)]
impl<T: ?Sized> MaybeSendSync for T {}

/// A boxed future: `Send` where the target has threads (see [`MaybeSend`]).
#[cfg(native)]
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;
/// A boxed future: `Send` where the target has threads (see [`MaybeSend`]).
#[cfg(wasm)]
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;

/// `dyn Any`, `Send + Sync` where the target has threads: a value shared across layers that
/// must not name its type (see `request::SharedAuth`).
#[cfg(native)]
pub(crate) type AnyMaybeSendSync = dyn std::any::Any + Send + Sync;
/// `dyn Any`, `Send + Sync` where the target has threads: a value shared across layers that
/// must not name its type (see `request::SharedAuth`).
#[cfg(wasm)]
pub(crate) type AnyMaybeSendSync = dyn std::any::Any;

/// A pending [`sleep`].
pub(crate) type Sleep = BoxFuture<'static, ()>;

pub(crate) use imp::{system_now, Instant};

/// The longest sleep: a century. Longer ones (`Duration::MAX` from a user's setting) would
/// overflow `Instant + Duration` in some timers; no request waits that long.
const LONGEST: Duration = Duration::from_secs(100 * 365 * 24 * 3600);

/// Sleeps for `d` on this target's timer (at most a century). The clock starts when this is
/// called.
pub(crate) fn sleep(d: Duration) -> Sleep {
    imp::sleep(d.min(LONGEST))
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
            match select(fut, sleep(d)).await {
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

/// The host's own WHATWG parse of an absolute URL whose host `url` could not map to ASCII
/// (IDNA): browsers and Node map international hosts themselves, so a program that leaves out
/// `url`'s Unicode tables still reaches them there. `None` on other targets.
#[cfg(not(web))]
pub(crate) fn host_url_href(_: &str) -> Option<String> {
    None
}
#[cfg(web)]
pub(crate) use web::host_url_href;
