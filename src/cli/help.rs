//! Texts of `--version` and `--help`: the version line, with build.rs's facts.

/// The version line of `--version` and `slim-setup version`: the package
/// version, then the commit, its date and the target it was built for
/// (from build.rs; "unknown" outside a git checkout).
pub(crate) const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (", env!("SLIM_SETUP_BUILD_INFO"), ")");
