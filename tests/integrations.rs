//! The integrations around the binary: the GitHub workflows and the composite
//! action (parsed as YAML, their references checked), the installer for the
//! tool itself (`scripts/install.sh`), the release packaging scripts, the
//! action's shell steps, and the example Dockerfile's build steps run outside
//! Docker (in full, with the real Go and zig, when `scripts/test` provides
//! SLIM_GO and SLIM_ZIG).
// Unix only: shell-script stand-ins, permissions, signals and symlinks.
#![cfg(unix)]

// The loopback server and hashing helpers; the tests that use them are Unix-only.
#[cfg(unix)]
mod support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use yaml_rust2::{Yaml, YamlLoader};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

fn load_yaml(rel: &str) -> Yaml {
    let text = read(&root().join(rel));
    let mut docs = YamlLoader::load_from_str(&text).unwrap_or_else(|e| panic!("{rel}: {e}"));
    assert_eq!(docs.len(), 1, "{rel}: expected one YAML document");
    docs.remove(0)
}

fn workflows() -> Vec<String> {
    let dir = root().join(".github/workflows");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".yml") || n.ends_with(".yaml"))
        .map(|n| format!(".github/workflows/{n}"))
        .collect();
    names.sort();
    names
}

fn hash_keys(y: &Yaml) -> Vec<String> {
    y.as_hash().map(|h| h.keys().filter_map(|k| k.as_str().map(str::to_string)).collect()).unwrap_or_default()
}

/// Every string scalar in a document, keys included.
fn strings(y: &Yaml, out: &mut Vec<String>) {
    match y {
        Yaml::String(s) => out.push(s.clone()),
        Yaml::Array(a) => a.iter().for_each(|v| strings(v, out)),
        Yaml::Hash(h) => h.iter().for_each(|(k, v)| {
            strings(k, out);
            strings(v, out);
        }),
        _ => {}
    }
}

/// `prefix.NAME` references inside `${{ ... }}` expressions.
fn expr_refs(text: &str, prefix: &str) -> BTreeSet<String> {
    let mut refs = BTreeSet::new();
    for expr in text.split("${{").skip(1) {
        let expr = expr.split("}}").next().unwrap_or("");
        for (i, _) in expr.match_indices(prefix) {
            let before = expr[..i].chars().last();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '.' || c == '_') {
                continue;
            }
            let name: String = expr[i + prefix.len()..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '-' || *c == '_')
                .collect();
            refs.insert(name);
        }
    }
    refs
}

/// Checks the shape GitHub requires of a job's steps and returns them.
fn checked_steps<'a>(file: &str, job: &str, steps: &'a Yaml) -> &'a [Yaml] {
    let steps = steps.as_vec().unwrap_or_else(|| panic!("{file}: {job}: steps must be a list"));
    assert!(!steps.is_empty(), "{file}: {job}: no steps");
    for (i, step) in steps.iter().enumerate() {
        let uses = step["uses"].as_str();
        let run = step["run"].as_str();
        assert!(uses.is_some() != run.is_some(), "{file}: {job} step {i}: needs exactly one of uses/run");
        if let Some(uses) = uses {
            // Remote actions are pinned to a version; local ones are paths.
            assert!(
                uses.starts_with("./") || uses.contains('@'),
                "{file}: {job} step {i}: unpinned action {uses}"
            );
        }
    }
    steps
}

#[test]
fn workflows_parse_with_required_keys() {
    let files = workflows();
    assert!(files.iter().any(|f| f.ends_with("/ci.yml")), "no ci.yml in {files:?}");
    assert!(files.iter().any(|f| f.ends_with("/release.yml")), "no release.yml in {files:?}");
    for file in &files {
        let doc = load_yaml(file);
        for key in ["name", "on", "jobs"] {
            assert!(!doc[key].is_badvalue(), "{file}: missing top-level `{key}`");
        }
        let jobs = doc["jobs"].as_hash().unwrap_or_else(|| panic!("{file}: jobs must be a map"));
        assert!(!jobs.is_empty(), "{file}: no jobs");
        let ids: BTreeSet<String> = hash_keys(&doc["jobs"]).into_iter().collect();
        for (name, job) in jobs {
            let name = name.as_str().expect("job id is a string");
            assert!(!job["runs-on"].is_badvalue(), "{file}: {name}: no runs-on");
            checked_steps(file, name, &job["steps"]);
            // `needs` must name jobs of this workflow.
            let needs = match &job["needs"] {
                Yaml::String(s) => vec![s.clone()],
                Yaml::Array(a) => a.iter().filter_map(|n| n.as_str().map(str::to_string)).collect(),
                _ => vec![],
            };
            for n in needs {
                assert!(ids.contains(&n), "{file}: {name} needs unknown job {n}");
            }
        }
    }
}

/// All `runs-on` values of a workflow, matrix entries expanded.
fn runners(doc: &Yaml) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (_, job) in doc["jobs"].as_hash().expect("jobs") {
        let runs_on = job["runs-on"].as_str().unwrap_or_default();
        if runs_on.contains("matrix.os") {
            let matrix = &job["strategy"]["matrix"];
            for os in matrix["os"].as_vec().into_iter().flatten() {
                out.insert(os.as_str().unwrap_or_default().to_string());
            }
            for inc in matrix["include"].as_vec().into_iter().flatten() {
                out.insert(inc["os"].as_str().unwrap_or_default().to_string());
            }
        } else {
            out.insert(runs_on.to_string());
        }
    }
    out
}

fn run_lines(doc: &Yaml) -> String {
    let mut all = Vec::new();
    strings(doc, &mut all);
    all.join("\n")
}

#[test]
fn ci_workflow_covers_fmt_clippy_and_three_systems() {
    let doc = load_yaml(".github/workflows/ci.yml");
    let on = hash_keys(&doc["on"]);
    assert!(on.contains(&"push".into()) && on.contains(&"pull_request".into()), "ci on: {on:?}");
    let os = runners(&doc);
    for want in ["ubuntu-latest", "macos-latest", "windows-latest"] {
        assert!(os.contains(want), "ci.yml does not run on {want}: {os:?}");
    }
    let text = run_lines(&doc);
    assert!(text.contains("cargo fmt --all --check"), "no fmt check");
    assert!(text.contains("cargo clippy") && text.contains("-D warnings"), "no clippy -D warnings");
    assert!(text.contains("scripts/test"), "Linux must run the README's test command");
    assert!(
        text.contains("cargo nextest run --locked --no-fail-fast") && !text.contains("--run-ignored"),
        "macOS/Windows run the suite without the ignored (Go) tests; scripts/test runs those on Linux"
    );
}

#[test]
fn release_workflow_builds_every_tool_platform_and_publishes_sums() {
    let doc = load_yaml(".github/workflows/release.yml");
    let tags = &doc["on"]["push"]["tags"];
    assert!(
        tags.as_vec().is_some_and(|t| t.iter().any(|t| t.as_str() == Some("v*"))),
        "release must run on v* tags"
    );
    let build = &doc["jobs"]["build"];
    let targets: BTreeSet<&str> = build["strategy"]["matrix"]["include"]
        .as_vec()
        .expect("build matrix include")
        .iter()
        .filter_map(|i| i["target"].as_str())
        .collect();
    let want: BTreeSet<&str> = [
        "x86_64-unknown-linux-musl",
        "aarch64-unknown-linux-musl",
        "x86_64-apple-darwin",
        "aarch64-apple-darwin",
        "x86_64-pc-windows-msvc",
    ]
    .into();
    assert_eq!(targets, want);
    // Only the publishing job may write to the repository.
    assert_eq!(doc["permissions"]["contents"].as_str(), Some("read"));
    assert_eq!(doc["jobs"]["publish"]["permissions"]["contents"].as_str(), Some("write"));
    let text = run_lines(&doc);
    assert!(text.contains("SHA256SUMS") && text.contains("package-release.sh"));
    assert!(text.contains("cargo-zigbuild"), "musl builds use cargo-zigbuild");
}

#[test]
fn action_is_composite_with_consistent_inputs_and_outputs() {
    let doc = load_yaml("action.yml");
    assert_eq!(doc["runs"]["using"].as_str(), Some("composite"));
    let inputs: BTreeSet<String> = hash_keys(&doc["inputs"]).into_iter().collect();
    for want in ["version", "goos", "goarch", "libc", "targets", "base-url", "slim-setup-version", "cc-front"]
    {
        assert!(inputs.contains(want), "action input {want} missing: {inputs:?}");
    }
    for (name, input) in doc["inputs"].as_hash().expect("inputs") {
        assert!(input["description"].as_str().is_some(), "input {name:?} has no description");
    }
    let steps = checked_steps("action.yml", "runs", &doc["runs"]["steps"]);
    let ids: BTreeSet<&str> = steps.iter().filter_map(|s| s["id"].as_str()).collect();
    for step in steps {
        if step["run"].as_str().is_some() {
            // Composite run steps have no default shell.
            assert!(step["shell"].as_str().is_some(), "run step without shell: {step:?}");
        }
    }
    assert!(hash_keys(&doc["outputs"]).contains(&"path".to_string()), "no `path` output");
    // Every `${{ inputs.X }}` and `${{ steps.X... }}` names something that exists.
    let text = read(&root().join("action.yml"));
    for used in expr_refs(&text, "inputs.") {
        assert!(inputs.contains(&used), "action.yml uses undefined input {used}");
    }
    for used in expr_refs(&text, "steps.") {
        assert!(ids.contains(used.as_str()), "action.yml uses undefined step id {used}");
    }
    assert!(text.contains("actions/cache@"), "the action caches the libraries");
}

/// `scripts/...` and `examples/...` paths named anywhere in a YAML file.
fn referenced_paths(doc: &Yaml) -> BTreeSet<String> {
    let mut all = Vec::new();
    strings(doc, &mut all);
    let mut paths = BTreeSet::new();
    for s in all {
        for (i, _) in s.match_indices("scripts/").chain(s.match_indices("examples/")) {
            let before = s[..i].chars().last();
            // Part of a longer path (`$GITHUB_ACTION_PATH/scripts/..` counts; `foo_scripts/` does not).
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '-') {
                continue;
            }
            let path: String =
                s[i..].chars().take_while(|c| c.is_alphanumeric() || "_./-".contains(*c)).collect();
            paths.insert(path.trim_end_matches(['.', '/']).to_string());
        }
    }
    paths
}

#[test]
fn referenced_scripts_exist_and_are_executable() {
    let mut files = workflows();
    files.push("action.yml".into());
    let mut checked = 0;
    for file in &files {
        for rel in referenced_paths(&load_yaml(file)) {
            let path = root().join(&rel);
            assert!(path.exists(), "{file} references {rel}, which does not exist");
            let is_script = path.is_file() && (rel.ends_with(".sh") || Path::new(&rel).extension().is_none());
            #[cfg(unix)]
            if is_script {
                use std::os::unix::fs::PermissionsExt;
                let mode = std::fs::metadata(&path).expect("metadata").permissions().mode();
                assert!(mode & 0o111 != 0, "{file} runs {rel}, which is not executable");
            }
            checked += usize::from(is_script);
        }
    }
    assert!(checked >= 5, "expected the workflows to run several scripts, found {checked}");
}

#[test]
fn dockerfile_links_through_the_cc_front_and_ships_from_scratch() {
    let text = read(&root().join("examples/Dockerfile"));
    let lines: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.starts_with('#')).collect();
    let at = |needle: &str| {
        lines
            .iter()
            .position(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("Dockerfile has no line with {needle:?}"))
    };
    let froms: Vec<&&str> = lines.iter().filter(|l| l.starts_with("FROM ")).collect();
    assert!(froms.len() >= 2, "multi-stage build expected");
    assert!(froms[0].contains("--platform=$BUILDPLATFORM"), "builder must run natively and cross-compile");
    assert_eq!(froms.last().map(|l| l.trim()), Some("FROM scratch"));
    // No setup step: modules before the sources (one layer for both
    // platforms), the library with the per-platform build.
    assert!(
        !text.contains("prefetch") && !text.contains("slim-setup install"),
        "a separate setup step is left"
    );
    assert!(at("COPY go.mod go.sum") < at("docker-build.sh deps"));
    assert!(at("docker-build.sh deps") < at("COPY . ."));
    assert!(at("ARG TARGETARCH") < at("docker-build.sh build"));
    // The libraries persist across builds in a cache mount on the build step.
    let build_run =
        lines[..at("docker-build.sh build")].iter().rposition(|l| l.starts_with("RUN")).expect("RUN");
    assert!(lines[build_run].contains("--mount=type=cache,target=/go/.cgo-cache"), "{}", lines[build_run]);
    assert!(text.contains("COPY --from=builder /out/app"));
    let steps = read(&root().join("examples/docker-build.sh"));
    assert!(
        steps.contains(r#"CC="$SLIM_SETUP cc $ZIG cc -target $zig_target""#),
        "the build's CC is the front"
    );
}

// The script tests (POSIX sh and bash) run on Unix only.
#[cfg(unix)]
#[path = "integrations/scripts.rs"]
mod scripts;

#[cfg(unix)]
#[path = "integrations/docker.rs"]
mod docker_steps;
