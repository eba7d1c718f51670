//! What a run tells a person as it goes (issue 12): retries, fallbacks to
//! the next mirror and the proxy in use on stderr as they happen; refused
//! connections failing fast; `--retries`; `-v` showing requests, the
//! checksum source, the folder decision and timings, never a credential;
//! `--dry-run` touching nothing; the notice when a library changes under
//! the same path; and `mirror` keeping what it already holds.

mod support;

use std::process::Command;

use support::case::{Case, GNU, MUSL, TAG, VERSION, gnu_lib, gnu_zip, mirror, mirror_asset_path};
use support::disk::assert_installed;
use support::fixtures::{library_for, release_zip};
use support::github::{OWNER, REPO, asset_name};
use support::run::Run;
use support::server::{Fault, Route, Server};
use support::{files_under, sha256_hex};

fn run(mut cmd: Command) -> Run {
    Run::of(&mut cmd)
}

fn lines_with<'a>(r: &'a Run, needle: &str) -> Vec<&'a str> {
    r.stderr.lines().filter(|l| l.contains(needle)).collect()
}

#[test]
fn each_retry_is_told_with_its_attempt_and_wait() {
    let c = Case::published();
    c.cdn_fault(GNU, Fault::status(503).times(2));
    let r = run(c.install(GNU)).ok();
    let retries = lines_with(&r, "retrying in");
    assert_eq!(retries.len(), 2, "{r}");
    assert!(retries[0].contains("answered 503") && retries[0].contains("(attempt 2 of 5)"), "{r}");
    assert!(retries[1].contains("(attempt 3 of 5)"), "{r}");
    assert!(retries[0].trim_start().starts_with("warning:"), "{r}");
    assert_installed(&c.lib(), gnu_lib(), &r);
}

#[test]
fn retries_is_the_number_of_tries_after_the_first() {
    for (how, tries) in [("--retries 0", 1), ("SLIM_SETUP_RETRIES=2", 3)] {
        let c = Case::published();
        c.cdn_fault(GNU, Fault::status(503));
        let mut cmd = c.install(GNU);
        match how.split_once('=') {
            Some((k, v)) => cmd.env(k, v),
            None => cmd.args(how.split(' ')),
        };
        let r = run(cmd).fails(1);
        assert_eq!(c.cdn_requests().len(), tries, "{how}\n{r}");
        assert_eq!(lines_with(&r, "retrying in").len(), tries - 1, "{how}\n{r}");
    }
}

#[test]
fn a_fallback_to_the_next_mirror_is_told() {
    let empty = Server::start();
    let (_srv, base) = mirror(Route::bytes(gnu_zip().to_vec()), Some(gnu_zip()));
    let c = Case::new();
    let chain = format!("{},{base}", empty.url_for("/nothing"));
    let r = run(c.install_own_api(GNU, &chain)).ok();
    let told = lines_with(&r, "trying");
    assert_eq!(told.len(), 1, "{r}");
    assert!(
        told[0].contains(&empty.url_for("/nothing")) && told[0].contains("404") && told[0].contains(&base),
        "{r}"
    );
}

/// A refused connection to this machine is nothing listening: one retry,
/// and a hint about the address, not about timeouts.
#[test]
fn a_refused_connection_fails_fast_without_a_timeout_hint() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let c = Case::new();
    let r = run(c.install_own_api(GNU, &format!("http://127.0.0.1:{port}/m"))).fails(1);
    // The checksum file and the archive: each refused once, then given up.
    let retries = lines_with(&r, "retrying in");
    assert!(
        !retries.is_empty()
            && retries.iter().all(|l| l.contains("refused") && l.contains("(attempt 2 of 2)")),
        "{r}"
    );
    r.says(&["hint: nothing accepts connections"]);
    assert!(!r.stderr.contains("--timeout"), "{r}");
}

/// The proxy from the environment is named once; the proxy (a loopback
/// server that answers as the origin would) sees the requests.
#[test]
fn the_proxy_in_use_is_named() {
    let (proxy, _) = support::case::mirror(Route::bytes(gnu_zip().to_vec()), Some(gnu_zip()));
    let c = Case::new();
    let mut cmd = c.install_own_api(GNU, "http://127.0.0.1:9/m");
    cmd.env("HTTP_PROXY", proxy.url());
    let r = run(cmd).ok();
    assert_eq!(lines_with(&r, "via proxy").len(), 1, "{r}");
    r.says(&[&format!("via proxy {} (from HTTP_PROXY)", proxy.url())]);
    assert!(proxy.count(&mirror_asset_path()) >= 1, "the proxy carried the download");
}

/// `-v`: each request with its status, the checksum source, the folder and
/// its reason, timings; the token, a URL password and a CDN signature never.
#[test]
fn verbose_shows_requests_checksum_folder_and_timings_but_no_credential() {
    let c = Case::published();
    let mut cmd = c.install(GNU);
    cmd.env("GITHUB_TOKEN", "ghp_secret-token").arg("-v");
    let r = run(cmd).ok();
    r.says(&["[v] GET ", "-> 200 in ", "redirected to ", "checksum: published by GitHub release digest"]);
    r.says(&["folder ", "(--cache-dir", "connect ", "first byte ", "fsync of the library"]);
    assert!(!r.stderr.contains("ghp_secret-token"), "{r}");
    assert!(!r.stderr.contains("fake-signature"), "the signed CDN query\n{r}");
    assert!(r.stderr.contains("?..."), "the CDN URL without its query\n{r}");

    let (srv, _) = support::case::mirror(Route::bytes(gnu_zip().to_vec()), None);
    let c = Case::new();
    let mut cmd = c.install_own_api(GNU, &format!("http://u:pw-in-the-url@{}/m", srv.addr()));
    cmd.arg("-vv");
    let r = run(cmd).ok();
    assert!(!r.stderr.contains("pw-in-the-url") && r.stderr.contains("u:***@"), "{r}");
}

/// `--dry-run`: the plan, and nothing written, no archive asked for.
#[test]
fn dry_run_touches_nothing() {
    let c = Case::published();
    let before = files_under(&c.home);
    let mut cmd = c.install(GNU);
    cmd.arg("--dry-run");
    let r = run(cmd).ok();
    r.says(&["dry run", "would install", &c.lib().display().to_string(), "GitHub release digest"]);
    r.says(&[&c.gh.download_url(OWNER, REPO, TAG, &asset_name(GNU))]);
    assert_eq!(files_under(&c.home), before, "nothing written\n{r}");
    assert!(!c.dest.exists(), "not even the folder");
    assert_eq!(c.gh.gh.count(&c.gh.download_path(OWNER, REPO, TAG, &asset_name(GNU))), 0);
    assert_eq!(c.cdn_requests().len(), 0, "no archive requested");

    run(c.install(GNU)).ok();
    let mut cmd = c.install(GNU);
    cmd.arg("--dry-run");
    run(cmd).ok().says(&["already installed, nothing to do"]);
}

/// Other bytes at the same path: said, with the command that relinks.
#[test]
fn a_changed_library_is_announced_with_how_to_relink() {
    let c = Case::published();
    run(c.install(GNU)).ok();
    c.publish(GNU, &release_zip(GNU, &library_for(GNU, 310_000)));
    let mut cmd = c.install(GNU);
    cmd.arg("--force");
    let r = run(cmd).ok();
    r.says(&["the library at", "changed", "go build -a"]);
    let mut again = c.install(GNU);
    again.arg("--force");
    let r = run(again).ok();
    assert!(!r.stderr.contains("changed"), "same bytes: nothing to say\n{r}");
}

/// `mirror` keeps what it already holds, still writes SHA256SUMS when
/// another target fails, and ends saying the folder is a --base-url.
#[test]
fn mirror_skips_what_it_holds_and_keeps_its_sums_on_failure() {
    let c = Case::published();
    let out = c.home.join("mirror");
    let mirror_cmd = |targets: &[&str]| {
        let mut cmd = support::cmd::slim_setup(&c.home);
        cmd.env("SLIM_SETUP_BACKOFF_MS", "10");
        cmd.args(["mirror", VERSION, "--out"]).arg(&out);
        cmd.args(["--base-url", &c.gh.base_url(OWNER, REPO), "--github-api-url", &c.gh.api_url()]);
        for t in targets {
            cmd.args(["--target", t]);
        }
        cmd
    };
    let r = run(mirror_cmd(&[GNU])).ok();
    r.says(&["mirror ready", &format!("--base-url {}", out.display())]);
    assert_eq!(c.cdn_requests().len(), 1);

    let r = run(mirror_cmd(&[GNU, MUSL])).fails(1);
    r.says(&["already mirrored", "1 of 2 targets failed"]);
    assert_eq!(c.cdn_requests().len(), 1, "nothing fetched again\n{r}");
    let sums = std::fs::read_to_string(out.join(TAG).join("SHA256SUMS")).unwrap();
    assert_eq!(sums, format!("{}  {}\n", sha256_hex(gnu_zip()), asset_name(GNU)));
}
