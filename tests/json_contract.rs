//! The `--json` contract (docs/json.md): every command's document, on
//! success, partial failure and failure before any target, validated
//! against the JSON Schema in the doc itself, so the doc cannot drift from
//! the output. Each document must also be the only thing on stdout, start
//! with `schema` and `command`, and carry the exit code the process had.

mod support;

use std::process::Command;
use std::sync::OnceLock;

use serde_json::Value;
use support::case::{Case, GNU, MUSL, VERSION};
use support::run::Run;

/// The schema block of docs/json.md (the fenced block after `<!-- schema -->`).
fn schema() -> &'static jsonschema::Validator {
    static V: OnceLock<jsonschema::Validator> = OnceLock::new();
    V.get_or_init(|| {
        let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/json.md")).unwrap();
        let after = doc.split("<!-- schema -->").nth(1).expect("a schema marker in docs/json.md");
        let block = after.split("```json").nth(1).and_then(|b| b.split("```").next()).expect("a json block");
        let schema: Value = serde_json::from_str(block).expect("the schema is JSON");
        jsonschema::validator_for(&schema).expect("a valid JSON Schema")
    })
}

/// Runs `cmd`, expects `code`, and checks its stdout is one valid document
/// of `command`.
fn document(mut cmd: Command, command: &str, code: i32) -> Value {
    let r = Run::of(&mut cmd).fails(code);
    let prefix = format!("{{\n  \"schema\": 1,\n  \"command\": \"{command}\"");
    assert!(r.stdout.starts_with(&prefix), "not a {command} document first thing on stdout\n{r}");
    let doc: Value =
        serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("one JSON document: {e}\n{r}"));
    let errors: Vec<String> =
        schema().iter_errors(&doc).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "{command} does not match docs/json.md:\n{}\n{doc:#}", errors.join("\n"));
    match code {
        0 => assert!(doc.get("error").is_none(), "{doc:#}"),
        _ => assert_eq!(doc["error"]["exit_code"], code, "{doc:#}"),
    }
    doc
}

fn json(mut cmd: Command) -> Command {
    cmd.arg("--json");
    cmd
}

fn sub(c: &Case, args: &[&str]) -> Command {
    let mut cmd = support::cmd::slim_setup(&c.home);
    cmd.args(args);
    cmd
}

#[test]
fn install_reports_every_target_whatever_happened() {
    let c = Case::published();
    let doc = document(json(c.install(GNU)), "install", 0);
    assert_eq!(doc["targets"][0]["status"], "installed");
    let doc = document(json(c.install(GNU)), "install", 0);
    assert_eq!(doc["targets"][0]["status"], "already-installed");

    // Two targets, one of which the release lacks: both reported, exit 1.
    let mut both = json(c.install(GNU));
    both.args(["--target", MUSL]);
    let doc = document(both, "install", 1);
    let statuses: Vec<&str> =
        doc["targets"].as_array().unwrap().iter().map(|t| t["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["already-installed", "failed"], "{doc:#}");
    assert!(doc["targets"][1]["error"]["message"].as_str().unwrap().contains("404"), "{doc:#}");
    assert!(
        doc["error"]["message"].as_str().unwrap().contains(&format!("1 of 2 targets failed: {MUSL}")),
        "{doc:#}"
    );

    // A failure before any target: no version to install.
    let mut none = support::cmd::slim_setup(&c.home);
    none.args(["install", "--json", "--cache-dir"]).arg(&c.dest);
    let doc = document(none, "install", 1);
    assert_eq!(doc.as_object().unwrap().len(), 3, "only schema, command and error: {doc:#}");
}

#[test]
fn install_dry_run_and_lock_documents() {
    let c = Case::published();
    let mut dry = json(c.install(GNU));
    dry.arg("--dry-run");
    let doc = document(dry, "install", 0);
    assert_eq!(doc["targets"][0]["status"], "would-install");
    assert!(
        doc["targets"][0]["checksum_source"].as_str().unwrap().contains("GitHub release digest"),
        "{doc:#}"
    );

    let proj = tempfile::tempdir().unwrap();
    std::fs::write(
        proj.path().join("go.mod"),
        format!("module m\n\nrequire github.com/agntcy/slim-bindings-go {VERSION}\n"),
    )
    .unwrap();
    let mut lock = json(c.install(GNU));
    lock.arg("--lock").current_dir(proj.path());
    let doc = document(lock, "install", 0);
    assert_eq!(doc["lock"]["pins"][0]["trust"], "verified", "{doc:#}");
}

#[test]
fn list_verify_and_targets_documents() {
    let c = Case::published();
    let dest = c.dest.to_str().unwrap().to_string();
    let doc = document(sub(&c, &["list", "--json", "--cache-dir", &dest]), "list", 0);
    assert_eq!(doc["libraries"], serde_json::json!([]));
    document(sub(&c, &["verify", "--json", "--cache-dir", &dest]), "verify", 1);
    Run::of(&mut c.install(GNU)).ok();
    let doc = document(sub(&c, &["list", "--json", "--cache-dir", &dest]), "list", 0);
    assert_eq!(doc["libraries"][0]["health"], "ok");
    document(sub(&c, &["verify", "--json", "--cache-dir", &dest]), "verify", 0);
    support::disk::flip_byte(&c.lib(), None, None);
    let doc = document(sub(&c, &["verify", "--json", "--cache-dir", &dest]), "verify", 1);
    assert_eq!(doc["libraries"][0]["health"], "damaged");
    document(sub(&c, &["targets", "--json"]), "targets", 0);
}

/// A command line clap refuses still gets its document when --json was asked.
#[test]
fn usage_errors_are_documents_too() {
    let c = Case::new();
    let doc = document(sub(&c, &["list", "--json", "--bogus"]), "list", 2);
    assert!(doc["error"]["message"].as_str().unwrap().contains("--bogus"), "{doc:#}");
    let doc = document(sub(&c, &["instal", "--json"]), "install", 2);
    assert!(doc["error"]["message"].as_str().unwrap().contains("did you mean 'install'"), "{doc:#}");
}

#[test]
fn mirror_and_doctor_documents() {
    let c = Case::published();
    let out = c.home.join("mirror");
    let mirror = |targets: &[&str]| {
        let mut cmd = sub(&c, &["mirror", VERSION, "--json", "--out", out.to_str().unwrap()]);
        cmd.args(["--base-url", &c.gh.base_url(support::github::OWNER, support::github::REPO)]);
        cmd.args(["--github-api-url", &c.gh.api_url()]);
        for t in targets {
            cmd.args(["--target", t]);
        }
        cmd
    };
    let doc = document(mirror(&[GNU]), "mirror", 0);
    assert_eq!(doc["archives"][0]["status"], "mirrored");
    let doc = document(mirror(&[GNU, MUSL]), "mirror", 1);
    assert_eq!(doc["archives"][0]["status"], "already-mirrored", "{doc:#}");
    assert_eq!(doc["archives"][1]["status"], "failed", "{doc:#}");

    let mut doctor =
        sub(&c, &["doctor", VERSION, "--json", "--target", GNU, "--cache-dir", c.dest.to_str().unwrap()]);
    doctor.env("CC", "/nonexistent/cc");
    let doc = document(doctor, "doctor", 1);
    assert!(doc["checks"].as_array().unwrap().iter().any(|c| c["status"] == "fail"), "{doc:#}");
}
