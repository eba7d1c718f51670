//! Running `go`, `slim-setup` and the built programs as an ordinary user.
//! Users are not root, but CI is: root writes into read-only folders (Go's
//! module cache is `r-x`) and so hides exactly the bugs users hit. When the
//! tests run as root, commands drop to `nobody` with `setpriv`, and the
//! folders they own are handed over with `give`; as any other user they run
//! as that user, who is already unprivileged. Elsewhere (Windows) there is
//! no root to drop: commands run as they are.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

/// nobody / nogroup.
pub const UID: u32 = 65534;
pub const GID: u32 = 65534;

#[cfg(unix)]
pub fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

#[cfg(not(unix))]
pub fn is_root() -> bool {
    false
}

fn setpriv() -> PathBuf {
    ["/usr/bin/setpriv", "/bin/setpriv"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
        .expect("setpriv (util-linux) is needed to drop root for the Go tests")
}

/// `program` to be run as the unprivileged user; add arguments as usual.
pub fn command(program: impl AsRef<OsStr>) -> Command {
    if !is_root() {
        return Command::new(program);
    }
    let mut cmd = Command::new(setpriv());
    cmd.args([format!("--reuid={UID}"), format!("--regid={GID}"), "--clear-groups".into(), "--".into()]);
    cmd.arg(program);
    cmd
}

/// Hands `path` and everything below it to the unprivileged user (when root).
pub fn give(path: &Path) {
    #[cfg(unix)]
    if is_root() {
        chown_all(path);
    }
    #[cfg(not(unix))]
    let _ = path;
}

#[cfg(unix)]
fn chown_all(path: &Path) {
    // Another test process may be filling a shared cache meanwhile: a file
    // that is gone by the time it is reached is no one's to hand over.
    match std::os::unix::fs::lchown(path, Some(UID), Some(GID)) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return,
        other => other.unwrap_or_else(|e| panic!("chown {}: {e}", path.display())),
    }
    let is_dir = std::fs::symlink_metadata(path).is_ok_and(|m| m.is_dir());
    if is_dir {
        for entry in std::fs::read_dir(path).into_iter().flatten().flatten() {
            chown_all(&entry.path());
        }
    }
}

/// A folder the unprivileged user owns (created if missing; handed over, with
/// its contents, when someone else owns it, e.g. a cache from a root run).
pub fn own_dir(path: &Path) -> PathBuf {
    std::fs::create_dir_all(path).unwrap_or_else(|e| panic!("create {}: {e}", path.display()));
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let owned = std::fs::metadata(path).is_ok_and(|m| !is_root() || m.uid() == UID);
        if !owned {
            give(path);
        }
    }
    path.to_path_buf()
}

/// Makes every folder under `path` writable by its owner again, so that a
/// test's temporary folder can be removed after Go made its module cache
/// read-only (root needs no such help; anyone else does).
#[cfg(unix)]
pub fn make_removable(path: &Path) {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let Ok(meta) = std::fs::symlink_metadata(path) else { return };
    if !meta.is_dir() {
        return;
    }
    let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(meta.mode() | 0o700));
    for entry in std::fs::read_dir(path).into_iter().flatten().flatten() {
        make_removable(&entry.path());
    }
}
