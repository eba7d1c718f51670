//! `slim-setup mirror`: fetch and verify release archives into a folder with the
//! release layout plus SHA256SUMS, so a static web server, a bucket or a Docker
//! build context can serve it to a fleet as `--base-url`.

use std::io::Write;
use std::path::Path;

use indicatif::HumanBytes;

use crate::cli::MirrorArgs;
use crate::config;
use crate::domain::mirror::BaseList;
use crate::domain::platform::{TARGETS, Target};
use crate::domain::sums::{self, Sha256};
use crate::domain::zipfmt;
use crate::error::{Error, Result};
use crate::extract::hashed::HashedReader;
use crate::extract::zipstream::unwrap_io;
use crate::host::env::Env;
use crate::net::sources::{Finder, LazyHttp, Lookups};
use crate::ui::progress;

pub fn run(args: &MirrorArgs, env: &Env, cwd: &Path) -> Result<()> {
    let go = crate::host::gocmd::GoRunner::new(cwd, None, args.source.offline, env);
    let resolved = config::resolve_version(args.version.as_deref(), env, cwd, Some(&go))?;
    let layout = crate::domain::layout::layout_for(&resolved.version)?;
    let BaseList::Chain(bases) = config::bases(&args.source, &layout)? else {
        return Err(Error::Offline(format!("mirror of {}", resolved.version)));
    };
    let targets: Vec<&'static Target> = if args.targets.is_empty() {
        TARGETS.iter().collect()
    } else {
        args.targets.iter().map(|t| Target::from_triple(t)).collect::<std::result::Result<_, _>>()?
    };
    let dir = args.out.join(&layout.tag);
    std::fs::create_dir_all(&dir).map_err(|e| Error::io("create", &dir, e))?;
    let http = LazyHttp::new(config::http_options(args.source.timeout, env));
    let lookups = Lookups::default();
    let api = args.source.github_api_url.clone().unwrap_or_else(|| config::DEFAULT_API.into());
    let finder = Finder { http: &http, api: &api, token: env.github_token(), lookups: &lookups };
    let ui = progress::reporter(args.output.quiet || args.output.json, args.output.no_progress);
    let mut entries: Vec<(String, Sha256)> = Vec::new();
    for t in &targets {
        let asset = t.asset_name();
        let located = finder.locate(&bases, &layout.tag, &asset)?;
        let meter = ui.meter(t.triple, located.size);
        let mut tmp = tempfile::Builder::new()
            .prefix(&format!(".{asset}."))
            .suffix(".tmp")
            .tempfile_in(&dir)
            .map_err(|e| Error::io("create a temporary file in", &dir, e))?;
        let guard = crate::interrupt::track(tmp.path());
        let mut reader = HashedReader::spawn(located.reader, meter.clone());
        std::io::copy(&mut reader, tmp.as_file_mut()).map_err(|e| copy_error(e, tmp.path()))?;
        let (digest, bytes) = reader.finish().map_err(unwrap_io)?;
        meter.finish();
        match &located.published {
            Some(p) if p.digest != digest => {
                return Err(Error::ChecksumMismatch {
                    asset,
                    expected: p.digest,
                    actual: digest,
                    from: p.from.clone(),
                });
            }
            None if args.require_checksum => {
                return Err(Error::ChecksumRequired { asset, why: located.notes.first().cloned() });
            }
            None => ui.line(&format!(
                "  warning: nothing published vouches for {asset}; recording sha256 {digest}"
            )),
            Some(_) => {}
        }
        check_zip(tmp.path(), t, &asset)?;
        tmp.as_file().sync_all().map_err(|e| Error::io("sync", tmp.path(), e))?;
        crate::store::fsutil::set_readable(tmp.as_file()).map_err(|e| Error::io("write", tmp.path(), e))?;
        let dest = dir.join(&asset);
        tmp.persist(&dest).map_err(|e| Error::io("write", &dest, e.error))?;
        drop(guard);
        ui.line(&format!("  ok {asset} ({}) sha256 {digest}", HumanBytes(bytes)));
        entries.push((asset, digest));
    }
    write_sums(&dir, &entries)?;
    if args.output.json {
        let list: Vec<_> =
            entries.iter().map(|(n, d)| serde_json::json!({"asset": n, "sha256": d})).collect();
        println!(
            "{}",
            serde_json::json!({"version": resolved.version.to_string(), "dir": dir, "assets": list})
        );
    } else if !args.output.quiet {
        eprintln!("mirror ready: serve {} and pass --base-url <its URL>", args.out.display());
    }
    Ok(())
}

fn copy_error(e: std::io::Error, path: &Path) -> Error {
    if e.get_ref().is_some() { unwrap_io(e) } else { Error::io("write", path, e) }
}

/// The archive must be a zip that holds the target's static library.
fn check_zip(path: &Path, t: &Target, asset: &str) -> Result<()> {
    let file = std::fs::File::open(path).map_err(|e| Error::io("read", path, e))?;
    let zip = zip::ZipArchive::new(file).map_err(|e| Error::Archive {
        asset: asset.into(),
        reason: format!("it is not a readable zip ({e})"),
    })?;
    let names: Vec<String> =
        zip.file_names().map(|n| n.map(|n| n.into_owned()).unwrap_or_default()).collect();
    let aliases = crate::domain::platform::lib_file_aliases(t.triple);
    if zipfmt::pick_entry(&names, &t.lib_file(), &aliases).is_none() {
        return Err(Error::MissingLibrary { asset: asset.into(), lib: t.lib_file(), names });
    }
    Ok(())
}

/// Merge into an existing SHA256SUMS so mirroring targets one by one accumulates.
fn write_sums(dir: &Path, entries: &[(String, Sha256)]) -> Result<()> {
    let path = dir.join("SHA256SUMS");
    let mut all: Vec<(String, Sha256)> =
        std::fs::read_to_string(&path).map(|t| sums::parse_sums(&t)).unwrap_or_default();
    all.retain(|(n, _)| !entries.iter().any(|(m, _)| m == n));
    all.extend(entries.iter().cloned());
    let mut tmp = tempfile::Builder::new()
        .prefix(".SHA256SUMS.")
        .tempfile_in(dir)
        .map_err(|e| Error::io("write", &path, e))?;
    tmp.write_all(sums::render_sums(&all).as_bytes()).map_err(|e| Error::io("write", &path, e))?;
    crate::store::fsutil::set_readable(tmp.as_file()).map_err(|e| Error::io("write", &path, e))?;
    tmp.persist(&path).map_err(|e| Error::io("write", &path, e.error))?;
    Ok(())
}
