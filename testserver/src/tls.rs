//! The TLS listener's self-signed certificate and rustls configuration.

use std::io;
use std::sync::Arc;

use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};

fn io_err(e: impl std::fmt::Display) -> io::Error {
    io::Error::other(e.to_string())
}

/// A fresh self-signed certificate for `localhost` and `127.0.0.1`, and a server config
/// using it (ring provider, ALPN `h2` then `http/1.1`). Returns the config and the PEM.
pub(crate) fn server_config() -> io::Result<(Arc<rustls::ServerConfig>, String)> {
    let ck =
        rcgen::generate_simple_self_signed(vec!["localhost".to_string(), "127.0.0.1".to_string()])
            .map_err(io_err)?;
    let pem = ck.cert.pem();
    let cert = ck.cert.der().clone();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(ck.signing_key.serialize_der()));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(io_err)?
        .with_no_client_auth()
        .with_single_cert(vec![cert], key)
        .map_err(io_err)?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok((Arc::new(config), pem))
}
