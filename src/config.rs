//! From what the user typed plus the environment and host to a validated
//! `InstallPlan`: version, targets, folders, sources, checksum rules. Every
//! decision records where it came from, so the banner can say so.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::cli::InstallArgs;
use crate::domain::cgo;
use crate::domain::layout::{self, Layout};
use crate::domain::mirror::{Base, BaseList, parse_base, parse_base_list};
use crate::domain::platform::{Libc, TARGETS, Target};
use crate::domain::sumfile::{self, SumFile};
use crate::domain::sums::Sha256;
use crate::domain::version::Version;
use crate::error::{Error, Result};
use crate::host::env::Env;
use crate::host::gocmd::GoRunner;
use crate::host::goenv::{self, GoEnvVars, GoPaths};
use crate::host::{detect, modcache, paths, project};
use crate::net::http::HttpOptions;
use crate::plan::{InstallPlan, Pins, TargetPlan};

pub const DEFAULT_API: &str = "https://api.github.com";

/// The version and where it came from.
pub struct ResolvedVersion {
    pub version: Version,
    pub source: String,
    pub module_dir: Option<PathBuf>,
}

pub fn resolve_version(
    arg: Option<&str>,
    env: &Env,
    cwd: &Path,
    go: Option<&GoRunner>,
) -> Result<ResolvedVersion> {
    let (text, source, module_dir) = if let Some(v) = arg {
        (v.to_string(), "command line".to_string(), None)
    } else if let Some(v) = env.get("SLIM_BINDINGS_VERSION") {
        (v.to_string(), "SLIM_BINDINGS_VERSION".to_string(), None)
    } else {
        let d = project::detect(cwd, env, go)?;
        (d.version, d.source, d.module_dir)
    };
    Ok(ResolvedVersion { version: Version::parse(&text)?, source, module_dir })
}

/// The Go paths, from `go env` when go answered, else as go would find them.
/// A relative `--gopath` is taken from the current folder (go refuses those).
pub fn go_paths(cli_gopath: Option<&Path>, go_env: Option<&GoEnvVars>, env: &Env) -> Result<GoPaths> {
    let file = goenv::env_file_path(env).and_then(|p| std::fs::read_to_string(p).ok());
    goenv::resolve(cli_gopath, go_env, env, file.as_deref()).ok_or_else(|| {
        Error::Usage("cannot tell where GOPATH is (no go, no GOPATH, no HOME): pass --gopath".into())
    })
}

/// `go env`, when planning needs it: to find the project's version, the module
/// cache, the default platform (`go env -w GOARCH=arm64` counts), or the C
/// compiler that decides the host's libc.
fn needs_go(args: &InstallArgs, env: &Env) -> bool {
    let p = &args.platform;
    let version = args.version.is_none() && env.get("SLIM_BINDINGS_VERSION").is_none();
    let folder = args.location.cache_dir.is_none();
    let platform = p.targets.is_empty() && !p.all && (p.goos.is_none() || p.goarch.is_none());
    let libc = platform && p.libc.is_none() && detect::host_goos() == "linux" && env.get("CC").is_none();
    version || folder || platform || libc
}

/// Ask `go env` (`Ok(None)` when go is not installed).
pub fn query_go(go: &GoRunner) -> Result<Option<GoEnvVars>> {
    goenv::query_go_env(go).map_err(Error::from)
}

/// A platform setting and where it came from: the flag, else `go env` (which
/// reads the environment and Go's env file), else the environment, else the
/// host. An empty `GOOS=` means the host's, as go treats it.
fn platform_value(
    flag: &Option<String>,
    key: &str,
    go_env: Option<&GoEnvVars>,
    env: &Env,
    host: &str,
) -> (String, String) {
    if let Some(v) = flag {
        return (v.clone(), format!("--{}", key.to_ascii_lowercase()));
    }
    if let Some(v) = go_env.and_then(|g| g.get(key)).filter(|v| !v.is_empty()) {
        return (v.clone(), "go env".into());
    }
    match env.get(key) {
        Some(v) => (v.to_string(), format!("${key}")),
        None => (host.to_string(), "host".into()),
    }
}

/// The targets asked for, with the platform decision explained. GOOS and
/// GOARCH from the environment are defaults only: `--target` and `--all` win.
pub fn targets(
    p: &crate::cli::PlatformArgs,
    go_env: Option<&GoEnvVars>,
    env: &Env,
) -> Result<(Vec<&'static Target>, String)> {
    if p.all {
        return Ok((TARGETS.iter().collect(), "all published targets".into()));
    }
    if !p.targets.is_empty() {
        let mut out: Vec<&'static Target> = Vec::new();
        for t in &p.targets {
            let t = Target::from_triple(t)?;
            if !out.contains(&t) {
                out.push(t);
            }
        }
        return Ok((out, "--target".into()));
    }
    let (goos, os_from) = platform_value(&p.goos, "GOOS", go_env, env, detect::host_goos());
    let (goarch, arch_from) = platform_value(&p.goarch, "GOARCH", go_env, env, detect::host_goarch());
    let (libc, why) = match p.libc.as_deref() {
        Some(l) => (Some(l.parse::<Libc>().map_err(Error::Usage)?), "--libc".to_string()),
        None if goos == "linux" && goos == detect::host_goos() && goarch == detect::host_goarch() => {
            let cc = env.get("CC").map(str::to_string).or_else(|| go_env.and_then(|g| g.get("CC").cloned()));
            let choice = detect::detect_libc(cc.as_deref().filter(|c| !c.is_empty()));
            (Some(choice.libc), choice.why)
        }
        None if goos == "linux" => (Some(Libc::Gnu), "default for another platform".into()),
        None => (None, String::new()),
    };
    let target = Target::from_go(&goos, &goarch, libc)?;
    let from =
        if os_from == arch_from { os_from } else { format!("GOOS from {os_from}, GOARCH from {arch_from}") };
    let note = match target.libc {
        Some(l) if goos == "linux" => format!("{goos}/{goarch} (from {from}), libc {l} ({why})"),
        _ => format!("{goos}/{goarch} (from {from})"),
    };
    Ok((vec![target], note))
}

/// Where one target goes. With `--cache-dir`, there. Else, when the module is
/// in the module cache, the `-L` of its own cgo directive that leaves the
/// module cache; else the version's published layout from the module folder.
/// Folders are resolved as the kernel resolves them (links followed before
/// each `..`), and nothing is ever placed inside the module cache.
pub fn target_plan(
    target: &'static Target,
    layout: &Layout,
    module_dir: &Path,
    modcache: Option<&Path>,
    cache_dir: Option<&Path>,
) -> Result<TargetPlan> {
    let own = target.lib_file();
    let linked = format!("lib{}.a", target.cgo_link_name());
    let modcache = modcache.map(paths::walk);
    let (dir, file, dir_source) = if let Some(dir) = cache_dir {
        (paths::walk(dir), linked, "--cache-dir".to_string())
    } else {
        let real_module = paths::walk(module_dir);
        let cache = modcache.clone().unwrap_or_default();
        let spec = module_dir
            .is_dir()
            .then(|| modcache::link_spec(module_dir, target.goos, target.goarch))
            .flatten();
        let chosen = spec.as_ref().and_then(|s| cgo::install_dir(s, &real_module, &cache, paths::physical));
        let layout_dir = || paths::physical(module_dir, layout.rel_lib_dir(target.goos));
        match (spec, chosen) {
            (Some(spec), Some((arg, dir))) => {
                let from = format!("the cgo directive in {} ({arg})", spec.source().display());
                (dir, spec.lib_file(), from)
            }
            (Some(spec), None) => (
                layout_dir(),
                spec.lib_file(),
                format!(
                    "the version's published layout: the cgo directive in {} names no folder outside the module cache",
                    spec.source().display()
                ),
            ),
            (None, _) => (layout_dir(), linked, "the version's published layout".to_string()),
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
pub fn share_names(mut plans: Vec<TargetPlan>) -> Vec<TargetPlan> {
    let taken: Vec<PathBuf> =
        plans.iter().filter(|p| p.target.libc != Some(Libc::Musl)).map(TargetPlan::path).collect();
    for p in plans.iter_mut().filter(|p| p.target.libc == Some(Libc::Musl)) {
        if taken.contains(&p.path()) {
            p.file = p.target.lib_file();
            p.extra_names.clear();
            p.dir_source +=
                "; only under its own name, as the gnu library of this run takes the name cgo links";
        }
    }
    plans
}

pub fn bases(s: &crate::cli::SourceArgs, layout: &Layout) -> Result<BaseList> {
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

pub fn http_options(timeout_secs: u64, env: &Env) -> HttpOptions {
    let mut o = HttpOptions { timeout: Duration::from_secs(timeout_secs.max(1)), ..HttpOptions::default() };
    // Tests shorten the waits between retries; users have no reason to.
    if let Some(ms) = env.get("SLIM_SETUP_BACKOFF_MS").and_then(|v| v.parse().ok()) {
        o.backoff = Duration::from_millis(ms);
    }
    if let Some(s) = env.get("SLIM_SETUP_MAX_WAIT").and_then(|v| v.parse().ok()) {
        o.max_wait = Duration::from_secs(s);
    }
    o
}

pub fn install_plan(args: &InstallArgs, env: &Env, cwd: &Path) -> Result<InstallPlan> {
    let single = !args.platform.all && args.platform.targets.len() <= 1;
    if !single && (args.from_file.is_some() || args.sha256.is_some()) {
        return Err(Error::Usage("--from-file and --sha256 take a single target".into()));
    }
    let sha256 = match &args.sha256 {
        Some(hex) => Some(
            Sha256::parse(hex)
                .ok_or_else(|| Error::Usage(format!("--sha256 '{hex}' is not 64 hex digits")))?,
        ),
        None => None,
    };
    let location = absolute_location(&args.location, cwd);
    let go = GoRunner::new(cwd, location.gopath.as_deref(), args.source.offline, env);
    // `go env` costs a process start; the no-op path should not pay it when
    // nothing it answers is needed.
    let go_env = if needs_go(args, env) { query_go(&go)? } else { None };
    let resolved = resolve_version(args.version.as_deref(), env, cwd, go_env.is_some().then_some(&go))?;
    let layout = layout::layout_for(&resolved.version)?;
    let (targets, platform_note) = targets(&args.platform, go_env.as_ref(), env)?;
    let paths = go_paths(location.gopath.as_deref(), go_env.as_ref(), env);
    let modcache = paths.as_ref().ok().map(|p| p.gomodcache.clone());
    let module_dir = match (&location.cache_dir, &resolved.module_dir) {
        (Some(_), _) => PathBuf::new(),
        (None, Some(d)) => d.clone(),
        (None, None) => layout::module_dir(&paths?.gomodcache, layout.module_path, &resolved.version),
    };
    let plans = share_names(
        targets
            .iter()
            .map(|t| target_plan(t, &layout, &module_dir, modcache.as_deref(), location.cache_dir.as_deref()))
            .collect::<Result<_>>()?,
    );
    Ok(InstallPlan {
        version_source: resolved.source,
        version: resolved.version,
        bases: bases(&args.source, &layout)?,
        layout,
        targets: plans,
        platform_note,
        from_file: args.from_file.clone(),
        sha256,
        require_checksum: args.require_checksum,
        force: args.force,
        jobs: args.jobs as usize,
        http: http_options(args.source.timeout, env),
        api: args.source.github_api_url.clone().unwrap_or_else(|| DEFAULT_API.into()),
        token: env.github_token().map(str::to_string),
        pins: pins(cwd, args.lock)?,
        write_lock: args.lock,
    })
}

/// The slim-bindings.sum beside the nearest go.mod, read if it exists.
pub fn pins(cwd: &Path, lock: bool) -> Result<Option<Pins>> {
    let Some(go_mod) = cwd.ancestors().map(|d| d.join("go.mod")).find(|p| p.is_file()) else {
        return if lock {
            Err(Error::Usage(format!(
                "--lock writes {} beside go.mod, and there is no go.mod in {} or above",
                sumfile::FILE_NAME,
                cwd.display()
            )))
        } else {
            Ok(None)
        };
    };
    let path = go_mod.with_file_name(sumfile::FILE_NAME);
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            let file = SumFile::parse(&text, &path.display().to_string())
                .map_err(|e| Error::Other(e.to_string()))?;
            Ok(Some(Pins { path, file }))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Ok(lock.then(|| Pins { path, file: SumFile::default() }))
        }
        Err(e) => Err(Error::io("read", path, e)),
    }
}

/// `--gopath` and `--cache-dir` made absolute against the current folder.
pub fn absolute_location(location: &crate::cli::LocationArgs, cwd: &Path) -> crate::cli::LocationArgs {
    crate::cli::LocationArgs {
        gopath: location.gopath.as_deref().map(|p| paths::absolute(cwd, p)),
        cache_dir: location.cache_dir.as_deref().map(|p| paths::absolute(cwd, p)),
    }
}

/// The Go setup for commands that read what is installed.
pub struct GoContext {
    pub go: GoRunner,
    pub go_env: Option<GoEnvVars>,
    pub paths: GoPaths,
}

pub fn go_context(gopath: Option<&Path>, env: &Env, cwd: &Path) -> Result<GoContext> {
    let gopath = gopath.map(|p| paths::absolute(cwd, p));
    let go = GoRunner::new(cwd, gopath.as_deref(), false, env);
    let go_env = query_go(&go)?;
    let paths = go_paths(gopath.as_deref(), go_env.as_ref(), env)?;
    Ok(GoContext { go, go_env, paths })
}

/// Where installed libraries can be, for `list`, `verify` and `clean`.
pub struct Scope {
    /// `--cache-dir`, else every layout's root, resolved as the linker resolves them.
    pub roots: Vec<PathBuf>,
    /// The module cache, where nothing of slim-setup's belongs (`None` with --cache-dir).
    pub gomodcache: Option<PathBuf>,
}

pub fn scope(location: &crate::cli::LocationArgs, env: &Env, cwd: &Path) -> Result<Scope> {
    if let Some(d) = &location.cache_dir {
        return Ok(Scope { roots: vec![paths::walk(&paths::absolute(cwd, d))], gomodcache: None });
    }
    let ctx = go_context(location.gopath.as_deref(), env, cwd)?;
    let roots = layout::cache_roots(&ctx.paths.gomodcache, paths::physical);
    Ok(Scope { roots, gomodcache: Some(ctx.paths.gomodcache) })
}

/// One target's plan without downloading: for `env` and `doctor`.
pub struct SinglePlan {
    pub version: ResolvedVersion,
    pub target: TargetPlan,
    pub platform_note: String,
    pub go_env: Option<GoEnvVars>,
}

pub fn single_plan(args: &crate::cli::SingleTargetArgs, env: &Env, cwd: &Path) -> Result<SinglePlan> {
    let (version, platform) = (args.version.as_deref(), &args.platform);
    let location = absolute_location(&args.location, cwd);
    let ctx = go_context(location.gopath.as_deref(), env, cwd)?;
    let resolved = resolve_version(version, env, cwd, ctx.go_env.is_some().then_some(&ctx.go))?;
    let layout = layout::layout_for(&resolved.version)?;
    let (ts, platform_note) = targets(platform, ctx.go_env.as_ref(), env)?;
    let [target] = ts.as_slice() else {
        return Err(Error::Usage("this command takes a single target".into()));
    };
    let module_dir = resolved
        .module_dir
        .clone()
        .unwrap_or_else(|| layout::module_dir(&ctx.paths.gomodcache, layout.module_path, &resolved.version));
    let target = target_plan(
        target,
        &layout,
        &module_dir,
        Some(&ctx.paths.gomodcache),
        location.cache_dir.as_deref(),
    )?;
    Ok(SinglePlan { version: resolved, target, platform_note, go_env: ctx.go_env })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn musl_installs_under_the_gnu_name_cgo_links_plus_its_own() {
        let v = Version::parse("v1.4.0").unwrap();
        let layout = layout::layout_for(&v).unwrap();
        let md = layout::module_dir(Path::new("/g/pkg/mod"), layout.module_path, &v);
        let t = Target::from_triple("aarch64-unknown-linux-musl").unwrap();
        let p = target_plan(t, &layout, &md, Some(Path::new("/g/pkg/mod")), None).unwrap();
        assert_eq!(
            p.path(),
            PathBuf::from("/g/.cgo-cache/slim-bindings/v1.4.0/libslim_bindings_aarch64_linux_gnu.a")
        );
        assert_eq!(p.extra_names, vec!["libslim_bindings_aarch64_linux_musl.a".to_string()]);
        let t = Target::from_triple("aarch64-apple-darwin").unwrap();
        let p = target_plan(t, &layout, &md, Some(Path::new("/g/pkg/mod")), Some(Path::new("/c"))).unwrap();
        assert_eq!(p.path(), PathBuf::from("/c/libslim_bindings_aarch64_darwin.a"));
        assert!(p.extra_names.is_empty());
    }

    #[test]
    fn gnu_keeps_the_linked_name_when_both_libcs_install_together() {
        let v = Version::parse("v1.4.0").unwrap();
        let layout = layout::layout_for(&v).unwrap();
        let md = layout::module_dir(Path::new("/g/pkg/mod"), layout.module_path, &v);
        let plans =
            share_names(TARGETS.iter().map(|t| target_plan(t, &layout, &md, None, None).unwrap()).collect());
        let files: Vec<&str> = plans.iter().map(|p| p.file.as_str()).collect();
        assert_eq!(files.len(), 7);
        let mut unique = files.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), 7, "{files:?}");
        let musl = plans.iter().find(|p| p.target.triple == "x86_64-unknown-linux-musl").unwrap();
        assert_eq!(musl.file, "libslim_bindings_x86_64_linux_musl.a");
        assert!(musl.extra_names.is_empty());
    }

    #[test]
    fn nothing_is_placed_inside_the_module_cache() {
        let v = Version::parse("v1.4.0").unwrap();
        let layout = layout::layout_for(&v).unwrap();
        let md = layout::module_dir(Path::new("/g/pkg/mod"), layout.module_path, &v);
        let t = Target::from_triple("x86_64-unknown-linux-gnu").unwrap();
        let inside = Path::new("/g/pkg/mod/cache/slim");
        let err = target_plan(t, &layout, &md, Some(Path::new("/g/pkg/mod")), Some(inside)).unwrap_err();
        assert!(matches!(err, Error::InsideModCache { .. }), "{err}");
        assert!(err.to_string().contains("go mod verify"), "{err}");
        // A module cache that is GOPATH itself puts the layout's folder inside it.
        let md = layout::module_dir(Path::new("/g"), layout.module_path, &v);
        let err = target_plan(t, &layout, &md, Some(Path::new("/")), None).unwrap_err();
        assert!(matches!(err, Error::InsideModCache { .. }), "{err}");
    }

    #[test]
    fn platform_defaults_come_from_go_env_then_the_environment() {
        let go: GoEnvVars =
            [("GOOS".to_string(), "linux".to_string()), ("GOARCH".to_string(), "arm64".to_string())]
                .into_iter()
                .collect();
        let none = crate::cli::PlatformArgs::default();
        let env = Env::from_pairs([("GOOS", "windows"), ("GOARCH", "amd64")]);
        let (t, note) = targets(&none, Some(&go), &env).unwrap();
        assert_eq!((t[0].triple, note.contains("go env")), ("aarch64-unknown-linux-gnu", true), "{note}");
        let (t, _) = targets(&none, None, &env).unwrap();
        assert_eq!(t[0].triple, "x86_64-pc-windows-gnu");
        // Empty means the host's, as go treats it.
        let env = Env::from_pairs([("GOOS", ""), ("GOARCH", "")]);
        let (_, note) =
            targets(&crate::cli::PlatformArgs { libc: Some("gnu".into()), ..none.clone() }, None, &env)
                .unwrap_or_else(|e| panic!("{e}"));
        assert!(note.contains("from host"), "{note}");
        // The environment never overrides --target.
        let env = Env::from_pairs([("GOOS", "linux"), ("GOARCH", "arm64")]);
        let p =
            crate::cli::PlatformArgs { targets: vec!["x86_64-unknown-linux-musl".into()], ..none.clone() };
        assert_eq!(targets(&p, Some(&go), &env).unwrap().0[0].triple, "x86_64-unknown-linux-musl");
        let p = crate::cli::PlatformArgs { goarch: Some("amd64".into()), ..none };
        assert_eq!(targets(&p, Some(&go), &env).unwrap().0[0].goarch, "amd64");
    }

    #[test]
    fn offline_keeps_only_local_mirrors() {
        let v = Version::parse("v1.4.0").unwrap();
        let layout = layout::layout_for(&v).unwrap();
        let mut source = crate::cli::SourceArgs { offline: true, ..Default::default() };
        assert_eq!(bases(&source, &layout).unwrap(), BaseList::Off);
        source.base_url = Some("https://m.example/x,/srv/mirror".into());
        assert_eq!(bases(&source, &layout).unwrap(), BaseList::Chain(vec![Base::Dir("/srv/mirror".into())]));
    }

    #[test]
    fn version_sources_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let env = Env::from_pairs([("SLIM_BINDINGS_VERSION", "1.2.0")]);
        let r = resolve_version(Some("v1.4.0"), &env, dir.path(), None).unwrap();
        assert_eq!((r.version.to_string(), r.source.as_str()), ("v1.4.0".into(), "command line"));
        let r = resolve_version(None, &env, dir.path(), None).unwrap();
        assert_eq!((r.version.to_string(), r.source.as_str()), ("v1.2.0".into(), "SLIM_BINDINGS_VERSION"));
        assert!(matches!(
            resolve_version(None, &Env::default(), dir.path(), None),
            Err(Error::NoVersion { .. })
        ));
    }
}
