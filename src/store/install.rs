//! Installing one target: skip if intact, lock, stream the archive through the
//! pipeline into a temp file beside the destination, verify the digest, then
//! rename into place and record a manifest. Until the rename, the previous
//! library (if any) is untouched; after it, the new one is complete and synced.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use tempfile::NamedTempFile;

use super::fsutil::{is_symlink, set_readable, sync_dir};
use super::lock::Lock;
use super::manifest::{self, Manifest};
use crate::domain::mirror::BaseList;
use crate::domain::platform::{Libc, lib_file_aliases};
use crate::domain::sums::Sha256;
use crate::error::{Error, Result};
use crate::extract::hashed::HashedReader;
use crate::extract::sink::LibWriter;
use crate::extract::zipstream::{self, Route, Wanted};
use crate::net::sources::{Finder, Located, Published};
use crate::plan::{InstallPlan, TargetPlan};
use crate::ui::progress::Reporter;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    Installed,
    Reinstalled,
    AlreadyInstalled,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Outcome {
    pub version: String,
    pub triple: String,
    pub goos: String,
    pub goarch: String,
    pub libc: Option<Libc>,
    pub action: Action,
    pub path: PathBuf,
    /// How the folder was decided (the directive, the layout, --cache-dir).
    pub dir_source: String,
    pub also_installed_as: Vec<PathBuf>,
    pub url: String,
    pub sha256: Sha256,
    pub verified_by: Option<String>,
    pub library_sha256: Sha256,
    pub bytes: u64,
    pub downloaded_bytes: u64,
    pub route: Option<Route>,
    /// Warnings and remarks (unverified archive, API unavailable, renamed entry).
    pub notes: Vec<String>,
}

const RESTARTS: u32 = 3;

pub fn install(plan: &InstallPlan, tp: &TargetPlan, finder: &Finder, ui: &dyn Reporter) -> Result<Outcome> {
    let final_path = tp.path();
    let version = plan.version.to_string();
    if !plan.force
        && let Some(o) = already(plan, tp, &final_path)
    {
        return Ok(o);
    }
    if plan.from_file.is_none() && plan.bases == BaseList::Off {
        return Err(Error::Offline(format!("{} {}", tp.target.triple, version)));
    }
    std::fs::create_dir_all(&tp.dir).map_err(|e| Error::io("create the library folder", &tp.dir, e))?;
    let _lock = Lock::acquire(&tp.dir, &tp.file, &|p| {
        ui.line(&format!(
            "  waiting for another slim-setup installing into {} (lock {})",
            tp.dir.display(),
            p.display()
        ))
    })?;
    // Whoever held the lock may have just installed it.
    if !plan.force
        && let Some(o) = already(plan, tp, &final_path)
    {
        return Ok(o);
    }
    for path in std::iter::once(&tp.file).chain(&tp.extra_names).map(|n| tp.dir.join(n)) {
        if is_symlink(&path) {
            return Err(Error::Symlink(path));
        }
    }
    let previous = final_path.exists();
    let mut restarts = 0;
    let piped = loop {
        let located = locate(plan, tp, finder)?;
        match run_pipeline(plan, tp, located, ui) {
            Err(Error::Restart) if restarts < RESTARTS => restarts += 1,
            Err(e) => return Err(e),
            Ok(done) => break done,
        }
    };
    let expected = expected_digest(plan, tp).or_else(|| piped.located.published.clone());
    match &expected {
        Some(p) if p.digest != piped.zip_sha => {
            return Err(Error::ChecksumMismatch {
                asset: tp.target.asset_name(),
                expected: p.digest,
                actual: piped.zip_sha,
                from: p.from.clone(),
            });
        }
        None if plan.require_checksum => {
            let why = piped.located.notes.first().cloned();
            return Err(Error::ChecksumRequired { asset: tp.target.asset_name(), why });
        }
        _ => {}
    }
    let mut notes = piped.located.notes.clone();
    if expected.is_none() {
        notes.push(format!(
            "warning: no checksum is published for {}; installed unverified, sha256 {} recorded",
            tp.target.asset_name(),
            piped.zip_sha
        ));
    }
    if piped.entry != tp.file && tp.target.lib_file() != piped.entry {
        notes.push(format!("the archive names the library '{}'; installed as {}", piped.entry, tp.file));
    }
    piped.temp.persist(&final_path).map_err(|e| Error::io("move the library into", &final_path, e.error))?;
    drop(piped.guard);
    let mut also = Vec::new();
    for name in &tp.extra_names {
        let alias = tp.dir.join(name);
        link_or_copy(&final_path, &alias)?;
        also.push(alias);
    }
    sync_dir(&tp.dir).map_err(|e| Error::io("sync", &tp.dir, e))?;
    let verified_by = expected.map(|p| p.from);
    for path in std::iter::once(&final_path).chain(&also) {
        let meta = std::fs::symlink_metadata(path).map_err(|e| Error::io("read", path, e))?;
        let m = Manifest {
            tool: concat!("slim-setup ", env!("CARGO_PKG_VERSION")).into(),
            version: version.clone(),
            triple: tp.target.triple.into(),
            library: path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
            url: piped.located.url.clone(),
            zip_sha256: piped.zip_sha,
            verified_by: verified_by.clone(),
            lib_sha256: piped.lib_sha,
            size: meta.len(),
            mtime_ns: manifest::mtime_ns(&meta),
            installed_at: SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0),
        };
        manifest::write(path, &m)?;
    }
    Ok(Outcome {
        version,
        triple: tp.target.triple.into(),
        goos: tp.target.goos.into(),
        goarch: tp.target.goarch.into(),
        libc: tp.target.libc,
        action: if previous { Action::Reinstalled } else { Action::Installed },
        path: final_path,
        dir_source: tp.dir_source.clone(),
        also_installed_as: also,
        url: piped.located.url.clone(),
        sha256: piped.zip_sha,
        verified_by,
        library_sha256: piped.lib_sha,
        bytes: piped.lib_size,
        downloaded_bytes: piped.zip_bytes,
        route: Some(piped.route),
        notes,
    })
}

/// A digest the user or the project pinned, which outranks what a server publishes.
fn expected_digest(plan: &InstallPlan, tp: &TargetPlan) -> Option<Published> {
    let pinned = |d: Sha256, from: String| Published { digest: d, from };
    plan.sha256.map(|d| pinned(d, "--sha256".into())).or_else(|| {
        let path = plan.pins.as_ref()?.path.display().to_string();
        plan.pinned(tp.target.triple).map(|d| pinned(d, path))
    })
}

fn already(plan: &InstallPlan, tp: &TargetPlan, path: &Path) -> Option<Outcome> {
    let version = plan.version.to_string();
    let m = manifest::intact(path, &version, tp.target.triple)?;
    if expected_digest(plan, tp).is_some_and(|p| p.digest != m.zip_sha256) {
        return None;
    }
    let also: Vec<PathBuf> = tp.extra_names.iter().map(|n| tp.dir.join(n)).collect();
    if also.iter().any(|a| manifest::intact(a, &version, tp.target.triple).is_none()) {
        return None;
    }
    Some(Outcome {
        version,
        triple: m.triple,
        goos: tp.target.goos.into(),
        goarch: tp.target.goarch.into(),
        libc: tp.target.libc,
        action: Action::AlreadyInstalled,
        path: path.to_path_buf(),
        dir_source: tp.dir_source.clone(),
        also_installed_as: also,
        url: m.url,
        sha256: m.zip_sha256,
        verified_by: m.verified_by,
        library_sha256: m.lib_sha256,
        bytes: m.size,
        downloaded_bytes: 0,
        route: None,
        notes: vec![],
    })
}

fn locate(plan: &InstallPlan, tp: &TargetPlan, finder: &Finder) -> Result<Located> {
    let asset = tp.target.asset_name();
    if let Some(zip) = &plan.from_file {
        let file = std::fs::File::open(zip).map_err(|e| Error::io("open", zip, e))?;
        let size = file.metadata().ok().map(|m| m.len());
        return Ok(Located {
            url: zip.display().to_string(),
            reader: Box::new(file),
            size,
            published: None,
            notes: vec![],
        });
    }
    match &plan.bases {
        BaseList::Off => Err(Error::Offline(asset)),
        BaseList::Chain(bases) => finder.locate(bases, &plan.layout.tag, &asset),
    }
}

/// What one pass over the archive produced, before it is moved into place.
struct Piped {
    temp: NamedTempFile,
    /// Keeps the temp file on the list removed on Ctrl-C until it is renamed.
    guard: crate::interrupt::TempGuard,
    located: Located,
    zip_sha: Sha256,
    zip_bytes: u64,
    route: Route,
    /// The entry's file name inside the zip.
    entry: String,
    lib_sha: Sha256,
    lib_size: u64,
}

fn run_pipeline(
    plan: &InstallPlan,
    tp: &TargetPlan,
    mut located: Located,
    ui: &dyn Reporter,
) -> Result<Piped> {
    let temp = tempfile::Builder::new()
        .prefix(&format!(".{}.", tp.file))
        .suffix(".tmp")
        .tempfile_in(&tp.dir)
        .map_err(|e| Error::io("create a temporary file in", &tp.dir, e))?;
    set_readable(temp.as_file()).map_err(|e| Error::io("set permissions of", temp.path(), e))?;
    let guard = crate::interrupt::track(temp.path());
    let meter = ui.meter(tp.target.triple, located.size);
    let reader = std::mem::replace(&mut located.reader, Box::new(std::io::empty()));
    let mut hashed = HashedReader::spawn(reader, meter.clone());
    let asset = tp.target.asset_name();
    let aliases = lib_file_aliases(tp.target.triple);
    let lib_file = tp.target.lib_file();
    let wanted = Wanted { asset: &asset, dest: &tp.dir, lib_file: &lib_file, aliases: &aliases };
    let musl = tp.target.libc == Some(Libc::Musl);
    let mut open_sink = |declared: u64| -> Result<LibWriter> {
        let file = temp.as_file().try_clone().map_err(|e| Error::io("open", temp.path(), e))?;
        Ok(LibWriter::spawn(file, tp.target.triple.to_string(), musl, declared))
    };
    let result = zipstream::extract(&mut hashed, &tp.dir, &wanted, &mut open_sink);
    let extracted = match result {
        Ok(x) => x,
        Err(e) => {
            meter.finish();
            // A damaged archive whose digest is also wrong is reported as the
            // checksum mismatch it really is; network failures are returned as is.
            let published = expected_digest(plan, tp).or(located.published.clone()).map(|p| p.digest);
            if let (true, Some(want)) = (is_archive_error(&e), published)
                && let Ok((got, _)) = hashed.finish()
                && got != want
            {
                return Err(Error::ChecksumMismatch {
                    asset,
                    expected: want,
                    actual: got,
                    from: "published".into(),
                });
            }
            return Err(e);
        }
    };
    let (zip_sha, zip_bytes) = hashed.finish().map_err(zipstream::unwrap_io)?;
    meter.finish();
    Ok(Piped {
        temp,
        guard,
        located,
        zip_sha,
        zip_bytes,
        route: extracted.route,
        entry: crate::domain::zipfmt::base_name(&extracted.entry).to_string(),
        lib_sha: extracted.lib.sha256,
        lib_size: extracted.lib.size,
    })
}

fn is_archive_error(e: &Error) -> bool {
    matches!(
        e,
        Error::Archive { .. } | Error::Library { .. } | Error::MissingLibrary { .. } | Error::UnsafeName(_)
    )
}

/// A second name for the same bytes: a hard link (no extra space), else a copy,
/// placed with a rename so the name never points at a partial file.
fn link_or_copy(from: &Path, to: &Path) -> Result<()> {
    let dir = to.parent().unwrap_or(Path::new("."));
    let tmp = tempfile::Builder::new()
        .prefix(".slim-setup-alias-")
        .make_in(dir, |p| std::fs::hard_link(from, p).or_else(|_| std::fs::copy(from, p).map(|_| ())))
        .map_err(|e| Error::io("create", to, e))?;
    tmp.persist(to).map_err(|e| Error::io("create", to, e.error))?;
    Ok(())
}
