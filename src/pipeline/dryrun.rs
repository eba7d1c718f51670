//! `install --dry-run`: what each target would do, decided as the install
//! decides (already installed? pinned?), with only metadata asked for: the
//! checksum a source publishes, never the archive.

use super::install::{Action, already, pinned};
use crate::domain::mirror::{BaseList, redact};
use crate::net::sources::{Finder, LazyHttp, Lookups};
use crate::plan::InstallPlan;

/// What an install of one target would do.
pub(crate) struct Planned {
    pub(crate) action: Action,
    /// Where the archive would be asked for, in order.
    pub(crate) urls: Vec<String>,
    /// What would vouch for it, or why nothing would.
    pub(crate) checksum: String,
}

pub(crate) fn dry_run(plan: &InstallPlan) -> Vec<Planned> {
    let http = LazyHttp::new(plan.http.clone());
    let lookups = Lookups::default();
    let token = plan.token.as_ref().map(|t| t.expose());
    let finder = Finder { http: &http, api_override: plan.api.as_deref(), token, lookups: &lookups };
    plan.targets
        .iter()
        .map(|tp| {
            let pin = pinned(plan, tp);
            let asset = tp.target.asset_name();
            let action = if !plan.force && already(plan, tp, pin.as_ref()).is_some() {
                Action::AlreadyInstalled
            } else if tp.path().exists() {
                Action::Reinstalled
            } else {
                Action::Installed
            };
            let urls = match (&plan.from_file, &plan.bases) {
                (Some(f), _) => vec![f.display().to_string()],
                (None, BaseList::Off) => Vec::new(),
                (None, BaseList::Chain(bases)) => {
                    bases.iter().map(|b| redact(&b.locate(&plan.layout.tag, &asset))).collect()
                }
            };
            let checksum = match (&pin, &plan.bases, action) {
                (Some(p), _, _) => format!("pinned by {}", p.from),
                (None, _, Action::AlreadyInstalled) => "as installed (not looked up)".into(),
                (None, BaseList::Off, _) => "not looked up (offline)".into(),
                (None, BaseList::Chain(bases), _) if plan.from_file.is_none() => {
                    match finder.checksum(bases, &plan.layout.tag, &asset) {
                        Ok(c) => c.why_none(),
                        Err(e) => format!("cannot be looked up: {}", e.message()),
                    }
                }
                (None, _, _) => "none (a local file publishes no checksum; pass --sha256)".into(),
            };
            Planned { action, urls, checksum }
        })
        .collect()
}
