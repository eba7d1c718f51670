//! Reading `go.mod` and `go.work` just enough to find which version of the Go
//! bindings a project builds with: `require` (single and block forms), `replace`
//! and `use`, with comments and quoted paths. Used when the `go` command is not
//! available to answer `go list -m`.

use std::path::PathBuf;

use super::layout::{MODULE_V1, MODULE_V2};

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Replace {
    pub(crate) old_path: String,
    pub(crate) old_version: Option<String>,
    pub(crate) new_path: String,
    /// `None` when the replacement is a local folder.
    pub(crate) new_version: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ModFile {
    pub(crate) module: Option<String>,
    pub(crate) requires: Vec<(String, String)>,
    pub(crate) replaces: Vec<Replace>,
    /// `use` folders of a go.work file.
    pub(crate) uses: Vec<PathBuf>,
}

/// The bindings requirement found in a project, after `replace`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Requirement {
    Version { module: String, version: String },
    LocalReplace { module: String, path: String },
}

/// Parse go.mod or go.work text. Unknown directives are skipped, as the go command
/// adds new ones over time.
pub(crate) fn parse(text: &str) -> ModFile {
    let mut file = ModFile::default();
    let mut block: Option<String> = None;
    for raw in text.lines() {
        let line = strip_comment(raw).trim();
        if line.is_empty() {
            continue;
        }
        if let Some(verb) = &block {
            if line == ")" {
                block = None;
            } else {
                apply(&mut file, verb, &tokens(line));
            }
            continue;
        }
        let toks = tokens(line);
        let Some(verb) = toks.first() else { continue };
        if toks.get(1).map(String::as_str) == Some("(") {
            block = Some(verb.clone());
            continue;
        }
        apply(&mut file, verb, &toks[1..]);
    }
    file
}

fn apply(file: &mut ModFile, verb: &str, args: &[String]) {
    match (verb, args) {
        ("module", [path, ..]) => file.module = Some(path.clone()),
        ("require", [path, version, ..]) => file.requires.push((path.clone(), version.clone())),
        ("use", [dir, ..]) => file.uses.push(PathBuf::from(dir)),
        ("replace", _) => {
            let Some(arrow) = args.iter().position(|t| t == "=>") else { return };
            let (old, new) = (&args[..arrow], &args[arrow + 1..]);
            let (Some(old_path), Some(new_path)) = (old.first(), new.first()) else { return };
            file.replaces.push(Replace {
                old_path: old_path.clone(),
                old_version: old.get(1).cloned(),
                new_path: new_path.clone(),
                new_version: new.get(1).cloned(),
            });
        }
        _ => {}
    }
}

fn strip_comment(line: &str) -> &str {
    // `//` inside a quoted path is not a comment; go.mod paths never contain quotes.
    let mut in_quotes = false;
    let bytes = line.as_bytes();
    for i in 0..bytes.len() {
        match bytes[i] {
            b'"' | b'`' => in_quotes = !in_quotes,
            b'/' if !in_quotes && bytes.get(i + 1) == Some(&b'/') => return &line[..i],
            _ => {}
        }
    }
    line
}

fn tokens(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = line.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if c == '"' || c == '`' {
            chars.next();
            let tok: String = chars.by_ref().take_while(|&d| d != c).collect();
            out.push(tok);
        } else if c == '(' || c == ')' {
            chars.next();
            out.push(c.to_string());
        } else {
            let mut tok = String::new();
            while let Some(&d) = chars.peek() {
                if d.is_whitespace() || d == '(' || d == ')' {
                    break;
                }
                tok.push(d);
                chars.next();
            }
            out.push(tok);
        }
    }
    out
}

/// The bindings requirement across the given files (a go.mod, or a go.work's
/// go.mod files followed by the go.work itself, whose replaces win). Among several
/// requirements the highest version is the one minimal version selection builds.
pub(crate) fn bindings_requirement(mod_files: &[ModFile], work: Option<&ModFile>) -> Option<Requirement> {
    for module in [MODULE_V2, MODULE_V1] {
        let mut best: Option<String> = None;
        for f in mod_files {
            for (path, version) in &f.requires {
                if path == module && best.as_ref().is_none_or(|b| newer(version, b)) {
                    best = Some(version.clone());
                }
            }
        }
        let Some(version) = best else { continue };
        let replaces = work.into_iter().chain(mod_files.iter()).flat_map(|f| f.replaces.iter());
        for r in replaces {
            if r.old_path == module && r.old_version.as_ref().is_none_or(|v| *v == version) {
                return Some(match &r.new_version {
                    Some(nv) => Requirement::Version { module: module.into(), version: nv.clone() },
                    None => Requirement::LocalReplace { module: module.into(), path: r.new_path.clone() },
                });
            }
        }
        return Some(Requirement::Version { module: module.into(), version });
    }
    None
}

/// Does a `vendor/modules.txt` list the bindings? Then their `${SRCDIR}` is
/// inside vendor/ and the cgo `-L` misses the installed library.
pub(crate) fn vendors_bindings(modules_txt: &str) -> bool {
    modules_txt.lines().any(|l| {
        let mut w = l.split_whitespace();
        w.next() == Some("#") && w.next().is_some_and(|m| m == MODULE_V1 || m == MODULE_V2)
    })
}

fn newer(a: &str, b: &str) -> bool {
    let parse = |s: &str| semver::Version::parse(s.trim_start_matches('v')).ok();
    match (parse(a), parse(b)) {
        (Some(a), Some(b)) => a.cmp_precedence(&b).is_gt(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(module: &str, version: &str) -> Option<Requirement> {
        Some(Requirement::Version { module: module.into(), version: version.into() })
    }

    #[test]
    fn finds_the_requirement_in_every_shape() {
        let table: &[(&str, Option<Requirement>)] = &[
            ("module x\nrequire github.com/agntcy/slim-bindings-go v1.4.0\n", req(MODULE_V1, "v1.4.0")),
            (
                "module x\n\ngo 1.24\n\nrequire (\n\tgithub.com/foo/bar v1.0.0 // indirect\n\tgithub.com/agntcy/slim-bindings-go v1.2.0 // indirect\n)\n",
                req(MODULE_V1, "v1.2.0"),
            ),
            (
                "module x\nrequire \"github.com/agntcy/slim-bindings-go/v2\" v2.1.0\n",
                req(MODULE_V2, "v2.1.0"),
            ),
            (
                "require github.com/agntcy/slim-bindings-go v1.4.0\nrequire github.com/agntcy/slim-bindings-go/v2 v2.0.0\n",
                req(MODULE_V2, "v2.0.0"),
            ),
            // A commented-out requirement does not count.
            ("module x\n// require github.com/agntcy/slim-bindings-go v1.4.0\n", None),
            ("module x\nrequire github.com/agntcy/slim-bindings-go-extra v1.4.0\n", None),
            (
                "require github.com/agntcy/slim-bindings-go v1.3.0\nreplace github.com/agntcy/slim-bindings-go => github.com/fork/slim-bindings-go v1.4.0\n",
                req(MODULE_V1, "v1.4.0"),
            ),
            (
                "require github.com/agntcy/slim-bindings-go v1.3.0\nreplace (\n  github.com/agntcy/slim-bindings-go v1.3.0 => ../slim-bindings-go\n)\n",
                Some(Requirement::LocalReplace {
                    module: MODULE_V1.into(),
                    path: "../slim-bindings-go".into(),
                }),
            ),
            // A replace pinned to another version does not apply.
            (
                "require github.com/agntcy/slim-bindings-go v1.3.0\nreplace github.com/agntcy/slim-bindings-go v1.2.0 => ../x\n",
                req(MODULE_V1, "v1.3.0"),
            ),
        ];
        for (text, want) in table {
            assert_eq!(&bindings_requirement(&[parse(text)], None), want, "{text}");
        }
    }

    #[test]
    fn go_work_takes_the_highest_requirement_and_its_own_replaces() {
        let a = parse("module a\nrequire github.com/agntcy/slim-bindings-go v1.2.0\n");
        let b = parse("module b\nrequire github.com/agntcy/slim-bindings-go v1.4.0\n");
        let work = parse("go 1.24\n\nuse (\n\t./a\n\t./b\n)\n");
        assert_eq!(work.uses, vec![PathBuf::from("./a"), PathBuf::from("./b")]);
        assert_eq!(bindings_requirement(&[a.clone(), b.clone()], Some(&work)), req(MODULE_V1, "v1.4.0"));
        let work = parse("use ./a\nreplace github.com/agntcy/slim-bindings-go => ./local\n");
        assert!(matches!(bindings_requirement(&[a, b], Some(&work)), Some(Requirement::LocalReplace { .. })));
    }

    #[test]
    fn vendored_bindings_are_recognised_by_their_module_line() {
        let table = [
            (
                "# github.com/agntcy/slim-bindings-go v1.4.0\n## explicit; go 1.22\ngithub.com/agntcy/slim-bindings-go\n",
                true,
            ),
            ("# github.com/agntcy/slim-bindings-go/v2 v2.1.0\n", true),
            ("# github.com/agntcy/slim-bindings-go-extra v1.0.0\n", false),
            ("# golang.org/x/sys v0.1.0\n", false),
            ("", false),
        ];
        for (text, want) in table {
            assert_eq!(vendors_bindings(text), want, "{text}");
        }
    }

    #[test]
    fn parses_module_and_ignores_unknown_directives() {
        let f =
            parse("module example.com/app // the app\ngo 1.22\ntoolchain go1.23.0\ngodebug default=go1.21\n");
        assert_eq!(f.module.as_deref(), Some("example.com/app"));
        assert!(f.requires.is_empty());
    }
}
