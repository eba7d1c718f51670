//! `slim-setup mirror`: fetch and verify release archives into a folder with
//! the release layout plus SHA256SUMS (`pipeline::mirror`), so a static web
//! server, a bucket or a Docker build context can serve it as `--base-url`.

use std::path::Path;

use indicatif::HumanBytes;

use crate::cli::{LocationArgs, MirrorArgs};
use crate::domain::mirror::BaseList;
use crate::domain::platform::{TARGETS, Target};
use crate::error::{Error, Result};
use crate::host::env::Env;
use crate::host::facts::{Ask, HostFacts};
use crate::net::sources::{Finder, LazyHttp, Lookups};
use crate::pipeline::fetch::Origin;
use crate::pipeline::mirror::mirror;
use crate::pipeline::verify::Policy;
use crate::plan;
use crate::ui::out::outln;
use crate::ui::progress;

pub(crate) fn run(args: &MirrorArgs, env: &Env, cwd: &Path) -> Result<()> {
    let location = LocationArgs::default();
    let ask = Ask::version_only(args.version.as_deref(), &location, args.source.offline);
    let facts = HostFacts::gather(&ask, env, cwd)?;
    let (version, _) = plan::version(args.version.as_deref(), env, &facts)?;
    let layout = crate::domain::layout::layout_for(&version)?;
    let bases = plan::bases(&args.source, &layout)?;
    if bases == BaseList::Off {
        return Err(Error::Offline(format!("mirror of {version}")));
    }
    let targets: Vec<&'static Target> = if args.targets.is_empty() {
        TARGETS.iter().collect()
    } else {
        args.targets.iter().map(|t| Target::from_triple(t)).collect::<std::result::Result<_, _>>()?
    };
    let dir = args.out.join(&layout.tag);
    std::fs::create_dir_all(&dir).map_err(|e| Error::io("create", &dir, e))?;
    let http = LazyHttp::new(plan::http_options(&args.source, env, &facts));
    let lookups = Lookups::default();
    let api = args.source.github_api_url.clone();
    let finder =
        Finder { http: &http, api_override: api.as_deref(), token: env.github_token(), lookups: &lookups };
    let origin = Origin { finder: &finder, bases: &bases, from_file: None, tag: &layout.tag };
    let ui = progress::reporter(args.output.quiet || args.output.json, args.output.no_progress);
    let policy = Policy { require_checksum: args.require_checksum };
    let done = mirror(&origin, &targets, &dir, policy, &*ui)?;
    for m in &done {
        ui.line(&format!("  ok {} ({}) sha256 {}", m.asset, HumanBytes(m.bytes), m.sha256));
    }
    if args.output.json {
        let list: Vec<_> =
            done.iter().map(|m| serde_json::json!({"asset": m.asset, "sha256": m.sha256})).collect();
        outln!("{}", serde_json::json!({"version": version.to_string(), "dir": dir, "assets": list}))?;
    } else if !args.output.quiet {
        eprintln!("mirror ready: serve {} and pass --base-url <its URL>", args.out.display());
    }
    Ok(())
}
