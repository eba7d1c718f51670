//! The subcommands around the install (issue 6), run as the built binary:
//! list, verify, env, clean, mirror, doctor, targets, completions, man, the
//! `--lock` pinning file and `--base-url` chains. Libraries are installed from
//! folder mirrors or a fake GitHub on loopback; each test has its own HOME.
// Unix only: shell-script stand-ins, permissions, signals and symlinks.
#![cfg(unix)]

mod support;

use support::disk::flip_byte;
use support::home::Home;
use support::run::Run;
use support::{files_under, read};

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use support::fixtures::{lib_name, library_for, release_zip};
use support::github::{FakeGitHub, OWNER, REPO, asset_name};
use support::release::{
    ALL, ARM, GNU, LIB_SIZE, LINUX_AMD64_GNU, MUSL, TAG, V, folder_mirror, github_args, github_release, lib,
};
use support::server::Server;
use support::sha256_hex;
use tempfile::TempDir;

// ---------------------------------------------------------------- helpers

impl Home {
    /// `slim-setup SUBCOMMAND --gopath HOME/go`; callers add the rest.
    fn sub(&self, subcommand: &str) -> Command {
        let mut c = self.bare();
        c.arg(subcommand).arg("--gopath").arg(self.gopath());
        c
    }
    /// `slim-setup mirror VERSION --no-progress --out OUT` (mirror has no --gopath).
    fn mirror(&self, out: &Path) -> Command {
        let mut c = self.bare();
        c.args(["mirror", V, "--no-progress", "--out"]).arg(out);
        c
    }
    /// `slim-setup install --no-progress --gopath HOME/go`.
    fn install(&self) -> Command {
        let mut c = self.sub("install");
        c.arg("--no-progress");
        c
    }
    /// Installs `version` for linux/amd64/gnu from a folder mirror; expects success.
    fn install_from(&self, mirror: &Path, version: &str) -> Run {
        Run::of(self.install().arg(version).arg("--base-url").arg(mirror).args(LINUX_AMD64_GNU)).ok()
    }
    /// A C compiler stand-in that answers `--version`, so doctor does not
    /// depend on the machine's compiler.
    fn fake_cc(&self) -> PathBuf {
        use std::os::unix::fs::PermissionsExt;
        let cc = self.path().join("fake-cc");
        std::fs::write(&cc, "#!/bin/sh\necho 'fake-cc (test) 1.0'\n").unwrap();
        std::fs::set_permissions(&cc, std::fs::Permissions::from_mode(0o755)).unwrap();
        cc
    }
}

/// A Go project folder (not under HOME) with a go.mod requiring v1.4.0.
fn project() -> TempDir {
    let dir = tempfile::tempdir().expect("project folder");
    std::fs::write(
        dir.path().join("go.mod"),
        "module m\n\nrequire github.com/agntcy/slim-bindings-go v1.4.0\n",
    )
    .unwrap();
    dir
}

// ------------------------------------------------------------------- list

#[test]
fn list_shows_installed_libraries_as_text_and_json() {
    let home = Home::new();
    let mirror = folder_mirror(&["slim-bindings-v1.2.0", TAG], GNU);
    home.install_from(mirror.path(), V);
    home.install_from(mirror.path(), "v1.2.0");
    let lib14 = home.versioned(V).join(lib_name(GNU));
    let lib12 = home.cache_root().join(lib_name(GNU));

    let run = Run::of(&mut home.sub("list")).ok();
    run.mentions(&[V, "v1.2.0", GNU, &lib14.display().to_string(), &lib12.display().to_string()]);
    run.mentions(&[&sha256_hex(&lib(GNU)), "status ok"]);

    let run = Run::of(home.sub("list").arg("--json")).ok();
    let doc = run.json();
    let rows = doc["libraries"].as_array().unwrap_or_else(|| panic!("a libraries array\n{run}"));
    assert_eq!(rows.len(), 2, "{run}");
    let row = rows.iter().find(|r| r["version"] == V).expect("the v1.4.0 row");
    assert_eq!(row["triple"], GNU);
    assert_eq!(row["path"], lib14.display().to_string());
    assert_eq!(row["bytes"], lib(GNU).len());
    assert_eq!(row["library_sha256"], sha256_hex(&lib(GNU)));
    assert_eq!(row["health"], "ok");
    assert!(row["url"].as_str().unwrap().ends_with(&asset_name(GNU)), "{row}");
    assert!(row["installed_at"].as_u64().unwrap() > 1_600_000_000, "{row}");
}

#[test]
fn list_with_nothing_installed() {
    let home = Home::new();
    Run::of(&mut home.sub("list")).ok().mentions(&["nothing installed"]);
    let doc = Run::of(home.sub("list").arg("--json")).ok().json();
    assert_eq!(doc, serde_json::json!({"schema": 1, "command": "list", "libraries": []}));
}

// ----------------------------------------------------------------- verify

#[test]
fn verify_passes_on_an_intact_install() {
    let home = Home::new();
    let mirror = folder_mirror(&[TAG], GNU);
    home.install_from(mirror.path(), V);
    let lib_path = home.versioned(V).join(lib_name(GNU));
    let line = format!("ok      {V} {GNU} {}\n", lib_path.display());
    assert_eq!(Run::of(&mut home.sub("verify")).ok().stdout, line);
    assert_eq!(Run::of(home.sub("verify").arg(V)).ok().stdout, line);
}

#[test]
fn verify_of_a_version_not_installed_fails_saying_so() {
    let home = Home::new();
    let mirror = folder_mirror(&[TAG], GNU);
    home.install_from(mirror.path(), V);
    let run = Run::of(home.sub("verify").arg("v1.2.0")).fails(1);
    run.mentions(&["v1.2.0 is not installed"]);
}

#[test]
fn verify_detects_a_flipped_byte() {
    let home = Home::new();
    let mirror = folder_mirror(&[TAG], GNU);
    home.install_from(mirror.path(), V);
    let lib_path = home.versioned(V).join(lib_name(GNU));
    flip_byte(&lib_path, None, None);
    let run = Run::of(&mut home.sub("verify")).fails(1);
    run.mentions(&["DAMAGED", &lib_path.display().to_string(), "sha256"]);
    let run = Run::of(home.sub("verify").arg("--json")).fails(1);
    let doc = run.json();
    let row = &doc["libraries"][0];
    assert_eq!(row["health"], "damaged", "{run}");
    assert!(row["problem"].as_str().unwrap().contains("sha256"), "{run}");
    assert_eq!(row["path"], lib_path.display().to_string());
    assert_eq!(doc["error"]["exit_code"], 1, "{run}");
}

#[test]
fn verify_names_a_missing_library() {
    let home = Home::new();
    let mirror = folder_mirror(&[TAG], GNU);
    home.install_from(mirror.path(), V);
    let lib_path = home.versioned(V).join(lib_name(GNU));
    std::fs::remove_file(&lib_path).unwrap();
    Run::of(&mut home.sub("verify")).fails(1).mentions(&["missing", &lib_path.display().to_string()]);
}

// -------------------------------------------------------------------- env

/// The `-L` folder and `-l` name in a CGO_LDFLAGS value.
fn link_flags(ldflags: &str) -> (PathBuf, String) {
    let dir = ldflags.split_whitespace().find_map(|w| w.strip_prefix("-L")).expect("a -L flag");
    let name = ldflags.split_whitespace().find_map(|w| w.strip_prefix("-lslim")).expect("a -lslim... flag");
    (PathBuf::from(dir), format!("slim{name}"))
}

#[test]
fn env_prints_cgo_flags_in_every_shell_form() {
    let home = Home::new();
    let mirror = folder_mirror(&[TAG], GNU);
    home.install_from(mirror.path(), V);
    let dir = home.versioned(V);
    let expected = format!("-L{} -lslim_bindings_x86_64_linux_gnu", dir.display());
    let env = |shell: &str| Run::of(home.sub("env").args([V, "--shell", shell]).args(LINUX_AMD64_GNU)).ok();

    let sh = env("sh");
    assert!(sh.stdout.contains("export CGO_ENABLED='1'\n"), "{sh}");
    let ldflags = support::cmd::sh_eval(&sh.stdout, "CGO_LDFLAGS");
    assert!(ldflags.starts_with(&expected), "{sh}");
    let (l_dir, l_name) = link_flags(&ldflags);
    assert_eq!(read(&l_dir.join(format!("lib{l_name}.a"))), lib(GNU), "-L/-l must name the installed file");
    sh.mentions(&["not needed for a plain `go build`"]);

    let fish = env("fish");
    assert!(fish.stdout.contains("set -gx CGO_ENABLED '1'\n"), "{fish}");
    assert!(fish.stdout.contains(&format!("set -gx CGO_LDFLAGS '{expected}")), "{fish}");
    let ps = env("powershell");
    assert!(ps.stdout.contains("$env:CGO_ENABLED = '1'\n"), "{ps}");
    assert!(ps.stdout.contains(&format!("$env:CGO_LDFLAGS = '{expected}")), "{ps}");
    let gha = env("github");
    assert!(gha.stdout.contains("CGO_ENABLED=1\n"), "{gha}");
    assert!(gha.stdout.lines().any(|l| l.starts_with(&format!("CGO_LDFLAGS={expected}"))), "{gha}");
}

#[test]
fn env_for_a_custom_cache_dir_says_it_is_needed() {
    let home = Home::new();
    let mirror = folder_mirror(&[TAG], GNU);
    let custom = home.path().join("custom libs");
    let mut c = home.install();
    c.args([V, "--cache-dir"]).arg(&custom).arg("--base-url").arg(mirror.path()).args(LINUX_AMD64_GNU);
    Run::of(&mut c).ok();
    let run = Run::of(home.sub("env").arg(V).arg("--cache-dir").arg(&custom).args(LINUX_AMD64_GNU)).ok();
    run.mentions(&["needed", "--cache-dir"]);
    // A folder with a space is quoted whole, as go splits CGO_LDFLAGS.
    assert!(run.stdout.contains(&format!("'-L{}'", custom.display())), "{run}");
}

/// Spaces, quotes, `$` and backticks in the folder: `eval` runs nothing and
/// gives back the one quoted field go's splitter reads as `-L<folder>`.
#[test]
fn env_output_is_safe_to_eval_for_any_folder_name() {
    let home = Home::new();
    let mirror = folder_mirror(&[TAG], GNU);
    let canary = home.path().join("ran");
    for name in [
        format!("a b $(touch {0}) `touch {0}` $HOME it's", canary.display()),
        "say \"hi\" \\ there".to_string(),
    ] {
        let custom = home.path().join(&name);
        let mut c = home.install();
        c.args([V, "--cache-dir"]).arg(&custom).arg("--base-url").arg(mirror.path()).args(LINUX_AMD64_GNU);
        Run::of(&mut c).ok();
        let run = Run::of(
            home.sub("env").args([V, "--shell", "sh", "--cache-dir"]).arg(&custom).args(LINUX_AMD64_GNU),
        )
        .ok();
        let ldflags = support::cmd::sh_eval(&run.stdout, "CGO_LDFLAGS");
        let quote = if name.contains('\'') { '"' } else { '\'' };
        let field = format!("{quote}-L{}{quote}", custom.display());
        assert!(ldflags.starts_with(&format!("{field} -lslim_bindings_x86_64_linux_gnu")), "{ldflags}");
        assert!(!canary.exists(), "eval ran a command from the folder name");
    }
    let both = home.path().join("it's \"both\"");
    let mut c = home.install();
    c.args([V, "--cache-dir"]).arg(&both).arg("--base-url").arg(mirror.path()).args(LINUX_AMD64_GNU);
    Run::of(&mut c).ok();
    let run = Run::of(home.sub("env").args([V, "--cache-dir"]).arg(&both).args(LINUX_AMD64_GNU)).fails(1);
    run.error(&["cannot be written into CGO_LDFLAGS", "--cache-dir"]);
    assert!(run.stdout.is_empty(), "{run}");
}

#[test]
fn env_for_a_library_not_installed_fails() {
    let home = Home::new();
    let run = Run::of(home.sub("env").arg(V).args(LINUX_AMD64_GNU)).fails(1);
    run.mentions(&["not installed", "slim-setup install v1.4.0"]);
    assert!(run.stdout.is_empty(), "no variables printed for a missing library\n{run}");
}

// ------------------------------------------------------------------ clean

#[test]
fn clean_version_removes_only_that_version() {
    let home = Home::new();
    let mirror = folder_mirror(&["slim-bindings-v1.2.0", TAG], GNU);
    home.install_from(mirror.path(), V);
    home.install_from(mirror.path(), "v1.2.0");
    let run = Run::of(home.sub("clean").arg(V)).ok();
    run.mentions(&["removed", &home.versioned(V).join(lib_name(GNU)).display().to_string(), "freed"]);
    assert!(!home.versioned(V).exists(), "the emptied version folder goes too");
    let old = home.cache_root().join(lib_name(GNU));
    assert_eq!(read(&old), lib(GNU), "v1.2.0 stays");
    Run::of(home.sub("verify").arg("v1.2.0")).ok();
}

#[test]
fn clean_all_dry_run_removes_nothing() {
    let home = Home::new();
    let mirror = folder_mirror(&["slim-bindings-v1.2.0", TAG], GNU);
    home.install_from(mirror.path(), V);
    home.install_from(mirror.path(), "v1.2.0");
    // A lock left behind by a killed install of an installed library.
    let idle = home.versioned(V).join(format!(".{}.lock", lib_name(GNU)));
    std::fs::write(&idle, b"").unwrap();
    let before = files_under(&home.gopath());
    let run = Run::of(home.sub("clean").args(["--all", "--dry-run"])).ok();
    run.mentions(&[
        "would remove",
        &home.versioned(V).join(lib_name(GNU)).display().to_string(),
        "would free",
    ]);
    assert_eq!(files_under(&home.gopath()), before, "--dry-run must not remove anything");
    // Each file once: the idle lock of an installed library was listed twice.
    let listed: Vec<&str> = run.stdout.lines().filter(|l| l.starts_with("would remove ")).collect();
    let mut unique = listed.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(listed.len(), unique.len(), "a file listed twice:\n{}", run.stdout);
    assert!(listed.contains(&format!("would remove {}", idle.display()).as_str()), "{}", run.stdout);

    Run::of(home.sub("clean").arg("--all")).ok();
    let left: Vec<String> = files_under(&home.gopath()).into_iter().filter(|f| f.ends_with(".a")).collect();
    assert!(left.is_empty(), "clean --all leaves {left:?}");
}

#[test]
fn clean_leftovers_removes_temp_files_and_keeps_the_library() {
    let home = Home::new();
    let mirror = folder_mirror(&[TAG], GNU);
    home.install_from(mirror.path(), V);
    let temp = home.versioned(V).join(format!(".{}.Xy12Ab.tmp", lib_name(GNU)));
    std::fs::write(&temp, b"half a library").unwrap();
    let run = Run::of(home.sub("clean").arg("--leftovers")).ok();
    run.mentions(&["removed", &temp.display().to_string()]);
    assert!(!temp.exists(), "the temp file is gone");
    assert_eq!(read(&home.versioned(V).join(lib_name(GNU))), lib(GNU));
    Run::of(&mut home.sub("verify")).ok();
}

// ----------------------------------------------------------------- mirror

#[test]
fn mirror_out_feeds_another_install_with_checksums() {
    let gh = github_release(&[GNU, MUSL]);
    let out = tempfile::tempdir().unwrap();
    let maker = Home::new();
    Run::of(maker.mirror(out.path()).args(["--target", GNU, "--target", MUSL]).args(github_args(&gh))).ok();
    let tag_dir = out.path().join(TAG);
    let mut want_sums = String::new();
    for t in [GNU, MUSL] {
        let zip = release_zip(t, &lib(t));
        assert_eq!(read(&tag_dir.join(asset_name(t))), zip, "{t} mirrored byte for byte");
        want_sums += &format!("{}  {}\n", sha256_hex(&zip), asset_name(t));
    }
    assert_eq!(String::from_utf8(read(&tag_dir.join("SHA256SUMS"))).unwrap(), want_sums);
    assert_eq!(files_under(out.path()).len(), 3, "no temp files: {:?}", files_under(out.path()));
    let before = (gh.gh.requests().len(), gh.cdn.requests().len());

    // From the folder, and from the folder served over HTTP.
    let server = Server::start();
    server.serve_dir("/m", out.path());
    for base in [out.path().display().to_string(), format!("{}/m", server.url())] {
        let home = Home::new();
        let run = Run::of(home.install().args([V, "--json", "--base-url", &base]).args(LINUX_AMD64_GNU)).ok();
        let verified_by = run.json()["targets"][0]["verified_by"].clone();
        assert!(verified_by.as_str().is_some_and(|v| v.ends_with("SHA256SUMS")), "{base}: {run}");
        assert_eq!(read(&home.versioned(V).join(lib_name(GNU))), lib(GNU));
    }
    assert_eq!((gh.gh.requests().len(), gh.cdn.requests().len()), before, "the mirror serves, not GitHub");

    // A mirrored archive altered afterwards is caught by its SHA256SUMS.
    let zip_path = tag_dir.join(asset_name(GNU));
    let mut zip = read(&zip_path);
    let last = zip.len() - 1;
    zip[last] ^= 1;
    std::fs::write(&zip_path, zip).unwrap();
    let home = Home::new();
    let run = Run::of(home.install().args([V, "--base-url"]).arg(out.path()).args(LINUX_AMD64_GNU));
    run.fails(1).mentions(&["checksum mismatch", "SHA256SUMS"]);
}

#[test]
fn mirror_refuses_an_archive_its_digest_does_not_vouch_for() {
    let gh = FakeGitHub::start();
    gh.publish_wrong_digest(OWNER, REPO, TAG, &asset_name(GNU), release_zip(GNU, &lib(GNU)));
    let out = tempfile::tempdir().unwrap();
    let home = Home::new();
    let run = Run::of(home.mirror(out.path()).args(["--target", GNU]).args(github_args(&gh)));
    run.fails(1).mentions(&["checksum mismatch"]);
    let zips: Vec<String> = files_under(out.path()).into_iter().filter(|f| f.contains(".zip")).collect();
    assert!(zips.is_empty(), "nothing mirrored: {zips:?}");
}

// ------------------------------------------------------------ base-url chains

#[test]
fn base_url_list_falls_through_and_off_never_downloads() {
    let home = Home::new();
    let dead = Server::start(); // answers 404 to everything
    let mirror = folder_mirror(&[TAG], GNU);
    let chain = format!("{}/m,{}", dead.url(), mirror.path().display());
    Run::of(home.install().args([V, "--base-url", &chain]).args(LINUX_AMD64_GNU)).ok();
    assert!(dead.count(&format!("/m/{TAG}/{}", asset_name(GNU))) >= 1, "the first mirror was tried");
    assert_eq!(read(&home.versioned(V).join(lib_name(GNU))), lib(GNU));

    // `off`: fine when installed, an error when it would have to download.
    Run::of(home.install().args([V, "--base-url", "off"]).args(LINUX_AMD64_GNU)).ok();
    let fresh = Home::new();
    let run = Run::of(fresh.install().args([V, "--base-url", "off"]).args(LINUX_AMD64_GNU)).fails(1);
    run.mentions(&["not installed", "offline"]);
}

// ----------------------------------------------------------------- doctor

/// `slim-setup doctor v1.4.0` for linux/amd64/gnu with CC set.
fn doctor(home: &Home, cc: &Path) -> Run {
    Run::of(home.sub("doctor").arg(V).args(LINUX_AMD64_GNU).env("CC", cc))
}

#[test]
fn doctor_reports_a_missing_library() {
    let home = Home::new();
    let run = doctor(&home, &home.fake_cc()).fails(1);
    let lib_path = home.versioned(V).join(lib_name(GNU));
    let fail =
        run.stdout.lines().find(|l| l.starts_with("FAIL")).unwrap_or_else(|| panic!("a FAIL line\n{run}"));
    assert!(fail.contains("library") && fail.contains(&lib_path.display().to_string()), "{run}");
    assert!(fail.contains("slim-setup install v1.4.0"), "says what to run\n{run}");
    assert!(run.stdout.lines().any(|l| l.starts_with("ok") && l.contains("C compiler")), "{run}");
}

#[test]
fn doctor_reports_a_missing_c_compiler() {
    let home = Home::new();
    let mirror = folder_mirror(&[TAG], GNU);
    home.install_from(mirror.path(), V);
    let run = doctor(&home, Path::new("/nonexistent")).fails(1);
    let fails: Vec<&str> = run.stdout.lines().filter(|l| l.starts_with("FAIL")).collect();
    assert_eq!(fails.len(), 1, "{run}");
    assert!(fails[0].contains("C compiler") && fails[0].contains("/nonexistent"), "{run}");
    assert!(run.stdout.lines().any(|l| l.starts_with("ok") && l.contains("library")), "{run}");
}

#[test]
fn doctor_passes_when_everything_is_in_place() {
    let home = Home::new();
    let mirror = folder_mirror(&[TAG], GNU);
    home.install_from(mirror.path(), V);
    let run = doctor(&home, &home.fake_cc()).ok();
    assert!(!run.stdout.contains("FAIL"), "{run}");
    run.mentions(&["fake-cc (test) 1.0", &home.versioned(V).display().to_string(), "GitHub token"]);
    // Token presence only, never its value.
    let run = Run::of(
        home.sub("doctor")
            .arg(V)
            .args(LINUX_AMD64_GNU)
            .env("CC", home.fake_cc())
            .env("GITHUB_TOKEN", "tok-987"),
    );
    run.mentions(&["GITHUB_TOKEN is set"]);
    assert!(!format!("{run}").contains("tok-987"), "{run}");
}

// ------------------------------------------------------ behind symlinks

/// A version folder (or a parent) on another disk behind a symbolic link is
/// still an install: list, verify, env, doctor and clean all find it.
#[test]
fn installs_behind_symbolic_links_are_found_by_every_subcommand() {
    let mirror = folder_mirror(&[TAG], GNU);
    for moved in ["version folder", "parent"] {
        let home = Home::new();
        home.install_from(mirror.path(), V);
        let (from, to) = match moved {
            "version folder" => (home.versioned(V), home.path().join("disk/v1.4.0")),
            _ => (home.gopath().join(".cgo-cache"), home.path().join("disk/cgo-cache")),
        };
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::rename(&from, &to).unwrap();
        std::os::unix::fs::symlink(&to, &from).unwrap();
        let real = std::fs::canonicalize(home.versioned(V).join(lib_name(GNU))).unwrap();

        let list = Run::of(home.sub("list").arg("--json")).ok();
        let rows = list.json()["libraries"].clone();
        assert_eq!(rows.as_array().map(Vec::len), Some(1), "{moved}: {list}\n{rows:#}");
        let listed = rows[0]["path"].as_str().unwrap().to_string();
        assert_eq!(std::fs::canonicalize(&listed).unwrap(), real, "{moved}");
        let verify = Run::of(home.sub("verify").arg(V)).ok();
        assert_eq!(verify.stdout, format!("ok      {V} {GNU} {listed}\n"), "{moved}");
        Run::of(home.sub("env").arg(V).args(LINUX_AMD64_GNU)).ok().mentions(&["CGO_LDFLAGS"]);
        let run = doctor(&home, &home.fake_cc()).ok();
        assert!(!run.stdout.contains("FAIL"), "{moved}: {run}");
        Run::of(home.sub("clean").arg(V)).ok().mentions(&["removed"]);
        assert!(!real.exists(), "{moved}: clean left {}", real.display());
    }
}

// ------------------------------------------------ targets, completions, man

#[test]
fn targets_table_and_json() {
    let home = Home::new();
    let text = Run::of(home.bare().arg("targets")).ok();
    for t in ALL {
        text.mentions(&[t, &lib_name(t)]);
    }
    let run = Run::of(home.bare().args(["targets", "--json"])).ok();
    let doc = run.json();
    let rows = doc["targets"].as_array().unwrap_or_else(|| panic!("a targets array\n{run}"));
    let triples: Vec<&str> = rows.iter().filter_map(|r| r["triple"].as_str()).collect();
    assert_eq!(triples, ALL, "{run}");
    let musl = rows.iter().find(|r| r["triple"] == MUSL).expect("musl row");
    let platform =
        |r: &Value| (r["goos"].as_str().map(str::to_string), r["goarch"].as_str().map(str::to_string));
    assert_eq!(platform(musl), (Some("linux".into()), Some("amd64".into())));
    assert_eq!(musl["libc"], "musl");
    assert_eq!(musl["library"], "libslim_bindings_x86_64_linux_musl.a");
    assert_eq!(musl["cgo_links"], "libslim_bindings_x86_64_linux_gnu.a");
    if cfg!(all(target_os = "linux", target_arch = "x86_64")) {
        let hosts: Vec<&Value> = rows.iter().filter(|r| r["host"] == true).collect();
        assert_eq!(hosts.len(), 1, "exactly one host row\n{run}");
        assert_eq!(platform(hosts[0]), (Some("linux".into()), Some("amd64".into())));
        let marked = text.stdout.lines().find(|l| l.starts_with('*')).expect("a marked host line");
        assert!(marked.contains(hosts[0]["triple"].as_str().unwrap()), "{text}");
    }
}

#[test]
fn completions_for_each_shell() {
    let home = Home::new();
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let run = Run::of(home.bare().args(["completions", shell])).ok();
        assert!(run.stdout.contains("slim-setup"), "{shell}\n{run}");
        assert!(run.stdout.contains("mirror") && run.stdout.contains("base-url"), "{shell}\n{run}");
    }
    Run::of(home.bare().args(["completions", "tcsh"])).fails(2);
}

#[test]
fn man_page_is_roff() {
    let home = Home::new();
    let run = Run::of(home.bare().arg("man")).ok();
    assert!(run.stdout.starts_with(".TH") || run.stdout.starts_with(".ie"), "{run}");
    assert!(run.stdout.contains("slim\\-setup") || run.stdout.contains("slim-setup"), "{run}");
}

// ------------------------------------------------------------ lock file

/// `slim-setup install` (version from the project's go.mod) for two linux targets.
fn install_in(home: &Home, proj: &Path, gh: &FakeGitHub, extra: &[&str]) -> Run {
    let mut c = home.install();
    c.args(["--json", "--target", GNU, "--target", ARM]).args(extra).args(github_args(gh)).current_dir(proj);
    Run::of(&mut c)
}

/// The non-comment lines of a slim-bindings.sum.
fn sum_lines(path: &Path) -> Vec<String> {
    let text = String::from_utf8(read(path)).unwrap();
    text.lines().filter(|l| !l.trim().is_empty() && !l.starts_with('#')).map(str::to_string).collect()
}

#[test]
fn lock_pins_digests_and_refuses_a_different_archive() {
    let proj = project();
    let gh = github_release(&[GNU, ARM]);
    let sum = proj.path().join("slim-bindings.sum");
    let locked = install_in(&Home::new(), proj.path(), &gh, &["--lock"]).ok().json();
    for pin in locked["lock"]["pins"].as_array().expect("a lock section") {
        assert_eq!(pin["trust"], "verified", "{pin}");
    }
    let digest = |t: &str| sha256_hex(&release_zip(t, &lib(t)));
    let want = vec![format!("{V} {ARM} sha256:{}", digest(ARM)), format!("{V} {GNU} sha256:{}", digest(GNU))];
    assert_eq!(sum_lines(&sum), want, "one line per version and triple, sorted");

    // A teammate with the same project, when the release serves other bytes
    // (with a digest that matches them): refused, naming the pin file.
    let other = release_zip(GNU, &library_for(GNU, LIB_SIZE + 2048));
    gh.publish(OWNER, REPO, TAG, &asset_name(GNU), other.clone());
    let teammate = Home::new();
    let run = install_in(&teammate, proj.path(), &gh, &[]).fails(1);
    run.mentions(&["checksum mismatch", "slim-bindings.sum", &digest(GNU), &sha256_hex(&other)]);
    assert!(!teammate.versioned(V).join(lib_name(GNU)).exists(), "nothing installed for the mismatch");
    assert_eq!(sum_lines(&sum), want, "a refused run leaves the pins alone");

    // The pinned bytes again: accepted, vouched for by the pin file.
    gh.publish(OWNER, REPO, TAG, &asset_name(GNU), release_zip(GNU, &lib(GNU)));
    let run = install_in(&teammate, proj.path(), &gh, &[]).ok();
    for t in run.json()["targets"].as_array().unwrap() {
        assert!(t["verified_by"].as_str().unwrap().ends_with("slim-bindings.sum"), "{t}");
    }
    assert_eq!(read(&teammate.versioned(V).join(lib_name(GNU))), lib(GNU));
    // Locking again changes nothing.
    install_in(&teammate, proj.path(), &gh, &["--lock"]).ok();
    assert_eq!(sum_lines(&sum), want);
}

/// A mirror with no SHA256SUMS: --lock pins what it got, and says that is
/// trust on first use, in the text and the JSON; --require-checksum refuses.
#[test]
fn lock_of_an_unverified_digest_says_trust_on_first_use() {
    let proj = project();
    let mirror = folder_mirror(&[TAG], GNU);
    std::fs::remove_file(mirror.path().join(TAG).join("SHA256SUMS")).unwrap();
    let sum = proj.path().join("slim-bindings.sum");
    let home = Home::new();
    let lock = |extra: &[&str]| {
        let mut c = home.install();
        c.args(["--target", GNU, "--lock", "--base-url"])
            .arg(mirror.path())
            .args(extra)
            .current_dir(proj.path());
        Run::of(&mut c)
    };
    let strict = lock(&["--require-checksum"]).fails(1);
    strict.error(&["--require-checksum"]);
    assert!(!sum.exists(), "nothing pinned\n{strict}");

    let run = lock(&[]).ok();
    let zip_sha = sha256_hex(&release_zip(GNU, &lib(GNU)));
    run.mentions(&["trust on first use: pinned an unverified digest", &zip_sha]);
    assert_eq!(sum_lines(&sum), [format!("{V} {GNU} sha256:{zip_sha}")]);
    let doc = lock(&["--json", "--force"]).ok().json();
    let pin = &doc["lock"]["pins"][0];
    assert_eq!(
        (pin["trust"].as_str(), pin["verified_by"].as_str()),
        (Some("verified"), Some(sum.to_str().unwrap())),
        "the pin now vouches: {doc}"
    );
}
