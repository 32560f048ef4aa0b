//! The rustls client configuration of the native backend, built once per transport.

use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, SignatureScheme, SupportedProtocolVersion};
use url::{Host, Url};

use super::roots::{self, Roots};
use crate::error::{Error, ErrorKind, Result};
use crate::transport::{TlsVersion, TransportConfig};

/// The TLS configuration for `config`, built once per transport: the roots of [`roots`] (or no
/// verification at all with `danger_accept_invalid_certs`), the client's identity if any,
/// TLS 1.3 and, unless `min_tls_version` is 1.3, TLS 1.2; ring as the crypto provider
/// (explicitly, so no process-wide default has to be installed), and ALPN offering `h2` when
/// HTTP/2 is enabled and always `http/1.1`.
///
/// # Errors
/// An [`is_builder`](Error::is_builder) error for a root certificate rustls cannot use, or an
/// identity whose key is unusable or does not belong to its certificate.
pub(super) fn client_config(config: &TransportConfig) -> Result<Arc<ClientConfig>> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let versions: &[&SupportedProtocolVersion] = if config.min_tls_version >= TlsVersion::TLS_1_3 {
        &[&rustls::version::TLS13]
    } else {
        &[&rustls::version::TLS13, &rustls::version::TLS12]
    };
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(versions)
        .map_err(|e| Error::builder("TLS configuration").with_source(e))?;
    let builder = if config.danger_accept_invalid_certs {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(DangerousAcceptAnyCert { provider }))
    } else {
        match roots::roots(config)? {
            Roots::Store(store) => builder.with_root_certificates(store),
            #[cfg(any(target_vendor = "apple", windows))]
            Roots::Platform(extra) => {
                let verifier =
                    rustls_platform_verifier::Verifier::new_with_extra_roots(extra, provider)
                        .map_err(|e| Error::builder("unusable root certificate").with_source(e))?;
                builder
                    .dangerous()
                    .with_custom_certificate_verifier(Arc::new(verifier))
            }
        }
    };
    let mut tls = match &config.identity {
        Some(identity) => builder
            .with_client_auth_cert(identity.chain.clone(), identity.key.clone_key())
            .map_err(|e| {
                Error::builder("unusable identity: its private key cannot be loaded or does not belong to its certificate")
                    .with_source(e)
            })?,
        None => builder.with_no_client_auth(),
    };
    tls.alpn_protocols = if config.http2 || config.http2_prior_knowledge {
        vec![b"h2".to_vec(), b"http/1.1".to_vec()]
    } else {
        vec![b"http/1.1".to_vec()]
    };
    Ok(Arc::new(tls))
}

/// True when the peer ended the TLS session with an alert that refuses the session itself: its
/// checks of our certificate (none, unknown issuer, bad, expired), or the protocol version.
///
/// With TLS 1.3 the client's side of the handshake is done before the server has checked the
/// client's certificate, so a server that refuses it says so in the client's first read. That
/// is a connect error, not a read error: the server served no request.
pub(super) fn refused_by_alert(e: &(dyn std::error::Error + 'static)) -> bool {
    use rustls::AlertDescription as A;
    let mut next = Some(e);
    while let Some(err) = next {
        // `io::Error::source` skips the error it wraps: look inside it.
        let inner = match err.downcast_ref::<std::io::Error>() {
            Some(io) => io
                .get_ref()
                .map(|e| e as &(dyn std::error::Error + 'static)),
            None => Some(err),
        };
        if let Some(rustls::Error::AlertReceived(alert)) =
            inner.and_then(|e| e.downcast_ref::<rustls::Error>())
        {
            return matches!(
                alert,
                A::CertificateRequired
                    | A::BadCertificate
                    | A::UnsupportedCertificate
                    | A::CertificateRevoked
                    | A::CertificateExpired
                    | A::CertificateUnknown
                    | A::UnknownCA
                    | A::AccessDenied
                    | A::HandshakeFailure
                    | A::ProtocolVersion
                    | A::InsufficientSecurity
            );
        }
        next = err.source();
    }
    false
}

/// The name to verify the server's certificate against (and send as SNI): the URL's host,
/// a DNS name or an IP address.
pub(super) fn server_name(url: &Url) -> Result<ServerName<'static>> {
    match url.host() {
        Some(Host::Domain(domain)) => ServerName::try_from(domain.to_owned()).map_err(|e| {
            Error::new(ErrorKind::Connect)
                .with_message(format!("{domain:?} is not a valid TLS server name"))
                .with_source(e)
                .with_url(url.clone())
        }),
        Some(Host::Ipv4(ip)) => Ok(ServerName::IpAddress(std::net::IpAddr::V4(ip).into())),
        Some(Host::Ipv6(ip)) => Ok(ServerName::IpAddress(std::net::IpAddr::V6(ip).into())),
        None => Err(Error::builder("URL has no host").with_url(url.clone())),
    }
}

/// Accepts any server certificate: expired, self-signed, for another name.
///
/// It exists for `ClientBuilder::danger_accept_invalid_certs(true)`, the escape hatch for test
/// servers and internal hosts with certificates nothing can verify (httpx `verify=False`). It
/// removes all protection against an active attacker; the handshake signatures are still
/// checked, so the peer at least holds the key of the certificate it shows.
#[derive(Debug)]
struct DangerousAcceptAnyCert {
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for DangerousAcceptAnyCert {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}
