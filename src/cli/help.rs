//! Texts of `--version` and `--help`: the version line (with build.rs's
//! facts), each subcommand's examples (real command lines; a test parses
//! every one), and what `--gopath` and `--cache-dir` mean to it
//! (`LocationArgs` is shared, its own texts are install's).

use clap::Arg;

/// The version line of `--version` and `slim-setup version`: the package
/// version, then the commit, its date and the target it was built for
/// (from build.rs; "unknown" outside a git checkout).
pub(crate) const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (", env!("SLIM_SETUP_BUILD_INFO"), ")");

pub(crate) const INSTALL: &str = "\
Examples:
  slim-setup                                  install the version go.mod requires, for this machine
  slim-setup install v1.4.0                   a given version
  slim-setup --goos linux --goarch arm64 --libc musl
                                              prefetch for another platform (CI, cross builds)
  slim-setup --target x86_64-unknown-linux-musl --target aarch64-unknown-linux-musl
                                              several targets at once (Dockerfiles)
  slim-setup --base-url https://mirror.example.com/slim --require-checksum
  slim-setup --base-url ./examples/mirror --gopath /tmp/slim-demo v1.4.0
                                              offline, from a folder laid out like a release";

pub(crate) const LIST: &str = "\
Examples:
  slim-setup list                             every library installed under GOPATH's cache folders
  slim-setup list --json                      the same, as JSON
  slim-setup list --cache-dir ./libs          what an install with --cache-dir ./libs put there";

pub(crate) const VERIFY: &str = "\
Examples:
  slim-setup verify                           re-hash every library; exit 1 if one is damaged
  slim-setup verify v1.4.0                    only that version
  slim-setup verify --gopath /ci/go --json    another GOPATH, as JSON";

pub(crate) const ENV: &str = "\
Examples:
  eval \"$(slim-setup env)\"                    link the library from the shell (vendored modules)
  slim-setup env --shell github >> \"$GITHUB_ENV\"
                                              the same for the next steps of a GitHub Actions job
  slim-setup env --shell fish | source
  slim-setup env v1.4.0 --cache-dir ./libs --goos linux --goarch arm64
                                              a library installed with --cache-dir, for linux/arm64";

pub(crate) const CLEAN: &str = "\
Examples:
  slim-setup clean v1.3.0 --dry-run           what removing v1.3.0 would free
  slim-setup clean --all                      every installed version
  slim-setup clean --leftovers                temp files, stale locks, strays in the module cache";

pub(crate) const MIRROR: &str = "\
Examples:
  slim-setup mirror v1.4.0 --out ./mirror     every target into ./mirror/slim-bindings-v1.4.0/
  slim-setup mirror --target x86_64-unknown-linux-musl --out /srv/slim
                                              one target of the version go.mod requires
  slim-setup --base-url ./mirror --offline    then install from it, with no network";

pub(crate) const DOCTOR: &str = "\
Examples:
  slim-setup doctor                           check go, cgo, the C compiler, go.mod and the library
  slim-setup doctor v1.4.0 --goos linux --goarch arm64 --libc musl
                                              the same for a cross build";

pub(crate) const TARGETS: &str = "\
Examples:
  slim-setup targets                          the table, the host marked with *
  slim-setup targets --json                   the same, as JSON";

pub(crate) const CC: &str = "\
Examples:
  slim-setup cc --setup                       go env -w CC=\"slim-setup cc <go env CC>\", once
  slim-setup cc gcc -o app main.o             what go runs: installs the library a link asks for
  slim-setup cc zig cc -target x86_64-linux-musl
                                              a musl cross compiler behind it (CI, Dockerfiles)

Calls that do not link the SLIM library go straight to REAL_CC. A musl REAL_CC gets the
musl library under its own _musl name (the -l is rewritten), so gnu and musl builds of
one project share a GOPATH. Reads SLIM_BINDINGS_BASE_URL, SLIM_SETUP_OFFLINE,
SLIM_SETUP_TIMEOUT, SLIM_SETUP_REQUIRE_CHECKSUM, GITHUB_TOKEN and slim-bindings.sum
as install does. Undo the setting with: go env -u CC";

pub(crate) const COMPLETIONS: &str = "\
Examples:
  slim-setup completions bash > ~/.local/share/bash-completion/completions/slim-setup
  slim-setup completions zsh > ~/.zfunc/_slim-setup       with fpath+=~/.zfunc in ~/.zshrc
  slim-setup completions fish > ~/.config/fish/completions/slim-setup.fish";

pub(crate) const MAN: &str = "\
Examples:
  slim-setup man > ~/.local/share/man/man1/slim-setup.1
  slim-setup man | man -l -                   read it without installing it";

/// `--gopath` and `--cache-dir` of a subcommand, with what it does with them.
pub(crate) fn gopath(does: &'static str) -> impl FnOnce(Arg) -> Arg {
    move |a| a.help(format!("{does} [default: `go env GOPATH`, else $GOPATH's first entry, else ~/go]"))
}

pub(crate) fn cache_dir(does: &'static str) -> impl FnOnce(Arg) -> Arg {
    move |a| a.help(does)
}

#[cfg(test)]
mod tests {
    use clap::{CommandFactory, Parser};

    use crate::cli::Cli;

    /// The command lines of an Examples text: each line's text before its
    /// description (two spaces or more), taken out of `"$(..)"`, cut at a pipe
    /// or a redirection.
    fn example_lines(text: &str) -> Vec<Vec<String>> {
        let mut out = Vec::new();
        for line in text.lines().map(str::trim) {
            let line = line.split("  ").next().unwrap_or_default();
            let line = match line.split_once("\"$(") {
                Some((_, inner)) => inner.split_once(")\"").map_or(inner, |(cmd, _)| cmd),
                None => line,
            };
            if !line.starts_with("slim-setup") {
                continue;
            }
            let words: Vec<String> = line
                .split_whitespace()
                .take_while(|w| !["|", ">", ">>"].contains(w))
                .map(String::from)
                .collect();
            out.push(words);
        }
        out
    }

    #[test]
    fn every_example_parses_and_every_command_has_some() {
        let cmd = Cli::command();
        let mut texts = vec![("slim-setup".to_string(), cmd.get_after_help().map(|h| h.to_string()))];
        for sub in cmd.get_subcommands().filter(|s| !["help", "version"].contains(&s.get_name())) {
            texts.push((sub.get_name().to_string(), sub.get_after_help().map(|h| h.to_string())));
        }
        for (name, text) in texts {
            let lines = example_lines(&text.unwrap_or_else(|| panic!("{name} has no examples")));
            assert!(lines.len() >= 2, "{name}: {lines:?}");
            for words in lines {
                assert!(Cli::try_parse_from(&words).is_ok(), "{name}: {words:?} does not parse");
            }
        }
    }

    #[test]
    fn examples_fit_the_width_clap_wraps_at() {
        let cmd = Cli::command();
        for sub in std::iter::once(&cmd).chain(cmd.get_subcommands()) {
            for line in sub.get_after_help().map(|h| h.to_string()).unwrap_or_default().lines() {
                assert!(line.chars().count() <= 100, "{}: {line}", sub.get_name());
            }
        }
    }

    #[test]
    fn location_flags_say_what_each_command_does_with_them() {
        let cmd = Cli::command();
        let help = |sub: &str, arg: &str| {
            let sub = cmd.find_subcommand(sub).unwrap();
            sub.get_arguments().find(|a| a.get_id() == arg).unwrap().get_help().unwrap().to_string()
        };
        for (sub, gopath, cache_dir) in [
            ("install", "to install under", "Install exactly into"),
            ("list", "searched", "Look only in"),
            ("verify", "searched", "Verify only"),
            ("clean", "cleaned", "Remove from"),
            ("env", "looked for", "CGO_LDFLAGS links from there"),
            ("doctor", "looked for", "Check the library in"),
        ] {
            assert!(help(sub, "gopath").contains(gopath), "{sub}: {}", help(sub, "gopath"));
            assert!(help(sub, "cache_dir").contains(cache_dir), "{sub}: {}", help(sub, "cache_dir"));
        }
    }
}
