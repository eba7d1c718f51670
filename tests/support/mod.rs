//! Shared test support for the integration tests: a loopback HTTP server with
//! fault injection (`server`), a fake GitHub release host (`github`), builders
//! for real `ar`/object/zip fixtures (`fixtures`) and the isolated command for
//! the built binary (`cmd`). Each test binary uses a subset, hence the allow.
#![allow(dead_code)]

pub mod binfmt;
pub mod case;
pub mod cmd;
pub mod disk;
pub mod fixtures;
pub mod github;
pub mod home;
pub mod release;
pub mod run;
pub mod server;
pub mod tls;
pub mod user;

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

/// A file's bytes, panicking with its path when it cannot be read.
pub fn read(path: &std::path::Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{} should exist: {e}", path.display()))
}

/// Every regular file under `dir` (recursively), relative names, sorted.
pub fn files_under(dir: &std::path::Path) -> Vec<String> {
    fn walk(base: &std::path::Path, dir: &std::path::Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(base, &p, out);
            } else {
                out.push(p.strip_prefix(base).unwrap().display().to_string());
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// A cache shared by the tests that run the real `go` and `zig` (Go's build
/// cache, zig's C runtimes: minutes to fill on a cold machine), owned by the
/// unprivileged user those tools run as: `$SLIM_E2E_CACHE/NAME`
/// (scripts/test puts it outside the clone so a fresh clone starts warm),
/// else `target/e2e-cache/NAME`.
pub fn e2e_cache(name: &str) -> std::path::PathBuf {
    let root = std::env::var_os("SLIM_E2E_CACHE")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/e2e-cache"));
    user::own_dir(&root);
    user::own_dir(&root.join(name))
}
