use clap::Parser;

fn main() {
    slim_setup::install_handler();
    let cli = slim_setup::cli::Cli::parse();
    let env = slim_setup::Env::from_process();
    let cwd = std::env::current_dir().unwrap_or_else(|_| ".".into());
    let result = slim_setup::run(cli, &env, &cwd);
    slim_setup::remove_temporaries();
    if let Err(e) = result {
        if e.is_quiet() {
            std::process::exit(0);
        }
        let code = e.exit_code();
        slim_setup::print_failure(e);
        std::process::exit(code);
    }
}
