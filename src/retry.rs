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

    pub(crate) fn method_allowed(&self, m: &Method) -> bool {
        match &self.methods {
            Some(list) => list.contains(m),
            None => crate::util::is_idempotent(m),
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
        Duration::from_secs_f64(jittered.max(0.0))
    }

    /// The wait a response asks for: `None` when it names none, `Some(None)` when it asks
    /// for longer than `backoff_max` (stop retrying).
    pub(crate) fn retry_after(&self, headers: &HeaderMap) -> Option<Option<Duration>> {
        if !self.respect_retry_after {
            return None;
        }
        let v = headers
            .get(http::header::RETRY_AFTER)?
            .to_str()
            .ok()?
            .trim();
        let wait = if let Ok(secs) = v.parse::<f64>() {
            Duration::from_secs_f64(secs.max(0.0))
        } else {
            crate::rt::until_http_date(v)?
        };
        Some((wait <= self.backoff_max).then_some(wait))
    }
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
        assert_eq!(r.retry_after(&h), None);
        h.insert("retry-after", "2".parse().unwrap());
        assert_eq!(r.retry_after(&h), Some(Some(Duration::from_secs(2))));
        h.insert("retry-after", "3600".parse().unwrap());
        assert_eq!(r.retry_after(&h), Some(None));
        h.insert(
            "retry-after",
            "Wed, 21 Oct 2015 07:28:00 GMT".parse().unwrap(),
        );
        assert_eq!(r.retry_after(&h), Some(Some(Duration::ZERO)));
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
