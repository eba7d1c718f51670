//! The machine-readable contract: every `--json` command prints exactly one
//! document on stdout, `{"schema": 1, "command": NAME, ...}`, pretty-printed
//! with keys in declaration order, and a failure still prints one, with an
//! `error` object. The same thing has the same field name in every command
//! (`archive_sha256`, `library_sha256`, `path`, `url`, ...). docs/json.md is
//! the schema; a bump of `SCHEMA` is a breaking change for scripts.

use std::sync::atomic::{AtomicBool, Ordering};

use serde::Serialize;

use crate::error::{Error, Result};
use crate::ui::out::outln;

pub(crate) const SCHEMA: u32 = 1;

/// Set once a command has printed its document, so a failure after it
/// does not print a second one.
static PRINTED: AtomicBool = AtomicBool::new(false);

#[derive(Serialize)]
struct Doc<'a, T: Serialize> {
    schema: u32,
    command: &'a str,
    #[serde(flatten)]
    body: T,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<ErrorDoc>,
}

/// Which target, and where it goes: the same fields in the same order in
/// every document that reports a target (`install`, its `--dry-run`), so
/// the names cannot drift apart.
#[derive(Serialize)]
pub(crate) struct TargetId<'a> {
    version: String,
    triple: &'a str,
    goos: &'a str,
    goarch: &'a str,
    libc: Option<crate::domain::platform::Libc>,
    status: &'static str,
    path: std::path::PathBuf,
    dir_source: String,
}

impl<'a> TargetId<'a> {
    pub(crate) fn of(
        plan: &crate::plan::InstallPlan,
        tp: &'a crate::plan::TargetPlan,
        status: &'static str,
    ) -> Self {
        let t = &tp.target;
        TargetId {
            version: plan.version.to_string(),
            triple: t.triple,
            goos: t.goos,
            goarch: t.goarch,
            libc: t.libc,
            status,
            path: tp.path(),
            dir_source: tp.dir_source.to_string(),
        }
    }

    /// What happened, and where the library went in the end.
    pub(crate) fn outcome(self, status: &'static str, path: std::path::PathBuf, dir_source: String) -> Self {
        TargetId { status, path, dir_source, ..self }
    }
}

/// What went wrong, as `main` prints it on stderr: the message with its
/// causes, the hint, and the process's exit code.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ErrorDoc {
    pub(crate) message: String,
    pub(crate) hint: Option<String>,
    pub(crate) exit_code: i32,
}

impl ErrorDoc {
    pub(crate) fn of(e: &Error) -> ErrorDoc {
        ErrorDoc { message: e.message(), hint: e.hint(), exit_code: e.exit_code() }
    }
}

/// The text of a document, for commands that print it themselves.
fn render<T: Serialize>(command: &str, body: T, error: Option<&Error>) -> String {
    let doc = Doc { schema: SCHEMA, command, body, error: error.map(ErrorDoc::of) };
    serde_json::to_string_pretty(&doc).expect("documents serialise")
}

/// Prints the command's document; `error` is the failure the command will
/// return (partial failures keep their results beside it).
pub(crate) fn emit<T: Serialize>(command: &str, body: T, error: Option<&Error>) -> Result<()> {
    PRINTED.store(true, Ordering::SeqCst);
    outln!("{}", render(command, body, error))
}

/// A failure before the command printed anything: a document with only
/// the error, so a script reading stdout always gets one.
pub(crate) fn emit_failure(command: &str, e: &Error) -> Result<()> {
    if PRINTED.load(Ordering::SeqCst) {
        return Ok(());
    }
    emit(command, serde_json::Map::new(), Some(e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_document_carries_the_schema_and_command_first() {
        #[derive(Serialize)]
        struct Body {
            libraries: Vec<u32>,
        }
        let text = render("list", Body { libraries: vec![1] }, None);
        assert!(text.starts_with("{\n  \"schema\": 1,\n  \"command\": \"list\",\n  \"libraries\""), "{text}");
        let failed = render("install", serde_json::Map::new(), Some(&Error::Usage("bad".into())));
        let v: serde_json::Value = serde_json::from_str(&failed).unwrap();
        assert_eq!(v["error"]["exit_code"], 2);
        assert_eq!(v["error"]["message"], "bad");
    }
}
