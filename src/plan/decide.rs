//! Deciding, purely: from what the user typed, the environment snapshot and
//! the host facts to a validated plan. One chain serves every command:
//! version -> layout -> targets -> module folder -> each target's folder.
//! Paths are turned into what the kernel reaches through `facts.paths`, the
//! one capability planning is handed (lexical in the table tests).

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::{
    DirSource, InstallPlan, LayoutWhy, Pins, PlatformNote, Scope, Secret, Setting, SinglePlan, TargetPlan,
    VersionSource,
};
use crate::cli::{InstallArgs, LocationArgs, PlatformArgs, SingleTargetArgs, SourceArgs};
use crate::domain::cgo;
use crate::domain::layout::{self, Layout};
use crate::domain::mirror::{Base, BaseList, parse_base, parse_base_list};
use crate::domain::platform::{Libc, TARGETS, Target};
use crate::domain::suggest::{self, Place};
use crate::domain::sumfile::{self, SumFile};
use crate::domain::version::Version;
use crate::error::{Error, Result};
use crate::host::detect;
use crate::host::env::Env;
use crate::host::facts::HostFacts;
use crate::host::goenv::{self, GoEnvVars, GoPaths};
use crate::host::paths::{self, Resolve};
use crate::net::http::HttpOptions;

/// `--gopath` and `--cache-dir` made absolute against the current folder
/// (go refuses relative GOPATH entries).
pub(crate) fn absolute_location(location: &LocationArgs, cwd: &Path) -> LocationArgs {
    LocationArgs {
        gopath: location.gopath.as_deref().map(|p| paths::absolute(cwd, p)),
        cache_dir: location.cache_dir.as_deref().map(|p| paths::absolute(cwd, p)),
    }
}

/// The version and where it came from. One the user gave that is not a
/// release version is a usage error; one the project names is a failure.
pub(crate) fn version(arg: Option<&str>, env: &Env, facts: &HostFacts) -> Result<(Version, VersionSource)> {
    let (text, source) = match (arg, env.get("SLIM_BINDINGS_VERSION"), &facts.detected) {
        (Some(v), _, _) => (v.to_string(), VersionSource::CommandLine),
        (None, Some(v), _) => (v.to_string(), VersionSource::EnvVar),
        (None, None, Some(Ok(d))) => (d.version.clone(), VersionSource::Project(d.source.clone())),
        (None, None, Some(Err(e))) => return Err(e.clone().into()),
        (None, None, None) => return Err(Error::NoVersion { why: "the project was not read".into() }),
    };
    let place = match source {
        VersionSource::CommandLine => Place::Argument,
        VersionSource::EnvVar => Place::Env("SLIM_BINDINGS_VERSION"),
        VersionSource::Project(_) | VersionSource::LinkLine(_) => {
            return Ok((Version::parse(&text)?, source));
        }
    };
    match suggest::version_word(&text, place, &[]) {
        Some(message) => Err(Error::Usage(message)),
        None => Ok((Version::parse(&text)?, source)),
    }
}

/// GOPATH and GOMODCACHE as the go command sees them.
pub(crate) fn go_paths(location: &LocationArgs, env: &Env, facts: &HostFacts) -> Result<GoPaths> {
    goenv::resolve(location.gopath.as_deref(), facts.go_env.as_ref(), env, facts.env_file.as_deref())
        .ok_or_else(|| {
            Error::Usage("cannot tell where GOPATH is (no go, no GOPATH, no HOME): pass --gopath".into())
        })
}

/// The bindings module's folder: where go listed it, else where `go get`
/// puts it in the module cache.
pub(crate) fn module_dir(
    arg: Option<&str>,
    location: &LocationArgs,
    env: &Env,
    facts: &HostFacts,
) -> Result<PathBuf> {
    if let Some(Ok(d)) = &facts.detected
        && arg.is_none()
        && let Some(dir) = &d.module_dir
    {
        return Ok(dir.clone());
    }
    let (version, _) = version(arg, env, facts)?;
    let layout = layout::layout_for(&version)?;
    Ok(layout::module_dir(&go_paths(location, env, facts)?.gomodcache, layout.module_path, &version))
}

/// A host linux build without `--libc` takes the libc of cgo's C compiler.
fn wants_host_libc(p: &PlatformArgs, go_env: Option<&GoEnvVars>, env: &Env) -> bool {
    if p.all || !p.targets.is_empty() || p.libc.is_some() {
        return false;
    }
    let (goos, _) = platform_value(&p.goos, "GOOS", go_env, env, detect::host_goos());
    let (goarch, _) = platform_value(&p.goarch, "GOARCH", go_env, env, detect::host_goarch());
    goos == "linux" && goos == detect::host_goos() && goarch == detect::host_goarch()
}

/// A platform setting: the flag, else `go env` (which reads the environment
/// and Go's env file), else the environment, else the host. Empty means unset,
/// as for go.
fn platform_value(
    flag: &Option<String>,
    key: &'static str,
    go_env: Option<&GoEnvVars>,
    env: &Env,
    host: &str,
) -> (String, Setting) {
    if let Some(v) = flag {
        return (v.clone(), Setting::Flag(if key == "GOOS" { "--goos" } else { "--goarch" }));
    }
    if let Some(v) = go_env.and_then(|g| g.get(key)).filter(|v| !v.is_empty()) {
        return (v.clone(), Setting::GoEnv);
    }
    match env.get(key) {
        Some(v) => (v.to_string(), Setting::Env(key)),
        None => (host.to_string(), Setting::Host),
    }
}

/// The targets asked for, and how. GOOS and GOARCH from the environment are
/// defaults only: `--target` and `--all` replace them.
pub(crate) fn targets(
    p: &PlatformArgs,
    env: &Env,
    facts: &HostFacts,
) -> Result<(Vec<&'static Target>, PlatformNote)> {
    if p.all {
        return Ok((TARGETS.iter().collect(), PlatformNote::All));
    }
    if !p.targets.is_empty() {
        let mut out: Vec<&'static Target> = Vec::new();
        for t in &p.targets {
            let t = Target::from_triple(t)?;
            if !out.contains(&t) {
                out.push(t);
            }
        }
        return Ok((out, PlatformNote::Targets));
    }
    let go_env = facts.go_env.as_ref();
    let (goos, os_from) = platform_value(&p.goos, "GOOS", go_env, env, detect::host_goos());
    let (goarch, arch_from) = platform_value(&p.goarch, "GOARCH", go_env, env, detect::host_goarch());
    let libc = match (p.libc, &facts.host_libc) {
        (Some(l), _) => Some((l, "--libc".to_string())),
        (None, Some(choice)) if wants_host_libc(p, go_env, env) => Some((choice.libc, choice.why.clone())),
        (None, _) if goos == "linux" => Some((Libc::Gnu, "default for another platform".to_string())),
        (None, _) => None,
    };
    let typed = [&os_from, &arch_from].iter().any(|s| matches!(s, Setting::Flag(_))) || p.libc.is_some();
    let target = Target::from_go(&goos, &goarch, libc.as_ref().map(|(l, _)| *l)).map_err(|e| {
        let e = Error::from(e);
        if typed { Error::Typed(Box::new(e)) } else { e }
    })?;
    let libc = libc.filter(|_| goos == "linux" && target.libc.is_some());
    Ok((vec![target], PlatformNote::One { goos, goarch, os_from, arch_from, libc }))
}

/// Where one target goes. With `--cache-dir`, there. Else, when the module is
/// in the module cache, the `-L` of its own cgo directive that leaves the
/// module cache; else the version's published layout from the module folder.
/// Nothing is ever placed inside the module cache.
pub(crate) fn target_plan(
    target: &'static Target,
    layout: &Layout,
    module_dir: &Path,
    modcache: Option<&Path>,
    cache_dir: Option<&Path>,
    facts: &HostFacts,
) -> Result<TargetPlan> {
    let resolve: &dyn Resolve = facts.paths;
    let own = target.lib_file();
    let linked = format!("lib{}.a", target.cgo_link_name());
    let modcache = modcache.map(|m| resolve.walk(m));
    let (dir, file, dir_source) = if let Some(dir) = cache_dir {
        (resolve.walk(dir), linked, DirSource::CacheDir)
    } else {
        let real_module = resolve.walk(module_dir);
        let cache = modcache.clone().unwrap_or_default();
        let spec = facts.module.as_ref().and_then(|m| m.link_spec(target.goos, target.goarch));
        let chosen = spec
            .as_ref()
            .and_then(|s| cgo::install_dir(s, &real_module, &cache, |b, r| resolve.physical(b, r)));
        let layout_dir = || resolve.physical(module_dir, layout.rel_lib_dir(target.goos));
        match (spec, chosen) {
            (Some(spec), Some((arg, dir))) => {
                (dir, spec.lib_file(), DirSource::Directive { file: spec.source(), arg })
            }
            (Some(spec), None) => (
                layout_dir(),
                spec.lib_file(),
                DirSource::Layout(LayoutWhy::NoOutsideFolder { file: spec.source() }),
            ),
            (None, _) => (layout_dir(), linked, DirSource::Layout(LayoutWhy::NoModule)),
        }
    };
    if let Some(cache) = modcache.filter(|c| dir.starts_with(c)) {
        return Err(Error::InsideModCache { dir, modcache: cache });
    }
    let extra_names = if own != file { vec![own] } else { vec![] };
    Ok(TargetPlan { target, dir, file, extra_names, dir_source })
}

/// cgo links the `_gnu` name for both libcs, so gnu and musl libraries of one
/// arch cannot both have it in one folder. When a run installs both (`--all`),
/// the gnu library keeps the name cgo links and the musl one is installed under
/// its own name only; `slim-setup --libc musl` alone swaps them.
pub(crate) fn share_names(mut plans: Vec<TargetPlan>) -> Vec<TargetPlan> {
    let taken: Vec<PathBuf> =
        plans.iter().filter(|p| p.target.libc != Some(Libc::Musl)).map(TargetPlan::path).collect();
    for p in plans.iter_mut().filter(|p| p.target.libc == Some(Libc::Musl)) {
        if taken.contains(&p.path()) {
            p.file = p.target.lib_file();
            p.extra_names.clear();
            p.dir_source = DirSource::OwnNameOnly(Box::new(p.dir_source.clone()));
        }
    }
    plans
}

pub(crate) fn bases(s: &SourceArgs, layout: &Layout) -> Result<BaseList> {
    let list = match &s.base_url {
        Some(text) => parse_base_list(text, s.allow_http).map_err(Error::Usage)?,
        None => BaseList::Chain(
            layout
                .default_bases
                .iter()
                .map(|b| parse_base(b, false))
                .collect::<std::result::Result<_, _>>()
                .map_err(Error::Other)?,
        ),
    };
    if !s.offline {
        return Ok(list);
    }
    // Offline keeps only local mirrors.
    Ok(match list {
        BaseList::Chain(c) => {
            let local: Vec<Base> = c.into_iter().filter(|b| matches!(b, Base::Dir(_))).collect();
            if local.is_empty() { BaseList::Off } else { BaseList::Chain(local) }
        }
        off => off,
    })
}

pub(crate) fn http_options(s: &SourceArgs, env: &Env, facts: &HostFacts) -> HttpOptions {
    let mut o = HttpOptions {
        timeout: Duration::from_secs(s.timeout.max(1)),
        allow_http: s.allow_http,
        min_rate: s.min_rate,
        max_body: s.max_download.unwrap_or(crate::net::http::MAX_BODY),
        credentials: crate::net::http::Credentials::new(netrc_hosts(facts.netrc.as_deref())),
        attempts: s.retries.saturating_add(1),
        connections: s.connections,
        proxy_env: crate::domain::proxy::VARS
            .iter()
            .filter_map(|v| env.get(v).map(|value| (v.to_string(), value.to_string())))
            .collect(),
        ..HttpOptions::default()
    };
    // Tests shorten the waits between retries; users have no reason to.
    if let Some(ms) = env.get("SLIM_SETUP_BACKOFF_MS").and_then(|v| v.parse().ok()) {
        o.backoff = Duration::from_millis(ms);
    }
    if let Some(s) = env.get("SLIM_SETUP_MAX_WAIT").and_then(|v| v.parse().ok()) {
        o.max_wait = Duration::from_secs(s);
    }
    o
}

/// Login and password per machine of the user's netrc (its `default` entry
/// is not used: credentials go to the hosts the file names, nowhere else).
fn netrc_hosts(text: Option<&str>) -> std::collections::HashMap<String, (String, String)> {
    let Some(parsed) = text.and_then(|t| t.parse::<netrc::Netrc>().ok()) else { return Default::default() };
    parsed
        .hosts
        .into_iter()
        .filter(|(host, _)| !host.is_empty() && host != "default")
        .map(|(host, a)| (host, (a.login, a.password)))
        .collect()
}

/// The project's slim-bindings.sum, parsed; with `--lock` it must have a go.mod.
pub(super) fn pins(facts: &HostFacts, lock: bool) -> Result<Option<Pins>> {
    match &facts.pins {
        None if lock => Err(Error::Usage(format!(
            "--lock writes {} beside go.mod, and there is no go.mod in {} or above",
            sumfile::FILE_NAME,
            facts.cwd.display()
        ))),
        None => Ok(None),
        Some(f) => match &f.text {
            Some(text) => {
                let file = SumFile::parse(text, &f.path.display().to_string())
                    .map_err(|e| Error::Other(e.to_string()))?;
                Ok(Some(Pins { path: f.path.clone(), file }))
            }
            None => Ok(lock.then(|| Pins { path: f.path.clone(), file: SumFile::default() })),
        },
    }
}

/// What every command that places or finds a library decides the same way.
struct Chosen {
    version: Version,
    version_source: VersionSource,
    layout: Layout,
    targets: Vec<TargetPlan>,
    platform: PlatformNote,
}

fn choose(
    version_arg: Option<&str>,
    platform: &PlatformArgs,
    location: &LocationArgs,
    env: &Env,
    facts: &HostFacts,
) -> Result<Chosen> {
    let location = absolute_location(location, &facts.cwd);
    let (version, version_source) = version(version_arg, env, facts)?;
    let layout = layout::layout_for(&version)?;
    let (targets, platform) = targets(platform, env, facts)?;
    let paths = go_paths(&location, env, facts);
    let modcache = paths.as_ref().ok().map(|p| p.gomodcache.clone());
    let module_dir = match &location.cache_dir {
        Some(_) => PathBuf::new(),
        None => module_dir(version_arg, &location, env, facts)?,
    };
    let plans = targets
        .iter()
        .map(|t| {
            target_plan(t, &layout, &module_dir, modcache.as_deref(), location.cache_dir.as_deref(), facts)
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Chosen { version, version_source, layout, targets: share_names(plans), platform })
}

pub(crate) fn install_plan(args: &InstallArgs, env: &Env, facts: &HostFacts) -> Result<InstallPlan> {
    let single = !args.platform.all && args.platform.targets.len() <= 1;
    if !single && (args.from_file.is_some() || args.sha256.is_some()) {
        return Err(Error::Usage("--from-file and --sha256 take a single target".into()));
    }
    let c = choose(args.version.as_deref(), &args.platform, &args.location, env, facts)?;
    Ok(InstallPlan {
        bases: bases(&args.source, &c.layout)?,
        version: c.version,
        version_source: c.version_source,
        layout: c.layout,
        targets: c.targets,
        platform: c.platform,
        from_file: args.from_file.clone(),
        sha256: args.sha256,
        require_checksum: args.require_checksum,
        force: args.force,
        jobs: args.jobs as usize,
        http: http_options(&args.source, env, facts),
        api: args.source.github_api_url.clone(),
        token: env.github_token().map(Secret::new),
        pins: pins(facts, args.lock)?,
        write_lock: args.lock,
    })
}

/// One target's plan without downloading: for `env` and `doctor`.
pub(crate) fn single(args: &SingleTargetArgs, env: &Env, facts: &HostFacts) -> Result<SinglePlan> {
    let c = choose(args.version.as_deref(), &args.platform, &args.location, env, facts)?;
    let mut targets = c.targets.into_iter();
    let (Some(target), None) = (targets.next(), targets.next()) else {
        return Err(Error::Usage("this command takes a single target".into()));
    };
    Ok(SinglePlan { version: c.version, version_source: c.version_source, target, platform: c.platform })
}

/// Where `list`, `verify` and `clean` look.
pub(crate) fn scope(location: &LocationArgs, env: &Env, facts: &HostFacts) -> Result<Scope> {
    let location = absolute_location(location, &facts.cwd);
    if let Some(d) = &location.cache_dir {
        return Ok(Scope { roots: vec![facts.paths.walk(d)], gomodcache: None });
    }
    let gomodcache = go_paths(&location, env, facts)?.gomodcache;
    let roots = layout::cache_roots(&gomodcache, |b, r| facts.paths.physical(b, r));
    Ok(Scope { roots, gomodcache: Some(gomodcache) })
}
