//! Nothing half-changed, nothing deleted under a running install: a library
//! and its manifest always agree (or the manifest is gone and the next run
//! reinstalls), `clean` waits for a running install, and a failed install
//! leaves no folder, lock or spool file of its own behind.

use std::path::Path;

use crate::support::case::{Case, GNU, MUSL, TAG, VERSION, entry_name, gnu_lib};
use crate::support::disk::{assert_clean, assert_installed, names_in};
use crate::support::fixtures::{self, ZipEntry, library_for, release_zip};
use crate::support::github::asset_name;
use crate::support::run::Running;
use crate::support::server::{Fault, Gate, Route, Server};
use crate::support::{self, sha256_hex};
use crate::{installed, no_locks, run};

/// Every library file in `dir` that has a manifest is the one it records.
fn consistent(dir: &Path, context: &dyn std::fmt::Display) {
    for name in names_in(dir).into_iter().filter(|n| n.ends_with(".a")) {
        let lib = dir.join(&name);
        if !lib.is_file() {
            continue;
        }
        let manifest = dir.join(format!("{name}.slim-setup.json"));
        let Ok(text) = std::fs::read(&manifest) else { continue };
        let m: serde_json::Value = serde_json::from_slice(&text).expect("manifest JSON");
        let sha = format!("sha256:{}", sha256_hex(&support::read(&lib)));
        assert!(
            m["lib_sha256"] == sha.as_str() || m["lib_sha256"] == sha.trim_start_matches("sha256:"),
            "{name} is not what its manifest records: {m}\n{context}"
        );
    }
}

fn musl_zip(size: usize) -> Vec<u8> {
    release_zip(MUSL, &library_for(MUSL, size))
}

/// A failure after the library's rename: the second name of a musl library
/// cannot be made (a folder is in the way), or its manifest cannot be
/// replaced. What is left is a consistent pair, and the next run repairs it.
#[test]
fn a_failure_after_the_rename_leaves_a_consistent_pair() {
    for blocked in ["the second name", "the manifest"] {
        let c = Case::new();
        c.publish(MUSL, &musl_zip(300_000));
        run(c.install(MUSL)).ok();
        let cgo_name = fixtures::cgo_lib_name(MUSL);
        let own_name = fixtures::lib_name(MUSL);
        let in_the_way = match blocked {
            "the second name" => c.dest.join(&own_name),
            _ => c.dest.join(format!("{cgo_name}.slim-setup.json")),
        };
        std::fs::remove_file(&in_the_way).unwrap();
        std::fs::create_dir(&in_the_way).unwrap();
        std::fs::write(in_the_way.join("keep"), b"x").unwrap();

        c.publish(MUSL, &musl_zip(310_000));
        let mut cmd = c.install(MUSL);
        cmd.arg("--force");
        let r = run(cmd).fails(1);
        r.error(&[&in_the_way.display().to_string()]);
        consistent(&c.dest, &r);
        assert_clean(&c.dest, &r);
        no_locks(&c, &r);

        std::fs::remove_dir_all(&in_the_way).unwrap();
        let r = run(c.install(MUSL)).ok();
        consistent(&c.dest, &r);
        let new = library_for(MUSL, 310_000);
        for name in [&cgo_name, &own_name] {
            assert_installed(&c.dest.join(name), &new, &r);
        }
        let mut verify = support::cmd::slim_setup(&c.home);
        verify.args(["verify", VERSION, "--cache-dir"]).arg(&c.dest);
        run(verify).ok();
    }
}

/// `clean VERSION` takes each library's lock first: with an install in
/// progress it waits, and never removes that install's lock.
#[test]
fn clean_waits_for_an_install_in_progress() {
    let c = installed();
    let gate = Gate::new();
    c.cdn_fault(GNU, Fault::hold(60_000, &gate));
    c.gh.cdn.reset();
    let mut cmd = c.install(GNU);
    cmd.arg("--force");
    let mut install = Running::start(&mut cmd);
    install.wait_until("the download started", |_| !c.cdn_requests().is_empty());
    let lock = c.dest.join(format!(".{}.lock", fixtures::cgo_lib_name(GNU)));
    assert!(lock.exists(), "the install holds {}", lock.display());

    let mut clean_cmd = support::cmd::slim_setup(&c.home);
    clean_cmd.args(["clean", VERSION, "--cache-dir"]).arg(&c.dest);
    let mut clean = Running::start(&mut clean_cmd);
    clean.wait_until("clean waits", |r| r.stderr().contains("waiting for the install in progress"));
    assert!(lock.exists(), "clean removed the lock of a running install");
    assert!(c.lib().exists(), "clean deleted under a running install");

    gate.open();
    let installed = install.finish().ok();
    assert!(installed.stderr.contains("ok "), "{installed}");
    let cleaned = clean.finish().ok();
    cleaned.mentions(&["removed", &c.lib().display().to_string()]);
    assert!(!c.lib().exists() && !lock.exists(), "{cleaned}");
}

/// A failed first install leaves no version folder it created and no lock;
/// an interrupted one on the spool route leaves no spool file.
#[test]
fn a_failed_install_leaves_nothing_of_its_own() {
    let c = Case::new();
    let nowhere = Server::start();
    let mut cmd = support::cmd::slim_setup(&c.home);
    cmd.env("SLIM_SETUP_BACKOFF_MS", "10").args([
        "install",
        VERSION,
        "--target",
        GNU,
        "--no-progress",
        "--base-url",
        &nowhere.url_for("/m"),
    ]);
    let r = run(cmd).fails(1);
    let versioned = c.home.join("go/.cgo-cache/slim-bindings").join(VERSION);
    assert!(!versioned.exists(), "{} left behind\n{r}", versioned.display());
    no_locks(&c, &r);

    let c = installed();
    // Stored and past the spool's first megabyte, so it is on disk when held.
    let big = library_for(GNU, 3 << 20);
    let spooled = fixtures::zip(&[ZipEntry::file(entry_name(GNU), big).stored().with_data_descriptor()]);
    let gate = Gate::new();
    let srv = Server::start();
    srv.route(
        format!("/m/{TAG}/{}", asset_name(GNU)),
        Route::bytes(spooled).fault(Fault::hold(2 << 20, &gate)),
    );
    let mut cmd = c.install_own_api(GNU, &srv.url_for("/m"));
    cmd.arg("--force");
    let mut running = Running::start(&mut cmd);
    running.wait_until("the spool file exists", |_| {
        names_in(&c.dest).iter().any(|n| n.starts_with(".slim-setup-spool-"))
    });
    let pid = running.id().to_string();
    std::process::Command::new("kill").args(["-INT", &pid]).status().expect("kill");
    let r = running.finish().fails(130);
    assert_installed(&c.lib(), gnu_lib(), &r);
    no_locks(&c, &r);
    gate.open();
}
