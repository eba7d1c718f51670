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

use crate::progress::{Event, EventSink};
use crate::ui::{json, progress, report};

pub(crate) fn run(args: &InstallArgs, env: &Env, cwd: &Path) -> Result<()> {
    let facts = super::facts_with_module(&Ask::install(args), env, cwd)?;
    let mut plan = plan::install_plan(args, env, &facts)?;
    let out = &args.output;
    let ui = progress::reporter(super::display(out));
    plan.http.events = EventSink::to(ui.clone());
    if !(out.quiet || out.json) {
        eprint!("{}", report::banner(&plan));
    }
    for t in &plan.targets {
        let text = format!("{}: folder {} ({})", t.target.triple, t.dir.display(), t.dir_source);
        ui.event(Event::Detail { level: 1, text: &text });
    }
    if args.dry_run {
        let planned = crate::pipeline::dryrun::dry_run(&plan);
        if out.json {
            return json::emit("install", crate::ui::plan::PlanDoc::new(&plan, &planned), None);
        }
        if !out.quiet {
            eprint!("{}", crate::ui::plan::dry_run_text(&plan, &planned));
        }
        return Ok(());
    }
    let triples: Vec<&str> = plan.targets.iter().map(|t| t.target.triple).collect();
    let end = super::RunEnd::new(&triples, install_all(&plan, &*ui));
    let results = &end.results;
    let ok: Vec<Outcome> = results.iter().filter_map(|r| r.as_ref().ok().cloned()).collect();
    let failed = results.iter().any(Result::is_err);
    // Pins describe a whole run: a partial one pins nothing.
    let pinned = match (plan.write_lock, failed) {
        (true, false) => Some(report::Pinned::new(write_pins(&plan, &ok)?, &ok)),
        _ => None,
    };
    if !out.quiet {
        print_text(&plan, results, &ok, pinned.as_ref(), out.json);
    }
    if out.json {
        json::emit("install", report::InstallDoc::new(&plan, results, pinned.as_ref()), end.error())?;
    }
    end.finish()
}

/// Human text on stderr. With --json only the warnings, so a person reading a
/// CI log still sees them; a single target's error is the run's error line.
fn print_text(
    plan: &InstallPlan,
    results: &[Result<Outcome>],
    ok: &[Outcome],
    pinned: Option<&report::Pinned>,
    json: bool,
) {
    if let Some(p) = pinned.filter(|_| !json) {
        for line in p.lines() {
            eprintln!("{line}");
        }
    }
    for (tp, r) in plan.targets.iter().zip(results) {
        match r {
            Ok(o) if json => {
                for note in o.notes.iter().filter(|n| n.starts_with("warning")) {
                    eprintln!("{}", crate::ui::style::line(note));
                }
            }
            Ok(o) => eprintln!("{}", report::outcome_line(o)),
            Err(e) if results.len() > 1 && !json => {
                eprintln!("{}", report::failure_line(tp.target.triple, e))
            }
            Err(_) => {}
        }
    }
    if !json && results.iter().all(Result::is_ok) {
        eprintln!("{}", report::next_step(ok));
    }
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
