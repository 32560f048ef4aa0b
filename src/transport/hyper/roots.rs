//! The roots a native client trusts.
//!
//! 1. The system's trust store: on macOS, iOS and Windows the operating system verifies
//!    (rustls-platform-verifier: its roots and its policy); elsewhere the certificate
//!    directories where OpenSSL looks (`/etc/ssl/certs`, `/etc/pki/tls/certs`, ...), found by
//!    openssl-probe without reading the environment.
//! 2. With [`trust_env`](crate::ClientBuilder::trust_env), `SSL_CERT_FILE` and `SSL_CERT_DIR`
//!    *replace* the system's store when either names a path that exists, as in OpenSSL (and
//!    httpx). anyfetch reads them itself: rustls-native-certs and the platform verifier would
//!    read them on Linux whatever the client says, which would make `trust_env(false)` a lie.
//! 3. With the `webpki-roots` feature, Mozilla's roots compiled into the program, *in addition*
//!    to the above: a feature may be switched on by any crate of the build, so it only ever adds
//!    trust (a store that is missing, as in scratch containers, still works) and never takes
//!    away roots an administrator installed.
//! 4. The client's [`add_root_certificate`](crate::ClientBuilder::add_root_certificate)s.
//!
//! The system's store is read once per process (see [`system_store`]); the environment's
//! files each time a client is built.

use std::path::{Path, PathBuf};

use rustls::pki_types::CertificateDer;
use rustls::RootCertStore;

use crate::error::{Error, Result};
use crate::transport::TransportConfig;

/// How server certificates are verified.
pub(super) enum Roots {
    /// By webpki, against this store.
    Store(RootCertStore),
    /// By the operating system, trusting these roots besides its own.
    #[cfg(any(target_vendor = "apple", windows))]
    Platform(Vec<CertificateDer<'static>>),
}

/// The roots for `config` (see the module's docs).
///
/// # Errors
/// An [`is_builder`](Error::is_builder) error for a root certificate of the client's that
/// cannot be used; certificates of the system or the environment that cannot be parsed are
/// skipped, as OpenSSL does.
pub(super) fn roots(config: &TransportConfig) -> Result<Roots> {
    let own: Vec<CertificateDer<'static>> = config
        .root_certificates
        .iter()
        .flat_map(|cert| cert.der.iter())
        .map(|der| CertificateDer::from(der.clone()))
        .collect();
    let env = if config.trust_env { env_roots() } else { None };
    let mut store = match env {
        Some(certs) => parsed(certs),
        #[cfg(any(target_vendor = "apple", windows))]
        None => {
            #[cfg(feature = "webpki-roots")]
            let own = {
                let mut own = own;
                own.extend(webpki_root_certs::TLS_SERVER_ROOT_CERTS.iter().cloned());
                own
            };
            return Ok(Roots::Platform(own));
        }
        #[cfg(not(any(target_vendor = "apple", windows)))]
        None => system_store().clone(),
    };
    #[cfg(feature = "webpki-roots")]
    {
        static WEBPKI: std::sync::OnceLock<RootCertStore> = std::sync::OnceLock::new();
        let webpki =
            WEBPKI.get_or_init(|| parsed(webpki_root_certs::TLS_SERVER_ROOT_CERTS.to_vec()));
        store.roots.extend(webpki.roots.iter().cloned());
    }
    for cert in own {
        store
            .add(cert)
            .map_err(|e| Error::builder("unusable root certificate").with_source(e))?;
    }
    Ok(Roots::Store(store))
}

/// A store of the certificates rustls can parse among `certs`.
fn parsed(certs: Vec<CertificateDer<'static>>) -> RootCertStore {
    let mut store = RootCertStore::empty();
    store.add_parsable_certificates(certs);
    store
}

/// The system's store, read once per process, by the first client that needs it: reading
/// and parsing it takes about 15 ms (`/etc/ssl/certs` on Debian: 145 roots, each in its own
/// file and again in the bundle), which every one-off `anyfetch::get` would pay otherwise.
#[cfg(not(any(target_vendor = "apple", windows)))]
fn system_store() -> &'static RootCertStore {
    static STORE: std::sync::OnceLock<RootCertStore> = std::sync::OnceLock::new();
    STORE.get_or_init(|| parsed(system_roots()))
}

/// The certificates of `SSL_CERT_FILE` (a PEM file) and `SSL_CERT_DIR` (directories of PEM
/// files, separated as `PATH` is), when either names a path that exists; `None` otherwise,
/// and then the system's store applies (as in openssl-probe).
fn env_roots() -> Option<Vec<CertificateDer<'static>>> {
    let file = std::env::var_os("SSL_CERT_FILE")
        .map(PathBuf::from)
        .filter(|p| p.is_file());
    let dirs: Vec<PathBuf> = match std::env::var_os("SSL_CERT_DIR") {
        Some(v) => std::env::split_paths(&v).filter(|p| p.is_dir()).collect(),
        None => Vec::new(),
    };
    if file.is_none() && dirs.is_empty() {
        return None;
    }
    let mut certs = Vec::new();
    if let Some(file) = file {
        certs.extend(load(Some(&file), None));
    }
    for dir in &dirs {
        certs.extend(load(None, Some(dir)));
    }
    Some(certs)
}

/// The system's roots where they are files: every certificate in the directories OpenSSL
/// looks in on this system (openssl-probe's list, which reads no environment variable).
#[cfg(not(any(target_vendor = "apple", windows)))]
pub(super) fn system_roots() -> Vec<CertificateDer<'static>> {
    #[cfg(unix)]
    {
        openssl_probe::candidate_cert_dirs()
            .flat_map(|dir| load(None, Some(dir)))
            .collect()
    }
    #[cfg(not(unix))]
    {
        Vec::new()
    }
}

/// The certificates of a PEM file or a directory of them; files that cannot be read, and
/// blocks that cannot be parsed, are skipped.
fn load(file: Option<&Path>, dir: Option<&Path>) -> Vec<CertificateDer<'static>> {
    rustls_native_certs::load_certs_from_paths(file, dir).certs
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The system's store is loaded (Debian's ca-certificates here), without the network.
    #[cfg(target_os = "linux")]
    #[test]
    fn the_system_store_is_loaded() {
        let mut store = RootCertStore::empty();
        let (added, _) = store.add_parsable_certificates(system_roots());
        assert!(added > 50, "{added} system roots");
        let Roots::Store(store) = roots(&TransportConfig {
            trust_env: false,
            ..TransportConfig::default()
        })
        .unwrap();
        #[cfg(not(feature = "webpki-roots"))]
        assert_eq!(store.len(), added);
        #[cfg(feature = "webpki-roots")]
        assert!(store.len() > added);
    }
}
