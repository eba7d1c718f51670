//! One module per subcommand; the only code that prints results.

pub(crate) mod cc;
pub(crate) mod clean;
pub(crate) mod completions;
pub(crate) mod doctor;
pub(crate) mod env;
pub(crate) mod install;
pub(crate) mod list;
pub(crate) mod man;
pub(crate) mod mirror;
pub(crate) mod targets;
pub(crate) mod verify;

use std::path::Path;

use crate::error::{Error, Result};
use crate::host::env::Env;
use crate::host::facts::{Ask, HostFacts};
use crate::plan;

/// The host facts for a command that places or finds a library: gathered
/// once, then the cgo files of the module folder planning names (a version
/// or folder that cannot be decided is planning's error to report).
fn facts_with_module(ask: &Ask, env: &Env, cwd: &Path) -> Result<HostFacts> {
    let facts = HostFacts::gather(ask, env, cwd)?;
    let location = plan::absolute_location(ask.location, cwd);
    if location.cache_dir.is_some() {
        return Ok(facts);
    }
    let dir = plan::module_dir(ask.version, &location, env, &facts).ok();
    Ok(facts.with_module(dir.as_deref()))
}

/// How `--quiet`, `--json`, `--progress` and `-v` show a run.
fn display(o: &crate::cli::OutputArgs) -> crate::ui::progress::Display {
    crate::ui::progress::Display {
        quiet: o.quiet,
        json: o.json,
        no_progress: o.no_progress,
        progress: o.progress,
        verbose: o.verbose,
    }
}

/// How a run of several targets ends. With several, the run fails naming
/// the ones that did (each target's own error is in its report); with one,
/// it fails with that target's error.
struct RunEnd<T> {
    results: Vec<Result<T>>,
    several: Option<Error>,
}

impl<T> RunEnd<T> {
    fn new(triples: &[&str], results: Vec<Result<T>>) -> RunEnd<T> {
        let failed: Vec<String> =
            triples.iter().zip(&results).filter(|(_, r)| r.is_err()).map(|(t, _)| t.to_string()).collect();
        let several = (results.len() > 1 && !failed.is_empty())
            .then_some(Error::TargetsFailed { failed, total: results.len() });
        RunEnd { results, several }
    }

    /// The error a `--json` document carries.
    fn error(&self) -> Option<&Error> {
        self.several.as_ref().or_else(|| self.results.iter().find_map(|r| r.as_ref().err()))
    }

    fn finish(self) -> Result<()> {
        match self.several {
            Some(e) => Err(e),
            None => self.results.into_iter().find_map(Result::err).map_or(Ok(()), Err),
        }
    }
}
