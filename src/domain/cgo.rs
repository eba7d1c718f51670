//! Reading the `#cgo LDFLAGS` directives of the bindings' Go files: the `-L`
//! folders and `-l` name cgo will really use for a platform, and which of those
//! folders is the one to install into. When the module is in the module cache,
//! this beats any table of what a version "should" say.
//!
//! Every published directive names two `-L` folders: `${SRCDIR}` itself (the
//! module's own folder, Go's and read-only) and a cache folder that climbs out of
//! the module cache with `..`. Only the second may be written.

use std::path::{Path, PathBuf};

use super::buildtags::Platform;

/// One `#cgo` directive: `#cgo linux,amd64 LDFLAGS: -L${SRCDIR}/.. -lfoo`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Directive {
    pub(crate) condition: String,
    pub(crate) kind: String,
    pub(crate) args: Vec<String>,
}

/// What the linker will be told for one platform, as the directive wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LinkSpec {
    /// The Go file holding the directive, and the folder it is in (`${SRCDIR}`).
    pub(crate) file: String,
    pub(crate) srcdir: PathBuf,
    /// Every `-L` argument of the directive, in order, as written.
    pub(crate) lib_dirs: Vec<String>,
    /// The `-l` name, e.g. `slim_bindings_x86_64_linux_gnu`.
    pub(crate) link_name: String,
}

impl LinkSpec {
    pub(crate) fn lib_file(&self) -> String {
        format!("lib{}.a", self.link_name)
    }

    /// The directive's source, for messages: `.../slim_bindings.go`.
    pub(crate) fn source(&self) -> PathBuf {
        self.srcdir.join(&self.file)
    }
}

/// A Go source file: its name, its text and the folder it is in (`${SRCDIR}`).
pub(crate) struct GoFile<'a> {
    pub(crate) name: &'a str,
    pub(crate) text: &'a str,
    pub(crate) dir: &'a Path,
}

/// Every `#cgo` directive in a file, in order.
pub(crate) fn directives(text: &str) -> Vec<Directive> {
    text.lines()
        .filter_map(|line| {
            let line = line.trim_start();
            let line = line.strip_prefix("//").unwrap_or(line).trim_start();
            let rest = line.strip_prefix("#cgo")?;
            if !rest.starts_with([' ', '\t']) {
                return None;
            }
            let (head, args) = rest.split_once(':')?;
            let mut head: Vec<&str> = head.split_whitespace().collect();
            let kind = head.pop()?.to_string();
            Some(Directive { condition: head.join(" "), kind, args: split_args(args) })
        })
        .collect()
}

/// The file's `//go:build` line, if it has one before `package`.
fn build_constraint(text: &str) -> Option<&str> {
    for line in text.lines() {
        let line = line.trim();
        if let Some(expr) = line.strip_prefix("//go:build ") {
            return Some(expr.trim());
        }
        if line.starts_with("package ") {
            return None;
        }
    }
    None
}

/// One field written so that the go command splits it back as it is
/// (cmd/internal/quoted, as `split_args` reads): on spaces, a field that
/// starts with a quote runs to the same quote, and nothing inside is an
/// escape. So a field with a space is quoted whole (`'-L/a b'`), with the
/// quote it does not contain; one holding both, or a line break, cannot be
/// said: `None`.
pub(crate) fn quote_field(field: &str) -> Option<String> {
    if !field.contains([' ', '\t', '\n', '\r']) && !field.starts_with(['\'', '"']) {
        Some(field.to_string())
    } else if field.contains(['\n', '\r']) || (field.contains('\'') && field.contains('"')) {
        None
    } else if field.contains('\'') {
        Some(format!("\"{field}\""))
    } else {
        Some(format!("'{field}'"))
    }
}

/// Fields joined into one `CC` or `CGO_LDFLAGS` value, each `quote_field`ed.
pub(crate) fn join_fields(fields: &[String]) -> Option<String> {
    fields.iter().map(|f| quote_field(f)).collect::<Option<Vec<_>>>().map(|q| q.join(" "))
}

/// Go splits cgo flags (and `CC`) on spaces, honouring quotes.
pub(crate) fn split_args(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    for c in s.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (None, '"' | '\'') => quote = Some(c),
            (None, c) if c.is_whitespace() => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            (_, c) => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// The `LDFLAGS` directive cgo will use for `goos/goarch` across a package's
/// files: the first one naming a `-lslim_bindings...` library.
pub(crate) fn link_spec(files: &[GoFile], goos: &str, goarch: &str) -> Option<LinkSpec> {
    let platform = Platform { goos, goarch };
    for f in files {
        if !platform.matches_file_name(f.name) {
            continue;
        }
        if build_constraint(f.text).is_some_and(|e| !platform.matches_build_expr(e)) {
            continue;
        }
        for d in directives(f.text) {
            if d.kind != "LDFLAGS" || !platform.matches_cgo_condition(&d.condition) {
                continue;
            }
            let mut dirs = Vec::new();
            let mut name = None;
            let mut args = d.args.iter();
            while let Some(a) = args.next() {
                if a == "-L" {
                    dirs.extend(args.next().cloned());
                } else if let Some(dir) = a.strip_prefix("-L") {
                    dirs.push(dir.to_string());
                } else if let Some(l) = a.strip_prefix("-l").filter(|l| l.starts_with("slim_bindings")) {
                    name = Some(l.to_string());
                }
            }
            if let Some(link_name) = name {
                return Some(LinkSpec {
                    file: f.name.to_string(),
                    srcdir: f.dir.to_path_buf(),
                    lib_dirs: dirs,
                    link_name,
                });
            }
        }
    }
    None
}

/// A `-L` argument as (base, relative part): `${SRCDIR}/../x` is
/// `(srcdir, "../x")`, an absolute `/opt/lib` is `("/", "opt/lib")`. `None` for
/// a relative folder, which the linker would resolve from its own temporary
/// working folder: no place to install into.
pub(crate) fn split_lib_dir<'a>(arg: &'a str, srcdir: &'a Path) -> Option<(&'a Path, &'a str)> {
    if let Some(rest) = arg.strip_prefix("${SRCDIR}") {
        return Some((srcdir, rest.trim_start_matches(['/', '\\'])));
    }
    let path = Path::new(arg);
    if path.has_root() {
        let root = path.ancestors().last().unwrap_or(path);
        return Some((root, arg[root.as_os_str().len()..].trim_start_matches(['/', '\\'])));
    }
    None
}

/// The folder to install into: the first `-L` of the directive that resolves
/// outside both the module's own folder and the module cache (`resolve` joins
/// a base and a relative part as the host's filesystem does). Returns the `-L`
/// as written and the folder. `None` when the directive has no such folder
/// (only `${SRCDIR}`, say): the caller falls back to the version's layout.
pub(crate) fn install_dir(
    spec: &LinkSpec,
    module_dir: &Path,
    modcache: &Path,
    resolve: impl Fn(&Path, &str) -> PathBuf,
) -> Option<(String, PathBuf)> {
    spec.lib_dirs.iter().find_map(|arg| {
        let (base, rel) = split_lib_dir(arg, &spec.srcdir)?;
        let dir = resolve(base, rel);
        let inside = dir.starts_with(module_dir) || dir.starts_with(modcache);
        (!inside).then(|| (arg.clone(), dir))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::layout::resolve;

    const MODCACHE: &str = "/g/pkg/mod";

    macro_rules! stand_in {
        ($path:literal) => {
            include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/gomodules/slim-bindings-go/", $path))
        };
    }

    /// Each published shape: the stand-in module the end-to-end tests build
    /// (which must carry the published `linux,amd64` line, copied here from
    /// UPSTREAM.md, to the byte), its module and package folders, and the
    /// folder chosen for linux and windows with GOPATH=/g.
    #[test]
    fn the_install_folder_is_the_one_that_leaves_the_module_cache_for_every_published_shape() {
        let v1 = "/g/pkg/mod/github.com/agntcy/slim-bindings-go@";
        let v2 = "/g/pkg/mod/github.com/agntcy/slim-bindings-go/v2@";
        let table: [(&str, &str, &str, &str, &str, &str); 7] = [
            (
                stand_in!("v0.7.2/slim_bindings.go"),
                "-L${SRCDIR}/../../../../../../.cache/slim-bindings -L${SRCDIR} -lslim_bindings_x86_64_linux_gnu -lm",
                v1,
                "",
                "/.cache/slim-bindings",
                "/AppData/Local/slim-bindings",
            ),
            (
                stand_in!("v0.7.3/slim_bindings.go"),
                "-L${SRCDIR} -L${SRCDIR}/../../../../../.cgo-cache/slim-bindings -lslim_bindings_x86_64_linux_gnu -lm",
                v1,
                "",
                "/g/.cgo-cache/slim-bindings",
                "/g/.cgo-cache/slim-bindings",
            ),
            (
                stand_in!("v1.2.0/slim_bindings.go"),
                "-L${SRCDIR} -L${SRCDIR}/../../../../../.cgo-cache/slim-bindings -lslim_bindings_x86_64_linux_gnu -lm",
                v1,
                "",
                "/g/.cgo-cache/slim-bindings",
                "/g/.cgo-cache/slim-bindings",
            ),
            (
                stand_in!("v1.3.0-rc.1/slim_bindings.go"),
                "-L${SRCDIR} -L${SRCDIR}/../../../../../.cgo-cache/slim-bindings/devel -lslim_bindings_x86_64_linux_gnu -lm",
                v1,
                "",
                "/g/.cgo-cache/slim-bindings/devel",
                "/g/.cgo-cache/slim-bindings/devel",
            ),
            (
                stand_in!("v1.4.0/slim_bindings.go"),
                "-L${SRCDIR} -L${SRCDIR}/../../../../../.cgo-cache/slim-bindings/v1.4.0 -lslim_bindings_x86_64_linux_gnu -lm",
                v1,
                "",
                "/g/.cgo-cache/slim-bindings/v1.4.0",
                "/g/.cgo-cache/slim-bindings/v1.4.0",
            ),
            (
                stand_in!("v2.1.0/slim_bindings.go"),
                "-L${SRCDIR} -L${SRCDIR}/../../../../../../.cgo-cache/slim-bindings/v2.1.0 -lslim_bindings_x86_64_linux_gnu -lm",
                v2,
                "",
                "/g/.cgo-cache/slim-bindings/v2.1.0",
                "/g/.cgo-cache/slim-bindings/v2.1.0",
            ),
            (
                stand_in!("v2.1.0/slim_rpc/slim_rpc.go"),
                "-L${SRCDIR} -L${SRCDIR}/../../../../../../../.cgo-cache/slim-bindings/v2.1.0 -lslim_bindings_x86_64_linux_gnu -lm",
                v2,
                "/slim_rpc",
                "/g/.cgo-cache/slim-bindings/v2.1.0",
                "/g/.cgo-cache/slim-bindings/v2.1.0",
            ),
        ];
        for (text, published, module, sub, linux, windows) in table {
            let line = format!("#cgo linux,amd64 LDFLAGS: {published}\n");
            assert!(text.contains(&line), "the stand-in lacks the published line {line:?}");
            let module_dir = PathBuf::from(format!("{module}vX"));
            let srcdir = PathBuf::from(format!("{}{sub}", module_dir.display()));
            let files = [GoFile { name: "slim_bindings.go", text, dir: &srcdir }];
            for (goos, want) in [("linux", linux), ("darwin", linux), ("windows", windows)] {
                let spec = link_spec(&files, goos, "amd64").unwrap();
                assert_eq!(spec.lib_dirs.len(), 2, "both -L folders are read: {spec:?}");
                assert!(spec.lib_dirs.contains(&"${SRCDIR}".to_string()), "{spec:?}");
                let (arg, dir) = install_dir(&spec, &module_dir, Path::new(MODCACHE), resolve).unwrap();
                assert_eq!(dir, PathBuf::from(want), "{published} for {goos}");
                assert_ne!(arg, "${SRCDIR}");
            }
        }
    }

    #[test]
    fn a_directive_with_no_folder_outside_the_module_cache_has_no_install_folder() {
        let module_dir = Path::new("/g/pkg/mod/github.com/agntcy/slim-bindings-go@v9.0.0");
        let table: [(&str, Option<&str>); 5] = [
            ("-L${SRCDIR} -lslim_bindings_x86_64_linux_gnu", None),
            ("-L${SRCDIR}/lib -lslim_bindings_x86_64_linux_gnu", None),
            // Out of the module folder but still in the module cache: Go's too.
            ("-L${SRCDIR}/../other@v1 -lslim_bindings_x86_64_linux_gnu", None),
            ("-Llib -lslim_bindings_x86_64_linux_gnu", None),
            ("-L${SRCDIR} -L/opt/slim -lslim_bindings_x86_64_linux_gnu", Some("/opt/slim")),
        ];
        for (flags, want) in table {
            let text = format!("// #cgo linux LDFLAGS: {flags}\nimport \"C\"\n");
            let files = [GoFile { name: "s.go", text: &text, dir: module_dir }];
            let spec = link_spec(&files, "linux", "amd64").unwrap();
            let got = install_dir(&spec, module_dir, Path::new(MODCACHE), resolve).map(|(_, d)| d);
            assert_eq!(got, want.map(PathBuf::from), "{flags}");
        }
    }

    #[test]
    fn block_comments_separate_l_flags_and_file_constraints() {
        let text = "//go:build !windows\n\npackage p\n\n/*\n#cgo linux LDFLAGS: -L ${SRCDIR}/../lib -lslim_bindings_x \"-Wl,--as-needed\"\n#cgo CFLAGS: -I${SRCDIR}\n*/\nimport \"C\"\n";
        let dir = Path::new("/m/p");
        let files = [GoFile { name: "p.go", text, dir }];
        let spec = link_spec(&files, "linux", "arm64").unwrap();
        assert_eq!(spec.lib_dirs, vec!["${SRCDIR}/../lib".to_string()]);
        assert_eq!(spec.lib_file(), "libslim_bindings_x.a");
        assert_eq!(spec.source(), PathBuf::from("/m/p/p.go"));
        assert!(link_spec(&files, "windows", "amd64").is_none());
        let d = directives(text);
        assert_eq!(d[0].args, vec!["-L", "${SRCDIR}/../lib", "-lslim_bindings_x", "-Wl,--as-needed"]);
        assert_eq!(d[1].kind, "CFLAGS");
        assert_eq!(d[1].condition, "");
    }

    #[test]
    fn file_suffixes_pick_the_platform_file() {
        let dir = Path::new("/m");
        let linux = "// #cgo LDFLAGS: -L${SRCDIR}/linux -lslim_bindings_l\n";
        let darwin = "// #cgo LDFLAGS: -L${SRCDIR}/darwin -lslim_bindings_d\n";
        let files = [
            GoFile { name: "cgo_linux.go", text: linux, dir },
            GoFile { name: "cgo_darwin.go", text: darwin, dir },
        ];
        assert_eq!(link_spec(&files, "darwin", "arm64").unwrap().link_name, "slim_bindings_d");
        assert_eq!(link_spec(&files, "linux", "amd64").unwrap().lib_dirs, vec!["${SRCDIR}/linux"]);
    }

    #[test]
    fn lib_dir_arguments_split_into_base_and_relative_part() {
        let src = Path::new("/m/x@v1");
        assert_eq!(split_lib_dir("${SRCDIR}", src), Some((src, "")));
        assert_eq!(split_lib_dir("${SRCDIR}/../a", src), Some((src, "../a")));
        assert_eq!(split_lib_dir("/opt/lib", src), Some((Path::new("/"), "opt/lib")));
        assert_eq!(split_lib_dir("lib", src), None);
    }
}
