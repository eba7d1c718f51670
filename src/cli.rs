//! The command-line definition, and nothing else: what the user typed. Turning
//! it into a plan (with the environment and the host) happens in `config`.

use std::path::PathBuf;

use clap::builder::PossibleValue;
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::domain::platform::Libc;

const EXAMPLES: &str = "\
Examples:
  slim-setup                                  install the version go.mod requires, for this machine
  slim-setup install v1.4.0                   a given version
  slim-setup --goos linux --goarch arm64 --libc musl
                                              prefetch for another platform (CI, cross builds)
  slim-setup --target x86_64-unknown-linux-musl --target aarch64-unknown-linux-musl
                                              several targets at once (Dockerfiles)
  slim-setup --base-url https://mirror.example.com/slim --require-checksum
  slim-setup --base-url ./examples/mirror --gopath /tmp/slim-demo v1.4.0
                                              offline, from a folder laid out like a release";

/// The environment variables of the source and policy options: the `cc`
/// front, which takes no options of its own, reads the same ones.
pub(crate) const ENV_BASE_URL: &str = "SLIM_BINDINGS_BASE_URL";
pub(crate) const ENV_GITHUB_API_URL: &str = "SLIM_SETUP_GITHUB_API_URL";
pub(crate) const ENV_OFFLINE: &str = "SLIM_SETUP_OFFLINE";
pub(crate) const ENV_TIMEOUT: &str = "SLIM_SETUP_TIMEOUT";
pub(crate) const ENV_REQUIRE_CHECKSUM: &str = "SLIM_SETUP_REQUIRE_CHECKSUM";
pub(crate) const DEFAULT_TIMEOUT_SECS: u64 = 30;

const CC_HELP: &str = "\
Set it once, and `go build` installs the library the link asks for, for every version:
  go env -w CC=\"slim-setup cc gcc\"         (or: slim-setup cc --setup)
  CC=\"slim-setup cc zig cc -target x86_64-linux-musl\" go build    (CI, Dockerfiles)
Calls that do not link the SLIM library go straight to REAL_CC. A musl REAL_CC gets the
musl library under its own _musl name (the -l is rewritten), so gnu and musl builds of
one project share a GOPATH. Reads SLIM_BINDINGS_BASE_URL, SLIM_SETUP_OFFLINE,
SLIM_SETUP_TIMEOUT, SLIM_SETUP_REQUIRE_CHECKSUM, GITHUB_TOKEN and slim-bindings.sum
as install does. Undo the setting with: go env -u CC";

#[derive(Debug, Parser)]
#[command(
    name = "slim-setup",
    version,
    about = "Install the prebuilt SLIM bindings static library where the Go bindings' cgo directives look for it",
    after_help = EXAMPLES,
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub(crate) command: Option<Command>,
    /// `slim-setup` with no subcommand means `slim-setup install`.
    #[command(flatten)]
    pub(crate) install: InstallArgs,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Download, verify and install the library (the default command)
    #[command(after_help = EXAMPLES)]
    Install(InstallArgs),
    /// List installed libraries: version, target, size, sha256, source, install time
    List(ListArgs),
    /// Re-hash installed libraries against their manifests; exit 1 naming damaged or missing ones
    Verify(VerifyArgs),
    /// Print CGO_ENABLED and a CGO_LDFLAGS that links the installed library from wherever it is
    Env(EnvArgs),
    /// Remove installed versions and leftovers (temp files, stale locks)
    Clean(CleanArgs),
    /// Fetch and verify archives into a folder laid out like a release, with SHA256SUMS
    Mirror(MirrorArgs),
    /// Check the whole chain (go, cgo, C compiler, go.mod, library) and say what to fix
    Doctor(DoctorArgs),
    /// The target table: GOOS/GOARCH/libc -> triple -> library name
    Targets(TargetsArgs),
    /// Run a C compiler, first installing the SLIM library its link asks for (set CC to it)
    #[command(after_help = CC_HELP)]
    Cc(CcArgs),
    /// Print a shell completion script
    Completions(CompletionsArgs),
    /// Print the man page (roff)
    Man,
}

#[derive(Debug, Args, Clone, Default)]
pub(crate) struct ListArgs {
    #[command(flatten)]
    pub(crate) location: LocationArgs,
    /// Print JSON
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Args, Clone, Default)]
pub(crate) struct VerifyArgs {
    /// Only this version
    #[arg(id = "bindings_version", value_name = "VERSION")]
    pub(crate) version: Option<String>,
    #[command(flatten)]
    pub(crate) location: LocationArgs,
    /// Print JSON
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum ShellKind {
    Sh,
    Fish,
    Powershell,
    /// Lines for `>> $GITHUB_ENV`
    Github,
}

/// One target of one version, as `env` and `doctor` look at it.
#[derive(Debug, Args, Clone)]
pub(crate) struct SingleTargetArgs {
    /// Bindings version [default: as for install]
    #[arg(id = "bindings_version", value_name = "VERSION")]
    pub(crate) version: Option<String>,
    #[command(flatten)]
    pub(crate) platform: PlatformArgs,
    #[command(flatten)]
    pub(crate) location: LocationArgs,
}

#[derive(Debug, Args, Clone)]
pub(crate) struct EnvArgs {
    #[command(flatten)]
    pub(crate) target: SingleTargetArgs,
    /// Output syntax
    #[arg(long, value_enum, default_value_t = ShellKind::Sh)]
    pub(crate) shell: ShellKind,
}

#[derive(Debug, Args, Clone, Default)]
pub(crate) struct CleanArgs {
    /// Remove this version
    #[arg(id = "bindings_version", value_name = "VERSION", required_unless_present_any = ["all", "leftovers"])]
    pub(crate) version: Option<String>,
    /// Remove every installed version
    #[arg(long, conflicts_with = "bindings_version")]
    pub(crate) all: bool,
    /// Remove only leftovers (temp files, stale locks)
    #[arg(long)]
    pub(crate) leftovers: bool,
    /// Print what would be removed, remove nothing
    #[arg(long)]
    pub(crate) dry_run: bool,
    #[command(flatten)]
    pub(crate) location: LocationArgs,
}

#[derive(Debug, Args, Clone)]
pub(crate) struct MirrorArgs {
    /// Bindings version [default: as for install]
    #[arg(id = "bindings_version", value_name = "VERSION")]
    pub(crate) version: Option<String>,
    /// A Rust target triple; repeat for several [default: all published targets]
    #[arg(long = "target", value_name = "TRIPLE")]
    pub(crate) targets: Vec<String>,
    /// Every published target (the default)
    #[arg(long, conflicts_with = "targets")]
    pub(crate) all: bool,
    /// Folder to fill ({out}/{tag}/slim-bindings-{triple}.zip and SHA256SUMS)
    #[arg(long, value_name = "DIR")]
    pub(crate) out: std::path::PathBuf,
    #[command(flatten)]
    pub(crate) source: SourceArgs,
    /// Fail rather than mirror an archive no checksum vouches for
    #[arg(long)]
    pub(crate) require_checksum: bool,
    #[command(flatten)]
    pub(crate) output: OutputArgs,
}

#[derive(Debug, Args, Clone)]
pub(crate) struct DoctorArgs {
    #[command(flatten)]
    pub(crate) target: SingleTargetArgs,
}

#[derive(Debug, Args, Clone, Default)]
pub(crate) struct CcArgs {
    /// Set CC with `go env -w` to this front around REAL_CC (default: the current CC, else gcc)
    #[arg(long)]
    pub(crate) setup: bool,
    /// The C compiler and the arguments go passes it, e.g. gcc, or zig cc -target x86_64-linux-musl
    #[arg(value_name = "REAL_CC", trailing_var_arg = true, allow_hyphen_values = true)]
    pub(crate) compiler: Vec<String>,
}

#[derive(Debug, Args, Clone, Default)]
pub(crate) struct TargetsArgs {
    /// Print JSON
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Args, Clone)]
pub(crate) struct CompletionsArgs {
    /// The shell
    #[arg(value_enum)]
    pub(crate) shell: clap_complete::Shell,
}

#[derive(Debug, Args, Clone, Default)]
pub(crate) struct PlatformArgs {
    /// Target GOOS [default: `go env GOOS`, else $GOOS, else the host's]
    #[arg(long, visible_alias = "os", value_name = "GOOS")]
    pub(crate) goos: Option<String>,
    /// Target GOARCH [default: `go env GOARCH`, else $GOARCH, else the host's]
    #[arg(long, visible_alias = "arch", value_name = "GOARCH")]
    pub(crate) goarch: Option<String>,
    /// C library for linux targets [default: the one cgo's C compiler uses on the host, else gnu]
    #[arg(long, visible_alias = "abi", value_name = "gnu|musl", value_enum, ignore_case = true)]
    pub(crate) libc: Option<Libc>,
    /// A Rust target triple; repeat for several (e.g. x86_64-unknown-linux-musl)
    #[arg(long = "target", value_name = "TRIPLE", conflicts_with_all = ["goos", "goarch", "libc", "all"])]
    pub(crate) targets: Vec<String>,
    /// Every published target
    #[arg(long, conflicts_with_all = ["goos", "goarch", "libc"])]
    pub(crate) all: bool,
}

#[derive(Debug, Args, Clone, Default)]
pub(crate) struct LocationArgs {
    /// GOPATH to install under [default: `go env GOPATH`, else $GOPATH's first entry, else ~/go]
    #[arg(long, value_name = "DIR")]
    pub(crate) gopath: Option<PathBuf>,
    /// Install exactly into this folder instead of where the module's cgo looks
    #[arg(long, value_name = "DIR")]
    pub(crate) cache_dir: Option<PathBuf>,
}

#[derive(Debug, Args, Clone, Default)]
pub(crate) struct SourceArgs {
    /// Mirror(s) laid out like a release: {base}/{tag}/slim-bindings-{triple}.zip; https://,
    /// http:// to loopback, file:// or a folder; comma-separated to try in order; 'off' never downloads
    #[arg(long, env = ENV_BASE_URL, value_name = "URL")]
    pub(crate) base_url: Option<String>,
    /// GitHub API used to read release digests
    #[arg(long, env = ENV_GITHUB_API_URL, value_name = "URL", hide_env_values = true)]
    pub(crate) github_api_url: Option<String>,
    /// Allow plain http:// to hosts other than loopback
    #[arg(long)]
    pub(crate) allow_http: bool,
    /// Never use the network: succeed only from what is installed or a local source
    #[arg(long, env = ENV_OFFLINE, value_parser = clap::builder::BoolishValueParser::new(), num_args = 0, default_missing_value = "true")]
    pub(crate) offline: bool,
    /// Seconds without progress before a connection or download is given up (then retried)
    #[arg(long, env = ENV_TIMEOUT, value_name = "SECS", default_value_t = DEFAULT_TIMEOUT_SECS)]
    pub(crate) timeout: u64,
}

#[derive(Debug, Args, Clone, Default)]
pub(crate) struct InstallArgs {
    /// Bindings version, e.g. v1.4.0 [default: $SLIM_BINDINGS_VERSION, else the Go project's]
    #[arg(id = "bindings_version", value_name = "VERSION")]
    pub(crate) version: Option<String>,
    #[command(flatten)]
    pub(crate) platform: PlatformArgs,
    #[command(flatten)]
    pub(crate) location: LocationArgs,
    #[command(flatten)]
    pub(crate) source: SourceArgs,
    /// Install from a local release zip instead of downloading (single target)
    #[arg(long, value_name = "ZIP", conflicts_with = "all")]
    pub(crate) from_file: Option<PathBuf>,
    /// Expected sha256 of the zip (single target)
    #[arg(long, value_name = "HEX", conflicts_with = "all")]
    pub(crate) sha256: Option<String>,
    /// Fail rather than install an archive no checksum vouches for
    #[arg(long, env = ENV_REQUIRE_CHECKSUM, value_parser = clap::builder::BoolishValueParser::new(), num_args = 0, default_missing_value = "true")]
    pub(crate) require_checksum: bool,
    /// Download and install again even when installed and intact
    #[arg(long)]
    pub(crate) force: bool,
    /// Record the verified archive digests in slim-bindings.sum beside go.mod (like go.sum)
    #[arg(long)]
    pub(crate) lock: bool,
    /// Targets downloaded at once
    #[arg(long, short = 'j', value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=32))]
    pub(crate) jobs: u16,
    #[command(flatten)]
    pub(crate) output: OutputArgs,
}

#[derive(Debug, Args, Clone, Default)]
pub(crate) struct OutputArgs {
    /// Print only errors
    #[arg(long, short = 'q')]
    pub(crate) quiet: bool,
    /// No progress bar
    #[arg(long)]
    pub(crate) no_progress: bool,
    /// Print one JSON document on stdout describing the result
    #[arg(long)]
    pub(crate) json: bool,
}

/// `--libc gnu|musl` (`glibc` accepted), checked by clap, typed from then on.
impl ValueEnum for Libc {
    fn value_variants<'a>() -> &'a [Self] {
        &[Libc::Gnu, Libc::Musl]
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(match self {
            Libc::Gnu => PossibleValue::new("gnu").alias("glibc"),
            Libc::Musl => PossibleValue::new("musl"),
        })
    }
}

impl Cli {
    /// The install arguments whether or not `install` was typed.
    pub(crate) fn into_command(self) -> Command {
        self.command.unwrap_or(Command::Install(self.install))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    fn parse(args: &[&str]) -> Result<Command, clap::Error> {
        let mut full = vec!["slim-setup"];
        full.extend_from_slice(args);
        Cli::try_parse_from(full).map(Cli::into_command)
    }

    fn install(args: &[&str]) -> InstallArgs {
        match parse(args).unwrap() {
            Command::Install(a) => a,
            other => panic!("{args:?} parsed as {other:?}"),
        }
    }

    #[test]
    fn definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn bare_and_install_forms_agree() {
        for args in [&["v1.4.0", "--goos", "linux"][..], &["install", "v1.4.0", "--os", "linux"][..]] {
            let a = install(args);
            assert_eq!(a.version.as_deref(), Some("v1.4.0"));
            assert_eq!(a.platform.goos.as_deref(), Some("linux"));
        }
        let a = install(&[]);
        assert_eq!(a.version, None);
        assert_eq!(a.jobs, 4);
    }

    #[test]
    fn aliases_and_repeats() {
        let a = install(&["--arch", "arm64", "--abi", "musl"]);
        assert_eq!((a.platform.goarch.as_deref(), a.platform.libc), (Some("arm64"), Some(Libc::Musl)));
        assert_eq!(install(&["--libc", "GLIBC"]).platform.libc, Some(Libc::Gnu));
        let a = install(&["--target", "x86_64-unknown-linux-musl", "--target", "aarch64-unknown-linux-musl"]);
        assert_eq!(a.platform.targets.len(), 2);
    }

    #[test]
    fn subcommands_parse() {
        assert!(matches!(parse(&["list", "--json"]).unwrap(), Command::List(a) if a.json));
        assert!(
            matches!(parse(&["verify", "v1.4.0"]).unwrap(), Command::Verify(a) if a.version.as_deref() == Some("v1.4.0"))
        );
        assert!(
            matches!(parse(&["env", "--shell", "fish"]).unwrap(), Command::Env(a) if a.shell == ShellKind::Fish)
        );
        assert!(
            matches!(parse(&["clean", "--all", "--dry-run"]).unwrap(), Command::Clean(a) if a.all && a.dry_run)
        );
        assert!(
            matches!(parse(&["mirror", "--out", "/m"]).unwrap(), Command::Mirror(a) if a.out == std::path::Path::new("/m"))
        );
        assert!(matches!(parse(&["completions", "zsh"]).unwrap(), Command::Completions(_)));
        assert!(matches!(parse(&["install", "--lock"]).unwrap(), Command::Install(a) if a.lock));
        assert!(
            matches!(parse(&["cc", "--setup"]).unwrap(), Command::Cc(a) if a.setup && a.compiler.is_empty())
        );
        assert!(matches!(
            parse(&["cc", "zig", "cc", "-target", "x86_64-linux-musl", "-c", "x.c"]).unwrap(),
            Command::Cc(a) if !a.setup && a.compiler.len() == 6
        ));
        // clean needs a version or --all / --leftovers; mirror needs --out.
        assert_eq!(parse(&["clean"]).unwrap_err().exit_code(), 2);
        assert_eq!(parse(&["mirror"]).unwrap_err().exit_code(), 2);
    }

    /// The front reads the environment variables of these options itself:
    /// they must be the ones clap reads for install.
    #[test]
    fn the_source_options_read_the_environment_variables_the_front_reads() {
        let cmd = Cli::command();
        let install = cmd.find_subcommand("install").unwrap();
        for (id, var) in [
            ("base_url", ENV_BASE_URL),
            ("github_api_url", ENV_GITHUB_API_URL),
            ("offline", ENV_OFFLINE),
            ("timeout", ENV_TIMEOUT),
            ("require_checksum", ENV_REQUIRE_CHECKSUM),
        ] {
            let arg = install.get_arguments().find(|a| a.get_id() == id).unwrap_or_else(|| panic!("{id}"));
            assert_eq!(arg.get_env().and_then(|e| e.to_str()), Some(var), "{id}");
        }
    }

    #[test]
    fn usage_errors() {
        for args in [
            &["--libc", "uclibc"][..],
            &["--all", "--goos", "linux"][..],
            &["--target", "x", "--goarch", "arm64"][..],
            &["--jobs", "0"][..],
            &["--nope"][..],
            &["v1", "v2"][..],
        ] {
            let err = parse(args).unwrap_err();
            assert_eq!(err.exit_code(), 2, "{args:?}");
        }
    }
}
