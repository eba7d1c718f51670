//! Paths as the kernel walks them. cgo hands the linker
//! `-L$GOMODCACHE/.../slim-bindings-go@v1.4.0/../../../../../.cgo-cache/...`,
//! and the kernel resolves each `..` after following symbolic links: when
//! `GOPATH/pkg` or `pkg/mod` is a link to another disk (CI caches, Docker
//! volumes), the folder reached is relative to the link's target, not to the
//! text. Folding `..` on the text would install where the linker never looks.

use std::path::{Component, Path, PathBuf};

/// How planning turns a path into the one the kernel reaches. The host's is
/// `Kernel`; table tests plan with a lexical one, so planning stays pure.
pub(crate) trait Resolve: Sync {
    fn walk(&self, path: &Path) -> PathBuf;

    /// `base` joined with a relative `-L` part, walked.
    fn physical(&self, base: &Path, rel: &str) -> PathBuf {
        self.walk(&base.join(rel))
    }
}

/// The filesystem as it is: links followed, `..` taken after them.
pub(crate) struct Kernel;

impl Resolve for Kernel {
    fn walk(&self, path: &Path) -> PathBuf {
        walk(path)
    }
}

/// A path walked one name at a time as the kernel does: a name that exists
/// is followed if it is a link, `..` goes to the parent of where the walk
/// really is. Names that do not exist yet (the module folder before `go get`,
/// the cache folder before the first install) are taken as written: Go and
/// slim-setup create them as real folders, so the answer is the same before
/// and after they exist.
pub(crate) fn walk(path: &Path) -> PathBuf {
    if cfg!(windows) {
        // Links under GOPATH are rare there, and canonical Windows paths
        // (`\\?\C:\...`) would only make messages harder to read.
        return crate::domain::layout::resolve(path, "");
    }
    let mut out = PathBuf::new();
    // How many trailing parts of `out` do not exist (yet).
    let mut missing = 0usize;
    for comp in path.components() {
        match comp {
            Component::Prefix(_) | Component::RootDir => out.push(comp.as_os_str()),
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
                missing = missing.saturating_sub(1);
            }
            Component::Normal(name) => {
                out.push(name);
                if missing == 0 {
                    match std::fs::canonicalize(&out) {
                        Ok(real) => out = real,
                        Err(_) => missing = 1,
                    }
                } else {
                    missing += 1;
                }
            }
        }
    }
    out
}

/// `path` made absolute against `cwd` (Go refuses relative GOPATH entries;
/// a relative `--gopath` or `--cache-dir` means one under the current folder).
pub(crate) fn absolute(cwd: &Path, path: &Path) -> PathBuf {
    if path.is_absolute() { path.to_path_buf() } else { cwd.join(path) }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    #[test]
    fn dot_dot_after_a_link_climbs_from_the_link_target() {
        let t = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(t.path()).unwrap();
        let (gopath, disk) = (root.join("home/go"), root.join("disk"));
        std::fs::create_dir_all(&gopath).unwrap();
        std::fs::create_dir_all(disk.join("pkg/mod")).unwrap();
        symlink(disk.join("pkg"), gopath.join("pkg")).unwrap();
        let module = gopath.join("pkg/mod/github.com/agntcy/slim-bindings-go@v1.4.0");
        let rel = "../../../../../.cgo-cache/slim-bindings/v1.4.0";
        // Before `go get`: the module folder does not exist, pkg/mod does.
        let before = Kernel.physical(&module, rel);
        assert_eq!(before, disk.join(".cgo-cache/slim-bindings/v1.4.0"));
        // After: the same folder, now reached through real folders.
        std::fs::create_dir_all(&module).unwrap();
        assert_eq!(Kernel.physical(&module, rel), before);
        // The text alone would have said GOPATH/.cgo-cache.
        assert_eq!(
            crate::domain::layout::resolve(&module, rel),
            gopath.join(".cgo-cache/slim-bindings/v1.4.0")
        );
    }

    #[test]
    fn missing_parts_are_taken_as_written_and_existing_links_are_followed() {
        let t = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(t.path()).unwrap();
        std::fs::create_dir_all(root.join("real")).unwrap();
        symlink(root.join("real"), root.join("link")).unwrap();
        assert_eq!(walk(&root.join("link/a/b/../c")), root.join("real/a/c"));
        assert_eq!(walk(&root.join("nope/../link/x")), root.join("real/x"));
        assert_eq!(Kernel.physical(&root.join("link"), ""), root.join("real"));
        assert_eq!(absolute(Path::new("/w"), Path::new("g")), PathBuf::from("/w/g"));
        assert_eq!(absolute(Path::new("/w"), Path::new("/g")), PathBuf::from("/g"));
    }
}
