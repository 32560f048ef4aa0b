//! The four timeouts on a WASI host: what goes into `request-options` where the host takes it,
//! and what the client enforces itself (see [`HostTimeouts`]).

use std::time::Duration;

#[cfg(wasip2)]
use ::wasi::http::types::RequestOptions;
#[cfg(wasip3)]
use ::wasip3::http::types::RequestOptions;

use crate::timeout::Timeout;

/// How much longer than the read timeout a timer that only backs up another one waits.
const BACKSTOP_SLACK: Duration = Duration::from_millis(250);

/// Which timeouts the host accepted in `request-options`.
///
/// Where the host takes them it enforces connect (`connect-timeout`) and the wait for the head
/// (`first-byte-timeout`, the read timeout), and reports the right `error-code`; its
/// `between-bytes-timeout` is set a little past the read timeout, as a backstop. On every host the client enforces, with
/// monotonic-clock pollables, the write timeout on each wait for the body stream, the read
/// timeout between body chunks (above the transport), and the wait for the head after the body
/// is written: the read timeout, plus the connect timeout when the host counts that apart.
/// A host that takes no options thus still times out, with connect counted as read.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct HostTimeouts {
    connect: bool,
    first_byte: bool,
}

impl HostTimeouts {
    /// How long the client itself waits for the head once the body is written.
    pub(super) fn head_backstop(&self, timeout: &Timeout) -> Option<Duration> {
        let read = timeout.get_read()?;
        let connect = if self.connect {
            timeout.get_connect().unwrap_or_default()
        } else {
            Duration::ZERO
        };
        // When the host enforces the read timeout itself it reports it first, precisely;
        // the client's wait is then only a backstop.
        let slack = if self.first_byte {
            BACKSTOP_SLACK
        } else {
            Duration::ZERO
        };
        Some(read + connect + slack)
    }
}

/// The `request-options` for `timeout`; a setter that fails means the host does not support
/// that option, and the client enforces it instead.
pub(super) fn request_options(timeout: &Timeout) -> (RequestOptions, HostTimeouts) {
    let nanos = |d: Duration| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
    let options = RequestOptions::new();
    let mut host = HostTimeouts::default();
    if let Some(d) = timeout.get_connect() {
        host.connect = options.set_connect_timeout(Some(nanos(d))).is_ok();
    }
    if let Some(d) = timeout.get_read() {
        host.first_byte = options.set_first_byte_timeout(Some(nanos(d))).is_ok();
        // The client enforces the read timeout between body chunks itself, and reports it
        // precisely; the host's (which wasmtime reports without an error-code) only backs it
        // up, so it is set a little longer.
        let _ = options.set_between_bytes_timeout(Some(nanos(d + BACKSTOP_SLACK)));
    }
    (options, host)
}
