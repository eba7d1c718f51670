//! The C library the `cc` front's compiler targets: its `-target` argument
//! (zig cc, clang), else what `REAL_CC -dumpmachine` says, asked once per
//! compiler. The answer is cached in the user's cache folder
//! (`slim-setup/cc-targets/`), keyed by the compiler command, the file it
//! runs and that file's size and mtime, so a compiler upgrade asks again and
//! the links of one `go build` do not each start a compiler first. Entries
//! are written whole (temporary file and rename), so parallel links never
//! read half of one; a cache that cannot be written costs only the question.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::UNIX_EPOCH;

use sha2::{Digest, Sha256};

use super::detect::{LibcChoice, libc_of_target};
use super::env::Env;
use crate::domain::ccargs::{compiler_words, target_arg};
use crate::store::atomic;

/// `args` are the compiler and its arguments, as the front runs them.
pub(crate) fn compiler_libc(args: &[String], env: &Env) -> Option<LibcChoice> {
    if let Some(t) = target_arg(args) {
        let libc = libc_of_target(t)?;
        return Some(LibcChoice { libc, why: format!("-target {t}") });
    }
    let words = compiler_words(args);
    let machine = machine(words, env)?;
    let libc = libc_of_target(&machine)?;
    Some(LibcChoice { libc, why: format!("{} -dumpmachine: {machine}", words.join(" ")) })
}

fn machine(words: &[String], env: &Env) -> Option<String> {
    let entry = cache_entry(words, env);
    if let Some(path) = &entry
        && let Ok(text) = std::fs::read_to_string(path)
        && let Some(line) = text.lines().next().filter(|l| !l.is_empty())
    {
        return Some(line.to_string());
    }
    let (program, rest) = words.split_first()?;
    let out = Command::new(program)
        .args(rest)
        .arg("-dumpmachine")
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    let machine = String::from_utf8_lossy(&out.stdout).trim().to_string();
    if !out.status.success() || machine.is_empty() || machine.contains(char::is_whitespace) {
        return None;
    }
    if let Some(path) = entry
        && let Some(dir) = path.parent()
        && std::fs::create_dir_all(dir).is_ok()
    {
        let _ = atomic::write(&path, format!("{machine}\n").as_bytes());
    }
    Some(machine)
}

/// The cache file for this compiler; `None` when its program cannot be
/// found (then it is asked every time) or there is no cache folder.
fn cache_entry(words: &[String], env: &Env) -> Option<PathBuf> {
    let program = find_program(words.first()?, env)?;
    let real = std::fs::canonicalize(&program).ok()?;
    let meta = std::fs::metadata(&real).ok()?;
    let mtime = meta.modified().ok()?.duration_since(UNIX_EPOCH).ok()?.as_nanos();
    let key = format!("{}\0{}\0{mtime}\0{}", words.join("\0"), real.display(), meta.len());
    let hex: String = Sha256::digest(key.as_bytes()).iter().take(16).map(|b| format!("{b:02x}")).collect();
    Some(cache_dir(env)?.join(format!("{hex}.target")))
}

fn cache_dir(env: &Env) -> Option<PathBuf> {
    let base = match env.get("XDG_CACHE_HOME") {
        Some(x) if cfg!(unix) && !cfg!(target_os = "macos") => PathBuf::from(x),
        _ => dirs::cache_dir()?,
    };
    Some(base.join("slim-setup").join("cc-targets"))
}

/// A program as the exec that runs it finds it: a path as given, else the
/// first match on PATH.
fn find_program(name: &str, env: &Env) -> Option<PathBuf> {
    let given = Path::new(name);
    if given.components().count() > 1 {
        return given.is_file().then(|| given.to_path_buf());
    }
    let exts: &[&str] = if cfg!(windows) { &["", ".exe"] } else { &[""] };
    std::env::split_paths(env.get("PATH")?)
        .find_map(|dir| exts.iter().map(|e| dir.join(format!("{name}{e}"))).find(|p| p.is_file()))
}
