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
use crate::pipeline::mirror::{Mirrored, Status, mirror};
use crate::pipeline::verify::Policy;
use crate::plan;
use crate::ui::json;
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
    let ui = progress::reporter(super::display(&args.output));
    let mut opts = plan::http_options(&args.source, env, &facts);
    opts.events = crate::progress::EventSink::to(ui.clone());
    let http = LazyHttp::new(opts);
    let lookups = Lookups::default();
    let api = args.source.github_api_url.clone();
    let finder =
        Finder { http: &http, api_override: api.as_deref(), token: env.github_token(), lookups: &lookups };
    let origin = Origin { finder: &finder, bases: &bases, from_file: None, tag: &layout.tag };
    let policy = Policy { require_checksum: args.require_checksum };
    let triples: Vec<&str> = targets.iter().map(|t| t.triple).collect();
    let end = super::RunEnd::new(&triples, mirror(&origin, &targets, &dir, policy, &*ui)?);
    let results = &end.results;
    if args.output.json {
        let error = end.error();
        let doc = MirrorDoc {
            version: version.to_string(),
            dir: &dir,
            archives: targets.iter().zip(results).map(|(t, r)| ArchiveDoc::new(t, &dir, r)).collect(),
        };
        json::emit("mirror", doc, error)?;
    } else if !args.output.quiet {
        for (t, r) in targets.iter().zip(results) {
            match r {
                Ok(m) if m.status == Status::AlreadyMirrored => {
                    eprintln!(
                        "  ok {} already mirrored ({}) sha256 {}",
                        m.asset,
                        HumanBytes(m.bytes),
                        m.sha256
                    )
                }
                Ok(m) => eprintln!("  {} {} ({}) sha256 {}", ok(), m.asset, HumanBytes(m.bytes), m.sha256),
                Err(e) if results.len() > 1 => eprintln!("{}", crate::ui::report::failure_line(t.triple, e)),
                Err(_) => {}
            }
        }
        if results.iter().any(Result::is_ok) {
            eprintln!(
                "mirror ready: the folder works directly as --base-url {} (or serve it over https and pass its URL)",
                args.out.display()
            );
        }
    }
    end.finish()
}

fn ok() -> String {
    crate::ui::style::err("ok")
}

#[derive(serde::Serialize)]
struct MirrorDoc<'a> {
    version: String,
    dir: &'a Path,
    archives: Vec<ArchiveDoc>,
}

#[derive(serde::Serialize)]
struct ArchiveDoc {
    triple: &'static str,
    asset: String,
    /// `mirrored`, `already-mirrored` or `failed`.
    status: &'static str,
    path: std::path::PathBuf,
    archive_sha256: Option<crate::domain::sums::Sha256>,
    verified_by: Option<String>,
    bytes: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<json::ErrorDoc>,
}

impl ArchiveDoc {
    fn new(t: &'static Target, dir: &Path, r: &Result<Mirrored>) -> ArchiveDoc {
        let asset = t.asset_name();
        let path = dir.join(&asset);
        match r {
            Ok(m) => ArchiveDoc {
                triple: t.triple,
                status: if m.status == Status::AlreadyMirrored { "already-mirrored" } else { "mirrored" },
                path,
                archive_sha256: Some(m.sha256),
                verified_by: m.verified_by.clone(),
                bytes: Some(m.bytes),
                error: None,
                asset,
            },
            Err(e) => ArchiveDoc {
                triple: t.triple,
                status: "failed",
                path,
                archive_sha256: None,
                verified_by: None,
                bytes: None,
                error: Some(json::ErrorDoc::of(e)),
                asset,
            },
        }
    }
}
