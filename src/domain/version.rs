//! Versions of the Go bindings module: parsing (`v1.4.0` or `1.4.0`), ordering
//! (semver, pre-releases before releases), and recognising Go pseudo-versions,
//! which name a commit rather than a release and so have no published library.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Version(semver::Version);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum VersionError {
    #[error("'{0}' is not a version (expected something like v1.4.0 or 1.4.0)")]
    Invalid(String),
    #[error("{0} is a Go pseudo-version (a commit, not a release), so no prebuilt library exists for it")]
    Pseudo(String),
}

impl Version {
    /// Parse what a user or a go.mod wrote. Pseudo-versions are refused here so that
    /// no caller can go on to build a release URL for a commit.
    pub(crate) fn parse(text: &str) -> Result<Version, VersionError> {
        let trimmed = text.trim();
        let bare = trimmed.strip_prefix('v').unwrap_or(trimmed);
        let v = semver::Version::parse(bare).map_err(|_| VersionError::Invalid(text.trim().to_string()))?;
        if is_pseudo(&v) {
            return Err(VersionError::Pseudo(format!("v{v}")));
        }
        Ok(Version(v))
    }

    pub(crate) fn major(&self) -> u64 {
        self.0.major
    }

    /// Compare against a literal such as "1.3.0-rc.1"; for the layout table only.
    pub(crate) fn cmp_str(&self, other: &str) -> Ordering {
        let other = semver::Version::parse(other).expect("layout table holds valid versions");
        self.0.cmp_precedence(&other)
    }

    pub(crate) fn below(&self, other: &str) -> bool {
        self.cmp_str(other) == Ordering::Less
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "v{}", self.0)
    }
}

impl FromStr for Version {
    type Err = VersionError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Version::parse(s)
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.cmp_precedence(&other.0).then_with(|| self.0.cmp(&other.0))
    }
}

/// Go pseudo-versions end in `yyyymmddhhmmss-abcdefabcdef` (12 hex digits of a
/// commit), in one of three shapes: `v0.0.0-2024...`, `v1.2.4-0.2024...`, and
/// `v1.2.3-pre.0.2024...`.
fn is_pseudo(v: &semver::Version) -> bool {
    let pre = v.pre.as_str();
    let Some((stamp_part, hash)) = pre.rsplit_once('-') else { return false };
    let stamp = stamp_part.rsplit('.').next().unwrap_or(stamp_part);
    hash.len() == 12
        && hash.bytes().all(|b| b.is_ascii_hexdigit())
        && stamp.len() == 14
        && stamp.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_with_or_without_v() {
        for (text, shown) in [
            ("v1.4.0", "v1.4.0"),
            ("1.4.0", "v1.4.0"),
            (" v0.7.2 ", "v0.7.2"),
            ("v1.3.0-rc.3", "v1.3.0-rc.3"),
            ("v2.0.0-alpha.1", "v2.0.0-alpha.1"),
        ] {
            assert_eq!(Version::parse(text).unwrap().to_string(), shown);
        }
    }

    #[test]
    fn rejects_non_versions_and_pseudo_versions() {
        for text in ["", "latest", "v1.4", "(devel)", "1.4.0.0"] {
            assert!(matches!(Version::parse(text), Err(VersionError::Invalid(_))), "{text}");
        }
        for text in [
            "v0.0.0-20240101120000-abcdef123456",
            "v1.4.1-0.20240101120000-abcdef123456",
            "v1.3.0-rc.1.0.20240101120000-abcdef123456",
        ] {
            assert!(matches!(Version::parse(text), Err(VersionError::Pseudo(_))), "{text}");
        }
        // A pre-release that merely has dashes is not a pseudo-version.
        assert!(Version::parse("v1.0.0-rc-1").is_ok());
    }

    #[test]
    fn orders_pre_releases_before_releases() {
        let ordered = [
            "v0.7.2",
            "v0.7.10",
            "v1.0.0-rc.0",
            "v1.0.0",
            "v1.3.0-rc.1",
            "v1.3.0-rc.3",
            "v1.3.0-rc.10",
            "v1.3.0",
            "v2.0.0-alpha.1",
            "v2.0.0-alpha.2",
            "v2.1.0",
        ];
        for pair in ordered.windows(2) {
            let (a, b) = (Version::parse(pair[0]).unwrap(), Version::parse(pair[1]).unwrap());
            assert!(a < b, "{a} < {b}");
        }
        let v = Version::parse("v1.3.0-rc.1").unwrap();
        assert!(!v.below("1.3.0-rc.1") && v.below("1.3.0-rc.2") && v.below("1.3.0"));
    }
}
