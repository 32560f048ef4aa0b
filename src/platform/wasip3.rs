//! WASI 0.3 time: `wasi:clocks/monotonic-clock@0.3.0`'s `wait-until`, an async import. The
//! waits are awaited in the component's async export and scheduled by the host with every other
//! pending call: anyfetch runs no loop of its own here, and offers no `block_on` (a 0.3 task
//! cannot block inside a synchronous export).

use std::time::Duration;

use ::wasip3::clocks::monotonic_clock;

/// Sleeps for `d`. The clock starts when this is called: the wait is for a mark on the
/// monotonic clock, not for a duration counted from the first poll.
pub(crate) fn sleep(d: Duration) -> super::Sleep {
    let nanos = u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
    let when = monotonic_clock::now().saturating_add(nanos);
    Box::pin(monotonic_clock::wait_until(when))
}

pub(crate) use std::time::Instant;

pub(crate) fn system_now() -> std::time::SystemTime {
    std::time::SystemTime::now()
}
