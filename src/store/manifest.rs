//! The record written beside each installed library: what it is, where it came
//! from and how to recognise it untouched (size and mtime; digests for
//! `verify`). Reading it plus one `stat` is the whole "already installed" check.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use crate::domain::sums::Sha256;
use crate::error::Result;

pub(crate) const SUFFIX: &str = ".slim-setup.json";

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Manifest {
    pub(crate) tool: String,
    pub(crate) version: String,
    pub(crate) triple: String,
    pub(crate) library: String,
    pub(crate) url: String,
    pub(crate) zip_sha256: Sha256,
    /// What vouched for the zip's digest; `None` when nothing was published.
    pub(crate) verified_by: Option<String>,
    pub(crate) lib_sha256: Sha256,
    pub(crate) size: u64,
    pub(crate) mtime_ns: u128,
    pub(crate) installed_at: u64,
}

/// Why an installed library cannot be trusted as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Damage {
    Missing,
    NotARegularFile,
    /// Its size is not the recorded one (truncated, appended to).
    Size {
        found: u64,
        recorded: u64,
    },
    /// Same size, but written after the install (a `stat` can tell no more).
    Modified,
    Unreadable(String),
    /// Re-hashed by `verify`: the bytes are not the ones installed.
    Changed {
        found: Sha256,
        recorded: Sha256,
    },
}

impl fmt::Display for Damage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Damage::Missing => f.write_str("missing"),
            Damage::NotARegularFile => f.write_str("not a regular file"),
            Damage::Size { found, recorded } => write!(f, "{found} bytes instead of {recorded}"),
            Damage::Modified => f.write_str("modified after installation"),
            Damage::Unreadable(why) => write!(f, "unreadable: {why}"),
            Damage::Changed { found, recorded } => write!(f, "sha256 {found} instead of {recorded}"),
        }
    }
}

pub(crate) fn path_for(lib: &Path) -> PathBuf {
    let mut p = lib.as_os_str().to_owned();
    p.push(SUFFIX);
    PathBuf::from(p)
}

pub(crate) fn read(lib: &Path) -> Option<Manifest> {
    let text = std::fs::read(path_for(lib)).ok()?;
    serde_json::from_slice(&text).ok()
}

pub(crate) fn mtime_ns(meta: &std::fs::Metadata) -> u128 {
    meta.modified().ok().and_then(|t| t.duration_since(UNIX_EPOCH).ok()).map(|d| d.as_nanos()).unwrap_or(0)
}

/// What a `stat` says is wrong with an installed library, or `None`.
pub(crate) fn damage(lib: &Path, m: &Manifest) -> Option<Damage> {
    let meta = match std::fs::symlink_metadata(lib) {
        Ok(meta) => meta,
        Err(_) => return Some(Damage::Missing),
    };
    if !meta.file_type().is_file() {
        return Some(Damage::NotARegularFile);
    }
    if meta.len() != m.size {
        return Some(Damage::Size { found: meta.len(), recorded: m.size });
    }
    (mtime_ns(&meta) != m.mtime_ns).then_some(Damage::Modified)
}

/// Installed, untouched, and of this version and triple.
pub(crate) fn intact(lib: &Path, version: &str, triple: &str) -> Option<Manifest> {
    let m = read(lib)?;
    (m.version == version && m.triple == triple && damage(lib, &m).is_none()).then_some(m)
}

/// Remove a library's manifest (if any), durably: until a new one is
/// written, the library counts as not installed.
pub(crate) fn remove(lib: &Path) -> Result<()> {
    let path = path_for(lib);
    match std::fs::remove_file(&path) {
        Ok(()) => {
            let dir = path.parent().unwrap_or(Path::new("."));
            super::fsutil::sync_dir(dir).map_err(|e| crate::error::Error::io("sync", dir, e))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(crate::error::Error::io("remove the manifest", path, e)),
    }
}

/// Written whole or not at all (and fsynced), so a reader never sees half a manifest.
pub(crate) fn write(lib: &Path, m: &Manifest) -> Result<()> {
    let json = serde_json::to_vec_pretty(m).expect("manifest serialises");
    super::atomic::write(&path_for(lib), &json)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest_for(lib: &Path) -> Manifest {
        let meta = std::fs::metadata(lib).unwrap();
        Manifest {
            tool: "slim-setup test".into(),
            version: "v1.4.0".into(),
            triple: "x86_64-unknown-linux-gnu".into(),
            library: "lib.a".into(),
            url: "file:///m".into(),
            zip_sha256: Sha256::from_bytes([1; 32]),
            verified_by: None,
            lib_sha256: Sha256::from_bytes([2; 32]),
            size: meta.len(),
            mtime_ns: mtime_ns(&meta),
            installed_at: 1,
        }
    }

    #[test]
    fn round_trip_and_each_kind_of_damage() {
        let dir = tempfile::tempdir().unwrap();
        let lib = dir.path().join("lib.a");
        std::fs::write(&lib, b"!<arch>\n").unwrap();
        let m = manifest_for(&lib);
        write(&lib, &m).unwrap();
        assert_eq!(read(&lib), Some(m.clone()));
        assert_eq!(intact(&lib, "v1.4.0", "x86_64-unknown-linux-gnu"), Some(m.clone()));
        assert_eq!(intact(&lib, "v1.3.0", "x86_64-unknown-linux-gnu"), None);

        std::fs::write(&lib, b"!<arch>\nmore").unwrap();
        assert_eq!(damage(&lib, &m), Some(Damage::Size { found: 12, recorded: 8 }));
        let touched = Manifest { size: 12, ..m.clone() };
        assert_eq!(damage(&lib, &touched), Some(Damage::Modified));
        std::fs::remove_file(&lib).unwrap();
        std::fs::create_dir(&lib).unwrap();
        assert_eq!(damage(&lib, &m), Some(Damage::NotARegularFile));
        std::fs::remove_dir(&lib).unwrap();
        assert_eq!(damage(&lib, &m), Some(Damage::Missing));
        assert_eq!(Damage::Size { found: 1, recorded: 2 }.to_string(), "1 bytes instead of 2");
    }
}
