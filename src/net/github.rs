//! GitHub's release API: the asset list of a tag, with each asset's size and the
//! `digest` GitHub computed at upload. The token (if any) is sent here and only
//! here; downloads go out without it, so it cannot follow a redirect to a CDN.

use reqwest::header::{ACCEPT, AUTHORIZATION};

use super::http::Http;
use crate::domain::mirror::GithubRepo;
use crate::domain::sums::Sha256;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Asset {
    pub(crate) name: String,
    pub(crate) size: Option<u64>,
    pub(crate) digest: Option<Sha256>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ReleaseInfo {
    Found(Vec<Asset>),
    NoSuchRelease,
    /// The API could not answer (rate limit, outage); the download may still work.
    Unavailable(String),
}

#[derive(serde::Deserialize)]
struct ApiRelease {
    assets: Vec<ApiAsset>,
}

#[derive(serde::Deserialize)]
struct ApiAsset {
    name: String,
    size: Option<u64>,
    digest: Option<String>,
}

pub(crate) fn release_url(api: &str, repo: &GithubRepo, tag: &str) -> String {
    format!("{}/repos/{}/{}/releases/tags/{tag}", api.trim_end_matches('/'), repo.owner, repo.repo)
}

pub(crate) fn fetch_release(
    http: &Http,
    api: &str,
    repo: &GithubRepo,
    tag: &str,
    token: Option<&str>,
) -> ReleaseInfo {
    let url = release_url(api, repo, tag);
    let auth = token.map(|t| format!("Bearer {t}"));
    let build = |r: reqwest::blocking::RequestBuilder| {
        let r = r.header(ACCEPT, "application/vnd.github+json").header("X-GitHub-Api-Version", "2022-11-28");
        match &auth {
            Some(a) => r.header(AUTHORIZATION, a.as_str()),
            None => r,
        }
    };
    match http.get_small(&url, &build) {
        Ok(None) => ReleaseInfo::NoSuchRelease,
        Ok(Some(bytes)) => match serde_json::from_slice::<ApiRelease>(&bytes) {
            Ok(rel) => ReleaseInfo::Found(
                rel.assets
                    .into_iter()
                    .map(|a| Asset {
                        digest: a.digest.as_deref().and_then(Sha256::parse),
                        name: a.name,
                        size: a.size,
                    })
                    .collect(),
            ),
            Err(e) => ReleaseInfo::Unavailable(format!("unexpected answer from {url}: {e}")),
        },
        Err(e) => ReleaseInfo::Unavailable(match e.hint() {
            Some(hint) => format!("{e}; {hint}"),
            None => e.to_string(),
        }),
    }
}
