//! Checksum text formats: `SHA256SUMS` (sha256sum output), a lone `{asset}.sha256`
//! file, GitHub's `"sha256:<hex>"` digests and user-typed hex. Pure parsing.

use std::fmt;

/// A SHA-256 digest, always lower-case hex internally.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(into = "String", try_from = "String")]
pub(crate) struct Sha256([u8; 32]);

impl Sha256 {
    pub(crate) fn from_bytes(b: [u8; 32]) -> Sha256 {
        Sha256(b)
    }

    /// 64 hex digits, any case, optionally prefixed `sha256:`.
    pub(crate) fn parse(text: &str) -> Option<Sha256> {
        let hex = text.trim();
        let hex = hex.strip_prefix("sha256:").unwrap_or(hex);
        if hex.len() != 64 {
            return None;
        }
        let mut out = [0u8; 32];
        for (i, chunk) in hex.as_bytes().chunks(2).enumerate() {
            let s = std::str::from_utf8(chunk).ok()?;
            out[i] = u8::from_str_radix(s, 16).ok()?;
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

/// Entries of a `SHA256SUMS` file: `<hex>  <name>` or `<hex> *<name>` (binary
/// mode); names may carry a leading `./` or folder, matched by their last part.
pub(crate) fn parse_sums(text: &str) -> Vec<(String, Sha256)> {
    text.lines()
        .filter_map(|line| {
            let line = line.trim();
            if line.starts_with('#') {
                return None;
            }
            let (hex, name) = line.split_once(char::is_whitespace)?;
            let name = name.trim_start().trim_start_matches('*');
            let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
            Some((base.to_string(), Sha256::parse(hex)?))
        })
        .collect()
}

/// The digest for `asset` in a SHA256SUMS file.
pub(crate) fn find_in_sums(text: &str, asset: &str) -> Option<Sha256> {
    parse_sums(text).into_iter().find(|(n, _)| n == asset).map(|(_, d)| d)
}

/// A `{asset}.sha256` file: either a bare digest or one sha256sum line.
pub(crate) fn parse_single(text: &str, asset: &str) -> Option<Sha256> {
    let first = text.split_whitespace().next()?;
    let named = text.split_whitespace().nth(1).map(|n| n.trim_start_matches('*'));
    match named {
        Some(n) if n.rsplit('/').next() != Some(asset) => None,
        _ => Sha256::parse(first),
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

    #[test]
    fn digests_parse_from_every_spelling() {
        let d = Sha256::parse(A).unwrap();
        assert_eq!(d.hex(), A);
        assert_eq!(Sha256::parse(&A.to_uppercase()), Some(d));
        assert_eq!(Sha256::parse(&format!("sha256:{A}")), Some(d));
        for bad in ["", "abc", &A[1..], &format!("{}g", &A[1..]), &format!("md5:{A}")] {
            assert_eq!(Sha256::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn sums_files() {
        let text = format!(
            "# comment\n{A}  slim-bindings-x86_64-unknown-linux-gnu.zip\n{B} *./dist/slim-bindings-aarch64-apple-darwin.zip\nnot a line\n"
        );
        assert_eq!(find_in_sums(&text, "slim-bindings-x86_64-unknown-linux-gnu.zip").unwrap().hex(), A);
        assert_eq!(find_in_sums(&text, "slim-bindings-aarch64-apple-darwin.zip").unwrap().hex(), B);
        assert_eq!(find_in_sums(&text, "slim-bindings-x86_64-apple-darwin.zip"), None);
        assert_eq!(parse_sums(&text).len(), 2);
    }

    #[test]
    fn single_files() {
        assert_eq!(parse_single(&format!("{A}\n"), "x.zip").unwrap().hex(), A);
        assert_eq!(parse_single(&format!("{A}  x.zip\n"), "x.zip").unwrap().hex(), A);
        assert_eq!(parse_single(&format!("{A}  y.zip\n"), "x.zip"), None);
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
