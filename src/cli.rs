//! The command-line definition, and nothing else: what the user typed. Turning
//! it into a plan (with the environment and the host) happens in `plan`.
//! `values` holds the value parsers that judge by slim-setup's rules, `help`
//! the texts.

mod help;
mod values;

use std::path::PathBuf;

use clap::builder::PossibleValue;
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::domain::platform::Libc;
use crate::domain::sums::Sha256;
pub(crate) use help::VERSION;
use values::{Listed, VersionWord};

/// The environment variables of the source and policy options: the `cc`
/// front, which takes no options of its own, reads the same ones.
pub(crate) const ENV_BASE_URL: &str = "SLIM_BINDINGS_BASE_URL";
pub(crate) const ENV_GITHUB_API_URL: &str = "SLIM_SETUP_GITHUB_API_URL";
pub(crate) const ENV_OFFLINE: &str = "SLIM_SETUP_OFFLINE";
pub(crate) const ENV_TIMEOUT: &str = "SLIM_SETUP_TIMEOUT";
pub(crate) const ENV_REQUIRE_CHECKSUM: &str = "SLIM_SETUP_REQUIRE_CHECKSUM";
pub(crate) const DEFAULT_TIMEOUT_SECS: u64 = 30;
pub(crate) const ENV_MIN_RATE: &str = "SLIM_SETUP_MIN_RATE";
pub(crate) const DEFAULT_MIN_RATE: u64 = 1024;
pub(crate) const ENV_RETRIES: &str = "SLIM_SETUP_RETRIES";
pub(crate) const DEFAULT_RETRIES: u32 = 4;
pub(crate) const ENV_CONNECTIONS: &str = "SLIM_SETUP_CONNECTIONS";
pub(crate) const DEFAULT_CONNECTIONS: u32 = 8;
pub(crate) const ENV_MAX_DOWNLOAD: &str = "SLIM_SETUP_MAX_DOWNLOAD";

#[derive(Debug, Parser)]
#[command(
    name = "slim-setup",
    version = VERSION,
    about = "Install the prebuilt SLIM bindings static library where the Go bindings' cgo directives look for it",
    after_help = help::INSTALL,
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub(crate) command: Option<Command>,
    /// `slim-setup` with no subcommand means `slim-setup install`.
    #[command(flatten)]
    pub(crate) install: InstallArgs,
    /// Colour for ok/warning/error/hint: auto (a terminal, unless NO_COLOR), always, never
    #[arg(long, global = true, value_name = "WHEN", default_value = "auto")]
    pub(crate) color: ColorWhen,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ColorWhen {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Download, verify and install the library (the default command)
    #[command(after_help = help::INSTALL)]
    Install(InstallArgs),
    /// List installed libraries: version, target, size, sha256, source, install time
    #[command(
        after_help = help::LIST,
        mut_arg("gopath", help::gopath("GOPATH whose cache folders are searched")),
        mut_arg("cache_dir", help::cache_dir("Look only in this folder (where an install with --cache-dir put libraries)"))
    )]
    List(ListArgs),
    /// Re-hash installed libraries against their manifests; exit 1 naming damaged or missing ones
    #[command(
        after_help = help::VERIFY,
        mut_arg("gopath", help::gopath("GOPATH whose cache folders are searched")),
        mut_arg("cache_dir", help::cache_dir("Verify only the libraries in this folder (an install with --cache-dir)"))
    )]
    Verify(VerifyArgs),
    /// Print CGO_ENABLED and a CGO_LDFLAGS that links the installed library from wherever it is
    #[command(
        after_help = help::ENV,
        mut_arg("gopath", help::gopath("GOPATH under which the library is looked for, where install puts it")),
        mut_arg("cache_dir", help::cache_dir("The folder an install with --cache-dir used: CGO_LDFLAGS links from there"))
    )]
    Env(EnvArgs),
    /// Remove installed versions and leftovers (temp files, stale locks)
    #[command(
        after_help = help::CLEAN,
        mut_arg("gopath", help::gopath("GOPATH whose cache folders (and module cache) are cleaned")),
        mut_arg("cache_dir", help::cache_dir("Remove from this folder only (an install with --cache-dir)"))
    )]
    Clean(CleanArgs),
    /// Fetch and verify archives into a folder laid out like a release, with SHA256SUMS
    #[command(after_help = help::MIRROR)]
    Mirror(MirrorArgs),
    /// Check the whole chain (go, cgo, C compiler, go.mod, library) and say what to fix
    #[command(
        after_help = help::DOCTOR,
        mut_arg("gopath", help::gopath("GOPATH under which the library is looked for, where install puts it")),
        mut_arg("cache_dir", help::cache_dir("Check the library in this folder instead (an install with --cache-dir)"))
    )]
    Doctor(DoctorArgs),
    /// The target table: GOOS/GOARCH/libc -> triple -> library name
    #[command(after_help = help::TARGETS)]
    Targets(TargetsArgs),
    /// Run a C compiler, first installing the SLIM library its link asks for (set CC to it)
    #[command(after_help = help::CC)]
    Cc(CcArgs),
    /// Print a shell completion script
    #[command(after_help = help::COMPLETIONS)]
    Completions(CompletionsArgs),
    /// Print the man page (roff)
    #[command(after_help = help::MAN)]
    Man,
    /// Print the version, the commit and the target it was built for (as --version)
    Version,
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
    #[arg(id = "bindings_version", value_name = "VERSION", value_parser = VersionWord)]
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
    #[arg(id = "bindings_version", value_name = "VERSION", value_parser = VersionWord)]
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
    #[arg(id = "bindings_version", value_name = "VERSION", value_parser = VersionWord, required_unless_present_any = ["all", "leftovers"])]
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
    #[arg(id = "bindings_version", value_name = "VERSION", value_parser = VersionWord)]
    pub(crate) version: Option<String>,
    /// A Rust target triple; repeat for several [default: all published targets]
    #[arg(long = "target", value_name = "TRIPLE", value_parser = Listed::triple())]
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
    /// Print JSON
    #[arg(long)]
    pub(crate) json: bool,
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
    #[arg(long, visible_alias = "os", value_name = "GOOS", value_parser = Listed::goos())]
    pub(crate) goos: Option<String>,
    /// Target GOARCH [default: `go env GOARCH`, else $GOARCH, else the host's]
    #[arg(long, visible_alias = "arch", value_name = "GOARCH", value_parser = Listed::goarch())]
    pub(crate) goarch: Option<String>,
    /// C library for linux targets [default: the one cgo's C compiler uses on the host, else gnu]
    #[arg(long, visible_alias = "abi", value_name = "gnu|musl", value_enum, ignore_case = true)]
    pub(crate) libc: Option<Libc>,
    /// A Rust target triple; repeat for several
    #[arg(long = "target", value_name = "TRIPLE", value_parser = Listed::triple(), conflicts_with_all = ["goos", "goarch", "libc", "all"])]
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
    /// Bytes a second below which a download counts as stalled over a whole --timeout (0: no minimum)
    #[arg(long, env = ENV_MIN_RATE, value_name = "BYTES", default_value_t = DEFAULT_MIN_RATE)]
    pub(crate) min_rate: u64,
    /// Connections for one large archive when the server honours Range
    /// (added only while they raise the rate; 1: one stream)
    #[arg(long, env = ENV_CONNECTIONS, value_name = "N", default_value_t = DEFAULT_CONNECTIONS,
          value_parser = clap::value_parser!(u32).range(1..=32))]
    pub(crate) connections: u32,
    /// Retries of a failed request or download before giving up
    #[arg(long, env = ENV_RETRIES, value_name = "N", default_value_t = DEFAULT_RETRIES)]
    pub(crate) retries: u32,
    /// The most bytes one archive may be, announced or not [default: 4 GiB]
    #[arg(long, env = ENV_MAX_DOWNLOAD, value_name = "BYTES")]
    pub(crate) max_download: Option<u64>,
}

#[derive(Debug, Args, Clone, Default)]
pub(crate) struct InstallArgs {
    /// Bindings version, e.g. v1.4.0 [default: $SLIM_BINDINGS_VERSION, else the Go project's]
    #[arg(id = "bindings_version", value_name = "VERSION", value_parser = VersionWord)]
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
    #[arg(long, value_name = "HEX", value_parser = values::sha256, conflicts_with = "all")]
    pub(crate) sha256: Option<Sha256>,
    /// Fail rather than install an archive no checksum vouches for
    #[arg(long, env = ENV_REQUIRE_CHECKSUM, value_parser = clap::builder::BoolishValueParser::new(), num_args = 0, default_missing_value = "true")]
    pub(crate) require_checksum: bool,
    /// Download and install again even when installed and intact
    #[arg(long)]
    pub(crate) force: bool,
    /// Record the verified archive digests in slim-bindings.sum beside go.mod (like go.sum)
    #[arg(long)]
    pub(crate) lock: bool,
    /// Print what would be installed, from where, where to, and what would
    /// verify it, writing nothing and downloading nothing but metadata
    #[arg(long)]
    pub(crate) dry_run: bool,
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
    #[arg(long, conflicts_with = "progress")]
    pub(crate) no_progress: bool,
    /// Progress bars on a terminal even with --json or --quiet
    #[arg(long)]
    pub(crate) progress: bool,
    /// Print one JSON document on stdout describing the result
    #[arg(long)]
    pub(crate) json: bool,
    /// Also show each HTTP request, the checksum source, the folder decision
    /// and timings per phase (-vv: more); never a credential
    #[arg(long, short = 'v', action = clap::ArgAction::Count)]
    pub(crate) verbose: u8,
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
    /// Parse `args`, reporting the first mistake on the line. clap checks a
    /// VERSION only once the word after it is read, and drops that check's
    /// error when the word is a mistake too: `slim-setup instal v1.4.0` said
    /// "the subcommand 'v1.4.0' cannot be used with '[VERSION]'". So a line
    /// refused for a stray word is parsed again without it, and a bad value
    /// found then, before it, is what is reported.
    pub fn parse_args(args: Vec<std::ffi::OsString>) -> Result<Cli, clap::Error> {
        use clap::error::{ContextKind, ContextValue, ErrorKind};
        let err = match Cli::try_parse_from(&args) {
            Ok(cli) => return Ok(cli),
            Err(e) => e,
        };
        let stray = match err.kind() {
            ErrorKind::ArgumentConflict => err.get(ContextKind::InvalidSubcommand),
            ErrorKind::UnknownArgument => err.get(ContextKind::InvalidArg),
            _ => None,
        };
        let Some(ContextValue::String(stray)) = stray else { return Err(err) };
        let Some(at) = args.iter().rposition(|a| a == stray.as_str()) else { return Err(err) };
        let is_version = |a: &std::ffi::OsString| {
            a.to_str().is_some_and(|t| crate::domain::version::Version::parse(t).is_ok())
        };
        if is_version(&args[at]) && args[..at].iter().any(is_version) {
            use clap::CommandFactory;
            let message = format!(
                "one version at a time: '{stray}' follows another VERSION; run slim-setup once for each"
            );
            return Err(Cli::command().error(ErrorKind::ArgumentConflict, message));
        }
        let fewer = args.iter().enumerate().filter(|(i, _)| *i != at).map(|(_, a)| a);
        match Cli::try_parse_from(fewer) {
            Err(earlier)
                if matches!(earlier.kind(), ErrorKind::InvalidValue | ErrorKind::ValueValidation) =>
            {
                Err(earlier)
            }
            _ => Err(err),
        }
    }

    /// The install arguments whether or not `install` was typed.
    pub(crate) fn into_command(self) -> Command {
        self.command.unwrap_or(Command::Install(self.install))
    }
}

impl Command {
    /// The name in `--json` documents (`"command"`).
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Command::Install(_) => "install",
            Command::List(_) => "list",
            Command::Verify(_) => "verify",
            Command::Env(_) => "env",
            Command::Clean(_) => "clean",
            Command::Mirror(_) => "mirror",
            Command::Doctor(_) => "doctor",
            Command::Targets(_) => "targets",
            Command::Completions(_) => "completions",
            Command::Man => "man",
            Command::Version => "version",
            Command::Cc(_) => "cc",
        }
    }

    /// Whether the command was asked for one JSON document on stdout.
    pub(crate) fn json(&self) -> bool {
        match self {
            Command::Install(a) => a.output.json,
            Command::Mirror(a) => a.output.json,
            Command::List(a) => a.json,
            Command::Verify(a) => a.json,
            Command::Doctor(a) => a.json,
            Command::Targets(a) => a.json,
            Command::Env(_)
            | Command::Clean(_)
            | Command::Completions(_)
            | Command::Man
            | Command::Version
            | Command::Cc(_) => false,
        }
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
        assert!(matches!(parse(&["version"]).unwrap(), Command::Version));
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
    fn the_first_mistake_is_reported() {
        let parse = |args: &[&str]| {
            let full = std::iter::once("slim-setup").chain(args.iter().copied()).map(Into::into).collect();
            Cli::parse_args(full).map(Cli::into_command)
        };
        for (args, said) in [
            (&["instal", "v1.4.0"][..], "unknown command 'instal'"),
            (&["install", "instal", "v1.4.0"][..], "'instal' is not a version"),
            (&["v1.4", "--goos", "linux", "extra"][..], "did you mean v1.4.0?"),
            (&["v1.4.0", "v1.2.0"][..], "one version at a time: 'v1.2.0' follows another VERSION"),
            (&["install", "v1.4.0", "v1.2.0"][..], "one version at a time"),
            (&["install", "v1.4.0", "extra"][..], "unexpected argument 'extra'"),
        ] {
            let err = parse(args).unwrap_err();
            assert!(err.to_string().contains(said), "{args:?}: {err}");
            assert_eq!(err.exit_code(), 2);
        }
        assert!(matches!(parse(&["v1.4.0"]).unwrap(), Command::Install(_)));
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
            &["instal"][..],
            &["latest"][..],
            &["verify", "v1.4"][..],
            &["--target", "x86_64-pc-windows-msvc"][..],
            &["--sha256", "xyz"][..],
        ] {
            let err = parse(args).unwrap_err();
            assert_eq!(err.exit_code(), 2, "{args:?}");
        }
    }
}
