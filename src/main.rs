use clap::Parser;

fn main() {
    // A C compiler call (`slim-setup cc gcc ...`) never comes back from here.
    slim_setup::compiler_front();
    slim_setup::install_handler();
    let cli = slim_setup::cli::Cli::parse();
    let env = slim_setup::Env::from_process();
    let cwd = std::env::current_dir().unwrap_or_else(|_| ".".into());
    if let Err(e) = slim_setup::run(cli, &env, &cwd) {
        let (code, hint) = (e.exit_code(), e.hint());
        // The library's typed error, printed with its chain of causes once.
        eprintln!("error: {:#}", anyhow::Error::new(e));
        if let Some(hint) = hint {
            eprintln!("hint: {hint}");
        }
        std::process::exit(code);
    }
}
