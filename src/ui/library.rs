//! An installed library as `list` and `verify` show it: one row, the same
//! fields in text and in `--json` (`ui::json` adds the envelope).

use std::path::Path;

use crate::domain::sums::Sha256;
use crate::store::inventory::Installed;
use crate::store::manifest::Damage;

#[derive(serde::Serialize)]
pub(crate) struct LibraryDoc<'a> {
    pub(crate) version: &'a str,
    pub(crate) triple: &'a str,
    pub(crate) path: &'a Path,
    pub(crate) bytes: u64,
    pub(crate) archive_sha256: Sha256,
    pub(crate) library_sha256: Sha256,
    pub(crate) url: &'a str,
    pub(crate) verified_by: Option<&'a str>,
    /// Seconds since the Unix epoch.
    pub(crate) installed_at: u64,
    /// `ok` or `damaged` (`list` judges by a `stat`, `verify` by hashing).
    pub(crate) health: &'static str,
    pub(crate) problem: Option<String>,
}

impl<'a> LibraryDoc<'a> {
    pub(crate) fn new(item: &'a Installed, damage: Option<&Damage>) -> LibraryDoc<'a> {
        let m = &item.manifest;
        LibraryDoc {
            version: &m.version,
            triple: &m.triple,
            path: &item.lib,
            bytes: m.size,
            archive_sha256: m.zip_sha256,
            library_sha256: m.lib_sha256,
            url: &m.url,
            verified_by: m.verified_by.as_deref(),
            installed_at: m.installed_at,
            health: if damage.is_none() { "ok" } else { "damaged" },
            problem: damage.map(|d| d.to_string()),
        }
    }
}

/// RFC 3339 time of an install, e.g. `2026-11-28T12:00:00Z`.
pub(crate) fn time_text(secs: u64) -> String {
    humantime::format_rfc3339_seconds(std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs))
        .to_string()
}

#[derive(serde::Serialize)]
pub(crate) struct Libraries<'a> {
    pub(crate) libraries: Vec<LibraryDoc<'a>>,
}
