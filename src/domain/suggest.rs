//! What to say about a word typed where a version (or, for the bare
//! `slim-setup WORD`, a command) was expected: a typo of a command gets the
//! command, `latest` and `v1.4` get what slim-setup needs instead. Pure: the
//! caller says where the word was typed and which commands exist.

use super::version::{Version, VersionError};

/// Where the word was typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Place {
    /// `slim-setup WORD`: the implicit install's VERSION, where a command may have been meant.
    Bare,
    /// A subcommand's VERSION (`slim-setup install WORD`).
    Argument,
    /// An environment variable holding the version.
    Env(&'static str),
}

/// Words that ask for "whatever is newest", which slim-setup never guesses.
const FLOATING: [&str; 7] = ["latest", "newest", "stable", "master", "main", "head", "tip"];

/// Words other tools use for one of slim-setup's commands; matched before
/// spelling, so that `uninstall` is not taken for a typo of `install`.
const SYNONYMS: [(&str, &str); 7] = [
    ("uninstall", "clean"),
    ("remove", "clean"),
    ("rm", "clean"),
    ("delete", "clean"),
    ("ls", "list"),
    ("get", "install"),
    ("download", "install"),
];

/// `None` when `word` is a release version; else the one-line message saying
/// what is wrong and what was probably meant.
pub(crate) fn version_word(word: &str, place: Place, commands: &[&str]) -> Option<String> {
    let err = Version::parse(word).err()?;
    let word = word.trim();
    let message = if let VersionError::Pseudo(_) = err {
        err.to_string()
    } else if FLOATING.contains(&word.to_ascii_lowercase().as_str()) {
        let instead = match place {
            Place::Env(_) => "unset it",
            _ => "omit VERSION",
        };
        format!(
            "slim-setup installs a release version like v1.4.0, not '{word}'; {instead} to use the one go.mod requires"
        )
    } else if let Some(full) = completed(word) {
        format!("'{word}' is not a full version; did you mean {full}?")
    } else if place == Place::Bare && !looks_like_version(word) {
        let lower = word.to_ascii_lowercase();
        let synonym = SYNONYMS.iter().find(|(w, c)| *w == lower && commands.contains(c)).map(|(_, c)| *c);
        match synonym.or_else(|| closest(word, commands)) {
            Some(command) => format!("unknown command '{word}'; did you mean '{command}'?"),
            None => format!("'{word}' is neither a command nor a version (like v1.4.0)"),
        }
    } else {
        err.to_string()
    };
    Some(match place {
        Place::Env(name) => format!("{name}: {message}"),
        _ => message,
    })
}

/// Whether `word` is `v1.4.0`'s kind of thing at all (a digit, or v and a
/// digit, first): then it was no command.
fn looks_like_version(word: &str) -> bool {
    let bare = word.strip_prefix(['v', 'V']).unwrap_or(word);
    bare.starts_with(|c: char| c.is_ascii_digit())
}

/// `v1.4` -> `v1.4.0`, `2` -> `v2.0.0`, `V1.4.0` -> `v1.4.0`: a version
/// missing only zeros (or with a capital V), written out in full.
fn completed(word: &str) -> Option<String> {
    let bare = word.strip_prefix(['v', 'V']).unwrap_or(word);
    let parts: Vec<&str> = bare.split('.').collect();
    let numeric = parts.iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    let full = match parts.len() {
        1 | 2 if numeric => format!("v{bare}{}", ".0".repeat(3 - parts.len())),
        _ if word.starts_with('V') => format!("v{bare}"),
        _ => return None,
    };
    Version::parse(&full).ok().map(|v| v.to_string())
}

/// The candidate `word` most likely misspells: within a third of its length
/// in edits, and at most 3 (transpositions count once), else the only one it
/// begins. Three keeps long look-alikes apart: `riscv64gc-unknown-linux-gnu`
/// is 7 edits from `x86_64-unknown-linux-gnu` and no typo of it.
pub(crate) fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let lower = word.to_ascii_lowercase();
    let near = candidates
        .iter()
        .map(|c| (strsim::damerau_levenshtein(&lower, c), *c))
        .filter(|(d, c)| *d <= (c.len() / 3).clamp(1, 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c);
    let mut prefixed = candidates.iter().filter(|c| lower.len() >= 3 && c.starts_with(&lower));
    near.or_else(|| match (prefixed.next(), prefixed.next()) {
        (Some(only), None) => Some(*only),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const COMMANDS: [&str; 12] = [
        "install",
        "list",
        "verify",
        "env",
        "clean",
        "mirror",
        "doctor",
        "targets",
        "completions",
        "man",
        "version",
        "help",
    ];

    #[test]
    fn each_word_gets_its_message() {
        let env = Place::Env("SLIM_BINDINGS_VERSION");
        let table: &[(&str, Place, Option<&str>)] = &[
            ("v1.4.0", Place::Bare, None),
            ("1.4.0", Place::Argument, None),
            ("v2.0.0-alpha.1", env, None),
            ("instal", Place::Bare, Some("unknown command 'instal'; did you mean 'install'?")),
            ("lsit", Place::Bare, Some("unknown command 'lsit'; did you mean 'list'?")),
            ("Doctor", Place::Bare, Some("unknown command 'Doctor'; did you mean 'doctor'?")),
            ("evn", Place::Bare, Some("unknown command 'evn'; did you mean 'env'?")),
            ("completion", Place::Bare, Some("unknown command 'completion'; did you mean 'completions'?")),
            ("comp", Place::Bare, Some("unknown command 'comp'; did you mean 'completions'?")),
            ("foo", Place::Bare, Some("'foo' is neither a command nor a version (like v1.4.0)")),
            ("uninstall", Place::Bare, Some("unknown command 'uninstall'; did you mean 'clean'?")),
            ("ls", Place::Bare, Some("unknown command 'ls'; did you mean 'list'?")),
            ("upgrade", Place::Bare, Some("'upgrade' is neither a command nor a version (like v1.4.0)")),
            // After a subcommand, or in a variable, a word is only ever a version.
            (
                "instal",
                Place::Argument,
                Some("'instal' is not a version (expected something like v1.4.0 or 1.4.0)"),
            ),
            (
                "foo",
                env,
                Some(
                    "SLIM_BINDINGS_VERSION: 'foo' is not a version (expected something like v1.4.0 or 1.4.0)",
                ),
            ),
            (
                "latest",
                Place::Bare,
                Some(
                    "slim-setup installs a release version like v1.4.0, not 'latest'; omit VERSION to use the one go.mod requires",
                ),
            ),
            (
                "Latest",
                Place::Argument,
                Some(
                    "slim-setup installs a release version like v1.4.0, not 'Latest'; omit VERSION to use the one go.mod requires",
                ),
            ),
            (
                "latest",
                env,
                Some(
                    "SLIM_BINDINGS_VERSION: slim-setup installs a release version like v1.4.0, not 'latest'; unset it to use the one go.mod requires",
                ),
            ),
            (
                "main",
                Place::Bare,
                Some(
                    "slim-setup installs a release version like v1.4.0, not 'main'; omit VERSION to use the one go.mod requires",
                ),
            ),
            ("v1.4", Place::Bare, Some("'v1.4' is not a full version; did you mean v1.4.0?")),
            ("1.4", Place::Argument, Some("'1.4' is not a full version; did you mean v1.4.0?")),
            ("v2", Place::Bare, Some("'v2' is not a full version; did you mean v2.0.0?")),
            ("V1.4.0", Place::Bare, Some("'V1.4.0' is not a full version; did you mean v1.4.0?")),
            ("v1.4", env, Some("SLIM_BINDINGS_VERSION: 'v1.4' is not a full version; did you mean v1.4.0?")),
            // Version-shaped but not one: never "unknown command".
            (
                "v1.4.0.0",
                Place::Bare,
                Some("'v1.4.0.0' is not a version (expected something like v1.4.0 or 1.4.0)"),
            ),
            ("1.x", Place::Bare, Some("'1.x' is not a version (expected something like v1.4.0 or 1.4.0)")),
            (
                "v0.0.0-20240101120000-abcdef123456",
                Place::Bare,
                Some(
                    "v0.0.0-20240101120000-abcdef123456 is a Go pseudo-version (a commit, not a release), so no prebuilt library exists for it",
                ),
            ),
        ];
        for (word, place, want) in table {
            assert_eq!(version_word(word, *place, &COMMANDS).as_deref(), *want, "{word} {place:?}");
        }
    }

    #[test]
    fn closest_needs_to_be_close() {
        let triples = ["x86_64-unknown-linux-gnu", "x86_64-unknown-linux-musl", "aarch64-apple-darwin"];
        for (word, want) in [
            ("x86_64-unknown-linux-muls", Some("x86_64-unknown-linux-musl")),
            ("arm64-apple-darwin", Some("aarch64-apple-darwin")),
            ("riscv64gc-unknown-linux-gnu", None),
            ("x", None),
        ] {
            assert_eq!(closest(word, &triples), want, "{word}");
        }
        // A prefix shared by two candidates names neither.
        assert_eq!(closest("ver", &["verify", "version"]), None);
    }
}
