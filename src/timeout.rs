//! Timeouts and connection-pool limits.

use std::time::Duration;

/// Timeouts for one exchange, as in httpx: `connect`, `read`, `write` and `pool` each bound one
/// phase; `total` optionally bounds the whole exchange (redirects, retries and the body included).
///
/// `Timeout::new(d)` sets the four phase timeouts to `d`. A `Duration` converts into a `Timeout`
/// the same way, so `.timeout(Duration::from_secs(2))` works wherever a `Timeout` is taken.
///
/// Defaults to 5 seconds for connect, read, write and pool, and no total deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeout {
    pub(crate) connect: Option<Duration>,
    pub(crate) read: Option<Duration>,
    pub(crate) write: Option<Duration>,
    pub(crate) pool: Option<Duration>,
    pub(crate) total: Option<Duration>,
}

impl Timeout {
    /// The same limit for connect, read, write and pool; no total deadline.
    pub const fn new(each: Duration) -> Self {
        Timeout {
            connect: Some(each),
            read: Some(each),
            write: Some(each),
            pool: Some(each),
            total: None,
        }
    }

    /// No timeouts at all (httpx `timeout=None`).
    pub const fn none() -> Self {
        Timeout {
            connect: None,
            read: None,
            write: None,
            pool: None,
            total: None,
        }
    }

    /// Time allowed to establish a connection (TCP and TLS). Defaults to 5 seconds.
    pub fn connect(mut self, d: impl Into<Option<Duration>>) -> Self {
        self.connect = d.into();
        self
    }

    /// Time allowed to wait for the response head, and then for each chunk of the body.
    /// Defaults to 5 seconds.
    pub fn read(mut self, d: impl Into<Option<Duration>>) -> Self {
        self.read = d.into();
        self
    }

    /// Time the request body may stall while being sent. Defaults to 5 seconds.
    pub fn write(mut self, d: impl Into<Option<Duration>>) -> Self {
        self.write = d.into();
        self
    }

    /// Time allowed to wait for a free connection in the pool. Defaults to 5 seconds.
    pub fn pool(mut self, d: impl Into<Option<Duration>>) -> Self {
        self.pool = d.into();
        self
    }

    /// A deadline for the whole exchange: every redirect hop, auth round-trip and retry, and
    /// reading the body. Defaults to none.
    pub fn total(mut self, d: impl Into<Option<Duration>>) -> Self {
        self.total = d.into();
        self
    }

    /// The connect timeout, if any.
    pub fn connect_timeout(&self) -> Option<Duration> {
        self.connect
    }
    /// The read timeout, if any.
    pub fn read_timeout(&self) -> Option<Duration> {
        self.read
    }
    /// The write timeout, if any.
    pub fn write_timeout(&self) -> Option<Duration> {
        self.write
    }
    /// The pool timeout, if any.
    pub fn pool_timeout(&self) -> Option<Duration> {
        self.pool
    }
    /// The total deadline, if any.
    pub fn total_timeout(&self) -> Option<Duration> {
        self.total
    }
}

impl Default for Timeout {
    fn default() -> Self {
        Timeout::new(Duration::from_secs(5))
    }
}

impl From<Duration> for Timeout {
    fn from(d: Duration) -> Self {
        Timeout::new(d)
    }
}

/// Connection-pool limits (httpx `Limits`). Honoured by backends that own a pool (native);
/// WASI hosts and browsers pool connections themselves.
///
/// Defaults to 100 connections, 20 kept alive, idle connections closed after 5 seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub(crate) max_connections: Option<usize>,
    pub(crate) max_keepalive_connections: Option<usize>,
    pub(crate) keepalive_expiry: Option<Duration>,
}

impl Limits {
    /// The most connections open at once, across all hosts; further requests wait for one
    /// (up to the pool timeout). `None` for no limit. Defaults to 100.
    pub fn max_connections(mut self, n: impl Into<Option<usize>>) -> Self {
        self.max_connections = n.into();
        self
    }

    /// The most idle connections kept for reuse. Defaults to 20.
    pub fn max_keepalive_connections(mut self, n: impl Into<Option<usize>>) -> Self {
        self.max_keepalive_connections = n.into();
        self
    }

    /// How long an idle connection is kept. Defaults to 5 seconds.
    pub fn keepalive_expiry(mut self, d: impl Into<Option<Duration>>) -> Self {
        self.keepalive_expiry = d.into();
        self
    }

    /// The connection limit, if any.
    pub fn max_connections_limit(&self) -> Option<usize> {
        self.max_connections
    }
    /// The keep-alive limit, if any.
    pub fn max_keepalive_limit(&self) -> Option<usize> {
        self.max_keepalive_connections
    }
    /// The idle expiry, if any.
    pub fn keepalive_expiry_duration(&self) -> Option<Duration> {
        self.keepalive_expiry
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_connections: Some(100),
            max_keepalive_connections: Some(20),
            keepalive_expiry: Some(Duration::from_secs(5)),
        }
    }
}
