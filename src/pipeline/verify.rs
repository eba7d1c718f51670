//! The one checksum verdict, for install and mirror alike. A digest the user
//! or the project pinned (`--sha256`, slim-bindings.sum) outranks what a
//! server publishes; a mismatch installs nothing; with nothing to compare,
//! `--require-checksum` refuses, and otherwise the archive is taken
//! unverified and said so. Pure: the digests come in, a verdict goes out.

use crate::domain::sums::Sha256;
use crate::error::{Error, Result};
use crate::net::sources::Published;

#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Policy {
    pub(crate) require_checksum: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// The archive's digest is the one `by` names.
    Verified { by: String },
    /// Nothing vouched for it (allowed by the policy).
    Unverified,
}

impl Verdict {
    pub(crate) fn by(&self) -> Option<&str> {
        match self {
            Verdict::Verified { by } => Some(by),
            Verdict::Unverified => None,
        }
    }
}

/// The digest the archive must have, if any: pinned first, then published.
pub(crate) fn expected<'a>(
    pinned: Option<&'a Published>,
    published: Option<&'a Published>,
) -> Option<&'a Published> {
    pinned.or(published)
}

/// Judge an archive whose bytes were read in full. `why_none` says why
/// nothing was published, for the error `--require-checksum` gives.
pub(crate) fn decide(
    asset: &str,
    pinned: Option<&Published>,
    published: Option<&Published>,
    actual: Sha256,
    policy: Policy,
    why_none: Option<&str>,
) -> Result<Verdict> {
    match expected(pinned, published) {
        Some(e) if e.digest != actual => Err(Error::ChecksumMismatch {
            asset: asset.into(),
            expected: e.digest,
            actual,
            from: e.from.clone(),
        }),
        Some(e) => Ok(Verdict::Verified { by: e.from.clone() }),
        None if policy.require_checksum => {
            Err(Error::ChecksumRequired { asset: asset.into(), why: why_none.map(str::to_string) })
        }
        None => Ok(Verdict::Unverified),
    }
}

/// An archive the extractor refused: when its digest is not the expected
/// one either, the checksum mismatch is what really happened (a corrupt or
/// tampered download), so that is the error. `actual` reads the rest of the
/// bytes; it is only asked when there is something to compare.
pub(crate) fn explain(
    refused: Error,
    asset: &str,
    expected: Option<&Published>,
    actual: impl FnOnce() -> Option<Sha256>,
) -> Error {
    let archive_fault = matches!(
        refused,
        Error::Archive { .. } | Error::Library { .. } | Error::MissingLibrary { .. } | Error::UnsafeName(_)
    );
    match expected {
        Some(e) if archive_fault => match actual() {
            Some(got) if got != e.digest => Error::ChecksumMismatch {
                asset: asset.into(),
                expected: e.digest,
                actual: got,
                from: e.from.clone(),
            },
            _ => refused,
        },
        _ => refused,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(b: u8) -> Sha256 {
        Sha256::from_bytes([b; 32])
    }

    fn p(b: u8, from: &str) -> Published {
        Published { digest: d(b), from: from.into() }
    }

    #[test]
    fn verdicts() {
        let strict = Policy { require_checksum: true };
        let lax = Policy::default();
        let pin = p(1, "--sha256");
        let sums = p(2, "SHA256SUMS");
        // (pinned, published, actual, policy) -> verified by / error kind
        type Row<'a> = (Option<&'a Published>, Option<&'a Published>, u8, Policy, &'a str);
        let table: [Row; 7] = [
            (Some(&pin), Some(&sums), 1, lax, "verified:--sha256"),
            (Some(&pin), Some(&sums), 2, lax, "mismatch:--sha256"),
            (None, Some(&sums), 2, strict, "verified:SHA256SUMS"),
            (None, Some(&sums), 3, lax, "mismatch:SHA256SUMS"),
            (None, None, 3, lax, "unverified"),
            (None, None, 3, strict, "required"),
            (Some(&pin), None, 1, strict, "verified:--sha256"),
        ];
        for (pinned, published, actual, policy, want) in table {
            let got = match decide("a.zip", pinned, published, d(actual), policy, Some("nothing published")) {
                Ok(Verdict::Verified { by }) => format!("verified:{by}"),
                Ok(Verdict::Unverified) => "unverified".into(),
                Err(Error::ChecksumMismatch { from, .. }) => format!("mismatch:{from}"),
                Err(Error::ChecksumRequired { why, .. }) => {
                    assert_eq!(why.as_deref(), Some("nothing published"));
                    "required".into()
                }
                Err(e) => panic!("{e}"),
            };
            assert_eq!(got, want, "{pinned:?} {published:?} {actual}");
        }
    }

    #[test]
    fn a_refused_archive_with_a_wrong_digest_is_a_mismatch() {
        let archive = || Error::Archive { asset: "a.zip".into(), reason: "it ends early".into() };
        let sums = p(2, "SHA256SUMS");
        let err = explain(archive(), "a.zip", Some(&sums), || Some(d(9)));
        assert!(matches!(err, Error::ChecksumMismatch { .. }), "{err}");
        let err = explain(archive(), "a.zip", Some(&sums), || Some(d(2)));
        assert!(matches!(err, Error::Archive { .. }), "right digest, bad archive: {err}");
        // Nothing to compare: the rest of the bytes are not even read.
        let err = explain(archive(), "a.zip", None, || panic!("read"));
        assert!(matches!(err, Error::Archive { .. }));
        let err = explain(Error::Restart { url: "u".into() }, "a.zip", Some(&sums), || panic!("read"));
        assert!(matches!(err, Error::Restart { .. }));
    }
}
