//! Mirroring a release into a folder laid out like one: each target's archive
//! fetched by the same flow as an install (the same lookups, checksum verdict
//! and restarts), its bytes kept whole in a temporary file, checked to be a
//! zip that holds the target's library, and committed under the asset's name.
//! `SHA256SUMS` is updated for every archive fetched, even when another
//! fails, so the folder never holds an archive its sums file does not name;
//! an archive already there with the listed and published digest is kept.

use std::io::Read;
use std::path::Path;

use super::fetch::{self, Consumer, Origin, Request};
use super::verify::{Policy, Verdict};
use crate::domain::platform::{Target, lib_file_aliases, other_target_names};
use crate::domain::sums::{self, Sha256};
use crate::error::{Error, Result};
use crate::extract::zipstream::{self, Wanted};
use crate::net::sources::Checksum;
use crate::progress::Reporter;
use crate::store::atomic::{self, TempFile};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    Mirrored,
    /// Present, listed in SHA256SUMS with its bytes' digest, and matching
    /// what the source publishes now: not fetched again.
    AlreadyMirrored,
}

pub(crate) struct Mirrored {
    pub(crate) asset: String,
    pub(crate) sha256: Sha256,
    pub(crate) bytes: u64,
    pub(crate) verified_by: Option<String>,
    pub(crate) status: Status,
}

/// Mirror every target into `dir` (the tag's folder), in order, each to its
/// own end: one failure does not stop the others.
pub(crate) fn mirror(
    origin: &Origin,
    targets: &[&'static Target],
    dir: &Path,
    policy: Policy,
    ui: &dyn Reporter,
) -> Result<Vec<Result<Mirrored>>> {
    let listed = listed_sums(dir)?;
    let results: Vec<Result<Mirrored>> = targets
        .iter()
        .map(|t| match present(origin, t, dir, &listed, policy) {
            Some(m) => Ok(m),
            None => one(origin, t, dir, policy, ui),
        })
        .collect();
    let fetched: Vec<&Mirrored> =
        results.iter().filter_map(|r| r.as_ref().ok()).filter(|m| m.status == Status::Mirrored).collect();
    write_sums(dir, &listed, &fetched)?;
    Ok(results)
}

/// The archive already in the folder, when its bytes are the ones its
/// SHA256SUMS line names and the source vouches for the same digest (or
/// publishes none and the policy allows that). Anything else is fetched.
fn present(
    origin: &Origin,
    t: &Target,
    dir: &Path,
    listed: &[(String, Sha256)],
    policy: Policy,
) -> Option<Mirrored> {
    let asset = t.asset_name();
    let (_, recorded) = listed.iter().find(|(n, _)| *n == asset)?;
    let path = dir.join(&asset);
    let bytes = std::fs::metadata(&path).ok()?.len();
    if crate::store::inventory::hash_file(&path)? != *recorded {
        return None;
    }
    let bases = match origin.bases {
        crate::domain::mirror::BaseList::Chain(b) => b,
        crate::domain::mirror::BaseList::Off => return None,
    };
    let verified_by = match origin.finder.checksum(bases, origin.tag, &asset).ok()? {
        Checksum::Published(p) if p.digest == *recorded => Some(p.from),
        Checksum::NonePublished(_) if !policy.require_checksum => None,
        _ => return None,
    };
    Some(Mirrored { asset, sha256: *recorded, bytes, verified_by, status: Status::AlreadyMirrored })
}

fn one(
    origin: &Origin,
    t: &'static Target,
    dir: &Path,
    policy: Policy,
    ui: &dyn Reporter,
) -> Result<Mirrored> {
    let asset = t.asset_name();
    let req = Request { asset: &asset, label: t.triple, pinned: None, policy, scratch_dir: dir };
    let fetched =
        fetch::fetch(origin, &req, ui, || Ok(ZipCopy { target: t, temp: TempFile::new_in(dir, &asset)? }))?;
    if fetched.verdict == Verdict::Unverified {
        ui.line(&format!(
            "  warning: nothing published vouches for {asset}; recording sha256 {}",
            fetched.zip_sha
        ));
    }
    fetched.output.commit(&dir.join(&asset))?;
    Ok(Mirrored {
        asset,
        sha256: fetched.zip_sha,
        bytes: fetched.zip_bytes,
        verified_by: fetched.verdict.by().map(str::to_string),
        status: Status::Mirrored,
    })
}

/// The archive kept whole: copied into the temporary file, then checked to
/// be a zip that holds the target's static library.
struct ZipCopy {
    target: &'static Target,
    temp: TempFile,
}

impl Consumer for ZipCopy {
    type Output = TempFile;

    fn consume(self, archive: &mut dyn Read, _size: Option<u64>) -> Result<TempFile> {
        let path = self.temp.path().to_path_buf();
        let mut file = self.temp.file();
        crate::extract::copy(archive, &mut file, &|e| e.into(), &|e| Error::io("write", &path, e))?;
        check_zip(&path, self.target)?;
        Ok(self.temp)
    }
}

/// The installer's own survey: a mirror never serves an archive that an
/// install from it would refuse.
fn check_zip(path: &Path, t: &Target) -> Result<()> {
    let asset = t.asset_name();
    let file = std::fs::File::open(path).map_err(|e| Error::io("read", path, e))?;
    let (aliases, others) = (lib_file_aliases(t.triple), other_target_names(t.triple));
    let wanted = Wanted {
        asset: &asset,
        dest: path.parent().unwrap_or(path),
        lib_file: &t.lib_file(),
        aliases: &aliases,
        others: &others,
        expected: None,
    };
    zipstream::inspect(&file, &wanted).map(drop)
}

/// The folder's SHA256SUMS, read once per run: none yet is an empty list;
/// one that cannot be read stops the run rather than be overwritten.
fn listed_sums(dir: &Path) -> Result<Vec<(String, Sha256)>> {
    let path = dir.join("SHA256SUMS");
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(sums::parse_sums(&text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(Error::io("read", &path, e)),
    }
}

/// Merge into the existing SHA256SUMS, so mirroring targets one by one accumulates.
fn write_sums(dir: &Path, listed: &[(String, Sha256)], done: &[&Mirrored]) -> Result<()> {
    if done.is_empty() {
        return Ok(());
    }
    let path = dir.join("SHA256SUMS");
    let mut all = listed.to_vec();
    all.retain(|(n, _)| !done.iter().any(|m| &m.asset == n));
    all.extend(done.iter().map(|m| (m.asset.clone(), m.sha256)));
    atomic::write(&path, sums::render_sums(&all).as_bytes())
}
