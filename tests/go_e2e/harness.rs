//! The machinery of the Go end-to-end tests: the pinned toolchains (from
//! `scripts/toolchain.sh --env`), the fixtures built once per test process
//! (release zips served over loopback HTTP, a file-based Go module proxy), and
//! a `Case`: a fresh HOME (GOPATH is Go's default, HOME/go) and consumer module
//! with commands for `go`, `slim-setup` and the built programs that see only
//! that case's environment and run as an unprivileged user (`support::user`),
//! with Go's module cache read-only as it is for users.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use serde_json::Value;

use crate::support;
use crate::support::server::Server;
use crate::support::user;

/// Versions the fixtures publish, one per published cgo shape; each has a
/// stand-in module in tests/gomodules.
pub const VERSIONS: [&str; 6] = ["v0.7.2", "v0.7.3", "v1.2.0", "v1.3.0-rc.1", "v1.4.0", "v2.1.0"];

pub struct Toolchain {
    pub go: PathBuf,
    pub zig: PathBuf,
}

pub struct Fixtures {
    pub tools: Toolchain,
    /// Serves the release layout at /releases/{tag}/slim-bindings-{triple}.zip.
    pub server: Server,
    /// The release layout it serves (tests add their own prefixes for it).
    pub releases: PathBuf,
    pub proxy: PathBuf,
    pub gocache: PathBuf,
    pub zigcache: PathBuf,
    /// An empty `libresolv.a`: Go's darwin link asks for -lresolv, which zig's
    /// macOS SDK stubs do not provide.
    pub darwin_stubs: PathBuf,
}

impl Fixtures {
    pub fn base_url(&self) -> String {
        format!("{}/releases", self.server.url())
    }
    /// The C compiler command for a zig target, as CC for cgo.
    pub fn zig_cc(&self, target: &str) -> String {
        format!("{} cc -target {target}", self.tools.zig.display())
    }
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The fixtures, built on first use. Panics, telling how to get them, when
/// the toolchains are missing: a test that runs must never pass without
/// having proven anything (these are `#[ignore]`d for a plain `cargo test`).
pub fn fixtures() -> &'static Fixtures {
    static FIXTURES: OnceLock<Fixtures> = OnceLock::new();
    FIXTURES.get_or_init(|| build_fixtures(toolchain()))
}

fn toolchain() -> Toolchain {
    let var = |name: &str| -> PathBuf {
        let path = std::env::var_os(name).map(PathBuf::from).unwrap_or_else(|| {
            panic!(
                "{name} is not set: the Go end-to-end tests need the pinned Go and Zig toolchains.\n\
                 Run them through `scripts/test` (it runs `eval \"$(scripts/toolchain.sh --env)\"`)."
            )
        });
        assert!(path.is_file(), "{name}={} does not exist; run scripts/toolchain.sh", path.display());
        path
    };
    Toolchain { go: var("SLIM_GO"), zig: var("SLIM_ZIG") }
}

fn build_fixtures(tools: Toolchain) -> Fixtures {
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    remove_stale_fixtures(&tmp);
    let dir = tmp.join(format!("go-e2e-fixtures-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let releases = dir.join("releases");
    let proxy = dir.join("goproxy");
    let mut release = Command::new("bash");
    release.arg(root().join("scripts/fixtures/build-release.sh")).arg(&releases).args(VERSIONS);
    release.env("ZIG", &tools.zig);
    run(&mut release, "build the release fixtures");
    let mut goproxy = Command::new("python3");
    goproxy.arg(root().join("scripts/fixtures/build-goproxy.py")).arg(&proxy);
    run(&mut goproxy, "build the Go module proxy");
    let darwin_stubs = dir.join("darwin-stubs");
    std::fs::create_dir_all(&darwin_stubs).expect("create darwin stub folder");
    std::fs::write(darwin_stubs.join("libresolv.a"), b"!<arch>\n").expect("write libresolv.a stub");

    let server = Server::start();
    server.serve_dir("/releases", &releases);
    // Shared across cases and runs: Go keys its cache by inputs (CC, flags,
    // GOOS/GOARCH), so sharing is safe, and it saves compiling the standard
    // library per case. zig's cache holds the C libraries it builds (musl,
    // mingw): minutes on a cold machine.
    let gocache = support::e2e_cache("go-build");
    let zigcache = support::e2e_cache("zig");
    Fixtures { tools, server, releases, proxy, gocache, zigcache, darwin_stubs }
}

/// Fixture folders are per process (nextest runs a process per test); remove
/// those whose process is gone.
fn remove_stale_fixtures(tmp: &Path) {
    let Ok(entries) = std::fs::read_dir(tmp) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = name.strip_prefix("go-e2e-fixtures-") else { continue };
        if !Path::new("/proc").join(pid).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// Serialises builds that share one toolchain configuration, so that a cold
/// standard library (or zig's libc) is compiled once rather than by every
/// parallel test at the same time; different configurations still overlap.
/// A file lock, because cargo-nextest runs each test in its own process.
/// Released when the returned file is dropped.
pub fn build_lock(key: &str) -> std::fs::File {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("go-e2e-locks");
    std::fs::create_dir_all(&dir).expect("create lock folder");
    let path = dir.join(format!("{}.lock", &support::sha256_hex(key.as_bytes())[..16]));
    let file = std::fs::File::create(&path).unwrap_or_else(|e| panic!("create {}: {e}", path.display()));
    file.lock().unwrap_or_else(|e| panic!("lock {}: {e}", path.display()));
    file
}

/// Runs `cmd`, panicking with its command line and output unless it succeeds.
pub fn run(cmd: &mut Command, what: &str) -> Output {
    let out = output(cmd, what);
    assert!(out.status.success(), "{what} failed ({}):\n{}", out.status, describe(cmd, &out));
    out
}

pub fn output(cmd: &mut Command, what: &str) -> Output {
    cmd.output().unwrap_or_else(|e| panic!("{what}: could not start {:?}: {e}", cmd.get_program()))
}

pub fn describe(cmd: &Command, out: &Output) -> String {
    format!(
        "$ {:?} {:?}\n--- stdout\n{}--- stderr\n{}",
        cmd.get_program(),
        cmd.get_args().collect::<Vec<_>>(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// One scenario: its own HOME (GOPATH unset, so Go's default HOME/go) and
/// consumer module, all owned by the unprivileged user.
pub struct Case {
    pub fx: &'static Fixtures,
    dir: tempfile::TempDir,
    pub home: PathBuf,
    pub app: PathBuf,
    /// Variables for every `go` and `slim-setup` run; None removes one.
    pub env: Vec<(String, Option<OsString>)>,
}

impl Case {
    pub fn new(fx: &'static Fixtures, name: &str) -> Case {
        let dir =
            tempfile::Builder::new().prefix(&format!("go-e2e-{name}-")).tempdir().expect("case temp dir");
        let root = dir.path().to_path_buf();
        let home = root.join("home");
        let app = root.join("app");
        for d in [&home, &app] {
            std::fs::create_dir_all(d).expect("create case folder");
        }
        user::give(&root);
        let proxy = format!("file://{}", fx.proxy.display());
        let mut env: Vec<(String, Option<OsString>)> = vec![
            ("HOME".into(), Some(home.clone().into())),
            ("XDG_CONFIG_HOME".into(), Some(home.join(".config").into())),
            ("XDG_CACHE_HOME".into(), Some(home.join(".cache").into())),
            ("GOPATH".into(), None),
            ("GOCACHE".into(), Some(fx.gocache.clone().into())),
            ("ZIG_GLOBAL_CACHE_DIR".into(), Some(fx.zigcache.clone().into())),
            ("GOPROXY".into(), Some(proxy.into())),
            ("GOSUMDB".into(), Some("off".into())),
            // As some users set it; slim-setup's own `go list` must still
            // never write go.mod or go.sum. No -modcacherw: the module cache
            // is read-only, as Go makes it.
            ("GOFLAGS".into(), Some("-mod=mod".into())),
            ("GOTOOLCHAIN".into(), Some("local".into())),
            ("CGO_ENABLED".into(), Some("1".into())),
            ("LANG".into(), Some("C.UTF-8".into())),
        ];
        if let Some(tmp) = std::env::var_os("TMPDIR") {
            env.push(("TMPDIR".into(), Some(tmp)));
        }
        Case { fx, dir, home, app, env }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// Go's default GOPATH for this case.
    pub fn default_gopath(&self) -> PathBuf {
        self.home.join("go")
    }

    /// Sets (Some) or removes (None) a variable for this case's commands.
    pub fn set(&mut self, key: &str, value: Option<impl Into<OsString>>) {
        self.env.retain(|(k, _)| k != key);
        self.env.push((key.to_string(), value.map(Into::into)));
    }

    fn apply(&self, cmd: &mut Command) {
        for (k, v) in &self.env {
            match v {
                Some(v) => cmd.env(k, v),
                None => cmd.env_remove(k),
            };
        }
    }

    fn go_dir(&self) -> &Path {
        self.fx.tools.go.parent().expect("go binary folder")
    }

    /// `go ARGS` in the consumer module, with only this case's environment.
    pub fn go(&self, args: &[&str]) -> Command {
        let mut cmd = user::command(&self.fx.tools.go);
        cmd.env_clear().args(args).current_dir(&self.app);
        let path =
            std::env::join_paths([self.go_dir(), Path::new("/usr/bin"), Path::new("/bin")]).expect("PATH");
        cmd.env("PATH", path);
        self.apply(&mut cmd);
        cmd
    }

    /// `slim-setup ARGS` in the consumer module, with `go` on PATH (so it can
    /// ask `go list -m` and `go env` as a user's run would) and the mirror.
    pub fn slim_setup(&self, args: &[&str]) -> Command {
        let mut cmd = self.slim_setup_bare(args);
        cmd.args(["--base-url", &self.fx.base_url(), "--no-progress"]);
        cmd
    }

    /// `slim-setup ARGS` with no `go` anywhere on PATH.
    pub fn slim_setup_without_go(&self, args: &[&str]) -> Command {
        let mut cmd = support::cmd::slim_setup_as_user(&self.home);
        cmd.args(args).args(["--base-url", &self.fx.base_url(), "--no-progress"]).current_dir(&self.app);
        self.apply(&mut cmd);
        cmd
    }

    /// `slim-setup ARGS` as a user types it (go on PATH, no mirror flags): for
    /// subcommands that do not download.
    pub fn slim_setup_bare(&self, args: &[&str]) -> Command {
        let mut cmd = support::cmd::slim_setup_as_user(&self.home);
        cmd.args(args).current_dir(&self.app);
        self.apply(&mut cmd);
        let mut dirs = vec![self.go_dir().to_path_buf()];
        dirs.extend(std::env::split_paths(&support::cmd::isolated_path(&self.home)));
        cmd.env("PATH", std::env::join_paths(dirs).expect("PATH"));
        cmd
    }

    /// Runs slim-setup with `--json` and returns the document.
    pub fn install_json(&self, args: &[&str]) -> Value {
        self.install_json_env(args, &[])
    }

    /// `install_json` with variables set (or, empty, cleared) for slim-setup only.
    pub fn install_json_env(&self, args: &[&str], env: &[(&str, &str)]) -> Value {
        let mut args = args.to_vec();
        args.push("--json");
        let mut cmd = self.slim_setup(&args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = run(&mut cmd, "slim-setup --json");
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("slim-setup --json printed no JSON ({e}):\n{}", describe(&cmd, &out)))
    }

    /// What `go env NAME` says for this case.
    pub fn go_env(&self, name: &str) -> PathBuf {
        let out = run(&mut self.go(&["env", name]), "go env");
        PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
    }

    /// Every file under the module cache.
    pub fn modcache_files(&self) -> Vec<String> {
        support::files_under(&self.go_env("GOMODCACHE"))
    }

    /// `install_json`, then what must hold after every install: slim-setup
    /// added no file to Go's module cache, `go mod verify` passes, and
    /// `slim-setup list` shows each installed library.
    pub fn install_checked(&self, args: &[&str]) -> Value {
        self.install_checked_env(args, &[])
    }

    /// `install_checked` with variables set for slim-setup only.
    pub fn install_checked_env(&self, args: &[&str], env: &[(&str, &str)]) -> Value {
        let before = self.modcache_files();
        let doc = self.install_json_env(args, env);
        self.assert_modcache_untouched(&before, "slim-setup");
        let list = run(&mut self.slim_setup_bare(&["list", "--json"]), "slim-setup list --json");
        let listed: Value = serde_json::from_slice(&list.stdout).expect("list --json");
        let listed: Vec<PathBuf> = listed["libraries"]
            .as_array()
            .expect("list --json has libraries[]")
            .iter()
            .map(|r| canonical(&path_of(r)))
            .collect();
        for t in doc["targets"].as_array().expect("targets[]") {
            let path = canonical(&path_of(t));
            assert!(listed.contains(&path), "slim-setup list does not show {}: {listed:?}", path.display());
        }
        doc
    }

    /// Nothing was added to the module cache since `before`, and `go mod verify` passes.
    pub fn assert_modcache_untouched(&self, before: &[String], who: &str) {
        let after = self.modcache_files();
        let added: Vec<&String> = after.iter().filter(|f| !before.contains(f)).collect();
        assert!(added.is_empty(), "{who} wrote into Go's module cache: {added:?}");
        let verify = run(&mut self.go(&["mod", "verify"]), "go mod verify");
        assert_eq!(String::from_utf8_lossy(&verify.stdout), "all modules verified\n");
    }

    /// `build`, then what must hold after every build through the `cc`
    /// front: nothing added to the module cache, `go mod verify` passes.
    pub fn build_checked(&self, name: &str, env: &[(&str, &str)], extra: &[&str]) -> (Output, PathBuf) {
        let before = self.modcache_files();
        let built = self.build(name, env, extra);
        self.assert_modcache_untouched(&before, "go build through the cc front");
        built
    }

    /// A consumer whose packages are the tree `tests/gomodules/NAME`
    /// (module example.com/consumer), requiring `module@version`.
    pub fn consumer_tree(&self, version: &str, name: &str) {
        run(&mut self.go(&["mod", "init", "example.com/consumer"]), "go mod init");
        run(&mut self.go(&["get", &format!("github.com/agntcy/slim-bindings-go@{version}")]), "go get");
        let src = root().join("tests/gomodules").join(name);
        for rel in support::files_under(&src) {
            let dest = self.app.join(&rel);
            std::fs::create_dir_all(dest.parent().expect("parent")).expect("create package folder");
            std::fs::copy(src.join(&rel), &dest).expect("copy consumer file");
        }
        user::give(&self.app);
    }

    /// A consumer module that requires `module@version` (fetched with `go get`
    /// through the file proxy) and whose main prints the linked triple.
    pub fn consumer(&self, version: &str) {
        let v2 = version.starts_with("v2.");
        let module =
            if v2 { "github.com/agntcy/slim-bindings-go/v2" } else { "github.com/agntcy/slim-bindings-go" };
        run(&mut self.go(&["mod", "init", "example.com/consumer"]), "go mod init");
        run(&mut self.go(&["get", &format!("{module}@{version}")]), "go get");
        let src = root().join("tests/gomodules/consumer").join(if v2 { "main_v2.go" } else { "main.go" });
        std::fs::copy(&src, self.app.join("main.go")).expect("copy consumer main.go");
    }

    /// `go build -o NAME EXTRA... .` with `env` added; returns the output and
    /// the path of the binary.
    pub fn build(&self, name: &str, env: &[(&str, &str)], extra: &[&str]) -> (Output, PathBuf) {
        let bin = self.root().join("bin").join(name);
        let mut args = vec!["build", "-o", bin.to_str().expect("utf-8 path")];
        args.extend(extra);
        args.push(".");
        let mut cmd = self.go(&args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let key: Vec<String> = ["GOOS", "GOARCH", "CC"]
            .iter()
            .map(|k| env.iter().find(|(n, _)| n == k).map_or("host", |(_, v)| v).to_string())
            .collect();
        let _serial = build_lock(&key.join("|"));
        let out = output(&mut cmd, "go build");
        (out, bin)
    }

    /// Like `build`, panicking unless it succeeds.
    pub fn build_ok(&self, name: &str, env: &[(&str, &str)], extra: &[&str]) -> PathBuf {
        let (out, bin) = self.build(name, env, extra);
        assert!(out.status.success(), "go build {name} failed:\n{}", String::from_utf8_lossy(&out.stderr));
        bin
    }
}

impl Drop for Case {
    /// Go leaves its module cache read-only; anyone but root needs it made
    /// writable again before the temporary folder can go.
    fn drop(&mut self) {
        user::make_removable(self.dir.path());
    }
}

pub fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|e| panic!("{} should exist: {e}", path.display()))
}

/// Runs a built program (directly or under an emulator) and returns its stdout.
pub fn run_program(program: &Path, emulator: Option<&Path>) -> String {
    let mut cmd = match emulator {
        Some(e) => {
            let mut c = user::command(e);
            c.arg(program);
            c
        }
        None => user::command(program),
    };
    let out = run(cmd.env_clear(), "run the built program");
    String::from_utf8(out.stdout).expect("utf-8 output")
}

/// qemu for arm64 binaries (.ci/run installs qemu-user-static); its absence
/// fails the test rather than skipping the run.
pub fn qemu_aarch64() -> PathBuf {
    ["/usr/bin/qemu-aarch64-static", "/usr/bin/qemu-aarch64"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
        .expect("qemu-aarch64 is needed to run the arm64 programs: apt-get install qemu-user-static")
}

/// The one target of a --json result (asserting there is exactly one).
pub fn only_target(doc: &Value) -> &Value {
    let targets = doc["targets"].as_array().unwrap_or_else(|| panic!("no targets[] in {doc}"));
    assert_eq!(targets.len(), 1, "expected one target in {doc}");
    &targets[0]
}

pub fn path_of(target: &Value) -> PathBuf {
    PathBuf::from(target["path"].as_str().unwrap_or_else(|| panic!("no path in {target}")))
}

pub fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}
