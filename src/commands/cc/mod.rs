//! `slim-setup cc [--] REAL_CC [ARGS...]`: the C compiler front. Set as CC,
//! it runs REAL_CC with the arguments go passes, after making sure any SLIM
//! library the link asks for (`-lslim_bindings_*`) is installed (`link`).
//! `slim-setup cc --setup` writes that CC setting with `go env -w` (`setup`).
//!
//! The fast path comes first and stays cheap: a call that names no SLIM
//! library (every compile, every probe) is exec'd straight away, before any
//! argument parser, signal handler or environment snapshot exists. The go
//! command and its linker also run a few probes with only the first word of
//! CC (cmd/go's compiler ID, cmd/link's flag checks); those are recognised
//! by their shape and run with the compiler CC names after `cc`.

mod link;
mod setup;

use std::ffi::OsString;
use std::process::Command;

use crate::domain::ccargs;
use crate::error::{Error, GoError};

/// What the words after `cc` ask for.
enum Call {
    /// REAL_CC and its arguments.
    Run(Vec<OsString>),
    Setup(Vec<OsString>),
    Help,
    Usage(String),
}

/// Handle a compiler call, never returning; return at once for any other
/// command line.
pub(crate) fn front(args: &[OsString]) {
    let call = match args.get(1) {
        Some(a) if a == "cc" => words_after_cc(&args[2..]),
        Some(_) => match probe(&args[1..]) {
            Some(argv) => Call::Run(argv),
            None => return,
        },
        None => return,
    };
    match call {
        Call::Run(argv) => run(argv),
        Call::Setup(real) => {
            let code = setup::run(&real).map_or_else(|e| report(&e), |()| 0);
            std::process::exit(code)
        }
        Call::Help => {
            use clap::Parser;
            match crate::cli::Cli::try_parse_from(["slim-setup", "cc", "--help"]) {
                Err(e) => e.exit(),
                Ok(_) => std::process::exit(0),
            }
        }
        Call::Usage(msg) => std::process::exit(report(&Error::Usage(msg))),
    }
}

/// The front as clap parsed it (`slim_setup::run` with a `cc` command line).
pub(crate) fn from_cli(args: &crate::cli::CcArgs) -> ! {
    let mut argv: Vec<OsString> = vec!["slim-setup".into(), "cc".into()];
    if args.setup {
        argv.push("--setup".into());
    }
    argv.extend(args.compiler.iter().map(OsString::from));
    front(&argv);
    unreachable!("front returns only for command lines that are not `cc`")
}

fn words_after_cc(rest: &[OsString]) -> Call {
    let (first, tail) = match rest.split_first() {
        Some((f, t)) if f == "--" => match t.split_first() {
            Some((f, t)) => (f, t),
            None => return Call::Usage(missing()),
        },
        Some(split) => split,
        None => return Call::Usage(missing()),
    };
    let text = first.to_string_lossy();
    match text.as_ref() {
        "--setup" => Call::Setup(tail.to_vec()),
        "-h" | "--help" => Call::Help,
        t if t.starts_with('-') => Call::Usage(format!("'{t}' is not a C compiler: {}", missing())),
        _ => Call::Run(std::iter::once(first.clone()).chain(tail.iter().cloned()).collect()),
    }
}

fn missing() -> String {
    "no C compiler to run: slim-setup cc REAL_CC [ARGS...] (set it once with: go env -w CC=\"slim-setup cc gcc\")".into()
}

/// A probe of CC's first word: the same arguments, given to the compiler
/// that CC (CXX for C++) names after `cc`.
fn probe(args: &[OsString]) -> Option<Vec<OsString>> {
    let lang = ccargs::go_probe(args)?;
    let var = if lang.starts_with("c++") { "CXX" } else { "CC" };
    let real = ccargs::front_compiler(&std::env::var(var).ok()?)?;
    Some(real.into_iter().map(OsString::from).chain(args.iter().cloned()).collect())
}

fn run(argv: Vec<OsString>) -> ! {
    if !ccargs::asks_for_library(&argv[1..]) {
        exec(&argv);
    }
    match link::prepare(argv) {
        Ok(argv) => exec(&argv),
        Err(e) => std::process::exit(report(&e)),
    }
}

/// Become the compiler (Unix), or run it and pass on its exit code.
fn exec(argv: &[OsString]) -> ! {
    let mut cmd = Command::new(&argv[0]);
    cmd.args(&argv[1..]);
    #[cfg(unix)]
    let err = std::os::unix::process::CommandExt::exec(&mut cmd);
    #[cfg(not(unix))]
    let err = match cmd.status() {
        Ok(status) => std::process::exit(status.code().unwrap_or(1)),
        Err(e) => e,
    };
    let e = Error::Other(format!("could not run the C compiler '{}': {err}", argv[0].to_string_lossy()));
    eprintln!("error: slim-setup cc: {}", e.message());
    eprintln!("hint: check CC (go env CC): slim-setup cc REAL_CC, with REAL_CC a C compiler on PATH");
    std::process::exit(1)
}

/// The usual error and hint, said to be the front's, and the exit code.
fn report(e: &Error) -> i32 {
    eprintln!("error: slim-setup cc: {}", e.message());
    let hint = match e {
        // The front takes no flags: say what to set instead.
        Error::Offline(_) => Some(
            "unset SLIM_SETUP_OFFLINE, point SLIM_BINDINGS_BASE_URL at a local mirror folder, or run slim-setup install once while online"
                .into(),
        ),
        Error::Go(GoError::Missing) => Some("put go on PATH, or set CC in the environment yourself".into()),
        _ => e.hint(),
    };
    if let Some(hint) = hint {
        eprintln!("hint: {hint}");
    }
    e.exit_code()
}
