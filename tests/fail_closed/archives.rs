//! Hostile archives and servers: a library named for another target, a zip
//! two readers would read differently, bodies that never end or end late,
//! a server that drips, and content that is not what was asked for.

use std::time::Duration;

use crate::support::case::{GNU, MUSL, entry_name, gnu_lib, gnu_zip, mirror, mirror_asset_path};
use crate::support::disk::{assert_clean, assert_installed};
use crate::support::fixtures::{self, ZipEntry, ZipParts};
use crate::support::server::{Fault, Route};
use crate::{installed, refused, run};

fn zip_of(entries: &[(&str, &[u8])], descriptor: bool) -> Vec<u8> {
    let entries: Vec<ZipEntry> = entries
        .iter()
        .map(|(n, d)| {
            let e = ZipEntry::file(*n, d.to_vec());
            if descriptor { e.with_data_descriptor() } else { e }
        })
        .collect();
    fixtures::zip(&entries)
}

#[test]
fn a_library_named_for_another_target_is_never_installed() {
    let c = installed();
    let musl_named = fixtures::lib_name(MUSL);
    for name in [
        musl_named.clone(),
        format!("{MUSL}/{}", fixtures::lib_name(GNU)),
        format!("bindings-{MUSL}/libother.a"),
    ] {
        c.publish(GNU, &zip_of(&[(name.as_str(), gnu_lib())], false));
        let r = refused(&c, c.install(GNU), &["has no", &fixtures::lib_name(GNU), "another target"]);
        r.error(&[&name]);
    }
    // The old release tooling's spelling for the same triple is still the library.
    let old = "libslim_bindings_x86_64_unknown_linux_gnu.a";
    c.publish(GNU, &zip_of(&[(old, gnu_lib())], false));
    let mut cmd = c.install(GNU);
    cmd.arg("--force");
    let r = run(cmd).ok();
    r.says(&[old]);
    assert_installed(&c.lib(), gnu_lib(), &r);
}

/// The stream and spool routes agree, and both agree with the central
/// directory: an archive where they could differ is refused whole.
#[test]
fn an_ambiguous_zip_is_refused_on_both_routes() {
    let lib_entry = entry_name(GNU);
    for descriptor in [false, true] {
        let c = installed();
        let good = zip_of(&[("readme.txt", b"hello"), (lib_entry.as_str(), gnu_lib())], descriptor);
        let tampered: Vec<(&str, Vec<u8>, &[&str])> = vec![
            (
                "unlisted",
                {
                    let mut p = ZipParts::split(&good);
                    p.central.remove(0);
                    p.assemble()
                },
                &["is not listed", "belong to no entry"],
            ),
            (
                "renamed",
                {
                    let mut p = ZipParts::split(&good);
                    let i = p.find(".a");
                    let other = p.name(i).replace("gnu.a", "xyz.a");
                    p.rename(i, &other);
                    p.assemble()
                },
                &["its own header"],
            ),
            (
                "duplicated",
                {
                    let mut p = ZipParts::split(&good);
                    let again = p.central[p.find(".a")].clone();
                    p.central.push(again);
                    p.assemble()
                },
                &["more than once"],
            ),
            (
                "trailing bytes",
                [good.clone(), b"appended after the end record".to_vec()].concat(),
                &["after its end record", "bytes follow its end record"],
            ),
        ];
        for (what, zip, reason) in tampered {
            c.publish(GNU, &zip);
            let r = refused(&c, c.install(GNU), &["ambiguous archive"]);
            let line = r.error(&[]);
            assert!(reason.iter().any(|r| line.contains(r)), "{what} (descriptor {descriptor}): {line}");
        }
    }
}

/// Junk after a valid zip is not read to its end: the first byte past the
/// end record refuses the archive, announced or endless.
#[test]
fn bytes_after_the_end_record_are_not_read() {
    for fault in [Fault::Junk { bytes: 512 << 20 }, Fault::Endless] {
        let c = installed();
        let (srv, base) = mirror(Route::bytes(gnu_zip().to_vec()).fault(fault.clone()), None);
        let r = refused(&c, c.install_own_api(GNU, &base), &["ambiguous archive", "after its end record"]);
        let sent = srv.body_bytes_sent();
        assert!(sent < 64 << 20, "{fault:?}: the server handed over {sent} bytes\n{r}");
    }
}

/// With no length announced, a body is cut at --max-download; a length
/// announced past it is refused before a byte is read.
#[test]
fn a_body_is_never_read_past_its_limit() {
    let c = installed();
    let spooled = zip_of(&[(entry_name(GNU).as_str(), gnu_lib())], true);
    let (srv, base) = mirror(Route::bytes(spooled.clone()).fault(Fault::Endless), None);
    let mut cmd = c.install_own_api(GNU, &base);
    cmd.args(["--max-download", "1048576"]);
    refused(&c, cmd, &["1048576", "--max-download"]);
    // Socket buffers and the hashing thread's chunks in flight, not the endless rest.
    assert!(srv.body_bytes_sent() < 64 << 20, "{}", srv.body_bytes_sent());

    let (_srv, base) = mirror(Route::bytes(spooled), None);
    let mut cmd = c.install_own_api(GNU, &base);
    cmd.args(["--max-download", "1000"]);
    refused(&c, cmd, &["more than --max-download 1000"]);
}

/// A byte every 200 ms never times out a read, and never gets anywhere:
/// below --min-rate over a --timeout window it counts as a stall, is
/// resumed, then fails.
#[test]
fn a_slow_drip_counts_as_a_stall() {
    let c = installed();
    c.cdn_fault(GNU, Fault::Drip { after_bytes: 0, every: Duration::from_millis(200) });
    let mut cmd = c.install(GNU);
    cmd.args(["--timeout", "1", "--min-rate", "1024"]);
    refused(&c, cmd, &["slower than 1024 bytes/s"]);
    let asked = c.cdn_requests();
    assert!(asked.iter().any(|q| q.header("range").is_some()), "resumed before giving up: {asked:?}");
}

#[test]
fn content_that_is_not_what_was_asked_for_is_named() {
    let c = installed();
    let encoded = Route::bytes(gnu_zip().to_vec()).header("content-encoding", "gzip");
    let (_srv, base) = mirror(encoded, Some(gnu_zip()));
    refused(&c, c.install_own_api(GNU, &base), &["Content-Encoding", "gzip"]);
    let partial = Route::bytes(gnu_zip().to_vec()).with_status(206);
    let (srv, base) = mirror(partial, Some(gnu_zip()));
    let r = refused(&c, c.install_own_api(GNU, &base), &["206"]);
    assert!(!r.stderr.contains("checksum mismatch"), "{r}");
    assert!(srv.requests_to(&mirror_asset_path()).iter().all(|q| q.header("range").is_none()));
    assert_clean(&c.dest, &r);
}
