//! The connection pool, written here (not hyper-util's) so that [`Limits`] hold exactly.
//!
//! - **`max_connections`** is a semaphore. Every open connection owns one permit, held by
//!   the task that drives it, so the permit comes back only when the socket is really closed.
//!   An exchange that needs a new connection while none is left first closes one idle
//!   connection (of any origin), then waits for a permit, or for a connection of its own origin
//!   to come back idle, up to the pool timeout.
//! - **`max_keepalive_connections`** bounds the idle connections (HTTP/1.1 ones in the idle
//!   list, and HTTP/2 ones with no open stream); the oldest are closed first.
//! - **`keepalive_expiry`**: an idle connection older than that is closed the next time the
//!   pool is used, never reused.
//!
//! An HTTP/1.1 connection carries one exchange at a time: checked out, it belongs to that
//! exchange until its response body ends (then it comes back idle) or is dropped early (then
//! it is closed: a half-read response must never be reused). An HTTP/2 connection stays in the
//! pool while it lives and every exchange with its origin opens a stream on it.
//!
//! ```text
//!                    permit            handshake
//!  (waiting) ───────────────► connecting ──────► busy ◄──────────────┐
//!     │  pool timeout             │ connect        │ body read       │ checked out
//!     ▼                           │ error/timeout  │ to its end      │ (ready)
//!   Timeout(Pool)                 ▼                ▼                 │
//!                               closed ◄────────  idle ──────────────┘
//!                                 ▲   body dropped │
//!                                 │   early / error│ older than keepalive_expiry,
//!                                 │                │ over max_keepalive, or evicted
//!                                 └────────────────┘ for another origin
//! ```
//!
//! Closing a connection means dropping its handle: that fires the `close` channel, the driver
//! task stops polling hyper's connection, drops the socket and then the permit.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use hyper::client::conn::{http1, http2};
use tokio::sync::{oneshot, Notify, OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;
use url::Url;

use super::upload::SendBody;
use crate::error::{Error, ErrorKind, Result};
use crate::timeout::Limits;

/// What a connection talks to: the origin (scheme, host, port), and through which of the
/// transport's proxies (their index), if any. Other settings (TLS roots, identity) are per
/// transport, and so per pool.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(super) struct Key {
    pub(super) https: bool,
    pub(super) host: String,
    pub(super) port: u16,
    pub(super) proxy: Option<u32>,
}

impl Key {
    /// The origin of `url`.
    ///
    /// # Errors
    /// [`ErrorKind::Unsupported`] for a scheme other than `http` and `https`, a builder error
    /// for a URL without a host.
    pub(super) fn for_url(url: &Url) -> Result<Key> {
        let https = match url.scheme() {
            "http" => false,
            "https" => true,
            other => {
                return Err(Error::new(ErrorKind::Unsupported)
                    .with_message(format!("the native backend cannot send {other:?} URLs"))
                    .with_url(url.clone()))
            }
        };
        let host = url
            .host_str()
            .ok_or_else(|| Error::builder("URL has no host").with_url(url.clone()))?;
        Ok(Key {
            https,
            host: host.to_owned(),
            port: url
                .port_or_known_default()
                .unwrap_or(if https { 443 } else { 80 }),
            proxy: None,
        })
    }
}

/// An HTTP/1.1 connection, owned by one exchange at a time. Dropping it closes the connection.
pub(super) struct H1Conn {
    /// hyper's handle to send on it.
    pub(super) sender: http1::SendRequest<SendBody>,
    key: Key,
    _close: oneshot::Sender<()>,
}

impl H1Conn {
    /// Wraps a fresh connection; `close` stops its driver task when dropped.
    pub(super) fn new(
        sender: http1::SendRequest<SendBody>,
        key: Key,
        close: oneshot::Sender<()>,
    ) -> Self {
        H1Conn {
            sender,
            key,
            _close: close,
        }
    }
}

/// An HTTP/2 connection, shared by every exchange with its origin. Closed when the pool and
/// every stream on it have let go of it.
pub(super) struct H2Conn {
    sender: http2::SendRequest<SendBody>,
    /// Streams in flight (response bodies not yet finished).
    active: AtomicUsize,
    /// When the last stream ended (or the connection was opened).
    last_used: Mutex<Instant>,
    _close: oneshot::Sender<()>,
}

impl H2Conn {
    /// Wraps a fresh connection; `close` stops its driver task when dropped.
    pub(super) fn new(sender: http2::SendRequest<SendBody>, close: oneshot::Sender<()>) -> Self {
        H2Conn {
            sender,
            active: AtomicUsize::new(0),
            last_used: Mutex::new(Instant::now()),
            _close: close,
        }
    }

    fn is_idle(&self) -> bool {
        self.active.load(Ordering::Acquire) == 0
    }

    fn idle_since(&self) -> Instant {
        *lock(&self.last_used)
    }
}

/// One exchange's stream on an [`H2Conn`]: counts as in flight until dropped.
pub(super) struct H2Stream {
    conn: Arc<H2Conn>,
}

impl H2Stream {
    fn new(conn: Arc<H2Conn>) -> Self {
        conn.active.fetch_add(1, Ordering::AcqRel);
        H2Stream { conn }
    }

    /// A handle to send this exchange's request.
    pub(super) fn sender(&self) -> http2::SendRequest<SendBody> {
        self.conn.sender.clone()
    }
}

impl Drop for H2Stream {
    fn drop(&mut self) {
        *lock(&self.conn.last_used) = Instant::now();
        self.conn.active.fetch_sub(1, Ordering::AcqRel);
    }
}

/// What [`Pool::checkout`] found.
pub(super) enum Checkout<'a> {
    /// An idle HTTP/1.1 connection, ready to send.
    H1(H1Conn),
    /// A stream on the origin's HTTP/2 connection.
    H2(H2Stream),
    /// Nothing to reuse: open a connection, holding this permit (`None` without a limit),
    /// and, for an origin known to speak HTTP/2, the claim to be the one that connects.
    Connect(Option<OwnedSemaphorePermit>, Option<Connecting<'a>>),
}

/// The claim to open the HTTP/2 connection of an origin, so that concurrent exchanges wait
/// for it and share it instead of each opening one. Released (and the waiters woken) on drop,
/// whether the connection was made or not.
pub(super) struct Connecting<'a> {
    pool: &'a Pool,
    key: Key,
}

impl Drop for Connecting<'_> {
    fn drop(&mut self) {
        lock(&self.pool.state).connecting.remove(&self.key);
        self.pool.changed.notify_waiters();
    }
}

/// The pool timeout passed with no connection free.
#[derive(Debug)]
pub(super) struct PoolTimedOut;

/// The pool of one transport.
pub(super) struct Pool {
    limits: Limits,
    /// One permit per open connection; `None` when `max_connections` is unlimited.
    permits: Option<Arc<Semaphore>>,
    state: Mutex<State>,
    /// Fires when a connection comes back idle or an HTTP/2 connection opens.
    changed: Notify,
}

/// The most `https` origins remembered as declining HTTP/2 (see [`Pool::note_declined_h2`]).
const MAX_DECLINED_H2: usize = 1024;

#[derive(Default)]
struct State {
    /// Idle HTTP/1.1 connections, oldest first.
    idle: Vec<Idle>,
    /// The HTTP/2 connection of each origin.
    h2: HashMap<Key, Arc<H2Conn>>,
    /// Origins whose HTTP/2 connection is being opened.
    connecting: HashSet<Key>,
    /// `https` origins that answered HTTP/2's ALPN offer with HTTP/1.1.
    alpn_h1: HashSet<Key>,
    /// When the next full sweep for dead and expired connections is due.
    next_sweep: Option<Instant>,
}

/// How often the pool sweeps for dead and expired idle connections. Between sweeps a checkout
/// skips (and closes) any it meets, so none is ever reused.
const SWEEP_EVERY: Duration = Duration::from_millis(250);

struct Idle {
    conn: H1Conn,
    since: Instant,
}

impl Pool {
    /// An empty pool that enforces `limits`.
    pub(super) fn new(limits: Limits) -> Self {
        let permits = limits
            .get_max_connections()
            .map(|n| Arc::new(Semaphore::new(n.min(Semaphore::MAX_PERMITS))));
        Pool {
            limits,
            permits,
            state: Mutex::new(State::default()),
            changed: Notify::new(),
        }
    }

    /// A connection of `key` that is free and ready right now, without waiting or registering
    /// for wake-ups: the common case of a warm pool. `None` sends the caller to [`checkout`].
    ///
    /// [`checkout`]: Pool::checkout
    pub(super) fn try_checkout(&self, key: &Key) -> Option<Checkout<'_>> {
        match self.take_reusable(key)? {
            Reused::H2(stream) => Some(Checkout::H2(stream)),
            Reused::H1(conn) if conn.sender.is_ready() => Some(Checkout::H1(conn)),
            // Still finishing its previous exchange inside hyper: back to the pool, where
            // `checkout` waits for it.
            Reused::H1(conn) => {
                self.release(conn);
                None
            }
        }
    }

    /// A connection to `key`, or the permit to open one, waiting at most `pool_timeout`.
    /// `h2` says the origin may speak HTTP/2 (prior knowledge, or HTTP/2 offered by ALPN to an
    /// `https` origin not known to decline it): then only one exchange at a time opens its
    /// connection and the others wait to share it, rather than each opening one (64 requests
    /// at once made 64 TLS connections). Once ALPN chose HTTP/1.1, they connect in parallel.
    pub(super) async fn checkout(
        &self,
        key: &Key,
        h2: bool,
        pool_timeout: Option<Duration>,
    ) -> std::result::Result<Checkout<'_>, PoolTimedOut> {
        let deadline = pool_timeout.and_then(|d| Instant::now().checked_add(d));
        let deadline_passed = || async move {
            match deadline {
                Some(d) => tokio::time::sleep_until(d).await,
                None => std::future::pending().await,
            }
        };
        let mut connecting = None;
        loop {
            // Registered before looking, so a connection released meanwhile is not missed.
            let changed = self.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();

            if deadline.is_some_and(|d| Instant::now() >= d) {
                return Err(PoolTimedOut);
            }
            match self.take_reusable(key) {
                Some(Reused::H2(stream)) => return Ok(Checkout::H2(stream)),
                Some(Reused::H1(mut conn)) => {
                    // A connection just handed back may still be finishing the previous
                    // exchange inside hyper; one that cannot get ready is dead: drop it.
                    let ready = match deadline {
                        Some(d) => matches!(
                            tokio::time::timeout_at(d, conn.sender.ready()).await,
                            Ok(Ok(()))
                        ),
                        None => conn.sender.ready().await.is_ok(),
                    };
                    if ready {
                        return Ok(Checkout::H1(conn));
                    }
                    continue;
                }
                None => {}
            }
            if h2 && connecting.is_none() && !self.declined_h2(key) {
                connecting = self.claim_connecting(key);
                if connecting.is_none() {
                    tokio::select! {
                        () = &mut changed => continue,
                        () = deadline_passed() => return Err(PoolTimedOut),
                    }
                }
            }

            let Some(permits) = &self.permits else {
                return Ok(Checkout::Connect(None, connecting));
            };
            if let Ok(permit) = permits.clone().try_acquire_owned() {
                return Ok(Checkout::Connect(Some(permit), connecting));
            }
            // At the limit: an idle connection of another origin may be closed to make room;
            // its permit comes back when its driver task ends.
            self.evict_one_idle();
            tokio::select! {
                permit = permits.clone().acquire_owned() => match permit {
                    Ok(permit) => return Ok(Checkout::Connect(Some(permit), connecting)),
                    // The semaphore is never closed.
                    Err(_) => return Err(PoolTimedOut),
                },
                () = &mut changed => continue,
                () = deadline_passed() => return Err(PoolTimedOut),
            }
        }
    }

    /// True when `key` answered an HTTP/2 ALPN offer with HTTP/1.1.
    pub(super) fn declined_h2(&self, key: &Key) -> bool {
        lock(&self.state).alpn_h1.contains(key)
    }

    /// Notes that `key` answered an HTTP/2 ALPN offer with HTTP/1.1 (before the claim to
    /// connect is released, so the exchanges waiting on it connect in parallel).
    pub(super) fn note_declined_h2(&self, key: &Key) {
        let mut state = lock(&self.state);
        if !state.alpn_h1.contains(key) {
            // A client that talks to many origins must not grow this set without end: past
            // the bound it starts over, and an origin forgotten costs one burst that waits
            // for its first connection again.
            if state.alpn_h1.len() >= MAX_DECLINED_H2 {
                state.alpn_h1.clear();
            }
            state.alpn_h1.insert(key.clone());
        }
    }

    /// Claims the opening of `key`'s HTTP/2 connection; `None` when another exchange has.
    fn claim_connecting(&self, key: &Key) -> Option<Connecting<'_>> {
        lock(&self.state)
            .connecting
            .insert(key.clone())
            .then(|| Connecting {
                pool: self,
                key: key.clone(),
            })
    }

    /// Takes the HTTP/2 connection or the newest live idle HTTP/1.1 connection of `key`.
    fn take_reusable(&self, key: &Key) -> Option<Reused> {
        let mut state = lock(&self.state);
        let now = Instant::now();
        self.sweep_if_due(&mut state, now);
        if let Some(conn) = state.h2.get(key) {
            if !conn.sender.is_closed() {
                return Some(Reused::H2(H2Stream::new(conn.clone())));
            }
        }
        while let Some(i) = state.idle.iter().rposition(|idle| idle.conn.key == *key) {
            let idle = state.idle.remove(i);
            // Closed by the server, or idle for too long: dropped (closed) here.
            if !idle.conn.sender.is_closed() && !self.expired(idle.since, now) {
                return Some(Reused::H1(idle.conn));
            }
        }
        None
    }

    fn expired(&self, since: Instant, now: Instant) -> bool {
        self.limits
            .get_keepalive_expiry()
            .is_some_and(|d| now.saturating_duration_since(since) >= d)
    }

    fn sweep_if_due(&self, state: &mut State, now: Instant) {
        if state.next_sweep.is_none_or(|t| now >= t) {
            self.purge(state);
            state.next_sweep = Some(now + SWEEP_EVERY);
        }
    }

    /// Closes the oldest idle connections while more than `max_keepalive` are kept.
    fn enforce_keepalive_limit(&self, state: &mut State) {
        let Some(max) = self.limits.get_max_keepalive_connections() else {
            return;
        };
        while state.idle.len() + state.h2.values().filter(|c| c.is_idle()).count() > max {
            if !self.close_oldest_idle(state) {
                break;
            }
        }
    }

    /// Puts an HTTP/1.1 connection whose response was read to its end back for reuse.
    pub(super) fn release(&self, conn: H1Conn) {
        if conn.sender.is_closed() || self.limits.get_max_keepalive_connections() == Some(0) {
            return; // dropped: closed
        }
        {
            let mut state = lock(&self.state);
            let now = Instant::now();
            state.idle.push(Idle { conn, since: now });
            self.sweep_if_due(&mut state, now);
            self.enforce_keepalive_limit(&mut state);
        }
        self.changed.notify_waiters();
    }

    /// Keeps a fresh HTTP/2 connection for its origin (unless another opened meanwhile) and
    /// opens this exchange's stream on it.
    pub(super) fn insert_h2(&self, key: Key, conn: H2Conn) -> H2Stream {
        let conn = Arc::new(conn);
        let stream = H2Stream::new(conn.clone());
        {
            let mut state = lock(&self.state);
            state.alpn_h1.remove(&key);
            let live = state.h2.get(&key).is_some_and(|c| !c.sender.is_closed());
            if !live {
                state.h2.insert(key, conn);
            }
        }
        self.changed.notify_waiters();
        stream
    }

    /// Closes connections that are dead, expired, or over the keep-alive limit.
    fn purge(&self, state: &mut State) {
        let now = Instant::now();
        state
            .idle
            .retain(|idle| !idle.conn.sender.is_closed() && !self.expired(idle.since, now));
        state.h2.retain(|_, c| {
            !(c.sender.is_closed() || (c.is_idle() && self.expired(c.idle_since(), now)))
        });
        self.enforce_keepalive_limit(state);
    }

    /// Closes the idle connection unused the longest. False when there is none.
    fn close_oldest_idle(&self, state: &mut State) -> bool {
        let oldest_h1 = state.idle.first().map(|idle| idle.since);
        let oldest_h2 = state
            .h2
            .iter()
            .filter(|(_, c)| c.is_idle())
            .map(|(k, c)| (c.idle_since(), k.clone()))
            .min_by_key(|(since, _)| *since);
        match (oldest_h1, oldest_h2) {
            (Some(h1), Some((h2, _))) if h1 <= h2 => drop(state.idle.remove(0)),
            (_, Some((_, key))) => drop(state.h2.remove(&key)),
            (Some(_), None) => drop(state.idle.remove(0)),
            (None, None) => return false,
        }
        true
    }

    /// Closes one idle connection, to free its permit for a new one.
    fn evict_one_idle(&self) {
        let mut state = lock(&self.state);
        self.purge(&mut state);
        self.close_oldest_idle(&mut state);
    }
}

enum Reused {
    H1(H1Conn),
    H2(H2Stream),
}

/// Locks `m`, going on after a panic elsewhere (the pool's state stays consistent).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// What to do with the connection once a response body ends.
pub(super) enum Release {
    /// Hand the HTTP/1.1 connection back to the pool.
    H1 {
        /// The connection.
        conn: H1Conn,
        /// Its pool.
        pool: Arc<Pool>,
    },
    /// End the stream on the shared HTTP/2 connection.
    H2(H2Stream),
}

impl Release {
    /// The response was read to its end: the connection can serve another exchange.
    pub(super) fn finish(self) {
        match self {
            Release::H1 { conn, pool } => pool.release(conn),
            Release::H2(stream) => drop(stream),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The origins remembered as declining HTTP/2 stay bounded however many a client meets.
    #[test]
    fn origins_that_declined_h2_stay_bounded() {
        let pool = Pool::new(Limits::default());
        let key = |i: usize| Key {
            https: true,
            host: format!("h{i}.example"),
            port: 443,
            proxy: None,
        };
        for i in 0..3 * MAX_DECLINED_H2 {
            pool.note_declined_h2(&key(i));
            assert!(pool.declined_h2(&key(i)));
        }
        assert!(lock(&pool.state).alpn_h1.len() <= MAX_DECLINED_H2);
    }
}
