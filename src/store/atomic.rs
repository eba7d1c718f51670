//! Files that appear whole or not at all. Every file slim-setup leaves behind
//! (library, alias, manifest, `slim-bindings.sum`, mirrored zip, `SHA256SUMS`)
//! is written to a temporary file in its destination folder (never /tmp: it
//! may be another filesystem, and a rename must not copy), fsynced, made
//! readable like any other file under GOPATH (0644), renamed over the final
//! name, and the folder fsynced so the rename survives a crash. Until then
//! the temporary is on the list Ctrl-C cleans up; what a kill leaves is found
//! by `clean --leftovers` by its name (`.NAME.XXXXXX.tmp`).

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

use super::fsutil::{set_readable, sync_dir};
use crate::error::{Error, Result};
use crate::interrupt::{self, TempGuard};

/// A temporary file beside `dest`, committed by renaming it there.
pub(crate) struct TempFile {
    file: NamedTempFile,
    _guard: TempGuard,
}

impl TempFile {
    /// A temporary file in `dir` for the final name `name`.
    pub(crate) fn new_in(dir: &Path, name: &str) -> Result<TempFile> {
        let file = tempfile::Builder::new()
            .prefix(&format!(".{name}."))
            .suffix(".tmp")
            .tempfile_in(dir)
            .map_err(|e| Error::io("create a temporary file in", dir, e))?;
        set_readable(file.as_file()).map_err(|e| Error::io("set permissions of", file.path(), e))?;
        let guard = interrupt::track(file.path());
        Ok(TempFile { file, _guard: guard })
    }

    pub(crate) fn file(&self) -> &File {
        self.file.as_file()
    }

    pub(crate) fn path(&self) -> &Path {
        self.file.path()
    }

    /// Make the bytes durable and give them the final name.
    pub(crate) fn commit(self, dest: &Path) -> Result<()> {
        self.file.as_file().sync_all().map_err(|e| Error::io("sync", self.file.path(), e))?;
        self.file.persist(dest).map_err(|e| Error::io("move into place", dest, e.error))?;
        let dir = parent(dest);
        sync_dir(&dir).map_err(|e| Error::io("sync", &dir, e))
    }
}

fn parent(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// `bytes` as the whole content of `dest`.
pub(crate) fn write(dest: &Path, bytes: &[u8]) -> Result<()> {
    let name = dest.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let mut tmp = TempFile::new_in(&parent(dest), &name)?;
    tmp.file.write_all(bytes).map_err(|e| Error::io("write", tmp.path(), e))?;
    tmp.commit(dest)
}

/// A second name for the bytes of `from`: a hard link (no extra space), else
/// a copy, placed with a rename so the name never points at a partial file.
pub(crate) fn link(from: &Path, dest: &Path) -> Result<()> {
    let name = dest.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let dir = parent(dest);
    let tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".tmp")
        .make_in(&dir, |p| std::fs::hard_link(from, p).or_else(|_| std::fs::copy(from, p).map(|_| ())))
        .map_err(|e| Error::io("create", dest, e))?;
    let _guard = interrupt::track(tmp.path());
    tmp.persist(dest).map_err(|e| Error::io("create", dest, e.error))?;
    sync_dir(&dir).map_err(|e| Error::io("sync", &dir, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn write_replaces_the_whole_file_and_leaves_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("a.json");
        write(&dest, b"first").unwrap();
        write(&dest, b"second").unwrap();
        assert_eq!(std::fs::read(&dest).unwrap(), b"second");
        assert_eq!(names(dir.path()), ["a.json"]);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&dest).unwrap().permissions().mode() & 0o777, 0o644);
        }
    }

    #[test]
    fn an_uncommitted_temporary_disappears_and_the_old_file_stays() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("lib.a");
        std::fs::write(&dest, b"old").unwrap();
        let tmp = TempFile::new_in(dir.path(), "lib.a").unwrap();
        let name = tmp.path().file_name().unwrap().to_string_lossy().into_owned();
        assert!(name.starts_with(".lib.a.") && name.ends_with(".tmp"), "{name}");
        drop(tmp);
        assert_eq!(names(dir.path()), ["lib.a"]);
        assert_eq!(std::fs::read(&dest).unwrap(), b"old");
    }

    #[test]
    fn link_gives_a_second_name_to_the_same_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        std::fs::write(&a, b"bytes").unwrap();
        std::fs::write(&b, b"stale").unwrap();
        link(&a, &b).unwrap();
        assert_eq!(std::fs::read(&b).unwrap(), b"bytes");
        assert_eq!(names(dir.path()), ["a", "b"]);
        assert!(write(&dir.path().join("missing/x"), b"").is_err());
    }
}
