//! The cgo files of a bindings module already in the module cache, read once:
//! the root package and its sub-packages (`slim_rpc` sits one folder deeper
//! and resolves to the same place). Which directive applies to a platform is
//! decided from these purely (`domain::cgo`).

use std::path::{Path, PathBuf};

use crate::domain::cgo::{self, GoFile, LinkSpec};

/// The Go files holding `#cgo` lines, per package folder, root first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ModuleFiles {
    pub(crate) dir: PathBuf,
    pub(crate) packages: Vec<(PathBuf, Vec<(String, String)>)>,
}

impl ModuleFiles {
    /// The directive cgo uses for `goos/goarch`: the root package's, else the
    /// first sub-package's that has one.
    pub(crate) fn link_spec(&self, goos: &str, goarch: &str) -> Option<LinkSpec> {
        self.packages.iter().find_map(|(dir, files)| {
            let files: Vec<GoFile> = files.iter().map(|(n, t)| GoFile { name: n, text: t, dir }).collect();
            cgo::link_spec(&files, goos, goarch)
        })
    }
}

/// Read the module folder's cgo files; `None` when the folder does not exist
/// (`go get` has not run).
pub(crate) fn read(module_dir: &Path) -> Option<ModuleFiles> {
    let entries = std::fs::read_dir(module_dir).ok()?;
    let mut subs: Vec<PathBuf> = entries.flatten().map(|e| e.path()).filter(|p| p.is_dir()).collect();
    subs.sort();
    let packages = std::iter::once(module_dir.to_path_buf())
        .chain(subs)
        .map(|d| {
            let files = cgo_files(&d);
            (d, files)
        })
        .filter(|(_, files)| !files.is_empty())
        .collect();
    Some(ModuleFiles { dir: module_dir.to_path_buf(), packages })
}

fn cgo_files(dir: &Path) -> Vec<(String, String)> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut files: Vec<(String, String)> = entries
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            if !name.ends_with(".go") {
                return None;
            }
            let text = std::fs::read_to_string(e.path()).ok()?;
            text.contains("#cgo").then_some((name, text))
        })
        .collect();
    files.sort();
    files
}
