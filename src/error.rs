//! The library's error type: what failed (with its data), a hint saying what
//! to do next, and the exit code. Only `main` prints and exits; it prints the
//! chain of causes once (`anyhow`'s `{:#}`), so a variant's message never
//! repeats its `#[source]`.
//!
//! Errors found inside a `Read` (the network body under the hashing thread,
//! the inflater under the extractor) travel up as `io::Error`s: `carry` wraps
//! one, and `From<io::Error>` is the one place that unwraps it again.

use std::io;
use std::path::PathBuf;

use crate::domain::objfmt::ArError;
use crate::domain::platform::PlatformError;
use crate::domain::sums::Sha256;
use crate::domain::version::VersionError;
use crate::domain::{layout::LayoutError, zipfmt::NameError, zipfmt::layout::Ambiguity};

pub(crate) type Result<T, E = Error> = std::result::Result<T, E>;

/// Why the go command gave no answer (`host::gocmd` asks it).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum GoError {
    /// No `go` on PATH.
    #[error("go is not on PATH")]
    Missing,
    /// It ran and failed; `line` is its own error line.
    #[error("`{command}` failed: {line}")]
    Failed { command: String, line: String },
    #[error("`{command}` did not finish within {secs}s")]
    TimedOut { command: String, secs: u64 },
}

#[derive(Debug, thiserror::Error)]
pub(crate) enum Error {
    #[error("{0}")]
    Usage(String),
    /// A command line clap refused: one line (what is wrong and what is
    /// accepted) and a hint (clap's tip, else where the help is).
    #[error("{message}")]
    CommandLine { message: String, hint: String },
    /// An error in what the user typed, found while planning (a flag's value
    /// that fits no row of the target table): a usage error.
    #[error(transparent)]
    Typed(Box<Error>),
    #[error(transparent)]
    Platform(#[from] PlatformError),
    #[error(transparent)]
    Version(#[from] VersionError),
    #[error(transparent)]
    Layout(#[from] LayoutError),
    #[error("no SLIM bindings version given and none found: {why}")]
    NoVersion { why: String },
    #[error("{module} is replaced by the local folder '{path}', which has no release to download")]
    LocalReplace { module: String, path: String },
    #[error("could not {action} '{}'", .path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("could not reach {host} ({url}): {reason}")]
    Network { host: String, url: String, reason: String, kind: NetKind },
    #[error("{url} answered {status}")]
    HttpStatus { url: String, status: u16, available: Vec<String>, hint: Option<String> },
    #[error("{url} did not send the archive: {reason}")]
    BadBody { url: String, reason: String },
    #[error(
        "checksum mismatch for {asset}: expected {expected} ({from}), got {actual}; nothing was installed"
    )]
    ChecksumMismatch { asset: String, expected: Sha256, actual: Sha256, from: String },
    #[error("no checksum is available for {asset}{} and --require-checksum is set", .why.as_ref().map(|w| format!(" ({w})")).unwrap_or_default())]
    ChecksumRequired { asset: String, why: Option<String> },
    /// The checksum lookup failed: nothing can vouch, and that is not "none".
    #[error("cannot verify {asset}: {url} could not be read ({reason}); nothing was installed")]
    ChecksumUnavailable { asset: String, url: String, reason: String },
    #[error("{asset} is not a usable release archive: {reason}")]
    Archive { asset: String, reason: String },
    #[error(transparent)]
    UnsafeName(#[from] NameError),
    #[error("{asset} holds no usable library")]
    Library {
        asset: String,
        #[source]
        source: ArError,
    },
    #[error(
        "{asset} has no {lib}; it holds: {}{}",
        if .names.is_empty() { "nothing".to_string() } else { .names.join(", ") },
        if .foreign.is_empty() { String::new() } else { format!(" ({} named for another target, never installed for this one)", .foreign.join(", ")) }
    )]
    MissingLibrary { asset: String, lib: String, names: Vec<String>, foreign: Vec<String> },
    /// A redirect this tool will not follow (plain http, too many hops).
    #[error("{url}: {reason}")]
    Redirect { url: String, reason: String },
    /// Another reader would find another library in it: refused whole.
    #[error("ambiguous archive {asset}: {reason}; nothing was installed")]
    Ambiguous { asset: String, reason: Ambiguity },
    #[error(
        "not enough space in '{}': {what} needs {}, {} is free; nothing was installed",
        .dir.display(), indicatif::HumanBytes(*.needed), indicatif::HumanBytes(*.available)
    )]
    NoSpace { dir: PathBuf, what: String, needed: u64, available: u64 },
    #[error("refusing to write through the symbolic link '{}'", .0.display())]
    Symlink(PathBuf),
    #[error("{0} is not installed and --offline (or a base URL of 'off') forbids downloading it")]
    Offline(String),
    #[error(
        "refusing to install into '{}': it is inside Go's module cache '{}', which is read-only and checked by `go mod verify`",
        .dir.display(), .modcache.display()
    )]
    InsideModCache { dir: PathBuf, modcache: PathBuf },
    #[error(transparent)]
    Go(#[from] GoError),
    #[error("{} damaged or missing: {}", .0.len(), .0.join("; "))]
    Damaged(Vec<String>),
    /// The download can only go on by starting over (the server ignored
    /// `Range`, or the file changed under us): the flow discards what it
    /// wrote and asks again.
    #[error("{url} cannot resume the download")]
    Restart { url: String },
    #[error("interrupted")]
    Interrupted(i32),
    #[error("{0}")]
    Other(String),
    #[error("{} of {total} targets failed: {}", .failed.len(), .failed.join(", "))]
    TargetsFailed { failed: Vec<String>, total: usize },
    /// Standard output's reader went away: nothing is wrong, nothing is said.
    #[error("standard output was closed")]
    ClosedOutput,
    #[error("cannot write to standard output: {0}")]
    Output(#[source] io::Error),
    #[error("the environment variable {0} is not valid UTF-8, and slim-setup reads it")]
    EnvNotText(String),
}

impl Error {
    pub(crate) fn io(action: &'static str, path: impl Into<PathBuf>, source: io::Error) -> Error {
        Error::Io { action, path: path.into(), source }
    }

    /// Wrap this error to pass it up through a `Read` or `Write`.
    pub(crate) fn carry(self) -> io::Error {
        io::Error::other(self)
    }

    /// The error with its causes, as `main` prints it: "what: why: why".
    pub(crate) fn message(&self) -> String {
        let mut text = self.to_string();
        let mut cur: &dyn std::error::Error = self;
        while let Some(next) = cur.source() {
            text += &format!(": {next}");
            cur = next;
        }
        text
    }

    pub(crate) fn exit_code(&self) -> i32 {
        match self {
            Error::Usage(_) | Error::CommandLine { .. } | Error::Typed(_) => 2,
            Error::ClosedOutput => 0,
            Error::Interrupted(signal) => 128 + signal,
            _ => 1,
        }
    }

    /// What to try next, when there is something useful to say.
    pub(crate) fn hint(&self) -> Option<String> {
        Some(match self {
            Error::CommandLine { hint, .. } => hint.clone(),
            Error::Typed(inner) => return inner.hint(),
            Error::Platform(PlatformError::Unsupported { .. }) => {
                "pass --goos/--goarch (and --libc on linux) for one of the supported platforms".into()
            }
            Error::Platform(_) => "see 'slim-setup targets' for the published triples".into(),
            Error::Version(VersionError::Pseudo(_)) => {
                "pin a released version in go.mod (go get github.com/agntcy/slim-bindings-go@v1.4.0), or pass one: slim-setup install v1.4.0".into()
            }
            Error::NoVersion { .. } => {
                "pass it (slim-setup install v1.4.0), set SLIM_BINDINGS_VERSION, or run inside a Go module that requires github.com/agntcy/slim-bindings-go".into()
            }
            Error::LocalReplace { .. } => {
                "pass the version whose library the local copy needs: slim-setup install v1.4.0".into()
            }
            Error::Network { kind: NetKind::Timeout, .. } => {
                "the server is slow or the network stalls: raise --timeout (or lower --min-rate), check the proxy settings (HTTPS_PROXY, NO_PROXY), or use a mirror with --base-url".into()
            }
            Error::Network { kind: NetKind::Refused, host, .. } => {
                format!("nothing accepts connections at {host}: check --base-url (is the mirror running?) and the proxy settings")
            }
            Error::Network { kind: NetKind::Untrusted, host, .. } => {
                format!("{host}'s certificate is not trusted here: if a proxy or a private CA signs it, add that CA to the system's store or name its PEM file in SSL_CERT_FILE")
            }
            Error::Network { .. } => {
                "check the connection and the proxy settings (HTTPS_PROXY, NO_PROXY), or use a mirror with --base-url".into()
            }
            Error::HttpStatus { hint: Some(h), .. } => h.clone(),
            Error::HttpStatus { available, .. } if !available.is_empty() => {
                format!("this release has: {}", available.join(", "))
            }
            Error::HttpStatus { status: 404, .. } => {
                "check the version (is it released?) and --base-url; a mirror needs {base}/{tag}/slim-bindings-{triple}.zip".into()
            }
            Error::ChecksumMismatch { .. } => {
                "the download or the mirror is corrupt or tampered with; try again, or check the mirror's SHA256SUMS".into()
            }
            Error::ChecksumUnavailable { url, .. } if url.contains("/releases/tags/") => {
                "set GITHUB_TOKEN (or GH_TOKEN) if the GitHub API is rate limited, retry later, or vouch for the archive yourself: --sha256 HEX, or a pin in slim-bindings.sum".into()
            }
            Error::ChecksumUnavailable { .. } => {
                "retry later or fix the mirror's checksum file, or vouch for the archive yourself: --sha256 HEX, or a pin in slim-bindings.sum".into()
            }
            Error::ChecksumRequired { .. } => {
                "pass --sha256 HEX, publish SHA256SUMS beside the archives, or drop --require-checksum".into()
            }
            Error::BadBody { .. } => {
                "a captive portal, proxy or login page may be answering; check the network, then retry".into()
            }
            Error::Ambiguous { .. } => {
                "the mirror or release serves a tampered or badly built zip; rebuild it with `zip`, or fetch it from the release".into()
            }
            Error::NoSpace { .. } => "free some space, or install elsewhere with --cache-dir".into(),
            Error::EnvNotText(name) => format!("set {name} to a UTF-8 value, or unset it"),
            Error::Library { .. } | Error::MissingLibrary { .. } => {
                "check --goos/--goarch/--libc and that the mirror serves the archive the release published".into()
            }
            Error::Offline(_) => "run once without --offline, or install from a local mirror with --base-url DIR".into(),
            Error::Io { source, .. } if source.kind() == io::ErrorKind::PermissionDenied => {
                "choose a writable place with --gopath or --cache-dir".into()
            }
            Error::Damaged(_) => "reinstall with: slim-setup install VERSION --force (same --goos/--goarch/--target)".into(),
            Error::Symlink(_) => "remove the link, or install elsewhere with --cache-dir".into(),
            Error::InsideModCache { .. } => {
                "install where the module's cgo looks (no --cache-dir), or pass a --cache-dir outside GOMODCACHE and link it with `slim-setup env`".into()
            }
            Error::Go(GoError::TimedOut { .. }) => {
                "check the module proxy (GOPROXY) and the network, raise SLIM_SETUP_GO_TIMEOUT, or pass VERSION and --cache-dir so that go is not asked".into()
            }
            Error::Go(_) => {
                "fix what go reports (run the same go command to see it), or pass VERSION and --cache-dir so that go is not asked".into()
            }
            _ => return None,
        })
    }
}

/// What kind of network failure, for the hint: only a timeout is helped
/// by a longer --timeout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NetKind {
    Timeout,
    Refused,
    Untrusted,
    Other,
}

/// What `run` hands `main`: the error with its chain of causes (as
/// `std::error::Error::source`), the hint and the exit code. Opaque, so the
/// library's own error type stays inside the crate.
#[derive(Debug)]
pub struct Failure(Error);

impl Failure {
    pub fn exit_code(&self) -> i32 {
        self.0.exit_code()
    }

    pub fn hint(&self) -> Option<String> {
        self.0.hint()
    }

    pub(crate) fn inner(&self) -> &Error {
        &self.0
    }

    /// Nothing to report (standard output was closed by its reader).
    pub fn is_quiet(&self) -> bool {
        matches!(self.0, Error::ClosedOutput)
    }
}

impl Failure {
    /// A command line clap refused, in slim-setup's shape: `error:` and one
    /// line, then `hint:`, exit 2 (clap's own text spans several lines).
    pub fn usage(e: &clap::Error) -> Failure {
        let (message, hint) = one_line(&e.render().to_string());
        Failure(Error::CommandLine { message, hint })
    }
}

/// clap's rendered error, `error: what\n  [possible values: ..]\n\n  tip: ..\n\nUsage: slim-setup install [OPTIONS]\n\nFor more ..`,
/// as one line (`what (possible values: ..)`) and a hint: the tips, else
/// where the help of the command in the usage line is.
fn one_line(rendered: &str) -> (String, String) {
    let mut lines = rendered.lines().map(str::trim);
    let mut message = lines.next().unwrap_or_default().trim_start_matches("error:").trim().to_string();
    let (mut tips, mut command) = (Vec::new(), "slim-setup".to_string());
    // After "...not provided:" the lines are a list.
    let mut listing = message.ends_with(':');
    for line in lines {
        if let Some(usage) = line.strip_prefix("Usage:") {
            let words = usage.split_whitespace().take_while(|w| !w.starts_with(['[', '<', '-']));
            command = words.collect::<Vec<_>>().join(" ");
            break;
        } else if line.starts_with("For more information") {
            continue;
        } else if let Some(tip) = line.strip_prefix("tip:") {
            tips.push(tip.trim().to_string());
        } else if let Some(list) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            message += &format!(" ({list})");
        } else if !line.is_empty() {
            let glue = if message.ends_with(':') {
                " "
            } else if listing {
                ", "
            } else {
                "; "
            };
            message += &format!("{glue}{line}");
            listing |= line.ends_with(':');
        }
    }
    let hint = match tips.is_empty() {
        true => format!("see '{command} --help'"),
        false => tips.join("; "),
    };
    (message, hint)
}

impl From<Error> for Failure {
    fn from(e: Error) -> Failure {
        Failure(e)
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for Failure {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        std::error::Error::source(&self.0)
    }
}

/// The one place an error carried through `io::Error` is recovered. An
/// `io::Error` that carries none is a plain read failure of the source.
impl From<io::Error> for Error {
    fn from(e: io::Error) -> Error {
        match e.downcast::<Error>() {
            Ok(carried) => carried,
            Err(plain) => Error::Other(format!("read failed: {plain}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_carried_error_comes_back_as_itself() {
        let e: Error = Error::Restart { url: "http://m/x.zip".into() }.carry().into();
        assert!(matches!(e, Error::Restart { ref url } if url == "http://m/x.zip"), "{e:?}");
        let e: Error = io::Error::new(io::ErrorKind::ConnectionReset, "reset").into();
        assert_eq!(e.to_string(), "read failed: reset");
    }

    #[test]
    fn clap_errors_become_one_line_and_a_hint() {
        let table = [
            (
                "error: invalid value 'uclibc' for '--libc <gnu|musl>'\n  [possible values: gnu, musl]\n\nFor more information, try '--help'.\n",
                "invalid value 'uclibc' for '--libc <gnu|musl>' (possible values: gnu, musl)",
                "see 'slim-setup --help'",
            ),
            (
                "error: unexpected argument '--josn' found\n\n  tip: a similar argument exists: '--json'\n\nUsage: slim-setup list --json\n\nFor more information, try '--help'.\n",
                "unexpected argument '--josn' found",
                "a similar argument exists: '--json'",
            ),
            (
                "error: unknown command 'instal'; did you mean 'install'?\n\nUsage: slim-setup [OPTIONS] [VERSION]\n       slim-setup <COMMAND>\n\nFor more information, try '--help'.\n",
                "unknown command 'instal'; did you mean 'install'?",
                "see 'slim-setup --help'",
            ),
            (
                "error: the following required arguments were not provided:\n  --out <DIR>\n  --x <Y>\n\nUsage: slim-setup mirror --out <DIR> [VERSION]\n",
                "the following required arguments were not provided: --out <DIR>, --x <Y>",
                "see 'slim-setup mirror --help'",
            ),
        ];
        for (rendered, message, hint) in table {
            assert_eq!(one_line(rendered), (message.to_string(), hint.to_string()), "{rendered}");
        }
    }

    #[test]
    fn causes_are_printed_once_each() {
        let e = Error::io("create", "/x", io::Error::new(io::ErrorKind::PermissionDenied, "denied"));
        assert_eq!(e.message(), "could not create '/x': denied");
        assert!(e.hint().is_some());
        let e = Error::Library { asset: "a.zip".into(), source: ArError::NoObjects };
        assert_eq!(e.message(), "a.zip holds no usable library: the library holds no object files");
        assert_eq!(Error::Usage("x".into()).exit_code(), 2);
        assert_eq!(Error::Interrupted(15).exit_code(), 143);
    }
}
