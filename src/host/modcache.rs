//! Reading the cgo directives of a bindings module already in the module cache:
//! the exact `-L` folder and `-l` name cgo will use, whatever the version table says.

use std::path::Path;

use crate::domain::cgo::{self, GoFile, LinkSpec};

/// The link spec from the module's root package, else from its sub-packages
/// (`slim_rpc` sits one folder deeper and resolves to the same place).
pub fn link_spec(module_dir: &Path, goos: &str, goarch: &str) -> Option<LinkSpec> {
    let mut dirs = vec![module_dir.to_path_buf()];
    if let Ok(entries) = std::fs::read_dir(module_dir) {
        let mut subs: Vec<_> = entries.flatten().map(|e| e.path()).filter(|p| p.is_dir()).collect();
        subs.sort();
        dirs.extend(subs);
    }
    dirs.iter().find_map(|d| spec_in(d, goos, goarch))
}

fn spec_in(dir: &Path, goos: &str, goarch: &str) -> Option<LinkSpec> {
    let mut files: Vec<(String, String)> = std::fs::read_dir(dir)
        .ok()?
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
    let go_files: Vec<GoFile> = files.iter().map(|(n, t)| GoFile { name: n, text: t, dir }).collect();
    cgo::link_spec(&go_files, goos, goarch)
}
