//! Facts about the machine and the user's Go setup, read and never written:
//! the environment snapshot, the host platform and libc, the go command's
//! answers (bounded in time, read-only), the project's bindings version, the
//! target of the `cc` front's compiler (cached per compiler),
//! the module's cgo files, and paths as the kernel resolves them. `facts`
//! gathers what a command needs in one place, before any decision.

pub(crate) mod cctarget;
pub(crate) mod detect;
pub(crate) mod env;
pub(crate) mod facts;
pub(crate) mod gocmd;
pub(crate) mod goenv;
pub(crate) mod modcache;
pub(crate) mod paths;
pub(crate) mod project;
