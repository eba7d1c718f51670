//! The validated plan an install runs: every decision made, with where it came
//! from (for the banner and `--json`). Built by `config`, consumed by `store`.

use std::path::PathBuf;

use crate::domain::layout::Layout;
use crate::domain::mirror::BaseList;
use crate::domain::platform::Target;
use crate::domain::sumfile::SumFile;
use crate::domain::sums::Sha256;
use crate::domain::version::Version;
use crate::net::http::HttpOptions;

#[derive(Debug, Clone)]
pub struct TargetPlan {
    pub target: &'static Target,
    /// Where cgo looks.
    pub dir: PathBuf,
    /// The file name cgo links (`lib{-l name}.a`).
    pub file: String,
    /// Other names the same library is also installed under (a musl library's own name).
    pub extra_names: Vec<String>,
    /// How `dir` and `file` were decided.
    pub dir_source: String,
}

impl TargetPlan {
    pub fn path(&self) -> PathBuf {
        self.dir.join(&self.file)
    }
}

#[derive(Debug, Clone)]
pub struct InstallPlan {
    pub version: Version,
    pub version_source: String,
    pub layout: Layout,
    pub targets: Vec<TargetPlan>,
    /// "linux/amd64 (libc: gnu, from ...)" for the banner.
    pub platform_note: String,
    pub bases: BaseList,
    pub from_file: Option<PathBuf>,
    pub sha256: Option<Sha256>,
    pub require_checksum: bool,
    pub force: bool,
    pub jobs: usize,
    pub http: HttpOptions,
    pub api: String,
    /// Never printed; only sent to `api`.
    pub token: Option<String>,
    /// The project's slim-bindings.sum, when it has one (or --lock will create it).
    pub pins: Option<Pins>,
    pub write_lock: bool,
}

#[derive(Debug, Clone)]
pub struct Pins {
    pub path: PathBuf,
    pub file: SumFile,
}

impl InstallPlan {
    pub fn pinned(&self, triple: &str) -> Option<crate::domain::sums::Sha256> {
        self.pins.as_ref()?.file.get(&self.version.to_string(), triple)
    }
}
