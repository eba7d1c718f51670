//! Where archives come from: the `--base-url` list parsed into typed bases, with
//! the scheme rules (https anywhere, http only to loopback unless allowed,
//! file:// and folders for offline mirrors) and GitHub recognition.

use std::path::PathBuf;

use reqwest::Url;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct GithubRepo {
    pub(crate) owner: String,
    pub(crate) repo: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Base {
    Http { url: String, github: Option<GithubRepo> },
    Dir(PathBuf),
}

impl Base {
    pub(crate) fn display(&self) -> String {
        match self {
            Base::Http { url, .. } => url.clone(),
            Base::Dir(p) => p.display().to_string(),
        }
    }

    /// Where an asset (or checksum file) of a tag lives under this base.
    pub(crate) fn locate(&self, tag: &str, file: &str) -> String {
        match self {
            Base::Http { url, .. } => super::layout::asset_url(url, tag, file),
            Base::Dir(p) => p.join(tag).join(file).display().to_string(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum BaseList {
    /// `off`: never download.
    Off,
    Chain(Vec<Base>),
}

pub(crate) fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host == "localhost" || host.parse::<std::net::IpAddr>().map(|ip| ip.is_loopback()).unwrap_or(false)
}

/// `https://{host}/{owner}/{repo}/releases/download` is a GitHub-style base.
fn github_repo(url: &Url) -> Option<GithubRepo> {
    let segs: Vec<&str> = url.path_segments()?.filter(|s| !s.is_empty()).collect();
    match segs.as_slice() {
        [owner, repo, "releases", "download"] => {
            Some(GithubRepo { owner: owner.to_string(), repo: repo.to_string() })
        }
        _ => None,
    }
}

pub(crate) fn parse_base(text: &str, allow_http: bool) -> Result<Base, String> {
    let text = text.trim();
    if let Some(path) = text.strip_prefix("file://") {
        return Ok(Base::Dir(PathBuf::from(path)));
    }
    let Some((scheme, _)) = text.split_once("://") else {
        return Ok(Base::Dir(PathBuf::from(text)));
    };
    let url = Url::parse(text).map_err(|e| format!("'{text}' is not a valid URL: {e}"))?;
    match scheme {
        "https" => {}
        "http" if allow_http || url.host_str().is_some_and(is_loopback) => {}
        "http" => {
            return Err(format!(
                "refusing plain http to '{}': use https, or pass --allow-http if you trust the network",
                url.host_str().unwrap_or("")
            ));
        }
        other => {
            return Err(format!(
                "unsupported scheme '{other}://' in '{text}' (use https://, http://, file:// or a folder)"
            ));
        }
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(format!("'{text}' has a query or fragment; a base URL is a folder"));
    }
    let github = github_repo(&url);
    Ok(Base::Http { url: text.trim_end_matches('/').to_string(), github })
}

/// A comma-separated list, tried in order, like GOPROXY; `off` alone disables downloads.
pub(crate) fn parse_base_list(text: &str, allow_http: bool) -> Result<BaseList, String> {
    let parts: Vec<&str> = text.split(',').map(str::trim).filter(|p| !p.is_empty()).collect();
    if parts.is_empty() {
        return Err("--base-url is empty".into());
    }
    if parts == ["off"] {
        return Ok(BaseList::Off);
    }
    if parts.contains(&"off") {
        return Err("'off' cannot be combined with other base URLs".into());
    }
    parts.iter().map(|p| parse_base(p, allow_http)).collect::<Result<_, _>>().map(BaseList::Chain)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes_and_shapes() {
        let gh = |o: &str, r: &str| Some(GithubRepo { owner: o.into(), repo: r.into() });
        let table: &[(&str, bool, Result<Base, ()>)] = &[
            (
                "https://github.com/agntcy/slim/releases/download",
                false,
                Ok(Base::Http {
                    url: "https://github.com/agntcy/slim/releases/download".into(),
                    github: gh("agntcy", "slim"),
                }),
            ),
            (
                "https://ghe.corp/o/r/releases/download/",
                false,
                Ok(Base::Http { url: "https://ghe.corp/o/r/releases/download".into(), github: gh("o", "r") }),
            ),
            (
                "https://mirror.example.com/slim",
                false,
                Ok(Base::Http { url: "https://mirror.example.com/slim".into(), github: None }),
            ),
            (
                "http://127.0.0.1:8080/m",
                false,
                Ok(Base::Http { url: "http://127.0.0.1:8080/m".into(), github: None }),
            ),
            ("http://localhost/m", false, Ok(Base::Http { url: "http://localhost/m".into(), github: None })),
            (
                "http://[::1]:9/o/r/releases/download",
                false,
                Ok(Base::Http { url: "http://[::1]:9/o/r/releases/download".into(), github: gh("o", "r") }),
            ),
            ("http://mirror.lan/m", false, Err(())),
            ("http://mirror.lan/m", true, Ok(Base::Http { url: "http://mirror.lan/m".into(), github: None })),
            ("ftp://x/y", false, Err(())),
            ("https://x/y?token=1", false, Err(())),
            ("file:///srv/mirror", false, Ok(Base::Dir("/srv/mirror".into()))),
            ("./examples/mirror", false, Ok(Base::Dir("./examples/mirror".into()))),
        ];
        for (text, allow, want) in table {
            let got = parse_base(text, *allow);
            match want {
                Ok(b) => assert_eq!(got.as_ref(), Ok(b), "{text}"),
                Err(()) => assert!(got.is_err(), "{text}: {got:?}"),
            }
        }
    }

    #[test]
    fn lists_and_off() {
        assert_eq!(parse_base_list("off", false), Ok(BaseList::Off));
        assert!(parse_base_list("off,https://x", false).is_err());
        assert!(parse_base_list(" , ", false).is_err());
        let BaseList::Chain(c) = parse_base_list("https://a/m, /srv/m", false).unwrap() else { panic!() };
        assert_eq!(c.len(), 2);
        assert_eq!(c[1].locate("t", "a.zip"), "/srv/m/t/a.zip");
        assert_eq!(c[0].locate("t", "a.zip"), "https://a/m/t/a.zip");
    }
}
