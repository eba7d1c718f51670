//! Verification must not switch itself off: only a 404/410 (or a missing
//! file in a folder mirror) means "no checksum is published"; any other
//! failure to read one stops the install, naming the URL and the reason.

use crate::support::case::{Case, GNU, TAG, gnu_lib, gnu_zip, mirror, mirror_asset_path};
use crate::support::disk::assert_installed;
use crate::support::github::{OWNER, REPO, asset_name};
use crate::support::server::{Fault, Route, Server};
use crate::support::{self, sha256_hex};
use crate::{installed, refused, run};

fn sums_line() -> String {
    format!("{}  {}\n", sha256_hex(gnu_zip()), asset_name(GNU))
}

/// A plain mirror serving the gnu zip and `sums` as its SHA256SUMS.
fn mirror_with_sums(sums: Route) -> (Server, String) {
    let (srv, base) = mirror(Route::bytes(gnu_zip().to_vec()), None);
    srv.route(format!("/m/{TAG}/SHA256SUMS"), sums);
    (srv, base)
}

#[test]
fn a_checksum_file_that_cannot_be_read_stops_the_install() {
    // A login page is an answer (retrying it changes nothing); the others are retried.
    let faults: [(&str, Fault, &[&str], bool); 4] = [
        ("500", Fault::status(500), &["answered 500"], true),
        ("a timeout", Fault::stall(0), &[], true),
        ("a dropped connection", Fault::drop_after(0), &["cut short"], true),
        ("a login page", Fault::Html, &["HTML"], false),
    ];
    for (what, fault, reason, retried) in faults {
        let c = installed();
        let (srv, base) = mirror_with_sums(Route::bytes(sums_line().into_bytes()).fault(fault));
        let mut cmd = c.install_own_api(GNU, &base);
        cmd.args(["--timeout", "1"]);
        let sums_url = format!("{base}/{TAG}/SHA256SUMS");
        let r = refused(&c, cmd, &["cannot verify", &sums_url]);
        r.error(reason);
        r.says(&["hint:", "--sha256"]);
        assert!(!r.stderr.contains("no checksum is published"), "{what}: not 'none published'\n{r}");
        let asked = srv.count(&format!("/m/{TAG}/SHA256SUMS"));
        if retried {
            assert!(asked >= 2, "{what}: retried as downloads are\n{r}");
        } else {
            assert_eq!(asked, 1, "{what}: an answer, not retried\n{r}");
        }
    }
}

#[test]
fn only_404_and_410_mean_none_published() {
    for code in [404, 410] {
        let c = Case::new();
        let (_srv, base) = mirror_with_sums(Route::status(code, "gone\n"));
        let r = run(c.install_own_api(GNU, &base)).ok();
        r.says(&["warning: no checksum is published", "installed unverified"]);
        assert_installed(&c.lib(), gnu_lib(), &r);
    }
}

#[test]
fn a_sidecar_sha256_that_cannot_be_read_stops_the_install() {
    let c = installed();
    let (srv, base) = mirror_with_sums(Route::status(404, "no\n"));
    srv.route(format!("{}.sha256", mirror_asset_path()), Route::status(503, "busy\n"));
    refused(&c, c.install_own_api(GNU, &base), &["cannot verify", ".zip.sha256", "answered 503"]);
}

/// What other tools write: a byte order mark, CRLF, UTF-16, the BSD form,
/// upper-case hex. All verify; none reads as "nothing published".
#[test]
fn checksum_files_in_every_common_encoding_verify() {
    let line = sums_line();
    let hex = sha256_hex(gnu_zip());
    let utf16 = |big: bool| {
        let mut out: Vec<u8> = if big { vec![0xfe, 0xff] } else { vec![0xff, 0xfe] };
        for unit in format!("{hex}  {}\r\n", asset_name(GNU)).encode_utf16() {
            out.extend(if big { unit.to_be_bytes() } else { unit.to_le_bytes() });
        }
        out
    };
    let bodies: [(&str, Vec<u8>); 6] = [
        ("UTF-8 with a BOM", [b"\xef\xbb\xbf".as_slice(), line.as_bytes()].concat()),
        ("CRLF", format!("deadbeef  other.zip\r\n{}\r\n", line.trim_end()).into_bytes()),
        ("UTF-16LE", utf16(false)),
        ("UTF-16BE", utf16(true)),
        ("BSD", format!("SHA256 ({}) = {hex}\n", asset_name(GNU)).into_bytes()),
        (
            "upper case",
            line.to_uppercase().replace(&asset_name(GNU).to_uppercase(), &asset_name(GNU)).into_bytes(),
        ),
    ];
    for (what, body) in bodies {
        let c = Case::new();
        let (_srv, base) = mirror_with_sums(Route::bytes(body));
        let mut cmd = c.install_own_api(GNU, &base);
        cmd.args(["--json", "--require-checksum"]);
        let r = run(cmd).ok();
        let by = r.target()["verified_by"].as_str().unwrap_or_default().to_string();
        assert!(by.ends_with("/SHA256SUMS"), "{what}: verified by {by:?}\n{r}");
        assert_installed(&c.lib(), gnu_lib(), &r);
    }
}

#[test]
fn a_malformed_line_for_the_asset_is_an_error() {
    let c = installed();
    let short = &sha256_hex(gnu_zip())[..63];
    let body = format!("{short}  {}\n", asset_name(GNU));
    let (_srv, base) = mirror_with_sums(Route::bytes(body.into_bytes()));
    refused(&c, c.install_own_api(GNU, &base), &["malformed checksum file", short]);
    let (_srv, base) = mirror_with_sums(Route::bytes(vec![0xff, 0x00, 0xc3, 0x28]));
    refused(&c, c.install_own_api(GNU, &base), &["malformed checksum file", "not text"]);
}

/// An API that could not answer is not an API that said "no digest".
#[test]
fn a_releases_api_that_cannot_answer_stops_the_install() {
    for fault in [Fault::status(500), Fault::status(502), Fault::drop_after(0), Fault::stall(0)] {
        let c = installed();
        c.api_fault(fault.clone());
        let mut cmd = c.install(GNU);
        cmd.args(["--timeout", "1"]);
        let before = c.api_count();
        let r = refused(&c, cmd, &["cannot verify", "releases/tags"]);
        r.says(&["hint:", "GITHUB_TOKEN", "--sha256", "slim-bindings.sum"]);
        assert!(c.api_count() - before >= 2, "{fault:?}: retried\n{r}");
        // Vouched for by the user: the same answer no longer matters.
        let mut pinned = c.install(GNU);
        pinned.args(["--timeout", "1", "--force", "--sha256", &sha256_hex(gnu_zip())]);
        run(pinned).ok();
    }
}

/// Assets uploaded before GitHub computed digests have none: the API
/// answered, nothing is published, the install goes on with a warning.
#[test]
fn an_api_answer_without_a_digest_is_none_published() {
    let c = Case::new();
    c.gh.publish_without_digest(OWNER, REPO, TAG, &asset_name(GNU), gnu_zip().to_vec());
    let mut cmd = c.install(GNU);
    cmd.arg("--json");
    let r = run(cmd).ok();
    assert!(r.target()["verified_by"].is_null(), "{r}");
    r.says(&["warning: no checksum is published"]);
    assert_installed(&c.lib(), gnu_lib(), &r);
}

#[test]
fn api_digests_are_read_in_any_case_and_other_forms_are_errors() {
    let hex = sha256_hex(gnu_zip());
    let c = Case::new();
    let publish = |digest: String| {
        c.gh.publish_with_digest(OWNER, REPO, TAG, &asset_name(GNU), gnu_zip().to_vec(), Some(digest));
    };
    publish(format!("SHA256:{}", hex.to_uppercase()));
    let mut cmd = c.install(GNU);
    cmd.args(["--json", "--require-checksum"]);
    let r = run(cmd).ok();
    let by = r.target()["verified_by"].as_str().unwrap_or_default().to_string();
    assert!(by.starts_with("GitHub release digest (") && by.contains("/releases/tags/"), "{by}\n{r}");

    for (digest, needle) in [
        (format!("sha256:{}", &hex[..63]), "is not a sha256 digest"),
        (format!("sha512:{hex}{hex}"), "sha512"),
    ] {
        publish(digest);
        refused(&c, c.install(GNU), &["cannot verify", needle]);
    }
}

/// The manifest records what verified an install; a no-op honours
/// --require-checksum: it re-verifies online, or refuses.
#[test]
fn require_checksum_is_honoured_by_an_install_nothing_vouched_for() {
    let c = Case::new();
    let (srv, base) = mirror_with_sums(Route::status(404, "none\n"));
    run(c.install_own_api(GNU, &base)).ok().says(&["installed unverified"]);
    let strict = |extra: &[&str]| {
        let mut cmd = c.install_own_api(GNU, &base);
        cmd.arg("--require-checksum").args(extra);
        run(cmd)
    };
    for extra in [&[][..], &["--offline"]] {
        let r = strict(extra).fails(1);
        r.error(&["--require-checksum"]);
        assert_installed(&c.lib(), gnu_lib(), &r);
    }
    let r = strict(&["--offline"]).fails(1);
    r.error(&["installed unverified"]);
    // A pin vouches for what is installed, offline too.
    run({
        let mut cmd = c.install_own_api(GNU, &base);
        cmd.args(["--require-checksum", "--offline", "--sha256", &sha256_hex(gnu_zip())]);
        cmd
    })
    .ok();
    // Published now: the no-op re-verifies online and records it.
    srv.route(format!("/m/{TAG}/SHA256SUMS"), Route::bytes(sums_line().into_bytes()));
    let r = strict(&[]).ok();
    let manifest = support::release::manifest(&c.lib());
    assert!(manifest["verified_by"].as_str().unwrap_or_default().ends_with("/SHA256SUMS"), "{manifest}\n{r}");
    assert_installed(&c.lib(), gnu_lib(), &r);
    strict(&["--offline"]).ok();
}
