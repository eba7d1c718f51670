//! Installing the plan's targets (in parallel up to --jobs), each the same
//! way: skip it if installed and intact; take its lock; fetch the archive
//! straight through the extractor into a temporary file beside the library;
//! then commit: rename over the final name, link its second name, and write a
//! manifest for each. Until the rename the previous library is untouched;
//! after it the new one is complete and synced.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use super::fetch::{self, Consumer, Fetched, Origin, Request};
use super::verify::Policy;
use crate::domain::mirror::BaseList;
use crate::domain::platform::{Libc, lib_file_aliases, other_target_names};
use crate::domain::sums::Sha256;
use crate::error::{Error, Result};
use crate::extract::sink::LibWriter;
use crate::extract::zipstream::{self, Extracted, Route, Wanted};
use crate::net::sources::{Finder, LazyHttp, Lookups, Published};
use crate::plan::{InstallPlan, TargetPlan};
use crate::progress::Reporter;
use crate::store::atomic::{self, TempFile};
use crate::store::fsutil::is_symlink;
use crate::store::lock::Lock;
use crate::store::manifest::{self, Manifest};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Action {
    Installed,
    Reinstalled,
    AlreadyInstalled,
}

#[derive(Debug, Clone)]
pub(crate) struct Outcome {
    pub(crate) version: String,
    pub(crate) triple: String,
    pub(crate) goos: String,
    pub(crate) goarch: String,
    pub(crate) action: Action,
    pub(crate) path: PathBuf,
    /// How the folder was decided (the directive, the layout, --cache-dir).
    pub(crate) dir_source: String,
    pub(crate) also_installed_as: Vec<PathBuf>,
    pub(crate) url: String,
    pub(crate) sha256: Sha256,
    pub(crate) verified_by: Option<String>,
    pub(crate) library_sha256: Sha256,
    pub(crate) bytes: u64,
    pub(crate) downloaded_bytes: u64,
    pub(crate) route: Option<Route>,
    /// Warnings and remarks (unverified archive, API unavailable, renamed entry).
    pub(crate) notes: Vec<String>,
}

/// Every target of the plan, each to its own end (one failure abandons no
/// other download), in target order.
pub(crate) fn install_all(plan: &InstallPlan, ui: &dyn Reporter) -> Vec<Result<Outcome>> {
    let http = LazyHttp::new(plan.http.clone());
    let lookups = Lookups::default();
    let token = plan.token.as_ref().map(|t| t.expose());
    let finder = Finder { http: &http, api_override: plan.api.as_deref(), token, lookups: &lookups };
    let results: Vec<Mutex<Option<Result<Outcome>>>> =
        plan.targets.iter().map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    let workers = plan.jobs.clamp(1, plan.targets.len().max(1));
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(tp) = plan.targets.get(i) else { break };
                    *results[i].lock().unwrap_or_else(|p| p.into_inner()) =
                        Some(install(plan, tp, &finder, ui));
                }
            });
        }
    });
    results
        .into_iter()
        .map(|r| r.into_inner().unwrap_or_else(|p| p.into_inner()).expect("every target ran"))
        .collect()
}

/// A digest the user or the project pinned, which outranks what a server publishes.
pub(super) fn pinned(plan: &InstallPlan, tp: &TargetPlan) -> Option<Published> {
    let pin = |digest: Sha256, from: String| Published { digest, from };
    plan.sha256.map(|d| pin(d, "--sha256".into())).or_else(|| {
        let path = plan.pins.as_ref()?.path.display().to_string();
        plan.pinned(tp.target.triple).map(|d| pin(d, path))
    })
}

fn install(plan: &InstallPlan, tp: &TargetPlan, finder: &Finder, ui: &dyn Reporter) -> Result<Outcome> {
    let pin = pinned(plan, tp);
    if !plan.force
        && let Some(o) = already(plan, tp, pin.as_ref())
    {
        return Ok(o);
    }
    if plan.from_file.is_none() && plan.bases == BaseList::Off {
        if plan.require_checksum
            && manifest::intact(&tp.path(), &plan.version.to_string(), tp.target.triple).is_some()
        {
            return Err(Error::ChecksumRequired {
                asset: tp.target.asset_name(),
                why: Some(
                    "it was installed unverified, and offline it cannot be fetched again to verify it".into(),
                ),
            });
        }
        return Err(Error::Offline(format!("{} {}", tp.target.triple, plan.version)));
    }
    let created = !tp.dir.exists();
    std::fs::create_dir_all(&tp.dir).map_err(|e| Error::io("create the library folder", &tp.dir, e))?;
    let lock = Lock::acquire(&tp.dir, &tp.file, &|p| {
        ui.line(&format!(
            "  waiting for another slim-setup installing into {} (lock {})",
            tp.dir.display(),
            p.display()
        ))
    });
    let result = lock.and_then(|lock| {
        let r = locked(plan, tp, finder, ui, pin.as_ref());
        // An install leaves the library and its manifest, nothing else: the
        // lock file goes too (a waiter then locks the path afresh).
        lock.remove();
        r
    });
    if result.is_err() && created {
        let _ = std::fs::remove_dir(&tp.dir);
    }
    result
}

/// The install under the library's lock.
fn locked(
    plan: &InstallPlan,
    tp: &TargetPlan,
    finder: &Finder,
    ui: &dyn Reporter,
    pin: Option<&Published>,
) -> Result<Outcome> {
    // Whoever held the lock may have just installed it.
    if !plan.force
        && let Some(o) = already(plan, tp, pin)
    {
        return Ok(o);
    }
    for path in std::iter::once(&tp.file).chain(&tp.extra_names).map(|n| tp.dir.join(n)) {
        if is_symlink(&path) {
            return Err(Error::Symlink(path));
        }
    }
    let previous = tp.path().exists();
    let origin =
        Origin { finder, bases: &plan.bases, from_file: plan.from_file.as_deref(), tag: &plan.layout.tag };
    let asset = tp.target.asset_name();
    let req = Request {
        asset: &asset,
        label: tp.target.triple,
        pinned: pin,
        policy: Policy { require_checksum: plan.require_checksum },
        scratch_dir: &tp.dir,
    };
    let fetched =
        fetch::fetch(&origin, &req, ui, || Ok(Library { tp, temp: TempFile::new_in(&tp.dir, &tp.file)? }))?;
    commit(plan, tp, fetched, previous, ui)
}

/// Other bytes at the same path: go's build cache keys a cgo link on the
/// flags, not on the archive's contents, so a binary built before may still
/// hold the old library until a rebuild is forced.
fn changed_note(path: &Path, new: Sha256) -> Option<String> {
    let old = match manifest::read(path) {
        Some(m) => m.lib_sha256,
        None if path.is_file() => crate::store::inventory::hash_file(path)?,
        None => return None,
    };
    (old != new).then(|| {
        format!(
            "note: the library at {} changed (sha256 {} -> {}); go build may reuse binaries linked against the old one: run `go build -a` (or `go clean -cache`) to relink",
            path.display(),
            short(old),
            short(new)
        )
    })
}

fn short(d: Sha256) -> String {
    d.hex()[..12].to_string()
}

/// Installed, intact, of this version and triple, under every name,
/// matching what the project pinned, and vouched for as the policy asks:
/// nothing to do.
pub(super) fn already(plan: &InstallPlan, tp: &TargetPlan, pin: Option<&Published>) -> Option<Outcome> {
    let version = plan.version.to_string();
    let path = tp.path();
    let m = manifest::intact(&path, &version, tp.target.triple)?;
    if pin.is_some_and(|p| p.digest != m.zip_sha256) {
        return None;
    }
    // Installed unverified, and now something must vouch (a matching pin
    // does): fetch it again so that the verdict is made.
    if plan.require_checksum && pin.is_none() && m.verified_by.is_none() {
        return None;
    }
    let also: Vec<PathBuf> = tp.extra_names.iter().map(|n| tp.dir.join(n)).collect();
    if also.iter().any(|a| manifest::intact(a, &version, tp.target.triple).is_none()) {
        return None;
    }
    Some(Outcome {
        action: Action::AlreadyInstalled,
        url: m.url,
        sha256: m.zip_sha256,
        verified_by: m.verified_by,
        library_sha256: m.lib_sha256,
        bytes: m.size,
        downloaded_bytes: 0,
        route: None,
        notes: vec![],
        also_installed_as: also,
        ..outcome_base(plan, tp)
    })
}

fn outcome_base(plan: &InstallPlan, tp: &TargetPlan) -> Outcome {
    Outcome {
        version: plan.version.to_string(),
        triple: tp.target.triple.into(),
        goos: tp.target.goos.into(),
        goarch: tp.target.goarch.into(),
        action: Action::Installed,
        path: tp.path(),
        dir_source: tp.dir_source.to_string(),
        also_installed_as: vec![],
        url: String::new(),
        sha256: Sha256::from_bytes([0; 32]),
        verified_by: None,
        library_sha256: Sha256::from_bytes([0; 32]),
        bytes: 0,
        downloaded_bytes: 0,
        route: None,
        notes: vec![],
    }
}

/// The extractor as the fetch's consumer: the library goes into a
/// temporary file beside its final name.
struct Library<'a> {
    tp: &'a TargetPlan,
    temp: TempFile,
}

impl Consumer for Library<'_> {
    type Output = (TempFile, Extracted);

    fn consume(self, archive: &mut dyn Read, size: Option<u64>) -> Result<Self::Output> {
        let t = self.tp.target;
        let asset = t.asset_name();
        let (aliases, others) = (lib_file_aliases(t.triple), other_target_names(t.triple));
        let lib_file = t.lib_file();
        let wanted = Wanted {
            asset: &asset,
            dest: &self.tp.dir,
            lib_file: &lib_file,
            aliases: &aliases,
            others: &others,
            expected: size,
        };
        let musl = t.libc == Some(Libc::Musl);
        let temp = &self.temp;
        let mut open_sink = |declared: u64| -> Result<LibWriter> {
            let file = temp.file().try_clone().map_err(|e| Error::io("open", temp.path(), e))?;
            Ok(LibWriter::spawn(file, t.triple.to_string(), musl, declared))
        };
        let extracted = zipstream::extract(archive, &self.tp.dir, &wanted, &mut open_sink)?;
        Ok((self.temp, extracted))
    }
}

fn commit(
    plan: &InstallPlan,
    tp: &TargetPlan,
    fetched: Fetched<(TempFile, Extracted)>,
    previous: bool,
    ui: &dyn Reporter,
) -> Result<Outcome> {
    let Fetched { output: (temp, extracted), url, zip_sha, zip_bytes, verdict, mut notes } = fetched;
    let final_path = tp.path();
    if let Some(note) = changed_note(&final_path, extracted.lib.sha256) {
        notes.push(note);
    }
    let fsync = format!("{}: fsync of the library {} ms", tp.target.triple, extracted.lib.fsync.as_millis());
    ui.event(crate::progress::Event::Detail { level: 1, text: &fsync });
    if verdict.by().is_none() {
        notes.push(format!(
            "warning: no checksum is published for {}; installed unverified, sha256 {zip_sha} recorded",
            tp.target.asset_name()
        ));
    }
    let entry = crate::domain::zipfmt::base_name(&extracted.entry).to_string();
    if entry != tp.file && tp.target.lib_file() != entry {
        notes.push(format!("the archive names the library '{entry}'; installed as {}", tp.file));
    }
    // Until the new manifests are written, no name may keep an old one: a
    // failure from here on leaves the new library with no manifest, which the
    // next run reinstalls, never a library beside another's record.
    for path in
        std::iter::once(&final_path).chain(&tp.extra_names.iter().map(|n| tp.dir.join(n)).collect::<Vec<_>>())
    {
        manifest::remove(path)?;
    }
    temp.commit(&final_path)?;
    let mut also = Vec::new();
    for name in &tp.extra_names {
        let alias = tp.dir.join(name);
        atomic::link(&final_path, &alias)?;
        also.push(alias);
    }
    let verified_by = verdict.by().map(str::to_string);
    for path in std::iter::once(&final_path).chain(&also) {
        manifest::write(
            path,
            &record(plan, tp, path, &url, zip_sha, verified_by.clone(), extracted.lib.sha256)?,
        )?;
    }
    Ok(Outcome {
        action: if previous { Action::Reinstalled } else { Action::Installed },
        also_installed_as: also,
        url,
        sha256: zip_sha,
        verified_by,
        library_sha256: extracted.lib.sha256,
        bytes: extracted.lib.size,
        downloaded_bytes: zip_bytes,
        route: Some(extracted.route),
        notes,
        ..outcome_base(plan, tp)
    })
}

fn record(
    plan: &InstallPlan,
    tp: &TargetPlan,
    path: &Path,
    url: &str,
    zip_sha256: Sha256,
    verified_by: Option<String>,
    lib_sha256: Sha256,
) -> Result<Manifest> {
    let meta = std::fs::symlink_metadata(path).map_err(|e| Error::io("read", path, e))?;
    Ok(Manifest {
        tool: concat!("slim-setup ", env!("CARGO_PKG_VERSION")).into(),
        version: plan.version.to_string(),
        triple: tp.target.triple.into(),
        library: path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
        url: url.to_string(),
        zip_sha256,
        verified_by,
        lib_sha256,
        size: meta.len(),
        mtime_ns: manifest::mtime_ns(&meta),
        installed_at: SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0),
    })
}
