//! One isolated HOME, a destination folder (`--cache-dir`) and a fake
//! GitHub serving release v1.4.0: the setting of the fault and fail-closed
//! suites, with the gnu release zip and a plain mirror beside it.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

use super::fixtures;
use super::github::{FakeGitHub, OWNER, REPO, asset_name};
use super::server::{Fault, Route, Server};

pub const VERSION: &str = "v1.4.0";
pub const TAG: &str = "slim-bindings-v1.4.0";
pub const GNU: &str = "x86_64-unknown-linux-gnu";
pub const MUSL: &str = "x86_64-unknown-linux-musl";

/// The library the gnu release zip carries (~300 KB, ~150 KB deflated).
pub fn gnu_lib() -> &'static [u8] {
    static LIB: OnceLock<Vec<u8>> = OnceLock::new();
    LIB.get_or_init(|| fixtures::library_for(GNU, 300_000))
}

pub fn gnu_zip() -> &'static [u8] {
    static ZIP: OnceLock<Vec<u8>> = OnceLock::new();
    ZIP.get_or_init(|| fixtures::release_zip(GNU, gnu_lib()))
}

/// The library's path inside a release zip: `<triple>/<lib name>`.
pub fn entry_name(triple: &str) -> String {
    format!("{triple}/{}", fixtures::lib_name(triple))
}

/// One isolated HOME, a destination folder (`--cache-dir`) and a fake GitHub.
pub struct Case {
    pub _tmp: tempfile::TempDir,
    pub home: PathBuf,
    pub dest: PathBuf,
    pub gh: FakeGitHub,
}

impl Case {
    pub fn new() -> Case {
        let tmp = tempfile::tempdir().expect("tempdir");
        let home = tmp.path().to_path_buf();
        Case { dest: home.join("dest"), home, gh: FakeGitHub::start(), _tmp: tmp }
    }

    /// A case with the gnu release zip published (with its digest).
    pub fn published() -> Case {
        let c = Case::new();
        c.publish(GNU, gnu_zip());
        c
    }

    /// Publishes (or replaces, clearing CDN faults) the asset of `triple`.
    pub fn publish(&self, triple: &str, zip: &[u8]) {
        self.gh.publish(OWNER, REPO, TAG, &asset_name(triple), zip.to_vec());
    }

    pub fn cdn_fault(&self, triple: &str, fault: Fault) {
        self.gh.cdn_fault(OWNER, REPO, TAG, &asset_name(triple), fault);
    }

    pub fn api_fault(&self, fault: Fault) {
        self.gh.api_fault(OWNER, REPO, TAG, fault);
    }

    pub fn cdn_path(&self, triple: &str) -> String {
        self.gh.cdn_path(OWNER, REPO, TAG, &asset_name(triple))
    }

    pub fn cdn_requests(&self) -> Vec<super::server::Request> {
        self.gh.cdn.requests_to(&self.cdn_path(GNU))
    }

    pub fn api_count(&self) -> usize {
        self.gh.gh.count(&self.gh.api_path(OWNER, REPO, TAG))
    }

    /// `install v1.4.0 --target triple --cache-dir dest` from the fake GitHub.
    pub fn install(&self, triple: &str) -> Command {
        self.install_from(triple, &self.gh.base_url(OWNER, REPO))
    }

    pub fn install_from(&self, triple: &str, base: &str) -> Command {
        let mut cmd = super::cmd::slim_setup(&self.home);
        cmd.env("SLIM_SETUP_BACKOFF_MS", "10")
            .args(["install", VERSION, "--target", triple, "--no-progress", "--cache-dir"])
            .arg(&self.dest)
            .args(["--base-url", base, "--github-api-url", &self.gh.api_url()]);
        cmd
    }

    /// `install_from` without `--github-api-url`: each base finds its own API.
    pub fn install_own_api(&self, triple: &str, base: &str) -> Command {
        let mut cmd = super::cmd::slim_setup(&self.home);
        cmd.env("SLIM_SETUP_BACKOFF_MS", "10")
            .args(["install", VERSION, "--target", triple, "--no-progress", "--cache-dir"])
            .arg(&self.dest)
            .args(["--base-url", base]);
        cmd
    }

    /// The gnu library as cgo links it.
    pub fn lib(&self) -> PathBuf {
        self.dest.join(fixtures::cgo_lib_name(GNU))
    }
}

/// A plain mirror (no GitHub shape) serving `zip` as the gnu asset, with
/// SHA256SUMS when `sums`.
pub fn mirror(route: Route, sums: Option<&[u8]>) -> (Server, String) {
    let srv = Server::start();
    srv.route(format!("/m/{TAG}/{}", asset_name(GNU)), route);
    if let Some(zip) = sums {
        let line = format!("{}  {}\n", super::sha256_hex(zip), asset_name(GNU));
        srv.route(format!("/m/{TAG}/SHA256SUMS"), Route::bytes(line.into_bytes()));
    }
    let base = srv.url_for("/m");
    (srv, base)
}

pub fn mirror_asset_path() -> String {
    format!("/m/{TAG}/{}", asset_name(GNU))
}
