//! Finding one archive along the chain of bases: which URL or file serves it,
//! how big it should be, and what the base says about its checksum (GitHub's
//! digest, a mirror's SHA256SUMS or `{asset}.sha256`). The first base that has
//! the asset wins; 404s and unreachable hosts move on to the next, like GOPROXY.
//!
//! "Nothing is published" is only ever what a base said: a 404/410 (a missing
//! file in a folder), a release listing the asset without a digest. A lookup
//! that failed (server errors after the retries, a login page, a malformed
//! file) is `Checksum::Unavailable`, which fails the install unless the user
//! or the project pinned the digest.

use std::collections::HashMap;
use std::fs::File;
use std::io::Read;
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};

use super::body::Body;
use super::github::{ReleaseInfo, fetch_release};
use super::http::{Auth, Http};
use super::ranged::{self, Scratch};
use crate::domain::mirror::{Base, redact};
use crate::domain::sums::{self, Sha256};
use crate::error::{Error, Result};
use crate::progress::Event;

/// A published checksum and where it was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Published {
    pub(crate) digest: Sha256,
    pub(crate) from: String,
}

/// What a base says about an asset's checksum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Checksum {
    Published(Published),
    /// The base answered, and nothing vouches for the asset (`why`).
    NonePublished(String),
    /// The base could not say: never taken as "none".
    Unavailable {
        url: String,
        reason: String,
    },
}

impl Checksum {
    pub(crate) fn published(&self) -> Option<&Published> {
        match self {
            Checksum::Published(p) => Some(p),
            _ => None,
        }
    }

    /// Why nothing vouches, for messages.
    pub(crate) fn why_none(&self) -> String {
        match self {
            Checksum::Published(p) => format!("published by {}", p.from),
            Checksum::NonePublished(why) => why.clone(),
            Checksum::Unavailable { url, reason } => format!("{url} could not be read: {reason}"),
        }
    }
}

pub(crate) struct Located {
    /// Where it came from, as it may be shown (a password redacted).
    pub(crate) url: String,
    pub(crate) reader: Box<dyn Read + Send>,
    pub(crate) size: Option<u64>,
    pub(crate) checksum: Checksum,
}

/// A small file under a base: its text, `None` when the base says it is not
/// there, or why it could not be read. Kept per run for every target.
type Small = std::result::Result<Option<String>, (String, String)>;

/// Shared across targets of one run so that each release and SHA256SUMS is asked once.
#[derive(Default)]
pub(crate) struct Lookups {
    releases: Mutex<HashMap<String, Arc<OnceLock<ReleaseInfo>>>>,
    sums: Mutex<HashMap<String, Arc<OnceLock<Small>>>>,
}

pub(crate) struct Finder<'a> {
    /// Built on first use: an install that finds everything in place (or a
    /// folder mirror) never loads TLS roots or opens a socket.
    pub(crate) http: &'a LazyHttp,
    /// `--github-api-url`: the API for every GitHub-shaped base, instead of
    /// each base's own.
    pub(crate) api_override: Option<&'a str>,
    pub(crate) token: Option<&'a str>,
    pub(crate) lookups: &'a Lookups,
}

impl Finder<'_> {
    /// The first base that has `asset`, opened. `scratch` makes the file a
    /// download over several connections lands in (none: one stream).
    pub(crate) fn locate(
        &self,
        bases: &[Base],
        tag: &str,
        asset: &str,
        scratch: Option<Scratch>,
    ) -> Result<Located> {
        let mut last_err: Option<Error> = None;
        for (i, base) in bases.iter().enumerate() {
            match self.try_base(base, tag, asset, scratch) {
                Ok(found) => {
                    let text =
                        format!("{asset}: from {}; checksum: {}", found.url, found.checksum.why_none());
                    self.http.events().detail(1, &text);
                    return Ok(found);
                }
                Err(e @ (Error::Network { .. } | Error::HttpStatus { .. })) => {
                    if let Some(next) = bases.get(i + 1) {
                        let (base, next) = (base.display(), next.display());
                        let why = super::http::failure_reason(&e);
                        self.http.events().event(Event::Fallback { base: &base, why: &why, next: &next });
                    }
                    last_err = Some(e);
                }
                Err(e) => return Err(e),
            }
        }
        Err(last_err.unwrap_or_else(|| {
            not_found(&bases.first().map(|b| b.locate(tag, asset)).unwrap_or_default(), vec![])
        }))
    }

    fn try_base(&self, base: &Base, tag: &str, asset: &str, scratch: Option<Scratch>) -> Result<Located> {
        let url = base.locate(tag, asset);
        match base {
            Base::Dir(dir) => {
                let path = dir.join(tag).join(asset);
                let file = match File::open(&path) {
                    Ok(f) => f,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                        return Err(not_found(&url, list_dir(&dir.join(tag))));
                    }
                    Err(e) => return Err(Error::io("open", path, e)),
                };
                let size = file.metadata().ok().map(|m| m.len());
                let checksum = self.mirror_sums(base, tag, asset);
                Ok(Located { url, reader: Box::new(file), size, checksum })
            }
            Base::Http { .. } => {
                let http = self.http.get()?;
                // The digest (and the release's size) is asked beside the
                // archive, not before it: the verdict still comes before any
                // rename, and the first byte comes a round trip sooner.
                let (meta, body) = std::thread::scope(|s| {
                    let meta = s.spawn(|| self.http_checksum(base, tag, asset));
                    let body = Body::open(http, &url);
                    let meta = meta
                        .join()
                        .unwrap_or_else(|_| Err(Error::Other("the checksum lookup panicked".into())));
                    (meta, body)
                });
                let (checksum, size, available) = meta?;
                let Some(mut body) = body? else { return Err(not_found(&url, available)) };
                body.expect_size(size)?;
                let size = body.total();
                let reader: Box<dyn std::io::Read + Send> =
                    match (ranged::wanted(&body, size, http.opts.connections), scratch) {
                        (Some(total), Some(scratch)) => {
                            ranged::announce(http, &url, total);
                            Box::new(ranged::Ranged::start(body, http, &url, total, scratch(total)?)?)
                        }
                        _ => Box::new(body),
                    };
                Ok(Located { url: redact(&url), reader, size, checksum })
            }
        }
    }

    /// What a base publishes about `asset` before any of its bytes are
    /// read: its checksum, the size the release lists, and the release's
    /// other archives (for a 404's message).
    fn http_checksum(
        &self,
        base: &Base,
        tag: &str,
        asset: &str,
    ) -> Result<(Checksum, Option<u64>, Vec<String>)> {
        let Base::Http { github: Some(repo), .. } = base else {
            return Ok((self.mirror_sums(base, tag, asset), None, Vec::new()));
        };
        let http = self.http.get()?;
        let api = self.api_override.unwrap_or(&repo.api);
        let key = format!("{api} {}/{}/{tag}", repo.owner, repo.repo);
        let info =
            self.cached(&self.lookups.releases, &key, || fetch_release(http, api, repo, tag, self.token));
        Ok(match info {
            ReleaseInfo::NoSuchRelease => {
                return Err(Error::HttpStatus {
                    url: redact(&base.locate(tag, asset)),
                    status: 404,
                    available: vec![],
                    hint: Some(format!(
                        "GitHub has no release '{tag}' in {}/{}; is the version published?",
                        repo.owner, repo.repo
                    )),
                });
            }
            ReleaseInfo::Unavailable { url, reason } => {
                (Checksum::Unavailable { url, reason }, None, Vec::new())
            }
            ReleaseInfo::Found(assets) => release_checksum(&assets, asset, &release_api(api, repo, tag)),
        })
    }

    /// The checksum the first base publishes for `asset`, without fetching
    /// it (`--dry-run`, and `mirror` checking what it already holds).
    pub(crate) fn checksum(&self, bases: &[Base], tag: &str, asset: &str) -> Result<Checksum> {
        let Some(base) = bases.first() else { return Ok(Checksum::NonePublished("no source".into())) };
        match base {
            Base::Dir(_) => Ok(self.mirror_sums(base, tag, asset)),
            Base::Http { .. } => self.http_checksum(base, tag, asset).map(|(c, _, _)| c),
        }
    }

    /// One lookup per key across parallel targets: the first caller fetches while
    /// the others wait on the same cell (unauthenticated GitHub allows 60 an hour).
    fn cached<T: Clone>(
        &self,
        map: &Mutex<HashMap<String, Arc<OnceLock<T>>>>,
        key: &str,
        make: impl FnOnce() -> T,
    ) -> T {
        let cell = map.lock().unwrap_or_else(|p| p.into_inner()).entry(key.to_string()).or_default().clone();
        cell.get_or_init(make).clone()
    }

    /// SHA256SUMS in the tag folder, else `{asset}.sha256` beside the asset.
    fn mirror_sums(&self, base: &Base, tag: &str, asset: &str) -> Checksum {
        let sums_loc = base.locate(tag, "SHA256SUMS");
        let listed =
            match self.cached(&self.lookups.sums, &sums_loc, || self.read_small(base, tag, "SHA256SUMS")) {
                Err((url, reason)) => return Checksum::Unavailable { url, reason },
                Ok(None) => "no SHA256SUMS",
                Ok(Some(text)) => match sums::find_in_sums(&text, asset) {
                    Ok(Some(digest)) => {
                        return Checksum::Published(Published { digest, from: redact(&sums_loc) });
                    }
                    Ok(None) => "SHA256SUMS does not list it",
                    Err(e) => return Checksum::Unavailable { url: redact(&sums_loc), reason: e.to_string() },
                },
            };
        let single = format!("{asset}.sha256");
        let single_loc = base.locate(tag, &single);
        match self.read_small(base, tag, &single) {
            Err((url, reason)) => Checksum::Unavailable { url, reason },
            Ok(None) => {
                Checksum::NonePublished(format!("{listed} and no {single} at {}", redact(&base.display())))
            }
            Ok(Some(text)) => match sums::parse_single(&text, asset) {
                Ok(digest) => Checksum::Published(Published { digest, from: redact(&single_loc) }),
                Err(e) => Checksum::Unavailable { url: redact(&single_loc), reason: e.to_string() },
            },
        }
    }

    /// A small file's text: `Ok(None)` only when the base says it is not there.
    fn read_small(&self, base: &Base, tag: &str, file: &str) -> Small {
        let loc = base.locate(tag, file);
        let failed = |reason: String| (redact(&loc), reason);
        let bytes = match base {
            Base::Dir(dir) => match std::fs::read(dir.join(tag).join(file)) {
                Ok(bytes) => bytes,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
                Err(e) => return Err(failed(e.to_string())),
            },
            Base::Http { .. } => {
                let http = self.http.get().map_err(|e| failed(e.message()))?;
                match http.get_small(&loc, Auth::Netrc, &|r| r) {
                    Ok(Some(bytes)) => bytes,
                    Ok(None) => return Ok(None),
                    Err(e) => return Err(failed(super::http::failure_reason(&e))),
                }
            }
        };
        sums::decode(&bytes).map(Some).map_err(|e| failed(e.to_string()))
    }
}

/// The release API URL, for messages.
fn release_api(api: &str, repo: &crate::domain::mirror::GithubRepo, tag: &str) -> String {
    redact(&super::github::release_url(api, repo, tag))
}

/// What a release listing says about `asset`: its digest, none (listed
/// without one, or not listed), or a digest that is not a sha256 one.
fn release_checksum(
    assets: &[super::github::Asset],
    asset: &str,
    api_url: &str,
) -> (Checksum, Option<u64>, Vec<String>) {
    let available = assets.iter().map(|a| a.name.clone()).filter(|n| n.ends_with(".zip")).collect();
    let Some(a) = assets.iter().find(|a| a.name == asset) else {
        return (Checksum::NonePublished("the release does not list it".into()), None, available);
    };
    let checksum = match &a.digest {
        Some(Ok(digest)) => Checksum::Published(Published {
            digest: *digest,
            from: format!("GitHub release digest ({api_url})"),
        }),
        Some(Err(reason)) => Checksum::Unavailable { url: api_url.into(), reason: reason.clone() },
        None => Checksum::NonePublished(
            "the release lists no digest for it (uploaded before GitHub computed digests)".into(),
        ),
    };
    (checksum, a.size, available)
}

/// The HTTP client, created when the first request needs it.
pub(crate) struct LazyHttp {
    opts: super::http::HttpOptions,
    client: OnceLock<std::result::Result<Http, String>>,
}

impl LazyHttp {
    pub(crate) fn new(opts: super::http::HttpOptions) -> LazyHttp {
        LazyHttp { opts, client: OnceLock::new() }
    }

    /// One client for the run: parallel targets asking at once wait for the
    /// first to build it (and to start loading the TLS roots) instead of each
    /// building its own.
    pub(crate) fn get(&self) -> Result<&Http> {
        self.client
            .get_or_init(|| Http::new(self.opts.clone()).map_err(|e| e.message()))
            .as_ref()
            .map_err(|m| Error::Other(m.clone()))
    }

    pub(crate) fn events(&self) -> &crate::progress::EventSink {
        &self.opts.events
    }
}

fn not_found(url: &str, available: Vec<String>) -> Error {
    Error::HttpStatus { url: redact(url), status: 404, available, hint: None }
}

fn list_dir(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".zip"))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    const TAG: &str = "slim-bindings-v1.4.0";
    const ASSET: &str = "slim-bindings-x86_64-unknown-linux-gnu.zip";
    const HEX: &str = "a3f1c2d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90";

    /// A folder mirror with `files` (name, text) in the tag's folder.
    fn mirror(files: &[(&str, &str)]) -> tempfile::TempDir {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(root.path().join(TAG)).unwrap();
        for (name, text) in files {
            std::fs::write(root.path().join(TAG).join(name), text).unwrap();
        }
        root
    }

    fn find(bases: &[Base]) -> Result<Located> {
        let http = LazyHttp::new(super::super::http::HttpOptions::default());
        let lookups = Lookups::default();
        let finder = Finder { http: &http, api_override: None, token: None, lookups: &lookups };
        finder.locate(bases, TAG, ASSET, None)
    }

    #[test]
    fn the_first_base_that_has_the_asset_wins_with_its_own_checksum() {
        let empty = mirror(&[]);
        let sums = mirror(&[(ASSET, "zip bytes"), ("SHA256SUMS", &format!("{HEX}  {ASSET}\n"))]);
        let mut found = find(&[Base::Dir(empty.path().into()), Base::Dir(sums.path().into())]).unwrap();
        assert_eq!(found.url, sums.path().join(TAG).join(ASSET).display().to_string());
        assert_eq!(found.size, Some(9));
        let published = found.checksum.published().cloned().unwrap();
        assert_eq!(published.digest.hex(), HEX);
        assert_eq!(published.from, sums.path().join(TAG).join("SHA256SUMS").display().to_string());
        let mut bytes = String::new();
        found.reader.read_to_string(&mut bytes).unwrap();
        assert_eq!(bytes, "zip bytes");
    }

    #[test]
    fn a_lone_sha256_file_is_the_fallback_and_nothing_published_is_none() {
        let single = mirror(&[(ASSET, "z"), (&format!("{ASSET}.sha256"), &format!("{HEX}  {ASSET}\n"))]);
        let found = find(&[Base::Dir(single.path().into())]).unwrap();
        assert!(found.checksum.published().unwrap().from.ends_with(".zip.sha256"));
        let bare = mirror(&[(ASSET, "z")]);
        let none = find(&[Base::Dir(bare.path().into())]).unwrap().checksum;
        assert!(
            matches!(none, Checksum::NonePublished(ref why) if why.starts_with("no SHA256SUMS and no")),
            "{none:?}"
        );
    }

    #[test]
    fn a_broken_checksum_file_is_unavailable_never_none() {
        let short = &HEX[1..];
        let broken = mirror(&[(ASSET, "z"), ("SHA256SUMS", &format!("{short}  {ASSET}\n"))]);
        let got = find(&[Base::Dir(broken.path().into())]).unwrap().checksum;
        assert!(
            matches!(got, Checksum::Unavailable { ref reason, .. } if reason.starts_with("malformed checksum file")),
            "{got:?}"
        );
        let binary = mirror(&[(ASSET, "z")]);
        std::fs::write(binary.path().join(TAG).join("SHA256SUMS"), b"\xff\xfe\x00\xd8").unwrap();
        let got = find(&[Base::Dir(binary.path().into())]).unwrap().checksum;
        assert!(matches!(got, Checksum::Unavailable { .. }), "{got:?}");
    }

    #[test]
    fn when_no_base_has_it_the_error_lists_what_the_release_holds() {
        let other = mirror(&[("slim-bindings-aarch64-apple-darwin.zip", "z"), ("notes.txt", "")]);
        let err = find(&[Base::Dir(other.path().into())]).err().unwrap();
        match err {
            Error::HttpStatus { status: 404, available, .. } => {
                assert_eq!(available, ["slim-bindings-aarch64-apple-darwin.zip"]);
            }
            e => panic!("{e}"),
        }
    }
}
