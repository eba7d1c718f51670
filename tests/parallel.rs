//! Fast on real networks (issue 14), as behaviour, not timing: the
//! metadata request runs beside the archive request, and a large archive
//! from a server that honours Range comes over several connections into the
//! same bytes, each range resuming on its own, falling back to one stream
//! when ranges are not honoured, and never mixing two versions of a file.
#![cfg(unix)]

mod support;

use std::process::Command;
use std::sync::{Arc, OnceLock};

use support::case::{Case, GNU, mirror, mirror_asset_path};
use support::disk::assert_installed;
use support::fixtures::{self, ZipEntry, library_for};
use support::github::{OWNER, REPO, asset_name};
use support::run::{Run, Running};
use support::server::{Fault, Gate, Request, Route};

/// 24 MiB of library, stored: a 24 MiB archive, well past the 8 MiB at
/// which a download may use several connections.
fn big_lib() -> &'static [u8] {
    static LIB: OnceLock<Vec<u8>> = OnceLock::new();
    LIB.get_or_init(|| library_for(GNU, 24 << 20))
}

fn big_zip(lib: &[u8]) -> Vec<u8> {
    fixtures::zip(&[ZipEntry::file(support::case::entry_name(GNU), lib.to_vec()).stored()])
}

fn big_case() -> Case {
    let c = Case::new();
    c.publish(GNU, &big_zip(big_lib()));
    c
}

fn run(mut cmd: Command) -> Run {
    Run::of(&mut cmd)
}

fn ranged(reqs: &[Request]) -> Vec<&Request> {
    reqs.iter().filter(|r| r.header("range").is_some()).collect()
}

/// The CDN's per-connection pace, so that more connections raise the
/// total rate (on loopback one connection is never the bottleneck).
fn throttled(c: &Case) {
    c.cdn_fault(GNU, Fault::Pace { bytes_per_sec: 8 << 20 });
}

#[test]
fn parallel_ranges_install_the_same_bytes() {
    let c = big_case();
    throttled(&c);
    let r = run(c.install(GNU)).ok();
    assert_installed(&c.lib(), big_lib(), &r);
    let reqs = c.cdn_requests();
    assert!(ranged(&reqs).len() >= 2, "several ranges: {} requests\n{r}", reqs.len());
    let sent = c.gh.cdn.body_bytes_sent();
    let size = big_zip(big_lib()).len() as u64;
    assert!(sent < size * 12 / 10, "ranges overlap too much: {sent} of {size}");
}

#[test]
fn one_connection_is_one_request() {
    let c = big_case();
    throttled(&c);
    let mut cmd = c.install(GNU);
    cmd.args(["--connections", "1"]);
    let r = run(cmd).ok();
    assert_installed(&c.lib(), big_lib(), &r);
    assert_eq!(c.cdn_requests().len(), 1, "{r}");
}

#[test]
fn a_server_that_ignores_range_gets_one_stream() {
    let c = big_case();
    throttled(&c);
    c.cdn_fault(GNU, Fault::IgnoreRange);
    let r = run(c.install(GNU)).ok();
    assert_installed(&c.lib(), big_lib(), &r);
    assert_eq!(c.cdn_requests().len(), 1, "{r}");
}

/// The third request's answer breaks half-way: that range resumes from
/// where it broke, nothing else is fetched again.
#[test]
fn a_broken_range_resumes_alone() {
    let c = big_case();
    throttled(&c);
    c.cdn_fault(GNU, Fault::DropAfterOn { request: 3, bytes: 1 << 20 });
    let r = run(c.install(GNU)).ok();
    assert_installed(&c.lib(), big_lib(), &r);
    let sent = c.gh.cdn.body_bytes_sent();
    let size = big_zip(big_lib()).len() as u64;
    assert!(sent < size * 12 / 10, "{sent} bytes sent for {size}\n{r}");
    assert!(r.stderr.contains("broke at byte"), "the resume is told\n{r}");
    // The resume asks for exactly the rest of the broken range, and no
    // range is asked for from the same start twice.
    let reqs = c.cdn_requests();
    let starts: Vec<u64> = reqs
        .iter()
        .map(|q| {
            q.header("range")
                .and_then(|v| v.strip_prefix("bytes=")?.split('-').next()?.parse().ok())
                .unwrap_or(0)
        })
        .collect();
    let broken = starts[2];
    assert!(starts[3..].contains(&(broken + (1 << 20))), "no resume from {broken} + 1 MiB: {starts:?}\n{r}");
    let mut unique = starts.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), starts.len(), "a range fetched again from its start: {starts:?}");
}

/// Extra connections are only for speed: a server that answers them 503
/// (a cap on one client's connections) leaves their ranges to the
/// connections it serves, and the install completes with the same bytes.
#[test]
fn refused_extra_connections_hand_their_ranges_back() {
    let c = big_case();
    throttled(&c);
    // The two connections the second ramp step adds are refused, retry included.
    c.cdn_fault(GNU, Fault::RefuseRangesAfter { allowed: 1, refused: 4 });
    let mut cmd = c.install(GNU);
    cmd.args(["--retries", "1", "-v"]);
    let r = run(cmd).ok();
    assert_installed(&c.lib(), big_lib(), &r);
    r.says(&["a connection gave up", "the others take its range over"]);
    let reqs = c.cdn_requests();
    assert!(
        ranged(&reqs).len() >= 2,
        "a second range was asked for and refused: {} requests\n{r}",
        reqs.len()
    );
    let sent = c.gh.cdn.body_bytes_sent();
    let size = big_zip(big_lib()).len() as u64;
    assert!(sent < size * 12 / 10, "the handed-back range was not fetched from scratch: {sent} of {size}");
}

/// The file changes on the server after the first answer: a range asked
/// for with the old validator gets the whole new file (If-Range), and the
/// download starts again from scratch, so the library is one version or
/// the other, never a mix.
#[test]
fn a_file_changed_between_ranges_restarts_and_never_mixes() {
    let other_lib = library_for(GNU, (24 << 20) + 4096);
    let other = Arc::new(big_zip(&other_lib));
    let route = Route::bytes(big_zip(big_lib()))
        .fault(Fault::Pace { bytes_per_sec: 8 << 20 })
        .fault(Fault::ChangeAfter { requests: 1, to: other });
    // A plain mirror: no release size to hold the new file against.
    let (srv, base) = mirror(route, None);
    let c = Case::new();
    let r = run(c.install_own_api(GNU, &base)).ok();
    let got = std::fs::read(c.lib()).unwrap();
    assert!(got == other_lib || got == big_lib(), "a mix of two files ({} bytes)\n{r}", got.len());
    let reqs = srv.requests_to(&mirror_asset_path());
    let restarted = reqs.iter().skip(1).any(|q| q.header("range").is_none());
    assert!(restarted, "a fresh request after the change: {reqs:#?}");
}

/// The releases API and the archive are both in flight at once: the
/// archive request reaches the server while the API's answer is held.
#[test]
fn the_api_and_the_archive_are_asked_at_once() {
    let c = Case::published();
    let gate = Gate::new();
    c.api_fault(Fault::HoldHead(gate.clone()));
    let mut cmd = c.install(GNU);
    let mut running = Running::start(&mut cmd);
    let download = c.gh.download_path(OWNER, REPO, support::case::TAG, &asset_name(GNU));
    // Asked one after the other, the archive would wait for the API forever.
    running.wait_until("the archive requested while the API waits", |_| c.gh.gh.count(&download) > 0);
    gate.open();
    let r = running.finish().ok();
    assert_installed(&c.lib(), support::case::gnu_lib(), &r);
}
