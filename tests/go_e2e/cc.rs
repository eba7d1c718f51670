//! The C compiler front through the real go and cgo, as an unprivileged user,
//! with the byte-exact published cgo lines: only `CC="slim-setup cc gcc"` (or
//! a zig cc behind it) and the mirror in SLIM_BINDINGS_BASE_URL are set, and
//! slim-setup is never run as a step. Every published layout links; a second
//! build downloads nothing; a newer version after `go get` arrives with the
//! next build; zig cross builds; gnu and static musl builds alternate with
//! both libraries side by side; parallel links of several programs and of two
//! builds at once download once; offline fails with slim-setup's message; and
//! `slim-setup cc --setup` makes a plain `go build` use the front. After every
//! build the module cache is untouched and `go mod verify` passes. Downloads
//! are counted on a prefix of the fixture server that only one case uses.

use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use super::harness::{
    Case, Fixtures, VERSIONS, build_lock, canonical, fixtures, qemu_aarch64, read, run, run_program,
};
use super::{HOST_LIB, HOST_TRIPLE, default_folder};
use crate::support::binfmt::{self, EM_AARCH64, EM_X86_64, PE_AMD64};
use crate::support::server::{Fault, Gate, Route};

const BIN: &str = env!("CARGO_BIN_EXE_slim-setup");
const MUSL_LIB: &str = "libslim_bindings_x86_64_linux_musl.a";

/// `CC` for the front around `real`.
fn front(real: &str) -> String {
    format!("{BIN} cc {real}")
}

/// The release fixtures under a prefix of the fixture server that only one
/// case uses, so its downloads can be counted.
struct Mirror {
    fx: &'static Fixtures,
    prefix: String,
}

impl Mirror {
    fn new(fx: &'static Fixtures, name: &str) -> Mirror {
        static N: AtomicUsize = AtomicUsize::new(0);
        let prefix = format!("/cc-{}-{name}-{}", std::process::id(), N.fetch_add(1, Ordering::SeqCst));
        fx.server.serve_dir(&prefix, &fx.releases);
        Mirror { fx, prefix }
    }

    fn base_url(&self) -> String {
        self.fx.server.url_for(&self.prefix)
    }

    /// Requests for `triple`'s archive of `version`.
    fn downloads(&self, version: &str, triple: &str) -> usize {
        let asset = format!("{version}/slim-bindings-{triple}.zip");
        self.fx
            .server
            .requests()
            .iter()
            .filter(|r| r.path.starts_with(&self.prefix) && r.path.ends_with(&asset))
            .count()
    }

    fn requests(&self) -> usize {
        self.fx.server.requests().iter().filter(|r| r.path.starts_with(&self.prefix)).count()
    }
}

/// A case whose builds find the mirror in SLIM_BINDINGS_BASE_URL (go passes
/// its environment on to the C compiler).
fn front_case(fx: &'static Fixtures, name: &str) -> (Case, Mirror) {
    let mut case = Case::new(fx, name);
    let mirror = Mirror::new(fx, name);
    case.set("SLIM_BINDINGS_BASE_URL", Some(mirror.base_url()));
    (case, mirror)
}

/// The lines the front printed in a build's output.
fn said(out: &Output) -> Vec<String> {
    String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter(|l| l.starts_with("slim-setup"))
        .map(str::to_string)
        .collect()
}

fn built(out: &Output, what: &str) {
    assert!(out.status.success(), "{what} failed:\n{}", String::from_utf8_lossy(&out.stderr));
}

/// The one line of an install: `slim-setup: installed FILE VERSION (SIZE, sha256 verified)`.
fn assert_installed_line(out: &Output, file: &str, version: &str) {
    let lines = said(out);
    assert_eq!(lines.len(), 1, "one line from slim-setup, got {lines:?}");
    let prefix = format!("slim-setup: installed {file} {version} (");
    assert!(lines[0].starts_with(&prefix) && lines[0].ends_with(", sha256 verified)"), "{lines:?}");
}

#[test]
#[ignore = "needs Go and zig: run scripts/test"]
fn with_only_cc_set_every_published_layout_links_and_a_second_build_downloads_nothing() {
    let fx = fixtures();
    let cc = front("gcc");
    for version in VERSIONS {
        let (case, mirror) = front_case(fx, &format!("front-{version}"));
        case.consumer(version);
        let (out, bin) = case.build_checked("app", &[("CC", &cc)], &[]);
        built(&out, version);
        assert_installed_line(&out, HOST_LIB, version);
        assert_eq!(run_program(&bin, None), format!("{HOST_TRIPLE}\n"), "{version}");
        let installed = default_folder(&case, version).join(HOST_LIB);
        assert!(read(&installed).starts_with(b"!<arch>\n"), "{version}: {}", installed.display());
        assert_eq!(mirror.downloads(version, HOST_TRIPLE), 1, "{version}");

        let (out, bin) = case.build_checked("app-again", &[("CC", &cc)], &[]);
        built(&out, version);
        assert_eq!(
            said(&out),
            Vec::<String>::new(),
            "{version}: the front says nothing when it installs nothing"
        );
        assert_eq!(mirror.downloads(version, HOST_TRIPLE), 1, "{version}: downloaded again");
        assert_eq!(run_program(&bin, None), format!("{HOST_TRIPLE}\n"));
    }
}

#[test]
#[ignore = "needs Go and zig: run scripts/test"]
fn go_get_of_a_newer_version_then_go_build_fetches_the_new_library() {
    let fx = fixtures();
    let cc = front("gcc");
    let (case, mirror) = front_case(fx, "front-upgrade");
    case.consumer("v1.2.0");
    let (out, _) = case.build_checked("app-old", &[("CC", &cc)], &[]);
    built(&out, "v1.2.0");
    assert_installed_line(&out, HOST_LIB, "v1.2.0");
    run(&mut case.go(&["get", "github.com/agntcy/slim-bindings-go@v1.4.0"]), "go get v1.4.0");
    let (out, bin) = case.build_checked("app-new", &[("CC", &cc)], &[]);
    built(&out, "v1.4.0");
    assert_installed_line(&out, HOST_LIB, "v1.4.0");
    assert_eq!(run_program(&bin, None), format!("{HOST_TRIPLE}\n"));
    let manifest = default_folder(&case, "v1.4.0").join(format!("{HOST_LIB}.slim-setup.json"));
    let doc: serde_json::Value = serde_json::from_slice(&read(&manifest)).expect("manifest JSON");
    assert_eq!(doc["version"], "v1.4.0");
    assert_eq!((mirror.downloads("v1.2.0", HOST_TRIPLE), mirror.downloads("v1.4.0", HOST_TRIPLE)), (1, 1));
}

/// zig cc behind the front: linux/arm64 with musl (its own `_musl` name, the
/// link rewritten, run under qemu) and windows/amd64.
#[test]
#[ignore = "needs Go and zig: run scripts/test"]
fn zig_cross_builds_through_the_front() {
    let fx = fixtures();
    let (case, mirror) = front_case(fx, "front-cross");
    case.consumer("v2.1.0");
    let cc = front(&fx.zig_cc("aarch64-linux-musl"));
    let env = [("GOOS", "linux"), ("GOARCH", "arm64"), ("CC", cc.as_str())];
    let (out, bin) = case.build_checked("app-arm64-musl", &env, &[]);
    built(&out, "linux/arm64 musl");
    assert_installed_line(&out, "libslim_bindings_aarch64_linux_musl.a", "v2.1.0");
    let bytes = read(&bin);
    let elf = binfmt::elf(&bytes, "arm64 musl build");
    assert_eq!((elf.machine, elf.interp.as_deref()), (EM_AARCH64, None));
    assert_eq!(run_program(&bin, Some(&qemu_aarch64())), "aarch64-unknown-linux-musl\n");
    let folder = default_folder(&case, "v2.1.0");
    assert!(!folder.join("libslim_bindings_aarch64_linux_gnu.a").exists(), "a _gnu alias was made");
    assert_eq!(mirror.downloads("v2.1.0", "aarch64-unknown-linux-musl"), 1);

    let cc = front(&fx.zig_cc("x86_64-windows-gnu"));
    let env = [("GOOS", "windows"), ("GOARCH", "amd64"), ("CC", cc.as_str())];
    let (out, bin) = case.build_checked("app.exe", &env, &[]);
    built(&out, "windows/amd64");
    assert_installed_line(&out, "libslim_bindings_x86_64_windows_gnu.a", "v2.1.0");
    let bytes = read(&bin);
    assert_eq!(binfmt::pe_machine(&bytes, "windows build"), PE_AMD64);
    assert!(binfmt::contains(&bytes, b"x86_64-pc-windows-gnu"), "the fixture library is not linked in");
}

/// One project, a glibc build with gcc and a fully static musl build with zig,
/// three times over: both libraries stay installed side by side (the musl one
/// under its own name), each binary is the right kind, nothing is fetched twice.
#[test]
#[ignore = "needs Go and zig: run scripts/test"]
fn glibc_and_static_musl_builds_alternate_with_both_libraries_installed() {
    let fx = fixtures();
    let (case, mirror) = front_case(fx, "front-alternate");
    case.consumer("v1.4.0");
    let (gnu_cc, musl_cc) = (front("gcc"), front(&fx.zig_cc("x86_64-linux-musl")));
    let folder = default_folder(&case, "v1.4.0");
    for round in 0..3 {
        let (out, bin) = case.build_checked(&format!("gnu-{round}"), &[("CC", &gnu_cc)], &[]);
        built(&out, "glibc build");
        let elf = binfmt::elf(&read(&bin), "glibc build");
        assert_eq!(elf.machine, EM_X86_64);
        assert!(
            elf.interp.as_deref().is_some_and(|i| i.contains("ld-linux")),
            "not a glibc program: {elf:?}"
        );
        assert_eq!(run_program(&bin, None), format!("{HOST_TRIPLE}\n"), "round {round}");

        let static_flags = ["-ldflags", "-extldflags -static"];
        let (out, bin) = case.build_checked(&format!("musl-{round}"), &[("CC", &musl_cc)], &static_flags);
        built(&out, "static musl build");
        let elf = binfmt::elf(&read(&bin), "static musl build");
        assert!(elf.interp.is_none() && !elf.has_dynamic, "not static: {elf:?}");
        assert_eq!(run_program(&bin, None), "x86_64-unknown-linux-musl\n", "round {round}");
        if round == 0 {
            assert_installed_line(&out, MUSL_LIB, "v1.4.0");
        } else {
            assert_eq!(said(&out), Vec::<String>::new(), "round {round}");
        }
        for lib in [HOST_LIB, MUSL_LIB] {
            assert!(folder.join(lib).is_file(), "round {round}: {lib} is gone");
        }
    }
    assert_eq!(mirror.downloads("v1.4.0", HOST_TRIPLE), 1);
    assert_eq!(mirror.downloads("v1.4.0", "x86_64-unknown-linux-musl"), 1);
}

/// Front processes now linking the SLIM library (not the `_cgo_.o` check).
fn linking_fronts() -> usize {
    let Ok(procs) = std::fs::read_dir("/proc") else { return 0 };
    procs
        .flatten()
        .filter_map(|p| std::fs::read(p.path().join("cmdline")).ok())
        .filter(|cmdline| {
            let args: Vec<&[u8]> = cmdline.split(|b| *b == 0).collect();
            args.first() == Some(&BIN.as_bytes())
                && args.get(1) == Some(&&b"cc"[..])
                && args.iter().any(|a| a.starts_with(b"-lslim_bindings_"))
                && !args.iter().any(|a| a.ends_with(b"_cgo_.o"))
        })
        .count()
}

/// Two `go build -p 8` of a project with four programs and a shared package,
/// each with cgo of its own: eight final links want the library at once. The
/// archive's download is held until all eight are running, so they really
/// meet at the per-library lock: one downloads, the others wait and find it.
#[test]
#[ignore = "needs Go and zig: run scripts/test"]
fn parallel_links_of_several_builds_download_once() {
    let fx = fixtures();
    let (mut case, mirror) = front_case(fx, "front-parallel");
    // The held download must not be given up (and resumed) meanwhile.
    case.set("SLIM_SETUP_TIMEOUT", Some("600"));
    let gate = Gate::new();
    let asset = "slim-bindings-v1.4.0/slim-bindings-x86_64-unknown-linux-gnu.zip";
    let zip = read(&fx.releases.join(asset));
    fx.server.route(
        format!("{}/{asset}", mirror.prefix),
        Route::bytes(zip).fault(Fault::hold(1024, &gate).times(1)),
    );
    case.consumer_tree("v1.4.0", "multi");
    let cc = front("gcc");
    let _serial = build_lock(&format!("host|host|{cc}"));
    let before = case.modcache_files();
    let mut builds: Vec<_> = ["a", "b"]
        .iter()
        .map(|out| {
            let dir = format!("{}/", case.root().join("bin").join(out).display());
            let mut cmd = case.go(&["build", "-p", "8", "-o", &dir, "./..."]);
            cmd.env("CC", &cc).stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
            cmd.spawn().expect("start go build")
        })
        .collect();
    let started = Instant::now();
    while linking_fronts() < 8 {
        for b in &mut builds {
            if let Some(status) = b.try_wait().expect("poll go build") {
                panic!(
                    "a build ended ({status}) before all eight links met:\n{:?}",
                    b.stderr.take().map(|mut e| {
                        let mut s = String::new();
                        std::io::Read::read_to_string(&mut e, &mut s).ok();
                        s
                    })
                );
            }
        }
        assert!(
            started.elapsed() < Duration::from_secs(600),
            "only {} links running after 10 minutes",
            linking_fronts()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    gate.open();
    let outs: Vec<Output> =
        builds.into_iter().map(|b| b.wait_with_output().expect("wait for go build")).collect();
    let mut lines = Vec::new();
    for out in &outs {
        built(out, "go build -p 8");
        lines.extend(said(out));
    }
    assert_eq!(lines.len(), 1, "exactly one install line across both builds: {lines:?}");
    assert_eq!(mirror.downloads("v1.4.0", HOST_TRIPLE), 1, "one download for eight links");
    case.assert_modcache_untouched(&before, "go build -p 8 through the cc front");
    for out in ["a", "b"] {
        for (n, name) in ["one", "two", "three", "four"].iter().enumerate() {
            let bin: PathBuf = case.root().join("bin").join(out).join(name);
            assert_eq!(run_program(&bin, None), format!("{name} {} {HOST_TRIPLE}\n", 2 * (n + 1)));
        }
    }
}

#[test]
#[ignore = "needs Go and zig: run scripts/test"]
fn offline_with_nothing_installed_the_build_fails_with_slim_setups_message() {
    let fx = fixtures();
    let (mut case, mirror) = front_case(fx, "front-offline");
    case.set("SLIM_SETUP_OFFLINE", Some("1"));
    case.consumer("v1.4.0");
    let (out, _) = case.build_checked("app", &[("CC", &front("gcc"))], &[]);
    assert!(!out.status.success(), "an offline build with nothing installed linked");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("error: slim-setup cc: x86_64-unknown-linux-gnu v1.4.0 is not installed"),
        "go build does not show slim-setup's error:\n{stderr}"
    );
    assert!(stderr.contains("hint: unset SLIM_SETUP_OFFLINE"), "{stderr}");
    assert_eq!(mirror.requests(), 0);
    assert!(!default_folder(&case, "v1.4.0").join(HOST_LIB).exists());
}

/// `slim-setup cc --setup` writes CC with `go env -w`; from then on a plain
/// `go build` (CC not in the environment) installs through the front.
#[test]
#[ignore = "needs Go and zig: run scripts/test"]
fn cc_setup_makes_a_plain_go_build_use_the_front() {
    let fx = fixtures();
    let (case, mirror) = front_case(fx, "front-setup");
    case.consumer("v1.4.0");
    let out = run(&mut case.slim_setup_bare(&["cc", "--setup"]), "slim-setup cc --setup");
    let want = format!("{} cc gcc", canonical(Path::new(BIN)).display());
    assert!(String::from_utf8_lossy(&out.stdout).contains(&format!("set CC={want}")), "{out:?}");
    let cc = run(&mut case.go(&["env", "CC"]), "go env CC");
    assert_eq!(String::from_utf8_lossy(&cc.stdout).trim(), want);
    let again = run(&mut case.slim_setup_bare(&["cc", "--setup"]), "slim-setup cc --setup again");
    assert!(String::from_utf8_lossy(&again.stdout).contains("already"), "{again:?}");
    let (out, bin) = case.build_checked("app", &[], &[]);
    built(&out, "go build after cc --setup");
    assert_installed_line(&out, HOST_LIB, "v1.4.0");
    assert_eq!(run_program(&bin, None), format!("{HOST_TRIPLE}\n"));
    assert_eq!(mirror.downloads("v1.4.0", HOST_TRIPLE), 1);
    run(&mut case.go(&["env", "-u", "CC"]), "go env -u CC");
    let cc = run(&mut case.go(&["env", "CC"]), "go env CC");
    assert_eq!(String::from_utf8_lossy(&cc.stdout).trim(), "gcc", "undone");
}
