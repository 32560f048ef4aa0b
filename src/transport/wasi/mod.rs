//! The WASI backends, for `wasm32-wasip2` components (run by wasmtime, Spin, jco...):
//!
//! - **WASI 0.2** (the default): `wasi:http/outgoing-handler@0.2.0`. It uses only functions
//!   that exist since wasi:http 0.2.0, so the component links on every WASI 0.2 host. Waits go
//!   through the reactor of [`crate::platform`], driven by [`block_on`](crate::block_on).
//! - **WASI 0.3** (feature `wasip3`): `wasi:http/client@0.3.0`'s async `send`, with
//!   the bodies as component-model `stream<u8>`s. Its futures are awaited in the component's
//!   async export, scheduled by the host.
//!
//! One exchange, in order (the same for both):
//! 1. the request head becomes a `wasi:http` request ([`head`]; headers the host forbids are
//!    refused with an [`Unsupported`](crate::ErrorKind::Unsupported) error, never dropped);
//! 2. the timeouts go into `request-options` where the host takes them ([`timeouts`]);
//! 3. the request is sent; its body is written while the response head is awaited
//!    ([`exchange`], the same driver for both);
//! 4. the response body streams from the host, one read per poll.
//!
//! The two versions mirror each other: `p2/` and `p3/` each hold `mod.rs` (the exchange) and
//! `body.rs` (the request body written, the response body read); what they share is here once.
//!
//! The host keeps the connections, so [`Limits`](crate::Limits) do not apply here, and it
//! verifies TLS itself: custom roots, `danger_accept_invalid_certs` and HTTP/2 prior knowledge
//! are refused when the client is built.

mod error;
mod exchange;
mod head;
#[cfg(wasip2)]
mod p2;
#[cfg(wasip3)]
mod p3;
mod timeouts;

use crate::error::{Error, ErrorKind, Result};
use crate::platform::BoxFuture;
use crate::request::Request;
use crate::response::Response;
use crate::transport::{Transport, TransportConfig};

pub use self::error::WasiHttpError;

#[cfg(wasip2)]
use self::p2::send;
#[cfg(wasip3)]
use self::p3::send;

/// The generated `wasi:*@0.2.0` bindings the backend is written against (the `wasi` crate
/// release generated from the WIT in `wit/deps/`). Not part of the API.
#[cfg(wasip2)]
#[doc(hidden)]
pub mod bindings {
    pub use ::wasi::{clocks, http, io};
}

/// The generated `wasi:*@0.3.0` bindings the 0.3 backend is written against (the `wasip3`
/// crate). Not part of the API.
#[cfg(wasip3)]
#[doc(hidden)]
pub mod bindings {
    pub use ::wasip3::{clocks, http};
}

/// The WASI transport: each request is one `outgoing-handler.handle` call.
///
/// The host pools connections and verifies TLS itself. A client built without
/// [`transport`](crate::ClientBuilder::transport) makes its own (refusing the TLS options the
/// host cannot honour); give one explicitly to wrap it in your own transport.
#[derive(Debug, Default)]
pub struct WasiTransport {
    _private: (),
}

impl WasiTransport {
    /// A transport for the host's `wasi:http/outgoing-handler`.
    pub fn new() -> WasiTransport {
        WasiTransport { _private: () }
    }

    /// Refuses what the host cannot honour.
    ///
    /// # Errors
    /// [`ErrorKind::Unsupported`] for custom roots, disabled certificate checks, a client
    /// certificate, a minimum TLS version other than 1.2, and HTTP/2
    /// prior knowledge.
    pub(crate) fn with_config(config: &TransportConfig) -> Result<WasiTransport> {
        config.reject_tls_options("the WASI host")?;
        config.reject_proxies("the WASI host")?;
        config.net.reject("the WASI host")?;
        if config.http2_prior_knowledge {
            return Err(Error::new(ErrorKind::Unsupported).with_message(
                "the WASI host chooses the HTTP version itself: http2_prior_knowledge cannot be honoured",
            ));
        }
        // `config.limits`: not applicable, the host pools connections itself.
        Ok(WasiTransport::new())
    }
}

impl Transport for WasiTransport {
    fn send(&self, request: Request) -> BoxFuture<'static, Result<Response>> {
        Box::pin(send(request))
    }
}
