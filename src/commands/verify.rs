//! `slim-setup verify`: re-hash installed libraries against their manifests.

use std::path::Path;

use crate::cli::VerifyArgs;
use crate::domain::version::Version;
use crate::error::{Error, Result};
use crate::host::env::Env;
use crate::host::facts::{Ask, HostFacts};
use crate::plan;
use crate::store::inventory;
use crate::ui::json;
use crate::ui::library::{Libraries, LibraryDoc};
use crate::ui::out::outln;
use crate::ui::style;

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
    let damage: Vec<_> = items.iter().map(inventory::verify).collect();
    let rows: Vec<LibraryDoc> =
        items.iter().zip(&damage).map(|(i, d)| LibraryDoc::new(i, d.as_ref())).collect();
    let bad: Vec<String> =
        rows.iter().filter_map(|r| Some(format!("{} ({})", r.path.display(), r.problem.as_ref()?))).collect();
    let failure = (!bad.is_empty()).then_some(Error::Damaged(bad));
    if args.json {
        json::emit("verify", Libraries { libraries: rows }, failure.as_ref())?;
    } else {
        for r in &rows {
            match &r.problem {
                None => outln!("{}      {} {} {}", style::out("ok"), r.version, r.triple, r.path.display())?,
                Some(why) => outln!(
                    "{} {} {} {}: {why}",
                    style::out("DAMAGED"),
                    r.version,
                    r.triple,
                    r.path.display()
                )?,
            }
        }
    }
    failure.map_or(Ok(()), Err)
}
