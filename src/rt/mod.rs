//! Time, one module per target: a monotonic [`Instant`], the wall clock, and [`sleep`]. The
//! shared layers and the transports take their clocks and timers from here; nothing here
//! reaches into a transport.
//!
//! | target | `sleep` | `Instant` |
//! |---|---|---|
//! | native | tokio's timer inside a tokio runtime, else one shared timer thread (`futures-timer`) | `std` |
//! | WASI 0.2 | a `wasi:clocks` pollable in the [`wasi`] reactor | `std` (`wasi:clocks`) |
//! | WASI 0.3 (feature `wasip3`) | `wasi:clocks@0.3.0` `wait-until`, awaited in the host's scheduler | `std` (`wasi:clocks`) |
//! | browsers, Node | `setTimeout` | `performance.now()` (`web-time`) |

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

#[cfg(not(target_arch = "wasm32"))]
mod native;
#[cfg(not(target_arch = "wasm32"))]
use native as imp;

#[cfg(all(target_arch = "wasm32", target_os = "wasi", not(feature = "wasip3")))]
pub(crate) mod wasi;
#[cfg(all(target_arch = "wasm32", target_os = "wasi", not(feature = "wasip3")))]
use wasi as imp;

#[cfg(all(target_arch = "wasm32", target_os = "wasi", feature = "wasip3"))]
mod wasip3;
#[cfg(all(target_arch = "wasm32", target_os = "wasi", feature = "wasip3"))]
use self::wasip3 as imp;

#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
mod web;
#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
use web as imp;

pub(crate) use imp::{system_now, Instant};

/// A pending [`sleep`].
#[cfg(not(target_arch = "wasm32"))]
pub(crate) type Sleep = Pin<Box<dyn Future<Output = ()> + Send>>;
/// A pending [`sleep`].
#[cfg(target_arch = "wasm32")]
pub(crate) type Sleep = Pin<Box<dyn Future<Output = ()>>>;

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
