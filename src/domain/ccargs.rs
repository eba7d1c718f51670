//! A C compiler's command line as the go command hands it to the `cc` front,
//! read purely: whether a call is one at all (and Go's probes of CC's first
//! word), the `-L` folders, the `-lslim_bindings_*` names, `-o`, zig's and
//! clang's `-target`, the bindings module folder and version a `-L` names,
//! and the `_gnu` -> `_musl` rewrite.
//!
//! In a link line the `-L` folders are the module's directive with
//! `${SRCDIR}` already expanded:
//! `-L$GOMODCACHE/github.com/agntcy/slim-bindings-go@v1.4.0/../../../../../.cgo-cache/slim-bindings/v1.4.0`.

use std::ffi::OsString;
use std::path::{Component, Path, PathBuf};

use super::layout::{MODULE_V1, MODULE_V2};

/// What a `-l` argument that asks for the SLIM library starts with.
pub(crate) const LINK_PREFIX: &str = "-lslim_bindings_";
const NAME_PREFIX: &str = "slim_bindings_";

/// Whether the front has anything to do for these compiler arguments: some
/// `-l` names the SLIM library (`-lslim_bindings_x` or `-l slim_bindings_x`).
/// Everything else goes straight to the compiler.
pub(crate) fn asks_for_library(args: &[OsString]) -> bool {
    args.iter().enumerate().any(|(i, a)| {
        let a = a.as_encoded_bytes();
        a.starts_with(LINK_PREFIX.as_bytes())
            || (a == b"-l"
                && args.get(i + 1).is_some_and(|n| n.as_encoded_bytes().starts_with(NAME_PREFIX.as_bytes())))
    })
}

/// The language of a probe the go command and its linker run with only the
/// first word of `CC` (so without `cc REAL_CC`): cmd/go's compiler ID
/// (`-### -x c -c -`) and cmd/link's flag checks (`... -o $TMP/a.out FLAG
/// $TMP/trivial.c`). `Some("c")`, `Some("c++")`, ... for those shapes only.
pub(crate) fn go_probe(args: &[OsString]) -> Option<String> {
    let text: Vec<&str> = args.iter().map(|a| a.to_str()).collect::<Option<_>>()?;
    if let ["-###", "-x", lang, "-c", "-"] = text.as_slice() {
        return Some(lang.to_string());
    }
    let last = Path::new(text.last()?).file_name()?.to_str()?;
    let probe = matches!(last, "trivial.c" | "loadcfg_test.c") && text.contains(&"-o");
    probe.then(|| "c".to_string())
}

/// The real compiler of a `CC` value that runs the front
/// (`/x/slim-setup cc [--] gcc -m64`): the words after `cc`. `None` when the
/// value runs something else, or the front with no compiler.
pub(crate) fn front_compiler(cc: &str) -> Option<Vec<String>> {
    let words = super::cgo::split_args(cc);
    let name = Path::new(words.first()?).file_name()?.to_str()?;
    if !matches!(name, "slim-setup" | "slim-setup.exe") || words.get(1).map(String::as_str) != Some("cc") {
        return None;
    }
    let rest = match words.get(2).map(String::as_str) {
        Some("--") => &words[3..],
        _ => &words[2..],
    };
    (!rest.is_empty()).then(|| rest.to_vec())
}

/// The command that is the compiler itself (`gcc`, `zig cc`, `ccache gcc`):
/// the first word and the ones after it up to the first option.
pub(crate) fn compiler_words(args: &[String]) -> &[String] {
    let end = args.iter().skip(1).position(|a| a.starts_with('-')).map_or(args.len(), |p| p + 1);
    &args[..end]
}

/// `-target T`, `--target T`, `-target=T` or `--target=T` (zig cc, clang).
pub(crate) fn target_arg(args: &[String]) -> Option<&str> {
    args.iter().enumerate().find_map(|(i, a)| {
        match a.strip_prefix("--target=").or_else(|| a.strip_prefix("-target=")) {
            Some(v) => Some(v),
            None if a == "-target" || a == "--target" => args.get(i + 1).map(String::as_str),
            None => None,
        }
    })
}

/// One `-l` argument asking for the SLIM library.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LinkArg {
    /// Where the name is: the `-lNAME` argument, or the one after a lone `-l`.
    pub(crate) index: usize,
    pub(crate) joined: bool,
    /// `slim_bindings_x86_64_linux_gnu`.
    pub(crate) name: String,
}

/// The parts of a compiler command line the front decides from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct LinkLine {
    /// Every `-L` folder, in order, as written (`-Lx` and `-L x`).
    pub(crate) lib_dirs: Vec<String>,
    pub(crate) links: Vec<LinkArg>,
    /// `-o FILE`.
    pub(crate) output: Option<String>,
}

impl LinkLine {
    pub(crate) fn parse(args: &[String]) -> LinkLine {
        let mut line = LinkLine::default();
        let mut i = 0;
        while i < args.len() {
            let a = &args[i];
            let next = args.get(i + 1);
            match a.as_str() {
                "-L" => line.lib_dirs.extend(next.cloned()),
                "-o" => line.output = next.cloned(),
                "-l" => {
                    if let Some(name) = next.filter(|n| n.starts_with(NAME_PREFIX)) {
                        line.links.push(LinkArg { index: i + 1, joined: false, name: name.clone() });
                    }
                }
                _ => {
                    if let Some(dir) = a.strip_prefix("-L") {
                        line.lib_dirs.push(dir.to_string());
                    } else if let Some(name) = a.strip_prefix("-l").filter(|n| n.starts_with(NAME_PREFIX)) {
                        line.links.push(LinkArg { index: i, joined: true, name: name.to_string() });
                    }
                    i += 1;
                    continue;
                }
            }
            i += 2;
        }
        line
    }

    /// The one library name the line asks for; `Err` naming both when two
    /// `-l` arguments ask for different ones.
    pub(crate) fn link_name(&self) -> Result<Option<&str>, String> {
        let mut names = self.links.iter().map(|l| l.name.as_str());
        let Some(first) = names.next() else { return Ok(None) };
        match names.find(|n| *n != first) {
            Some(other) => Err(format!("the link asks for both -l{first} and -l{other}")),
            None => Ok(Some(first)),
        }
    }

    /// The go command's `_cgo_.o` link: a check for internal linking whose
    /// failure Go tolerates and whose output it discards.
    pub(crate) fn is_cgo_check(&self) -> bool {
        self.output.as_deref().and_then(|o| Path::new(o).file_name()).is_some_and(|n| n == "_cgo_.o")
    }
}

/// `args` with every SLIM `-l` argument naming `name` instead.
pub(crate) fn rewrite(args: &[OsString], line: &LinkLine, name: &str) -> Vec<OsString> {
    let mut out = args.to_vec();
    for l in &line.links {
        out[l.index] = if l.joined { format!("-l{name}") } else { name.to_string() }.into();
    }
    out
}

/// The bindings module's folder in the module cache, as a `-L` names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ModuleFolder {
    /// `$GOMODCACHE/github.com/agntcy/slim-bindings-go@v1.4.0` (or `.../v2@v2.1.0`).
    pub(crate) dir: PathBuf,
    /// `$GOMODCACHE`.
    pub(crate) modcache: PathBuf,
    pub(crate) module_path: &'static str,
    /// As written after the `@`.
    pub(crate) version: String,
}

/// The module folder a `-L` is in or under, read from its components before
/// any `..`: `.../github.com/agntcy/slim-bindings-go@V` (v0, v1) or
/// `.../github.com/agntcy/slim-bindings-go/vN@V` (the `/vN` module).
pub(crate) fn module_folder(lib_dir: &str) -> Option<ModuleFolder> {
    let comps: Vec<Component> =
        Path::new(lib_dir).components().take_while(|c| *c != Component::ParentDir).collect();
    let names: Vec<&str> = comps.iter().map(|c| c.as_os_str().to_str().unwrap_or("")).collect();
    for (i, n) in names.iter().enumerate() {
        let (module_path, parent, version) = if let Some(v) = n.strip_prefix("slim-bindings-go@") {
            (MODULE_V1, i.checked_sub(2)?, v)
        } else if let Some((major, v)) = n.split_once('@')
            && major.strip_prefix('v').is_some_and(|m| m.parse::<u32>().is_ok_and(|m| m >= 2))
            && i >= 3
            && names[i - 1] == "slim-bindings-go"
        {
            if major != "v2" {
                continue; // a major this slim-setup has no layout for: not ours to place
            }
            (MODULE_V2, i - 3, v)
        } else {
            continue;
        };
        if names.get(parent) != Some(&"github.com") || names.get(parent + 1) != Some(&"agntcy") {
            continue;
        }
        let join = |cs: &[Component]| cs.iter().map(|c| c.as_os_str()).collect::<PathBuf>();
        return Some(ModuleFolder {
            dir: join(&comps[..=i]),
            modcache: join(&comps[..parent]),
            module_path,
            version: version.to_string(),
        });
    }
    None
}

/// The version a `.../slim-bindings/vX.Y.Z` folder names (the per-version
/// cache folders of v1.3.0-rc.2 and later), outside any `vendor/` folder.
pub(crate) fn version_folder(lib_dir: &str) -> Option<&str> {
    let path = Path::new(lib_dir);
    if path.components().any(|c| c.as_os_str() == "vendor") {
        return None;
    }
    let last = path.file_name()?.to_str()?;
    let parent = path.parent()?.file_name()?;
    (parent == "slim-bindings"
        && last.starts_with('v')
        && last[1..].starts_with(|c: char| c.is_ascii_digit()))
    .then_some(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn os(args: &[&str]) -> Vec<OsString> {
        args.iter().map(OsString::from).collect()
    }

    fn strings(args: &[&str]) -> Vec<String> {
        args.iter().map(|a| a.to_string()).collect()
    }

    const MOD: &str = "/g/pkg/mod/github.com/agntcy/slim-bindings-go@v1.4.0";

    #[test]
    fn only_calls_naming_the_library_need_the_front() {
        let table: [(&[&str], bool); 7] = [
            (&["-c", "x.c", "-o", "x.o"], false),
            (&["--version"], false),
            (&["-dumpmachine"], false),
            (&["-E", "-"], false),
            (&["-o", "a.out", "-lslim_bindings_x86_64_linux_gnu", "-lm"], true),
            (&["-l", "slim_bindings_aarch64_darwin"], true),
            (&["-lslim", "-l", "m", "-Lslim_bindings_x"], false),
        ];
        for (args, want) in table {
            assert_eq!(asks_for_library(&os(args)), want, "{args:?}");
        }
    }

    #[test]
    fn go_probes_of_the_first_word_are_recognised_by_shape() {
        let table: [(&[&str], Option<&str>); 6] = [
            (&["-###", "-x", "c", "-c", "-"], Some("c")),
            (&["-###", "-x", "c++", "-c", "-"], Some("c++")),
            (
                &["-m64", "-L/m", "-o", "/tmp/go-link-1/a.out", "-no-pie", "/tmp/go-link-1/trivial.c"],
                Some("c"),
            ),
            (&["-m64", "-o", "/t/loadcfg_test.exe", "/t/loadcfg_test.c"], Some("c")),
            (&["--version"], None),
            (&["install", "--target", "x86_64-unknown-linux-musl"], None),
        ];
        for (args, want) in table {
            assert_eq!(go_probe(&os(args)).as_deref(), want, "{args:?}");
        }
    }

    #[test]
    fn a_cc_value_that_runs_the_front_names_its_compiler() {
        let table: [(&str, Option<&[&str]>); 6] = [
            ("slim-setup cc gcc", Some(&["gcc"])),
            (
                "/opt/bin/slim-setup cc -- zig cc -target x86_64-linux-musl",
                Some(&["zig", "cc", "-target", "x86_64-linux-musl"]),
            ),
            ("'/my tools/slim-setup' cc clang", Some(&["clang"])),
            ("slim-setup cc", None),
            ("gcc", None),
            ("slim-setup install", None),
        ];
        for (cc, want) in table {
            let want = want.map(strings);
            assert_eq!(front_compiler(cc), want, "{cc}");
        }
        // What `cc --setup` writes, read back.
        for exe in ["/my tools/slim-setup", "/Users/o'brien/my tools/slim-setup", "/x/slim-setup"] {
            let cc = super::super::cgo::join_fields(&strings(&[
                exe,
                "cc",
                "zig cc",
                "-target",
                "x86_64-linux-musl",
            ]));
            assert_eq!(
                front_compiler(&cc.unwrap()),
                Some(strings(&["zig cc", "-target", "x86_64-linux-musl"])),
                "{exe}"
            );
        }
    }

    #[test]
    fn compiler_words_and_target() {
        let table: [(&[&str], &[&str], Option<&str>); 5] = [
            (&["gcc", "-m64", "-o", "x"], &["gcc"], None),
            (
                &["zig", "cc", "-target", "aarch64-linux-musl", "-m64"],
                &["zig", "cc"],
                Some("aarch64-linux-musl"),
            ),
            (&["ccache", "gcc", "-c", "x.c"], &["ccache", "gcc"], None),
            (&["clang", "--target=x86_64-unknown-linux-musl"], &["clang"], Some("x86_64-unknown-linux-musl")),
            (&["zig", "cc", "-target"], &["zig", "cc"], None),
        ];
        for (args, words, target) in table {
            let args = strings(args);
            assert_eq!(compiler_words(&args), strings(words).as_slice(), "{args:?}");
            assert_eq!(target_arg(&args), target, "{args:?}");
        }
    }

    #[test]
    fn link_lines_in_both_argument_forms() {
        let args = strings(&[
            "-m64",
            "-o",
            "/w/b001/exe/a.out",
            &format!("-L{MOD}"),
            "-L",
            "/opt/x",
            "-lslim_bindings_x86_64_linux_gnu",
            "-l",
            "slim_bindings_x86_64_linux_gnu",
            "-lm",
        ]);
        let line = LinkLine::parse(&args);
        assert_eq!(line.lib_dirs, strings(&[MOD, "/opt/x"]));
        assert_eq!(line.output.as_deref(), Some("/w/b001/exe/a.out"));
        assert_eq!(line.link_name(), Ok(Some("slim_bindings_x86_64_linux_gnu")));
        assert!(!line.is_cgo_check());
        let os_args: Vec<OsString> = args.iter().map(OsString::from).collect();
        let out = rewrite(&os_args, &line, "slim_bindings_x86_64_linux_musl");
        assert_eq!(out[6], "-lslim_bindings_x86_64_linux_musl");
        assert_eq!(
            (&out[7], &out[8]),
            (&OsString::from("-l"), &OsString::from("slim_bindings_x86_64_linux_musl"))
        );
        assert_eq!(out[9], "-lm");

        let check =
            LinkLine::parse(&strings(&["-o", "/w/b061/_cgo_.o", "-lslim_bindings_a", "-lslim_bindings_b"]));
        assert!(check.is_cgo_check());
        assert!(check.link_name().unwrap_err().contains("-lslim_bindings_a and -lslim_bindings_b"));
        assert_eq!(LinkLine::parse(&strings(&["-lm"])).link_name(), Ok(None));
    }

    #[test]
    fn the_module_folder_and_cache_come_from_a_minus_l_of_every_published_shape() {
        let v2 = "/g/pkg/mod/github.com/agntcy/slim-bindings-go/v2@v2.1.0";
        // (-L as in a link line, module folder, module path, version)
        type Row<'a> = (String, Option<(&'a str, &'a str, &'a str)>);
        let table: [Row; 8] = [
            (MOD.to_string(), Some((MOD, MODULE_V1, "v1.4.0"))),
            (format!("{MOD}/../../../../../.cgo-cache/slim-bindings/v1.4.0"), Some((MOD, MODULE_V1, "v1.4.0"))),
            (
                "/h/go/pkg/mod/github.com/agntcy/slim-bindings-go@v0.7.2/../../../../../../.cache/slim-bindings".into(),
                Some(("/h/go/pkg/mod/github.com/agntcy/slim-bindings-go@v0.7.2", MODULE_V1, "v0.7.2")),
            ),
            (format!("{v2}/slim_rpc/../../../../../../../.cgo-cache/slim-bindings/v2.1.0"), Some((v2, MODULE_V2, "v2.1.0"))),
            (v2.to_string(), Some((v2, MODULE_V2, "v2.1.0"))),
            ("/g/pkg/mod/github.com/agntcy/slim-bindings-go/v3@v3.0.0".into(), None),
            ("/p/vendor/github.com/agntcy/slim-bindings-go".into(), None),
            ("/g/pkg/mod/github.com/other/slim-bindings-go@v1.4.0".into(), None),
        ];
        for (dir, want) in table {
            let got = module_folder(&dir);
            match want {
                None => assert_eq!(got, None, "{dir}"),
                Some((folder, path, version)) => {
                    let m = got.unwrap_or_else(|| panic!("no module folder in {dir}"));
                    assert_eq!(
                        (m.dir.as_path(), m.module_path, m.version.as_str()),
                        (Path::new(folder), path, version)
                    );
                    assert_eq!(
                        m.modcache,
                        PathBuf::from(if folder.starts_with("/h") { "/h/go/pkg/mod" } else { "/g/pkg/mod" })
                    );
                }
            }
        }
    }

    #[test]
    fn version_folders() {
        let table = [
            ("/g/.cgo-cache/slim-bindings/v1.4.0", Some("v1.4.0")),
            ("/g/.cgo-cache/slim-bindings/v2.0.0-alpha.3", Some("v2.0.0-alpha.3")),
            ("/g/.cgo-cache/slim-bindings", None),
            ("/g/.cgo-cache/slim-bindings/devel", None),
            (
                "/p/vendor/github.com/agntcy/slim-bindings-go/../../../../../.cgo-cache/slim-bindings/v1.4.0",
                None,
            ),
        ];
        for (dir, want) in table {
            assert_eq!(version_folder(dir), want, "{dir}");
        }
    }
}
