//! Small filesystem helpers with the reasons they exist.

use std::fs::File;
use std::io;
use std::path::Path;

/// Temp files are created 0600; an installed library should read like any other
/// file in GOPATH (0644), never group- or world-writable.
pub(crate) fn set_readable(f: &File) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        f.set_permissions(std::fs::Permissions::from_mode(0o644))?;
    }
    #[cfg(not(unix))]
    let _ = f;
    Ok(())
}

/// Make a rename durable: fsync the folder that holds the new name.
pub(crate) fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// Is `path` a symbolic link (without following it)?
pub(crate) fn is_symlink(path: &Path) -> bool {
    std::fs::symlink_metadata(path).map(|m| m.file_type().is_symlink()).unwrap_or(false)
}

/// Remove a file from a folder that may be read-only (Go makes module-cache
/// folders `r-x`): make the folder writable for the moment, then restore its
/// mode, whether or not the removal worked.
pub(crate) fn remove_from_read_only_dir(path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let dir = path.parent().unwrap_or(Path::new("."));
        let before = std::fs::metadata(dir)?.permissions();
        let writable = before.mode() & 0o200 != 0;
        if !writable {
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(before.mode() | 0o200))?;
        }
        let removed = std::fs::remove_file(path);
        if !writable {
            std::fs::set_permissions(dir, before)?;
        }
        removed
    }
    #[cfg(not(unix))]
    std::fs::remove_file(path)
}
