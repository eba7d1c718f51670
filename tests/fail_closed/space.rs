//! Free space is checked before a large write starts, on a real 2 MiB
//! tmpfs: the library, or the archive's temporary copy on the spool route,
//! does not fit, and the install says how much it needs before writing.
//! Mounting needs root: ignored by default, run by scripts/test, which
//! says loudly when it skips them (not root).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::run;
use crate::support::case::{Case, GNU, entry_name};
use crate::support::fixtures::{self, ZipEntry, library_for};

/// A 2 MiB tmpfs, unmounted when dropped.
struct Tmpfs {
    _parent: tempfile::TempDir,
    at: PathBuf,
}

impl Tmpfs {
    fn mount() -> Tmpfs {
        let parent = tempfile::tempdir().expect("tempdir");
        let at = parent.path().join("small");
        std::fs::create_dir(&at).unwrap();
        let ok = Command::new("mount").args(["-t", "tmpfs", "-o", "size=2m", "tmpfs"]).arg(&at).status();
        assert!(
            ok.is_ok_and(|s| s.success()),
            "mount -t tmpfs needs root (scripts/test skips these when not root)"
        );
        Tmpfs { _parent: parent, at }
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.at).status();
    }
}

fn empty(dir: &Path) -> bool {
    std::fs::read_dir(dir).map(|mut d| d.next().is_none()).unwrap_or(true)
}

/// 3 MiB of library on a 2 MiB filesystem, by each route.
#[test]
#[ignore = "mounts a 2 MiB tmpfs (root): run scripts/test"]
fn no_room_is_said_before_anything_is_written() {
    let lib = library_for(GNU, 3 << 20);
    let routes = [
        ("stream", fixtures::zip(&[ZipEntry::file(entry_name(GNU), lib.clone())]), "the library needs"),
        (
            "spool",
            fixtures::zip(&[ZipEntry::file(entry_name(GNU), lib.clone()).stored().with_data_descriptor()]),
            "the archive's temporary copy needs",
        ),
    ];
    for (route, zip, needle) in routes {
        let fs = Tmpfs::mount();
        let mut c = Case::new();
        c.dest = fs.at.clone();
        c.publish(GNU, &zip);
        let r = run(c.install(GNU)).fails(1);
        r.error(&["not enough space", needle, "is free", &fs.at.display().to_string()]);
        r.says(&["hint:", "--cache-dir"]);
        assert!(
            empty(&fs.at),
            "{route}: left {:?}\n{r}",
            std::fs::read_dir(&fs.at).unwrap().collect::<Vec<_>>()
        );
    }
}
