//! A snapshot of the environment variables slim-setup reads, taken once in
//! `main` and passed down, so that tests can hand in their own without touching
//! the process environment.

use std::collections::HashMap;
use std::path::PathBuf;

#[derive(Debug, Clone, Default)]
pub struct Env {
    vars: HashMap<String, String>,
}

impl Env {
    pub fn from_process() -> Env {
        Env { vars: std::env::vars().collect() }
    }

    #[cfg(test)]
    pub(crate) fn from_pairs<I: IntoIterator<Item = (K, V)>, K: Into<String>, V: Into<String>>(
        pairs: I,
    ) -> Env {
        Env { vars: pairs.into_iter().map(|(k, v)| (k.into(), v.into())).collect() }
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
