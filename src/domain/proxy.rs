//! Which proxy a URL goes through, decided from the environment the way
//! reqwest (and curl) read it, so that slim-setup can say so: "via proxy
//! http://proxy:3128 (from HTTPS_PROXY)". The lowercase spelling wins over
//! the uppercase one; `ALL_PROXY` is the fallback; `NO_PROXY` lists hosts,
//! domains (with or without a leading dot) and `*` that go direct.

/// The variables read, in order of precedence per scheme.
pub(crate) const VARS: &[&str] = &[
    "https_proxy",
    "HTTPS_PROXY",
    "http_proxy",
    "HTTP_PROXY",
    "all_proxy",
    "ALL_PROXY",
    "no_proxy",
    "NO_PROXY",
];

/// `(variable, proxy URL)` for a request to `scheme://host`, if any.
pub(crate) fn proxy_for<'a>(
    scheme: &str,
    host: &str,
    env: &'a [(String, String)],
) -> Option<(&'a str, &'a str)> {
    let get = |name: &str| {
        env.iter().find(|(k, v)| k == name && !v.is_empty()).map(|(k, v)| (k.as_str(), v.as_str()))
    };
    let no_proxy = get("no_proxy").or_else(|| get("NO_PROXY")).map(|(_, v)| v).unwrap_or("");
    if bypassed(host, no_proxy) {
        return None;
    }
    let own: &[&str] = match scheme {
        "https" => &["https_proxy", "HTTPS_PROXY"],
        "http" => &["http_proxy", "HTTP_PROXY"],
        _ => &[],
    };
    own.iter().chain(&["all_proxy", "ALL_PROXY"]).find_map(|v| get(v))
}

fn bypassed(host: &str, no_proxy: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']').to_ascii_lowercase();
    no_proxy.split(',').map(str::trim).filter(|e| !e.is_empty()).any(|entry| {
        let entry = entry.to_ascii_lowercase();
        let domain = entry.trim_start_matches("*.").trim_start_matches('.');
        entry == "*" || host == domain || host.ends_with(&format!(".{domain}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn the_proxy_of_each_scheme_and_the_hosts_that_go_direct() {
        let e = env(&[
            ("HTTPS_PROXY", "http://upper:1"),
            ("https_proxy", "http://lower:1"),
            ("HTTP_PROXY", "http://plain:2"),
            ("ALL_PROXY", "socks5://all:3"),
            ("NO_PROXY", "localhost, .corp.example,mirror.test,*.svc"),
        ]);
        let table = [
            ("https", "github.com", Some(("https_proxy", "http://lower:1"))),
            ("http", "github.com", Some(("HTTP_PROXY", "http://plain:2"))),
            ("ftp", "github.com", Some(("ALL_PROXY", "socks5://all:3"))),
            ("https", "localhost", None),
            ("https", "a.corp.example", None),
            ("https", "corp.example", None),
            ("https", "mirror.test", None),
            ("https", "x.svc", None),
            ("https", "notcorp.example", Some(("https_proxy", "http://lower:1"))),
        ];
        for (scheme, host, want) in table {
            assert_eq!(proxy_for(scheme, host, &e), want, "{scheme}://{host}");
        }
        assert_eq!(proxy_for("https", "x", &env(&[("NO_PROXY", "*"), ("HTTPS_PROXY", "http://p")])), None);
        assert_eq!(proxy_for("https", "x", &env(&[("HTTPS_PROXY", "")])), None);
    }
}
