//! The error type every command returns: what failed (with its data), a hint
//! saying what to do next, and the exit code. Only `main` prints and exits.

use std::path::PathBuf;

use crate::domain::objfmt::ArError;
use crate::domain::platform::PlatformError;
use crate::domain::sums::Sha256;
use crate::domain::version::VersionError;
use crate::domain::{layout::LayoutError, zipfmt::NameError};

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Usage(String),
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
    #[error("could not {action} '{path}': {source}")]
    Io { action: &'static str, path: PathBuf, source: std::io::Error },
    #[error("could not reach {host} ({url}): {reason}")]
    Network { host: String, url: String, reason: String },
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
    #[error("{asset} is not a usable release archive: {reason}")]
    Archive { asset: String, reason: String },
    #[error(transparent)]
    UnsafeName(#[from] NameError),
    #[error("{asset}: {source}")]
    Library { asset: String, source: ArError },
    #[error("{asset} has no {lib}; it holds: {}", if .names.is_empty() { "nothing".to_string() } else { .names.join(", ") })]
    MissingLibrary { asset: String, lib: String, names: Vec<String> },
    #[error(
        "refusing to install into '{}': it is inside Go's module cache '{}', which is read-only and checked by `go mod verify`",
        .dir.display(), .modcache.display()
    )]
    InsideModCache { dir: PathBuf, modcache: PathBuf },
    #[error("{0}")]
    Go(#[from] crate::host::gocmd::GoError),
    #[error("refusing to write through the symbolic link '{0}'")]
    Symlink(PathBuf),
    #[error("{0} is not installed and --offline (or a base URL of 'off') forbids downloading it")]
    Offline(String),
    #[error("{} damaged or missing: {}", .0.len(), .0.join("; "))]
    Damaged(Vec<String>),
    #[error("the server cannot resume the download")]
    Restart,
    #[error("interrupted")]
    Interrupted(i32),
    #[error("{0}")]
    Other(String),
}

impl Error {
    pub fn io(action: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        Error::Io { action, path: path.into(), source }
    }

    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Usage(_) => 2,
            Error::Interrupted(signal) => 128 + signal,
            _ => 1,
        }
    }

    /// What to try next, when there is something useful to say.
    pub fn hint(&self) -> Option<String> {
        Some(match self {
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
            Error::Network { .. } => {
                "check the connection or proxy settings (HTTPS_PROXY, NO_PROXY), raise --timeout, or use a mirror with --base-url".into()
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
            Error::ChecksumRequired { .. } => {
                "pass --sha256 HEX, publish SHA256SUMS beside the archives, or drop --require-checksum".into()
            }
            Error::BadBody { .. } => {
                "a captive portal, proxy or login page may be answering; check the network, then retry".into()
            }
            Error::Library { .. } | Error::MissingLibrary { .. } => {
                "check --goos/--goarch/--libc and that the mirror serves the archive the release published".into()
            }
            Error::Offline(_) => "run once without --offline, or install from a local mirror with --base-url DIR".into(),
            Error::Io { source, .. } if source.kind() == std::io::ErrorKind::PermissionDenied => {
                "choose a writable place with --gopath or --cache-dir".into()
            }
            Error::Damaged(_) => "reinstall with: slim-setup install VERSION --force (same --goos/--goarch/--target)".into(),
            Error::Symlink(_) => "remove the link, or install elsewhere with --cache-dir".into(),
            Error::InsideModCache { .. } => {
                "install where the module's cgo looks (no --cache-dir), or pass a --cache-dir outside GOMODCACHE and link it with `slim-setup env`".into()
            }
            Error::Go(crate::host::gocmd::GoError::TimedOut { .. }) => {
                "check the module proxy (GOPROXY) and the network, or pass VERSION and --cache-dir so that go is not asked".into()
            }
            Error::Go(_) => {
                "fix what go reports (run the same go command to see it), or pass VERSION and --cache-dir so that go is not asked".into()
            }
            _ => return None,
        })
    }
}
