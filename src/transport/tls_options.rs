//! The TLS settings a client gives its native transport: a client certificate and the lowest
//! protocol version. Hosts that verify TLS themselves (WASI, browsers) refuse both at build().

use std::fmt;

use rustls_pki_types::pem::{PemObject, SectionKind};
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

use crate::error::{Error, Result};

/// A client certificate and its private key, for mutual TLS
/// ([`ClientBuilder::identity`](crate::ClientBuilder::identity); httpx's `cert=`).
///
/// Its `Debug` output shows the number of certificates, never the key.
#[cfg_attr(not(hyper), allow(dead_code))]
pub struct Identity {
    pub(crate) chain: Vec<CertificateDer<'static>>,
    pub(crate) key: PrivateKeyDer<'static>,
}

impl Identity {
    /// From one PEM buffer holding the certificate chain (the client's certificate first, then
    /// any intermediates) and its private key, in PKCS#8 (`PRIVATE KEY`), PKCS#1
    /// (`RSA PRIVATE KEY`) or SEC1 (`EC PRIVATE KEY`) form, in any order. Other blocks are
    /// skipped.
    ///
    /// That the key belongs to the certificate is checked when the client is built.
    ///
    /// # Errors
    /// An [`is_builder`](Error::is_builder) error when a block is malformed (with the PEM
    /// parser's error as its source), when there is no certificate, or when there is not
    /// exactly one private key.
    pub fn from_pem(pem: &[u8]) -> Result<Identity> {
        let mut chain = Vec::new();
        let mut keys = Vec::new();
        for section in <(SectionKind, Vec<u8>)>::pem_slice_iter(pem) {
            let (kind, der) = section.map_err(|e| {
                // The parser's error names the section, never its contents.
                Error::builder("malformed PEM input").with_source(e)
            })?;
            match kind {
                SectionKind::Certificate => chain.push(CertificateDer::from(der)),
                SectionKind::PrivateKey => keys.push(PrivateKeyDer::Pkcs8(der.into())),
                SectionKind::RsaPrivateKey => keys.push(PrivateKeyDer::Pkcs1(der.into())),
                SectionKind::EcPrivateKey => keys.push(PrivateKeyDer::Sec1(der.into())),
                _ => {}
            }
        }
        if chain.is_empty() {
            return Err(Error::builder("no CERTIFICATE block in the identity's PEM"));
        }
        if keys.len() != 1 {
            return Err(Error::builder(if keys.is_empty() {
                "no private key (PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY block) in the identity's PEM"
            } else {
                "more than one private key in the identity's PEM"
            }));
        }
        let key = keys.remove(0);
        Ok(Identity { chain, key })
    }
}

impl Clone for Identity {
    fn clone(&self) -> Identity {
        Identity {
            chain: self.chain.clone(),
            key: self.key.clone_key(),
        }
    }
}

impl fmt::Debug for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Identity")
            .field("certificates", &self.chain.len())
            .finish_non_exhaustive()
    }
}

/// A TLS protocol version, for [`ClientBuilder::min_tls_version`](crate::ClientBuilder::min_tls_version).
///
/// The native backend speaks TLS 1.2 and 1.3 (rustls has no older versions).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TlsVersion(u8);

impl TlsVersion {
    /// TLS 1.2 (RFC 5246).
    pub const TLS_1_2: TlsVersion = TlsVersion(2);
    /// TLS 1.3 (RFC 8446).
    pub const TLS_1_3: TlsVersion = TlsVersion(3);
}

#[cfg(test)]
mod tests {
    use super::*;

    const CERT: &str = "-----BEGIN CERTIFICATE-----\naGVsbG8=\n-----END CERTIFICATE-----\n";

    #[test]
    fn identity_pem_needs_a_certificate_and_one_key() {
        for (key, form) in [
            ("PRIVATE KEY", "Pkcs8"),
            ("RSA PRIVATE KEY", "Pkcs1"),
            ("EC PRIVATE KEY", "Sec1"),
        ] {
            let pem = format!("-----BEGIN {key}-----\nc2VjcmV0\n-----END {key}-----\n{CERT}");
            let id = Identity::from_pem(pem.as_bytes()).unwrap();
            assert_eq!(id.chain, [CertificateDer::from(b"hello".to_vec())]);
            assert!(format!("{:?}", id.key).contains(form), "{:?}", id.key);
            assert_eq!(id.key.secret_der(), b"secret");
        }
        let key = "-----BEGIN PRIVATE KEY-----\nc2VjcmV0\n-----END PRIVATE KEY-----\n";
        for bad in [
            String::new(),
            "garbage".to_string(),
            CERT.to_string(),
            key.to_string(),
            format!("{CERT}{key}{key}"),
            format!("{CERT}-----BEGIN PRIVATE KEY-----\nc2V*cmV0\n-----END PRIVATE KEY-----\n"),
            format!("{CERT}-----BEGIN PRIVATE KEY-----\nc2VjcmV0\n"),
        ] {
            let e = Identity::from_pem(bad.as_bytes()).unwrap_err();
            assert!(e.is_builder(), "{bad:?}: {e:?}");
        }
    }

    #[test]
    fn identity_debug_never_shows_the_key() {
        let pem =
            format!("{CERT}-----BEGIN PRIVATE KEY-----\nc2VjcmV0\n-----END PRIVATE KEY-----\n");
        let id = Identity::from_pem(pem.as_bytes()).unwrap();
        let shown = format!("{id:?} {:?}", id.clone());
        assert!(
            !shown.contains("secret") && !shown.contains("c2VjcmV0"),
            "{shown}"
        );
        assert!(!shown.contains("115, 101, 99"), "{shown}"); // the bytes of "sec"
        assert_eq!(format!("{id:?}"), "Identity { certificates: 1, .. }");
    }

    #[test]
    fn tls_versions_are_ordered() {
        assert!(TlsVersion::TLS_1_2 < TlsVersion::TLS_1_3);
    }
}
