//! The record written beside each installed library: what it is, where it came
//! from and how to recognise it untouched (size and mtime; digests for
//! `verify`). Reading it plus one `stat` is the whole "already installed" check.

use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use crate::domain::sums::Sha256;
use crate::error::{Error, Result};

pub const SUFFIX: &str = ".slim-setup.json";

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Manifest {
    pub tool: String,
    pub version: String,
    pub triple: String,
    pub library: String,
    pub url: String,
    pub zip_sha256: Sha256,
    /// What vouched for the zip's digest; `None` when nothing was published.
    pub verified_by: Option<String>,
    pub lib_sha256: Sha256,
    pub size: u64,
    pub mtime_ns: u128,
    pub installed_at: u64,
}

pub fn path_for(lib: &Path) -> PathBuf {
    let mut p = lib.as_os_str().to_owned();
    p.push(SUFFIX);
    PathBuf::from(p)
}

pub fn read(lib: &Path) -> Option<Manifest> {
    let text = std::fs::read(path_for(lib)).ok()?;
    serde_json::from_slice(&text).ok()
}

pub fn mtime_ns(meta: &std::fs::Metadata) -> u128 {
    meta.modified().ok().and_then(|t| t.duration_since(UNIX_EPOCH).ok()).map(|d| d.as_nanos()).unwrap_or(0)
}

/// Why an installed library cannot be trusted as is, or `None` when it can.
pub fn damage(lib: &Path, m: &Manifest) -> Option<String> {
    let meta = match std::fs::symlink_metadata(lib) {
        Ok(meta) => meta,
        Err(_) => return Some("missing".into()),
    };
    if !meta.file_type().is_file() {
        return Some("not a regular file".into());
    }
    if meta.len() != m.size {
        return Some(format!("{} bytes instead of {}", meta.len(), m.size));
    }
    if mtime_ns(&meta) != m.mtime_ns {
        return Some("modified after installation".into());
    }
    None
}

/// Installed, untouched, and of this version and triple.
pub fn intact(lib: &Path, version: &str, triple: &str) -> Option<Manifest> {
    let m = read(lib)?;
    (m.version == version && m.triple == triple && damage(lib, &m).is_none()).then_some(m)
}

/// Write atomically (temp + rename) so a reader never sees half a manifest.
pub fn write(lib: &Path, m: &Manifest) -> Result<()> {
    let path = path_for(lib);
    let dir = path.parent().unwrap_or(Path::new("."));
    let json = serde_json::to_vec_pretty(m).expect("manifest serialises");
    let mut tmp = tempfile::Builder::new()
        .prefix(".slim-setup-manifest-")
        .tempfile_in(dir)
        .map_err(|e| Error::io("write a manifest in", dir, e))?;
    std::io::Write::write_all(&mut tmp, &json).map_err(|e| Error::io("write", tmp.path(), e))?;
    super::fsutil::set_readable(tmp.as_file()).map_err(|e| Error::io("set permissions of", tmp.path(), e))?;
    tmp.persist(&path).map_err(|e| Error::io("write", &path, e.error))?;
    Ok(())
}
