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
pub struct Published {
    pub digest: Sha256,
    pub from: String,
}

pub struct Located {
    pub url: String,
    pub reader: Box<dyn Read + Send>,
    pub size: Option<u64>,
    pub published: Option<Published>,
    /// Said once to the user (e.g. the GitHub API was rate limited).
    pub notes: Vec<String>,
}

/// Shared across targets of one run so that each release and SHA256SUMS is asked once.
#[derive(Default)]
pub struct Lookups {
    releases: Mutex<HashMap<String, Arc<OnceLock<ReleaseInfo>>>>,
    sums: Mutex<HashMap<String, Arc<OnceLock<Option<String>>>>>,
}

pub struct Finder<'a> {
    /// Built on first use: an install that finds everything in place (or a
    /// folder mirror) never loads TLS roots or opens a socket.
    pub http: &'a LazyHttp,
    pub api: &'a str,
    pub token: Option<&'a str>,
    pub lookups: &'a Lookups,
}

impl Finder<'_> {
    pub fn locate(&self, bases: &[Base], tag: &str, asset: &str) -> Result<Located> {
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
pub struct LazyHttp {
    opts: super::http::HttpOptions,
    client: OnceLock<Http>,
}

impl LazyHttp {
    pub fn new(opts: super::http::HttpOptions) -> LazyHttp {
        LazyHttp { opts, client: OnceLock::new() }
    }

    pub fn get(&self) -> Result<&Http> {
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
