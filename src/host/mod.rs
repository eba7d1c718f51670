//! Facts about the machine and the user's Go setup: environment snapshot, host
//! platform and libc, go env paths, the project's bindings version, and the cgo
//! directives of a module in the module cache. Reads only; never writes.

pub mod detect;
pub mod env;
pub mod gocmd;
pub mod goenv;
pub mod modcache;
pub mod paths;
pub mod project;
