//! The validated plan an install runs: every decision made, with where it
//! came from. `decide` builds it purely from what the user typed, the
//! environment, and the host facts gathered once beforehand (`host::facts`);
//! `install` carries it out and `ui::report` tells it. `cc` makes the same
//! plan from a link line, for the C compiler front.

mod cc;
mod decide;
mod provenance;
#[cfg(test)]
mod tests;

use std::fmt;
use std::path::PathBuf;

pub(crate) use cc::{CcDecision, cc_plan};
pub(crate) use decide::{
    absolute_location, bases, go_paths, http_options, install_plan, module_dir, scope, single, version,
};
pub(crate) use provenance::{DirSource, LayoutWhy, PlatformNote, Setting, VersionSource};

use crate::domain::layout::Layout;
use crate::domain::mirror::BaseList;
use crate::domain::platform::Target;
use crate::domain::sumfile::SumFile;
use crate::domain::sums::Sha256;
use crate::domain::version::Version;
use crate::net::http::HttpOptions;

/// Where one target goes.
#[derive(Debug, Clone)]
pub(crate) struct TargetPlan {
    pub(crate) target: &'static Target,
    /// Where cgo looks.
    pub(crate) dir: PathBuf,
    /// The file name cgo links (`lib{-l name}.a`).
    pub(crate) file: String,
    /// Other names the same library is also installed under (a musl library's own name).
    pub(crate) extra_names: Vec<String>,
    pub(crate) dir_source: DirSource,
}

impl TargetPlan {
    pub(crate) fn path(&self) -> PathBuf {
        self.dir.join(&self.file)
    }
}

#[derive(Debug, Clone)]
pub(crate) struct InstallPlan {
    pub(crate) version: Version,
    pub(crate) version_source: VersionSource,
    pub(crate) layout: Layout,
    pub(crate) targets: Vec<TargetPlan>,
    pub(crate) platform: PlatformNote,
    pub(crate) bases: BaseList,
    pub(crate) from_file: Option<PathBuf>,
    pub(crate) sha256: Option<Sha256>,
    pub(crate) require_checksum: bool,
    pub(crate) force: bool,
    pub(crate) jobs: usize,
    pub(crate) http: HttpOptions,
    /// `--github-api-url`, else each GitHub-shaped base asks its own API.
    pub(crate) api: Option<String>,
    /// Only ever sent to the API a base belongs to, over https or to loopback.
    pub(crate) token: Option<Secret>,
    /// The project's slim-bindings.sum, when it has one (or --lock will create it).
    pub(crate) pins: Option<Pins>,
    pub(crate) write_lock: bool,
}

/// One target of one version, as `env` and `doctor` look at it.
pub(crate) struct SinglePlan {
    pub(crate) version: Version,
    pub(crate) version_source: VersionSource,
    pub(crate) target: TargetPlan,
    pub(crate) platform: PlatformNote,
}

/// Where installed libraries can be, for `list`, `verify` and `clean`.
pub(crate) struct Scope {
    /// `--cache-dir`, else every layout's root, resolved as the linker resolves them.
    pub(crate) roots: Vec<PathBuf>,
    /// The module cache, where nothing of slim-setup's belongs (`None` with --cache-dir).
    pub(crate) gomodcache: Option<PathBuf>,
}

#[derive(Debug, Clone)]
pub(crate) struct Pins {
    pub(crate) path: PathBuf,
    pub(crate) file: SumFile,
}

impl InstallPlan {
    /// The digest the project pinned for a triple of this version.
    pub(crate) fn pinned(&self, triple: &str) -> Option<Sha256> {
        self.pins.as_ref()?.file.get(&self.version.to_string(), triple)
    }
}

/// A credential: usable, never shown (`Debug` prints `***`).
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Secret(String);

impl Secret {
    pub(crate) fn new(value: &str) -> Secret {
        Secret(value.to_string())
    }

    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}
