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
mod ui;

use std::path::Path;

use cli::{Cli, Command};
pub use error::Failure;
use error::Result;
pub use host::env::Env;
pub use interrupt::install_handler;

/// `slim-setup cc ...` (and the go command's probes of CC's first word):
/// run as the C compiler front, never returning. Returns at once for any
/// other command line. `main` calls it before anything else is set up, so a
/// compiler call that links no SLIM library costs only an exec.
pub fn compiler_front() {
    commands::cc::front(&std::env::args_os().collect::<Vec<_>>());
}

/// Run a parsed command line. `main` owns printing errors and exiting.
pub fn run(cli: Cli, env: &Env, cwd: &Path) -> std::result::Result<(), Failure> {
    dispatch(cli, env, cwd).map_err(Failure::from)
}

fn dispatch(cli: Cli, env: &Env, cwd: &Path) -> Result<()> {
    match cli.into_command() {
        Command::Install(args) => commands::install::run(&args, env, cwd),
        Command::List(args) => commands::list::run(&args, env, cwd),
        Command::Verify(args) => commands::verify::run(&args, env, cwd),
        Command::Env(args) => commands::env::run(&args, env, cwd),
        Command::Clean(args) => commands::clean::run(&args, env, cwd),
        Command::Mirror(args) => commands::mirror::run(&args, env, cwd),
        Command::Doctor(args) => commands::doctor::run(&args, env, cwd),
        Command::Cc(args) => commands::cc::from_cli(&args),
        Command::Targets(args) => {
            commands::targets::run(&args, env);
            Ok(())
        }
        Command::Completions(args) => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(args.shell, &mut cmd, "slim-setup", &mut std::io::stdout());
            Ok(())
        }
        Command::Man => {
            let man = clap_mangen::Man::new(<Cli as clap::CommandFactory>::command());
            man.render(&mut std::io::stdout())
                .map_err(|e| error::Error::Other(format!("could not print the man page: {e}")))
        }
    }
}
