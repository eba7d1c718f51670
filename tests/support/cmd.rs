//! The built `slim-setup` binary with a clean, isolated environment, so a
//! developer's GOPATH, token, proxy or Go toolchain can never leak into a test.

use std::ffi::OsString;
use std::path::Path;
use std::process::Command;

/// The system folders tests may use; `go`/`gofmt` in them are hidden.
const SYSTEM_BIN: [&str; 2] = ["/usr/bin", "/bin"];
/// Tools that must not be found, so version and GOPATH detection only see
/// what a test set up (a Debian `golang-go` puts `go` in /usr/bin).
const HIDDEN: [&str; 2] = ["go", "gofmt"];

/// `slim-setup` with only: PATH (`/usr/bin:/bin`, or a copy of it without
/// `go` made under `home` when the system has one), HOME=`home`,
/// GOPATH=`home/go`, XDG_CONFIG_HOME=`home/.config` (Go's env file lives
/// there), XDG_CACHE_HOME=`home/.cache`, TERM=dumb, LANG=C.UTF-8, and the
/// working folder `home` (so no stray go.mod above the test is found).
/// No GITHUB_TOKEN/GH_TOKEN, proxies, GOFLAGS or SLIM_* variables; callers
/// add what a test needs with `.env(..)` / `.current_dir(..)`.
pub fn slim_setup(home: &Path) -> Command {
    isolated(Command::new(env!("CARGO_BIN_EXE_slim-setup")), home)
}

/// `slim_setup`, run as the unprivileged user (`support::user`).
pub fn slim_setup_as_user(home: &Path) -> Command {
    isolated(super::user::command(env!("CARGO_BIN_EXE_slim-setup")), home)
}

fn isolated(mut cmd: Command, home: &Path) -> Command {
    cmd.env_clear()
        .env("PATH", isolated_path(home))
        .env("HOME", home)
        .env("GOPATH", home.join("go"))
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_CACHE_HOME", home.join(".cache"))
        .env("TERM", "dumb")
        .env("LANG", "C.UTF-8")
        .current_dir(home);
    cmd
}

/// `/usr/bin:/bin` when neither holds `go`; otherwise a folder under `home`
/// with symlinks to everything in them except the hidden tools.
pub fn isolated_path(home: &Path) -> OsString {
    path_without_go(&SYSTEM_BIN, home)
}

/// `dirs` joined as a PATH, or, when one of them holds `go`/`gofmt`, a
/// folder `home/.test-bin` linking to all their other entries.
pub fn path_without_go(dirs: &[&str], home: &Path) -> OsString {
    let has_go = dirs.iter().any(|d| HIDDEN.iter().any(|t| Path::new(d).join(t).exists()));
    if !has_go {
        return dirs.join(":").into();
    }
    let bin = home.join(".test-bin");
    std::fs::create_dir_all(&bin).expect("create isolated PATH folder");
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            if HIDDEN.iter().any(|t| name == *t) {
                continue;
            }
            // /bin is often /usr/bin (merged /usr): duplicates are expected.
            #[cfg(unix)]
            let _ = std::os::unix::fs::symlink(entry.path(), bin.join(&name));
            #[cfg(not(unix))]
            let _ = std::fs::copy(entry.path(), bin.join(&name));
        }
    }
    bin.into_os_string()
}

/// What `sh` holds in `var` after `eval`-ing `script`, as a user's
/// `eval "$(slim-setup env)"` would.
#[allow(dead_code)]
pub fn sh_eval(script: &str, var: &str) -> String {
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!("eval \"$1\" && printf %s \"${var}\""))
        .arg("sh")
        .arg(script)
        .output()
        .expect("run sh");
    assert!(out.status.success(), "sh -c eval failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf-8")
}
