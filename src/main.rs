use clap::error::ErrorKind;

fn main() {
    slim_setup::install_handler();
    let cli = match slim_setup::cli::Cli::parse_args(std::env::args_os().collect()) {
        Ok(cli) => cli,
        // Help and --version go to stdout with exit 0; help for a missing
        // subcommand is help too, whole.
        Err(e) if !e.use_stderr() || e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            e.exit()
        }
        Err(e) => fail(slim_setup::Failure::usage(&e)),
    };
    let env = slim_setup::Env::from_process();
    let cwd = std::env::current_dir().unwrap_or_else(|_| ".".into());
    if let Err(e) = slim_setup::run(cli, &env, &cwd) {
        fail(e);
    }
}

fn fail(e: slim_setup::Failure) -> ! {
    if e.is_quiet() {
        std::process::exit(0);
    }
    let (code, hint) = (e.exit_code(), e.hint());
    // The library's typed error, printed with its chain of causes once.
    eprintln!("error: {:#}", anyhow::Error::new(e));
    if let Some(hint) = hint {
        eprintln!("hint: {hint}");
    }
    std::process::exit(code);
}
