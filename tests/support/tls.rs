//! https on 127.0.0.1:0 in front of a plain test `Server`: a CA made for the
//! test signs a certificate for 127.0.0.1 and localhost, and slim-setup trusts
//! it through SSL_CERT_FILE (the system verifier reads it). Each connection is
//! decrypted and piped to the backend, so routes, faults and the request log
//! stay where they are, and what reaches the server is what slim-setup sent.
#![allow(dead_code)]

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::{self, JoinHandle};

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

pub struct TlsFront {
    addr: SocketAddr,
    ca_file: PathBuf,
    _dir: tempfile::TempDir,
    stop: Arc<AtomicBool>,
    acceptor: Option<JoinHandle<()>>,
}

impl TlsFront {
    /// Listens before returning; every connection goes on to `backend`.
    pub fn start(backend: SocketAddr) -> TlsFront {
        let (config, ca_pem) = server_config();
        let dir = tempfile::tempdir().expect("tempdir");
        let ca_file = dir.path().join("test-ca.pem");
        std::fs::write(&ca_file, ca_pem).expect("write the CA");
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let acceptor = thread::spawn(move || {
            for conn in listener.incoming() {
                if flag.load(Ordering::SeqCst) {
                    return;
                }
                let Ok(conn) = conn else { continue };
                let config = config.clone();
                thread::spawn(move || {
                    let _ = pipe(conn, config, backend);
                });
            }
        });
        TlsFront { addr, ca_file, _dir: dir, stop, acceptor: Some(acceptor) }
    }

    /// `https://127.0.0.1:PORT`, no trailing slash.
    pub fn url(&self) -> String {
        format!("https://{}", self.addr)
    }

    pub fn url_for(&self, path: &str) -> String {
        format!("{}{path}", self.url())
    }

    /// The PEM file to hand over as SSL_CERT_FILE.
    pub fn ca_file(&self) -> &Path {
        &self.ca_file
    }
}

impl Drop for TlsFront {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr);
        if let Some(t) = self.acceptor.take() {
            let _ = t.join();
        }
    }
}

fn server_config() -> (Arc<rustls::ServerConfig>, String) {
    let ca_key = KeyPair::generate().expect("CA key");
    let mut ca = CertificateParams::new(Vec::<String>::new()).expect("CA params");
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    ca.distinguished_name.push(DnType::CommonName, "slim-setup test CA");
    let ca_cert = ca.self_signed(&ca_key).expect("CA certificate");
    let issuer = Issuer::new(ca, ca_key);

    let leaf_key = KeyPair::generate().expect("key");
    let mut leaf =
        CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()]).expect("params");
    leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    leaf.distinguished_name.push(DnType::CommonName, "127.0.0.1");
    let leaf_cert = leaf.signed_by(&leaf_key, &issuer).expect("certificate");

    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
    let chain = vec![CertificateDer::from(leaf_cert.der().to_vec())];
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("protocols")
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .expect("server config");
    (Arc::new(config), ca_cert.pem())
}

/// One connection: the request head from the client to the backend, then
/// the backend's answer back until it closes (the test server answers
/// `Connection: close`), as it arrives.
fn pipe(conn: TcpStream, config: Arc<rustls::ServerConfig>, backend: SocketAddr) -> io::Result<()> {
    let tls = rustls::ServerConnection::new(config).map_err(io::Error::other)?;
    let mut client = rustls::StreamOwned::new(tls, conn);
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if client.read(&mut byte)? == 0 {
            return Ok(());
        }
        head.push(byte[0]);
    }
    let mut server = TcpStream::connect(backend)?;
    server.write_all(&head)?;
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = server.read(&mut buf)?;
        if n == 0 {
            break;
        }
        client.write_all(&buf[..n])?;
        client.flush()?;
    }
    client.conn.send_close_notify();
    client.flush()
}
