//! GitHub's release API: the asset list of a tag, with each asset's size and
//! the `digest` GitHub computed at upload. Each GitHub-shaped base asks its
//! own API (api.github.com, or an Enterprise host's `/api/v3`); the token is
//! sent there and only there, and only over https or to loopback. Downloads go
//! out without it, so it cannot follow a redirect to a CDN.

use reqwest::header::ACCEPT;

use super::http::{Auth, Http};
use crate::domain::mirror::{GithubRepo, redact, token_allowed};
use crate::domain::sums::{self, Sha256};

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Asset {
    pub(crate) name: String,
    pub(crate) size: Option<u64>,
    /// `None` when GitHub lists no digest (assets uploaded before it computed
    /// them); an error when the digest is malformed or of another algorithm.
    pub(crate) digest: Option<Result<Sha256, String>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ReleaseInfo {
    Found(Vec<Asset>),
    NoSuchRelease,
    /// The API could not answer (outage, rate limit past the wait, a login
    /// page): nothing can be said about the digest, which is not "none".
    Unavailable {
        url: String,
        reason: String,
    },
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

/// Ask `api` for the release `tag` of `repo` (after the retries the HTTP
/// client makes).
pub(crate) fn fetch_release(
    http: &Http,
    api: &str,
    repo: &GithubRepo,
    tag: &str,
    token: Option<&str>,
) -> ReleaseInfo {
    let url = release_url(api, repo, tag);
    let auth = match token {
        Some(t) if token_allowed(api) => Auth::Bearer(t),
        _ => Auth::Netrc,
    };
    let build = |r: reqwest::blocking::RequestBuilder| {
        r.header(ACCEPT, "application/vnd.github+json").header("X-GitHub-Api-Version", "2022-11-28")
    };
    let unavailable = |reason: String| ReleaseInfo::Unavailable { url: redact(&url), reason };
    match http.get_small(&url, auth, &build) {
        Ok(None) => ReleaseInfo::NoSuchRelease,
        Ok(Some(bytes)) => match serde_json::from_slice::<ApiRelease>(&bytes) {
            Ok(rel) => ReleaseInfo::Found(
                rel.assets
                    .into_iter()
                    .map(|a| Asset {
                        digest: a.digest.map(|d| sums::parse_digest(&d).map_err(|e| e.to_string())),
                        name: a.name,
                        size: a.size,
                    })
                    .collect(),
            ),
            Err(e) => unavailable(format!("it is not a release description ({e})")),
        },
        Err(e) => unavailable(super::http::failure_reason(&e)),
    }
}
