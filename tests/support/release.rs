//! The release most tests install: v1.4.0, with release-shaped zips of small
//! deterministic libraries, served by a fake GitHub or laid out in a folder
//! mirror, and the platform flags and manifest reader that go with it.

use std::path::Path;

use serde_json::Value;
use tempfile::TempDir;

use super::fixtures::{library_for, release_zip};
use super::github::{FakeGitHub, OWNER, REPO, asset_name};

pub const V: &str = "v1.4.0";
pub const TAG: &str = "slim-bindings-v1.4.0";
pub const GNU: &str = "x86_64-unknown-linux-gnu";
pub const ARM: &str = "aarch64-unknown-linux-gnu";
pub const MUSL: &str = "x86_64-unknown-linux-musl";
pub const ALL: [&str; 7] = super::fixtures::ALL_TRIPLES;
pub const LINUX_AMD64_GNU: [&str; 6] = ["--goos", "linux", "--goarch", "amd64", "--libc", "gnu"];
/// Small enough to keep each test fast, big enough to span several reads.
pub const LIB_SIZE: usize = 40 * 1024;

/// The library fixture for a triple (deterministic: same bytes every call).
pub fn lib(triple: &str) -> Vec<u8> {
    library_for(triple, LIB_SIZE)
}

/// `--base-url` and `--github-api-url` for the fake GitHub's agntcy/slim.
pub fn github_args(gh: &FakeGitHub) -> [String; 4] {
    ["--base-url".into(), gh.base_url(OWNER, REPO), "--github-api-url".into(), gh.api_url()]
}

/// A fake GitHub with release v1.4.0 holding a release-shaped zip per triple.
pub fn github_release(triples: &[&str]) -> FakeGitHub {
    let gh = FakeGitHub::start();
    for t in triples {
        gh.publish(OWNER, REPO, TAG, &asset_name(t), release_zip(t, &lib(t)));
    }
    gh
}

/// A folder mirror with, for each tag, the release zip of `triple` and a SHA256SUMS.
pub fn folder_mirror(tags: &[&str], triple: &str) -> TempDir {
    let root = tempfile::tempdir().expect("mirror folder");
    let zip = release_zip(triple, &lib(triple));
    for tag in tags {
        let dir = root.path().join(tag);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(asset_name(triple)), &zip).unwrap();
        let sums = format!("{}  {}\n", super::sha256_hex(&zip), asset_name(triple));
        std::fs::write(dir.join("SHA256SUMS"), sums).unwrap();
    }
    root
}

/// The manifest written beside an installed library.
pub fn manifest(lib: &Path) -> Value {
    let path = format!("{}.slim-setup.json", lib.display());
    serde_json::from_slice(&super::read(Path::new(&path))).expect("manifest is JSON")
}
