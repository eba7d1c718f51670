//! Where archives come from: the `--base-url` list parsed into typed bases,
//! with the scheme rules (https anywhere, http only to loopback unless
//! allowed, file:// and folders for offline mirrors, nothing else), GitHub
//! recognition (github.com or an Enterprise host, each with its own API), where
//! a token may be sent, and how a URL is shown without its password.

use std::path::PathBuf;

use reqwest::Url;

pub(crate) const GITHUB_API: &str = "https://api.github.com";

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct GithubRepo {
    pub(crate) owner: String,
    pub(crate) repo: String,
    /// The releases API this base belongs to: api.github.com for github.com,
    /// `{scheme}://{host}/api/v3` for a GitHub Enterprise host.
    pub(crate) api: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Base {
    /// `url` as given, credentials included: it is used for requests only;
    /// `display` is what may be shown.
    Http {
        url: String,
        github: Option<GithubRepo>,
    },
    Dir(PathBuf),
}

impl Base {
    /// The base as it may be shown: a password in it becomes `***`.
    pub(crate) fn display(&self) -> String {
        match self {
            Base::Http { url, .. } => redact(url),
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

/// `url` with its password (if any) replaced by `***`, for every message,
/// report and manifest. Text that is not a URL is returned as it is.
pub(crate) fn redact(url: &str) -> String {
    match Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_string(),
    }
}

/// A URL for --verbose: redacted, and without its query, which on a signed
/// CDN URL is a credential too.
pub(crate) fn for_log(url: &str) -> String {
    match Url::parse(&redact(url)) {
        Ok(mut u) if u.query().is_some() => {
            u.set_query(None);
            format!("{u}?...")
        }
        _ => redact(url),
    }
}

/// May a GitHub token go to this API URL? Only over https, or to loopback
/// (a local test server or an SSH tunnel): never in clear over a network.
pub(crate) fn token_allowed(api: &str) -> bool {
    Url::parse(api).is_ok_and(|u| u.scheme() == "https" || u.host_str().is_some_and(is_loopback))
}

/// `{host}/{owner}/{repo}/releases/download` is a GitHub-style base; its API
/// is api.github.com on github.com and `/api/v3` on any other (Enterprise) host.
fn github_repo(url: &Url) -> Option<GithubRepo> {
    let segs: Vec<&str> = url.path_segments()?.filter(|s| !s.is_empty()).collect();
    let [owner, repo, "releases", "download"] = segs.as_slice() else { return None };
    let host = url.host_str()?;
    let api = if host.eq_ignore_ascii_case("github.com") {
        GITHUB_API.to_string()
    } else {
        let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
        format!("{}://{host}{port}/api/v3", url.scheme())
    };
    Some(GithubRepo { owner: owner.to_string(), repo: repo.to_string(), api })
}

/// The scheme of `text`, if it starts with one (`https:`, `FILE:`,
/// `javascript:`), and not a Windows drive (`C:\`).
fn scheme_of(text: &str) -> Option<&str> {
    let (scheme, _) = text.split_once(':')?;
    let valid = scheme.len() > 1
        && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
    valid.then_some(scheme)
}

pub(crate) fn parse_base(text: &str, allow_http: bool) -> Result<Base, String> {
    let text = text.trim();
    let Some(scheme) = scheme_of(text) else {
        return Ok(Base::Dir(PathBuf::from(text)));
    };
    let url = Url::parse(text).map_err(|e| format!("'{}' is not a valid URL: {e}", redact(text)))?;
    match url.scheme() {
        "file" => {
            // `file:///abs`, `file://localhost/abs`, percent escapes decoded.
            let local = url.host_str().is_none_or(|h| h.is_empty() || h.eq_ignore_ascii_case("localhost"));
            return match (local, url.to_file_path()) {
                (true, Ok(path)) => Ok(Base::Dir(path)),
                _ => Err(format!(
                    "'{text}' is not a local file URL (use file:///path or file://localhost/path)"
                )),
            };
        }
        "https" => {}
        "http" if allow_http || url.host_str().is_some_and(is_loopback) => {}
        "http" => {
            return Err(format!(
                "refusing plain http to '{}': use https, or pass --allow-http if you trust the network",
                url.host_str().unwrap_or("")
            ));
        }
        _ => {
            return Err(format!(
                "unsupported scheme '{scheme}:' in '{}' (use https://, http://, file:// or a folder)",
                redact(text)
            ));
        }
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(format!("'{}' has a query or fragment; a base URL is a folder", redact(text)));
    }
    let github = github_repo(&url);
    Ok(Base::Http { url: url.as_str().trim_end_matches('/').to_string(), github })
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

    fn http(url: &str, github: Option<GithubRepo>) -> Result<Base, ()> {
        Ok(Base::Http { url: url.into(), github })
    }

    #[test]
    fn schemes_and_shapes() {
        let gh = |o: &str, r: &str, api: &str| {
            Some(GithubRepo { owner: o.into(), repo: r.into(), api: api.into() })
        };
        let table: &[(&str, bool, Result<Base, ()>)] = &[
            (
                "https://github.com/agntcy/slim/releases/download",
                false,
                http("https://github.com/agntcy/slim/releases/download", gh("agntcy", "slim", GITHUB_API)),
            ),
            (
                "HTTPS://GitHub.com/agntcy/slim/releases/download/",
                false,
                http("https://github.com/agntcy/slim/releases/download", gh("agntcy", "slim", GITHUB_API)),
            ),
            // GitHub Enterprise: the base's own host answers the API.
            (
                "https://ghe.corp/o/r/releases/download/",
                false,
                http("https://ghe.corp/o/r/releases/download", gh("o", "r", "https://ghe.corp/api/v3")),
            ),
            ("https://mirror.example.com/slim", false, http("https://mirror.example.com/slim", None)),
            ("http://127.0.0.1:8080/m", false, http("http://127.0.0.1:8080/m", None)),
            ("HTTP://localhost/m", false, http("http://localhost/m", None)),
            (
                "http://[::1]:9/o/r/releases/download",
                false,
                http("http://[::1]:9/o/r/releases/download", gh("o", "r", "http://[::1]:9/api/v3")),
            ),
            ("http://mirror.lan/m", false, Err(())),
            ("http://mirror.lan/m", true, http("http://mirror.lan/m", None)),
            ("ftp://x/y", false, Err(())),
            ("javascript:alert(1)", false, Err(())),
            ("data:text/plain,x", false, Err(())),
            ("https://x/y?token=1", false, Err(())),
            ("file:///srv/mirror", false, Ok(Base::Dir("/srv/mirror".into()))),
            ("FILE://localhost/srv/my%20mirror", false, Ok(Base::Dir("/srv/my mirror".into()))),
            ("file://otherhost/srv/mirror", false, Err(())),
            ("./examples/mirror", false, Ok(Base::Dir("./examples/mirror".into()))),
            ("/srv/a:b", false, Ok(Base::Dir("/srv/a:b".into()))),
        ];
        for (text, allow, want) in table {
            let got = parse_base(text, *allow);
            match want {
                Ok(b) => assert_eq!(got.as_ref(), Ok(b), "{text}"),
                Err(()) => assert!(got.is_err(), "{text}: {got:?}"),
            }
        }
        let err = parse_base("javascript:alert(1)", false).unwrap_err();
        assert!(err.contains("unsupported scheme 'javascript:'"), "{err}");
    }

    #[test]
    fn passwords_never_show_and_tokens_go_only_where_they_belong() {
        let b = parse_base("https://bob:s3cret@mirror.corp/slim", false).unwrap();
        assert_eq!(b.display(), "https://bob:***@mirror.corp/slim");
        assert!(b.locate("t", "a.zip").contains("s3cret"), "requests still carry it");
        assert_eq!(redact("https://bob:s3cret@m/x.zip"), "https://bob:***@m/x.zip");
        assert_eq!(redact("https://bob@m/x"), "https://bob@m/x");
        assert_eq!(redact("/srv/mirror"), "/srv/mirror");
        let err = parse_base("ftp://bob:s3cret@x/y", false).unwrap_err();
        assert!(!err.contains("s3cret"), "{err}");
        for (api, ok) in [
            ("https://api.github.com", true),
            ("https://ghe.corp/api/v3", true),
            ("http://127.0.0.1:9/api", true),
            ("http://ghe.corp/api/v3", false),
            ("not a url", false),
        ] {
            assert_eq!(token_allowed(api), ok, "{api}");
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
