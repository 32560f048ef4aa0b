//! Native time: tokio's timer inside a tokio runtime; elsewhere (a plain executor driving a
//! `MockTransport`, the blocking twin without tokio) `futures-timer`, whose one shared thread
//! serves every sleep.

use std::time::Duration;

pub(crate) use std::time::Instant;

pub(crate) fn system_now() -> std::time::SystemTime {
    std::time::SystemTime::now()
}

pub(crate) fn sleep(d: Duration) -> super::Sleep {
    #[cfg(hyper)]
    if tokio::runtime::Handle::try_current().is_ok() {
        return Box::pin(tokio::time::sleep(d));
    }
    Box::pin(futures_timer::Delay::new(d))
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    /// A sleep of `Duration::MAX` (a user's "never") does not overflow the timer's clock.
    #[test]
    fn the_longest_sleep_does_not_panic() {
        let mut sleep = crate::platform::sleep(Duration::MAX);
        futures::executor::block_on(async {
            assert!(futures::poll!(&mut sleep).is_pending());
        });
    }

    /// Outside tokio, a thousand pending sleeps share one timer thread: no thread per sleep.
    #[test]
    fn sleeps_outside_tokio_share_one_thread() {
        let threads = || {
            std::fs::read_dir("/proc/self/task")
                .map(|d| d.count())
                .unwrap_or(0)
        };
        let before = threads();
        let started = Instant::now();
        let during = futures::executor::block_on(async {
            let mut all = futures::future::join_all(
                (0..1000).map(|_| super::sleep(Duration::from_millis(200))),
            );
            // Every sleep is registered (and pending) after one poll.
            assert!(futures::poll!(&mut all).is_pending());
            let during = threads();
            all.await;
            during
        });
        let took = started.elapsed();
        assert!(took >= Duration::from_millis(200), "{took:?}");
        assert!(took < Duration::from_secs(5), "{took:?}");
        if before > 0 {
            // Other tests start threads too, but a thread per sleep would add a thousand.
            assert!(
                during < before + 200,
                "{before} threads before, {during} during"
            );
        }
    }
}
