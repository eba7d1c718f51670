//! One installer per library file at a time. Parallel CI jobs sharing a GOPATH
//! take an exclusive OS lock on `.{library}.lock` in the destination folder; the
//! others wait (saying so), then find the library installed. OS locks vanish
//! with their process, so a killed run never leaves a lock that blocks.
//!
//! The holder may remove the lock file (a failed install, `clean`): whoever
//! was waiting on it then holds a lock on a file that is gone, notices that
//! the path no longer names its file, and locks the path afresh.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::error::{Error, Result};
use crate::interrupt;

pub(crate) struct Lock {
    file: File,
    path: PathBuf,
    _guard: Option<interrupt::TempGuard>,
}

pub(crate) fn lock_path(dir: &Path, lib_file: &str) -> PathBuf {
    dir.join(format!(".{lib_file}.lock"))
}

/// Does `path` still name the file `file` has open?
#[cfg(unix)]
fn still_named(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), std::fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn still_named(_: &File, path: &Path) -> bool {
    path.exists()
}

impl Lock {
    /// Take the lock, calling `on_wait` once if another process holds it.
    pub(crate) fn acquire(dir: &Path, lib_file: &str, on_wait: &dyn Fn(&Path)) -> Result<Lock> {
        let path = lock_path(dir, lib_file);
        let mut told = false;
        loop {
            let file = OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(&path)
                .map_err(|e| Error::io("create the lock file", &path, e))?;
            loop {
                match file.try_lock() {
                    Ok(()) => break,
                    Err(TryLockError::WouldBlock) => {
                        if !told {
                            on_wait(&path);
                            told = true;
                        }
                        interrupt::sleep(Duration::from_millis(100))?;
                    }
                    Err(TryLockError::Error(e)) => return Err(Error::io("lock", &path, e)),
                }
            }
            if still_named(&file, &path) {
                // An interrupted install takes its lock file with it too.
                let guard = interrupt::track(&path);
                return Ok(Lock { file, path, _guard: Some(guard) });
            }
            // The holder removed it: our lock guards nothing; lock the new one.
        }
    }

    /// The lock at `path` if nobody holds it now (for removing an idle
    /// leftover safely); `None` when an install holds it or it is gone.
    pub(crate) fn try_at(path: &Path) -> Option<Lock> {
        let file = OpenOptions::new().write(true).open(path).ok()?;
        file.try_lock().ok()?;
        still_named(&file, path).then(|| Lock { file, path: path.to_path_buf(), _guard: None })
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Remove the lock file while holding it, then let go.
    pub(crate) fn remove(self) {
        let _ = std::fs::remove_file(&self.path);
        drop(self.file);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_removed_lock_file_is_not_a_lock() {
        let dir = tempfile::tempdir().unwrap();
        let first = Lock::acquire(dir.path(), "lib.a", &|_| {}).unwrap();
        let path = lock_path(dir.path(), "lib.a");
        // A waiter holds the old file open when the holder removes it.
        let waiter = File::open(&path).unwrap();
        first.remove();
        assert!(!path.exists());
        assert!(!still_named(&waiter, &path), "the waiter's file is no longer the lock");
        let second = Lock::acquire(dir.path(), "lib.a", &|_| panic!("nobody holds it")).unwrap();
        assert!(still_named(&second.file, &path));
    }
}
