//! Which version of the Go bindings the user's project builds with. The go
//! command knows best (`go list -m` honours go.work, replace and the build list);
//! without it, the nearest go.work / go.mod is read. Never the tool's own version.

use std::path::{Path, PathBuf};

use crate::domain::gomod::{self, Requirement};
use crate::domain::layout::{MODULE_V1, MODULE_V2};
use crate::error::Error;

use super::env::Env;
use super::gocmd::{GoError, GoRunner};

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Detected {
    pub(crate) version: String,
    pub(crate) module: String,
    pub(crate) source: ProjectSource,
    /// The module's folder in the module cache, when go reported it.
    pub(crate) module_dir: Option<PathBuf>,
}

/// Why no version could be read. Kept (and cloned) in the host facts, so a
/// command can report it beside its other checks.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum DetectError {
    #[error("{why}")]
    NoVersion { why: String },
    #[error("{module} is replaced by the local folder '{path}'")]
    LocalReplace { module: String, path: String },
    #[error("could not read '{}': {reason}", .path.display())]
    Unreadable { path: PathBuf, reason: String },
}

impl From<DetectError> for Error {
    fn from(e: DetectError) -> Error {
        match e {
            DetectError::NoVersion { why } => Error::NoVersion { why },
            DetectError::LocalReplace { module, path } => Error::LocalReplace { module, path },
            unreadable => Error::Other(unreadable.to_string()),
        }
    }
}

type Result<T> = std::result::Result<T, DetectError>;

/// Where the project's version was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ProjectSource {
    /// `go list -m`, possibly through a `replace` (and the go.mod that has it).
    GoList { replaced_by: Option<String>, go_mod: Option<PathBuf> },
    /// A go.mod or go.work read directly, with why go was not asked (or
    /// could not answer) when it is on PATH.
    File { path: PathBuf, go_failed: Option<String> },
}

impl std::fmt::Display for ProjectSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ProjectSource::GoList { replaced_by: None, .. } => f.write_str("go list -m"),
            ProjectSource::GoList { replaced_by: Some(by), go_mod } => {
                write!(f, "go list -m, replaced by {by}")?;
                go_mod.as_ref().map_or(Ok(()), |g| write!(f, " ({})", g.display()))
            }
            ProjectSource::File { path, go_failed: None } => write!(f, "{}", path.display()),
            ProjectSource::File { path, go_failed: Some(why) } => write!(f, "{} ({why})", path.display()),
        }
    }
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListedModule {
    path: String,
    version: Option<String>,
    dir: Option<PathBuf>,
    replace: Option<Box<ListedModule>>,
    error: Option<serde_json::Value>,
    go_mod: Option<PathBuf>,
}

/// The go command's answer when it has one (`go` is `None` when it is not on
/// PATH), else go.work / go.mod. When `go list` fails, its own error line is
/// kept in the source so the user sees why the files were read instead.
pub(crate) fn detect(cwd: &Path, env: &Env, go: Option<&GoRunner>) -> Result<Detected> {
    let why_not_go = match go.map(from_go_list) {
        Some(Ok(Some(found))) => return Ok(found),
        Some(Err(ListError::Fatal(e))) => return Err(e),
        Some(Err(ListError::Go(e))) => Some(e.to_string()),
        Some(Ok(None)) | None => None,
    };
    match (from_files(cwd, env), why_not_go) {
        (Ok(mut d), Some(why)) => {
            if let ProjectSource::File { go_failed, .. } = &mut d.source {
                *go_failed = Some(why);
            }
            Ok(d)
        }
        (Err(DetectError::NoVersion { why }), Some(go_why)) => {
            Err(DetectError::NoVersion { why: format!("{why}; {go_why}") })
        }
        (r, _) => r,
    }
}

enum ListError {
    /// go could not answer: the files are read instead.
    Go(GoError),
    /// go answered, and the answer is an error (a local replacement).
    Fatal(DetectError),
}

/// `go list -m` in read-only module mode: it may read go.mod and go.sum but
/// never writes them (`-mod=mod`, which a user's GOFLAGS may hold, would).
fn from_go_list(go: &GoRunner) -> std::result::Result<Option<Detected>, ListError> {
    let out = go
        .output(&["list", "-mod=readonly", "-m", "-e", "-json", MODULE_V2, MODULE_V1])
        .map_err(ListError::Go)?;
    let stream = serde_json::Deserializer::from_slice(&out).into_iter::<ListedModule>();
    let mut errors = Vec::new();
    for m in stream.flatten() {
        if let Some(e) = &m.error {
            let text = e.get("Err").and_then(|v| v.as_str()).unwrap_or_default().to_string();
            // The other major version is simply not required.
            if !text.contains("not a known dependency") && !text.is_empty() {
                errors.push(text);
            }
            continue;
        }
        if let Some(r) = m.replace {
            return match r.version {
                Some(version) => Ok(Some(Detected {
                    version,
                    source: ProjectSource::GoList { replaced_by: Some(r.path), go_mod: m.go_mod },
                    module: m.path,
                    module_dir: r.dir,
                })),
                None => Err(ListError::Fatal(DetectError::LocalReplace { module: m.path, path: r.path })),
            };
        }
        if let Some(version) = m.version {
            return Ok(Some(Detected {
                version,
                source: ProjectSource::GoList { replaced_by: None, go_mod: m.go_mod },
                module: m.path,
                module_dir: m.dir,
            }));
        }
    }
    match errors.into_iter().next() {
        Some(line) => {
            Err(ListError::Go(GoError::Failed { command: "go list -m".into(), line: format!("go: {line}") }))
        }
        None => Ok(None),
    }
}

fn find_up(start: &Path, name: &str) -> Option<PathBuf> {
    start.ancestors().map(|d| d.join(name)).find(|p| p.is_file())
}

fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path)
        .map_err(|e| DetectError::Unreadable { path: path.to_path_buf(), reason: e.to_string() })
}

fn from_files(cwd: &Path, env: &Env) -> Result<Detected> {
    let work = match env.get("GOWORK") {
        Some("off") => None,
        Some(p) => Some(PathBuf::from(p)),
        None => find_up(cwd, "go.work"),
    };
    let (req, source) = if let Some(work_path) = work {
        let work = gomod::parse(&read(&work_path)?);
        let base = work_path.parent().unwrap_or(Path::new("."));
        let mut mods = Vec::new();
        for u in &work.uses {
            let p = base.join(u).join("go.mod");
            if p.is_file() {
                mods.push(gomod::parse(&read(&p)?));
            }
        }
        (gomod::bindings_requirement(&mods, Some(&work)), work_path)
    } else if let Some(mod_path) = find_up(cwd, "go.mod") {
        (gomod::bindings_requirement(&[gomod::parse(&read(&mod_path)?)], None), mod_path)
    } else {
        return Err(DetectError::NoVersion { why: format!("no go.mod in {} or above", cwd.display()) });
    };
    match req {
        Some(Requirement::Version { module, version }) => Ok(Detected {
            version,
            module,
            source: ProjectSource::File { path: source, go_failed: None },
            module_dir: None,
        }),
        Some(Requirement::LocalReplace { module, path }) => Err(DetectError::LocalReplace { module, path }),
        None => Err(DetectError::NoVersion {
            why: format!("{} does not require {MODULE_V1} or {MODULE_V2}", source.display()),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_nearest_go_mod_upwards() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("go.mod"),
            "module x\nrequire github.com/agntcy/slim-bindings-go v1.2.0\n",
        )
        .unwrap();
        let sub = dir.path().join("cmd/app");
        std::fs::create_dir_all(&sub).unwrap();
        let d = from_files(&sub, &Env::default()).unwrap();
        assert_eq!((d.version.as_str(), d.module.as_str()), ("v1.2.0", MODULE_V1));
        assert_eq!(
            d.source.to_string(),
            sub.parent().unwrap().parent().unwrap().join("go.mod").display().to_string()
        );
    }

    #[test]
    fn go_work_wins_over_go_mod() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path();
        std::fs::create_dir_all(p.join("a")).unwrap();
        std::fs::write(
            p.join("a/go.mod"),
            "module a\nrequire github.com/agntcy/slim-bindings-go/v2 v2.1.0\n",
        )
        .unwrap();
        std::fs::write(p.join("go.work"), "go 1.24\nuse ./a\n").unwrap();
        let d = from_files(&p.join("a"), &Env::default()).unwrap();
        assert_eq!((d.version.as_str(), d.module.as_str()), ("v2.1.0", MODULE_V2));
        let off = Env::from_pairs([("GOWORK", "off")]);
        assert_eq!(from_files(&p.join("a"), &off).unwrap().version, "v2.1.0");
    }

    #[test]
    fn missing_and_local_replacements_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(from_files(dir.path(), &Env::default()), Err(DetectError::NoVersion { .. })));
        std::fs::write(
            dir.path().join("go.mod"),
            "module x\nrequire github.com/agntcy/slim-bindings-go v1.2.0\nreplace github.com/agntcy/slim-bindings-go => ../b\n",
        )
        .unwrap();
        assert!(matches!(from_files(dir.path(), &Env::default()), Err(DetectError::LocalReplace { .. })));
    }
}
