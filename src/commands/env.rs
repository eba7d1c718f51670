//! `slim-setup env`: CGO_ENABLED and a CGO_LDFLAGS that link the installed
//! library from wherever it is. A plain `go build` does not need it (the
//! module's own directives point at the folder); vendored modules and
//! `--cache-dir` installs do, since `${SRCDIR}` then resolves somewhere else.
//! Its comment line names the other way: the `cc` front, which installs at
//! link time.

use std::path::Path;

use crate::cli::{EnvArgs, ShellKind};
use crate::domain::gomod::vendors_bindings;
use crate::error::{Error, Result};
use crate::host::env::Env;
use crate::host::facts::Ask;
use crate::plan;
use crate::store::manifest;
use crate::ui::out::out;

pub(crate) fn run(args: &EnvArgs, env: &Env, cwd: &Path) -> Result<()> {
    let facts = super::facts_with_module(&Ask::single(&args.target, false), env, cwd)?;
    let plan = plan::single(&args.target, env, &facts)?;
    let tp = &plan.target;
    let version = plan.version.to_string();
    let lib = tp.path();
    if manifest::intact(&lib, &version, tp.target.triple).is_none() {
        return Err(Error::Other(format!(
            "{} for {} is not installed at {}; run: slim-setup install {version} (with the same platform flags)",
            tp.file,
            tp.target.triple,
            lib.display()
        )));
    }
    let link_name = tp.file.trim_start_matches("lib").trim_end_matches(".a");
    let mut flags = vec![ldflag_field(&format!("-L{}", tp.dir.display()))?, format!("-l{link_name}")];
    flags.extend(tp.target.extra_ldflags().iter().map(|f| f.to_string()));
    let ldflags = flags.join(" ");
    let vendored = facts.vendor.as_deref().is_some_and(vendors_bindings);
    eprintln!("# {}", why_needed(vendored, args.target.location.cache_dir.is_some(), &tp.dir));
    out!("{}", render(args.shell, &[("CGO_ENABLED", "1"), ("CGO_LDFLAGS", &ldflags)]))
}

fn why_needed(vendored: bool, cache_dir: bool, dir: &Path) -> String {
    if vendored {
        "needed: this project vendors the bindings, so their ${SRCDIR} points into vendor/ and cgo's own -L misses the library".into()
    } else if cache_dir {
        format!(
            "needed: the library is in --cache-dir {}, not where the module's cgo directives look",
            dir.display()
        )
    } else {
        format!(
            "not needed for a plain `go build` (cgo already looks in {}); use it for vendored modules or custom folders. \
             Instead of installing first, the C compiler front can install at link time: go env -w CC=\"slim-setup cc gcc\"",
            dir.display()
        )
    }
}

/// One CGO_LDFLAGS field as the go command splits the variable, or why
/// it cannot be written there.
fn ldflag_field(flag: &str) -> Result<String> {
    crate::domain::cgo::quote_field(flag).ok_or_else(|| {
        Error::Other(format!(
            "the link flag {flag:?} cannot be written into CGO_LDFLAGS (go's quoting has no escapes for a line break, or for both quote characters); install with --cache-dir into a plainer folder"
        ))
    })
}

/// Assignments each shell reads back byte for byte: single quotes, where
/// neither `$` nor a backtick means anything.
pub(crate) fn render(shell: ShellKind, vars: &[(&str, &str)]) -> String {
    vars.iter()
        .map(|(k, v)| match shell {
            ShellKind::Sh => format!("export {k}='{}'\n", v.replace('\'', "'\\''")),
            ShellKind::Fish => format!("set -gx {k} '{}'\n", v.replace('\\', "\\\\").replace('\'', "\\'")),
            // PowerShell also ends a single-quoted string at the typographic quotes.
            ShellKind::Powershell => {
                let mut quoted = String::new();
                for c in v.chars() {
                    if matches!(c, '\'' | '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}') {
                        quoted.push(c);
                    }
                    quoted.push(c);
                }
                format!("$env:{k} = '{quoted}'\n")
            }
            // $GITHUB_ENV lines: a line break is refused before this.
            ShellKind::Github => format!("{k}={v}\n"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shell_form() {
        let vars = [("CGO_ENABLED", "1"), ("CGO_LDFLAGS", "'-L/a b' -lslim_bindings_x -lm")];
        assert_eq!(
            render(ShellKind::Sh, &vars),
            "export CGO_ENABLED='1'\nexport CGO_LDFLAGS=''\\''-L/a b'\\'' -lslim_bindings_x -lm'\n"
        );
        assert_eq!(
            render(ShellKind::Fish, &vars),
            "set -gx CGO_ENABLED '1'\nset -gx CGO_LDFLAGS '\\'-L/a b\\' -lslim_bindings_x -lm'\n"
        );
        assert_eq!(
            render(ShellKind::Powershell, &vars),
            "$env:CGO_ENABLED = '1'\n$env:CGO_LDFLAGS = '''-L/a b'' -lslim_bindings_x -lm'\n"
        );
        assert_eq!(
            render(ShellKind::Github, &vars),
            "CGO_ENABLED=1\nCGO_LDFLAGS='-L/a b' -lslim_bindings_x -lm\n"
        );
        assert_eq!(
            render(ShellKind::Powershell, &[("X", "a\u{2019}b$c`d")]),
            "$env:X = 'a\u{2019}\u{2019}b$c`d'\n"
        );
        assert_eq!(render(ShellKind::Fish, &[("X", "a\\b$c")]), "set -gx X 'a\\\\b$c'\n");
    }

    #[test]
    fn link_flags_are_quoted_whole_as_go_splits_them() {
        let table = [
            ("-L/x/y", Some("-L/x/y")),
            ("-L/a b", Some("'-L/a b'")),
            ("-L/a\tb", Some("'-L/a\tb'")),
            ("-L/it's here", Some("\"-L/it's here\"")),
            ("-L/say \"hi\"", Some("'-L/say \"hi\"'")),
            ("-L/$HOME/`id`", Some("-L/$HOME/`id`")),
            ("-L/a'b\"c d", None),
            ("-L/a\nb", None),
        ];
        for (flag, want) in table {
            assert_eq!(ldflag_field(flag).ok().as_deref(), want, "{flag:?}");
        }
    }
}
