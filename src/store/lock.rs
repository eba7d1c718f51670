//! One installer per library file at a time. Parallel CI jobs sharing a GOPATH
//! take an exclusive OS lock on `.{library}.lock` in the destination folder; the
//! others wait (saying so), then find the library installed. OS locks vanish
//! with their process, so a killed run never leaves a lock that blocks.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::error::{Error, Result};
use crate::interrupt;

pub(crate) struct Lock {
    _file: File,
}

pub(crate) fn lock_path(dir: &Path, lib_file: &str) -> PathBuf {
    dir.join(format!(".{lib_file}.lock"))
}

impl Lock {
    /// Take the lock, calling `on_wait` once if another process holds it.
    pub(crate) fn acquire(dir: &Path, lib_file: &str, on_wait: &dyn Fn(&Path)) -> Result<Lock> {
        let path = lock_path(dir, lib_file);
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| Error::io("create the lock file", &path, e))?;
        let mut told = false;
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(Lock { _file: file }),
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
    }
}
