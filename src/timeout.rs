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

    /// The connect timeout set by [`connect`](Self::connect), if any.
    pub fn get_connect(&self) -> Option<Duration> {
        self.connect
    }
    /// The read timeout set by [`read`](Self::read), if any.
    pub fn get_read(&self) -> Option<Duration> {
        self.read
    }
    /// The write timeout set by [`write`](Self::write), if any.
    pub fn get_write(&self) -> Option<Duration> {
        self.write
    }
    /// The pool timeout set by [`pool`](Self::pool), if any.
    pub fn get_pool(&self) -> Option<Duration> {
        self.pool
    }
    /// The total deadline set by [`total`](Self::total), if any.
    pub fn get_total(&self) -> Option<Duration> {
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

    /// The connection limit set by [`max_connections`](Self::max_connections), if any.
    pub fn get_max_connections(&self) -> Option<usize> {
        self.max_connections
    }
    /// The keep-alive limit set by
    /// [`max_keepalive_connections`](Self::max_keepalive_connections), if any.
    pub fn get_max_keepalive_connections(&self) -> Option<usize> {
        self.max_keepalive_connections
    }
    /// The idle expiry set by [`keepalive_expiry`](Self::keepalive_expiry), if any.
    pub fn get_keepalive_expiry(&self) -> Option<Duration> {
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
