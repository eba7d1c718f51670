//! What an install prints: the banner before, one line per target after, the
//! next step, and the `--json` document. Human text goes to stderr so that
//! stdout carries only machine-readable output.

use indicatif::HumanBytes;

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
    let mut s = format!("  ok {} {what}: {} ({})", o.triple, o.path.display(), HumanBytes(o.bytes));
    match (&o.action, &o.verified_by) {
        (Action::AlreadyInstalled, _) => {}
        (_, Some(by)) => s += &format!("\n     sha256 {} verified against {by}", o.sha256),
        (_, None) => s += &format!("\n     sha256 {} (unverified)", o.sha256),
    }
    for a in &o.also_installed_as {
        s += &format!("\n     also as {} (cgo links the _gnu name on every linux build)", a.display());
    }
    for n in &o.notes {
        s += &format!("\n     {n}");
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

#[derive(serde::Serialize)]
struct JsonReport<'a> {
    version: String,
    version_source: String,
    targets: &'a [Outcome],
}

pub(crate) fn json(plan: &InstallPlan, outcomes: &[Outcome]) -> String {
    let doc = JsonReport {
        version: plan.version.to_string(),
        version_source: plan.version_source.to_string(),
        targets: outcomes,
    };
    serde_json::to_string_pretty(&doc).expect("report serialises")
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
