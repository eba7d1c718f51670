//! Everything planning needs from the machine and the user's Go setup,
//! gathered once, in this one place, before any decision: `go env`, the
//! project's version (`go list -m`, else go.mod/go.work), the C library of the
//! compiler cgo will run, Go's env file, the cgo files of the bindings module,
//! and the project's pin file. After this, planning (`plan`) is a pure
//! function of what was typed, the environment snapshot and these facts.
//!
//! What is gathered depends on what the command will decide (`Ask`): the
//! no-op install of a given version into `--cache-dir` for given targets
//! starts no process. The module's cgo files are read in a second step
//! (`with_module`), once planning has named the module folder.

use std::path::{Path, PathBuf};

use super::detect::{self, LibcChoice};
use super::env::Env;
use super::gocmd::GoRunner;
use super::goenv::{self, GoEnvVars};
use super::modcache::{self, ModuleFiles};
use super::paths::{Kernel, Resolve};
use super::project::{self, DetectError, Detected};
use crate::cli::{InstallArgs, LocationArgs, PlatformArgs, SingleTargetArgs};
use crate::domain::sumfile;
use crate::error::{Error, Result};

/// What a command is about to decide.
pub(crate) struct Ask<'a> {
    /// Whether it decides a version at all, and the one typed.
    pub(crate) wants_version: bool,
    pub(crate) version: Option<&'a str>,
    /// `None` for commands that pick no platform.
    pub(crate) platform: Option<&'a PlatformArgs>,
    pub(crate) location: &'a LocationArgs,
    pub(crate) offline: bool,
    /// Ask `go env` whatever planning needs (commands that report Go's setup).
    pub(crate) go_env: bool,
    /// Read the bindings module's cgo files (commands that place or find a library).
    pub(crate) module: bool,
    /// Read the project's slim-bindings.sum (install).
    pub(crate) pins: bool,
    /// Read the project's vendor/modules.txt (env, doctor).
    pub(crate) vendor: bool,
    /// The command may download: read the user's netrc.
    pub(crate) network: bool,
}

impl<'a> Ask<'a> {
    /// `install`: everything, as far as its arguments leave it open.
    pub(crate) fn install(args: &'a InstallArgs) -> Ask<'a> {
        Ask {
            wants_version: true,
            version: args.version.as_deref(),
            platform: Some(&args.platform),
            location: &args.location,
            offline: args.source.offline,
            go_env: false,
            module: true,
            pins: true,
            vendor: false,
            network: true,
        }
    }

    /// `env` and `doctor`: one target's folder; `doctor` also reports go.
    pub(crate) fn single(args: &'a SingleTargetArgs, go_env: bool) -> Ask<'a> {
        Ask {
            wants_version: true,
            version: args.version.as_deref(),
            platform: Some(&args.platform),
            location: &args.location,
            offline: false,
            go_env,
            module: true,
            pins: false,
            vendor: true,
            network: false,
        }
    }

    /// `list`, `verify`, `clean`: where libraries can be, no version.
    pub(crate) fn inventory(location: &'a LocationArgs) -> Ask<'a> {
        Ask {
            wants_version: false,
            version: None,
            platform: None,
            location,
            offline: false,
            go_env: location.cache_dir.is_none(),
            module: false,
            pins: false,
            vendor: false,
            network: false,
        }
    }

    /// The `cc` front: the link line decides everything else; only the
    /// project's slim-bindings.sum is read.
    pub(crate) fn cc_front() -> Ask<'static> {
        static NO_LOCATION: LocationArgs = LocationArgs { gopath: None, cache_dir: None };
        Ask {
            wants_version: false,
            version: None,
            platform: None,
            location: &NO_LOCATION,
            offline: false,
            go_env: false,
            module: false,
            pins: true,
            vendor: false,
            network: true,
        }
    }

    /// `mirror`: the version only.
    pub(crate) fn version_only(
        version: Option<&'a str>,
        location: &'a LocationArgs,
        offline: bool,
    ) -> Ask<'a> {
        Ask {
            wants_version: true,
            version,
            platform: None,
            location,
            offline,
            go_env: false,
            module: false,
            pins: false,
            vendor: false,
            network: true,
        }
    }
}

pub(crate) struct HostFacts {
    pub(crate) cwd: PathBuf,
    /// `go env`, when go is on PATH and it was asked.
    pub(crate) go_env: Option<GoEnvVars>,
    /// Go's env file (`go env -w` writes it), for when go is not on PATH.
    pub(crate) env_file: Option<String>,
    /// The project's version, when the command line and environment give none.
    pub(crate) detected: Option<std::result::Result<Detected, DetectError>>,
    /// The host's C library, when a host linux build without --libc needs it.
    pub(crate) host_libc: Option<LibcChoice>,
    /// The bindings module's cgo files, when it is in the module cache.
    pub(crate) module: Option<ModuleFiles>,
    /// slim-bindings.sum beside the nearest go.mod, when asked and there is a go.mod.
    pub(crate) pins: Option<PinsFile>,
    /// The nearest `vendor/modules.txt`, when the project vendors (env, doctor).
    pub(crate) vendor: Option<String>,
    /// The user's netrc (`$NETRC`, else `~/.netrc`, `_netrc` on Windows), as
    /// go reads it for GOPROXY hosts: credentials for private mirrors.
    pub(crate) netrc: Option<String>,
    pub(crate) paths: &'static dyn Resolve,
}

/// Where slim-bindings.sum is (or would be) and its text, if it exists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PinsFile {
    pub(crate) path: PathBuf,
    pub(crate) text: Option<String>,
}

impl Ask<'_> {
    /// The project must be read: no version typed or in SLIM_BINDINGS_VERSION.
    fn detects_version(&self, env: &Env) -> bool {
        self.wants_version && self.version.is_none() && env.get("SLIM_BINDINGS_VERSION").is_none()
    }

    /// `go env` is needed: for the project's version, the module cache, the
    /// default platform (`go env -w GOARCH=arm64` counts) or the C compiler.
    fn needs_go_env(&self, env: &Env) -> bool {
        let folder = self.module && self.location.cache_dir.is_none();
        let platform = self.platform.is_some_and(|p| p.targets.is_empty() && !p.all);
        self.go_env || self.detects_version(env) || folder || platform
    }

    /// The host's C library may decide the target: a platform left to the
    /// defaults on a Linux host (planning uses it only for a host build).
    fn needs_host_libc(&self) -> bool {
        self.platform.is_some_and(|p| p.targets.is_empty() && !p.all && p.libc.is_none())
            && detect::host_goos() == "linux"
    }
}

impl HostFacts {
    pub(crate) fn gather(ask: &Ask, env: &Env, cwd: &Path) -> Result<HostFacts> {
        let gopath = ask.location.gopath.as_deref().map(|p| super::paths::absolute(cwd, p));
        let go = GoRunner::new(cwd, gopath.as_deref(), ask.offline, env);
        let go_env = if ask.needs_go_env(env) { goenv::query_go_env(&go)? } else { None };
        let env_file = goenv::env_file_path(env).and_then(|p| std::fs::read_to_string(p).ok());
        let detected =
            ask.detects_version(env).then(|| project::detect(cwd, env, go_env.is_some().then_some(&go)));
        let host_libc = ask
            .needs_host_libc()
            .then(|| detect::detect_libc(detect::c_compiler(env, go_env.as_ref()).as_deref(), env));
        let mut facts = HostFacts {
            cwd: cwd.to_path_buf(),
            go_env,
            env_file,
            detected,
            host_libc,
            module: None,
            pins: None,
            vendor: None,
            netrc: None,
            paths: &Kernel,
        };
        if ask.pins {
            facts.pins = pins_file(cwd)?;
        }
        if ask.network {
            facts.netrc = netrc_file(env).and_then(|p| std::fs::read_to_string(p).ok());
        }
        if ask.vendor {
            let modules = cwd.ancestors().map(|d| d.join("vendor/modules.txt")).find(|p| p.is_file());
            facts.vendor = modules.map(|p| std::fs::read_to_string(p).unwrap_or_default());
        }
        Ok(facts)
    }

    /// Read the bindings module's cgo files from the folder planning named
    /// (nothing when it is not in the module cache yet).
    pub(crate) fn with_module(mut self, module_dir: Option<&Path>) -> HostFacts {
        self.module = module_dir.and_then(modcache::read);
        self
    }
}

fn netrc_file(env: &Env) -> Option<PathBuf> {
    if let Some(p) = env.get("NETRC") {
        return Some(PathBuf::from(p));
    }
    let name = if cfg!(windows) { "_netrc" } else { ".netrc" };
    env.home().map(|h| h.join(name))
}

fn pins_file(cwd: &Path) -> Result<Option<PinsFile>> {
    let Some(go_mod) = cwd.ancestors().map(|d| d.join("go.mod")).find(|p| p.is_file()) else {
        return Ok(None);
    };
    let path = go_mod.with_file_name(sumfile::FILE_NAME);
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(Some(PinsFile { path, text: Some(text) })),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Some(PinsFile { path, text: None })),
        Err(e) => Err(Error::io("read", path, e)),
    }
}
