//! The `cc` front's decision, purely: from the link line the go command
//! hands the C compiler, the C library that compiler targets, the
//! environment and the host facts, to the install plan `slim-setup install`
//! would run for that library (same sources, checksum policy, pins and
//! timeouts), or to "link as written" when the line does not say which
//! library it is.
//!
//! The version is the module folder's (`...slim-bindings-go@v1.4.0`), else a
//! `.../slim-bindings/VERSION` folder's; the folder is the module's `-L` that
//! resolves outside the module folder and the module cache (`domain::cgo`'s
//! rule, resolved as the kernel resolves it); the target is the `-l` name's,
//! with the compiler's libc on Linux. A musl compiler linking the `_gnu` name
//! gets the musl library under its own `_musl` name, and the link is told so.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use clap::builder::TypedValueParser;

use super::decide::{bases, http_options, pins};
use super::{DirSource, InstallPlan, PlatformNote, Secret, TargetPlan, VersionSource};
use crate::cli::{ENV_OFFLINE, ENV_REQUIRE_CHECKSUM, SourceArgs};
use crate::domain::ccargs::{LinkLine, ModuleFolder, module_folder, version_folder};
use crate::domain::cgo::{self, LinkSpec};
use crate::domain::layout::{self, Layout};
use crate::domain::platform::{Libc, Target, lib_stem, supported_triples};
use crate::domain::version::Version;
use crate::error::{Error, Result};
use crate::host::detect::LibcChoice;
use crate::host::env::Env;
use crate::host::facts::HostFacts;

/// What the front does before running the compiler.
#[derive(Debug)]
pub(crate) enum CcDecision {
    /// Make sure this is installed, then link `link_name`.
    Install(Box<CcPlan>),
    /// Nothing in the line says which library it is (a vendored module, a
    /// library no release publishes, a commit): link as written; `why` is
    /// for the user when the linker will not find it either.
    AsIs { why: String },
}

#[derive(Debug)]
pub(crate) struct CcPlan {
    pub(crate) install: InstallPlan,
    /// The `-l` name the link must use (the musl library's own name for a
    /// musl compiler), and whether that differs from what it asked for.
    pub(crate) link_name: String,
    pub(crate) rewritten: bool,
}

pub(crate) fn cc_plan(
    line: &LinkLine,
    libc: Option<&LibcChoice>,
    env: &Env,
    facts: &HostFacts,
) -> Result<CcDecision> {
    let as_is = |why: String| Ok(CcDecision::AsIs { why });
    let Some(asked) = line.link_name().map_err(Error::Other)? else {
        return as_is("the link names no SLIM library".into());
    };
    let Some(named) = Target::from_lib_stem(asked) else {
        return as_is(format!(
            "-l{asked} names no library a SLIM release publishes (they are: {})",
            supported_triples()
        ));
    };
    let musl = named.libc == Some(Libc::Gnu) && libc.is_some_and(|c| c.libc == Libc::Musl);
    let target = if musl { named.with_libc(Libc::Musl) } else { named };
    let link_name = lib_stem(target.triple);
    let found = match place(line, facts) {
        Ok(found) => found,
        Err(why) => return as_is(why),
    };
    let version = match Version::parse(&found.version) {
        Ok(v) => v,
        Err(e) => return as_is(e.to_string()),
    };
    let layout = match layout::layout_for(&version) {
        Ok(l) => l,
        Err(e) => return as_is(e.to_string()),
    };
    if let Some(m) = &found.module
        && m.module_path != layout.module_path
    {
        return as_is(format!(
            "{} holds {version}, which {} does not publish",
            m.dir.display(),
            m.module_path
        ));
    }
    let gomodcache = env.get("GOMODCACHE").map(|m| facts.paths.walk(Path::new(m)));
    let modcaches = found.modcache.iter().chain(&gomodcache);
    if let Some(cache) = modcaches.into_iter().find(|c| found.dir.starts_with(c)) {
        return Err(Error::InsideModCache { dir: found.dir, modcache: cache.clone() });
    }
    let tp = TargetPlan {
        target,
        dir: found.dir,
        file: format!("lib{link_name}.a"),
        extra_names: vec![],
        dir_source: DirSource::LinkLine { arg: found.arg.clone() },
    };
    let placed = Placed { version, layout, target: tp, arg: found.arg };
    let install = install_plan(placed, asked, libc, env, facts)?;
    Ok(CcDecision::Install(Box::new(CcPlan { install, rewritten: link_name != asked, link_name })))
}

/// Where the line says the library goes, and its version as written.
struct Found {
    version: String,
    dir: PathBuf,
    /// The `-L` the folder is, as written.
    arg: String,
    module: Option<ModuleFolder>,
    /// The module cache the module folder is in, walked.
    modcache: Option<PathBuf>,
}

fn place(line: &LinkLine, facts: &HostFacts) -> std::result::Result<Found, String> {
    let resolve = facts.paths;
    if let Some(m) = line.lib_dirs.iter().find_map(|d| module_folder(d)) {
        // Only the module's own -L folders (its directive, `${SRCDIR}`
        // expanded): another -L of the line may be anything.
        let lib_dirs = line.lib_dirs.iter().filter(|d| Path::new(d).starts_with(&m.dir)).cloned().collect();
        let spec =
            LinkSpec { file: String::new(), srcdir: m.dir.clone(), lib_dirs, link_name: String::new() };
        let (real_module, real_cache) = (resolve.walk(&m.dir), resolve.walk(&m.modcache));
        let Some((arg, dir)) =
            cgo::install_dir(&spec, &real_module, &real_cache, |b, r| resolve.physical(b, r))
        else {
            return Err(format!(
                "none of the link's -L folders of {} leaves Go's module cache, so there is nowhere to put the library",
                m.dir.display()
            ));
        };
        return Ok(Found {
            version: m.version.clone(),
            dir,
            arg,
            modcache: Some(real_cache),
            module: Some(m),
        });
    }
    if let Some((arg, v)) = line.lib_dirs.iter().find_map(|d| version_folder(d).map(|v| (d, v))) {
        let dir = resolve.walk(Path::new(arg));
        return Ok(Found { version: v.to_string(), dir, arg: arg.clone(), module: None, modcache: None });
    }
    Err("no -L of the link names the slim-bindings-go module in Go's module cache or a .../slim-bindings/VERSION folder (a vendored or locally replaced module?)".into())
}

/// What the link line decided: the version, its layout, the one target's
/// folder and file, and the `-L` the folder came from.
struct Placed {
    version: Version,
    layout: Layout,
    target: TargetPlan,
    arg: String,
}

fn install_plan(
    placed: Placed,
    asked: &str,
    libc: Option<&LibcChoice>,
    env: &Env,
    facts: &HostFacts,
) -> Result<InstallPlan> {
    let Placed { version, layout, target, arg } = placed;
    let source = source_from_env(env)?;
    let linux = target.target.goos == "linux";
    let libc = libc.filter(|_| linux).map(|c| (c.libc, c.why.clone()));
    Ok(InstallPlan {
        bases: bases(&source, &layout)?,
        version,
        version_source: VersionSource::LinkLine(arg),
        layout,
        targets: vec![target],
        platform: PlatformNote::LinkLine { name: asked.to_string(), libc },
        from_file: None,
        sha256: None,
        require_checksum: flag(env, ENV_REQUIRE_CHECKSUM)?,
        force: false,
        jobs: 1,
        http: http_options(&source, env, facts),
        api: source.github_api_url.clone(),
        token: env.github_token().map(Secret::new),
        pins: pins(facts, false)?,
        write_lock: false,
    })
}

/// The source options as `slim-setup install` reads them from the
/// environment when no flag is given, parsed by the same clap arguments (the
/// same defaults, ranges and messages), from the `Env` snapshot rather than
/// the process: each set variable becomes its `--long=value`.
pub(crate) fn source_from_env(env: &Env) -> Result<SourceArgs> {
    use clap::{Args, FromArgMatches};
    // No argument reads the process's environment: only the snapshot counts.
    let cmd = SourceArgs::augment_args(clap::Command::new("slim-setup").no_binary_name(true))
        .mut_args(|a| a.env(None::<&str>));
    let mut argv = Vec::new();
    for arg in SourceArgs::augment_args(clap::Command::new("slim-setup")).get_arguments() {
        let (Some(key), Some(long)) = (arg.get_env().and_then(OsStr::to_str), arg.get_long()) else {
            continue;
        };
        let takes_value =
            arg.get_num_args().is_none_or(|n| n.takes_values()) && arg.get_action().takes_values();
        let Some(value) = env.get(key).filter(|_| takes_value) else { continue };
        let one = format!("--{long}={value}");
        // One at a time first, so that the message names the variable.
        if let Err(e) = cmd.clone().try_get_matches_from([&one]) {
            let why = e.to_string();
            let why = why.lines().next().unwrap_or_default().trim_start_matches("error: ");
            return Err(Error::Usage(format!("{key}: {why}")));
        }
        argv.push(one);
    }
    let matches = cmd.try_get_matches_from(argv).map_err(|e| Error::Usage(e.to_string()))?;
    let mut source = SourceArgs::from_arg_matches(&matches).map_err(|e| Error::Usage(e.to_string()))?;
    source.offline = flag(env, ENV_OFFLINE)?;
    Ok(source)
}

/// A yes/no variable, read with the parser clap uses for the same flag.
fn flag(env: &Env, key: &str) -> Result<bool> {
    let Some(v) = env.get(key) else { return Ok(false) };
    clap::builder::BoolishValueParser::new()
        .parse_ref(&clap::Command::new("slim-setup"), None, OsStr::new(v))
        .map_err(|_| {
            Error::Usage(format!("{key}='{v}' is not a yes/no value (true/false, 1/0, yes/no, on/off)"))
        })
}
