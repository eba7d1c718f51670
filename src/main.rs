use clap::error::ErrorKind;

fn main() {
    // A C compiler call (`slim-setup cc gcc ...`) never comes back from here.
    slim_setup::compiler_front();
    slim_setup::install_handler();
    let cli = match slim_setup::cli::Cli::parse_args(std::env::args_os().collect()) {
        Ok(cli) => cli,
        // Help and --version go to stdout with exit 0; help for a missing
        // subcommand is help too, whole.
        Err(e) if !e.use_stderr() || e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            e.exit()
        }
        Err(e) => {
            let failure = slim_setup::Failure::usage(&e);
            // A script that asked for --json gets its document, usage errors too.
            slim_setup::usage_document(&std::env::args_os().collect::<Vec<_>>(), &failure);
            fail(failure)
        }
    };
    let env = slim_setup::Env::from_process();
    let cwd = std::env::current_dir().unwrap_or_else(|_| ".".into());
    let result = slim_setup::run(cli, &env, &cwd);
    slim_setup::remove_temporaries();
    if let Err(e) = result {
        fail(e);
    }
}

fn fail(e: slim_setup::Failure) -> ! {
    if e.is_quiet() {
        std::process::exit(0);
    }
    let code = e.exit_code();
    slim_setup::print_failure(e);
    std::process::exit(code);
}
