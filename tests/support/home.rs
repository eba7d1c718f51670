//! A test's own HOME (GOPATH is HOME/go, as `cmd` sets it). Test files add
//! their own methods with `impl Home` blocks.

use std::path::{Path, PathBuf};
use std::process::Command;

use tempfile::TempDir;

pub struct Home {
    dir: TempDir,
}

impl Home {
    pub fn new() -> Home {
        Home { dir: tempfile::tempdir().expect("temp HOME") }
    }
    pub fn path(&self) -> &Path {
        self.dir.path()
    }
    pub fn gopath(&self) -> PathBuf {
        self.path().join("go")
    }
    pub fn cache_root(&self) -> PathBuf {
        self.gopath().join(".cgo-cache/slim-bindings")
    }
    /// The per-version folder of v1.3.0-rc.3 and later.
    pub fn versioned(&self, version: &str) -> PathBuf {
        self.cache_root().join(version)
    }
    /// The binary with the isolated environment of `support::cmd`.
    pub fn bare(&self) -> Command {
        super::cmd::slim_setup(self.path())
    }
}
