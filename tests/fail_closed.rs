//! Fail closed (issue 11): verification that never switches itself off,
//! credentials that go only where they belong, hostile archives and servers
//! refused, installs never half-changed, and small inputs that used to crash
//! or mislead. Each test asserts the exit code, the message, that the
//! previous library is byte-identical, that nothing is left behind, and,
//! where a credential is involved, that no byte of it reached the server
//! log, the output, the manifest or `list`. docs/faults.md has the rows.
#![cfg(unix)]

mod support;

mod fail_closed {
    pub mod archives;
    pub mod checksums;
    pub mod consistency;
    pub mod credentials;
    pub mod inputs;
    pub mod space;
}

use std::process::Command;

use support::case::{Case, GNU, gnu_lib};
use support::disk::assert_installed;
use support::run::Run;

fn run(mut cmd: Command) -> Run {
    Run::of(&mut cmd)
}

/// A case whose gnu library is installed (verified), for a second run
/// that must leave it as it is.
fn installed() -> Case {
    let c = Case::published();
    run(c.install(GNU)).ok();
    c
}

/// `cmd` with `--force`, refused: exit 1, one error line naming every
/// needle, the previous library byte-identical with its manifest, nothing
/// temporary and no lock left.
fn refused(c: &Case, mut cmd: Command, needles: &[&str]) -> Run {
    cmd.arg("--force");
    let r = run(cmd).fails(1);
    r.error(needles);
    assert_installed(&c.lib(), gnu_lib(), &r);
    no_locks(c, &r);
    r
}

fn no_locks(c: &Case, r: &Run) {
    let locks: Vec<String> =
        support::files_under(&c.home).into_iter().filter(|f| f.ends_with(".lock")).collect();
    assert!(locks.is_empty(), "locks left: {locks:?}\n{r}");
}
