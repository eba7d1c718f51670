//! `slim-setup install` end to end: the built binary against real loopback
//! servers (a fake GitHub that answers downloads with a 302 to a CDN server and
//! serves the releases API with digests) and real folder mirrors. Each test has
//! its own HOME (GOPATH = HOME/go) and asserts exit codes, what was printed,
//! the bytes and paths on disk, and which requests each server saw.

mod support;

use support::disk::assert_nothing_installed;
use support::home::Home;
use support::run::Run;
use support::{files_under, read};

use std::ffi::OsStr;
use std::path::Path;
use std::process::Command;

use serde_json::Value;
use support::fixtures::{self, ZipEntry, lib_name, library_for, release_zip};
use support::github::{FakeGitHub, OWNER, REPO, asset_name};
use support::release::{
    ALL, GNU, LIB_SIZE, LINUX_AMD64_GNU, MUSL, TAG, V, folder_mirror, github_args, github_release, lib,
    manifest,
};
use support::server::Fault;
use support::sha256_hex;
use tempfile::TempDir;

const TOKEN: &str = "secret-token-123";

// ---------------------------------------------------------------- helpers

impl Home {
    /// `slim-setup install --no-progress --gopath HOME/go`; callers add the rest.
    fn install(&self) -> Command {
        let mut c = self.bare();
        c.args(["install", "--no-progress", "--gopath"]).arg(self.gopath());
        c
    }
    /// Installs v1.4.0 for linux/amd64/gnu from `source` and expects success.
    fn install_gnu<S: AsRef<OsStr>>(&self, source: &[S]) -> Run {
        Run::of(self.install().arg(V).args(source).args(LINUX_AMD64_GNU)).ok()
    }
}

/// Paths of one asset on the fake GitHub: (download, cdn, api).
fn paths(gh: &FakeGitHub, triple: &str) -> (String, String, String) {
    let asset = asset_name(triple);
    (
        gh.download_path(OWNER, REPO, TAG, &asset),
        gh.cdn_path(OWNER, REPO, TAG, &asset),
        gh.api_path(OWNER, REPO, TAG),
    )
}

/// Requests seen so far by (gh, cdn).
fn traffic(gh: &FakeGitHub) -> (usize, usize) {
    (gh.gh.requests().len(), gh.cdn.requests().len())
}

/// A temp copy of the committed sample mirror (examples/mirror).
fn sample_mirror() -> TempDir {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/mirror").join(TAG);
    let root = tempfile::tempdir().expect("mirror copy");
    let dst = root.path().join(TAG);
    std::fs::create_dir_all(&dst).unwrap();
    for entry in std::fs::read_dir(&src).expect("examples/mirror exists").flatten() {
        std::fs::copy(entry.path(), dst.join(entry.file_name())).unwrap();
    }
    root
}

/// The bytes of the entry whose name ends with `suffix` in a zip.
fn zip_member(zip: &[u8], suffix: &str) -> Vec<u8> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).expect("readable zip");
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).expect("zip entry");
        if entry.name().expect("entry name").ends_with(suffix) {
            let mut out = Vec::new();
            std::io::copy(&mut entry, &mut out).expect("inflate zip entry");
            return out;
        }
    }
    panic!("no entry ending {suffix:?}")
}

/// The folder holds exactly the library and its manifest: no temp, spool,
/// alias or lock file survives an install, whether it worked or not.
fn assert_only_the_library_in(dir: &Path, lib_file: &str) {
    let mut want = vec![lib_file.to_string(), format!("{lib_file}.slim-setup.json")];
    want.sort();
    let got: Vec<String> = files_under(dir);
    assert_eq!(got, want, "files in {}", dir.display());
}

/// A Go project folder (separate from HOME) with this go.mod.
fn project(go_mod: &str) -> TempDir {
    let dir = tempfile::tempdir().expect("project folder");
    std::fs::write(dir.path().join("go.mod"), go_mod).unwrap();
    dir
}

// ------------------------------------------------------- GitHub downloads

#[test]
fn fresh_install_from_github_lands_where_cgo_looks() {
    let home = Home::new();
    let gh = github_release(&[GNU]);
    let run = home.install_gnu(&github_args(&gh));
    let lib_path = home.versioned(V).join("libslim_bindings_x86_64_linux_gnu.a");
    let zip = release_zip(GNU, &lib(GNU));
    assert_eq!(read(&lib_path), lib(GNU), "installed bytes = the library inside the zip");
    let m = manifest(&lib_path);
    assert_eq!(m["version"], V);
    assert_eq!(m["triple"], GNU);
    assert_eq!(m["zip_sha256"], sha256_hex(&zip));
    assert_eq!(m["lib_sha256"], sha256_hex(&lib(GNU)));
    assert_eq!(m["size"], lib(GNU).len());
    run.says(&["installed", &lib_path.display().to_string(), "verified against GitHub release digest"]);
    let (download, cdn, api) = paths(&gh, GNU);
    assert_eq!(gh.gh.count(&download), 1, "one download request to gh");
    assert_eq!(gh.cdn.count(&cdn), 1, "the 302 was followed to the CDN once");
    assert_eq!(gh.gh.count(&api), 1, "the releases API is asked once");
    assert_only_the_library_in(&home.versioned(V), &lib_name(GNU));
}

#[test]
fn second_run_makes_no_request_and_force_downloads_again() {
    let home = Home::new();
    let gh = github_release(&[GNU]);
    home.install_gnu(&github_args(&gh));
    let before = traffic(&gh);
    let run = home.install_gnu(&github_args(&gh));
    assert_eq!(traffic(&gh), before, "an intact install must not touch the network\n{run}");
    let lib_path = home.versioned(V).join(lib_name(GNU));
    run.says(&[&format!("  ok {GNU} already installed: {} (", lib_path.display())]);

    let run = home.install_gnu(&[&github_args(&gh)[..], &["--force".to_string()]].concat());
    run.says(&[&format!("  ok {GNU} reinstalled: {} (", lib_path.display())]);
    let (download, cdn, api) = paths(&gh, GNU);
    assert_eq!((gh.gh.count(&download), gh.cdn.count(&cdn), gh.gh.count(&api)), (2, 2, 2));
}

#[test]
fn checksum_mismatch_installs_nothing() {
    let home = Home::new();
    let gh = FakeGitHub::start();
    let zip = release_zip(GNU, &lib(GNU));
    gh.publish_wrong_digest(OWNER, REPO, TAG, &asset_name(GNU), zip.clone());
    let published = gh.release_json(OWNER, REPO, TAG).unwrap()["assets"][0]["digest"].clone();
    let expected = published.as_str().unwrap().trim_start_matches("sha256:").to_string();
    let run = Run::of(home.install().arg(V).args(github_args(&gh)).args(LINUX_AMD64_GNU)).fails(1);
    run.says(&["checksum mismatch", &expected, &sha256_hex(&zip), "nothing was installed"]);
    assert_nothing_installed(&home.gopath(), &run);
}

#[test]
fn checksum_mismatch_keeps_the_previous_library() {
    let home = Home::new();
    let gh = github_release(&[GNU]);
    home.install_gnu(&github_args(&gh));
    let lib_path = home.versioned(V).join(lib_name(GNU));
    let (old_lib, old_manifest) = (read(&lib_path), manifest(&lib_path));

    // The release now serves other bytes that its digest does not vouch for.
    let tampered = release_zip(GNU, &library_for(GNU, LIB_SIZE + 4096));
    gh.publish_wrong_digest(OWNER, REPO, TAG, &asset_name(GNU), tampered);
    let run = Run::of(home.install().args([V, "--force"]).args(github_args(&gh)).args(LINUX_AMD64_GNU));
    run.fails(1).says(&["checksum mismatch"]);
    assert_eq!(read(&lib_path), old_lib, "the previous library must be byte-identical");
    assert_eq!(manifest(&lib_path), old_manifest);
    assert_only_the_library_in(&home.versioned(V), &lib_name(GNU));
}

#[test]
fn missing_asset_lists_what_the_release_has() {
    let home = Home::new();
    let gh = github_release(&[GNU, "aarch64-apple-darwin"]);
    let run =
        Run::of(home.install().arg(V).args(github_args(&gh)).args(["--goos", "linux", "--goarch", "arm64"]));
    let run = run.fails(1);
    run.says(&[
        "404",
        "slim-bindings-aarch64-unknown-linux-gnu.zip",
        "slim-bindings-x86_64-unknown-linux-gnu.zip",
        "slim-bindings-aarch64-apple-darwin.zip",
    ]);
    assert_nothing_installed(&home.gopath(), &run);
}

#[test]
fn unknown_version_says_the_release_does_not_exist() {
    let home = Home::new();
    let gh = github_release(&[GNU]);
    let run = Run::of(home.install().arg("v1.4.9").args(github_args(&gh)).args(LINUX_AMD64_GNU));
    let run = run.fails(1);
    run.says(&["slim-bindings-v1.4.9", "no release"]);
    assert_nothing_installed(&home.gopath(), &run);
}

#[test]
fn token_goes_to_the_api_only_and_is_never_printed() {
    for var in ["GITHUB_TOKEN", "GH_TOKEN"] {
        let home = Home::new();
        let gh = github_release(&[GNU]);
        let run =
            Run::of(home.install().arg(V).args(github_args(&gh)).args(LINUX_AMD64_GNU).env(var, TOKEN)).ok();
        let (download, _, api) = paths(&gh, GNU);
        let api_reqs = gh.gh.requests_to(&api);
        assert!(!api_reqs.is_empty(), "{var}: the API was asked");
        for r in &api_reqs {
            assert_eq!(r.header("authorization"), Some(format!("Bearer {TOKEN}").as_str()), "{var}");
        }
        let others = gh.gh.requests().into_iter().filter(|r| !r.path.starts_with("/api/"));
        for r in others.chain(gh.cdn.requests()) {
            assert_eq!(r.header("authorization"), None, "{var}: {} must not carry the token", r.path);
        }
        assert_eq!(gh.gh.count(&download), 1);
        assert!(!format!("{run}").contains(TOKEN), "{var}: the token was printed\n{run}");
    }
}

#[test]
fn token_is_not_printed_when_the_api_refuses() {
    let home = Home::new();
    let gh = github_release(&[GNU]);
    gh.api_fault(OWNER, REPO, TAG, Fault::status(403));
    let mut cmd = home.install();
    cmd.args([V, "--require-checksum"])
        .args(github_args(&gh))
        .args(LINUX_AMD64_GNU)
        .env("GITHUB_TOKEN", TOKEN);
    let run = Run::of(&mut cmd).fails(1);
    run.says(&["cannot verify", "/releases/tags/slim-bindings-v1.4.0 could not be read (it answered 403)"]);
    assert!(!format!("{run}").contains(TOKEN), "the token was printed\n{run}");
    let cdn_auth = gh.cdn.requests().into_iter().filter(|r| r.header("authorization").is_some()).count();
    assert_eq!(cdn_auth, 0, "the CDN saw an authorization header");
    assert_nothing_installed(&home.gopath(), &run);
}

#[test]
fn json_report_describes_each_action() {
    let home = Home::new();
    let gh = github_release(&[GNU]);
    let install = |extra: &[&str]| {
        Run::of(home.install().args([V, "--json"]).args(extra).args(github_args(&gh)).args(LINUX_AMD64_GNU))
            .ok()
    };
    let run = install(&[]);
    let doc = run.json();
    assert_eq!(doc["version"], V);
    assert_eq!(doc["version_source"], "command line");
    let t = run.target();
    let zip = release_zip(GNU, &lib(GNU));
    let lib_path = home.versioned(V).join(lib_name(GNU));
    assert_eq!(t["version"], V);
    assert_eq!(t["triple"], GNU);
    assert_eq!(
        (t["goos"].as_str(), t["goarch"].as_str(), t["libc"].as_str()),
        (Some("linux"), Some("amd64"), Some("gnu"))
    );
    assert_eq!(t["path"], lib_path.display().to_string());
    assert_eq!(t["archive_sha256"], sha256_hex(&zip));
    assert_eq!(t["library_sha256"], sha256_hex(&lib(GNU)));
    assert_eq!(t["bytes"], lib(GNU).len());
    assert_eq!(t["status"], "installed");
    assert_eq!(t["url"], gh.download_url(OWNER, REPO, TAG, &asset_name(GNU)));
    assert!(t["verified_by"].as_str().unwrap().starts_with("GitHub release digest (http://"), "{t}");
    assert_eq!(t["route"], "stream");
    assert_eq!(t["downloaded_bytes"], zip.len());

    assert_eq!(install(&[]).target()["status"], "already-installed");
    assert_eq!(install(&["--force"]).target()["status"], "reinstalled");
}

// ---------------------------------------------------- local sources

#[test]
fn from_file_with_and_without_sha256() {
    let home = Home::new();
    let gh = FakeGitHub::start(); // must see no request at all
    let zip_dir = tempfile::tempdir().unwrap();
    let zip = release_zip(GNU, &lib(GNU));
    let zip_path = zip_dir.path().join("local.zip");
    std::fs::write(&zip_path, &zip).unwrap();
    let from_file = |extra: &[&str]| {
        let mut c = home.install();
        c.args([V, "--json", "--from-file"])
            .arg(&zip_path)
            .args(extra)
            .args(github_args(&gh))
            .args(LINUX_AMD64_GNU);
        Run::of(&mut c)
    };
    let lib_path = home.versioned(V).join(lib_name(GNU));

    let wrong = sha256_hex(b"other bytes");
    let run = from_file(&["--sha256", &wrong]).fails(1);
    run.says(&["checksum mismatch", &wrong, &sha256_hex(&zip), "--sha256"]);
    assert_nothing_installed(&home.gopath(), &run);

    let run = from_file(&[]).ok();
    assert_eq!(run.target()["verified_by"], Value::Null);
    assert_eq!(read(&lib_path), lib(GNU));

    let run = from_file(&["--force", "--sha256", &sha256_hex(&zip).to_uppercase()]).ok();
    assert_eq!(run.target()["verified_by"], "--sha256");
    assert_eq!(run.target()["status"], "reinstalled");
    assert_eq!(traffic(&gh), (0, 0), "--from-file must not download");
}

#[test]
fn unverified_archive_is_warned_about_also_with_json() {
    let home = Home::new();
    let zip = release_zip(GNU, &lib(GNU));
    let zip_path = home.path().join("local.zip");
    std::fs::write(&zip_path, &zip).unwrap();
    let install = |extra: &[&str]| {
        let mut c = home.install();
        c.args([V, "--force", "--from-file"]).arg(&zip_path).args(extra).args(LINUX_AMD64_GNU);
        Run::of(&mut c).ok()
    };
    install(&[]).says(&["warning", "no checksum", &sha256_hex(&zip)]);
    // --json keeps stdout for the document; the warning must still reach the
    // user (on stderr, or inside the document), since CI runs use --json.
    let run = install(&["--json"]);
    let warned = run.stderr.contains("no checksum") || run.stdout.contains("no checksum");
    assert!(warned, "with --json, the unverified install is not warned about anywhere\n{run}");
}

#[test]
fn file_url_mirror_with_sha256sums() {
    let home = Home::new();
    let mirror = sample_mirror();
    let base = format!("file://{}", mirror.path().display());
    let run = Run::of(home.install().args([V, "--json", "--base-url", &base]).args(LINUX_AMD64_GNU)).ok();
    let zip = read(&mirror.path().join(TAG).join(asset_name(GNU)));
    let lib_path = home.versioned(V).join(lib_name(GNU));
    assert_eq!(read(&lib_path), zip_member(&zip, &lib_name(GNU)));
    let t = run.target();
    assert_eq!(t["archive_sha256"], sha256_hex(&zip));
    assert!(t["verified_by"].as_str().unwrap().ends_with("SHA256SUMS"), "{t}");
}

#[test]
fn folder_mirror_with_per_asset_sha256_file() {
    let home = Home::new();
    let mirror = sample_mirror();
    let tag_dir = mirror.path().join(TAG);
    std::fs::remove_file(tag_dir.join("SHA256SUMS")).unwrap();
    let zip = read(&tag_dir.join(asset_name(GNU)));
    let single = format!("{}  {}\n", sha256_hex(&zip), asset_name(GNU));
    std::fs::write(tag_dir.join(format!("{}.sha256", asset_name(GNU))), single).unwrap();
    let base = mirror.path().display().to_string();
    let run = Run::of(home.install().args([V, "--json", "--base-url", &base]).args(LINUX_AMD64_GNU)).ok();
    assert!(run.target()["verified_by"].as_str().unwrap().ends_with(".zip.sha256"), "{run}");
    assert_eq!(read(&home.versioned(V).join(lib_name(GNU))), zip_member(&zip, &lib_name(GNU)));
}

#[test]
fn folder_mirror_with_a_wrong_sha256sums_installs_nothing() {
    let home = Home::new();
    let mirror = sample_mirror();
    let sums = mirror.path().join(TAG).join("SHA256SUMS");
    let bad = format!("{}  {}\n", sha256_hex(b"x"), asset_name(GNU));
    std::fs::write(&sums, bad).unwrap();
    let base = mirror.path().display().to_string();
    let run = Run::of(home.install().args([V, "--base-url", &base]).args(LINUX_AMD64_GNU)).fails(1);
    run.says(&["checksum mismatch", &sha256_hex(b"x"), "SHA256SUMS"]);
    assert_nothing_installed(&home.gopath(), &run);
}

#[test]
fn mirror_without_checksum_warns_and_require_checksum_refuses() {
    let mirror = sample_mirror();
    std::fs::remove_file(mirror.path().join(TAG).join("SHA256SUMS")).unwrap();
    let base = mirror.path().display().to_string();

    let strict = Home::new();
    let run =
        Run::of(strict.install().args([V, "--require-checksum", "--base-url", &base]).args(LINUX_AMD64_GNU));
    run.fails(1).says(&["no checksum", "--require-checksum"]);
    assert_nothing_installed(&strict.gopath(), "");

    let home = Home::new();
    let run = home.install_gnu(&["--base-url", &base]);
    let zip = read(&mirror.path().join(TAG).join(asset_name(GNU)));
    run.says(&["warning", "no checksum", &sha256_hex(&zip)]);
    let lib_path = home.versioned(V).join(lib_name(GNU));
    assert_eq!(manifest(&lib_path)["zip_sha256"], sha256_hex(&zip), "the computed digest is recorded");
    assert_eq!(manifest(&lib_path)["verified_by"], Value::Null);
}

// ---------------------------------------------------- version detection

/// Runs a bare `slim-setup` (no VERSION) in `cwd` against a folder mirror of
/// v1.2.0, v1.4.0 and v2.1.0.
fn detect_in(home: &Home, cwd: &Path, env: &[(&str, &str)]) -> Run {
    let mirror = folder_mirror(&["slim-bindings-v1.2.0", TAG, "slim-bindings-v2.1.0"], GNU);
    let mut c = home.bare();
    c.args(["--no-progress", "--json", "--gopath"]).arg(home.gopath());
    c.arg("--base-url").arg(mirror.path()).args(LINUX_AMD64_GNU).current_dir(cwd);
    c.envs(env.iter().copied());
    Run::of(&mut c)
}

#[test]
fn version_from_go_mod_require_block() {
    let home = Home::new();
    let proj = project(
        "module example.com/app\n\ngo 1.24\n\nrequire (\n\tgithub.com/other/x v1.0.0 // indirect\n\
         \tgithub.com/agntcy/slim-bindings-go v1.4.0\n)\n",
    );
    // From a sub-folder: the nearest go.mod upwards counts.
    let sub = proj.path().join("cmd/app");
    std::fs::create_dir_all(&sub).unwrap();
    let run = detect_in(&home, &sub, &[]).ok();
    assert_eq!(run.json()["version"], V);
    assert!(run.json()["version_source"].as_str().unwrap().ends_with("go.mod"), "{run}");
    assert_eq!(read(&home.versioned(V).join(lib_name(GNU))), lib(GNU));
}

#[test]
fn version_from_go_mod_v2_module() {
    let home = Home::new();
    let proj = project("module m\n\nrequire github.com/agntcy/slim-bindings-go/v2 v2.1.0\n");
    let run = detect_in(&home, proj.path(), &[]).ok();
    assert_eq!(run.json()["version"], "v2.1.0");
    assert_eq!(run.target()["path"], home.versioned("v2.1.0").join(lib_name(GNU)).display().to_string());
}

#[test]
fn version_from_go_mod_replace_to_another_version() {
    let home = Home::new();
    let proj = project(
        "module m\nrequire github.com/agntcy/slim-bindings-go v1.4.0\n\
         replace github.com/agntcy/slim-bindings-go v1.4.0 => github.com/agntcy/slim-bindings-go v1.2.0\n",
    );
    let run = detect_in(&home, proj.path(), &[]).ok();
    assert_eq!(run.json()["version"], "v1.2.0");
}

#[test]
fn version_from_go_mod_refuses_local_replace_and_pseudo_versions() {
    let home = Home::new();
    let local = project(
        "module m\nrequire github.com/agntcy/slim-bindings-go v1.4.0\n\
         replace github.com/agntcy/slim-bindings-go => ../slim-bindings-go\n",
    );
    let run = detect_in(&home, local.path(), &[]).fails(1);
    run.says(&["../slim-bindings-go", "local", "slim-setup install v"]);

    let pseudo =
        project("module m\nrequire github.com/agntcy/slim-bindings-go v0.0.0-20250101120000-abcdef123456\n");
    let run = detect_in(&home, pseudo.path(), &[]).fails(1);
    run.says(&["pseudo-version", "v0.0.0-20250101120000-abcdef123456", "slim-setup install v"]);
    assert_nothing_installed(&home.gopath(), &run);
}

#[test]
fn version_from_the_environment_beats_go_mod() {
    let home = Home::new();
    let proj = project("module m\nrequire github.com/agntcy/slim-bindings-go v1.2.0\n");
    let run = detect_in(&home, proj.path(), &[("SLIM_BINDINGS_VERSION", "1.4.0")]).ok();
    assert_eq!(run.json()["version"], V);
    assert_eq!(run.json()["version_source"], "SLIM_BINDINGS_VERSION");
}

#[test]
fn no_version_anywhere_says_how_to_pass_one() {
    let home = Home::new();
    let run = detect_in(&home, home.path(), &[]).fails(1);
    run.says(&["no SLIM bindings version", "slim-setup install v1.4.0", "SLIM_BINDINGS_VERSION"]);
    let other = project("module m\nrequire github.com/other/x v1.0.0\n");
    detect_in(&home, other.path(), &[]).fails(1).says(&["does not require", "SLIM_BINDINGS_VERSION"]);
}

// ------------------------------------------------- platforms and usage

#[test]
fn unsupported_platforms_name_the_supported_pairs() {
    let home = Home::new();
    let gh = github_release(&[GNU]);
    for platform in
        [&["--goos", "windows", "--goarch", "arm64"][..], &["--goos", "freebsd", "--goarch", "amd64"]]
    {
        // A pair typed as flags is a usage error.
        let run = Run::of(home.install().arg(V).args(github_args(&gh)).args(platform)).fails(2);
        let pair = format!("{}/{}", platform[1], platform[3]);
        run.says(&[&pair, "supported", "linux/amd64", "linux/arm64", "darwin/arm64", "windows/amd64"]);
    }
    assert_eq!(traffic(&gh), (0, 0), "nothing is downloaded for an unsupported platform");
    assert_nothing_installed(&home.gopath(), "");
}

#[test]
fn usage_errors_exit_2() {
    let home = Home::new();
    let cases: &[&[&str]] = &[
        &["--libc", "uclibc"],
        &["--nope"],
        &["--all", "--goos", "linux"],
        &["--target", GNU, "--goarch", "arm64"],
        &["--jobs", "0"],
        &["--sha256", "xyz"],
        &["--all", "--from-file", "a.zip"],
        &["--base-url", "http://mirror.example.com/slim"],
        &["--base-url", "ftp://mirror.example.com/slim"],
        &["--lock"], // no go.mod in HOME
        &["v1.4.0", "v1.2.0"],
    ];
    for args in cases {
        let run = Run::of(home.install().args(*args).arg(V));
        assert_eq!(run.code, Some(2), "{args:?} is a usage error\n{run}");
    }
    assert_nothing_installed(&home.gopath(), "");
}

// ------------------------------------------------------ install folders

#[test]
fn install_folder_follows_each_version_layout() {
    let tags = ["slim-bindings-libs-v0.7.2", "slim-bindings-v1.2.0", TAG, "slim-bindings-v2.1.0"];
    let mirror = folder_mirror(&tags, GNU);
    let base = mirror.path().display().to_string();
    for (version, folder) in [
        ("v0.7.2", ".cache/slim-bindings"),
        ("v1.2.0", "go/.cgo-cache/slim-bindings"),
        ("v1.4.0", "go/.cgo-cache/slim-bindings/v1.4.0"),
        ("v2.1.0", "go/.cgo-cache/slim-bindings/v2.1.0"),
    ] {
        let home = Home::new();
        let run =
            Run::of(home.install().args([version, "--json", "--base-url", &base]).args(LINUX_AMD64_GNU)).ok();
        let want = home.path().join(folder).join(lib_name(GNU));
        assert_eq!(run.target()["path"], want.display().to_string(), "{version}");
        assert_eq!(read(&want), lib(GNU), "{version}");
        assert_eq!(manifest(&want)["version"], version);
    }
}

#[test]
fn module_in_the_module_cache_decides_the_folder() {
    let home = Home::new();
    let modcache = home.gopath().join("pkg/mod");
    let module = modcache.join("github.com/agntcy/slim-bindings-go@v1.4.0");
    std::fs::create_dir_all(&module).unwrap();
    let mirror = folder_mirror(&[TAG], GNU);
    let base = mirror.path().display().to_string();
    let directive = |ldflags: &str| {
        let go = format!("package slim_bindings\n\n// #cgo linux,amd64 LDFLAGS: {ldflags}\nimport \"C\"\n");
        std::fs::write(module.join("x.go"), go).unwrap();
    };
    // The -L that leaves the module cache wins over the version's table; the
    // module's own ${SRCDIR} never does.
    directive("-L${SRCDIR} -L${SRCDIR}/../../../../../custom -lslim_bindings_x86_64_linux_gnu -lm");
    let run = Run::of(home.install().args([V, "--base-url", &base]).args(LINUX_AMD64_GNU)).ok();
    let want = home.gopath().join("custom").join(lib_name(GNU));
    assert_eq!(read(&want), lib(GNU), "{run}");
    run.says(&["the cgo directive in", "x.go (${SRCDIR}/../../../../../custom)"]);
    assert!(!home.versioned(V).join(lib_name(GNU)).exists(), "the version table must not win");

    // A directive whose folders are all inside the module cache: the version's
    // layout, saying why, and nothing written inside the module cache.
    directive("-L${SRCDIR} -L${SRCDIR}/../custom -lslim_bindings_x86_64_linux_gnu -lm");
    let run = Run::of(home.install().args([V, "--base-url", &base]).args(LINUX_AMD64_GNU)).ok();
    assert_eq!(read(&home.versioned(V).join(lib_name(GNU))), lib(GNU), "{run}");
    run.says(&["names no folder outside the module cache"]);
    assert_eq!(files_under(&modcache), vec!["github.com/agntcy/slim-bindings-go@v1.4.0/x.go".to_string()]);
}

/// A `--cache-dir` inside the module cache is refused before anything is written.
#[test]
fn cache_dir_inside_the_module_cache_is_refused() {
    let home = Home::new();
    let modcache = home.gopath().join("pkg/mod");
    let inside = modcache.join("github.com/agntcy/slim-bindings-go@v1.4.0");
    std::fs::create_dir_all(&inside).unwrap();
    let mirror = folder_mirror(&[TAG], GNU);
    let run = Run::of(
        home.install()
            .args([V, "--base-url", &mirror.path().display().to_string(), "--cache-dir"])
            .arg(&inside)
            .args(LINUX_AMD64_GNU),
    )
    .fails(1);
    run.says(&["refusing to install into", "inside Go's module cache", "go mod verify", "hint: "]);
    assert!(files_under(&modcache).is_empty(), "{run}");
}

// --------------------------------------------------------- musl and --all

#[test]
fn musl_is_installed_under_the_gnu_name_cgo_links_and_its_own() {
    let home = Home::new();
    let gh = github_release(&[MUSL]);
    let mut c = home.install();
    c.args([V, "--json", "--goos", "linux", "--goarch", "amd64", "--libc", "musl"]).args(github_args(&gh));
    let run = Run::of(&mut c).ok();
    let gnu_name = home.versioned(V).join("libslim_bindings_x86_64_linux_gnu.a");
    let own_name = home.versioned(V).join("libslim_bindings_x86_64_linux_musl.a");
    for p in [&gnu_name, &own_name] {
        assert_eq!(read(p), lib(MUSL), "{}", p.display());
        assert_eq!(manifest(p)["triple"], MUSL);
    }
    let t = run.target();
    assert_eq!(t["path"], gnu_name.display().to_string());
    assert_eq!(t["also_installed_as"], serde_json::json!([own_name.display().to_string()]));
    // And it is recognised as installed under both names next time.
    let run = Run::of(&mut c).ok();
    assert_eq!(run.target()["status"], "already-installed");
}

#[test]
fn all_installs_seven_targets_and_gnu_keeps_the_gnu_name() {
    let home = Home::new();
    let gh = github_release(&ALL);
    let run = Run::of(home.install().args([V, "--all", "--json"]).args(github_args(&gh))).ok();
    assert_eq!(run.json()["targets"].as_array().map(Vec::len), Some(7), "{run}");
    let dir = home.versioned(V);
    for t in ALL {
        assert_eq!(read(&dir.join(lib_name(t))), lib(t), "{t} under its own name");
    }
    let libs: Vec<String> = files_under(&dir).into_iter().filter(|f| f.ends_with(".a")).collect();
    assert_eq!(libs.len(), 7, "one file per target: {libs:?}");
}

#[test]
fn all_asks_the_release_api_once() {
    // Unauthenticated clients get 60 API calls an hour: one release, one call.
    let home = Home::new();
    let gh = github_release(&ALL);
    Run::of(home.install().args([V, "--all"]).args(github_args(&gh))).ok();
    let calls = gh.gh.count(&gh.api_path(OWNER, REPO, TAG));
    assert_eq!(calls, 1, "--all (4 parallel jobs) asked the releases API {calls} times for one release");
}

// --------------------------------------------------------- zip shapes

/// Installs v1.4.0 for `triple` (with `platform` flags) from a GitHub release
/// holding `zip`, returning the run.
fn install_zip(home: &Home, triple: &str, zip: Vec<u8>, platform: &[&str]) -> Run {
    let gh = FakeGitHub::start();
    gh.publish(OWNER, REPO, TAG, &asset_name(triple), zip);
    Run::of(home.install().args([V, "--json"]).args(github_args(&gh)).args(platform))
}

#[test]
fn data_descriptor_zip_is_spooled_and_installed() {
    let home = Home::new();
    let entry = format!("{GNU}/{}", lib_name(GNU));
    let zip = fixtures::zip(&[ZipEntry::dir(GNU), ZipEntry::file(entry, lib(GNU)).with_data_descriptor()]);
    let run = install_zip(&home, GNU, zip, &LINUX_AMD64_GNU).ok();
    assert_eq!(run.target()["route"], "spool", "{run}");
    assert_eq!(read(&home.versioned(V).join(lib_name(GNU))), lib(GNU));
    assert_only_the_library_in(&home.versioned(V), &lib_name(GNU));
}

#[test]
fn library_after_a_big_shared_library_is_streamed() {
    let home = Home::new();
    let mut shared = b"\x7fELF".to_vec();
    shared.extend((0..3 * 1024 * 1024u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8));
    let zip = fixtures::zip(&[
        ZipEntry::file(format!("{GNU}/libslim_bindings_x86_64_linux_gnu.so"), shared).stored(),
        ZipEntry::file(format!("{GNU}/{}", lib_name(GNU)), lib(GNU)),
    ]);
    let run = install_zip(&home, GNU, zip, &LINUX_AMD64_GNU).ok();
    assert_eq!(run.target()["route"], "stream", "{run}");
    assert_eq!(read(&home.versioned(V).join(lib_name(GNU))), lib(GNU));
}

#[test]
fn library_named_differently_is_installed_under_the_name_cgo_links() {
    let home = Home::new();
    let triple = "aarch64-apple-darwin";
    let zip = fixtures::zip(&[
        ZipEntry::dir(triple),
        ZipEntry::file(format!("{triple}/libslim_bindings_aarch64_apple_darwin.a"), lib(triple)),
    ]);
    let run = install_zip(&home, triple, zip, &["--goos", "darwin", "--goarch", "arm64"]).ok();
    let want = home.versioned(V).join("libslim_bindings_aarch64_darwin.a");
    assert_eq!(read(&want), lib(triple), "{run}");
    assert_eq!(run.target()["path"], want.display().to_string());
    assert!(!home.versioned(V).join("libslim_bindings_aarch64_apple_darwin.a").exists());
}

#[test]
fn library_for_the_wrong_machine_is_refused() {
    let home = Home::new();
    let triple = "aarch64-unknown-linux-gnu";
    // The aarch64 zip carries x86_64 objects under the aarch64 name.
    let zip = release_zip(triple, &lib(GNU));
    let run = install_zip(&home, triple, zip, &["--goos", "linux", "--goarch", "arm64", "--libc", "gnu"]);
    let run = run.fails(1);
    run.says(&["x86-64", "aarch64", triple]);
    assert_nothing_installed(&home.gopath(), &run);
}
