//! Shared test support for the integration tests: a loopback HTTP server with
//! fault injection (`server`), a fake GitHub release host (`github`), builders
//! for real `ar`/object/zip fixtures (`fixtures`) and the isolated command for
//! the built binary (`cmd`). Each test binary uses a subset, hence the allow.
#![allow(dead_code)]

pub mod cmd;
pub mod fixtures;
pub mod github;
pub mod run;
pub mod server;

use sha2::{Digest, Sha256};

/// Lowercase hex sha256 of `data`, as `sha256sum` and GitHub's `digest` print it.
pub fn sha256_hex(data: &[u8]) -> String {
    hex(&Sha256::digest(data))
}

/// Lowercase hex of arbitrary bytes.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}
