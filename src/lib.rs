//! slim-setup: install the prebuilt SLIM bindings static library where the Go
//! bindings' cgo directives look for it.
//!
//! The layers, top down: `commands` (one per subcommand, the only code that
//! prints results) over `plan` (pure decisions from what was typed, the
//! environment, and the `host` facts gathered once) and `pipeline` (one
//! archive's flow: locate, stream, verify, commit), which drives `net`
//! (HTTP), `extract` (the one-pass zip -> library stream) and `store` (atomic
//! files, locks, manifests). `domain` holds the pure rules everything uses;
//! `ui` renders; `progress` is the observer interface between them.
//! `compiler_front` is the one entry that runs before all of that: the C
//! compiler front (`slim-setup cc`), whose common case is a bare exec.

pub mod cli;
mod commands;
mod domain;
pub mod error;
mod extract;
mod host;
mod interrupt;
mod net;
mod pipeline;
mod plan;
mod progress;
mod store;
#[cfg(test)]
mod testzip;
mod ui;

use std::path::Path;

use cli::{Cli, Command};
pub use error::Failure;
use error::Result;
pub use host::env::Env;
pub use interrupt::{install_handler, remove_temporaries};

/// `slim-setup cc ...` (and the go command's probes of CC's first word):
/// run as the C compiler front, never returning. Returns at once for any
/// other command line. `main` calls it before anything else is set up, so a
/// compiler call that links no SLIM library costs only an exec.
pub fn compiler_front() {
    commands::cc::front(&std::env::args_os().collect::<Vec<_>>());
}

/// Run a parsed command line. `main` owns printing errors and exiting.
pub fn run(cli: Cli, env: &Env, cwd: &Path) -> std::result::Result<(), Failure> {
    ui::style::init(match cli.color {
        cli::ColorWhen::Auto => anstream::ColorChoice::Auto,
        cli::ColorWhen::Always => anstream::ColorChoice::Always,
        cli::ColorWhen::Never => anstream::ColorChoice::Never,
    });
    let command = cli.into_command();
    let (name, json) = (command.name(), command.json());
    dispatch(command, env, cwd).map_err(|e| {
        // A script reading stdout gets a document whatever happened.
        if json {
            let _ = ui::json::emit_failure(name, &e);
        }
        Failure::from(e)
    })
}

/// The failure as `main` prints it on stderr: one `error:` line with its
/// causes, and a `hint:` line when there is something to try.
pub fn print_failure(e: Failure) {
    let hint = e.hint();
    // The typed error with its chain of causes, once (anyhow's `{:#}`).
    eprintln!("{}: {:#}", ui::style::err("error"), anyhow::Error::new(e));
    if let Some(hint) = hint {
        eprintln!("{}: {hint}", ui::style::err("hint"));
    }
}

/// A usage error on a command line that asked for `--json`: its document
/// (the command is the first word naming one, else `install`).
pub fn usage_document(args: &[std::ffi::OsString], e: &Failure) {
    if !args.iter().any(|a| a == "--json") {
        return;
    }
    // The commands that take --json, as the command line declares them.
    use clap::CommandFactory;
    let cli = cli::Cli::command();
    let takes_json = |name: &std::ffi::OsString| {
        cli.get_subcommands()
            .find(|c| name == c.get_name())
            .filter(|c| c.get_arguments().any(|a| a.get_id() == "json"))
    };
    let name = args.iter().skip(1).find_map(takes_json).map_or("install", |c| c.get_name());
    let _ = ui::json::emit_failure(name, e.inner());
}

fn dispatch(command: Command, env: &Env, cwd: &Path) -> Result<()> {
    env.check_text()?;
    match command {
        Command::Install(args) => commands::install::run(&args, env, cwd),
        Command::List(args) => commands::list::run(&args, env, cwd),
        Command::Verify(args) => commands::verify::run(&args, env, cwd),
        Command::Env(args) => commands::env::run(&args, env, cwd),
        Command::Clean(args) => commands::clean::run(&args, env, cwd),
        Command::Mirror(args) => commands::mirror::run(&args, env, cwd),
        Command::Doctor(args) => commands::doctor::run(&args, env, cwd),
        Command::Cc(args) => commands::cc::from_cli(&args),
        Command::Targets(args) => commands::targets::run(&args, env),
        Command::Completions(args) => commands::completions::run(&args),
        Command::Version => ui::out::outln!("slim-setup {}", cli::VERSION),
        Command::Man => commands::man::run(),
    }
}
