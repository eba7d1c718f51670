//! `slim-setup clean`: remove installed versions (library, aliases, manifests,
//! empty version folders) and leftovers, printing what is freed.

use std::path::{Path, PathBuf};

use indicatif::HumanBytes;

use crate::cli::CleanArgs;
use crate::domain::version::Version;
use crate::error::{Error, Result};
use crate::host::env::Env;
use crate::host::facts::{Ask, HostFacts};
use crate::plan;
use crate::store::lock::{self, Lock};
use crate::store::{fsutil, inventory, manifest};
use crate::ui::out::outln;

pub(crate) fn run(args: &CleanArgs, env: &Env, cwd: &Path) -> Result<()> {
    let version = args.version.as_deref().map(Version::parse).transpose()?.map(|v| v.to_string());
    let facts = HostFacts::gather(&Ask::inventory(&args.location), env, cwd)?;
    let scope = plan::scope(&args.location, env, &facts)?;
    let roots = scope.roots;
    let mut doomed: Vec<PathBuf> = Vec::new();
    // (folder, library) of each library removed: its lock is taken first.
    let mut locks: Vec<(PathBuf, String)> = Vec::new();
    if !args.leftovers {
        for item in inventory::scan(&roots) {
            if args.all || version.as_ref() == Some(&item.manifest.version) {
                let dir = item.lib.parent().map(Path::to_path_buf).unwrap_or_default();
                doomed.push(manifest::path_for(&item.lib));
                doomed.push(item.lib.clone());
                locks.push((dir, item.manifest.library.clone()));
            }
        }
        if doomed.is_empty() && !args.all {
            eprintln!("{} is not installed", version.as_deref().unwrap_or("nothing"));
        }
    }
    let (idle_locks, files): (Vec<PathBuf>, Vec<PathBuf>) =
        inventory::leftovers(&roots).into_iter().partition(|p| p.extension().is_some_and(|e| e == "lock"));
    doomed.extend(files);
    // Files an earlier build of this tool wrote into Go's module cache: the
    // folders there are Go's, read-only, and keep their mode.
    let in_modcache = scope.gomodcache.as_deref().map(inventory::in_module_cache).unwrap_or_default();
    doomed.extend(in_modcache.iter().cloned());
    doomed.sort();
    doomed.dedup();
    locks.sort();
    locks.dedup();
    let lock_paths: Vec<PathBuf> = locks.iter().map(|(dir, lib)| lock::lock_path(dir, lib)).collect();
    // An installed library's lock is already among `locks`.
    let idle_locks: Vec<PathBuf> = idle_locks.into_iter().filter(|p| !lock_paths.contains(p)).collect();
    // Each library's lock is taken before it is deleted, so a running
    // install finishes first; an idle leftover lock only if nobody holds it.
    let mut held: Vec<Lock> = Vec::new();
    if !args.dry_run {
        for (dir, name) in &locks {
            held.push(Lock::acquire(dir, name, &|p| {
                eprintln!("waiting for the install in progress in {} (lock {})", dir.display(), p.display())
            })?);
        }
        held.extend(idle_locks.iter().filter_map(|p| Lock::try_at(p)));
    }
    let mut freed = 0u64;
    let mut folders: Vec<PathBuf> = Vec::new();
    let mut seen = Vec::new();
    for path in doomed.iter().filter(|p| std::fs::symlink_metadata(p).is_ok()) {
        let meta = std::fs::symlink_metadata(path).map_err(|e| Error::io("read", path, e))?;
        // A musl library and its _gnu name are one file (a hard link): count it once.
        let size = if first_link(&meta, &mut seen) { meta.len() } else { 0 };
        outln!("{} {}", if args.dry_run { "would remove" } else { "removed" }, path.display())?;
        if in_modcache.contains(path) {
            if !args.dry_run {
                fsutil::remove_from_read_only_dir(path).map_err(|e| Error::io("remove", path, e))?;
            }
            freed += size;
            continue;
        }
        if !args.dry_run {
            std::fs::remove_file(path).map_err(|e| Error::io("remove", path, e))?;
        }
        freed += size;
        folders.extend(path.parent().map(Path::to_path_buf));
    }
    let lock_files: Vec<PathBuf> = if args.dry_run {
        lock_paths.iter().chain(&idle_locks).filter(|p| p.exists()).cloned().collect()
    } else {
        held.iter().map(|l| l.path().to_path_buf()).collect()
    };
    for path in &lock_files {
        outln!("{} {}", if args.dry_run { "would remove" } else { "removed" }, path.display())?;
        folders.extend(path.parent().map(Path::to_path_buf));
    }
    held.into_iter().for_each(Lock::remove);
    if !args.dry_run {
        // Version folders emptied by the removal go too; the roots stay.
        folders.sort();
        folders.dedup();
        for f in folders.iter().filter(|f| !roots.contains(f)) {
            let _ = std::fs::remove_dir(f);
        }
    }
    let verb = if args.dry_run { "would free" } else { "freed" };
    outln!("{verb} {}", HumanBytes(freed))?;
    Ok(())
}

#[cfg(unix)]
fn first_link(meta: &std::fs::Metadata, seen: &mut Vec<(u64, u64)>) -> bool {
    use std::os::unix::fs::MetadataExt;
    let id = (meta.dev(), meta.ino());
    if seen.contains(&id) {
        return false;
    }
    seen.push(id);
    true
}

#[cfg(not(unix))]
fn first_link(_: &std::fs::Metadata, _: &mut Vec<(u64, u64)>) -> bool {
    true
}
