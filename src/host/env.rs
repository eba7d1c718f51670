//! A snapshot of the environment variables slim-setup reads, taken once in
//! `main` and passed down, so that tests can hand in their own without touching
//! the process environment.

use std::collections::HashMap;
use std::path::PathBuf;

#[derive(Debug, Clone, Default)]
pub struct Env {
    vars: HashMap<String, String>,
    /// Variables whose name or value is not UTF-8 (names made readable).
    not_text: Vec<String>,
}

/// Every variable slim-setup reads itself (clap reads its own `env =` ones,
/// reqwest the proxy ones). One of these that is not text cannot be used,
/// and dropping it would quietly change where slim-setup installs.
pub(crate) const READ: &[&str] = &[
    "CC",
    "CGO_ENABLED",
    "GH_TOKEN",
    "GITHUB_TOKEN",
    "GOARCH",
    "GOENV",
    "GOFLAGS",
    "GOMODCACHE",
    "GOOS",
    "GOPATH",
    "GOVERSION",
    "GOWORK",
    "HOME",
    "NETRC",
    "SLIM_BINDINGS_VERSION",
    "SLIM_SETUP_BACKOFF_MS",
    "SLIM_SETUP_GO_TIMEOUT",
    "SLIM_SETUP_MAX_WAIT",
    "USERPROFILE",
    "XDG_CACHE_HOME",
    "XDG_CONFIG_HOME",
];

impl Env {
    /// Never panics: `std::env::vars` does on a variable that is not UTF-8.
    pub fn from_process() -> Env {
        let mut env = Env::default();
        for (k, v) in std::env::vars_os() {
            match (k.into_string(), v.into_string()) {
                (Ok(k), Ok(v)) => {
                    env.vars.insert(k, v);
                }
                (k, _) => env.not_text.push(k.unwrap_or_else(|k| k.to_string_lossy().into_owned())),
            }
        }
        env
    }

    /// Fails on a variable slim-setup reads that is not text; others are
    /// none of its business.
    pub(crate) fn check_text(&self) -> crate::error::Result<()> {
        match self.not_text.iter().find(|k| READ.contains(&k.as_str())) {
            Some(k) => Err(crate::error::Error::EnvNotText(k.clone())),
            None => Ok(()),
        }
    }

    #[cfg(test)]
    pub(crate) fn from_pairs<I: IntoIterator<Item = (K, V)>, K: Into<String>, V: Into<String>>(
        pairs: I,
    ) -> Env {
        Env { vars: pairs.into_iter().map(|(k, v)| (k.into(), v.into())).collect(), not_text: Vec::new() }
    }

    /// A variable, treating empty as unset (as the go command does).
    pub(crate) fn get(&self, key: &str) -> Option<&str> {
        self.vars.get(key).map(String::as_str).filter(|v| !v.is_empty())
    }

    pub(crate) fn home(&self) -> Option<PathBuf> {
        self.get("HOME").or_else(|| self.get("USERPROFILE")).map(PathBuf::from)
    }

    /// The GitHub token, if any. Callers must never print it.
    pub(crate) fn github_token(&self) -> Option<&str> {
        self.get("GITHUB_TOKEN").or_else(|| self.get("GH_TOKEN"))
    }
}
