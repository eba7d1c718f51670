//! Value parsers for the arguments slim-setup judges by its own rules: they
//! list the accepted values (for completions and `--help`) and refuse a bad
//! value while parsing, with slim-setup's own message, as a usage error.

use std::ffi::OsStr;

use clap::builder::{PossibleValue, StringValueParser, TypedValueParser};
use clap::error::ErrorKind;
use clap::{Arg, Command};

use crate::domain::platform::{TARGETS, Target};
use crate::domain::suggest::{self, Place};
use crate::domain::sums::Sha256;

/// VERSION: a release version. Anything else is refused with what was
/// probably meant; at the top level (`slim-setup WORD`) that may be a command.
#[derive(Debug, Clone, Copy)]
pub(crate) struct VersionWord;

impl TypedValueParser for VersionWord {
    type Value = String;

    fn parse_ref(&self, cmd: &Command, arg: Option<&Arg>, value: &OsStr) -> Result<String, clap::Error> {
        let text = StringValueParser::new().parse_ref(cmd, arg, value)?;
        let place = if cmd.has_subcommands() { Place::Bare } else { Place::Argument };
        let commands: Vec<&str> =
            cmd.get_subcommands().filter(|s| !s.is_hide_set()).map(Command::get_name).collect();
        match suggest::version_word(&text, place, &commands) {
            None => Ok(text),
            Some(message) => Err(cmd.clone().error(ErrorKind::InvalidValue, message)),
        }
    }
}

/// A value from the target table. `possible_values` lists the table's values
/// for completions and help; `check` judges one, or lets planning judge the
/// pair it belongs to (`--goos` and `--goarch`: their message names the pair).
#[derive(Clone)]
pub(crate) struct Listed {
    values: Vec<&'static str>,
    check: fn(&str) -> Result<(), String>,
}

impl Listed {
    /// `--goos`: the GOOS values of the table, in its order.
    pub(crate) fn goos() -> Listed {
        Listed { values: unique(TARGETS.iter().map(|t| t.goos)), check: |_| Ok(()) }
    }

    /// `--goarch`: the GOARCH values of the table.
    pub(crate) fn goarch() -> Listed {
        Listed { values: unique(TARGETS.iter().map(|t| t.goarch)), check: |_| Ok(()) }
    }

    /// `--target`: one of the published triples.
    pub(crate) fn triple() -> Listed {
        Listed { values: TARGETS.iter().map(|t| t.triple).collect(), check: check_triple }
    }
}

fn unique(values: impl Iterator<Item = &'static str>) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for v in values {
        if !out.contains(&v) {
            out.push(v);
        }
    }
    out
}

/// The table's own message (it lists the supported triples), and as clap's
/// `tip:` the triple a typo was probably meant to be, else the table.
fn check_triple(text: &str) -> Result<(), String> {
    let Err(e) = Target::from_triple(text) else { return Ok(()) };
    let triples: Vec<&str> = TARGETS.iter().map(|t| t.triple).collect();
    Err(match suggest::closest(text, &triples) {
        Some(near) => format!("{e}\n\n  tip: did you mean '{near}'?"),
        None => format!("{e}\n\n  tip: 'slim-setup targets' shows which GOOS/GOARCH/libc each one is"),
    })
}

impl TypedValueParser for Listed {
    type Value = String;

    fn parse_ref(&self, cmd: &Command, arg: Option<&Arg>, value: &OsStr) -> Result<String, clap::Error> {
        let text = StringValueParser::new().parse_ref(cmd, arg, value)?;
        (self.check)(&text).map_err(|message| cmd.clone().error(ErrorKind::InvalidValue, message))?;
        Ok(text)
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(self.values.iter().map(PossibleValue::new)))
    }
}

/// `--sha256`: 64 hex digits, optionally `sha256:` first.
pub(crate) fn sha256(text: &str) -> Result<Sha256, String> {
    Sha256::parse(text)
        .ok_or_else(|| "not a sha256 digest (expected 64 hex digits, optionally after sha256:)".into())
}
