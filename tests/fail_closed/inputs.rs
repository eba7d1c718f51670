//! Small inputs that used to crash or mislead: a closed stdout, environment
//! variables that are not UTF-8, and URLs in every spelling a user types.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::process::Stdio;

use crate::support::case::{Case, GNU, TAG, VERSION, gnu_lib, gnu_zip};
use crate::support::disk::assert_installed;
use crate::support::github::asset_name;
use crate::support::run::Run;
use crate::support::{self, sha256_hex};
use crate::{installed, run};

/// `slim-setup ... | head -1` once head has gone: the reader of stdout is
/// closed before the first write. Every subcommand exits 0, silently.
#[test]
fn a_closed_stdout_ends_every_command_quietly() {
    let c = installed();
    let dest = c.dest.to_str().unwrap().to_string();
    let commands: Vec<Vec<&str>> = vec![
        vec!["list", "--cache-dir", &dest],
        vec!["list", "--json", "--cache-dir", &dest],
        vec!["targets"],
        vec!["targets", "--json"],
        vec!["completions", "bash"],
        vec!["env", VERSION, "--target", GNU, "--cache-dir", &dest],
        vec!["verify", "--cache-dir", &dest],
        vec!["doctor", VERSION, "--target", GNU, "--cache-dir", &dest],
        vec!["clean", VERSION, "--dry-run", "--cache-dir", &dest],
    ];
    for args in commands {
        let (reader, writer) = std::io::pipe().expect("pipe");
        drop(reader);
        let mut cmd = support::cmd::slim_setup(&c.home);
        cmd.args(&args).stdout(Stdio::from(writer));
        let out = cmd.stderr(Stdio::piped()).output().expect("run");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked") && !stderr.contains("error"), "{args:?}: {stderr}");
    }
    let mut cmd = c.install(GNU);
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    let out = cmd.arg("--json").arg("--force").stdout(Stdio::from(writer)).output().expect("run");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_installed(&c.lib(), gnu_lib(), "install --json with stdout closed");
}

fn not_text() -> &'static OsStr {
    OsStr::from_bytes(b"/tmp/\xff\xfe-not-utf8")
}

#[test]
fn environment_variables_that_are_not_text_never_panic() {
    let c = installed();
    // One slim-setup reads: said plainly.
    let mut cmd = support::cmd::slim_setup(&c.home);
    cmd.args(["list"]).env("GOPATH", not_text());
    let r = run(cmd).fails(1);
    r.error(&["GOPATH", "not valid UTF-8"]);
    // One it does not read: none of its business.
    let mut cmd = support::cmd::slim_setup(&c.home);
    cmd.args(["list", "--cache-dir"]).arg(&c.dest).env("SOMETHING_ELSE", not_text());
    run(cmd).ok();
    // One clap reads for a flag: a usage error.
    let mut cmd = c.install(GNU);
    cmd.env("SLIM_SETUP_TIMEOUT", not_text());
    let r = run(cmd);
    assert!(!r.stderr.contains("panicked"), "{r}");
    r.fails(2);
}

fn sums_mirror() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let tag = dir.path().join(TAG);
    std::fs::create_dir_all(&tag).unwrap();
    std::fs::write(tag.join(asset_name(GNU)), gnu_zip()).unwrap();
    let sums = format!("{}  {}\n", sha256_hex(gnu_zip()), asset_name(GNU));
    std::fs::write(tag.join("SHA256SUMS"), sums).unwrap();
    dir
}

fn install_from(base: &str) -> (Case, Run) {
    let c = Case::new();
    let mut cmd = c.install_own_api(GNU, base);
    cmd.arg("--require-checksum");
    let r = Run::of(&mut cmd);
    (c, r)
}

#[test]
fn urls_in_every_spelling_work_and_other_schemes_are_refused() {
    let srv = support::server::Server::start();
    let folder = sums_mirror();
    srv.serve_dir("/m", folder.path());
    let spaced = tempfile::tempdir().unwrap();
    let with_space = spaced.path().join("my mirror");
    std::fs::rename(sums_mirror().keep(), &with_space).unwrap();
    let bases = [
        srv.url_for("/m").replace("http://", "HTTP://"),
        format!("file://localhost{}", folder.path().display()),
        format!("FILE://{}", folder.path().display()),
        format!("file://{}", with_space.display().to_string().replace(' ', "%20")),
    ];
    for base in &bases {
        let (c, r) = install_from(base);
        let r = r.ok();
        assert_installed(&c.lib(), gnu_lib(), &r);
    }
    for bad in ["javascript:alert(1)", "data:text/plain,x", "ftp://127.0.0.1/m"] {
        let (c, r) = install_from(bad);
        let r = r.fails(2);
        r.error(&["unsupported", bad.split(':').next().unwrap()]);
        assert!(!c.dest.exists() || support::files_under(&c.dest).is_empty(), "{r}");
        let first = std::path::Path::new(bad).components().next().expect("a first component");
        assert!(!c.home.join(first).exists(), "taken as a folder name in the working folder\n{r}");
    }
}
