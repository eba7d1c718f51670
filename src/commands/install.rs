//! `slim-setup install`: plan, then install each target (in parallel up to
//! --jobs), then report.

use std::path::Path;
use std::sync::Mutex;

use crate::cli::InstallArgs;
use crate::config;
use crate::error::{Error, Result};
use crate::host::env::Env;
use crate::net::sources::{Finder, LazyHttp, Lookups};
use crate::plan::InstallPlan;
use crate::store::install::{Outcome, install};
use crate::ui::{progress, report};

pub fn run(args: &InstallArgs, env: &Env, cwd: &Path) -> Result<()> {
    let plan = config::install_plan(args, env, cwd)?;
    let out = &args.output;
    let ui = progress::reporter(out.quiet || out.json, out.no_progress);
    if !(out.quiet || out.json) {
        eprint!("{}", report::banner(&plan));
    }
    let outcomes = install_all(&plan, &*ui)?;
    if plan.write_lock {
        let path = write_pins(&plan, &outcomes)?;
        if !(out.quiet || out.json) {
            eprintln!("  pinned {} digest(s) in {}", outcomes.len(), path.display());
        }
    }
    if out.json {
        // Warnings still reach a human reading the CI log, not only the JSON.
        if !out.quiet {
            for note in outcomes.iter().flat_map(|o| &o.notes).filter(|n| n.starts_with("warning")) {
                eprintln!("{note}");
            }
        }
        println!("{}", report::json(&plan, &outcomes));
    } else if !out.quiet {
        for o in &outcomes {
            eprintln!("{}", report::outcome_line(o));
        }
        eprintln!("{}", report::next_step(&outcomes));
    }
    Ok(())
}

/// Add this run's digests to slim-bindings.sum (atomically) and return its path.
fn write_pins(plan: &InstallPlan, outcomes: &[Outcome]) -> Result<std::path::PathBuf> {
    let pins = plan.pins.as_ref().ok_or_else(|| Error::Usage("--lock needs a go.mod".into()))?;
    let mut file = pins.file.clone();
    for o in outcomes {
        file.entries.insert((o.version.clone(), o.triple.clone()), o.sha256);
    }
    let dir = pins.path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".slim-bindings.sum.")
        .tempfile_in(dir)
        .map_err(|e| Error::io("write", &pins.path, e))?;
    std::io::Write::write_all(&mut tmp, file.render().as_bytes())
        .map_err(|e| Error::io("write", &pins.path, e))?;
    crate::store::fsutil::set_readable(tmp.as_file()).map_err(|e| Error::io("write", &pins.path, e))?;
    tmp.persist(&pins.path).map_err(|e| Error::io("write", &pins.path, e.error))?;
    Ok(pins.path.clone())
}

/// Install every target of the plan; the first error (in target order) wins,
/// after the others finished, so no download is abandoned half-way.
pub fn install_all(plan: &InstallPlan, ui: &dyn progress::Reporter) -> Result<Vec<Outcome>> {
    let http = LazyHttp::new(plan.http.clone());
    let lookups = Lookups::default();
    let finder = Finder { http: &http, api: &plan.api, token: plan.token.as_deref(), lookups: &lookups };
    let results: Vec<Mutex<Option<Result<Outcome>>>> =
        plan.targets.iter().map(|_| Mutex::new(None)).collect();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let workers = plan.jobs.clamp(1, plan.targets.len().max(1));
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    let Some(tp) = plan.targets.get(i) else { break };
                    let r = install(plan, tp, &finder, ui);
                    *results[i].lock().unwrap_or_else(|p| p.into_inner()) = Some(r);
                }
            });
        }
    });
    let mut outcomes = Vec::new();
    let mut first_err: Option<Error> = None;
    for r in results {
        match r.into_inner().unwrap_or_else(|p| p.into_inner()) {
            Some(Ok(o)) => outcomes.push(o),
            Some(Err(e)) => {
                first_err.get_or_insert(e);
            }
            None => {}
        }
    }
    match first_err {
        Some(e) => Err(e),
        None => Ok(outcomes),
    }
}
