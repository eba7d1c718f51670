//! `slim-bindings.sum`, the team pinning file beside go.mod: one line per
//! version and triple with the archive's verified sha256, like go.sum. Pure
//! parsing and rendering; sorted output so diffs stay small.

use std::collections::BTreeMap;

use super::sums::Sha256;

pub(crate) const FILE_NAME: &str = "slim-bindings.sum";

const HEADER: &str = "# slim-bindings.sum: sha256 of the SLIM bindings release archives this module builds with.\n\
# Written by `slim-setup install --lock`; commit it beside go.mod. slim-setup refuses an archive that differs.\n";

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct SumFile {
    /// (version, triple) -> digest
    pub(crate) entries: BTreeMap<(String, String), Sha256>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file} line {line}: expected 'VERSION TRIPLE sha256:HEX'")]
pub(crate) struct SumFileError {
    pub(crate) file: String,
    pub(crate) line: usize,
}

impl SumFile {
    pub(crate) fn parse(text: &str, file: &str) -> Result<SumFile, SumFileError> {
        let mut entries = BTreeMap::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let parts: Vec<&str> = line.split_whitespace().collect();
            let err = || SumFileError { file: file.into(), line: i + 1 };
            let [version, triple, digest] = parts.as_slice() else { return Err(err()) };
            let digest = Sha256::parse(digest).ok_or_else(err)?;
            entries.insert((version.to_string(), triple.to_string()), digest);
        }
        Ok(SumFile { entries })
    }

    pub(crate) fn get(&self, version: &str, triple: &str) -> Option<Sha256> {
        self.entries.get(&(version.to_string(), triple.to_string())).copied()
    }

    pub(crate) fn render(&self) -> String {
        let mut s = HEADER.to_string();
        for ((v, t), d) in &self.entries {
            s += &format!("{v} {t} sha256:{d}\n");
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "a3f1c2d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90";

    #[test]
    fn round_trip_sorted() {
        let mut f = SumFile::default();
        f.entries.insert(("v1.4.0".into(), "x86_64-unknown-linux-gnu".into()), Sha256::parse(A).unwrap());
        f.entries.insert(("v1.4.0".into(), "aarch64-apple-darwin".into()), Sha256::parse(A).unwrap());
        let text = f.render();
        let lines: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
        assert_eq!(
            lines,
            vec![
                format!("v1.4.0 aarch64-apple-darwin sha256:{A}"),
                format!("v1.4.0 x86_64-unknown-linux-gnu sha256:{A}")
            ]
        );
        assert_eq!(SumFile::parse(&text, "f").unwrap(), f);
        assert_eq!(f.get("v1.4.0", "aarch64-apple-darwin").unwrap().hex(), A);
        assert_eq!(f.get("v1.3.0", "aarch64-apple-darwin"), None);
    }

    #[test]
    fn bad_lines_name_the_line() {
        let err = SumFile::parse(&format!("# c\nv1.4.0 x sha256:{A}\nv1.4.0 x\n"), "slim-bindings.sum")
            .unwrap_err();
        assert_eq!(err.line, 3);
        assert!(SumFile::parse("v1 t sha256:zz", "f").is_err());
    }
}
