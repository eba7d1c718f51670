//! The target table: Go platform (GOOS/GOARCH/libc) <-> Rust triple <-> library name.
//!
//! Pure data and lookups. Every pair outside the table is an error that names the
//! supported pairs; there is deliberately no "closest match" fallback (the old tool
//! mapped every unknown arch to x86_64 and produced binaries that could not link).

use std::fmt;
use std::str::FromStr;

/// The C library a Linux target is built against. Other OSes have one each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Libc {
    Gnu,
    Musl,
}

impl fmt::Display for Libc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Libc::Gnu => "gnu",
            Libc::Musl => "musl",
        })
    }
}

impl FromStr for Libc {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "gnu" | "glibc" => Ok(Libc::Gnu),
            "musl" => Ok(Libc::Musl),
            other => Err(format!("unknown libc '{other}' (expected gnu or musl)")),
        }
    }
}

/// One row of the target table.
#[derive(Debug, PartialEq, Eq, Hash)]
pub(crate) struct Target {
    pub(crate) goos: &'static str,
    pub(crate) goarch: &'static str,
    /// `Some` only on Linux, where gnu and musl builds both exist.
    pub(crate) libc: Option<Libc>,
    pub(crate) triple: &'static str,
}

/// Every target a release publishes and Go can link through cgo.
pub(crate) static TARGETS: [Target; 7] = [
    Target { goos: "linux", goarch: "amd64", libc: Some(Libc::Gnu), triple: "x86_64-unknown-linux-gnu" },
    Target { goos: "linux", goarch: "arm64", libc: Some(Libc::Gnu), triple: "aarch64-unknown-linux-gnu" },
    Target { goos: "linux", goarch: "amd64", libc: Some(Libc::Musl), triple: "x86_64-unknown-linux-musl" },
    Target { goos: "linux", goarch: "arm64", libc: Some(Libc::Musl), triple: "aarch64-unknown-linux-musl" },
    Target { goos: "darwin", goarch: "amd64", libc: None, triple: "x86_64-apple-darwin" },
    Target { goos: "darwin", goarch: "arm64", libc: None, triple: "aarch64-apple-darwin" },
    Target { goos: "windows", goarch: "amd64", libc: Some(Libc::Gnu), triple: "x86_64-pc-windows-gnu" },
];

/// Why a platform cannot be served.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum PlatformError {
    #[error("no prebuilt SLIM library for {goos}/{goarch}{}; supported: {}", libc_suffix(.libc), supported_pairs())]
    Unsupported { goos: String, goarch: String, libc: Option<Libc> },
    #[error(
        "'{triple}' is not a target the SLIM releases publish for Go; supported: {}",
        supported_triples()
    )]
    UnknownTriple { triple: String },
    #[error("'{triple}' is not a valid target triple ({reason}); supported: {}", supported_triples())]
    InvalidTriple { triple: String, reason: String },
}

fn libc_suffix(libc: &Option<Libc>) -> String {
    libc.map(|l| format!(" ({l})")).unwrap_or_default()
}

/// "linux/amd64 (gnu, musl), linux/arm64 (gnu, musl), darwin/amd64, ..."
pub(crate) fn supported_pairs() -> String {
    let mut out: Vec<String> = Vec::new();
    for t in &TARGETS {
        let pair = t.pair();
        if out.iter().any(|p| p.starts_with(&pair)) {
            continue;
        }
        let libcs: Vec<String> = TARGETS
            .iter()
            .filter(|o| o.goos == t.goos && o.goarch == t.goarch)
            .filter_map(|o| o.libc.map(|l| l.to_string()))
            .collect();
        if t.goos == "linux" {
            out.push(format!("{pair} ({})", libcs.join(", ")));
        } else {
            out.push(pair);
        }
    }
    out.join(", ")
}

pub(crate) fn supported_triples() -> String {
    TARGETS.iter().map(|t| t.triple).collect::<Vec<_>>().join(", ")
}

impl Target {
    /// Look up a Go platform. `libc` only matters on Linux; `None` there means gnu.
    pub(crate) fn from_go(
        goos: &str,
        goarch: &str,
        libc: Option<Libc>,
    ) -> Result<&'static Target, PlatformError> {
        let wanted_libc = match goos {
            "linux" => Some(libc.unwrap_or(Libc::Gnu)),
            "windows" => Some(Libc::Gnu),
            _ => None,
        };
        // A musl request for windows/darwin is a user error, not something to ignore.
        let libc_ok = goos == "linux" || libc.is_none() || libc == wanted_libc;
        TARGETS
            .iter()
            .find(|t| libc_ok && t.goos == goos && t.goarch == goarch && t.libc == wanted_libc)
            .ok_or_else(|| PlatformError::Unsupported { goos: goos.into(), goarch: goarch.into(), libc })
    }

    /// Look up a Rust triple, checked for well-formedness by target-lexicon first so
    /// that a typo gets "not a valid triple" rather than "not supported".
    pub(crate) fn from_triple(triple: &str) -> Result<&'static Target, PlatformError> {
        if let Some(t) = TARGETS.iter().find(|t| t.triple == triple) {
            return Ok(t);
        }
        match target_lexicon::Triple::from_str(triple) {
            Err(e) => Err(PlatformError::InvalidTriple { triple: triple.into(), reason: e.to_string() }),
            Ok(_) => Err(PlatformError::UnknownTriple { triple: triple.into() }),
        }
    }

    /// The target whose own library a `-l` name links: `slim_bindings_x86_64_linux_gnu`
    /// is x86_64-unknown-linux-gnu (the name alone cannot tell a musl build that links it).
    pub(crate) fn from_lib_stem(stem: &str) -> Option<&'static Target> {
        TARGETS.iter().find(|t| lib_stem(t.triple) == stem)
    }

    /// The same GOOS/GOARCH with the other C library, where a release has one.
    pub(crate) fn with_libc(&'static self, libc: Libc) -> &'static Target {
        match self.libc {
            Some(l) if l != libc && self.goos == "linux" => {
                Target::from_go(self.goos, self.goarch, Some(libc)).unwrap_or(self)
            }
            _ => self,
        }
    }

    /// `libslim_bindings_x86_64_linux_gnu.a`: the file inside the release zip.
    pub(crate) fn lib_file(&self) -> String {
        format!("lib{}.a", lib_stem(self.triple))
    }

    /// The `-l` name cgo links for this platform in every published version: Linux
    /// always asks for the `_gnu` library, also when the C toolchain is musl.
    pub(crate) fn cgo_link_name(&self) -> String {
        match self.libc {
            Some(Libc::Musl) => lib_stem(&self.triple.replace("-musl", "-gnu")),
            _ => lib_stem(self.triple),
        }
    }

    /// `slim-bindings-x86_64-unknown-linux-gnu.zip`: the release asset.
    pub(crate) fn asset_name(&self) -> String {
        asset_name(self.triple)
    }

    /// The extra flags every published cgo line adds for this OS, needed when
    /// linking through CGO_LDFLAGS instead of the module's own directives.
    pub(crate) fn extra_ldflags(&self) -> &'static [&'static str] {
        match self.goos {
            "linux" => &["-lm"],
            "darwin" => &["-Wl,-undefined,dynamic_lookup"],
            "windows" => &[
                "-lws2_32",
                "-lbcrypt",
                "-ladvapi32",
                "-luserenv",
                "-lntdll",
                "-lgcc_eh",
                "-lgcc",
                "-lkernel32",
                "-lole32",
            ],
            _ => &[],
        }
    }

    pub(crate) fn pair(&self) -> String {
        format!("{}/{}", self.goos, self.goarch)
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.triple)
    }
}

pub(crate) fn asset_name(triple: &str) -> String {
    format!("slim-bindings-{triple}.zip")
}

/// The release workflow's name rule: split the triple on `-` and keep fields 1, 3
/// and 4, dropping the vendor. (`aarch64-apple-darwin` -> `slim_bindings_aarch64_darwin`.)
pub(crate) fn lib_stem(triple: &str) -> String {
    let fields: Vec<&str> = triple.split('-').collect();
    let mut kept: Vec<&str> = vec![fields[0]];
    kept.extend(fields.iter().skip(2).copied());
    format!("slim_bindings_{}", kept.join("_"))
}

/// Names a library for `triple` may carry inside a zip besides the right one: the
/// vendor-keeping spellings the old tool looked for, so a mirror that repackaged the
/// library under such a name still installs under the name cgo wants.
pub(crate) fn lib_file_aliases(triple: &str) -> Vec<String> {
    let with_vendor = format!("libslim_bindings_{}.a", triple.replace('-', "_"));
    let without_unknown =
        format!("libslim_bindings_{}.a", triple.replace("-unknown-", "-").replace('-', "_"));
    let mut out = vec![with_vendor];
    if !out.contains(&without_unknown) {
        out.push(without_unknown);
    }
    out
}

/// Release triples Go cannot link through cgo, whose archives sit beside the others.
const NON_GO_TRIPLES: [&str; 2] = ["x86_64-pc-windows-msvc", "aarch64-pc-windows-msvc"];

/// What marks a zip entry as another target's when installing for `triple`:
/// every other triple a release publishes, and its library's stems (the
/// release's spelling and the old tooling's).
pub(crate) fn other_target_names(triple: &str) -> Vec<String> {
    let stem = |file: &str| file.trim_start_matches("lib").trim_end_matches(".a").to_string();
    TARGETS
        .iter()
        .map(|t| t.triple)
        .chain(NON_GO_TRIPLES)
        .filter(|t| *t != triple)
        .flat_map(|t| {
            let mut names = vec![t.to_string(), lib_stem(t)];
            names.extend(lib_file_aliases(t).iter().map(|a| stem(a)));
            names
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_go_platform_maps_to_its_triple_and_library() {
        let table = [
            (
                "linux",
                "amd64",
                None,
                "x86_64-unknown-linux-gnu",
                "libslim_bindings_x86_64_linux_gnu.a",
                "slim_bindings_x86_64_linux_gnu",
            ),
            (
                "linux",
                "arm64",
                Some(Libc::Gnu),
                "aarch64-unknown-linux-gnu",
                "libslim_bindings_aarch64_linux_gnu.a",
                "slim_bindings_aarch64_linux_gnu",
            ),
            (
                "linux",
                "amd64",
                Some(Libc::Musl),
                "x86_64-unknown-linux-musl",
                "libslim_bindings_x86_64_linux_musl.a",
                "slim_bindings_x86_64_linux_gnu",
            ),
            (
                "linux",
                "arm64",
                Some(Libc::Musl),
                "aarch64-unknown-linux-musl",
                "libslim_bindings_aarch64_linux_musl.a",
                "slim_bindings_aarch64_linux_gnu",
            ),
            (
                "darwin",
                "amd64",
                None,
                "x86_64-apple-darwin",
                "libslim_bindings_x86_64_darwin.a",
                "slim_bindings_x86_64_darwin",
            ),
            (
                "darwin",
                "arm64",
                None,
                "aarch64-apple-darwin",
                "libslim_bindings_aarch64_darwin.a",
                "slim_bindings_aarch64_darwin",
            ),
            (
                "windows",
                "amd64",
                None,
                "x86_64-pc-windows-gnu",
                "libslim_bindings_x86_64_windows_gnu.a",
                "slim_bindings_x86_64_windows_gnu",
            ),
            (
                "windows",
                "amd64",
                Some(Libc::Gnu),
                "x86_64-pc-windows-gnu",
                "libslim_bindings_x86_64_windows_gnu.a",
                "slim_bindings_x86_64_windows_gnu",
            ),
        ];
        for (goos, goarch, libc, triple, file, link) in table {
            let t = Target::from_go(goos, goarch, libc).unwrap();
            assert_eq!(t.triple, triple, "{goos}/{goarch}");
            assert_eq!(t.lib_file(), file);
            assert_eq!(t.cgo_link_name(), link);
            assert_eq!(Target::from_triple(triple).unwrap(), t);
            assert_eq!(t.asset_name(), format!("slim-bindings-{triple}.zip"));
            assert_eq!(Target::from_lib_stem(&lib_stem(triple)), Some(t));
        }
        assert_eq!(Target::from_lib_stem("slim_bindings_riscv64_linux_gnu"), None);
        let gnu = Target::from_triple("aarch64-unknown-linux-gnu").unwrap();
        assert_eq!(gnu.with_libc(Libc::Musl).triple, "aarch64-unknown-linux-musl");
        assert_eq!(gnu.with_libc(Libc::Gnu), gnu);
        let windows = Target::from_triple("x86_64-pc-windows-gnu").unwrap();
        assert_eq!(windows.with_libc(Libc::Musl), windows, "no musl windows target");
    }

    #[test]
    fn unsupported_pairs_are_errors_naming_the_supported_ones() {
        let table = [
            ("windows", "arm64", None),
            ("linux", "386", None),
            ("freebsd", "amd64", None),
            ("linux", "riscv64", None),
            ("darwin", "arm64", Some(Libc::Musl)),
            ("windows", "amd64", Some(Libc::Musl)),
            ("js", "wasm", None),
        ];
        for (goos, goarch, libc) in table {
            let err = Target::from_go(goos, goarch, libc).unwrap_err();
            let msg = err.to_string();
            assert!(msg.contains(&format!("{goos}/{goarch}")), "{msg}");
            assert!(msg.contains("linux/amd64 (gnu, musl)"), "{msg}");
            assert!(msg.contains("windows/amd64"), "{msg}");
        }
    }

    #[test]
    fn triples_are_validated_then_looked_up() {
        assert!(matches!(
            Target::from_triple("x86_64-pc-windows-msvc"),
            Err(PlatformError::UnknownTriple { .. })
        ));
        assert!(matches!(
            Target::from_triple("riscv64gc-unknown-linux-gnu"),
            Err(PlatformError::UnknownTriple { .. })
        ));
        assert!(matches!(Target::from_triple("not a triple"), Err(PlatformError::InvalidTriple { .. })));
    }

    #[test]
    fn name_rule_drops_the_vendor_field() {
        let table = [
            ("x86_64-unknown-linux-gnu", "slim_bindings_x86_64_linux_gnu"),
            ("aarch64-apple-darwin", "slim_bindings_aarch64_darwin"),
            ("x86_64-pc-windows-gnu", "slim_bindings_x86_64_windows_gnu"),
            ("x86_64-pc-windows-msvc", "slim_bindings_x86_64_windows_msvc"),
        ];
        for (triple, stem) in table {
            assert_eq!(lib_stem(triple), stem);
        }
        assert_eq!(
            lib_file_aliases("aarch64-apple-darwin"),
            vec!["libslim_bindings_aarch64_apple_darwin.a".to_string()]
        );
        assert_eq!(
            lib_file_aliases("x86_64-unknown-linux-gnu"),
            vec![
                "libslim_bindings_x86_64_unknown_linux_gnu.a".to_string(),
                "libslim_bindings_x86_64_linux_gnu.a".to_string()
            ]
        );
    }

    #[test]
    fn supported_pairs_lists_each_pair_once() {
        assert_eq!(
            supported_pairs(),
            "linux/amd64 (gnu, musl), linux/arm64 (gnu, musl), darwin/amd64, darwin/arm64, windows/amd64"
        );
    }

    #[test]
    fn names_of_other_targets_never_include_this_one() {
        for t in &TARGETS {
            let others = other_target_names(t.triple);
            let own = [t.triple.to_string(), lib_stem(t.triple)];
            assert!(own.iter().all(|o| !others.contains(o)), "{}", t.triple);
            for alias in lib_file_aliases(t.triple) {
                assert!(
                    !others.contains(&alias.trim_start_matches("lib").trim_end_matches(".a").to_string())
                );
            }
        }
        let gnu = other_target_names("x86_64-unknown-linux-gnu");
        for want in [
            "x86_64-unknown-linux-musl",
            "slim_bindings_x86_64_linux_musl",
            "slim_bindings_x86_64_unknown_linux_musl",
            "slim_bindings_x86_64_windows_msvc",
        ] {
            assert!(gnu.contains(&want.to_string()), "{want}");
        }
    }
}
