//! The command line as CI scripts and people meet it, run as the built
//! binary: usage errors exit 2 with one `error:` line saying what is wrong
//! and what is accepted, runtime failures exit 1; mistyped commands and
//! versions get what was meant; `--version` names the build; completions
//! offer the supported values; the man page is complete and refers to no
//! page that does not exist; each subcommand's help has examples.
// Unix only: completions are run in bash.
#![cfg(unix)]

mod support;

use std::path::Path;
use std::process::Command;

use support::fixtures::ALL_TRIPLES as TRIPLES;
use support::home::Home;
use support::run::Run;

fn run(home: &Home, args: &[&str]) -> Run {
    Run::of(home.bare().args(args))
}

/// Nothing was written: no GOPATH, no cache folder.
fn nothing_written(home: &Home, r: &Run) {
    assert!(!home.gopath().exists(), "a usage error wrote into GOPATH\n{r}");
}

#[test]
fn words_that_are_not_versions_say_what_was_meant_and_exit_2() {
    let home = Home::new();
    let table: &[(&[&str], &str)] = &[
        (&["instal"], "unknown command 'instal'; did you mean 'install'?"),
        (&["lsit", "--json"], "unknown command 'lsit'; did you mean 'list'?"),
        (&["uninstall"], "unknown command 'uninstall'; did you mean 'clean'?"),
        (&["foo"], "'foo' is neither a command nor a version (like v1.4.0)"),
        (
            &["latest"],
            "slim-setup installs a release version like v1.4.0, not 'latest'; omit VERSION to use the one go.mod requires",
        ),
        (&["v1.4"], "'v1.4' is not a full version; did you mean v1.4.0?"),
        (&["install", "v1.4"], "'v1.4' is not a full version; did you mean v1.4.0?"),
        // After a subcommand a word is only ever a version.
        (&["install", "instal"], "'instal' is not a version (expected something like v1.4.0 or 1.4.0)"),
        (&["verify", "latest"], "not 'latest'"),
        (&["clean", "v1"], "did you mean v1.0.0?"),
        (&["env", "1.x"], "'1.x' is not a version"),
        (&["doctor", "v0.0.0-20240101120000-abcdef123456"], "is a Go pseudo-version"),
        (&["mirror", "v1.4", "--out", "m"], "did you mean v1.4.0?"),
    ];
    for (args, message) in table {
        let r = run(&home, args).fails(2);
        r.error(&[message]);
        nothing_written(&home, &r);
    }
}

#[test]
fn a_bad_version_in_the_environment_is_a_usage_error_and_in_go_mod_a_failure() {
    let home = Home::new();
    for (value, message) in [
        (
            "latest",
            "SLIM_BINDINGS_VERSION: slim-setup installs a release version like v1.4.0, not 'latest'; unset it",
        ),
        ("v1.4", "SLIM_BINDINGS_VERSION: 'v1.4' is not a full version; did you mean v1.4.0?"),
        ("nope", "SLIM_BINDINGS_VERSION: 'nope' is not a version"),
    ] {
        let r = Run::of(home.bare().arg("--offline").env("SLIM_BINDINGS_VERSION", value)).fails(2);
        r.error(&[message]);
        nothing_written(&home, &r);
    }
    // The project's own go.mod naming no release is not the user's typing.
    let project = home.path().join("app");
    std::fs::create_dir_all(&project).unwrap();
    std::fs::write(
        project.join("go.mod"),
        "module example.com/app\n\ngo 1.22\n\nrequire github.com/agntcy/slim-bindings-go v1.4\n",
    )
    .unwrap();
    let r = Run::of(home.bare().arg("--offline").current_dir(&project)).fails(1);
    r.error(&["'v1.4' is not a version"]);
}

#[test]
fn unknown_subcommands_exit_2() {
    let home = Home::new();
    let r = run(&home, &["help", "instal"]).fails(2);
    r.error(&["unrecognized subcommand 'instal'"]);
    // A typo before a version is still the typo.
    let r = run(&home, &["instal", "v1.4.0"]).fails(2);
    r.error(&["unknown command 'instal'; did you mean 'install'?"]);
}

#[test]
fn malformed_values_exit_2_saying_what_is_accepted() {
    let home = Home::new();
    let table: &[(&[&str], &[&str])] = &[
        (
            &["v1.4.0", "--libc", "uclibc"],
            &["invalid value 'uclibc' for '--libc", "possible values: gnu, musl"],
        ),
        (&["v1.4.0", "--sha256", "xyz"], &["invalid value 'xyz' for '--sha256", "64 hex digits"]),
        (
            &["v1.4.0", "--target", "foo"],
            &["'foo' is not a valid target triple", "supported:", TRIPLES[0], TRIPLES[6]],
        ),
        (
            &["install", "--target", "x86_64-pc-windows-msvc"],
            &["not a target the SLIM releases publish for Go", "supported:", TRIPLES[3]],
        ),
        (&["mirror", "--target", "riscv64gc-unknown-linux-gnu", "--out", "m"], &["supported:", TRIPLES[5]]),
        // Flags making a pair no release has: the pair, and the supported ones.
        (
            &["v1.4.0", "--offline", "--goos", "windows", "--goarch", "arm64"],
            &["no prebuilt SLIM library for windows/arm64; supported: linux/amd64 (gnu, musl)"],
        ),
        (&["v1.4.0", "--offline", "--goos", "freebsd", "--goarch", "amd64"], &["freebsd/amd64; supported: "]),
        (&["v1.4.0", "--offline", "--goos", "darwin", "--libc", "musl"], &["darwin/", "(musl); supported: "]),
        (&["env", "v1.4.0", "--goos", "linux", "--goarch", "386"], &["linux/386 (gnu); supported: "]),
    ];
    for (args, needles) in table {
        let r = run(&home, args).fails(2);
        r.error(needles);
        nothing_written(&home, &r);
    }
    // A typo of a triple is told the triple it was probably meant to be.
    let r = run(&home, &["--target", "x86_64-unknown-linux-muls", "v1.4.0"]).fails(2);
    r.error(&["supported:"]);
    r.says(&["hint: did you mean 'x86_64-unknown-linux-musl'?"]);
    // The same unsupported pair from the environment is a failure, not a usage error.
    let r = Run::of(home.bare().args(["v1.4.0", "--offline"]).env("GOOS", "freebsd").env("GOARCH", "amd64"))
        .fails(1);
    r.error(&["no prebuilt SLIM library for freebsd/amd64"]);
}

#[test]
fn version_names_the_package_the_commit_and_the_target() {
    let home = Home::new();
    let want = format!("slim-setup {} ({})\n", env!("CARGO_PKG_VERSION"), env!("SLIM_SETUP_BUILD_INFO"));
    for args in [&["--version"][..], &["-V"], &["version"]] {
        let r = run(&home, args).ok();
        assert_eq!(r.stdout, want, "{args:?}\n{r}");
    }
    // What build.rs found, checked against git and the platform here.
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let head = Command::new("git").args(["rev-parse", "--short", "HEAD"]).current_dir(repo).output();
    let commit = match head {
        Ok(o) if o.status.success() => String::from_utf8(o.stdout).unwrap().trim().to_string(),
        _ => "unknown".into(),
    };
    assert!(want.starts_with(&format!("slim-setup {} ({commit}", env!("CARGO_PKG_VERSION"))), "{want}");
    let target = want.trim_end().trim_end_matches(')').rsplit(", ").next().unwrap();
    let os = if std::env::consts::OS == "macos" { "darwin" } else { std::env::consts::OS };
    assert!(target.starts_with(std::env::consts::ARCH) && target.contains(os), "{want}");
}

/// What bash offers after `words` (the last one being completed), with the
/// script `slim-setup completions bash` printed.
fn bash_completes(script: &str, words: &[&str]) -> Vec<String> {
    let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
    let program = format!(
        "source /dev/stdin; COMP_WORDS=({}); COMP_CWORD={}; _slim__setup slim-setup '{}' '{}'; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        quoted.join(" "),
        words.len() - 1,
        words[words.len() - 1],
        words[words.len() - 2],
    );
    let mut child = Command::new("bash")
        .args(["--norc", "-c", &program])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("run bash");
    use std::io::Write;
    child.stdin.take().unwrap().write_all(script.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "bash failed");
    String::from_utf8(out.stdout).unwrap().lines().map(String::from).collect()
}

#[test]
fn completions_offer_the_supported_values() {
    let home = Home::new();
    let bash = run(&home, &["completions", "bash"]).ok().stdout;
    assert_eq!(bash_completes(&bash, &["slim-setup", "--target", ""]), TRIPLES);
    assert_eq!(
        bash_completes(&bash, &["slim-setup", "--target", "aarch64"]),
        ["aarch64-unknown-linux-gnu", "aarch64-unknown-linux-musl", "aarch64-apple-darwin"]
    );
    // After a subcommand too.
    assert_eq!(bash_completes(&bash, &["slim-setup", "env", "--goos", ""]), ["linux", "darwin", "windows"]);
    assert_eq!(bash_completes(&bash, &["slim-setup", "doctor", "--goarch", ""]), ["amd64", "arm64"]);
    assert_eq!(bash_completes(&bash, &["slim-setup", "install", "--libc", ""]), ["gnu", "musl"]);
    assert_eq!(
        bash_completes(&bash, &["slim-setup", "mirror", "--target", "x86_64-pc"]),
        ["x86_64-pc-windows-gnu"]
    );
    // zsh and fish are not installed here: their scripts list the values.
    let zsh = run(&home, &["completions", "zsh"]).ok().stdout;
    for list in [TRIPLES.join(" "), "linux darwin windows".into(), "amd64 arm64".into(), "gnu musl".into()] {
        assert!(zsh.contains(&format!(":({list})")), "zsh lacks ({list})");
    }
    let fish = run(&home, &["completions", "fish"]).ok().stdout;
    let offered =
        |value: &str| fish.contains(&format!("\"{value}\\t")) || fish.contains(&format!("\n{value}\\t"));
    for value in TRIPLES.iter().chain(&["linux", "darwin", "windows", "amd64", "arm64", "gnu", "musl"]) {
        assert!(offered(value), "fish does not offer {value}");
    }
}

/// Names of environment variables in slim-setup's source: `env = "X"`
/// (clap) and `env.get("X")`, the `ENV_*` constants clap's `env = ENV_X`
/// name, and the list of variables it reads itself.
fn variables_in_source() -> Vec<String> {
    let mut names = Vec::new();
    let mut files = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("src")];
    while let Some(path) = files.pop() {
        if path.is_dir() {
            files.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        for marker in ["env = \"", "env.get(\"", "const ENV_"] {
            for (at, _) in text.match_indices(marker) {
                let rest = &text[at + marker.len()..];
                // `const ENV_X: &str = "NAME";`: the name is the string.
                let rest = if marker == "const ENV_" { &rest[rest.find('"').unwrap() + 1..] } else { rest };
                names.push(rest[..rest.find('"').unwrap()].to_string());
            }
        }
        if path.ends_with("host/env.rs") {
            let list = &text[text.find("const READ").unwrap()..];
            let list = &list[..list.find("];").unwrap()];
            names.extend(list.split('"').skip(1).step_by(2).map(String::from));
        }
    }
    names.sort();
    names.dedup();
    names
}

#[test]
fn the_man_page_documents_environment_and_exit_status_and_refers_to_no_missing_page() {
    let home = Home::new();
    let page = run(&home, &["man"]).ok().stdout;
    for section in
        [".SH NAME", ".SH SYNOPSIS", ".SH OPTIONS", ".SH COMMANDS", ".SH ENVIRONMENT", ".SH \"EXIT STATUS\""]
    {
        assert!(page.contains(section), "no {section}");
    }
    let environment = &page[page.find(".SH ENVIRONMENT").unwrap()..page.find(".SH \"EXIT STATUS\"").unwrap()];
    let found = variables_in_source();
    assert!(found.len() > 20 && found.contains(&"SLIM_SETUP_TIMEOUT".to_string()), "{found:?}");
    let others =
        ["GITHUB_TOKEN", "GH_TOKEN", "NETRC", "HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY", "SSL_CERT_FILE"];
    for name in found.iter().map(String::as_str).chain(others).chain(["NO_COLOR", "CLICOLOR_FORCE"]) {
        assert!(environment.contains(name), "{name} is not in ENVIRONMENT");
    }
    let status = &page[page.find(".SH \"EXIT STATUS\"").unwrap()..];
    for code in ["0", "1", "2", "130", "143"] {
        assert!(status.contains(&format!(".TP\n\\fB{code}\\fR\n")), "exit status {code} is not described");
    }
    // Every subcommand is in the page itself.
    for sub in
        ["install", "list", "verify", "env", "clean", "mirror", "doctor", "targets", "completions", "man"]
    {
        assert!(page.contains(&format!(".SS \"slim-setup {sub}\"")), "{sub} is not in COMMANDS");
    }
    // Every name(N) reference is a page the command produces: slim-setup(1) only.
    let text = page.replace("\\-", "-").replace("\\fB", "").replace("\\fR", "").replace("\\fI", "");
    let bytes = text.as_bytes();
    for (at, _) in text.match_indices('(') {
        let page_no = bytes.get(at + 1).is_some_and(u8::is_ascii_digit) && bytes.get(at + 2) == Some(&b')');
        let name_start = text[..at].rfind(|c: char| !(c.is_ascii_alphanumeric() || "-_.".contains(c)));
        let name = &text[name_start.map_or(0, |i| i + 1)..at];
        if page_no && !name.is_empty() {
            assert_eq!(
                format!("{name}({})", bytes[at + 1] as char),
                "slim-setup(1)",
                "a reference to a missing page"
            );
        }
    }
    assert!(!text.contains("slim-setup-install"), "clap_mangen's per-subcommand page names are gone");
}

#[test]
fn subcommand_help_has_examples_and_says_what_gopath_and_cache_dir_mean_to_it() {
    let home = Home::new();
    let table = [
        ("install", "GOPATH to install under", "Install exactly into this folder"),
        ("list", "GOPATH whose cache folders are searched", "Look only in this folder"),
        ("verify", "GOPATH whose cache folders are searched", "Verify only the libraries in this folder"),
        (
            "clean",
            "GOPATH whose cache folders (and module cache) are cleaned",
            "Remove from this folder only",
        ),
        ("env", "GOPATH under which the library is looked for", "CGO_LDFLAGS links from there"),
        ("doctor", "GOPATH under which the library is looked for", "Check the library in this folder"),
    ];
    for (sub, gopath, cache_dir) in table {
        let r = run(&home, &[sub, "--help"]).ok();
        let help =
            r.stdout.replace(char::is_whitespace, " ").split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(help.contains(gopath) && help.contains(cache_dir), "{sub}\n{r}");
        assert!(!help.contains("GOPATH to install under") || sub == "install", "{sub}\n{r}");
    }
    for sub in
        ["install", "list", "verify", "env", "clean", "mirror", "doctor", "targets", "completions", "man"]
    {
        let r = run(&home, &[sub, "--help"]).ok();
        let examples =
            r.stdout.split("Examples:\n").nth(1).unwrap_or_else(|| panic!("{sub} has no examples\n{r}"));
        let lines = examples
            .lines()
            .filter(|l| l.trim_start().starts_with("slim-setup") || l.contains("$(slim-setup"));
        assert!(lines.count() >= 2, "{sub}\n{r}");
    }
}

/// The command lines of the README's `sh` blocks: each `slim-setup ...`
/// (and `cargo run ... -- ARGS`), up to a comment, pipe or redirection.
fn readme_command_lines() -> Vec<Vec<String>> {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let mut out = Vec::new();
    for block in readme.split("```sh\n").skip(1) {
        for line in block[..block.find("```").unwrap()].lines() {
            let line = line.split(" #").next().unwrap().trim();
            let args = match (line.strip_prefix("slim-setup"), line.split_once(" -- ")) {
                (Some(rest), _) => rest,
                (None, Some((cargo, rest))) if cargo.starts_with("cargo run") => rest,
                _ => continue,
            };
            let words = args.split_whitespace().take_while(|w| !["|", ">", ">>"].contains(w));
            out.push(std::iter::once("slim-setup".to_string()).chain(words.map(String::from)).collect());
        }
    }
    out
}

#[test]
fn every_command_line_in_the_readme_parses() {
    let lines = readme_command_lines();
    assert!(lines.len() >= 8, "{lines:?}");
    for words in lines {
        let parsed = slim_setup::cli::Cli::parse_args(words.iter().map(Into::into).collect());
        assert!(parsed.is_ok(), "README: {words:?}: {}", parsed.err().unwrap());
    }
}
