//! `slim-setup list`: installed libraries, from their manifests.

use std::path::Path;

use indicatif::HumanBytes;

use crate::cli::ListArgs;
use crate::error::Result;
use crate::host::env::Env;
use crate::host::facts::{Ask, HostFacts};
use crate::plan;
use crate::store::inventory;
use crate::ui::json;
use crate::ui::library::{Libraries, LibraryDoc, time_text};
use crate::ui::out::outln;

pub(crate) fn run(args: &ListArgs, env: &Env, cwd: &Path) -> Result<()> {
    let facts = HostFacts::gather(&Ask::inventory(&args.location), env, cwd)?;
    let roots = plan::scope(&args.location, env, &facts)?.roots;
    let items = inventory::scan(&roots);
    let rows: Vec<LibraryDoc> = items.iter().map(|i| LibraryDoc::new(i, i.damage.as_ref())).collect();
    if args.json {
        return json::emit("list", Libraries { libraries: rows }, None);
    }
    if rows.is_empty() {
        let where_ = roots.iter().map(|r| r.display().to_string()).collect::<Vec<_>>().join(", ");
        eprintln!("nothing installed under {where_}");
        return Ok(());
    }
    for r in &rows {
        outln!("{} {} {} ({})", r.version, r.triple, r.path.display(), HumanBytes(r.bytes))?;
        let status = r.problem.clone().unwrap_or_else(|| r.health.into());
        outln!(
            "    sha256 {}  installed {}  status {status}",
            r.library_sha256.hex(),
            time_text(r.installed_at)
        )?;
        outln!("    from {}", r.url)?;
    }
    Ok(())
}
