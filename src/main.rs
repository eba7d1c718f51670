use clap::Parser;

fn main() {
    slim_setup::interrupt::install_handler();
    let cli = slim_setup::cli::Cli::parse();
    let env = slim_setup::host::env::Env::from_process();
    let cwd = std::env::current_dir().unwrap_or_else(|_| ".".into());
    if let Err(e) = slim_setup::run(cli, &env, &cwd) {
        eprintln!("error: {e}");
        if let Some(hint) = e.hint() {
            eprintln!("hint: {hint}");
        }
        std::process::exit(e.exit_code());
    }
}
