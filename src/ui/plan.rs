//! What `install --dry-run` prints: each target's plan as text, or the
//! body of its `--json` document.

use crate::pipeline::dryrun::Planned;
use crate::pipeline::install::Action;
use crate::plan::InstallPlan;
use crate::ui::json::TargetId;

/// `install --dry-run`: what each target would do, from where, where to,
/// and what would vouch for it.
pub(crate) fn dry_run_text(plan: &InstallPlan, planned: &[Planned]) -> String {
    let mut s = String::from("dry run: nothing is written, and nothing downloaded but checksums\n");
    for (tp, p) in plan.targets.iter().zip(planned) {
        let verb = match p.action {
            Action::AlreadyInstalled => "already installed, nothing to do",
            Action::Reinstalled => "would reinstall",
            Action::Installed => "would install",
        };
        s += &format!("  {}: {verb}\n", tp.target.triple);
        s += &format!("     into      {} ({})\n", tp.path().display(), tp.dir_source);
        for (i, url) in p.urls.iter().enumerate() {
            s += &format!("     {}  {url}\n", if i == 0 { "from    " } else { "then    " });
        }
        s += &format!("     checksum  {}\n", p.checksum);
    }
    s
}

/// The body of `install --dry-run --json`.
#[derive(serde::Serialize)]
pub(crate) struct PlanDoc<'a> {
    version: String,
    version_source: String,
    dry_run: bool,
    targets: Vec<PlannedDoc<'a>>,
}

#[derive(serde::Serialize)]
struct PlannedDoc<'a> {
    /// `status`: `would-install`, `would-reinstall` or `already-installed`.
    #[serde(flatten)]
    id: TargetId<'a>,
    urls: &'a [String],
    checksum_source: &'a str,
}

impl<'a> PlanDoc<'a> {
    pub(crate) fn new(plan: &'a InstallPlan, planned: &'a [Planned]) -> PlanDoc<'a> {
        let targets = plan
            .targets
            .iter()
            .zip(planned)
            .map(|(tp, p)| PlannedDoc {
                id: TargetId::of(
                    plan,
                    tp,
                    match p.action {
                        Action::AlreadyInstalled => "already-installed",
                        Action::Reinstalled => "would-reinstall",
                        Action::Installed => "would-install",
                    },
                ),
                urls: &p.urls,
                checksum_source: &p.checksum,
            })
            .collect();
        PlanDoc {
            version: plan.version.to_string(),
            version_source: plan.version_source.to_string(),
            dry_run: true,
            targets,
        }
    }
}
