//! The shell scripts around the binary, run for real with a clean environment:
//! the installer for the tool itself (`scripts/install.sh`), the release
//! packaging scripts and the composite action's steps (`scripts/ci/action.sh`).

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::process::{Command, Output};

use super::*;

const VERSION: &str = "0.1.0";
const LINUX_MUSL: &str = "x86_64-unknown-linux-musl";

/// A script with a clean environment: PATH is `extra` then the system
/// folders, HOME is `home`; nothing from the developer's shell leaks in.
pub(super) fn script(path: &Path, home: &Path, extra: &[&Path]) -> Command {
    clean_env(Command::new(path), home, extra)
}

/// `script`, run as the unprivileged user (for steps that run `go`).
pub(super) fn script_as_user(path: &Path, home: &Path, extra: &[&Path]) -> Command {
    clean_env(crate::support::user::command(path), home, extra)
}

fn clean_env(mut cmd: Command, home: &Path, extra: &[&Path]) -> Command {
    let mut dirs: Vec<PathBuf> = extra.iter().map(|p| p.to_path_buf()).collect();
    dirs.extend(["/usr/local/bin", "/usr/bin", "/bin"].map(PathBuf::from));
    cmd.env_clear()
        .env("PATH", std::env::join_paths(dirs).expect("PATH"))
        .env("HOME", home)
        .env("LANG", "C")
        .current_dir(home);
    cmd
}

pub(super) fn run(cmd: &mut Command) -> Output {
    cmd.output().unwrap_or_else(|e| panic!("run {cmd:?}: {e}"))
}

pub(super) fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub(super) fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Asserts success and returns stdout.
pub(super) fn ok(cmd: &mut Command) -> String {
    let o = run(cmd);
    assert!(o.status.success(), "{cmd:?} failed ({}):\n{}\n{}", o.status, stdout(&o), stderr(&o));
    stdout(&o)
}

fn install_sh() -> PathBuf {
    root().join("scripts/install.sh")
}

fn write_exe(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

/// A folder holding a fake `uname` answering `-s`/`-m` as given.
fn fake_uname(home: &Path, s: &str, m: &str) -> PathBuf {
    let bin = home.join(format!("uname-{s}-{m}"));
    write_exe(
        &bin.join("uname"),
        &format!("#!/bin/sh\ncase \"$1\" in -s) echo {s} ;; -m) echo {m} ;; *) echo {s} ;; esac\n"),
    );
    bin
}

fn dry_run(home: &Path, uname: Option<(&str, &str)>, args: &[&str]) -> Output {
    let fake = uname.map(|(s, m)| fake_uname(home, s, m));
    let extra: Vec<&Path> = fake.iter().map(PathBuf::as_path).collect();
    let mut cmd = script(Path::new("/bin/sh"), home, &extra);
    cmd.arg(install_sh()).arg("--dry-run").args(args);
    run(&mut cmd)
}

#[test]
fn install_sh_dry_run_maps_each_platform_to_its_archive() {
    let home = tempfile::tempdir().expect("tempdir");
    let cases = [
        (("Linux", "x86_64"), "x86_64-unknown-linux-musl", "tar.gz"),
        (("Linux", "aarch64"), "aarch64-unknown-linux-musl", "tar.gz"),
        (("Linux", "arm64"), "aarch64-unknown-linux-musl", "tar.gz"),
        (("Darwin", "arm64"), "aarch64-apple-darwin", "tar.gz"),
        (("Darwin", "x86_64"), "x86_64-apple-darwin", "tar.gz"),
        (("MINGW64_NT-10.0-20348", "x86_64"), "x86_64-pc-windows-msvc", "zip"),
    ];
    let base = home.path().join("mirror");
    let base = base.to_str().expect("utf-8");
    for ((s, m), triple, ext) in cases {
        let o = dry_run(home.path(), Some((s, m)), &["--version", "v0.1.0", "--base-url", base]);
        assert!(o.status.success(), "{s}/{m}: {}", stderr(&o));
        let exe = if ext == "zip" { "slim-setup.exe" } else { "slim-setup" };
        let want = format!(
            "target: {triple}\nfetch: {base}/v0.1.0/SHA256SUMS\n\
             fetch: {base}/v0.1.0/slim-setup-0.1.0-{triple}.{ext}\n\
             install: {}/.local/bin/{exe}\n",
            home.path().display()
        );
        assert_eq!(stdout(&o), want, "{s}/{m}");
    }
}

#[test]
fn install_sh_dry_run_defaults_and_refusals() {
    let home = tempfile::tempdir().expect("tempdir");
    let h = home.path();
    // Default: GitHub's latest-release redirect; the archive name comes from SHA256SUMS.
    let o = dry_run(h, Some(("Linux", "x86_64")), &[]);
    let out = stdout(&o);
    assert!(
        out.contains("fetch: https://github.com/agntcy/slim-setup/releases/latest/download/SHA256SUMS\n")
    );
    // A pinned version on GitHub, an explicit target and install folder.
    let o =
        dry_run(h, None, &["--version", "1.2.3", "--target", "aarch64-apple-darwin", "--dir", "/opt/bin"]);
    assert_eq!(
        stdout(&o),
        "target: aarch64-apple-darwin\n\
         fetch: https://github.com/agntcy/slim-setup/releases/download/v1.2.3/SHA256SUMS\n\
         fetch: https://github.com/agntcy/slim-setup/releases/download/v1.2.3/slim-setup-1.2.3-aarch64-apple-darwin.tar.gz\n\
         install: /opt/bin/slim-setup\n"
    );
    // No silent fallback for platforms without a build.
    for (s, m) in [("FreeBSD", "amd64"), ("Linux", "riscv64"), ("Linux", "i686")] {
        let o = dry_run(h, Some((s, m)), &[]);
        assert_eq!(o.status.code(), Some(1), "{s}/{m}: {}", stdout(&o));
        assert!(stderr(&o).contains("no slim-setup build"), "{s}/{m}: {}", stderr(&o));
    }
    // Usage errors exit 2.
    for args in [&["--version", "1.x"][..], &["--bogus"], &["--dir"]] {
        let o = dry_run(h, Some(("Linux", "x86_64")), args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
    }
}

/// A stand-in slim-setup (a script printing its version) packaged like a
/// release for `triple` under `base/v{VERSION}/` (and `base/latest/`),
/// with SHA256SUMS. Returns the archive's path.
fn fake_release(base: &Path, triple: &str) -> PathBuf {
    let name = format!("slim-setup-{VERSION}-{triple}");
    let stage = base.join("stage");
    write_exe(
        &stage.join(&name).join("slim-setup"),
        &format!("#!/bin/sh\necho \"slim-setup {VERSION} (fake)\"\n"),
    );
    for dir in [format!("v{VERSION}"), "latest".into()] {
        let rel = base.join(dir);
        std::fs::create_dir_all(&rel).expect("mkdir");
        let archive = rel.join(format!("{name}.tar.gz"));
        ok(Command::new("tar").arg("-czf").arg(&archive).arg("-C").arg(&stage).arg(&name));
        let sum = support::sha256_hex(&std::fs::read(&archive).expect("archive"));
        let sums = format!("{sum}  {name}.tar.gz\n{}  slim-setup-{VERSION}-other.zip\n", "0".repeat(64));
        std::fs::write(rel.join("SHA256SUMS"), sums).expect("SHA256SUMS");
    }
    std::fs::remove_dir_all(stage).expect("rm stage");
    base.join(format!("v{VERSION}/{name}.tar.gz"))
}

fn install(home: &Path, args: &[&str]) -> Output {
    let mut cmd = script(Path::new("/bin/sh"), home, &[]);
    cmd.arg(install_sh()).args(["--target", LINUX_MUSL]).args(args);
    run(&mut cmd)
}

#[test]
fn install_sh_installs_from_folder_file_url_and_loopback_http() {
    let home = tempfile::tempdir().expect("tempdir");
    let h = home.path();
    let base = h.join("releases");
    fake_release(&base, LINUX_MUSL);
    let server = support::server::Server::start();
    server.serve_dir("/dl", &base);
    let bases =
        [base.display().to_string(), format!("file://{}", base.display()), format!("{}/dl", server.url())];
    for (i, url) in bases.iter().enumerate() {
        for version in ["0.1.0", "latest"] {
            let dir = h.join(format!("bin-{i}-{version}"));
            let o =
                install(h, &["--base-url", url, "--version", version, "--dir", dir.to_str().expect("utf-8")]);
            assert!(o.status.success(), "{url} {version}: {}", stderr(&o));
            let installed = dir.join("slim-setup");
            // stdout is exactly the installed path, for `bin=$(sh install.sh)`.
            assert_eq!(stdout(&o), format!("{}\n", installed.display()));
            let mut run_it = Command::new(&installed);
            assert_eq!(ok(&mut run_it), format!("slim-setup {VERSION} (fake)\n"));
        }
    }
    // The HTTP base really was fetched over HTTP, checksums first.
    let paths: Vec<String> = server.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(paths.first().map(String::as_str), Some("/dl/v0.1.0/SHA256SUMS"), "{paths:?}");
    assert!(paths.contains(&format!("/dl/latest/slim-setup-{VERSION}-{LINUX_MUSL}.tar.gz")));
    // SLIM_SETUP_INSTALL_DIR and SLIM_SETUP_BASE_URL work like the flags.
    let dir = h.join("from-env");
    let mut cmd = script(Path::new("/bin/sh"), h, &[]);
    cmd.arg(install_sh())
        .env("SLIM_SETUP_INSTALL_DIR", &dir)
        .env("SLIM_SETUP_BASE_URL", &base)
        .env("SLIM_SETUP_TARGET", LINUX_MUSL);
    ok(&mut cmd);
    assert!(dir.join("slim-setup").is_file());
}

#[test]
fn install_sh_refuses_a_tampered_archive_and_plain_http() {
    let home = tempfile::tempdir().expect("tempdir");
    let h = home.path();
    let base = h.join("releases");
    let archive = fake_release(&base, LINUX_MUSL);
    let dir = h.join("bin");
    let dir_s = dir.to_str().expect("utf-8");
    let base_s = base.to_str().expect("utf-8");

    let mut bytes = std::fs::read(&archive).expect("archive");
    let last = bytes.len() - 1;
    bytes[last] ^= 0x01;
    std::fs::write(&archive, bytes).expect("write");
    let o = install(h, &["--base-url", base_s, "--version", VERSION, "--dir", dir_s]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("checksum mismatch"), "{}", stderr(&o));
    assert!(!dir.join("slim-setup").exists(), "nothing may be installed after a mismatch");

    // A release without a SHA256SUMS line for the archive is refused too.
    std::fs::write(base.join(format!("v{VERSION}/SHA256SUMS")), "").expect("write");
    let o = install(h, &["--base-url", base_s, "--version", VERSION, "--dir", dir_s]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("no line for"), "{}", stderr(&o));

    // No plain http except to loopback (checked before any connection).
    let o = install(h, &["--base-url", "http://example.invalid/x", "--version", VERSION, "--dir", dir_s]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("refusing plain http"), "{}", stderr(&o));
}

/// `name<<DELIM ... DELIM` and `name=value` lines of a GITHUB_OUTPUT file.
fn outputs(path: &Path) -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let mut out = BTreeMap::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if let Some((name, delim)) = line.split_once("<<") {
            let value: Vec<&str> = lines.by_ref().take_while(|l| *l != delim).collect();
            out.insert(name.to_string(), value.join("\n"));
        } else if let Some((name, value)) = line.split_once('=') {
            out.insert(name.to_string(), value.to_string());
        }
    }
    out
}

fn action_step(home: &Path, step: &str, env: &[(&str, &str)]) -> (Output, BTreeMap<String, String>) {
    let out_file = home.join(format!("github-output-{step}"));
    let _ = std::fs::remove_file(&out_file);
    let mut cmd = script(&root().join("scripts/ci/action.sh"), home, &[]);
    cmd.arg(step)
        .env("GITHUB_OUTPUT", &out_file)
        .env("GITHUB_PATH", home.join("github-path"))
        .env("GITHUB_ENV", home.join("github-env"))
        .env("RUNNER_TEMP", home)
        .env("RUNNER_OS", "Linux")
        .env("RUNNER_ARCH", "X64")
        .env("GOPATH", home.join("go"));
    for (k, v) in env {
        cmd.env(k, v);
    }
    let o = run(&mut cmd);
    (o, outputs(&out_file))
}

#[test]
fn action_plan_reads_go_mod_and_keys_the_cache_by_version_and_targets() {
    let home = tempfile::tempdir().expect("tempdir");
    let h = home.path();
    let go = h.join("go").display().to_string();
    let gomods = [
        ("require github.com/agntcy/slim-bindings-go v1.4.0\n", "v1.4.0"),
        (
            "require (\n\tgolang.org/x/sys v0.1.0\n\tgithub.com/agntcy/slim-bindings-go/v2 v2.1.0 // indirect\n)\n",
            "v2.1.0",
        ),
        ("require (\n\tgithub.com/agntcy/slim-bindings-go v0.7.2\n)\n", "v0.7.2"),
    ];
    for (requires, version) in gomods {
        std::fs::write(h.join("go.mod"), format!("module example.com/app\n\ngo 1.24\n\n{requires}"))
            .expect("go.mod");
        let (o, out) = action_step(
            h,
            "plan",
            &[(
                "INPUT_TARGETS",
                "x86_64-unknown-linux-musl,aarch64-unknown-linux-musl\n x86_64-unknown-linux-musl",
            )],
        );
        assert!(o.status.success(), "{version}: {}", stderr(&o));
        assert_eq!(out["version"], version);
        // In the order given (the first is the `path` output), each once;
        // sorted in the cache key, so that order does not split the cache.
        assert_eq!(out["targets"], "x86_64-unknown-linux-musl aarch64-unknown-linux-musl");
        assert_eq!(
            out["cache-key"],
            format!(
                "slim-bindings-1-Linux-X64-{version}-aarch64-unknown-linux-musl+x86_64-unknown-linux-musl"
            )
        );
        let want_path = if version == "v0.7.2" {
            format!("{}/.cache/slim-bindings", h.display())
        } else {
            format!("{go}/.cgo-cache/slim-bindings")
        };
        assert_eq!(out["cache-paths"], want_path);
    }
    // The input wins over go.mod; goos/goarch/libc key the cache without targets.
    let (o, out) = action_step(
        h,
        "plan",
        &[
            ("INPUT_VERSION", "1.2.0"),
            ("INPUT_GOOS", "linux"),
            ("INPUT_GOARCH", "arm64"),
            ("INPUT_LIBC", "musl"),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(out["version"], "v1.2.0");
    assert_eq!(out["cache-key"], "slim-bindings-1-Linux-X64-v1.2.0-linux-arm64-musl");
    // Failures name the problem.
    std::fs::write(h.join("go.mod"), "module example.com/app\n").expect("go.mod");
    let (o, _) = action_step(h, "plan", &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("set the action's 'version' input"), "{}", stderr(&o));
    let (o, _) =
        action_step(h, "plan", &[("INPUT_VERSION", "v1.4.0"), ("INPUT_TARGETS", "x86_64 ; rm -rf /")]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("not a target triple"), "{}", stderr(&o));
}

#[test]
fn action_tool_installs_the_pinned_release_with_install_sh() {
    let home = tempfile::tempdir().expect("tempdir");
    let h = home.path();
    let base = h.join("releases");
    fake_release(&base, LINUX_MUSL);
    let base_s = base.to_str().expect("utf-8");
    // A full-version action ref pins the tool; a moving ref (@v1) takes the latest.
    for action_ref in ["v0.1.0", "v1"] {
        let (o, out) = action_step(
            h,
            "tool",
            &[("ACTION_REF", action_ref), ("SLIM_SETUP_BASE_URL", base_s), ("SLIM_SETUP_TARGET", LINUX_MUSL)],
        );
        assert!(o.status.success(), "{action_ref}: {}", stderr(&o));
        let bin = h.join("slim-setup-tool/slim-setup");
        assert_eq!(out["bin"], bin.display().to_string());
        assert!(stdout(&o).contains("slim-setup 0.1.0 (fake)"));
        let path_file = std::fs::read_to_string(h.join("github-path")).expect("GITHUB_PATH");
        assert!(path_file.lines().any(|l| Path::new(l) == bin.parent().expect("dir")));
    }
    let stderr_all: String = {
        let (o, _) = action_step(
            h,
            "tool",
            &[("ACTION_REF", "v1"), ("SLIM_SETUP_BASE_URL", base_s), ("SLIM_SETUP_TARGET", LINUX_MUSL)],
        );
        stderr(&o)
    };
    assert!(stderr_all.contains("/latest/SHA256SUMS"), "{stderr_all}");
    // slim-setup-path skips the download.
    let (o, out) = action_step(h, "tool", &[("INPUT_SLIM_SETUP_PATH", env!("CARGO_BIN_EXE_slim-setup"))]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(out["bin"], env!("CARGO_BIN_EXE_slim-setup"));
}

/// The action's install step, with the real binary, against the committed
/// sample mirror: the `path` output is a real archive where cgo looks.
#[test]
fn action_install_runs_slim_setup_against_the_sample_mirror() {
    let home = tempfile::tempdir().expect("tempdir");
    let h = home.path();
    let mirror = root().join("examples/mirror");
    let (o, out) = action_step(
        h,
        "install",
        &[
            ("SLIM_SETUP_BIN", env!("CARGO_BIN_EXE_slim-setup")),
            ("PLAN_VERSION", "v1.4.0"),
            ("PLAN_TARGETS", LINUX_MUSL),
            ("INPUT_BASE_URL", mirror.to_str().expect("utf-8")),
            ("GITHUB_TOKEN", ""),
            // A job that cross-builds exports these; `targets:` must still win.
            ("GOOS", "linux"),
            ("GOARCH", "arm64"),
        ],
    );
    assert!(o.status.success(), "{}\n{}", stdout(&o), stderr(&o));
    let lib = PathBuf::from(&out["path"]);
    let dir = h.join("go/.cgo-cache/slim-bindings/v1.4.0");
    assert_eq!(lib.parent(), Some(dir.as_path()), "{out:?}");
    // `path` is the name cgo links: the _gnu one on Linux, also for musl builds.
    assert_eq!(lib.file_name().and_then(|n| n.to_str()), Some("libslim_bindings_x86_64_linux_gnu.a"));
    let head = std::fs::read(&lib).expect("library");
    assert!(head.starts_with(b"!<arch>\n"), "{} is not an ar archive", lib.display());
    let paths: Vec<&str> = out["paths"].lines().collect();
    assert_eq!(paths.first(), Some(&out["path"].as_str()), "{out:?}");
    assert!(paths.iter().all(|p| Path::new(p).is_file()), "{out:?}");
}

/// `cc-front: true`: CC for the later steps is the front around the job's
/// compiler, and the mirror reaches the front through SLIM_BINDINGS_BASE_URL.
#[test]
fn action_front_sets_cc_to_the_front_for_later_steps() {
    let home = tempfile::tempdir().expect("tempdir");
    let h = home.path();
    let env_file = h.join("github-env");
    let front = |env: &[(&str, &str)]| {
        let _ = std::fs::remove_file(&env_file);
        let (o, out) = action_step(h, "front", env);
        assert!(o.status.success(), "{env:?}: {}", stderr(&o));
        (std::fs::read_to_string(&env_file).unwrap_or_default(), out.get("cc").cloned().unwrap_or_default())
    };
    let bin = "/opt/tools/slim-setup";
    // No CC and no go on PATH: gcc, as go would use.
    let no_go = support::cmd::path_without_go(&["/usr/local/bin", "/usr/bin", "/bin"], h);
    let no_go = no_go.to_str().expect("a UTF-8 PATH");
    let (env, cc) = front(&[("SLIM_SETUP_BIN", bin), ("PATH", no_go)]);
    assert_eq!(env, format!("CC={bin} cc gcc\n"));
    assert_eq!(cc, format!("{bin} cc gcc"));
    // No CC, but a go whose `go env CC` says clang: clang is wrapped.
    let stub = h.join("stub-go");
    write_exe(&stub.join("go"), "#!/bin/sh\n[ \"$1 $2\" = \"env CC\" ] && echo clang\n");
    let with_go = format!("{}:{no_go}", stub.display());
    let (env, _) = front(&[("SLIM_SETUP_BIN", bin), ("PATH", &with_go)]);
    assert_eq!(env, format!("CC={bin} cc clang\n"));
    // The job's own CC is wrapped, words kept; base-url is exported for the front.
    let (env, _) = front(&[
        ("SLIM_SETUP_BIN", bin),
        ("CC", "zig cc -target x86_64-linux-musl"),
        ("INPUT_BASE_URL", "https://mirror.example/slim"),
    ]);
    assert_eq!(
        env,
        format!(
            "CC={bin} cc zig cc -target x86_64-linux-musl\nSLIM_BINDINGS_BASE_URL=https://mirror.example/slim\n"
        )
    );
    // A path with a space is quoted the way go splits CC.
    let (env, _) = front(&[("SLIM_SETUP_BIN", "/opt/my tools/slim-setup")]);
    assert_eq!(env, "CC='/opt/my tools/slim-setup' cc gcc\n");
    // Already the front: left alone.
    let (env, cc) = front(&[("SLIM_SETUP_BIN", bin), ("CC", "/x/slim-setup cc clang")]);
    assert_eq!((env.as_str(), cc.as_str()), ("", "/x/slim-setup cc clang"));
}

/// GNU tar/find options: Linux only, where the release job runs.
#[test]
#[cfg(target_os = "linux")]
fn release_packaging_is_reproducible_and_installable() {
    let home = tempfile::tempdir().expect("tempdir");
    let h = home.path();
    let bins = h.join("bin");
    for triple in [LINUX_MUSL, "aarch64-apple-darwin"] {
        write_exe(&bins.join(triple).join("slim-setup"), "#!/bin/sh\necho packaged\n");
    }
    write_exe(&bins.join("x86_64-pc-windows-msvc/slim-setup.exe"), "MZ not really\n");
    let pkg = root().join("scripts/ci/package-release.sh");
    let mut sums = Vec::new();
    for out in ["a", "b"] {
        let mut cmd = script(&pkg, h, &[]);
        cmd.args([&format!("v{VERSION}"), "bin", out]).env("SOURCE_DATE_EPOCH", "1700000000");
        let release = ok(&mut cmd);
        assert_eq!(release.trim(), h.join(out).join(format!("v{VERSION}")).display().to_string());
        sums.push(read(&h.join(out).join(format!("v{VERSION}/SHA256SUMS"))));
    }
    assert_eq!(sums[0], sums[1], "same inputs must give byte-identical archives");
    let names: Vec<&str> = sums[0].lines().map(|l| l.split_once("  ").expect("sum line").1).collect();
    assert_eq!(
        names,
        [
            "slim-setup-0.1.0-aarch64-apple-darwin.tar.gz",
            "slim-setup-0.1.0-x86_64-pc-windows-msvc.zip",
            "slim-setup-0.1.0-x86_64-unknown-linux-musl.tar.gz",
        ]
    );
    let rel = h.join(format!("a/v{VERSION}"));
    ok(Command::new("sha256sum").arg("-c").arg("SHA256SUMS").current_dir(&rel));
    let listing = ok(Command::new("unzip").arg("-l").arg(rel.join(names[1])));
    assert!(listing.contains("slim-setup-0.1.0-x86_64-pc-windows-msvc/slim-setup.exe"), "{listing}");
    // What the publish job checks before uploading: install.sh takes it.
    let o = install(
        h,
        &["--base-url", h.join("a").to_str().expect("utf-8"), "--version", VERSION, "--dir", "inst"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(ok(&mut Command::new(h.join("inst/slim-setup"))), "packaged\n");
    // Bad input.
    let mut cmd = script(&pkg, h, &[]);
    cmd.args(["vNext", "bin", "c"]);
    assert_eq!(run(&mut cmd).status.code(), Some(2));
    std::fs::create_dir_all(h.join("empty")).expect("mkdir");
    let mut cmd = script(&pkg, h, &[]);
    cmd.args(["v1.0.0", "empty", "c"]);
    assert_eq!(run(&mut cmd).status.code(), Some(1));
}

#[test]
fn release_version_must_match_cargo_toml() {
    let home = tempfile::tempdir().expect("tempdir");
    let script_path = root().join("scripts/ci/release-version.sh");
    let crate_version = env!("CARGO_PKG_VERSION");
    let mut cmd = script(&script_path, home.path(), &[]);
    cmd.arg(format!("v{crate_version}"));
    assert_eq!(ok(&mut cmd), format!("{crate_version}\n"));
    for tag in ["v999.0.0", crate_version, "vfoo"] {
        let mut cmd = script(&script_path, home.path(), &[]);
        cmd.arg(tag);
        let o = run(&mut cmd);
        assert_eq!(o.status.code(), Some(1), "{tag}: {}", stdout(&o));
    }
}
