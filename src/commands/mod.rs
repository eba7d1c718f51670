//! One module per subcommand; the only code that prints results.

pub mod install;
