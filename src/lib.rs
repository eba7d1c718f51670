//! slim-setup: install the prebuilt SLIM bindings static library where the Go
//! bindings' cgo directives look for it.
//!
//! Layout: `domain` holds the pure rules; `host` reads the machine and Go setup;
//! `net` talks HTTP; `extract` is the one-pass pipeline; `store` writes files
//! atomically; `ui` prints; `commands` ties them together per subcommand.

pub mod cli;
pub mod commands;
pub mod config;
pub mod domain;
pub mod error;
pub mod extract;
pub mod host;
pub mod interrupt;
pub mod net;
pub mod plan;
pub mod store;
pub mod ui;

use std::path::Path;

use cli::{Cli, Command};
use error::Result;
use host::env::Env;

/// Run a parsed command line. `main` owns printing errors and exiting.
pub fn run(cli: Cli, env: &Env, cwd: &Path) -> Result<()> {
    match cli.into_command() {
        Command::Install(args) => commands::install::run(&args, env, cwd),
        Command::List(args) => commands::list::run(&args, env, cwd),
        Command::Verify(args) => commands::verify::run(&args, env, cwd),
        Command::Env(args) => commands::env::run(&args, env, cwd),
        Command::Clean(args) => commands::clean::run(&args, env, cwd),
        Command::Mirror(args) => commands::mirror::run(&args, env, cwd),
        Command::Doctor(args) => commands::doctor::run(&args, env, cwd),
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
