//! Checksum text formats: `SHA256SUMS` (GNU `sha256sum` output, or BSD
//! `SHA256 (name) = hex`), a lone `{asset}.sha256` file, GitHub's
//! `"sha256:<hex>"` digests and user-typed hex. Pure parsing.
//!
//! What a file says about the asset is one of three things: a digest,
//! nothing (the asset is not listed), or something broken (a line naming the
//! asset with a malformed digest, another algorithm, text that is not text).
//! Broken is an error, never "nothing": a check that quietly turns off is
//! worse than none.

use std::fmt;

/// A SHA-256 digest, always lower-case hex internally.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(into = "String", try_from = "String")]
pub(crate) struct Sha256([u8; 32]);

impl Sha256 {
    pub(crate) fn from_bytes(b: [u8; 32]) -> Sha256 {
        Sha256(b)
    }

    /// 64 hex digits, any case, optionally prefixed `sha256:` (any case).
    pub(crate) fn parse(text: &str) -> Option<Sha256> {
        let hex = text.trim();
        let hex = match hex.split_once(':') {
            Some((algo, rest)) if algo.eq_ignore_ascii_case("sha256") => rest,
            Some(_) => return None,
            None => hex,
        };
        if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let mut out = [0u8; 32];
        for (i, chunk) in hex.as_bytes().chunks(2).enumerate() {
            out[i] = u8::from_str_radix(std::str::from_utf8(chunk).ok()?, 16).ok()?;
        }
        Some(Sha256(out))
    }

    pub(crate) fn hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }
}

impl fmt::Display for Sha256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.hex())
    }
}

impl From<Sha256> for String {
    fn from(s: Sha256) -> String {
        s.hex()
    }
}

impl TryFrom<String> for Sha256 {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Sha256::parse(&s).ok_or_else(|| format!("'{s}' is not a sha256 digest"))
    }
}

/// Why a checksum text cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum SumsError {
    #[error(
        "malformed checksum file: line {line} names {asset} but its digest '{digest}' is not 64 hex digits"
    )]
    Malformed { line: usize, asset: String, digest: String },
    #[error("malformed checksum file: it gives {asset} two different digests")]
    Conflict { asset: String },
    #[error("malformed checksum file: no line of it is a checksum line")]
    NotSums,
    #[error("malformed checksum file: it is the file for {asset} but names {name}")]
    OtherFile { asset: String, name: String },
    #[error("malformed checksum file: it is not text (neither UTF-8 nor UTF-16 with a byte order mark)")]
    NotText,
    #[error("the digest '{0}' is not a sha256 digest (expected sha256:<64 hex digits>)")]
    Digest(String),
}

/// A GitHub API `digest` field: `sha256:<hex>` in any case. Another
/// algorithm or a malformed value is an error, not "no digest".
pub(crate) fn parse_digest(text: &str) -> Result<Sha256, SumsError> {
    Sha256::parse(text).ok_or_else(|| SumsError::Digest(text.to_string()))
}

/// The bytes of a checksum file as text: UTF-8 (a byte order mark dropped)
/// or UTF-16 with its byte order mark, as Windows tools write.
pub(crate) fn decode(bytes: &[u8]) -> Result<String, SumsError> {
    let utf16 = |le: bool| {
        let units: Vec<u16> = bytes[2..]
            .chunks_exact(2)
            .map(|c| if le { u16::from_le_bytes([c[0], c[1]]) } else { u16::from_be_bytes([c[0], c[1]]) })
            .collect();
        String::from_utf16(&units).map_err(|_| SumsError::NotText)
    };
    match bytes {
        [0xef, 0xbb, 0xbf, rest @ ..] => {
            std::str::from_utf8(rest).map(str::to_string).map_err(|_| SumsError::NotText)
        }
        [0xff, 0xfe, ..] => utf16(true),
        [0xfe, 0xff, ..] => utf16(false),
        _ => std::str::from_utf8(bytes).map(str::to_string).map_err(|_| SumsError::NotText),
    }
}

/// One line as (name, digest text): GNU `<hex>  <name>` / `<hex> *<name>`,
/// or BSD `ALGO (<name>) = <hex>`, whose digest comes back as `ALGO:<hex>`
/// so that another algorithm cannot pass for SHA-256. Names may carry a
/// leading `./` or a folder and are matched by their last part.
fn entry(line: &str) -> Option<(&str, String)> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return None;
    }
    let bsd = line.split_once('(').filter(|(algo, _)| {
        let algo = algo.trim_end();
        !algo.is_empty() && algo.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    });
    let (name, digest) = if let Some((algo, rest)) = bsd {
        let (name, digest) = rest.rsplit_once(')')?;
        (name, format!("{}:{}", algo.trim_end(), digest.trim_start().strip_prefix('=')?.trim()))
    } else {
        let (digest, name) = line.split_once(char::is_whitespace)?;
        (name.trim_start().trim_start_matches('*'), digest.to_string())
    };
    Some((name.rsplit(['/', '\\']).next().unwrap_or(name), digest))
}

/// Every well-formed entry of a `SHA256SUMS` text.
pub(crate) fn parse_sums(text: &str) -> Vec<(String, Sha256)> {
    text.lines().filter_map(entry).filter_map(|(n, d)| Some((n.to_string(), Sha256::parse(&d)?))).collect()
}

/// The digest for `asset` in a SHA256SUMS text: `Ok(None)` when the asset
/// is not listed. An error when a line names it with a digest that is not
/// SHA-256, when two lines give it different digests, and when the text
/// lists nothing at all (a login page or an error message served as 200 is
/// not "the asset is not listed").
pub(crate) fn find_in_sums(text: &str, asset: &str) -> Result<Option<Sha256>, SumsError> {
    let mut found = None;
    let mut any = false;
    for (i, line) in text.lines().enumerate() {
        let Some((name, digest)) = entry(line) else { continue };
        let parsed = Sha256::parse(&digest);
        any |= parsed.is_some();
        if name != asset {
            continue;
        }
        let digest =
            parsed.ok_or_else(|| SumsError::Malformed { line: i + 1, asset: asset.into(), digest })?;
        if found.is_some_and(|f| f != digest) {
            return Err(SumsError::Conflict { asset: asset.into() });
        }
        found = Some(digest);
    }
    let says_something = text.lines().any(|l| !l.trim().is_empty() && !l.trim().starts_with('#'));
    if found.is_none() && !any && says_something {
        return Err(SumsError::NotSums);
    }
    Ok(found)
}

/// A `{asset}.sha256` file: a bare digest, or one sha256sum (GNU or BSD) line
/// naming the asset. Anything else, a line naming another file included, is
/// an error: the file is there for this asset and says nothing usable.
pub(crate) fn parse_single(text: &str, asset: &str) -> Result<Sha256, SumsError> {
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("").trim();
    if let Some(digest) = Sha256::parse(first) {
        return Ok(digest);
    }
    match entry(first) {
        Some((name, digest)) if name == asset => Sha256::parse(&digest).ok_or_else(|| SumsError::Malformed {
            line: 1,
            asset: asset.into(),
            digest,
        }),
        Some((name, digest)) if Sha256::parse(&digest).is_some() => {
            Err(SumsError::OtherFile { asset: asset.into(), name: name.into() })
        }
        _ => Err(SumsError::NotSums),
    }
}

/// Render SHA256SUMS in sha256sum's format, sorted by name for stable diffs.
pub(crate) fn render_sums(entries: &[(String, Sha256)]) -> String {
    let mut sorted: Vec<_> = entries.to_vec();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    sorted.iter().map(|(n, d)| format!("{d}  {n}\n")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "a3f1c2d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90";
    const B: &str = "00000000000000000000000000000000000000000000000000000000000000ff";
    const GNU: &str = "slim-bindings-x86_64-unknown-linux-gnu.zip";

    #[test]
    fn digests_parse_from_every_spelling() {
        let d = Sha256::parse(A).unwrap();
        assert_eq!(d.hex(), A);
        assert_eq!(Sha256::parse(&A.to_uppercase()), Some(d));
        assert_eq!(Sha256::parse(&format!("sha256:{A}")), Some(d));
        assert_eq!(Sha256::parse(&format!("SHA256:{}", A.to_uppercase())), Some(d));
        for bad in
            ["", "abc", &A[1..], &format!("{}g", &A[1..]), &format!("md5:{A}"), &format!("+{}", &A[1..])]
        {
            assert_eq!(Sha256::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn api_digests_must_be_sha256_and_well_formed() {
        assert_eq!(parse_digest(&format!("SHA256:{}", A.to_uppercase())).unwrap().hex(), A);
        assert_eq!(parse_digest(A).unwrap().hex(), A);
        let table = [format!("sha256:{}", &A[1..]), format!("sha512:{A}{A}"), "sha256:".into(), "".into()];
        for bad in table {
            assert_eq!(parse_digest(&bad), Err(SumsError::Digest(bad.clone())), "{bad}");
        }
    }

    #[test]
    fn sums_files_in_every_shape() {
        let crlf = format!("{A}  {GNU}\r\n{B}  other.zip\r\n");
        let bsd = format!("SHA256 (./dist/{GNU}) = {A}\nSHA256 (other.zip) = {B}\n");
        let bom = [b"\xef\xbb\xbf".as_slice(), format!("{A} *{GNU}\n").as_bytes()].concat();
        let utf16: Vec<u8> = [0xff, 0xfe]
            .into_iter()
            .chain(format!("{A}  {GNU}\r\n").encode_utf16().flat_map(|u| u.to_le_bytes()))
            .collect();
        for (what, bytes) in
            [("crlf", crlf.into_bytes()), ("bsd", bsd.into_bytes()), ("bom", bom), ("utf16", utf16)]
        {
            let text = decode(&bytes).unwrap();
            assert_eq!(find_in_sums(&text, GNU), Ok(Sha256::parse(A)), "{what}");
        }
        let text = format!(
            "# comment\n{A}  {GNU}\n{B} *./dist/slim-bindings-aarch64-apple-darwin.zip\nnot a line\n"
        );
        assert_eq!(parse_sums(&text).len(), 2);
        assert_eq!(find_in_sums(&text, "slim-bindings-x86_64-apple-darwin.zip"), Ok(None));
        assert_eq!(decode(b"\xff\xff\xff"), Err(SumsError::NotText));
    }

    #[test]
    fn a_line_naming_the_asset_with_a_broken_digest_is_an_error_not_nothing() {
        let short = &A[1..];
        let err = find_in_sums(&format!("{B}  other.zip\n{short}  {GNU}\n"), GNU).unwrap_err();
        assert_eq!(err, SumsError::Malformed { line: 2, asset: GNU.into(), digest: short.into() });
        assert!(err.to_string().starts_with("malformed checksum file"));
        assert!(find_in_sums(&format!("SHA256 ({GNU}) = zz\n"), GNU).is_err());
        // A broken line about another file does not matter.
        assert_eq!(find_in_sums(&format!("zz  other.zip\n{A}  {GNU}\n"), GNU), Ok(Sha256::parse(A)));
    }

    #[test]
    fn single_files() {
        assert_eq!(parse_single(&format!("{A}\n"), "x.zip").unwrap().hex(), A);
        assert_eq!(parse_single(&format!("SHA256:{}\n", A.to_uppercase()), "x.zip").unwrap().hex(), A);
        assert_eq!(parse_single(&format!("{A}  x.zip\n"), "x.zip").unwrap().hex(), A);
        assert_eq!(parse_single(&format!("SHA256 (x.zip) = {A}\n"), "x.zip").unwrap().hex(), A);
        let other = SumsError::OtherFile { asset: "x.zip".into(), name: "y.zip".into() };
        assert_eq!(parse_single(&format!("{A}  y.zip\n"), "x.zip"), Err(other));
        assert!(parse_single(&A[3..], "x.zip").is_err());
        assert_eq!(parse_single("<!DOCTYPE html>\n<html>", "x.zip"), Err(SumsError::NotSums));
        assert!(parse_single(&format!("SHA512 (x.zip) = {A}{A}\n"), "x.zip").is_err());
    }

    #[test]
    fn sums_that_list_nothing_or_contradict_themselves_are_errors() {
        assert_eq!(
            find_in_sums("<!DOCTYPE html>\n<html><body>Sign in</body></html>\n", GNU),
            Err(SumsError::NotSums)
        );
        assert_eq!(find_in_sums("", GNU), Ok(None));
        assert_eq!(find_in_sums("# nothing yet\n", GNU), Ok(None));
        let twice = format!("{A}  a/{GNU}\n{B}  b/{GNU}\n");
        assert_eq!(find_in_sums(&twice, GNU), Err(SumsError::Conflict { asset: GNU.into() }));
        assert_eq!(find_in_sums(&format!("{A}  a/{GNU}\n{A}  b/{GNU}\n"), GNU), Ok(Sha256::parse(A)));
        let sha512 = format!("SHA512 ({GNU}) = {A}{A}\n{B}  other.zip\n");
        assert!(matches!(find_in_sums(&sha512, GNU), Err(SumsError::Malformed { line: 1, .. })));
    }

    #[test]
    fn render_is_sorted_and_round_trips() {
        let entries = vec![
            ("b.zip".to_string(), Sha256::parse(B).unwrap()),
            ("a.zip".into(), Sha256::parse(A).unwrap()),
        ];
        let text = render_sums(&entries);
        assert_eq!(text, format!("{A}  a.zip\n{B}  b.zip\n"));
        assert_eq!(parse_sums(&text).len(), 2);
    }
}
