//! What is installed under the cache roots (found through the manifests), and
//! what earlier runs left behind: temp files of interrupted installs, spool
//! files and lock files no process holds.

use std::fs::{File, TryLockError};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256 as Hasher};

use super::manifest::{self, Damage, Manifest, SUFFIX};
use crate::domain::sums::Sha256;

#[derive(Debug, Clone)]
pub(crate) struct Installed {
    pub(crate) lib: PathBuf,
    pub(crate) manifest: Manifest,
    /// From a `stat` only; `verify` hashes.
    pub(crate) damage: Option<Damage>,
}

/// Files up to `depth` folders below `dir`. Folders reached through symbolic
/// links are walked too (a version folder on another disk is still an
/// install); the depth bounds any loop of links.
fn walk(dir: &Path, depth: usize, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        let kind = match e.file_type() {
            Ok(t) if t.is_symlink() => std::fs::metadata(&p).map(|m| m.file_type()),
            other => other,
        };
        match kind {
            Ok(t) if t.is_dir() && depth > 0 => walk(&p, depth - 1, out),
            Ok(t) if t.is_file() => out.push(p),
            _ => {}
        }
    }
}

/// Every file under the roots, each once: roots may overlap through links,
/// so a file reached by two paths keeps the first.
fn files_under(roots: &[PathBuf]) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for r in roots {
        walk(r, 2, &mut files);
    }
    let mut seen = std::collections::HashSet::new();
    files.retain(|f| seen.insert(std::fs::canonicalize(f).unwrap_or_else(|_| f.clone())));
    files.sort();
    files
}

pub(crate) fn scan(roots: &[PathBuf]) -> Vec<Installed> {
    files_under(roots)
        .into_iter()
        .filter_map(|p| {
            let name = p.file_name()?.to_str()?;
            let lib_name = name.strip_suffix(SUFFIX)?;
            let lib = p.with_file_name(lib_name);
            let manifest = manifest::read(&lib)?;
            let damage = manifest::damage(&lib, &manifest);
            Some(Installed { lib, manifest, damage })
        })
        .collect()
}

/// Re-hash a library; `None` when it matches its manifest, else why not.
pub(crate) fn verify(item: &Installed) -> Option<Damage> {
    let mut f = match File::open(&item.lib) {
        Ok(f) => f,
        Err(_) => return Some(Damage::Missing),
    };
    let (found, n) = match hash(&mut f) {
        Ok(h) => h,
        Err(e) => return Some(Damage::Unreadable(e.to_string())),
    };
    if n != item.manifest.size {
        return Some(Damage::Size { found: n, recorded: item.manifest.size });
    }
    let recorded = item.manifest.lib_sha256;
    (found != recorded).then_some(Damage::Changed { found, recorded })
}

/// The sha256 of a file, when it can be read.
pub(crate) fn hash_file(path: &Path) -> Option<Sha256> {
    File::open(path).and_then(|mut f| hash(&mut f)).ok().map(|(d, _)| d)
}

fn hash(f: &mut File) -> std::io::Result<(Sha256, u64)> {
    let mut h = Hasher::new();
    let mut buf = vec![0u8; 1024 * 1024];
    let mut n = 0u64;
    loop {
        match std::io::Read::read(f, &mut buf)? {
            0 => return Ok((Sha256::from_bytes(h.finalize().into()), n)),
            k => {
                h.update(&buf[..k]);
                n += k as u64;
            }
        }
    }
}

/// Temporaries (`store::atomic`), spool files, and the temporary names
/// earlier versions of the tool used for manifests and aliases.
fn is_leftover_name(name: &str) -> bool {
    (name.starts_with('.') && name.ends_with(".tmp"))
        || name.starts_with(".slim-setup-spool-")
        || name.starts_with(".slim-setup-manifest-")
        || name.starts_with(".slim-setup-alias-")
}

/// Is some process holding a lock in this folder (an install under way)?
fn folder_busy(dir: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else { return false };
    entries.flatten().any(|e| {
        let name = e.file_name();
        let name = name.to_string_lossy();
        name.starts_with('.')
            && name.ends_with(".lock")
            && File::open(e.path()).is_ok_and(|f| matches!(f.try_lock(), Err(TryLockError::WouldBlock)))
    })
}

/// Files earlier builds of this tool wrote into Go's module cache (run as
/// root, they could write into the bindings' own read-only folder): the
/// library and its manifest, locks and temp files. `go mod verify` reports a
/// module holding them as modified. Only files slim-setup names are listed;
/// a library counts only with its manifest beside it.
pub(crate) fn in_module_cache(gomodcache: &Path) -> Vec<PathBuf> {
    let owner = gomodcache.join("github.com/agntcy");
    let mut modules: Vec<PathBuf> = Vec::new();
    for dir in [owner.clone(), owner.join("slim-bindings-go")] {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        modules.extend(entries.flatten().map(|e| e.path()).filter(|p| {
            p.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                n.starts_with("slim-bindings-go@") || (dir != owner && n.starts_with("v") && n.contains('@'))
            })
        }));
    }
    let files = files_under(&modules);
    files
        .iter()
        .filter(|p| {
            let Some(name) = p.file_name().and_then(|n| n.to_str()) else { return false };
            let ours = name.starts_with(".libslim_bindings") && name.ends_with(".lock");
            let library = name.starts_with("libslim_bindings") && files.contains(&manifest::path_for(p));
            ours || library || name.ends_with(SUFFIX) || is_leftover_name(name)
        })
        .cloned()
        .collect()
}

/// Files an interrupted or finished run left behind, skipping folders where an
/// install is running right now.
pub(crate) fn leftovers(roots: &[PathBuf]) -> Vec<PathBuf> {
    files_under(roots)
        .into_iter()
        .filter(|p| {
            let Some(name) = p.file_name().and_then(|n| n.to_str()) else { return false };
            let lock = name.starts_with('.') && name.ends_with(".lock");
            (is_leftover_name(name) || lock) && !p.parent().is_some_and(folder_busy)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leftovers_are_temporaries_spools_and_idle_locks_but_never_libraries() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("v1.4.0");
        std::fs::create_dir_all(&dir).unwrap();
        for name in [
            "libslim_bindings_x86_64_linux_gnu.a",
            "libslim_bindings_x86_64_linux_gnu.a.slim-setup.json",
            ".libslim_bindings_x86_64_linux_gnu.a.Ab12Cd.tmp",
            ".slim-setup-spool-x1.zip",
            ".libslim_bindings_x86_64_linux_gnu.a.lock",
        ] {
            std::fs::write(dir.join(name), b"").unwrap();
        }
        let found: Vec<String> = leftovers(&[root.path().to_path_buf()])
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            found,
            [
                ".libslim_bindings_x86_64_linux_gnu.a.Ab12Cd.tmp",
                ".libslim_bindings_x86_64_linux_gnu.a.lock",
                ".slim-setup-spool-x1.zip"
            ]
        );
        // A lock some process holds marks an install under way: its folder is left alone.
        let held = std::fs::File::open(dir.join(".libslim_bindings_x86_64_linux_gnu.a.lock")).unwrap();
        held.lock().unwrap();
        assert!(leftovers(&[root.path().to_path_buf()]).is_empty());
    }

    #[test]
    fn verify_tells_changed_bytes_from_a_wrong_size() {
        let dir = tempfile::tempdir().unwrap();
        let lib = dir.path().join("lib.a");
        std::fs::write(&lib, b"abcd").unwrap();
        let good = Sha256::from_bytes(Hasher::digest(b"abcd").into());
        let m = |size, lib_sha256| Manifest {
            tool: String::new(),
            version: "v1.4.0".into(),
            triple: "t".into(),
            library: "lib.a".into(),
            url: String::new(),
            zip_sha256: good,
            verified_by: None,
            lib_sha256,
            size,
            mtime_ns: 0,
            installed_at: 0,
        };
        let item = |manifest| Installed { lib: lib.clone(), manifest, damage: None };
        assert_eq!(verify(&item(m(4, good))), None);
        assert_eq!(verify(&item(m(5, good))), Some(Damage::Size { found: 4, recorded: 5 }));
        let other = Sha256::from_bytes([0; 32]);
        assert_eq!(verify(&item(m(4, other))), Some(Damage::Changed { found: good, recorded: other }));
    }
}
