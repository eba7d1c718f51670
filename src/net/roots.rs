//! The system's trusted roots, loaded beside the first connection instead of
//! before it. Reading and parsing the CA bundle (`/etc/ssl/certs`) takes about
//! 8 ms, and reqwest does it while the client is built, before the first
//! request can leave. Here the platform verifier is built on its own thread as
//! soon as the client is, and a handshake waits for it only when the server's
//! certificate arrives: by then the TCP handshake and the first TLS round trip
//! have passed, so on any real network the load costs nothing. A run that
//! never speaks TLS (a loopback or folder mirror) never waits for it.

use std::sync::{Arc, Mutex, OnceLock};
use std::thread::JoinHandle;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};

type Built = Result<Arc<rustls_platform_verifier::Verifier>, rustls::Error>;

/// The TLS settings reqwest would build, with the roots deferred: rustls's
/// safe defaults, HTTP/2 and HTTP/1.1 offered by ALPN.
pub(crate) fn client_config() -> Result<rustls::ClientConfig, rustls::Error> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let verifier = Arc::new(DeferredRoots::start(provider.clone()));
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

#[derive(Debug)]
struct DeferredRoots {
    provider: Arc<CryptoProvider>,
    loading: Mutex<Option<JoinHandle<Built>>>,
    built: OnceLock<Built>,
}

impl DeferredRoots {
    fn start(provider: Arc<CryptoProvider>) -> DeferredRoots {
        let for_thread = provider.clone();
        let loading = std::thread::Builder::new()
            .name("tls-roots".into())
            .spawn(move || rustls_platform_verifier::Verifier::new(for_thread).map(Arc::new))
            .ok();
        DeferredRoots { provider, loading: Mutex::new(loading), built: OnceLock::new() }
    }

    /// The platform verifier, waiting for its thread the first time (or
    /// building it here if the thread could not be started).
    fn verifier(&self) -> Result<&rustls_platform_verifier::Verifier, rustls::Error> {
        let built = self.built.get_or_init(|| {
            let handle = self.loading.lock().unwrap_or_else(|p| p.into_inner()).take();
            match handle.map(JoinHandle::join) {
                Some(Ok(built)) => built,
                Some(Err(_)) => {
                    Err(rustls::Error::General("loading the trusted root certificates failed".into()))
                }
                None => rustls_platform_verifier::Verifier::new(self.provider.clone()).map(Arc::new),
            }
        });
        built.as_deref().map_err(Clone::clone)
    }
}

impl ServerCertVerifier for DeferredRoots {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        self.verifier()?.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.verifier()?.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.verifier()?.verify_tls13_signature(message, cert, dss)
    }

    /// Asked while the ClientHello is written, before any certificate: the
    /// provider's schemes, as the platform verifier answers, without waiting.
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider.signature_verification_algorithms.supported_schemes()
    }

    fn requires_raw_public_keys(&self) -> bool {
        false
    }
}
