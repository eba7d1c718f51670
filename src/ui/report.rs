//! What an install prints: the banner before, one line per target after, the
//! next step, and the `--json` document. Human text goes to stderr so that
//! stdout carries only machine-readable output.

use indicatif::HumanBytes;

use super::style;

use crate::pipeline::install::{Action, Outcome};
use crate::plan::InstallPlan;

pub(crate) fn banner(plan: &InstallPlan) -> String {
    let mut s = format!("slim-setup {} - SLIM Go bindings library installer\n", env!("CARGO_PKG_VERSION"));
    s += &format!("  version   {} (from {})\n", plan.version, plan.version_source);
    s += &format!("  platform  {}\n", plan.platform);
    for t in &plan.targets {
        s += &format!("  target    {} -> {}\n", t.target.triple, t.path().display());
        s += &format!("            (folder from {})\n", t.dir_source);
    }
    let source = match (&plan.from_file, &plan.bases) {
        (Some(f), _) => f.display().to_string(),
        (None, crate::domain::mirror::BaseList::Off) => "none (offline)".into(),
        (None, crate::domain::mirror::BaseList::Chain(c)) => {
            c.iter().map(|b| b.display()).collect::<Vec<_>>().join(", then ")
        }
    };
    s += &format!("  source    {source} [{}]\n", plan.layout.tag);
    if let Some(w) = plan.layout.warning {
        s += &format!("  warning   {w}\n");
    }
    s
}

pub(crate) fn outcome_line(o: &Outcome) -> String {
    let what = match o.action {
        Action::AlreadyInstalled => "already installed",
        Action::Installed => "installed",
        Action::Reinstalled => "reinstalled",
    };
    let mut s =
        format!("  {} {} {what}: {} ({})", style::err("ok"), o.triple, o.path.display(), HumanBytes(o.bytes));
    match (&o.action, &o.verified_by) {
        (Action::AlreadyInstalled, _) => {}
        (_, Some(by)) => s += &format!("\n     sha256 {} verified against {by}", o.sha256),
        (_, None) => s += &format!("\n     sha256 {} (unverified)", o.sha256),
    }
    for a in &o.also_installed_as {
        s += &format!("\n     also as {} (cgo links the _gnu name on every linux build)", a.display());
    }
    for n in &o.notes {
        s += &format!("\n     {}", style::line(n));
    }
    s
}

/// The `cc` front's one line, for a library it installed; `None` when it
/// was already there (the front then says nothing).
pub(crate) fn front_line(o: &Outcome) -> Option<String> {
    let what = match o.action {
        Action::AlreadyInstalled => return None,
        Action::Installed => "installed",
        Action::Reinstalled => "reinstalled",
    };
    let file = o.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let check = match &o.verified_by {
        Some(_) => "sha256 verified".to_string(),
        None => format!("unverified: no checksum is published; sha256 {}", o.sha256),
    };
    Some(format!("slim-setup: {what} {file} {} ({}, {check})", o.version, size(o.bytes)))
}

/// Binary units with one decimal: `149.8 MiB`.
fn size(bytes: u64) -> String {
    let mut value = bytes as f64;
    for unit in ["B", "KiB", "MiB", "GiB"] {
        if value < 1024.0 || unit == "GiB" {
            return if unit == "B" { format!("{bytes} B") } else { format!("{value:.1} {unit}") };
        }
        value /= 1024.0;
    }
    unreachable!("the loop returns at GiB")
}

pub(crate) fn next_step(outcomes: &[Outcome]) -> String {
    let cross = outcomes.iter().any(|o| {
        o.goos != crate::host::detect::host_goos() || o.goarch != crate::host::detect::host_goarch()
    });
    if cross {
        "next: CGO_ENABLED=1 GOOS=<os> GOARCH=<arch> CC=<cross C compiler> go build".into()
    } else {
        "next: go build   (cgo links the library statically; the binary needs nothing else at run time)"
            .into()
    }
}

/// What `--lock` wrote into slim-bindings.sum.
#[derive(Debug, serde::Serialize)]
pub(crate) struct Pinned {
    pub(crate) path: std::path::PathBuf,
    pub(crate) pins: Vec<Pin>,
}

#[derive(Debug, serde::Serialize)]
pub(crate) struct Pin {
    pub(crate) triple: String,
    pub(crate) archive_sha256: crate::domain::sums::Sha256,
    /// What vouched for the digest, or `None`: trust on first use.
    pub(crate) verified_by: Option<String>,
    /// `verified`, or `trust-on-first-use` when nothing published vouched
    /// for the digest pinned.
    pub(crate) trust: &'static str,
}

impl Pinned {
    pub(crate) fn new(path: std::path::PathBuf, outcomes: &[Outcome]) -> Pinned {
        let pins = outcomes
            .iter()
            .map(|o| Pin {
                triple: o.triple.clone(),
                archive_sha256: o.sha256,
                verified_by: o.verified_by.clone(),
                trust: if o.verified_by.is_some() { "verified" } else { "trust-on-first-use" },
            })
            .collect();
        Pinned { path, pins }
    }

    /// One line per pin, so a digest nothing vouched for is never just "pinned".
    pub(crate) fn lines(&self) -> Vec<String> {
        self.pins
            .iter()
            .map(|p| match &p.verified_by {
                Some(by) => format!("  pinned {} sha256 {} (verified by {by}) in {}", p.triple, p.archive_sha256, self.path.display()),
                None => format!(
                    "  trust on first use: pinned an unverified digest for {} (sha256 {}) in {}; nothing published vouched for it",
                    p.triple,
                    p.archive_sha256,
                    self.path.display()
                ),
            })
            .collect()
    }
}

/// The body of install's `--json` document (`ui::json` adds the envelope).
#[derive(serde::Serialize)]
pub(crate) struct InstallDoc<'a> {
    version: String,
    version_source: String,
    targets: Vec<TargetDoc<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    lock: Option<&'a Pinned>,
}

/// One target, installed or not: the fields a failure cannot know are null.
#[derive(serde::Serialize)]
struct TargetDoc<'a> {
    /// `status`: `installed`, `reinstalled`, `already-installed` or `failed`.
    #[serde(flatten)]
    id: crate::ui::json::TargetId<'a>,
    also_installed_as: Vec<&'a std::path::Path>,
    url: Option<&'a str>,
    archive_sha256: Option<crate::domain::sums::Sha256>,
    library_sha256: Option<crate::domain::sums::Sha256>,
    verified_by: Option<&'a str>,
    bytes: Option<u64>,
    downloaded_bytes: Option<u64>,
    route: Option<crate::extract::zipstream::Route>,
    notes: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<crate::ui::json::ErrorDoc>,
}

pub(crate) fn status_word(a: Action) -> &'static str {
    match a {
        Action::Installed => "installed",
        Action::Reinstalled => "reinstalled",
        Action::AlreadyInstalled => "already-installed",
    }
}

impl<'a> InstallDoc<'a> {
    pub(crate) fn new(
        plan: &'a InstallPlan,
        results: &'a [crate::error::Result<Outcome>],
        lock: Option<&'a Pinned>,
    ) -> InstallDoc<'a> {
        let targets = plan
            .targets
            .iter()
            .zip(results)
            .map(|(tp, r)| {
                let base = TargetDoc {
                    id: crate::ui::json::TargetId::of(plan, tp, "failed"),
                    also_installed_as: Vec::new(),
                    url: None,
                    archive_sha256: None,
                    library_sha256: None,
                    verified_by: None,
                    bytes: None,
                    downloaded_bytes: None,
                    route: None,
                    notes: &[],
                    error: None,
                };
                match r {
                    Ok(o) => TargetDoc {
                        id: base.id.outcome(status_word(o.action), o.path.clone(), o.dir_source.clone()),
                        also_installed_as: o.also_installed_as.iter().map(|p| p.as_path()).collect(),
                        url: Some(&o.url),
                        archive_sha256: Some(o.sha256),
                        library_sha256: Some(o.library_sha256),
                        verified_by: o.verified_by.as_deref(),
                        bytes: Some(o.bytes),
                        downloaded_bytes: Some(o.downloaded_bytes),
                        route: o.route,
                        notes: &o.notes,
                        ..base
                    },
                    Err(e) => TargetDoc { error: Some(crate::ui::json::ErrorDoc::of(e)), ..base },
                }
            })
            .collect();
        InstallDoc {
            version: plan.version.to_string(),
            version_source: plan.version_source.to_string(),
            targets,
            lock,
        }
    }
}

/// A target that failed, for the text report: the error and its hint.
pub(crate) fn failure_line(triple: &str, e: &crate::error::Error) -> String {
    let mut s = format!("  {} {triple}: {}", style::err("failed"), e.message());
    if let Some(hint) = e.hint() {
        s += &format!("\n     {}: {hint}", style::err("hint"));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_in_binary_units() {
        let table = [
            (0, "0 B"),
            (1023, "1023 B"),
            (40 * 1024, "40.0 KiB"),
            (157_076_275, "149.8 MiB"),
            (3 << 30, "3.0 GiB"),
        ];
        for (bytes, want) in table {
            assert_eq!(size(bytes), want);
        }
    }
}
