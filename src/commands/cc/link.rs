//! A compiler call that links the SLIM library: plan it as `slim-setup
//! install` would (the same pipeline, lock, checksum policy, pins and
//! environment), install it when it is missing or damaged, and hand back the
//! arguments to run, with the `-l` a musl compiler needs.
//!
//! The go command runs the C compiler for the `_cgo_.o` link of each cgo
//! package as a check for internal linking: it tolerates its failure and
//! discards its output. That call never installs (the final link, whose
//! output Go prints, does), so the one line the front says is seen.
//! Both links run in the folder `go build` was started in, so the project's
//! slim-bindings.sum is found from the current folder upward, as for install.

use std::ffi::OsString;
use std::path::Path;

use crate::domain::ccargs::{self, LinkLine};
use crate::domain::platform::{Libc, Target};
use crate::error::Result;
use crate::host::cctarget;
use crate::host::env::Env;
use crate::host::facts::{Ask, HostFacts};
use crate::pipeline::install::install_all;
use crate::plan::{self, CcDecision};
use crate::ui::{progress, report};

pub(super) fn prepare(argv: Vec<OsString>) -> Result<Vec<OsString>> {
    let Some(args) = argv.iter().map(|a| a.to_str().map(str::to_string)).collect::<Option<Vec<String>>>()
    else {
        eprintln!("slim-setup: the link line is not valid UTF-8; linking it as written");
        return Ok(argv);
    };
    // From here on temporary files may exist: Ctrl-C must remove them.
    crate::interrupt::install_handler();
    let env = Env::from_process();
    let cwd = std::env::current_dir().unwrap_or_else(|_| ".".into());
    let line = LinkLine::parse(&args);
    let check = line.is_cgo_check();
    let decided = decide(&line, &args, &env, &cwd);
    let plan = match decided {
        Ok(CcDecision::Install(plan)) => plan,
        // Go discards this call's output and tolerates its failure: the
        // final link says what is wrong.
        _ if check => return Ok(argv),
        Err(e) => return Err(e),
        Ok(CcDecision::AsIs { why }) => {
            if !in_lib_dirs(&line) {
                eprintln!("slim-setup: {why}; linking as written");
            }
            return Ok(argv);
        }
    };
    if !check {
        let ui = progress::reporter(progress::Display { quiet: true, ..progress::Display::default() });
        let outcome = install_all(&plan.install, &*ui).remove(0)?;
        if let Some(text) = report::front_line(&outcome) {
            eprintln!("{text}");
        }
    }
    Ok(if plan.rewritten { ccargs::rewrite(&argv, &line, &plan.link_name) } else { argv })
}

fn decide(line: &LinkLine, args: &[String], env: &Env, cwd: &Path) -> Result<CcDecision> {
    // Only a linux `_gnu` name can mean either libc; ask the compiler then.
    let asked = line.link_name().ok().flatten().and_then(Target::from_lib_stem);
    let libc = asked
        .filter(|t| t.goos == "linux" && t.libc == Some(Libc::Gnu))
        .and_then(|_| cctarget::compiler_libc(args, env));
    let facts = HostFacts::gather(&Ask::cc_front(), env, cwd)?;
    plan::cc_plan(line, libc.as_ref(), env, &facts)
}

/// Whether the library the line asks for is already in one of its `-L` folders.
fn in_lib_dirs(line: &LinkLine) -> bool {
    let Ok(Some(name)) = line.link_name() else { return false };
    line.lib_dirs.iter().any(|d| Path::new(d).join(format!("lib{name}.a")).is_file())
}
