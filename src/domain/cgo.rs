//! Reading the `#cgo LDFLAGS` directives of the bindings' Go files: the `-L`
//! folder and `-l` name that cgo will really use for a platform. When the module
//! is in the module cache, this beats any table of what a version "should" say.

use std::path::{Path, PathBuf};

use super::buildtags::Platform;
use super::layout::resolve;

/// One `#cgo` directive: `#cgo linux,amd64 LDFLAGS: -L${SRCDIR}/.. -lfoo`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    pub condition: String,
    pub kind: String,
    pub args: Vec<String>,
}

/// What the linker will be told for one platform.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkSpec {
    /// The `-L` folder holding the library, `${SRCDIR}` resolved.
    pub lib_dir: PathBuf,
    /// The `-l` name, e.g. `slim_bindings_x86_64_linux_gnu`.
    pub link_name: String,
}

impl LinkSpec {
    pub fn lib_file(&self) -> String {
        format!("lib{}.a", self.link_name)
    }
}

/// A Go source file: its name, its text and the folder it is in (`${SRCDIR}`).
pub struct GoFile<'a> {
    pub name: &'a str,
    pub text: &'a str,
    pub dir: &'a Path,
}

/// Every `#cgo` directive in a file, in order.
pub fn directives(text: &str) -> Vec<Directive> {
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

/// Go splits cgo flags on spaces, honouring quotes.
fn split_args(s: &str) -> Vec<String> {
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

/// The `-L`/`-l` pair cgo will use for `goos/goarch` across a package's files.
/// The library's `-l` is the one starting `slim_bindings`; its folder is the `-L`
/// of the same directive (the first one when there are several).
pub fn link_spec(files: &[GoFile], goos: &str, goarch: &str) -> Option<LinkSpec> {
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
            if let (Some(link_name), Some(dir)) = (name, dirs.first()) {
                return Some(LinkSpec { lib_dir: resolve_srcdir(dir, f.dir), link_name });
            }
        }
    }
    None
}

fn resolve_srcdir(dir: &str, srcdir: &Path) -> PathBuf {
    match dir.strip_prefix("${SRCDIR}") {
        Some(rest) => resolve(srcdir, rest.trim_start_matches(['/', '\\'])),
        None => resolve(Path::new(""), dir),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const V140: &str = r#"package slim_bindings

// #cgo linux,amd64 LDFLAGS: -L${SRCDIR}/../../../../../.cgo-cache/slim-bindings/v1.4.0 -lslim_bindings_x86_64_linux_gnu -lm
// #cgo linux,arm64 LDFLAGS: -L${SRCDIR}/../../../../../.cgo-cache/slim-bindings/v1.4.0 -lslim_bindings_aarch64_linux_gnu -lm
// #cgo darwin,amd64 LDFLAGS: -L${SRCDIR}/../../../../../.cgo-cache/slim-bindings/v1.4.0 -lslim_bindings_x86_64_darwin -Wl,-undefined,dynamic_lookup
// #cgo darwin,arm64 LDFLAGS: -L${SRCDIR}/../../../../../.cgo-cache/slim-bindings/v1.4.0 -lslim_bindings_aarch64_darwin -Wl,-undefined,dynamic_lookup
// #cgo windows,amd64 LDFLAGS: -L${SRCDIR}/../../../../../.cgo-cache/slim-bindings/v1.4.0 -lslim_bindings_x86_64_windows_gnu -lws2_32 -lbcrypt -ladvapi32 -luserenv -lntdll -lgcc_eh -lgcc -lkernel32 -lole32
// #include "slim_bindings.h"
import "C"
"#;

    #[test]
    fn reads_the_published_v1_4_0_shape_for_every_platform() {
        let dir = Path::new("/g/pkg/mod/github.com/agntcy/slim-bindings-go@v1.4.0");
        let files = [GoFile { name: "slim_bindings.go", text: V140, dir }];
        let table = [
            ("linux", "amd64", Some("slim_bindings_x86_64_linux_gnu")),
            ("linux", "arm64", Some("slim_bindings_aarch64_linux_gnu")),
            ("darwin", "amd64", Some("slim_bindings_x86_64_darwin")),
            ("darwin", "arm64", Some("slim_bindings_aarch64_darwin")),
            ("windows", "amd64", Some("slim_bindings_x86_64_windows_gnu")),
            ("windows", "arm64", None),
            ("freebsd", "amd64", None),
        ];
        for (goos, goarch, name) in table {
            let spec = link_spec(&files, goos, goarch);
            assert_eq!(spec.as_ref().map(|s| s.link_name.as_str()), name, "{goos}/{goarch}");
            if let Some(spec) = spec {
                assert_eq!(spec.lib_dir, PathBuf::from("/g/.cgo-cache/slim-bindings/v1.4.0"));
            }
        }
    }

    #[test]
    fn block_comments_separate_l_flags_and_file_constraints() {
        let text = "//go:build !windows\n\npackage p\n\n/*\n#cgo linux LDFLAGS: -L ${SRCDIR}/../lib -lslim_bindings_x \"-Wl,--as-needed\"\n#cgo CFLAGS: -I${SRCDIR}\n*/\nimport \"C\"\n";
        let dir = Path::new("/m/p");
        let files = [GoFile { name: "p.go", text, dir }];
        let spec = link_spec(&files, "linux", "arm64").unwrap();
        assert_eq!(spec, LinkSpec { lib_dir: PathBuf::from("/m/lib"), link_name: "slim_bindings_x".into() });
        assert_eq!(spec.lib_file(), "libslim_bindings_x.a");
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
        assert_eq!(link_spec(&files, "linux", "amd64").unwrap().lib_dir, PathBuf::from("/m/linux"));
    }
}
