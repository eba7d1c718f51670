//! Planning as a pure function: host facts are built here in memory (the
//! stand-in modules' real cgo files included), paths are resolved on their
//! text, and each decision is checked against a table.

use std::path::{Path, PathBuf};

use super::cc::CcPlan;
use super::decide::{bases, share_names, target_plan, targets};
use super::*;
use super::{CcDecision, cc_plan};
use crate::cli::{InstallArgs, LocationArgs, PlatformArgs, SourceArgs};
use crate::domain::layout::{self, layout_for};
use crate::domain::mirror::Base;
use crate::domain::platform::{Libc, TARGETS};
use crate::host::detect::LibcChoice;
use crate::host::env::Env;
use crate::host::facts::{HostFacts, PinsFile};
use crate::host::goenv::GoEnvVars;
use crate::host::modcache::ModuleFiles;
use crate::host::paths::Resolve;
use crate::host::project::{DetectError, Detected, ProjectSource};

/// Paths taken as written, `..` folded on the text.
struct Lexical;

impl Resolve for Lexical {
    fn walk(&self, path: &Path) -> PathBuf {
        layout::resolve(path, "")
    }
}

const V140: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/gomodules/slim-bindings-go/v1.4.0/slim_bindings.go"
));
const MODCACHE: &str = "/g/pkg/mod";
const MODULE: &str = "/g/pkg/mod/github.com/agntcy/slim-bindings-go@v1.4.0";

fn facts() -> HostFacts {
    HostFacts {
        cwd: PathBuf::from("/proj"),
        go_env: Some(go(&[("GOPATH", "/g"), ("GOMODCACHE", MODCACHE)])),
        env_file: None,
        detected: None,
        host_libc: None,
        module: None,
        pins: None,
        vendor: None,
        netrc: None,
        paths: &Lexical,
    }
}

fn go(pairs: &[(&str, &str)]) -> GoEnvVars {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn module(text: &'static str) -> ModuleFiles {
    ModuleFiles {
        dir: PathBuf::from(MODULE),
        packages: vec![(PathBuf::from(MODULE), vec![("slim_bindings.go".into(), text.into())])],
    }
}

fn v140() -> (crate::domain::version::Version, crate::domain::layout::Layout) {
    let v = crate::domain::version::Version::parse("v1.4.0").unwrap();
    let l = layout_for(&v).unwrap();
    (v, l)
}

fn gnu() -> &'static crate::domain::platform::Target {
    crate::domain::platform::Target::from_triple("x86_64-unknown-linux-gnu").unwrap()
}

#[test]
fn the_folder_comes_from_the_directive_else_the_layout_and_never_the_module_cache() {
    let (_, layout) = v140();
    let md = Path::new(MODULE);
    let only_srcdir = "package p\n// #cgo linux,amd64 LDFLAGS: -L${SRCDIR} -lslim_bindings_x86_64_linux_gnu\nimport \"C\"\n";
    let custom = "package p\n// #cgo linux,amd64 LDFLAGS: -L${SRCDIR} -L/opt/slim -lslim_bindings_x86_64_linux_gnu\nimport \"C\"\n";
    let directive = |file: &str, arg: &str| DirSource::Directive {
        file: PathBuf::from(MODULE).join(file),
        arg: arg.into(),
    };
    let table: [(Option<&'static str>, &str, DirSource); 4] = [
        (
            Some(V140),
            "/g/.cgo-cache/slim-bindings/v1.4.0",
            directive("slim_bindings.go", "${SRCDIR}/../../../../../.cgo-cache/slim-bindings/v1.4.0"),
        ),
        (Some(custom), "/opt/slim", directive("slim_bindings.go", "/opt/slim")),
        (
            Some(only_srcdir),
            "/g/.cgo-cache/slim-bindings/v1.4.0",
            DirSource::Layout(LayoutWhy::NoOutsideFolder {
                file: PathBuf::from(MODULE).join("slim_bindings.go"),
            }),
        ),
        (None, "/g/.cgo-cache/slim-bindings/v1.4.0", DirSource::Layout(LayoutWhy::NoModule)),
    ];
    for (text, dir, source) in table {
        let mut f = facts();
        f.module = text.map(module);
        let p = target_plan(gnu(), &layout, md, Some(Path::new(MODCACHE)), None, &f).unwrap();
        assert_eq!((p.dir.as_path(), &p.dir_source), (Path::new(dir), &source), "{text:?}");
        assert_eq!(p.file, "libslim_bindings_x86_64_linux_gnu.a");
    }
    // A folder inside the module cache is refused, given or computed.
    let f = facts();
    let err = target_plan(gnu(), &layout, md, Some(Path::new(MODCACHE)), Some(Path::new("/g/pkg/mod/x")), &f);
    assert!(matches!(err, Err(crate::error::Error::InsideModCache { .. })));
    let inside = layout::module_dir(Path::new("/g"), layout.module_path, &v140().0);
    assert!(matches!(
        target_plan(gnu(), &layout, &inside, Some(Path::new("/")), None, &f),
        Err(crate::error::Error::InsideModCache { .. })
    ));
}

#[test]
fn musl_gets_the_gnu_name_cgo_links_unless_gnu_of_the_same_run_has_it() {
    let (v, layout) = v140();
    let md = layout::module_dir(Path::new(MODCACHE), layout.module_path, &v);
    let f = facts();
    let musl = crate::domain::platform::Target::from_triple("aarch64-unknown-linux-musl").unwrap();
    let p = target_plan(musl, &layout, &md, None, None, &f).unwrap();
    assert_eq!(
        p.path(),
        PathBuf::from("/g/.cgo-cache/slim-bindings/v1.4.0/libslim_bindings_aarch64_linux_gnu.a")
    );
    assert_eq!(p.extra_names, vec!["libslim_bindings_aarch64_linux_musl.a".to_string()]);
    let all =
        share_names(TARGETS.iter().map(|t| target_plan(t, &layout, &md, None, None, &f).unwrap()).collect());
    let mut files: Vec<&str> = all.iter().map(|p| p.file.as_str()).collect();
    files.sort();
    files.dedup();
    assert_eq!(files.len(), 7, "every target keeps its own file: {files:?}");
    let musl = all.iter().find(|p| p.target.triple == "x86_64-unknown-linux-musl").unwrap();
    assert_eq!(musl.file, "libslim_bindings_x86_64_linux_musl.a");
    assert!(matches!(musl.dir_source, DirSource::OwnNameOnly(_)));
    assert!(musl.dir_source.to_string().ends_with("takes the name cgo links"));
}

#[test]
fn platform_defaults_come_from_go_env_then_the_environment_and_never_override_targets() {
    let none = PlatformArgs::default();
    let mut f = facts();
    f.go_env = Some(go(&[("GOOS", "linux"), ("GOARCH", "arm64")]));
    let env = Env::from_pairs([("GOOS", "windows"), ("GOARCH", "amd64")]);
    // (flags, go env present, environment) -> triple, note
    let (t, note) = targets(&none, &env, &f).unwrap();
    assert_eq!(
        (t[0].triple, note.to_string().as_str()),
        ("aarch64-unknown-linux-gnu", "linux/arm64 (from go env), libc gnu (default for another platform)")
    );
    f.go_env = None;
    let (t, note) = targets(&none, &env, &f).unwrap();
    assert_eq!(
        (t[0].triple, note.to_string().as_str()),
        ("x86_64-pc-windows-gnu", "windows/amd64 (from $GOOS and $GOARCH)")
    );
    let p = PlatformArgs { goarch: Some("arm64".into()), libc: Some(Libc::Musl), ..none.clone() };
    let env = Env::from_pairs([("GOOS", "linux")]);
    let (t, note) = targets(&p, &env, &f).unwrap();
    assert_eq!(t[0].triple, "aarch64-unknown-linux-musl");
    assert_eq!(note.to_string(), "linux/arm64 (GOOS from $GOOS, GOARCH from --goarch), libc musl (--libc)");
    // --target and --all replace exported GOOS/GOARCH.
    let env = Env::from_pairs([("GOOS", "linux"), ("GOARCH", "arm64")]);
    let p = PlatformArgs { targets: vec!["x86_64-unknown-linux-musl".into()], ..none.clone() };
    assert_eq!(targets(&p, &env, &f).unwrap().0[0].triple, "x86_64-unknown-linux-musl");
    let p = PlatformArgs { all: true, ..none };
    assert_eq!(targets(&p, &env, &f).unwrap().0.len(), 7);
}

#[test]
fn a_host_build_takes_the_c_compilers_libc() {
    if crate::host::detect::host_goos() != "linux" {
        return;
    }
    let mut f = facts();
    f.go_env = None;
    f.host_libc = Some(LibcChoice { libc: Libc::Musl, why: "CC=zig cc -target x86_64-linux-musl".into() });
    let (t, note) = targets(&PlatformArgs::default(), &Env::default(), &f).unwrap();
    assert_eq!(t[0].libc, Some(Libc::Musl));
    assert!(note.to_string().ends_with("libc musl (CC=zig cc -target x86_64-linux-musl)"), "{note}");
}

#[test]
fn version_sources_in_order() {
    let mut f = facts();
    f.detected = Some(Ok(Detected {
        version: "v1.2.0".into(),
        module: "github.com/agntcy/slim-bindings-go".into(),
        source: ProjectSource::File {
            path: "/proj/go.mod".into(),
            go_failed: Some("`go list -m` failed: go: x".into()),
        },
        module_dir: None,
    }));
    let env = Env::from_pairs([("SLIM_BINDINGS_VERSION", "1.3.0")]);
    let table: [(Option<&str>, &Env, &str, &str); 3] = [
        (Some("v1.4.0"), &env, "v1.4.0", "command line"),
        (None, &env, "v1.3.0", "SLIM_BINDINGS_VERSION"),
        (None, &Env::default(), "v1.2.0", "/proj/go.mod (`go list -m` failed: go: x)"),
    ];
    for (arg, env, version, source) in table {
        let (v, s) = super::version(arg, env, &f).unwrap();
        assert_eq!((v.to_string().as_str(), s.to_string().as_str()), (version, source));
    }
    f.detected = Some(Err(DetectError::NoVersion { why: "no go.mod in /proj or above".into() }));
    let err = super::version(None, &Env::default(), &f).unwrap_err();
    assert_eq!(err.to_string(), "no SLIM bindings version given and none found: no go.mod in /proj or above");
}

#[test]
fn a_bad_version_is_a_usage_error_when_the_user_gave_it() {
    let mut f = facts();
    let project = |version: &str| Detected {
        version: version.into(),
        module: "github.com/agntcy/slim-bindings-go".into(),
        source: ProjectSource::File { path: "/proj/go.mod".into(), go_failed: None },
        module_dir: None,
    };
    // (VERSION, SLIM_BINDINGS_VERSION, go.mod's) -> exit code, message
    let table = [
        (Some("v1.4"), None, "v1.2.0", 2, "'v1.4' is not a full version; did you mean v1.4.0?"),
        (None, Some("latest"), "v1.2.0", 2, "SLIM_BINDINGS_VERSION: slim-setup installs a release version"),
        (None, Some("v1.4"), "v1.2.0", 2, "SLIM_BINDINGS_VERSION: 'v1.4' is not a full version"),
        (None, None, "latest", 1, "'latest' is not a version"),
        (None, None, "v1.4", 1, "'v1.4' is not a version"),
    ];
    for (arg, var, in_go_mod, code, message) in table {
        f.detected = Some(Ok(project(in_go_mod)));
        let env = Env::from_pairs(var.map(|v| ("SLIM_BINDINGS_VERSION", v)));
        let err = super::version(arg, &env, &f).unwrap_err();
        assert_eq!(err.exit_code(), code, "{arg:?} {var:?} {in_go_mod}: {err}");
        assert!(err.to_string().starts_with(message), "{err}");
    }
}

#[test]
fn an_unsupported_pair_is_a_usage_error_when_a_flag_made_it() {
    let mut f = facts();
    f.go_env = None;
    let freebsd = Env::from_pairs([("GOOS", "freebsd"), ("GOARCH", "amd64")]);
    let flag = |goos: &str, goarch: &str| PlatformArgs {
        goos: Some(goos.into()),
        goarch: Some(goarch.into()),
        ..Default::default()
    };
    let musl = PlatformArgs { goos: Some("darwin".into()), libc: Some(Libc::Musl), ..Default::default() };
    let goarch_only = PlatformArgs { goarch: Some("386".into()), ..Default::default() };
    // (flags, environment) -> exit code; the message names the pair either way.
    let table = [
        (flag("windows", "arm64"), Env::default(), 2, "windows/arm64"),
        (flag("freebsd", "amd64"), Env::default(), 2, "freebsd/amd64"),
        (musl, Env::from_pairs([("GOARCH", "arm64")]), 2, "darwin/arm64 (musl)"),
        (goarch_only, Env::from_pairs([("GOOS", "linux")]), 2, "linux/386 (gnu)"),
        (PlatformArgs::default(), freebsd, 1, "freebsd/amd64"),
    ];
    for (p, env, code, pair) in table {
        let err = targets(&p, &env, &f).unwrap_err();
        assert_eq!(err.exit_code(), code, "{p:?}: {err}");
        assert!(
            err.to_string().contains(&format!("no prebuilt SLIM library for {pair}; supported: ")),
            "{err}"
        );
        assert!(err.hint().is_some_and(|h| h.contains("--goos/--goarch")), "{err}");
    }
}

#[test]
fn a_whole_install_plan_from_facts() {
    let mut f = facts();
    f.module = Some(module(V140));
    f.pins = Some(PinsFile {
        path: "/proj/slim-bindings.sum".into(),
        text: Some(format!("v1.4.0 x86_64-unknown-linux-gnu sha256:{}\n", "ab".repeat(32))),
    });
    let args = InstallArgs {
        version: Some("v1.4.0".into()),
        platform: PlatformArgs { targets: vec!["x86_64-unknown-linux-gnu".into()], ..Default::default() },
        jobs: 4,
        ..Default::default()
    };
    let env = Env::from_pairs([("GITHUB_TOKEN", "tok-123")]);
    let plan = install_plan(&args, &env, &f).unwrap();
    assert_eq!(
        plan.targets[0].path(),
        PathBuf::from("/g/.cgo-cache/slim-bindings/v1.4.0/libslim_bindings_x86_64_linux_gnu.a")
    );
    assert_eq!(plan.pinned("x86_64-unknown-linux-gnu").map(|d| d.hex()), Some("ab".repeat(32)));
    assert_eq!(plan.api, None, "each GitHub-shaped base asks its own API");
    assert_eq!(format!("{:?}", plan.token), "Some(***)", "a token is never shown");
    assert_eq!(plan.token.as_ref().map(Secret::expose), Some("tok-123"));
    // --lock without a go.mod is a usage error; --from-file takes one target.
    let lock = InstallArgs { lock: true, ..args.clone() };
    f.pins = None;
    assert!(matches!(install_plan(&lock, &env, &f), Err(crate::error::Error::Usage(_))));
    let many = InstallArgs {
        from_file: Some("a.zip".into()),
        platform: PlatformArgs { all: true, ..Default::default() },
        ..args
    };
    assert!(matches!(install_plan(&many, &env, &f), Err(crate::error::Error::Usage(_))));
}

#[test]
fn scope_roots_cover_every_layout_or_are_the_cache_dir() {
    let f = facts();
    let s = scope(&LocationArgs::default(), &Env::default(), &f).unwrap();
    assert_eq!(s.gomodcache.as_deref(), Some(Path::new(MODCACHE)));
    assert!(s.roots.contains(&PathBuf::from("/g/.cgo-cache/slim-bindings")), "{:?}", s.roots);
    let s =
        scope(&LocationArgs { cache_dir: Some("libs".into()), gopath: None }, &Env::default(), &f).unwrap();
    assert_eq!((s.roots, s.gomodcache), (vec![PathBuf::from("/proj/libs")], None));
}

#[test]
fn offline_keeps_only_local_mirrors() {
    let (_, layout) = v140();
    let mut source = SourceArgs { offline: true, ..Default::default() };
    assert_eq!(bases(&source, &layout).unwrap(), crate::domain::mirror::BaseList::Off);
    source.base_url = Some("https://m.example/x,/srv/mirror".into());
    assert_eq!(
        bases(&source, &layout).unwrap(),
        crate::domain::mirror::BaseList::Chain(vec![Base::Dir("/srv/mirror".into())])
    );
}

// ------------------------------------------------------------ the cc front

fn link(dirs: &[&str], name: &str) -> crate::domain::ccargs::LinkLine {
    let mut args: Vec<String> = vec!["gcc".into(), "-m64".into(), "-o".into(), "/w/exe/a.out".into()];
    args.extend(dirs.iter().map(|d| format!("-L{d}")));
    args.extend([format!("-l{name}"), "-lm".into()]);
    crate::domain::ccargs::LinkLine::parse(&args)
}

fn cc_install(
    line: &crate::domain::ccargs::LinkLine,
    libc: Option<Libc>,
    env: &Env,
    f: &HostFacts,
) -> CcPlan {
    let choice = libc.map(|libc| LibcChoice { libc, why: "test".into() });
    match cc_plan(line, choice.as_ref(), env, f).unwrap() {
        CcDecision::Install(p) => *p,
        CcDecision::AsIs { why } => panic!("linked as is: {why}"),
    }
}

const GNU_NAME: &str = "slim_bindings_x86_64_linux_gnu";

/// The link lines go hands the compiler for each published shape (the
/// directive with `${SRCDIR}` expanded), with GOPATH=/g: the folder, file and
/// version a front installs, and where they came from.
#[test]
fn the_front_places_each_published_link_line_where_the_linker_looks() {
    let m = |v: &str| format!("/g/pkg/mod/github.com/agntcy/slim-bindings-go@{v}");
    let m2 = "/g/pkg/mod/github.com/agntcy/slim-bindings-go/v2@v2.1.0";
    let table: [(Vec<String>, &str, &str); 6] = [
        (
            vec![format!("{}/../../../../../../.cache/slim-bindings", m("v0.7.2")), m("v0.7.2")],
            "v0.7.2",
            "/.cache/slim-bindings",
        ),
        (
            vec![m("v0.7.3"), format!("{}/../../../../../.cgo-cache/slim-bindings", m("v0.7.3"))],
            "v0.7.3",
            "/g/.cgo-cache/slim-bindings",
        ),
        (
            vec![
                m("v1.3.0-rc.1"),
                format!("{}/../../../../../.cgo-cache/slim-bindings/devel", m("v1.3.0-rc.1")),
            ],
            "v1.3.0-rc.1",
            "/g/.cgo-cache/slim-bindings/devel",
        ),
        (
            vec![
                "/opt/user-flag".into(),
                m("v1.4.0"),
                format!("{}/../../../../../.cgo-cache/slim-bindings/v1.4.0", m("v1.4.0")),
            ],
            "v1.4.0",
            "/g/.cgo-cache/slim-bindings/v1.4.0",
        ),
        (
            vec![
                m2.into(),
                format!("{m2}/../../../../../../.cgo-cache/slim-bindings/v2.1.0"),
                format!("{m2}/slim_rpc"),
                format!("{m2}/slim_rpc/../../../../../../../.cgo-cache/slim-bindings/v2.1.0"),
            ],
            "v2.1.0",
            "/g/.cgo-cache/slim-bindings/v2.1.0",
        ),
        // No module folder (CGO_LDFLAGS from `slim-setup env`): a versioned cache folder.
        (vec!["/g/.cgo-cache/slim-bindings/v1.4.0".into()], "v1.4.0", "/g/.cgo-cache/slim-bindings/v1.4.0"),
    ];
    let f = facts();
    for (dirs, version, dir) in table {
        let dirs: Vec<&str> = dirs.iter().map(String::as_str).collect();
        let p = cc_install(&link(&dirs, GNU_NAME), Some(Libc::Gnu), &Env::default(), &f);
        let tp = &p.install.targets[0];
        assert_eq!(p.install.version.to_string(), version, "{dirs:?}");
        assert_eq!(tp.dir, PathBuf::from(dir), "{dirs:?}");
        assert_eq!(tp.file, "libslim_bindings_x86_64_linux_gnu.a");
        assert_eq!(tp.target.triple, "x86_64-unknown-linux-gnu");
        assert!(tp.extra_names.is_empty() && !p.rewritten, "{dirs:?}");
        let DirSource::LinkLine { arg } = &tp.dir_source else { panic!("{:?}", tp.dir_source) };
        assert!(!arg.ends_with(&format!("@{version}")), "never the module folder itself: {arg}");
        assert_eq!(p.install.version_source, VersionSource::LinkLine(arg.clone()));
    }
}

#[test]
fn a_musl_compiler_gets_the_musl_library_under_its_own_name_and_a_rewritten_link() {
    let f = facts();
    let dirs = [
        MODULE,
        "/g/pkg/mod/github.com/agntcy/slim-bindings-go@v1.4.0/../../../../../.cgo-cache/slim-bindings/v1.4.0",
    ];
    // (-l name, compiler libc) -> triple, file, rewritten
    let table = [
        (
            GNU_NAME,
            Some(Libc::Musl),
            "x86_64-unknown-linux-musl",
            "libslim_bindings_x86_64_linux_musl.a",
            true,
        ),
        (GNU_NAME, Some(Libc::Gnu), "x86_64-unknown-linux-gnu", "libslim_bindings_x86_64_linux_gnu.a", false),
        (GNU_NAME, None, "x86_64-unknown-linux-gnu", "libslim_bindings_x86_64_linux_gnu.a", false),
        (
            "slim_bindings_aarch64_linux_gnu",
            Some(Libc::Musl),
            "aarch64-unknown-linux-musl",
            "libslim_bindings_aarch64_linux_musl.a",
            true,
        ),
        (
            "slim_bindings_x86_64_linux_musl",
            Some(Libc::Gnu),
            "x86_64-unknown-linux-musl",
            "libslim_bindings_x86_64_linux_musl.a",
            false,
        ),
        (
            "slim_bindings_x86_64_windows_gnu",
            Some(Libc::Musl),
            "x86_64-pc-windows-gnu",
            "libslim_bindings_x86_64_windows_gnu.a",
            false,
        ),
        (
            "slim_bindings_aarch64_darwin",
            None,
            "aarch64-apple-darwin",
            "libslim_bindings_aarch64_darwin.a",
            false,
        ),
    ];
    for (name, libc, triple, file, rewritten) in table {
        let p = cc_install(&link(&dirs, name), libc, &Env::default(), &f);
        let tp = &p.install.targets[0];
        assert_eq!(
            (tp.target.triple, tp.file.as_str(), p.rewritten),
            (triple, file, rewritten),
            "{name} {libc:?}"
        );
        assert_eq!(format!("lib{}.a", p.link_name), tp.file);
        assert!(tp.extra_names.is_empty(), "no _gnu alias for {triple}");
    }
}

#[test]
fn lines_that_do_not_say_which_library_are_linked_as_written() {
    let f = facts();
    let v = |v: &str| format!("/g/pkg/mod/github.com/agntcy/slim-bindings-go@{v}");
    let out = |m: String| format!("{m}/../../../../../.cgo-cache/slim-bindings");
    let table: [(Vec<String>, &str, &str); 6] = [
        (
            vec![
                "/p/vendor/github.com/agntcy/slim-bindings-go".into(),
                "/p/vendor/github.com/agntcy/slim-bindings-go/../../../../../.cgo-cache/slim-bindings/v1.4.0"
                    .into(),
            ],
            GNU_NAME,
            "vendored",
        ),
        (
            vec![v("v1.4.0"), out(v("v1.4.0"))],
            "slim_bindings_riscv64_linux_gnu",
            "no library a SLIM release publishes",
        ),
        (
            vec![v("v1.4.1-0.20240101120000-abcdef123456"), out(v("v1.4.1-0.20240101120000-abcdef123456"))],
            GNU_NAME,
            "pseudo-version",
        ),
        (vec![v("v0.7.1"), out(v("v0.7.1"))], GNU_NAME, "predates"),
        (vec![v("v1.4.0"), format!("{}/lib", v("v1.4.0"))], GNU_NAME, "leaves Go's module cache"),
        (vec![v("v2.1.0"), out(v("v2.1.0"))], GNU_NAME, "does not publish"),
    ];
    for (dirs, name, why_part) in table {
        let dirs: Vec<&str> = dirs.iter().map(String::as_str).collect();
        match cc_plan(&link(&dirs, name), None, &Env::default(), &f).unwrap() {
            CcDecision::AsIs { why } => assert!(why.contains(why_part), "{dirs:?}: {why}"),
            CcDecision::Install(p) => panic!("{dirs:?}: planned {:?}", p.install.targets[0].path()),
        }
    }
    // Two different libraries in one link is an error, not a guess.
    let mut line = link(&[MODULE], GNU_NAME);
    line.links.push(crate::domain::ccargs::LinkArg {
        index: 99,
        joined: true,
        name: "slim_bindings_aarch64_darwin".into(),
    });
    assert!(cc_plan(&line, None, &Env::default(), &f).is_err());
}

#[test]
fn the_front_takes_sources_policy_and_pins_from_the_environment_as_install_does() {
    let mut f = facts();
    f.pins = Some(PinsFile {
        path: "/proj/slim-bindings.sum".into(),
        text: Some(format!("v1.4.0 x86_64-unknown-linux-gnu sha256:{}\n", "cd".repeat(32))),
    });
    let line = link(&["/g/.cgo-cache/slim-bindings/v1.4.0"], GNU_NAME);
    let env = Env::from_pairs([
        ("SLIM_BINDINGS_BASE_URL", "/srv/mirror"),
        ("SLIM_SETUP_OFFLINE", "yes"),
        ("SLIM_SETUP_TIMEOUT", "7"),
        ("SLIM_SETUP_REQUIRE_CHECKSUM", "1"),
        ("SLIM_SETUP_GITHUB_API_URL", "http://127.0.0.1:9/api"),
        ("GH_TOKEN", "tok-9"),
    ]);
    let p = cc_install(&line, None, &env, &f).install;
    assert_eq!(p.bases, crate::domain::mirror::BaseList::Chain(vec![Base::Dir("/srv/mirror".into())]));
    assert_eq!(p.http.timeout, std::time::Duration::from_secs(7));
    assert!(p.require_checksum && !p.force && !p.write_lock);
    assert_eq!(
        (p.api.as_deref(), p.token.as_ref().map(Secret::expose)),
        (Some("http://127.0.0.1:9/api"), Some("tok-9"))
    );
    assert_eq!(p.pinned("x86_64-unknown-linux-gnu").map(|d| d.hex()), Some("cd".repeat(32)));
    // Offline with no local mirror: nothing to download from.
    let p = cc_install(&line, None, &Env::from_pairs([("SLIM_SETUP_OFFLINE", "true")]), &f).install;
    assert_eq!(p.bases, crate::domain::mirror::BaseList::Off);
    let p = cc_install(&line, None, &Env::default(), &f).install;
    assert!(!p.require_checksum);
    assert_eq!(p.http.timeout, std::time::Duration::from_secs(30));
    for (key, value) in [("SLIM_SETUP_TIMEOUT", "soon"), ("SLIM_SETUP_OFFLINE", "maybe")] {
        let err = cc_plan(&line, None, &Env::from_pairs([(key, value)]), &f).unwrap_err();
        assert!(matches!(err, crate::error::Error::Usage(ref m) if m.contains(key)), "{err}");
    }
    // A folder inside GOMODCACHE (as go exports it to the compiler) is refused.
    let inside = link(&["/g/pkg/mod/x/.cgo-cache/slim-bindings/v1.4.0"], GNU_NAME);
    let err = cc_plan(&inside, None, &Env::from_pairs([("GOMODCACHE", MODCACHE)]), &f).unwrap_err();
    assert!(matches!(err, crate::error::Error::InsideModCache { .. }), "{err}");
}

/// The front reads install's variables with install's own clap arguments:
/// the same defaults, the same ranges, no trimming, messages naming the variable.
#[test]
fn the_front_reads_the_source_variables_as_install_does() {
    use crate::plan::cc::source_from_env;
    let d = source_from_env(&Env::default()).unwrap();
    assert_eq!((d.timeout, d.min_rate, d.connections, d.retries, d.max_download), (30, 1024, 8, 4, None));
    assert!(!d.offline && d.base_url.is_none());
    let set = source_from_env(&Env::from_pairs([
        ("SLIM_SETUP_CONNECTIONS", "3"),
        ("SLIM_SETUP_TIMEOUT", "7"),
        ("SLIM_SETUP_MAX_DOWNLOAD", "1000"),
        ("SLIM_SETUP_OFFLINE", "yes"),
        ("SLIM_BINDINGS_BASE_URL", "./m"),
    ]))
    .unwrap();
    assert_eq!((set.connections, set.timeout, set.max_download), (3, 7, Some(1000)));
    assert!(set.offline);
    assert_eq!(set.base_url.as_deref(), Some("./m"));
    for (key, value) in [
        ("SLIM_SETUP_CONNECTIONS", "64"),
        ("SLIM_SETUP_CONNECTIONS", "0"),
        ("SLIM_SETUP_TIMEOUT", " 30"),
        ("SLIM_SETUP_RETRIES", "many"),
    ] {
        let err = source_from_env(&Env::from_pairs([(key, value)])).unwrap_err();
        assert!(matches!(err, crate::error::Error::Usage(_)), "{key}={value:?}: {err:?}");
        assert!(
            err.message().starts_with(&format!("{key}: invalid value")),
            "{key}={value:?}: {}",
            err.message()
        );
    }
}
