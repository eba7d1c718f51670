//! Go's own view of paths and platform, through the real `go`: GOMODCACHE and
//! GOPATH from `go env -w` or a list, symbolic links under GOPATH (each `..`
//! resolved after following them, as the kernel does), `--gopath` reaching
//! `go env` and `go list`, GOOS/GOARCH defaults, and `go list` leaving the
//! user's go.mod and go.sum alone.

use super::harness::{Case, canonical, fixtures, only_target, path_of, read, run, run_program};
use super::{HOST_LIB, HOST_TRIPLE, build_run_and_check_static_link};
use crate::support::binfmt::{self, EM_AARCH64};
use crate::support::user;

const V: &str = "v1.4.0";

/// GOMODCACHE set with `go env -w` only: cgo's -L is relative to the module
/// folder, so the library belongs beside that module cache, not under GOPATH.
/// Without `go` on PATH the tool reads Go's env file itself and agrees.
#[test]
#[ignore = "needs Go and zig: run scripts/test"]
fn gomodcache_from_go_env_w_moves_the_folder_with_it() {
    let fx = fixtures();
    let case = Case::new(fx, "gomodcache");
    let elsewhere = case.root().join("elsewhere");
    let setting = format!("GOMODCACHE={}", elsewhere.join("cache/mod").display());
    run(&mut case.go(&["env", "-w", &setting]), "go env -w GOMODCACHE");
    case.consumer(V);
    let installed = path_of(only_target(&case.install_checked(&[])));
    let expected = elsewhere.join(".cgo-cache/slim-bindings").join(V).join(HOST_LIB);
    assert_eq!(canonical(&installed), canonical(&expected));
    assert!(!case.default_gopath().join(".cgo-cache").exists(), "installed under GOPATH as well");
    let out = run(&mut case.slim_setup_without_go(&["--json", "--quiet"]), "slim-setup without go on PATH");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(only_target(&doc)["status"], "already-installed", "without go on PATH: {doc}");
    assert_eq!(canonical(&path_of(only_target(&doc))), canonical(&expected), "without go on PATH");
    build_run_and_check_static_link(&case, &installed);
}

/// GOPATH only in Go's env file (`go env -w`), and a GOPATH list (`a:b`).
#[test]
#[ignore = "needs Go and zig: run scripts/test"]
fn gopath_from_go_env_w_and_from_a_list() {
    let fx = fixtures();
    let case = Case::new(fx, "goenv");
    let envpath = case.root().join("from-go-env");
    run(&mut case.go(&["env", "-w", &format!("GOPATH={}", envpath.display())]), "go env -w GOPATH");
    case.consumer(V);
    let installed = path_of(only_target(&case.install_checked(&[])));
    let expected = envpath.join(".cgo-cache/slim-bindings").join(V).join(HOST_LIB);
    assert_eq!(canonical(&installed), canonical(&expected));
    assert!(!case.default_gopath().exists(), "fell back to $HOME/go");
    build_run_and_check_static_link(&case, &installed);

    let mut case = Case::new(fx, "gopathlist");
    let (a, b) = (case.root().join("a"), case.root().join("b"));
    case.set("GOPATH", Some(std::env::join_paths([&a, &b]).expect("GOPATH list")));
    case.consumer(V);
    let installed = path_of(only_target(&case.install_checked(&[])));
    assert_eq!(canonical(&installed), canonical(&a.join(".cgo-cache/slim-bindings").join(V).join(HOST_LIB)));
    assert!(!b.join(".cgo-cache").exists(), "installed under the second GOPATH entry");
    build_run_and_check_static_link(&case, &installed);
}

/// `GOPATH/pkg` or `GOPATH/pkg/mod` on another disk (a link, as CI caches and
/// Docker volumes do it): the folder is the one the linker reaches through the
/// link, the same before `go get` (layout) and after it (directive).
#[test]
#[ignore = "needs Go and zig: run scripts/test"]
fn symlinked_pkg_or_pkg_mod_installs_where_the_linker_reaches() {
    let fx = fixtures();
    // (link under GOPATH, its target under the case root, root of the folder cgo reaches)
    for (link, target, reached) in [("pkg", "disk/pkg", "disk"), ("pkg/mod", "vol/mod", "")] {
        let case = Case::new(fx, &format!("link-{}", link.replace('/', "-")));
        let root = canonical(case.root());
        let gopath = case.default_gopath();
        let link_path = gopath.join(link);
        for dir in [root.join(target), link_path.parent().unwrap().to_path_buf()] {
            std::fs::create_dir_all(&dir).unwrap();
        }
        std::os::unix::fs::symlink(root.join(target), &link_path).unwrap();
        user::give(case.root());
        let expected = root.join(reached).join(".cgo-cache/slim-bindings").join(V).join(HOST_LIB);

        let first = only_target(&case.install_json(&[V])).clone();
        assert_eq!(path_of(&first), expected, "{link}: before go get\n{first}");
        case.consumer(V);
        let second = only_target(&case.install_checked(&[])).clone();
        assert_eq!(second["status"], "already-installed", "{link}: {second}");
        assert_eq!(path_of(&second), expected, "{link}: after go get");
        let bin = case.build_ok("app", &[], &[]);
        assert_eq!(run_program(&bin, None), format!("{HOST_TRIPLE}\n"), "{link}");
        assert!(!gopath.join(".cgo-cache").exists(), "{link}: installed by the text of the path too");
    }
}

/// `--gopath X` reaches `go env` and `go list` as GOPATH=X and beats a GOPATH
/// in the environment, even when the module is in both module caches.
#[test]
#[ignore = "needs Go and zig: run scripts/test"]
fn gopath_flag_reaches_go_and_wins() {
    let fx = fixtures();
    let mut case = Case::new(fx, "gopath-flag");
    let (x, y) = (case.root().join("x"), case.root().join("y"));
    case.set("GOPATH", Some(&y));
    case.consumer(V);
    case.set("GOPATH", Some(&x));
    run(&mut case.go(&["mod", "download"]), "go mod download into x");
    let x_arg = x.to_str().expect("utf-8 path");
    let y_arg = y.to_str().expect("utf-8 path");
    let doc = case.install_checked_env(&["--gopath", x_arg], &[("GOPATH", y_arg)]);
    let installed = path_of(only_target(&doc));
    assert_eq!(canonical(&installed), canonical(&x.join(".cgo-cache/slim-bindings").join(V).join(HOST_LIB)));
    assert!(!y.join(".cgo-cache").exists(), "installed under the GOPATH the flag overrides");
    build_run_and_check_static_link(&case, &installed);
}

/// `go env -w GOARCH=arm64` makes arm64 the default, as for `go build`.
#[test]
#[ignore = "needs Go and zig: run scripts/test"]
fn go_env_w_goarch_arm64_installs_aarch64() {
    let fx = fixtures();
    let case = Case::new(fx, "goarch");
    run(&mut case.go(&["env", "-w", "GOARCH=arm64"]), "go env -w GOARCH");
    case.consumer(V);
    let target = only_target(&case.install_checked(&[])).clone();
    assert_eq!(target["triple"], "aarch64-unknown-linux-gnu", "{target}");
    assert!(path_of(&target).ends_with("libslim_bindings_aarch64_linux_gnu.a"), "{target}");
    let cc = fx.zig_cc("aarch64-linux-gnu");
    let bin = case.build_ok("app-arm64", &[("CC", &cc)], &[]);
    let bytes = read(&bin);
    assert_eq!(binfmt::elf(&bytes, "arm64 build").machine, EM_AARCH64);
    assert!(binfmt::contains(&bytes, b"aarch64-unknown-linux-gnu"));
}

/// An empty `GOOS=`/`GOARCH=` means the host's, as go treats it; exported
/// GOOS/GOARCH are defaults that `--target` overrides without a conflict.
#[test]
#[ignore = "needs Go and zig: run scripts/test"]
fn goos_goarch_from_the_environment_are_defaults_only() {
    let fx = fixtures();
    let mut case = Case::new(fx, "empty-goos");
    case.set("GOOS", Some(""));
    case.set("GOARCH", Some(""));
    case.consumer(V);
    let installed = path_of(only_target(&case.install_checked(&[])));
    assert!(installed.ends_with(HOST_LIB), "{}", installed.display());
    build_run_and_check_static_link(&case, &installed);

    let mut case = Case::new(fx, "exported-goos");
    case.set("GOOS", Some("linux"));
    case.set("GOARCH", Some("arm64"));
    case.consumer(V);
    let target = only_target(&case.install_checked(&["--target", "x86_64-unknown-linux-musl"])).clone();
    assert_eq!(target["triple"], "x86_64-unknown-linux-musl", "{target}");
    // An explicit --goos with --target is still a usage error.
    let out =
        harness_output(&mut case.slim_setup(&["--goos", "linux", "--target", "x86_64-unknown-linux-musl"]));
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    let cc = fx.zig_cc("x86_64-linux-musl");
    let bin = case.build_ok("app-musl", &[("GOARCH", "amd64"), ("CC", &cc)], &[]);
    assert_eq!(run_program(&bin, None), "x86_64-unknown-linux-musl\n");
}

fn harness_output(cmd: &mut std::process::Command) -> std::process::Output {
    super::harness::output(cmd, "slim-setup")
}

/// The version comes from `go list -m`, in read-only module mode: even with
/// GOFLAGS=-mod=mod in the environment (the cases set it), go.mod and go.sum
/// stay byte-identical. A missing go.sum is where `-mod=mod` would write.
#[test]
#[ignore = "needs Go and zig: run scripts/test"]
fn go_list_never_changes_go_mod_or_go_sum() {
    let fx = fixtures();
    let case = Case::new(fx, "readonly");
    case.consumer(V);
    let (go_mod, go_sum) = (case.app.join("go.mod"), case.app.join("go.sum"));
    let (mod_bytes, sum_bytes) = (read(&go_mod), read(&go_sum));
    std::fs::remove_file(&go_sum).unwrap();
    let doc = case.install_json(&[]);
    assert_eq!(doc["version_source"], "go list -m", "{doc}");
    assert_eq!(read(&go_mod), mod_bytes, "go.mod changed");
    assert!(!go_sum.exists(), "go.sum was written");
    std::fs::write(&go_sum, &sum_bytes).unwrap();
    user::give(&go_sum);
    case.install_json(&["--force"]);
    assert_eq!((read(&go_mod), read(&go_sum)), (mod_bytes, sum_bytes), "go.mod or go.sum changed");
}

/// `--offline` reaches go as GOPROXY=off. With the module not in the module
/// cache (a fresh runner with a mirror, before `go mod download`), `go list -m`
/// asks the proxy for its `.info`: offline it must fail without a request,
/// and the version is read from go.mod instead, showing go's own line.
#[test]
#[ignore = "needs Go and zig: run scripts/test"]
fn offline_go_list_makes_no_network_request() {
    let fx = fixtures();
    let mut case = Case::new(fx, "offline");
    case.consumer(V);
    let proxy = crate::support::server::Server::start();
    case.set("GOPROXY", Some(proxy.url()));
    case.set("GOPATH", Some(case.root().join("fresh-gopath")));
    // Online, go list needs the proxy: the offline run below can fail.
    let doc = case.install_json(&[]);
    assert_eq!(doc["version"], V, "{doc}");
    assert!(!proxy.requests().is_empty(), "go list never asked the proxy, so --offline would prove nothing");
    proxy.reset();
    let out = run(&mut case.slim_setup(&["--offline", "--json"]), "slim-setup --offline");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(only_target(&doc)["status"], "already-installed", "{doc}");
    let source = doc["version_source"].as_str().unwrap_or_default();
    assert!(source.contains("go.mod (`go list -m` failed: go: "), "{source}");
    assert!(source.contains("GOPROXY=off"), "go's own line is shown: {source}");
    assert!(proxy.requests().is_empty(), "go asked the proxy: {:?}", proxy.requests());
}
