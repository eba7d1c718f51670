//! What an install left on disk, checked: nothing, exactly the library (with
//! its manifest, readable, nothing temporary beside it), or no temporary
//! file; and the damage tests do to a library. `context` (usually the `Run`)
//! is printed when a check fails.

use std::fmt::Display;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// The names in a folder, sorted (none when it does not exist).
pub fn names_in(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut names: Vec<String> =
        entries.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

/// Temporary files an install may create in a folder: `store::atomic`'s
/// `.NAME.XXXXXX.tmp` and the spool's `.slim-setup-spool-*`.
pub fn temp_files(dir: &Path) -> Vec<String> {
    names_in(dir)
        .into_iter()
        .filter(|n| (n.starts_with('.') && n.ends_with(".tmp")) || n.starts_with(".slim-setup-"))
        .collect()
}

pub fn assert_clean(dir: &Path, context: impl Display) {
    let left = temp_files(dir);
    assert!(left.is_empty(), "temp files left in {}: {left:?}\n{context}", dir.display());
}

/// Nothing at all under `dir` but lock files: no library, manifest,
/// temporary or spool file, in any folder below it.
pub fn assert_nothing_installed(dir: &Path, context: impl Display) {
    let files: Vec<String> = super::files_under(dir).into_iter().filter(|f| !f.ends_with(".lock")).collect();
    assert!(files.is_empty(), "nothing should be installed under {}: {files:?}\n{context}", dir.display());
}

/// `path` holds exactly `lib`, has its manifest, is not group/world
/// writable, and nothing temporary is left beside it.
pub fn assert_installed(path: &Path, lib: &[u8], context: impl Display) {
    let got = std::fs::read(path).unwrap_or_else(|e| panic!("read {}: {e}\n{context}", path.display()));
    assert!(got == lib, "{} holds {} bytes, not the published library\n{context}", path.display(), got.len());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).expect("stat library").permissions().mode();
        assert_eq!(mode & 0o022, 0, "{} is group/world writable ({mode:o})", path.display());
    }
    let manifest = PathBuf::from(format!("{}.slim-setup.json", path.display()));
    assert!(manifest.is_file(), "no manifest beside {}\n{context}", path.display());
    assert_clean(path.parent().expect("parent"), context);
}

/// Flips the byte at `at` (the middle when `None`) keeping the size, and sets
/// the mtime to `mtime` (the file's own when `None`, so only re-hashing can tell).
pub fn flip_byte(path: &Path, at: Option<usize>, mtime: Option<SystemTime>) {
    let mtime = mtime.unwrap_or_else(|| std::fs::metadata(path).expect("stat").modified().expect("mtime"));
    let mut bytes = std::fs::read(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    let at = at.unwrap_or(bytes.len() / 2);
    bytes[at] ^= 0xff;
    std::fs::write(path, &bytes).expect("write back");
    std::fs::File::options().write(true).open(path).expect("open").set_modified(mtime).expect("set mtime");
}
