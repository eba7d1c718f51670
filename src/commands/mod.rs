//! One module per subcommand; the only code that prints results.

pub mod clean;
pub mod doctor;
pub mod env;
pub mod install;
pub mod list;
pub mod mirror;
pub mod targets;
pub mod verify;
