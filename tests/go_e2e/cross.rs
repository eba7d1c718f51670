//! Cross builds and C libraries, through the real `go` and `zig cc`: linux/arm64
//! musl and gnu, windows/amd64 (v0.7.2's AppData folder included), darwin, fully
//! static musl builds after one prefetch of both musl libraries, a musl host,
//! and a vendored module linked with the flags `slim-setup env` prints.

use std::path::Path;

use super::harness::{Case, canonical, fixtures, only_target, path_of, qemu_aarch64, read, run, run_program};
use super::{HOST_LIB, HOST_TRIPLE, default_folder};
use crate::support::binfmt::{self, CPU_ARM64, CPU_X86_64, EM_AARCH64, EM_X86_64, PE_AMD64};

/// A CI job cross-compiling for linux/arm64 with zig, musl then gnu.
#[test]
#[ignore = "needs Go and zig: run scripts/test"]
fn cross_build_linux_arm64_musl_and_gnu() {
    let fx = fixtures();
    let case = Case::new(fx, "arm64");
    case.consumer("v2.1.0");
    let qemu = qemu_aarch64();

    let target =
        only_target(&case.install_checked(&["--goos", "linux", "--goarch", "arm64", "--libc", "musl"]))
            .clone();
    assert_eq!(target["triple"], "aarch64-unknown-linux-musl");
    // Every published cgo line links the _gnu name, also for musl builds.
    assert!(path_of(&target).ends_with("v2.1.0/libslim_bindings_aarch64_linux_gnu.a"), "{target}");
    let cc = fx.zig_cc("aarch64-linux-musl");
    let bin = case.build_ok("app-arm64-musl", &[("GOOS", "linux"), ("GOARCH", "arm64"), ("CC", &cc)], &[]);
    let bytes = read(&bin);
    let elf = binfmt::elf(&bytes, "arm64 musl build");
    assert_eq!(elf.machine, EM_AARCH64);
    assert_eq!(elf.interp, None, "zig's musl links statically");
    assert!(binfmt::contains(&bytes, b"aarch64-unknown-linux-musl"));
    assert_eq!(run_program(&bin, Some(&qemu)), "aarch64-unknown-linux-musl\n");

    // gnu for the same platform replaces the musl archive under the same name.
    let target = only_target(&case.install_checked(&["--goos", "linux", "--goarch", "arm64"])).clone();
    assert_eq!(target["triple"], "aarch64-unknown-linux-gnu");
    assert_eq!(
        target["status"], "reinstalled",
        "the musl archive under the _gnu name must be replaced: {target}"
    );
    let cc = fx.zig_cc("aarch64-linux-gnu");
    let bin = case.build_ok("app-arm64-gnu", &[("GOOS", "linux"), ("GOARCH", "arm64"), ("CC", &cc)], &[]);
    let bytes = read(&bin);
    let elf = binfmt::elf(&bytes, "arm64 gnu build");
    assert_eq!(elf.machine, EM_AARCH64);
    assert_eq!(elf.interp.as_deref(), Some("/lib/ld-linux-aarch64.so.1"));
    assert!(!elf.needed.iter().any(|n| n.contains("slim")), "needs a SLIM shared library: {:?}", elf.needed);
    assert!(binfmt::contains(&bytes, b"aarch64-unknown-linux-gnu"));
    assert!(!binfmt::contains(&bytes, b"aarch64-unknown-linux-musl"), "still linked the musl archive");
    // Not run: qemu would need an arm64 glibc sysroot.
}

/// windows/amd64 with zig as the C compiler (mingw), for the flat layout and
/// for v0.7.2, whose windows line looks in the parent of GOPATH + AppData/Local.
#[test]
#[ignore = "needs Go and zig: run scripts/test"]
fn cross_build_windows_amd64() {
    let fx = fixtures();
    for version in ["v1.2.0", "v0.7.2"] {
        let case = Case::new(fx, &format!("windows-{version}"));
        case.consumer(version);
        let target = only_target(&case.install_checked(&["--goos", "windows", "--goarch", "amd64"])).clone();
        assert_eq!(target["triple"], "x86_64-pc-windows-gnu");
        let installed = path_of(&target);
        let folder = match version {
            "v0.7.2" => case.home.join("AppData/Local/slim-bindings"),
            _ => case.default_gopath().join(".cgo-cache/slim-bindings"),
        };
        assert_eq!(canonical(&installed), canonical(&folder.join("libslim_bindings_x86_64_windows_gnu.a")));
        // The zip's .dll and .dll.a import library must have been left out.
        for entry in std::fs::read_dir(installed.parent().expect("folder")).expect("list install folder") {
            let name = entry.expect("entry").file_name().to_string_lossy().into_owned();
            assert!(!name.ends_with(".dll") && !name.ends_with(".dll.a"), "installed {name}");
        }
        let cc = fx.zig_cc("x86_64-windows-gnu");
        let bin = case.build_ok("app.exe", &[("GOOS", "windows"), ("GOARCH", "amd64"), ("CC", &cc)], &[]);
        let bytes = read(&bin);
        assert_eq!(binfmt::pe_machine(&bytes, "windows build"), PE_AMD64);
        assert!(binfmt::contains(&bytes, b"x86_64-pc-windows-gnu"), "the fixture library is not linked in");
        assert!(!binfmt::contains(&bytes, b"slim_bindings_x86_64_windows_gnu.dll"), "imports the SLIM DLL");
    }
}

/// darwin/arm64 links with zig (with an empty libresolv stub and no
/// DWARF, see the README); darwin/amd64's archive is checked object by object.
#[test]
#[ignore = "needs Go and zig: run scripts/test"]
fn cross_build_darwin() {
    let fx = fixtures();
    let case = Case::new(fx, "darwin");
    case.consumer("v1.4.0");
    let target = only_target(&case.install_checked(&["--goos", "darwin", "--goarch", "arm64"])).clone();
    assert_eq!(target["triple"], "aarch64-apple-darwin");
    assert!(path_of(&target).ends_with("v1.4.0/libslim_bindings_aarch64_darwin.a"), "{target}");
    let cc = fx.zig_cc("aarch64-macos");
    let ldflags = format!("-O2 -g -L{}", fx.darwin_stubs.display());
    let env =
        [("GOOS", "darwin"), ("GOARCH", "arm64"), ("CC", cc.as_str()), ("CGO_LDFLAGS", ldflags.as_str())];
    // -w: with DWARF, Go's darwin link runs the host's `strip`, which cannot read Mach-O.
    let bin = case.build_ok("app-darwin", &env, &["-ldflags=-w"]);
    let bytes = read(&bin);
    assert_eq!(binfmt::macho_cputype(&bytes), Some(CPU_ARM64), "not an arm64 Mach-O");
    assert!(binfmt::contains(&bytes, b"aarch64-apple-darwin"), "the fixture library is not linked in");
    assert!(!binfmt::contains(&bytes, b"libslim_bindings_aarch64_darwin.dylib"), "loads the SLIM dylib");

    let target = only_target(&case.install_json(&["--goos", "darwin", "--goarch", "amd64"])).clone();
    assert_eq!(target["triple"], "x86_64-apple-darwin");
    let installed = path_of(&target);
    assert!(installed.ends_with("v1.4.0/libslim_bindings_x86_64_darwin.a"), "{target}");
    let members = binfmt::ar_members(&read(&installed), "darwin/amd64 archive");
    assert!(!members.is_empty(), "no objects in {}", installed.display());
    for (name, data) in &members {
        assert_eq!(
            binfmt::macho_cputype(data),
            Some(CPU_X86_64),
            "member {name} is not an x86_64 Mach-O object"
        );
    }
}

/// Without the front (as a CI job that prefetches): both musl libraries in
/// one call, then fully static builds for linux/amd64 and linux/arm64.
#[test]
#[ignore = "needs Go and zig: run scripts/test"]
fn prefetch_both_musl_libraries_then_fully_static_builds() {
    let fx = fixtures();
    let case = Case::new(fx, "docker");
    case.consumer("v1.4.0");
    let doc = case.install_checked(&[
        "--target",
        "x86_64-unknown-linux-musl",
        "--target",
        "aarch64-unknown-linux-musl",
    ]);
    let targets = doc["targets"].as_array().expect("targets[]");
    assert_eq!(targets.len(), 2, "{doc}");
    let qemu = qemu_aarch64();
    for (goarch, zig_target, triple, machine) in [
        ("amd64", "x86_64-linux-musl", "x86_64-unknown-linux-musl", EM_X86_64),
        ("arm64", "aarch64-linux-musl", "aarch64-unknown-linux-musl", EM_AARCH64),
    ] {
        let cc = fx.zig_cc(zig_target);
        let env = [("GOOS", "linux"), ("GOARCH", goarch), ("CC", cc.as_str())];
        let bin = case.build_ok(&format!("static-{goarch}"), &env, &["-ldflags", "-extldflags -static"]);
        let elf = binfmt::elf(&read(&bin), triple);
        assert_eq!(elf.machine, machine, "{triple}");
        assert_eq!(elf.interp, None, "{triple}: has a dynamic loader");
        assert!(!elf.has_dynamic && elf.needed.is_empty(), "{triple}: dynamic section {:?}", elf.needed);
        if Path::new("/usr/bin/file").exists() {
            let out = run(std::process::Command::new("/usr/bin/file").arg(&bin), "file");
            let text = String::from_utf8_lossy(&out.stdout);
            assert!(text.contains("statically linked"), "file says: {text}");
        }
        let emulator = (goarch == "arm64").then_some(qemu.as_path());
        assert_eq!(run_program(&bin, emulator), format!("{triple}\n"));
    }
}

/// A musl host: cgo asks for the _gnu name, so `--libc musl` must put
/// the musl archive there (and say so); musl is also detected from CC.
#[test]
#[ignore = "needs Go and zig: run scripts/test"]
fn musl_host_gets_the_musl_archive_under_the_gnu_name() {
    let fx = fixtures();
    let mut case = Case::new(fx, "muslhost");
    case.consumer("v2.1.0");
    let out = run(&mut case.slim_setup(&["--libc", "musl"]), "slim-setup --libc musl");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    let gnu_path = default_folder(&case, "v2.1.0").join(HOST_LIB);
    assert!(text.contains(&gnu_path.display().to_string()), "output does not name the _gnu file:\n{text}");
    assert!(text.contains("x86_64-unknown-linux-musl"), "output does not name the musl target:\n{text}");

    let cc = fx.zig_cc("x86_64-linux-musl");
    let bin = case.build_ok("app-musl", &[("CC", &cc)], &[]);
    assert_eq!(run_program(&bin, None), "x86_64-unknown-linux-musl\n");

    // The C compiler cgo will use decides the libc when --libc is not given.
    case.set("CC", Some(&cc));
    let target = only_target(&case.install_json(&[])).clone();
    assert_eq!(target["triple"], "x86_64-unknown-linux-musl", "musl not detected from CC: {target}");

    // With the host's gcc (glibc), the glibc archive replaces it, and a musl
    // link then fails on the glibc-only symbol: the two archives really differ.
    case.set("CC", None::<&str>);
    let target = only_target(&case.install_json(&[])).clone();
    assert_eq!(target["triple"], HOST_TRIPLE);
    let (out, _) = case.build("app-musl-wrong", &[("CC", &cc)], &[]);
    assert!(!out.status.success(), "a musl link of the glibc archive should fail");
    assert!(String::from_utf8_lossy(&out.stderr).contains("gnu_get_libc_version"));
}

/// A vendored module resolves `${SRCDIR}` inside vendor/, so the cgo
/// `-L` misses; with the library in a custom folder, `slim-setup env` gives the
/// CGO_LDFLAGS that a real `go build -mod=vendor` links with.
#[test]
#[ignore = "needs Go and zig: run scripts/test"]
fn vendored_build_links_with_the_flags_slim_setup_env_prints() {
    let fx = fixtures();
    let case = Case::new(fx, "vendor");
    case.consumer("v1.4.0");
    run(&mut case.go(&["mod", "vendor"]), "go mod vendor");
    // A folder name a shell and go's flag splitter would both misread.
    let libs = case.root().join("libs $HOME `id` it's");
    let libs_arg = libs.to_str().expect("utf-8 path");
    let doc = case.install_json(&["--cache-dir", libs_arg]);
    assert_eq!(path_of(only_target(&doc)), libs.join(HOST_LIB));

    let (without, _) = case.build("without-env", &[], &["-mod=vendor"]);
    assert!(!without.status.success(), "a vendored build linked without CGO_LDFLAGS");

    let out =
        run(&mut case.slim_setup_bare(&["env", "--cache-dir", libs_arg, "--shell", "sh"]), "slim-setup env");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let ldflags = crate::support::cmd::sh_eval(&stdout, "CGO_LDFLAGS");
    assert_eq!(crate::support::cmd::sh_eval(&stdout, "CGO_ENABLED"), "1");
    assert!(String::from_utf8_lossy(&out.stderr).contains("needed"), "env should say it is needed here");
    let bin = case.build_ok("with-env", &[("CGO_LDFLAGS", &ldflags)], &["-mod=vendor"]);
    assert_eq!(run_program(&bin, None), format!("{HOST_TRIPLE}\n"));
}
