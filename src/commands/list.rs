//! `slim-setup list`: installed libraries, from their manifests.

use std::path::Path;

use indicatif::HumanBytes;

use crate::cli::ListArgs;
use crate::error::Result;
use crate::host::env::Env;
use crate::host::facts::{Ask, HostFacts};
use crate::plan;
use crate::store::inventory;
use crate::ui::out::outln;

#[derive(serde::Serialize)]
struct Row<'a> {
    version: &'a str,
    triple: &'a str,
    path: &'a Path,
    bytes: u64,
    sha256: String,
    source: &'a str,
    verified_by: Option<&'a str>,
    installed_at: u64,
    status: String,
}

pub(crate) fn run(args: &ListArgs, env: &Env, cwd: &Path) -> Result<()> {
    let facts = HostFacts::gather(&Ask::inventory(&args.location), env, cwd)?;
    let roots = plan::scope(&args.location, env, &facts)?.roots;
    let items = inventory::scan(&roots);
    let rows: Vec<Row> = items
        .iter()
        .map(|i| Row {
            version: &i.manifest.version,
            triple: &i.manifest.triple,
            path: &i.lib,
            bytes: i.manifest.size,
            sha256: i.manifest.lib_sha256.hex(),
            source: &i.manifest.url,
            verified_by: i.manifest.verified_by.as_deref(),
            installed_at: i.manifest.installed_at,
            status: i.damage.as_ref().map_or_else(|| "ok".into(), |d| d.to_string()),
        })
        .collect();
    if args.json {
        outln!("{}", serde_json::to_string_pretty(&rows).expect("serialises"))?;
        return Ok(());
    }
    if rows.is_empty() {
        let where_ = roots.iter().map(|r| r.display().to_string()).collect::<Vec<_>>().join(", ");
        eprintln!("nothing installed under {where_}");
        return Ok(());
    }
    for r in &rows {
        outln!("{} {} {} ({})", r.version, r.triple, r.path.display(), HumanBytes(r.bytes))?;
        outln!("    sha256 {}  installed {}  status {}", r.sha256, time_text(r.installed_at), r.status)?;
        outln!("    from {}", r.source)?;
    }
    Ok(())
}

/// RFC 3339 time of an install, e.g. `2026-11-28T12:00:00Z`.
pub(crate) fn time_text(secs: u64) -> String {
    humantime::format_rfc3339_seconds(std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs))
        .to_string()
}
