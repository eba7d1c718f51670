//! `slim-setup cc --setup [REAL_CC...]`: make the front the C compiler of
//! every `go build`, with `go env -w CC="<this slim-setup> cc <REAL_CC>"`.
//! REAL_CC defaults to the compiler go uses now (`go env CC`). The front is
//! never wrapped around itself.

use std::ffi::OsString;

use crate::domain::ccargs::front_compiler;
use crate::domain::cgo::join_fields;
use crate::error::{Error, Result};
use crate::host::env::Env;
use crate::host::gocmd::GoRunner;

pub(super) fn run(real: &[OsString]) -> Result<()> {
    let env = Env::from_process();
    let cwd = std::env::current_dir().unwrap_or_else(|_| ".".into());
    let go = GoRunner::new(&cwd, None, false, &env);
    let real: Vec<String> = real.iter().map(|w| w.to_string_lossy().into_owned()).collect();
    let current = if real.is_empty() {
        let out = go.output(&["env", "CC"])?;
        let cc = String::from_utf8_lossy(&out).trim().to_string();
        if cc.is_empty() { "gcc".to_string() } else { cc }
    } else {
        join_fields(&real).ok_or_else(|| unsayable(&real.join(" ")))?
    };
    if front_compiler(&current).is_some() {
        if !real.is_empty() {
            return Err(Error::Usage(format!(
                "'{current}' is the slim-setup front itself; name the C compiler it should run"
            )));
        }
        println!("CC is already the slim-setup C compiler front: {current}");
        println!("nothing changed (undo it with: go env -u CC)");
        return Ok(());
    }
    let exe = std::env::current_exe()
        .map_err(|e| Error::Other(format!("cannot tell where this slim-setup is: {e}")))?;
    let exe = exe.display().to_string();
    let value =
        format!("{} cc {current}", join_fields(std::slice::from_ref(&exe)).ok_or_else(|| unsayable(&exe))?);
    go.output(&["env", "-w", &format!("CC={value}")])?;
    println!("set CC={value} (go env -w)");
    println!(
        "go build now installs the SLIM library its link needs, for every version; undo it with: go env -u CC"
    );
    if let Some(cc) = env.get("CC") {
        println!(
            "note: CC={cc} is set in this environment and overrides go env -w; unset it, or set CC=\"{value}\" there"
        );
    }
    Ok(())
}

/// A word go's CC quoting cannot carry (a line break, or both quote kinds).
fn unsayable(what: &str) -> Error {
    Error::Usage(format!(
        "{what:?} cannot be written into go's CC (its quoting has no escapes for a line break, or for both quote characters)"
    ))
}
