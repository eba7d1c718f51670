//! `slim-setup verify`: re-hash installed libraries against their manifests.

use std::path::Path;

use crate::cli::VerifyArgs;
use crate::domain::version::Version;
use crate::error::{Error, Result};
use crate::host::env::Env;
use crate::host::facts::{Ask, HostFacts};
use crate::plan;
use crate::store::inventory;
use crate::ui::out::outln;

pub(crate) fn run(args: &VerifyArgs, env: &Env, cwd: &Path) -> Result<()> {
    let version = args.version.as_deref().map(Version::parse).transpose()?.map(|v| v.to_string());
    let facts = HostFacts::gather(&Ask::inventory(&args.location), env, cwd)?;
    let roots = plan::scope(&args.location, env, &facts)?.roots;
    let items: Vec<_> = inventory::scan(&roots)
        .into_iter()
        .filter(|i| version.as_ref().is_none_or(|v| *v == i.manifest.version))
        .collect();
    if items.is_empty() {
        let what = version.map(|v| format!("{v} is not")).unwrap_or_else(|| "nothing is".into());
        let where_ = roots.iter().map(|r| r.display().to_string()).collect::<Vec<_>>().join(", ");
        return Err(Error::Other(format!("{what} installed under {where_}")));
    }
    let mut bad = Vec::new();
    let mut report = Vec::new();
    for item in &items {
        let problem = inventory::verify(item);
        report.push(serde_json::json!({
            "version": item.manifest.version, "triple": item.manifest.triple,
            "path": item.lib, "ok": problem.is_none(), "problem": problem.as_ref().map(|d| d.to_string()),
        }));
        match problem {
            None => {
                if !args.json {
                    outln!(
                        "ok      {} {} {}",
                        item.manifest.version,
                        item.manifest.triple,
                        item.lib.display()
                    )?;
                }
            }
            Some(why) => {
                if !args.json {
                    outln!(
                        "DAMAGED {} {} {}: {why}",
                        item.manifest.version,
                        item.manifest.triple,
                        item.lib.display()
                    )?;
                }
                bad.push(format!("{} ({why})", item.lib.display()));
            }
        }
    }
    if args.json {
        outln!("{}", serde_json::to_string_pretty(&report).expect("serialises"))?;
    }
    if bad.is_empty() { Ok(()) } else { Err(Error::Damaged(bad)) }
}
