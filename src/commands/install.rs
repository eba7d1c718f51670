//! `slim-setup install`: gather the host facts, plan, install each target
//! (in parallel up to --jobs), then report.

use std::path::Path;

use crate::cli::InstallArgs;
use crate::error::{Error, Result};
use crate::host::env::Env;
use crate::host::facts::Ask;
use crate::pipeline::install::{Outcome, install_all};
use crate::plan::{self, InstallPlan};
use crate::store::atomic;
use crate::ui::out::outln;
use crate::ui::{progress, report};

pub(crate) fn run(args: &InstallArgs, env: &Env, cwd: &Path) -> Result<()> {
    let facts = super::facts_with_module(&Ask::install(args), env, cwd)?;
    let plan = plan::install_plan(args, env, &facts)?;
    let out = &args.output;
    let ui = progress::reporter(out.quiet || out.json, out.no_progress);
    if !(out.quiet || out.json) {
        eprint!("{}", report::banner(&plan));
    }
    let outcomes = install_all(&plan, &*ui)?;
    let pinned = match plan.write_lock {
        true => Some(report::Pinned::new(write_pins(&plan, &outcomes)?, &outcomes)),
        false => None,
    };
    if let Some(p) = pinned.as_ref().filter(|_| !(out.quiet || out.json)) {
        for line in p.lines() {
            eprintln!("{line}");
        }
    }
    if out.json {
        // Warnings still reach a human reading the CI log, not only the JSON.
        if !out.quiet {
            for note in outcomes.iter().flat_map(|o| &o.notes).filter(|n| n.starts_with("warning")) {
                eprintln!("{note}");
            }
        }
        outln!("{}", report::json(&plan, &outcomes, pinned.as_ref()))?;
    } else if !out.quiet {
        for o in &outcomes {
            eprintln!("{}", report::outcome_line(o));
        }
        eprintln!("{}", report::next_step(&outcomes));
    }
    Ok(())
}

/// Add this run's digests to slim-bindings.sum and return its path. With
/// --require-checksum a digest nothing vouched for is never pinned (the
/// install itself refuses one; this keeps the rule where the pin is made).
fn write_pins(plan: &InstallPlan, outcomes: &[Outcome]) -> Result<std::path::PathBuf> {
    let pins = plan.pins.as_ref().ok_or_else(|| Error::Usage("--lock needs a go.mod".into()))?;
    if let Some(o) = outcomes.iter().find(|o| o.verified_by.is_none() && plan.require_checksum) {
        return Err(Error::ChecksumRequired {
            asset: format!("slim-bindings-{}.zip", o.triple),
            why: Some("--lock would pin a digest nothing vouched for".into()),
        });
    }
    let mut file = pins.file.clone();
    for o in outcomes {
        file.entries.insert((o.version.clone(), o.triple.clone()), o.sha256);
    }
    atomic::write(&pins.path, file.render().as_bytes())?;
    Ok(pins.path.clone())
}
