//! The C compiler front (`slim-setup cc REAL_CC ARGS...`) as the built binary,
//! with a stand-in compiler: a script that records every call's arguments and
//! answers `-dumpmachine` as told. Link lines are shaped as go hands them over
//! (the module's directive with `${SRCDIR}` expanded) and the release is served
//! by a loopback server that counts requests. Checked: calls that link no SLIM
//! library reach the compiler untouched and touch nothing else (no request, no
//! cache); a link installs the library once, says so in one line, and runs the
//! compiler with its arguments (the `-l` rewritten for a musl compiler, whose
//! library keeps its own name beside the glibc one); exit codes pass through;
//! failures stop before the compiler with the error and a hint; Go's probes of
//! CC's first word; `cc --setup`; doctor. (Real Go: tests/go_e2e/cc.rs.)
#![cfg(unix)]

mod support;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use support::fixtures::{lib_name, release_zip};
use support::github::asset_name;
use support::home::Home;
use support::release::{GNU, LINUX_AMD64_GNU, MUSL, TAG, V, lib};
use support::run::Run;
use support::server::Server;

const BIN: &str = env!("CARGO_BIN_EXE_slim-setup");
const GNU_LINK: &str = "-lslim_bindings_x86_64_linux_gnu";
const MUSL_LINK: &str = "-lslim_bindings_x86_64_linux_musl";

fn write_exe(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// A HOME with a stand-in compiler, the bindings module folder in its module
/// cache, and a loopback server publishing v1.4.0 for gnu and musl.
struct Front {
    home: Home,
    cc: PathBuf,
    server: Server,
}

impl Front {
    fn new() -> Front {
        let home = Home::new();
        let cc = home.path().join("bin/fake-cc");
        std::fs::create_dir_all(cc.parent().unwrap()).unwrap();
        let log = home.path().join("cc.log");
        write_exe(
            &cc,
            &format!(
                "#!/bin/sh\n\
                 for a in \"$@\"; do\n\
                   if [ \"$a\" = -dumpmachine ]; then echo x >> '{log}.dumpmachine'; echo \"${{FAKE_CC_MACHINE:-x86_64-linux-gnu}}\"; exit 0; fi\n\
                   if [ \"$a\" = --version ]; then echo 'fake-cc (test) 1.0'; fi\n\
                 done\n\
                 {{ echo '--- call'; for a in \"$@\"; do printf '%s\\n' \"$a\"; done; }} >> '{log}'\n\
                 echo 'fake-cc ran'\n\
                 exit \"${{FAKE_CC_EXIT:-0}}\"\n",
                log = log.display()
            ),
        );
        std::fs::create_dir_all(home.gopath().join("pkg/mod").join(MODULE)).unwrap();
        let server = Server::start();
        let mirror = home.path().join("mirror");
        let mut sums = String::new();
        for triple in [GNU, MUSL] {
            let zip = release_zip(triple, &lib(triple));
            std::fs::create_dir_all(mirror.join(TAG)).unwrap();
            std::fs::write(mirror.join(TAG).join(asset_name(triple)), &zip).unwrap();
            sums += &format!("{}  {}\n", support::sha256_hex(&zip), asset_name(triple));
        }
        std::fs::write(mirror.join(TAG).join("SHA256SUMS"), sums).unwrap();
        server.serve_dir("/m", &mirror);
        Front { home, cc, server }
    }

    fn module_dir(&self) -> PathBuf {
        self.home.gopath().join("pkg/mod").join(MODULE)
    }

    fn lib_dir(&self) -> PathBuf {
        self.home.versioned(V)
    }

    /// The final link of a `go build`, as go hands it to CC.
    fn link_args(&self, output: &str) -> Vec<String> {
        let m = self.module_dir().display().to_string();
        vec![
            "-m64".into(),
            "-o".into(),
            output.into(),
            "/tmp/go-link-1/go.o".into(),
            format!("-L{m}"),
            format!("-L{m}/../../../../../.cgo-cache/slim-bindings/v1.4.0"),
            GNU_LINK.into(),
            "-lm".into(),
        ]
    }

    /// `slim-setup cc FAKE-CC ARGS` with the mirror as SLIM_BINDINGS_BASE_URL.
    fn cc(&self, args: &[String]) -> Command {
        let mut cmd = self.home.bare();
        cmd.arg("cc").arg(&self.cc).args(args).env("SLIM_BINDINGS_BASE_URL", self.server.url_for("/m"));
        cmd
    }

    /// Each call the stand-in compiler recorded, as its argument list.
    fn calls(&self) -> Vec<Vec<String>> {
        let text = std::fs::read_to_string(self.home.path().join("cc.log")).unwrap_or_default();
        text.split("--- call\n").skip(1).map(|c| c.lines().map(str::to_string).collect()).collect()
    }

    fn dumpmachine_calls(&self) -> usize {
        std::fs::read_to_string(self.home.path().join("cc.log.dumpmachine"))
            .unwrap_or_default()
            .lines()
            .count()
    }

    fn downloads(&self, triple: &str) -> usize {
        self.server.count(&format!("/m/{TAG}/{}", asset_name(triple)))
    }
}

const MODULE: &str = "github.com/agntcy/slim-bindings-go@v1.4.0";

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|a| a.to_string()).collect()
}

#[test]
fn calls_that_link_no_slim_library_go_straight_to_the_compiler() {
    let f = Front::new();
    let table: [&[&str]; 4] =
        [&["-c", "x.c", "-o", "x.o"], &["-E", "-"], &["--version"], &["-o", "a.out", "x.o", "-lslim", "-lm"]];
    for args in table {
        let run = Run::of(f.cc(&strings(args)).env("FAKE_CC_EXIT", "7")).fails(7);
        assert_eq!(
            (run.stdout.as_str(), run.stderr.as_str()),
            (if args[0] == "--version" { "fake-cc (test) 1.0\nfake-cc ran\n" } else { "fake-cc ran\n" }, ""),
            "{args:?}"
        );
        assert_eq!(f.calls().last().unwrap(), &strings(args), "the arguments reach the compiler as given");
    }
    // `cc --` separates the front's words from the compiler's.
    let mut cmd = f.home.bare();
    cmd.args(["cc", "--"]).arg(&f.cc).args(["-c", "y.c"]);
    Run::of(&mut cmd).ok();
    assert_eq!(f.calls().last().unwrap(), &strings(&["-c", "y.c"]));
    // No network, no -dumpmachine, no cache: nothing but the exec.
    assert_eq!(f.server.requests().len(), 0);
    assert_eq!(f.dumpmachine_calls(), 0);
    assert!(!f.home.path().join(".cache").exists(), "the fast path wrote a cache");
}

#[test]
fn a_link_installs_the_library_once_and_then_runs_the_compiler_as_asked() {
    let f = Front::new();
    let args = f.link_args("/w/b001/exe/a.out");
    let run = Run::of(&mut f.cc(&args)).ok();
    let size = format!("{:.1} KiB", lib(GNU).len() as f64 / 1024.0);
    assert_eq!(
        run.stderr,
        format!(
            "slim-setup: installed libslim_bindings_x86_64_linux_gnu.a v1.4.0 ({size}, sha256 verified)\n"
        ),
        "one line, and only one\n{run}"
    );
    assert_eq!(run.stdout, "fake-cc ran\n");
    assert_eq!(f.calls(), vec![args.clone()], "the link runs unchanged");
    let installed = f.lib_dir().join(lib_name(GNU));
    support::disk::assert_installed(&installed, &lib(GNU), &run);
    let names = support::disk::names_in(&f.module_dir());
    assert!(names.is_empty(), "wrote into the module folder: {names:?}");
    // Installed now: no output, no request, and the compiler's exit code passes through.
    let run = Run::of(f.cc(&args).env("FAKE_CC_EXIT", "3")).fails(3);
    assert_eq!(run.stderr, "", "{run}");
    assert_eq!(f.downloads(GNU), 1);
    assert_eq!(f.calls().len(), 2);
    // The compiler's target was asked once; a changed compiler is asked again.
    assert_eq!(f.dumpmachine_calls(), 1);
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(5);
    std::fs::File::options().write(true).open(&f.cc).unwrap().set_modified(later).unwrap();
    Run::of(&mut f.cc(&args)).ok();
    assert_eq!(f.dumpmachine_calls(), 2);
    // A damaged (here: truncated) library is installed again.
    std::fs::write(&installed, b"!<arch>\n").unwrap();
    let run = Run::of(&mut f.cc(&args)).ok();
    assert!(
        run.stderr.starts_with("slim-setup: reinstalled libslim_bindings_x86_64_linux_gnu.a v1.4.0"),
        "{run}"
    );
    assert_eq!(f.downloads(GNU), 2);
}

/// gnu and musl builds of one project alternate: each library is fetched
/// once, under its own name, and a musl link is told the musl name.
#[test]
fn gnu_and_musl_links_alternate_with_both_libraries_side_by_side() {
    let f = Front::new();
    let args = f.link_args("/w/exe/a.out");
    let musl_args: Vec<String> =
        strings(&["-target", "x86_64-linux-musl"]).into_iter().chain(args.clone()).collect();
    for round in 0..3 {
        let gnu = Run::of(&mut f.cc(&args)).ok();
        let musl = Run::of(&mut f.cc(&musl_args)).ok();
        let said = |r: &Run| r.stderr.lines().count();
        assert_eq!(
            (said(&gnu), said(&musl)),
            if round == 0 { (1, 1) } else { (0, 0) },
            "round {round}\n{gnu}\n{musl}"
        );
        let calls = f.calls();
        let (gnu_call, musl_call) = (&calls[calls.len() - 2], &calls[calls.len() - 1]);
        assert_eq!(gnu_call, &args);
        let want: Vec<String> =
            musl_args.iter().map(|a| if a == GNU_LINK { MUSL_LINK.to_string() } else { a.clone() }).collect();
        assert_eq!(musl_call, &want, "only the -l is rewritten");
    }
    assert_eq!((f.downloads(GNU), f.downloads(MUSL)), (1, 1));
    assert_eq!(support::read(&f.lib_dir().join(lib_name(GNU))), lib(GNU));
    assert_eq!(support::read(&f.lib_dir().join(lib_name(MUSL))), lib(MUSL), "musl under its own name");
    // A compiler that says musl through -dumpmachine counts the same.
    let other = Front::new();
    let run =
        Run::of(other.cc(&other.link_args("/w/exe/a.out")).env("FAKE_CC_MACHINE", "x86_64-linux-musl")).ok();
    assert!(run.stderr.contains("installed libslim_bindings_x86_64_linux_musl.a"), "{run}");
    assert!(!other.lib_dir().join(lib_name(GNU)).exists(), "no _gnu alias for the musl library");
    assert!(other.calls()[0].contains(&MUSL_LINK.to_string()));
}

/// Go discards the output of its `_cgo_.o` check link and tolerates its
/// failure: that call never downloads (the final link does, and is heard).
#[test]
fn the_cgo_check_link_never_downloads() {
    let f = Front::new();
    let args = f.link_args("/tmp/go-build1/b061/_cgo_.o");
    let run = Run::of(&mut f.cc(&args)).ok();
    assert_eq!(run.stderr, "");
    assert_eq!(f.calls(), vec![args]);
    assert_eq!(f.server.requests().len(), 0);
    assert!(!f.lib_dir().exists());
}

#[test]
fn failures_stop_the_link_with_the_error_and_a_hint() {
    let f = Front::new();
    let args = f.link_args("/w/exe/a.out");
    let run = Run::of(f.cc(&args).env("SLIM_SETUP_OFFLINE", "1")).fails(1);
    run.error(&["slim-setup cc:", "x86_64-unknown-linux-gnu v1.4.0 is not installed"]);
    run.says(&["hint: unset SLIM_SETUP_OFFLINE"]);
    assert!(f.calls().is_empty(), "the compiler must not run\n{run}");
    assert_eq!(f.server.requests().len(), 0);

    // The project's slim-bindings.sum, found from the folder go build runs in, is checked.
    let proj = f.home.path().join("proj");
    std::fs::create_dir_all(&proj).unwrap();
    std::fs::write(proj.join("go.mod"), "module x\n").unwrap();
    std::fs::write(proj.join("slim-bindings.sum"), format!("v1.4.0 {GNU} sha256:{}\n", "ab".repeat(32)))
        .unwrap();
    let run = Run::of(f.cc(&args).current_dir(&proj)).fails(1);
    run.error(&["checksum mismatch", "slim-bindings.sum"]);
    assert!(!f.lib_dir().join(lib_name(GNU)).exists() && f.calls().is_empty(), "{run}");

    // No compiler to run.
    let mut cmd = f.home.bare();
    cmd.args(["cc", "/nonexistent/cc", "-c", "x.c"]);
    Run::of(&mut cmd).fails(1).error(&["could not run the C compiler '/nonexistent/cc'"]);
    for args in [&["cc"][..], &["cc", "--"], &["cc", "-c", "x.c"]] {
        let mut cmd = f.home.bare();
        cmd.args(args);
        Run::of(&mut cmd).fails(2).error(&["slim-setup cc"]);
    }
}

/// cmd/go and cmd/link run a few probes with CC's first word only; with CC
/// naming the front, they reach the compiler CC names after `cc`.
#[test]
fn gos_probes_of_the_first_word_reach_the_compiler_cc_names() {
    let f = Front::new();
    let cc = format!("{BIN} cc {}", f.cc.display());
    let probes: [&[&str]; 2] = [
        &["-###", "-x", "c", "-c", "-"],
        &["-m64", "-o", "/tmp/go-link-2/a.out", "-no-pie", "/tmp/go-link-2/trivial.c"],
    ];
    for probe in probes {
        let mut cmd = f.home.bare();
        cmd.args(probe).env("CC", &cc);
        Run::of(&mut cmd).ok();
        assert_eq!(f.calls().last().unwrap(), &strings(probe));
    }
    // slim-setup's own command lines stay its own, CC or not.
    let mut cmd = f.home.bare();
    cmd.arg("--version").env("CC", &cc);
    let run = Run::of(&mut cmd).ok();
    assert!(run.stdout.starts_with("slim-setup "), "{run}");
    // Without CC naming the front, a probe is just a bad command line.
    let mut cmd = f.home.bare();
    cmd.args(probes[0]).env("CC", "gcc");
    Run::of(&mut cmd).fails(2);
    assert_eq!(f.calls().len(), 2);
}

/// A stand-in `go` that answers `go env CC` with $FAKE_GO_CC and logs the rest.
fn fake_go(home: &Home) -> PathBuf {
    let bin = home.path().join("go-bin");
    std::fs::create_dir_all(&bin).unwrap();
    let log = home.path().join("go.log");
    write_exe(
        &bin.join("go"),
        &format!(
            "#!/bin/sh\necho \"$*\" >> '{}'\nif [ \"$1 $2\" = 'env CC' ]; then echo \"$FAKE_GO_CC\"; fi\n",
            log.display()
        ),
    );
    bin
}

#[test]
fn setup_writes_cc_with_go_env_w_and_never_wraps_the_front_twice() {
    let home = Home::new();
    let bin = fake_go(&home);
    let path = format!("{}:/usr/bin:/bin", bin.display());
    let me = std::fs::canonicalize(BIN).unwrap();
    let go_log = || std::fs::read_to_string(home.path().join("go.log")).unwrap_or_default();
    let setup = |go_cc: &str, extra: &[&str]| {
        let mut cmd = home.bare();
        cmd.args(["cc", "--setup"]).args(extra).env("PATH", &path).env("FAKE_GO_CC", go_cc);
        Run::of(&mut cmd)
    };
    let run = setup("gcc", &[]).ok();
    let value = format!("{} cc gcc", me.display());
    assert!(go_log().lines().any(|l| l == format!("env -w CC={value}")), "{}", go_log());
    run.mentions(&[&format!("set CC={value}"), "go env -u CC"]);
    // Naming the compiler: words keep their order.
    setup("gcc", &["zig", "cc", "-target", "x86_64-linux-musl"]).ok();
    assert!(go_log().contains(&format!("env -w CC={} cc zig cc -target x86_64-linux-musl", me.display())));
    // Already the front: nothing written.
    let before = go_log().lines().count();
    setup(&value, &[]).ok().mentions(&["already", "nothing changed"]);
    assert_eq!(go_log().lines().count(), before + 1, "only `go env CC` ran: {}", go_log());
    setup("gcc", &[BIN, "cc", "gcc"]).fails(2);
    // CC in the environment overrides go env -w: said.
    let mut cmd = home.bare();
    cmd.args(["cc", "--setup"]).env("PATH", &path).env("FAKE_GO_CC", "clang").env("CC", "clang");
    Run::of(&mut cmd).ok().mentions(&["CC=clang is set in this environment"]);
    // No go: the error says what to do instead.
    let mut cmd = home.bare();
    cmd.args(["cc", "--setup"]).env("PATH", "/nonexistent");
    Run::of(&mut cmd).fails(1).says(&["hint: put go on PATH"]);
}

#[test]
fn doctor_recognises_the_front_and_checks_the_compiler_behind_it() {
    let f = Front::new();
    let cc = format!("{BIN} cc {}", f.cc.display());
    let mut cmd = f.home.bare();
    cmd.args(["doctor", V, "--gopath"]).arg(f.home.gopath()).args(LINUX_AMD64_GNU).env("CC", &cc);
    let run = Run::of(&mut cmd);
    let line = |prefix: &str| run.stdout.lines().find(|l| l.starts_with(prefix)).map(str::to_string);
    assert!(line("ok    C compiler front:").is_some_and(|l| l.contains(&cc)), "{run}");
    let compiler = line("ok    C compiler:").unwrap_or_else(|| panic!("{run}"));
    assert!(
        compiler.contains(&f.cc.display().to_string()) && compiler.contains("fake-cc (test) 1.0"),
        "{run}"
    );
    let library = line("ok    library:").unwrap_or_else(|| panic!("not installed is the front's job\n{run}"));
    assert!(library.contains("front installs it"), "{run}");
    assert!(!run.stdout.contains("FAIL"), "{run}");
}
