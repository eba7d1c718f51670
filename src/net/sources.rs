//! Finding one archive along the chain of bases: which URL or file serves it,
//! how big it should be, and which published checksum vouches for it (GitHub's
//! digest, a mirror's SHA256SUMS or `{asset}.sha256`). The first base that has
//! the asset wins; 404s and unreachable hosts move on to the next, like GOPROXY.

use std::collections::HashMap;
use std::fs::File;
use std::io::Read;
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};

use super::body::Body;
use super::github::{ReleaseInfo, fetch_release};
use super::http::Http;
use crate::domain::mirror::Base;
use crate::domain::sums::{self, Sha256};
use crate::error::{Error, Result};

/// A published checksum and where it was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Published {
    pub(crate) digest: Sha256,
    pub(crate) from: String,
}

pub(crate) struct Located {
    pub(crate) url: String,
    pub(crate) reader: Box<dyn Read + Send>,
    pub(crate) size: Option<u64>,
    pub(crate) published: Option<Published>,
    /// Said once to the user (e.g. the GitHub API was rate limited).
    pub(crate) notes: Vec<String>,
}

/// Shared across targets of one run so that each release and SHA256SUMS is asked once.
#[derive(Default)]
pub(crate) struct Lookups {
    releases: Mutex<HashMap<String, Arc<OnceLock<ReleaseInfo>>>>,
    sums: Mutex<HashMap<String, Arc<OnceLock<Option<String>>>>>,
}

pub(crate) struct Finder<'a> {
    /// Built on first use: an install that finds everything in place (or a
    /// folder mirror) never loads TLS roots or opens a socket.
    pub(crate) http: &'a LazyHttp,
    pub(crate) api: &'a str,
    pub(crate) token: Option<&'a str>,
    pub(crate) lookups: &'a Lookups,
}

impl Finder<'_> {
    pub(crate) fn locate(&self, bases: &[Base], tag: &str, asset: &str) -> Result<Located> {
        let mut last_err: Option<Error> = None;
        for base in bases {
            match self.try_base(base, tag, asset) {
                Ok(Some(found)) => return Ok(found),
                Ok(None) => {}
                Err(e @ (Error::Network { .. } | Error::HttpStatus { .. })) => last_err = Some(e),
                Err(e) => return Err(e),
            }
        }
        Err(last_err.unwrap_or_else(|| Error::HttpStatus {
            url: bases.first().map(|b| b.locate(tag, asset)).unwrap_or_default(),
            status: 404,
            available: Vec::new(),
            hint: None,
        }))
    }

    fn try_base(&self, base: &Base, tag: &str, asset: &str) -> Result<Option<Located>> {
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
                let published = self.mirror_sums(base, tag, asset);
                Ok(Some(Located { url, reader: Box::new(file), size, published, notes: vec![] }))
            }
            Base::Http { github, .. } => {
                let http = self.http.get()?;
                let mut notes = Vec::new();
                let (mut published, mut size, mut available) = (None, None, Vec::new());
                if let Some(repo) = github {
                    let key = format!("{}/{}/{tag}", repo.owner, repo.repo);
                    let info = self.cached(&self.lookups.releases, &key, || {
                        fetch_release(http, self.api, repo, tag, self.token)
                    });
                    match &info {
                        ReleaseInfo::NoSuchRelease => {
                            return Err(Error::HttpStatus {
                                url,
                                status: 404,
                                available: vec![],
                                hint: Some(format!(
                                    "GitHub has no release '{tag}' in {}/{}; is the version published?",
                                    repo.owner, repo.repo
                                )),
                            });
                        }
                        ReleaseInfo::Unavailable(why) => {
                            notes.push(format!("GitHub API unavailable ({why}); no published digest"))
                        }
                        ReleaseInfo::Found(assets) => {
                            available = assets
                                .iter()
                                .map(|a| a.name.clone())
                                .filter(|n| n.ends_with(".zip"))
                                .collect();
                            if let Some(a) = assets.iter().find(|a| a.name == asset) {
                                size = a.size;
                                published = a
                                    .digest
                                    .map(|digest| Published { digest, from: "GitHub release digest".into() });
                            }
                        }
                    }
                } else {
                    published = self.mirror_sums(base, tag, asset);
                }
                match Body::open(http, &url, size)? {
                    Some(body) => {
                        let size = size.or(body.total());
                        Ok(Some(Located { url, reader: Box::new(body), size, published, notes }))
                    }
                    None => Err(not_found(&url, available)),
                }
            }
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
    fn mirror_sums(&self, base: &Base, tag: &str, asset: &str) -> Option<Published> {
        let sums_loc = base.locate(tag, "SHA256SUMS");
        let text = self.cached(&self.lookups.sums, &sums_loc, || self.read_small(base, tag, "SHA256SUMS"));
        if let Some(d) = text.as_deref().and_then(|t| sums::find_in_sums(t, asset)) {
            return Some(Published { digest: d, from: sums_loc });
        }
        let single = format!("{asset}.sha256");
        let text = self.read_small(base, tag, &single)?;
        sums::parse_single(&text, asset).map(|d| Published { digest: d, from: base.locate(tag, &single) })
    }

    fn read_small(&self, base: &Base, tag: &str, file: &str) -> Option<String> {
        match base {
            Base::Dir(dir) => std::fs::read_to_string(dir.join(tag).join(file)).ok(),
            Base::Http { .. } => {
                let bytes = self.http.get().ok()?.get_small(&base.locate(tag, file), &|r| r).ok()??;
                String::from_utf8(bytes).ok()
            }
        }
    }
}

/// The HTTP client, created when the first request needs it.
pub(crate) struct LazyHttp {
    opts: super::http::HttpOptions,
    client: OnceLock<Http>,
}

impl LazyHttp {
    pub(crate) fn new(opts: super::http::HttpOptions) -> LazyHttp {
        LazyHttp { opts, client: OnceLock::new() }
    }

    pub(crate) fn get(&self) -> Result<&Http> {
        if let Some(h) = self.client.get() {
            return Ok(h);
        }
        let h = Http::new(self.opts.clone())?;
        Ok(self.client.get_or_init(|| h))
    }
}

fn not_found(url: &str, available: Vec<String>) -> Error {
    Error::HttpStatus { url: url.into(), status: 404, available, hint: None }
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
        let finder = Finder { http: &http, api: "http://127.0.0.1:9", token: None, lookups: &lookups };
        finder.locate(bases, TAG, ASSET)
    }

    #[test]
    fn the_first_base_that_has_the_asset_wins_with_its_own_checksum() {
        let empty = mirror(&[]);
        let sums = mirror(&[(ASSET, "zip bytes"), ("SHA256SUMS", &format!("{HEX}  {ASSET}\n"))]);
        let mut found = find(&[Base::Dir(empty.path().into()), Base::Dir(sums.path().into())]).unwrap();
        assert_eq!(found.url, sums.path().join(TAG).join(ASSET).display().to_string());
        assert_eq!(found.size, Some(9));
        let published = found.published.clone().unwrap();
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
        assert!(found.published.unwrap().from.ends_with(".zip.sha256"));
        let bare = mirror(&[(ASSET, "z")]);
        assert_eq!(find(&[Base::Dir(bare.path().into())]).unwrap().published, None);
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
