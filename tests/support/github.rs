//! A fake GitHub release host on two loopback servers, shaped like the real
//! one (UPSTREAM.md, "GitHub release hosting"): `gh` answers release downloads
//! with a 302 to a signed-looking URL on `cdn` (another port, which serves the
//! bytes and honours Range) and serves the releases API with each asset's
//! `digest`. Tests assert on `gh`/`cdn` requests, e.g. that a token reached
//! the API but never the CDN.

use std::collections::BTreeMap;
use std::sync::Mutex;

use serde_json::{Value, json};

use super::server::{Fault, Route, Server};

/// Where the SLIM releases live up to v1.x (UPSTREAM.md).
pub const OWNER: &str = "agntcy";
pub const REPO: &str = "slim";

/// The release asset name for a triple: `slim-bindings-{triple}.zip`.
pub fn asset_name(triple: &str) -> String {
    format!("slim-bindings-{triple}.zip")
}

pub struct FakeGitHub {
    /// github.com and api.github.com in one: downloads and `/api/...`.
    pub gh: Server,
    /// The redirect target host that serves the bytes.
    pub cdn: Server,
    releases: Mutex<BTreeMap<(String, String, String), Release>>,
    /// Where the API lives on `gh`: `/api`, or GitHub Enterprise's `/api/v3`.
    api_prefix: &'static str,
}

#[derive(Default)]
struct Release {
    assets: Vec<Asset>,
    api_faults: Vec<Fault>,
}

struct Asset {
    name: String,
    size: usize,
    digest: Option<String>,
    /// Kept so `cdn_fault` can re-route without a second copy of the bytes.
    cdn_route: Route,
}

impl FakeGitHub {
    pub fn start() -> FakeGitHub {
        FakeGitHub::with_api_at("/api")
    }

    /// A GitHub Enterprise host: its API is `/api/v3` on the same host,
    /// which slim-setup finds from the base alone.
    pub fn start_enterprise() -> FakeGitHub {
        FakeGitHub::with_api_at("/api/v3")
    }

    /// `start_enterprise` with the host (not the CDN) listening on `ip`.
    pub fn start_enterprise_at(ip: std::net::IpAddr) -> FakeGitHub {
        let mut gh = FakeGitHub::with_api_at("/api/v3");
        gh.gh = Server::start_at(ip);
        gh.gh.fallback(not_found());
        gh
    }

    fn with_api_at(api_prefix: &'static str) -> FakeGitHub {
        let gh = Server::start();
        gh.fallback(not_found());
        FakeGitHub { gh, cdn: Server::start(), releases: Mutex::new(BTreeMap::new()), api_prefix }
    }

    /// `{gh}/{owner}/{repo}/releases/download`, the shape the tool treats as GitHub.
    pub fn base_url(&self, owner: &str, repo: &str) -> String {
        format!("{}/{owner}/{repo}/releases/download", self.gh.url())
    }
    /// For `--github-api-url` / `SLIM_SETUP_GITHUB_API_URL`.
    pub fn api_url(&self) -> String {
        format!("{}{}", self.gh.url(), self.api_prefix)
    }
    pub fn download_path(&self, owner: &str, repo: &str, tag: &str, asset: &str) -> String {
        format!("/{owner}/{repo}/releases/download/{tag}/{asset}")
    }
    pub fn download_url(&self, owner: &str, repo: &str, tag: &str, asset: &str) -> String {
        self.gh.url_for(&self.download_path(owner, repo, tag, asset))
    }
    pub fn api_path(&self, owner: &str, repo: &str, tag: &str) -> String {
        format!("{}/repos/{owner}/{repo}/releases/tags/{tag}", self.api_prefix)
    }
    /// The CDN path without its query (request counts ignore the query).
    pub fn cdn_path(&self, owner: &str, repo: &str, tag: &str, asset: &str) -> String {
        format!("/github-production-release-asset/{owner}/{repo}/{tag}/{asset}")
    }

    /// Publishes an asset with its correct `digest`.
    pub fn publish(&self, owner: &str, repo: &str, tag: &str, asset: &str, bytes: impl Into<Vec<u8>>) {
        let bytes = bytes.into();
        let digest = format!("sha256:{}", super::sha256_hex(&bytes));
        self.publish_with_digest(owner, repo, tag, asset, bytes, Some(digest));
    }
    /// Publishes an asset whose API `digest` is that of other bytes.
    pub fn publish_wrong_digest(
        &self,
        owner: &str,
        repo: &str,
        tag: &str,
        asset: &str,
        bytes: impl Into<Vec<u8>>,
    ) {
        let digest = format!("sha256:{}", super::sha256_hex(b"not the published bytes"));
        self.publish_with_digest(owner, repo, tag, asset, bytes.into(), Some(digest));
    }
    /// Publishes an asset whose API `digest` is `null` (older uploads).
    pub fn publish_without_digest(
        &self,
        owner: &str,
        repo: &str,
        tag: &str,
        asset: &str,
        bytes: impl Into<Vec<u8>>,
    ) {
        self.publish_with_digest(owner, repo, tag, asset, bytes.into(), None);
    }
    /// Publishes (or replaces) an asset with `digest` given verbatim
    /// (e.g. `Some("sha256:<hex>")`, `None` for null).
    pub fn publish_with_digest(
        &self,
        owner: &str,
        repo: &str,
        tag: &str,
        asset: &str,
        bytes: Vec<u8>,
        digest: Option<String>,
    ) {
        let size = bytes.len();
        let cdn_path = self.cdn_path(owner, repo, tag, asset);
        let cdn_route = Route::bytes(bytes).header("content-type", "application/octet-stream");
        self.cdn.route(cdn_path.clone(), cdn_route.clone());
        // Real CDN URLs are signed and expire: the query makes clients keep it.
        let location = format!("{}{cdn_path}?sp=r&sv=2018-11-09&sig=fake-signature", self.cdn.url());
        self.gh.route(self.download_path(owner, repo, tag, asset), Route::redirect(location));
        let mut releases = self.releases.lock().unwrap_or_else(|e| e.into_inner());
        let release = releases.entry(key(owner, repo, tag)).or_default();
        release.assets.retain(|a| a.name != asset);
        release.assets.push(Asset { name: asset.to_string(), size, digest, cdn_route });
        self.route_api(owner, repo, tag, release);
    }

    /// Makes the release's API answer misbehave (e.g. `Fault::rate_limited(403, reset)`).
    /// Set after publishing; publishing again keeps it but restarts its count.
    pub fn api_fault(&self, owner: &str, repo: &str, tag: &str, fault: Fault) {
        let mut releases = self.releases.lock().unwrap_or_else(|e| e.into_inner());
        let release = releases.entry(key(owner, repo, tag)).or_default();
        release.api_faults.push(fault);
        self.route_api(owner, repo, tag, release);
    }

    /// Makes the CDN misbehave for one published asset (faults accumulate).
    pub fn cdn_fault(&self, owner: &str, repo: &str, tag: &str, asset: &str, fault: Fault) {
        let mut releases = self.releases.lock().unwrap_or_else(|e| e.into_inner());
        let found = releases
            .get_mut(&key(owner, repo, tag))
            .and_then(|r| r.assets.iter_mut().find(|a| a.name == asset));
        let asset_entry =
            found.unwrap_or_else(|| panic!("cdn_fault: {owner}/{repo} {tag} {asset} is not published"));
        asset_entry.cdn_route = asset_entry.cdn_route.clone().fault(fault);
        self.cdn.route(self.cdn_path(owner, repo, tag, asset), asset_entry.cdn_route.clone());
    }

    /// The JSON the API serves for a release, as GitHub shapes it.
    pub fn release_json(&self, owner: &str, repo: &str, tag: &str) -> Option<Value> {
        let releases = self.releases.lock().unwrap_or_else(|e| e.into_inner());
        releases.get(&key(owner, repo, tag)).map(|r| self.render(owner, repo, tag, r))
    }

    fn route_api(&self, owner: &str, repo: &str, tag: &str, release: &Release) {
        let mut route = if release.assets.is_empty() {
            not_found()
        } else {
            Route::json(self.render(owner, repo, tag, release))
        };
        for fault in &release.api_faults {
            route = route.fault(fault.clone());
        }
        self.gh.route(self.api_path(owner, repo, tag), route);
    }

    fn render(&self, owner: &str, repo: &str, tag: &str, release: &Release) -> Value {
        let api = format!("{}/repos/{owner}/{repo}", self.api_url());
        let assets: Vec<Value> = release
            .assets
            .iter()
            .enumerate()
            .map(|(i, a)| {
                json!({
                    "url": format!("{api}/releases/assets/{}", 1000 + i),
                    "id": 1000 + i,
                    "name": a.name,
                    "label": "",
                    "content_type": "application/zip",
                    "state": "uploaded",
                    "size": a.size,
                    "digest": a.digest,
                    "download_count": 0,
                    "browser_download_url": self.download_url(owner, repo, tag, &a.name),
                })
            })
            .collect();
        let prerelease = ["-rc", "-alpha", "-beta"].iter().any(|p| tag.contains(p));
        json!({
            "url": format!("{api}/releases/1"),
            "html_url": format!("{}/{owner}/{repo}/releases/tag/{tag}", self.gh.url()),
            "id": 1,
            "tag_name": tag,
            "name": tag,
            "draft": false,
            "prerelease": prerelease,
            "assets": assets,
        })
    }
}

fn key(owner: &str, repo: &str, tag: &str) -> (String, String, String) {
    (owner.to_string(), repo.to_string(), tag.to_string())
}

/// GitHub's 404 body for unknown releases, tags and paths.
fn not_found() -> Route {
    Route::json(json!({
        "message": "Not Found",
        "documentation_url": "https://docs.github.com/rest/releases/releases#get-a-release-by-tag-name",
        "status": "404"
    }))
    .with_status(404)
}
