//! Build facts for `--version`: the git commit and its date when the crate is
//! built from its own git checkout with git on PATH, "unknown" otherwise (a
//! source tarball, a crates.io download), and the target triple. Nothing here
//! may fail the build.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let target = std::env::var("TARGET").unwrap_or_else(|_| "unknown".into());
    let commit = own_checkout(&manifest).and_then(|()| {
        let hash = git(&manifest, &["rev-parse", "--short", "HEAD"])?;
        let date = git(&manifest, &["log", "-1", "--date=short", "--format=%cd"])?;
        watch_head(&manifest);
        Some(format!("{hash} {date}"))
    });
    let commit = commit.unwrap_or_else(|| "unknown".into());
    println!("cargo:rustc-env=SLIM_SETUP_BUILD_INFO={commit}, {target}");
}

/// Only the crate's own repository counts: a tarball unpacked inside some
/// other checkout must not report that checkout's commit.
fn own_checkout(manifest: &Path) -> Option<()> {
    let top = git(manifest, &["rev-parse", "--show-toplevel"])?;
    let same = std::fs::canonicalize(top).ok()? == std::fs::canonicalize(manifest).ok()?;
    same.then_some(())
}

/// Rebuild when HEAD moves: HEAD itself (in a worktree it lives in the
/// worktree's git dir) and the branch it names (loose, or in packed-refs).
/// Only existing files are named: cargo reruns every time for a missing one.
fn watch_head(manifest: &Path) {
    // Relative answers are relative to `manifest`, where git ran.
    let dir = |flag| git(manifest, &["rev-parse", flag]).map(|d| manifest.join(d));
    let (Some(git_dir), Some(common)) = (dir("--git-dir"), dir("--git-common-dir")) else {
        return;
    };
    let mut watched = vec![git_dir.join("HEAD"), common.join("packed-refs")];
    if let Some(branch) = git(manifest, &["symbolic-ref", "-q", "HEAD"]) {
        watched.push(common.join(branch));
    }
    for path in watched.iter().filter(|p| p.is_file()) {
        println!("cargo:rerun-if-changed={}", path.display());
    }
}

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).current_dir(dir).output().ok()?;
    let text = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (out.status.success() && !text.is_empty()).then_some(text)
}
