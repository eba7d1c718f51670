//! Mirroring a release into a folder laid out like one: each target's archive
//! fetched by the same flow as an install (the same lookups, checksum verdict
//! and restarts), its bytes kept whole in a temporary file, checked to be a
//! zip that holds the target's library, and committed under the asset's name.
//! `SHA256SUMS` is updated for every archive fetched, even when a later one
//! fails, so the folder never holds an archive its sums file does not name.

use std::io::Read;
use std::path::Path;

use super::fetch::{self, Consumer, Origin, Request};
use super::verify::{Policy, Verdict};
use crate::domain::platform::{Target, lib_file_aliases, other_target_names};
use crate::domain::sums::{self, Sha256};
use crate::error::{Error, Result};
use crate::extract::zipstream::{self, Wanted};
use crate::progress::Reporter;
use crate::store::atomic::{self, TempFile};

pub(crate) struct Mirrored {
    pub(crate) asset: String,
    pub(crate) sha256: Sha256,
    pub(crate) bytes: u64,
}

/// Mirror `targets` into `dir` (the tag's folder), in order, stopping at the
/// first failure.
pub(crate) fn mirror(
    origin: &Origin,
    targets: &[&'static Target],
    dir: &Path,
    policy: Policy,
    ui: &dyn Reporter,
) -> Result<Vec<Mirrored>> {
    let mut done = Vec::new();
    let mut failed = None;
    for t in targets {
        match one(origin, t, dir, policy, ui) {
            Ok(m) => done.push(m),
            Err(e) => {
                failed = Some(e);
                break;
            }
        }
    }
    write_sums(dir, &done)?;
    failed.map_or(Ok(done), Err)
}

fn one(
    origin: &Origin,
    t: &'static Target,
    dir: &Path,
    policy: Policy,
    ui: &dyn Reporter,
) -> Result<Mirrored> {
    let asset = t.asset_name();
    let req = Request { asset: &asset, label: t.triple, pinned: None, policy };
    let fetched =
        fetch::fetch(origin, &req, ui, || Ok(ZipCopy { target: t, temp: TempFile::new_in(dir, &asset)? }))?;
    if fetched.verdict == Verdict::Unverified {
        ui.line(&format!(
            "  warning: nothing published vouches for {asset}; recording sha256 {}",
            fetched.zip_sha
        ));
    }
    fetched.output.commit(&dir.join(&asset))?;
    Ok(Mirrored { asset, sha256: fetched.zip_sha, bytes: fetched.zip_bytes })
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

/// Merge into an existing SHA256SUMS, so mirroring targets one by one accumulates.
fn write_sums(dir: &Path, done: &[Mirrored]) -> Result<()> {
    if done.is_empty() {
        return Ok(());
    }
    let path = dir.join("SHA256SUMS");
    let mut all: Vec<(String, Sha256)> =
        std::fs::read_to_string(&path).map(|t| sums::parse_sums(&t)).unwrap_or_default();
    all.retain(|(n, _)| !done.iter().any(|m| &m.asset == n));
    all.extend(done.iter().map(|m| (m.asset.clone(), m.sha256)));
    atomic::write(&path, sums::render_sums(&all).as_bytes())
}
