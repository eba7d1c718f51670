//! The one checksum verdict, for install and mirror alike. A digest the user
//! or the project pinned (`--sha256`, slim-bindings.sum) outranks what a
//! base publishes; a mismatch installs nothing; when the base said nothing is
//! published, `--require-checksum` refuses and otherwise the archive is taken
//! unverified, and said so; when the base could not say (its lookup failed),
//! the install stops unless a pin vouches: a check never switches itself off.
//! Pure: the digests come in, a verdict goes out.

use crate::domain::sums::Sha256;
use crate::error::{Error, Result};
use crate::net::sources::{Checksum, Published};

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
pub(crate) fn expected<'a>(pinned: Option<&'a Published>, checksum: &'a Checksum) -> Option<&'a Published> {
    pinned.or(checksum.published())
}

/// Judge an archive whose bytes were read in full; also what the user
/// should be told beside the verdict (a lookup a pin made unnecessary).
pub(crate) fn decide(
    asset: &str,
    pinned: Option<&Published>,
    checksum: &Checksum,
    actual: Sha256,
    policy: Policy,
) -> Result<(Verdict, Option<String>)> {
    let mismatch = |e: &Published| Error::ChecksumMismatch {
        asset: asset.into(),
        expected: e.digest,
        actual,
        from: e.from.clone(),
    };
    if let Some(pin) = pinned {
        if pin.digest != actual {
            return Err(mismatch(pin));
        }
        let note = match checksum {
            Checksum::Published(p) if p.digest != actual => Some(format!(
                "warning: {} says {}, but the bytes match {} and that pin is what counts",
                p.from, p.digest, pin.from
            )),
            Checksum::Unavailable { url, reason } => Some(format!(
                "note: {url} could not be read ({reason}); {} vouches for the archive",
                pin.from
            )),
            _ => None,
        };
        return Ok((Verdict::Verified { by: pin.from.clone() }, note));
    }
    if let Some(refused) = unvouched(asset, checksum, policy) {
        return Err(refused);
    }
    match checksum {
        Checksum::Published(p) if p.digest != actual => Err(mismatch(p)),
        Checksum::Published(p) => Ok((Verdict::Verified { by: p.from.clone() }, None)),
        _ => Ok((Verdict::Unverified, None)),
    }
}

/// What `decide` refuses whatever the bytes are, asked as soon as the
/// checksum is known and before a byte is read: a refusal that does not
/// depend on the archive costs no download.
pub(crate) fn refuse_early(
    asset: &str,
    pinned: Option<&Published>,
    checksum: &Checksum,
    policy: Policy,
) -> Result<()> {
    match pinned {
        Some(_) => Ok(()),
        None => unvouched(asset, checksum, policy).map_or(Ok(()), Err),
    }
}

/// With no pin: a checksum that could not be read, or none published when
/// one is required.
fn unvouched(asset: &str, checksum: &Checksum, policy: Policy) -> Option<Error> {
    match checksum {
        Checksum::Unavailable { url, reason } => {
            Some(Error::ChecksumUnavailable { asset: asset.into(), url: url.clone(), reason: reason.clone() })
        }
        Checksum::NonePublished(why) if policy.require_checksum => {
            Some(Error::ChecksumRequired { asset: asset.into(), why: Some(why.clone()) })
        }
        _ => None,
    }
}

/// An archive the extractor refused: when its digest is not the expected
/// one either, the checksum mismatch is what really happened (a corrupt or
/// tampered download), so that is the error. `actual` reads the rest of the
/// bytes; it is only asked when there is something to compare. An ambiguous
/// archive is refused as that, with no further reading: its trailing bytes
/// may be endless.
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
        let sums = Checksum::Published(p(2, "SHA256SUMS"));
        let none = Checksum::NonePublished("no SHA256SUMS".into());
        let down = Checksum::Unavailable { url: "https://m/SHA256SUMS".into(), reason: "500".into() };
        // (pinned, what the base says, actual, policy) -> verified by / error kind
        type Row<'a> = (Option<&'a Published>, &'a Checksum, u8, Policy, &'a str);
        let table: [Row; 10] = [
            (Some(&pin), &sums, 1, lax, "verified:--sha256"),
            (Some(&pin), &sums, 2, lax, "mismatch:--sha256"),
            (Some(&pin), &down, 1, strict, "verified:--sha256"),
            (None, &sums, 2, strict, "verified:SHA256SUMS"),
            (None, &sums, 3, lax, "mismatch:SHA256SUMS"),
            (None, &none, 3, lax, "unverified"),
            (None, &none, 3, strict, "required"),
            // A lookup that failed is never "nothing published".
            (None, &down, 3, lax, "unavailable"),
            (None, &down, 3, strict, "unavailable"),
            (Some(&pin), &none, 1, strict, "verified:--sha256"),
        ];
        for (pinned, checksum, actual, policy, want) in table {
            let got = match decide("a.zip", pinned, checksum, d(actual), policy) {
                Ok((Verdict::Verified { by }, _)) => format!("verified:{by}"),
                Ok((Verdict::Unverified, _)) => "unverified".into(),
                Err(Error::ChecksumMismatch { from, .. }) => format!("mismatch:{from}"),
                Err(Error::ChecksumRequired { why, .. }) => {
                    assert_eq!(why.as_deref(), Some("no SHA256SUMS"));
                    "required".into()
                }
                Err(Error::ChecksumUnavailable { url, .. }) => {
                    assert_eq!(url, "https://m/SHA256SUMS");
                    "unavailable".into()
                }
                Err(e) => panic!("{e}"),
            };
            assert_eq!(got, want, "{pinned:?} {checksum:?} {actual}");
            // What does not depend on the bytes is refused before any is read, and only that.
            let early = refuse_early("a.zip", pinned, checksum, policy).is_err();
            assert_eq!(early, matches!(want, "required" | "unavailable"), "{pinned:?} {checksum:?}");
        }
        let (_, note) = decide("a.zip", Some(&pin), &down, d(1), lax).unwrap();
        assert!(note.unwrap().contains("could not be read (500); --sha256 vouches"));
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
