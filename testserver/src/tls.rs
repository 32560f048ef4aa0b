//! The TLS listener's self-signed certificate and rustls configuration, and for mutual TLS a
//! client CA with one client certificate issued by it.

use std::io;
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::server::WebPkiClientVerifier;
use rustls::RootCertStore;

use crate::TlsOptions;

fn io_err(e: impl std::fmt::Display) -> io::Error {
    io::Error::other(e.to_string())
}

/// What the TLS listener serves with, and what a client needs to talk to it.
pub(crate) struct Setup {
    pub config: Arc<rustls::ServerConfig>,
    /// The server's self-signed certificate (PEM): the root a client must trust.
    pub cert_pem: String,
    /// With `require_client_cert`: a client certificate issued by the client CA the server
    /// trusts, followed by its PKCS#8 private key (PEM).
    pub client_identity_pem: Option<String>,
}

/// A fresh self-signed certificate for `localhost` and `127.0.0.1`, and a server config using
/// it (ring provider, ALPN `h2` then `http/1.1`), shaped by `opts`.
pub(crate) fn server_config(opts: TlsOptions) -> io::Result<Setup> {
    let ck =
        rcgen::generate_simple_self_signed(vec!["localhost".to_string(), "127.0.0.1".to_string()])
            .map_err(io_err)?;
    let cert_pem = ck.cert.pem();
    let cert = ck.cert.der().clone();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(ck.signing_key.serialize_der()));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let versions: &[&rustls::SupportedProtocolVersion] = if opts.tls12_only {
        &[&rustls::version::TLS12]
    } else {
        rustls::DEFAULT_VERSIONS
    };
    let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(versions)
        .map_err(io_err)?;
    let (builder, client_identity_pem) = if opts.require_client_cert {
        let (ca, identity) = client_ca()?;
        let mut roots = RootCertStore::empty();
        roots.add(ca).map_err(io_err)?;
        let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
            .build()
            .map_err(io_err)?;
        (builder.with_client_cert_verifier(verifier), Some(identity))
    } else {
        (builder.with_no_client_auth(), None)
    };
    let mut config = builder.with_single_cert(vec![cert], key).map_err(io_err)?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Setup {
        config: Arc::new(config),
        cert_pem,
        client_identity_pem,
    })
}

/// A client CA and one client certificate it issued: the CA's certificate (DER) and the
/// client's certificate and key (PEM).
fn client_ca() -> io::Result<(rustls::pki_types::CertificateDer<'static>, String)> {
    let mut params = CertificateParams::new(Vec::<String>::new()).map_err(io_err)?;
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params
        .distinguished_name
        .push(DnType::CommonName, "anyfetch-testserver client CA");
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca = CertifiedIssuer::self_signed(params, KeyPair::generate().map_err(io_err)?)
        .map_err(io_err)?;

    let mut params = CertificateParams::new(Vec::<String>::new()).map_err(io_err)?;
    params
        .distinguished_name
        .push(DnType::CommonName, "anyfetch test client");
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    let key = KeyPair::generate().map_err(io_err)?;
    let cert = params.signed_by(&key, &ca).map_err(io_err)?;
    Ok((
        ca.der().clone(),
        format!("{}{}", cert.pem(), key.serialize_pem()),
    ))
}
