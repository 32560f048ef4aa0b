//! Retries with exponential backoff, jitter and `Retry-After`.

use std::time::Duration;

use http::{HeaderMap, Method};

/// When and how to retry a request.
///
/// A request is retried when the connection could not be made (nothing reached the server,
/// so any method is safe), or when the response status is in the status list and the method
/// is idempotent (unless [`methods`](Retry::methods) says otherwise). A request whose body is a
/// stream is never retried: it cannot be sent twice.
///
/// The n-th retry waits `backoff_factor × 2^(n-1)` seconds, capped at `backoff_max`, reduced by
/// a random share of up to `jitter`; a `Retry-After` header (seconds or an HTTP date) replaces
/// that wait, and a `Retry-After` longer than `backoff_max` ends the retries.
///
/// ```
/// use anyfetch::Retry;
/// let retry = Retry::new(3).backoff_factor(0.5).status_forcelist([429, 500, 502, 503, 504]);
/// ```
#[derive(Debug, Clone)]
pub struct Retry {
    pub(crate) total: u32,
    backoff_factor: f64,
    backoff_max: Duration,
    jitter: f64,
    status_forcelist: Vec<u16>,
    methods: Option<Vec<Method>>,
    respect_retry_after: bool,
    retry_after_statuses: Option<Vec<u16>>,
}

impl Retry {
    /// At most `total` retries (so `total + 1` attempts).
    pub fn new(total: u32) -> Self {
        Retry {
            total,
            backoff_factor: 0.5,
            backoff_max: Duration::from_secs(30),
            jitter: 0.5,
            status_forcelist: vec![429, 502, 503, 504],
            methods: None,
            respect_retry_after: true,
            retry_after_statuses: None,
        }
    }

    /// Seconds of the first wait, doubled for each retry after. Defaults to `0.5`.
    pub fn backoff_factor(mut self, factor: f64) -> Self {
        self.backoff_factor = factor.max(0.0);
        self
    }

    /// The longest wait between attempts. Defaults to 30 seconds.
    pub fn backoff_max(mut self, max: Duration) -> Self {
        self.backoff_max = max;
        self
    }

    /// The largest share (0.0 to 1.0) by which a wait is randomly shortened, so that many
    /// clients do not retry in step. Defaults to `0.5`.
    pub fn jitter(mut self, jitter: f64) -> Self {
        self.jitter = jitter.clamp(0.0, 1.0);
        self
    }

    /// The response statuses that cause a retry. Defaults to `[429, 502, 503, 504]`.
    pub fn status_forcelist(mut self, statuses: impl IntoIterator<Item = u16>) -> Self {
        self.status_forcelist = statuses.into_iter().collect();
        self
    }

    /// The methods retried on a status in the list. Defaults to the idempotent methods
    /// (GET, HEAD, PUT, DELETE, OPTIONS, TRACE).
    pub fn methods(mut self, methods: impl IntoIterator<Item = Method>) -> Self {
        self.methods = Some(methods.into_iter().collect());
        self
    }

    /// Wait as long as a `Retry-After` header says. Defaults to `true`.
    pub fn respect_retry_after(mut self, respect: bool) -> Self {
        self.respect_retry_after = respect;
        self
    }

    /// The statuses whose `Retry-After` is honoured (ky's `afterStatusCodes`); on the others the
    /// header is ignored and the backoff applies. Defaults to every status in the list.
    pub fn retry_after_statuses(mut self, statuses: impl IntoIterator<Item = u16>) -> Self {
        self.retry_after_statuses = Some(statuses.into_iter().collect());
        self
    }

    pub(crate) fn method_allowed(&self, m: &Method) -> bool {
        match &self.methods {
            Some(list) => list.contains(m),
            None => is_idempotent(m),
        }
    }

    pub(crate) fn status_allowed(&self, status: u16) -> bool {
        self.status_forcelist.contains(&status)
    }

    /// The wait before retry number `n` (1-based).
    pub(crate) fn backoff(&self, n: u32) -> Duration {
        let base = self.backoff_factor * 2f64.powi(n.saturating_sub(1).min(30) as i32);
        let base = base.min(self.backoff_max.as_secs_f64());
        let jittered = base * (1.0 - self.jitter * fastrand::f64());
        // `max` also turns NaN (a NaN factor or jitter) into 0; a wait too long for a
        // `Duration` is `backoff_max`.
        Duration::try_from_secs_f64(jittered.max(0.0)).unwrap_or(self.backoff_max)
    }

    /// The wait a response asks for: `None` when it names none, `Some(None)` when it asks
    /// for longer than `backoff_max` (stop retrying).
    pub(crate) fn retry_after(&self, status: u16, headers: &HeaderMap) -> Option<Option<Duration>> {
        let honoured = self
            .retry_after_statuses
            .as_ref()
            .is_none_or(|list| list.contains(&status));
        if !self.respect_retry_after || !honoured {
            return None;
        }
        let v = headers.get(http::header::RETRY_AFTER)?.to_str().ok()?;
        let wait = parse_retry_after(v)?;
        Some((wait <= self.backoff_max).then_some(wait))
    }
}

/// A `Retry-After` value: delay-seconds (digits, any number of them; fractional seconds are
/// accepted too) or an HTTP date. Whatever a server sends, this never panics: a wait too long
/// for a `Duration` is `Duration::MAX` (so the retries stop), and a negative, infinite or NaN
/// number, or anything else, is no wait at all (`None`: the header is ignored).
pub(crate) fn parse_retry_after(v: &str) -> Option<Duration> {
    let v = v.trim();
    if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
        return Some(v.parse().map_or(Duration::MAX, Duration::from_secs));
    }
    if let Ok(secs) = v.parse::<f64>() {
        return (secs.is_finite() && secs >= 0.0)
            .then(|| Duration::try_from_secs_f64(secs).unwrap_or(Duration::MAX));
    }
    crate::platform::until_http_date(v)
}

/// GET, HEAD, PUT, DELETE, OPTIONS and TRACE: safe to send twice (RFC 9110, 9.2.2).
pub(crate) fn is_idempotent(method: &http::Method) -> bool {
    use http::Method;
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS | Method::TRACE
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        let r = Retry::new(5)
            .backoff_factor(1.0)
            .jitter(0.0)
            .backoff_max(Duration::from_secs(5));
        assert_eq!(r.backoff(1), Duration::from_secs(1));
        assert_eq!(r.backoff(2), Duration::from_secs(2));
        assert_eq!(r.backoff(3), Duration::from_secs(4));
        assert_eq!(r.backoff(4), Duration::from_secs(5));
        let j = Retry::new(5).backoff_factor(1.0).jitter(0.5);
        for _ in 0..100 {
            let d = j.backoff(2).as_secs_f64();
            assert!((1.0..=2.0).contains(&d), "{d}");
        }
    }

    #[test]
    fn retry_after_forms() {
        let r = Retry::new(1);
        let mut h = HeaderMap::new();
        assert_eq!(r.retry_after(503, &h), None);
        h.insert("retry-after", "2".parse().unwrap());
        assert_eq!(r.retry_after(503, &h), Some(Some(Duration::from_secs(2))));
        h.insert("retry-after", "3600".parse().unwrap());
        assert_eq!(r.retry_after(503, &h), Some(None));
        h.insert(
            "retry-after",
            "Wed, 21 Oct 2015 07:28:00 GMT".parse().unwrap(),
        );
        assert_eq!(r.retry_after(503, &h), Some(Some(Duration::ZERO)));
    }

    #[test]
    fn retry_after_only_on_the_statuses_named() {
        let mut h = HeaderMap::new();
        h.insert("retry-after", "2".parse().unwrap());
        let r = Retry::new(1).retry_after_statuses([429]);
        assert_eq!(r.retry_after(429, &h), Some(Some(Duration::from_secs(2))));
        assert_eq!(r.retry_after(503, &h), None);
        assert_eq!(
            Retry::new(1).retry_after(503, &h),
            Some(Some(Duration::from_secs(2)))
        );
    }

    #[test]
    fn hostile_retry_after_values_never_panic() {
        let r = Retry::new(1).backoff_max(Duration::from_secs(60));
        let wait = |v: &str| {
            let mut h = HeaderMap::new();
            h.insert("retry-after", v.parse().unwrap());
            r.retry_after(503, &h)
        };
        // Too long for a Duration, or for backoff_max: the retries stop.
        for v in [
            "1e20",
            "99999999999999999999999",
            "18446744073709551616",
            "3601",
        ] {
            assert_eq!(wait(v), Some(None), "{v}");
        }
        assert_eq!(wait("Fri, 31 Dec 9999 23:59:59 GMT"), Some(None));
        // Not a wait: ignored (the backoff applies).
        for v in [
            "inf", "1e400", "-inf", "NaN", "-1", "-0.5", "soon", "", "1 2", "0x10",
        ] {
            assert_eq!(wait(v), None, "{v:?}");
        }
        assert_eq!(wait("0.25"), Some(Some(Duration::from_millis(250))));
        assert_eq!(wait(" 7 "), Some(Some(Duration::from_secs(7))));
        assert_eq!(
            wait("Thu, 01 Jan 1970 00:00:00 GMT"),
            Some(Some(Duration::ZERO))
        );
        // Hostile settings do not panic either.
        for (factor, jitter, max) in [
            (f64::INFINITY, 0.0, Duration::MAX),
            (f64::NAN, f64::NAN, Duration::from_secs(1)),
            (-3.0, 2.0, Duration::from_secs(1)),
            (1e300, 0.0, Duration::MAX),
        ] {
            let r = Retry::new(40)
                .backoff_factor(factor)
                .jitter(jitter)
                .backoff_max(max);
            for n in [1, 2, 31, 40, u32::MAX] {
                assert!(r.backoff(n) <= max);
            }
        }
    }

    #[test]
    fn idempotent_by_default() {
        let r = Retry::new(1);
        assert!(r.method_allowed(&Method::GET) && !r.method_allowed(&Method::POST));
        assert!(Retry::new(1)
            .methods([Method::POST])
            .method_allowed(&Method::POST));
    }
}
