//! How slim-setup asks the go command, with a stand-in `go` script on PATH
//! that records its arguments and environment and answers, fails or hangs as
//! told: `--gopath` and `--offline` reach it, `go list` runs in read-only
//! module mode, a hang is cut off by a timeout, and go's own error line is
//! shown. (The real go runs in tests/go_e2e.rs.)
#![cfg(unix)]

mod support;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use support::home::Home;
use support::run::Run;

/// `go env -json` answers this module cache; `go list` does what `list_body`
/// says. Every call appends its arguments and GOPATH/GOPROXY to `calls.log`.
fn fake_go(home: &Home, list_body: &str, env_body: &str) -> PathBuf {
    let bin = home.path().join("fake-go-bin");
    std::fs::create_dir_all(&bin).unwrap();
    let log = home.path().join("calls.log");
    let modcache = home.gopath().join("pkg/mod");
    let script = format!(
        "#!/bin/sh\n\
         echo \"$* | GOPATH=$GOPATH GOPROXY=$GOPROXY\" >> '{log}'\n\
         case \"$1\" in\n\
         env) {env_body} echo '{{\"GOPATH\":\"'\"${{GOPATH:-{gopath}}}\"'\",\"GOMODCACHE\":\"{modcache}\",\"GOOS\":\"linux\",\"GOARCH\":\"amd64\"}}' ;;\n\
         list) {list_body} ;;\n\
         esac\n",
        log = log.display(),
        gopath = home.gopath().display(),
        modcache = modcache.display(),
    );
    let go = bin.join("go");
    std::fs::write(&go, script).unwrap();
    std::fs::set_permissions(&go, std::fs::Permissions::from_mode(0o755)).unwrap();
    bin
}

fn calls(home: &Home) -> String {
    std::fs::read_to_string(home.path().join("calls.log")).unwrap_or_default()
}

/// A project requiring v1.4.0 and `slim-setup ARGS` run in it with the fake go
/// first on PATH, nothing installed and downloads off (so the run stops
/// right after planning, with exit 1, when nothing else fails first).
fn run_in_project(home: &Home, bin: &Path, args: &[&str]) -> Run {
    let proj = home.path().join("proj");
    std::fs::create_dir_all(&proj).unwrap();
    std::fs::write(proj.join("go.mod"), "module x\n\nrequire github.com/agntcy/slim-bindings-go v1.4.0\n")
        .unwrap();
    let path = format!("{}:{}", bin.display(), support::cmd::isolated_path(home.path()).to_string_lossy());
    let mut cmd: Command = home.bare();
    cmd.env("PATH", path).env("SLIM_SETUP_GO_TIMEOUT", "1").current_dir(&proj);
    cmd.args(["install", "--no-progress", "--base-url", "off"]).args(args);
    Run::of(&mut cmd)
}

#[test]
fn go_list_runs_read_only_with_the_gopath_flag_and_go_proxy_off_when_offline() {
    let home = Home::new();
    let bin =
        fake_go(&home, "echo '{\"Path\":\"github.com/agntcy/slim-bindings-go\",\"Version\":\"v1.4.0\"}'", "");
    let other = home.path().join("other");
    let run = run_in_project(&home, &bin, &["--gopath", other.to_str().unwrap(), "--offline"]).fails(1);
    run.says(&["version   v1.4.0 (from go list -m)"]);
    let log = calls(&home);
    let list =
        log.lines().find(|l| l.starts_with("list ")).unwrap_or_else(|| panic!("go list not run:\n{log}"));
    assert!(list.starts_with("list -mod=readonly -m -e -json "), "{list}");
    for line in log.lines() {
        assert!(line.ends_with(&format!("GOPATH={} GOPROXY=off", other.display())), "{line}");
    }
}

#[test]
fn a_failing_go_list_shows_gos_own_line_and_go_mod_is_read_instead() {
    let home = Home::new();
    let bin = fake_go(
        &home,
        "echo 'go: downloading x' >&2; echo 'go: errors parsing go.mod: bad line' >&2; exit 1",
        "",
    );
    let run = run_in_project(&home, &bin, &[]).fails(1);
    run.says(&[
        "v1.4.0 (from ",
        "go.mod (`go list -mod=readonly -m -e -json",
        "failed: go: errors parsing go.mod: bad line)",
    ]);
}

#[test]
fn a_hanging_go_list_is_cut_off_and_go_mod_is_read_instead() {
    let home = Home::new();
    let bin = fake_go(&home, "exec sleep 30", "");
    let run = run_in_project(&home, &bin, &[]).fails(1);
    run.says(&["v1.4.0 (from ", "did not finish within 1s)"]);
}

#[test]
fn a_hanging_go_env_is_an_error_naming_it() {
    let home = Home::new();
    let bin = fake_go(&home, "", "exec sleep 30;");
    let run = run_in_project(&home, &bin, &[]).fails(1);
    run.says(&["error: `go env -json", "did not finish within 1s", "hint: "]);
}
