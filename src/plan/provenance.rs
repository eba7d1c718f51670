//! Where each decision of a plan came from, as data the report renders (the
//! banner, `--json`, `doctor`): the version, the platform and the folder.

use std::fmt;
use std::path::PathBuf;

use crate::domain::platform::Libc;
use crate::host::project::ProjectSource;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum VersionSource {
    CommandLine,
    /// `SLIM_BINDINGS_VERSION`.
    EnvVar,
    Project(ProjectSource),
    /// A `-L` of the link line the `cc` front saw, as written.
    LinkLine(String),
}

impl fmt::Display for VersionSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VersionSource::CommandLine => f.write_str("command line"),
            VersionSource::EnvVar => f.write_str("SLIM_BINDINGS_VERSION"),
            VersionSource::Project(p) => p.fmt(f),
            VersionSource::LinkLine(arg) => write!(f, "the link's -L{arg}"),
        }
    }
}

/// Where one platform setting came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Setting {
    Flag(&'static str),
    /// `go env` (which reads the environment and Go's env file).
    GoEnv,
    Env(&'static str),
    Host,
}

impl fmt::Display for Setting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Setting::Flag(flag) => f.write_str(flag),
            Setting::GoEnv => f.write_str("go env"),
            Setting::Env(var) => write!(f, "${var}"),
            Setting::Host => f.write_str("host"),
        }
    }
}

/// How the targets were chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PlatformNote {
    All,
    Targets,
    One {
        goos: String,
        goarch: String,
        os_from: Setting,
        arch_from: Setting,
        libc: Option<(Libc, String)>,
    },
    /// The `cc` front: the link's `-l` name, and the libc of its compiler.
    LinkLine {
        name: String,
        libc: Option<(Libc, String)>,
    },
}

impl fmt::Display for PlatformNote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PlatformNote::All => f.write_str("all published targets"),
            PlatformNote::Targets => f.write_str("--target"),
            PlatformNote::One { goos, goarch, os_from, arch_from, libc } => {
                match (os_from, arch_from) {
                    (a, b) if a == b => write!(f, "{goos}/{goarch} (from {a})")?,
                    (Setting::Env(_), Setting::Env(_)) => {
                        write!(f, "{goos}/{goarch} (from {os_from} and {arch_from})")?
                    }
                    _ => write!(f, "{goos}/{goarch} (GOOS from {os_from}, GOARCH from {arch_from})")?,
                }
                match libc {
                    Some((l, why)) => write!(f, ", libc {l} ({why})"),
                    None => Ok(()),
                }
            }
            PlatformNote::LinkLine { name, libc } => {
                write!(f, "-l{name}")?;
                match libc {
                    Some((l, why)) => write!(f, ", libc {l} ({why})"),
                    None => Ok(()),
                }
            }
        }
    }
}

/// How a target's folder was decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DirSource {
    CacheDir,
    /// The module's own directive: its file and the `-L` as written.
    Directive {
        file: PathBuf,
        arg: String,
    },
    Layout(LayoutWhy),
    /// The same, installed under the musl library's own name only: the gnu
    /// library of the same run takes the name cgo links.
    OwnNameOnly(Box<DirSource>),
    /// The `-L` of the link line the `cc` front saw, as written.
    LinkLine {
        arg: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum LayoutWhy {
    /// The module is not in the module cache (yet).
    NoModule,
    /// Its directive names no folder outside the module cache.
    NoOutsideFolder { file: PathBuf },
}

impl fmt::Display for DirSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DirSource::CacheDir => f.write_str("--cache-dir"),
            DirSource::Directive { file, arg } => {
                write!(f, "the cgo directive in {} ({arg})", file.display())
            }
            DirSource::Layout(LayoutWhy::NoModule) => f.write_str("the version's published layout"),
            DirSource::Layout(LayoutWhy::NoOutsideFolder { file }) => write!(
                f,
                "the version's published layout: the cgo directive in {} names no folder outside the module cache",
                file.display()
            ),
            DirSource::LinkLine { arg } => write!(f, "the link's -L{arg}"),
            DirSource::OwnNameOnly(inner) => write!(
                f,
                "{inner}; only under its own name, as the gnu library of this run takes the name cgo links"
            ),
        }
    }
}
