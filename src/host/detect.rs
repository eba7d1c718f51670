//! The host platform, and which C library cgo will link against on it. What
//! matters is the C compiler cgo will run (`CC`, else `go env CC`), asked for
//! its target; failing that, the dynamic loader the system's own programs use.
//! The mere presence of an `ld-musl-*` file proves nothing: glibc hosts with
//! musl-tools installed have one.

use crate::domain::platform::Libc;

pub(crate) fn host_goos() -> &'static str {
    match std::env::consts::OS {
        "macos" => "darwin",
        other => other,
    }
}

pub(crate) fn host_goarch() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        "arm" => "arm",
        "riscv64" => "riscv64",
        "powerpc64" => "ppc64",
        "s390x" => "s390x",
        "loongarch64" => "loong64",
        other => other,
    }
}

/// The libc decision and how it was reached (shown in the banner).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LibcChoice {
    pub(crate) libc: Libc,
    pub(crate) why: String,
}

/// Libc named by a compiler target (`x86_64-linux-musl`, `x86_64-pc-linux-gnu`).
pub(crate) fn libc_of_target(target: &str) -> Option<Libc> {
    if target.contains("musl") {
        Some(Libc::Musl)
    } else if target.contains("gnu") || target.contains("linux") {
        Some(Libc::Gnu)
    } else {
        None
    }
}

/// The C compiler cgo will run: `$CC`, else `go env CC`.
pub(crate) fn c_compiler(env: &super::env::Env, go_env: Option<&super::goenv::GoEnvVars>) -> Option<String> {
    env.get("CC")
        .map(str::to_string)
        .or_else(|| go_env.and_then(|g| g.get("CC").cloned()))
        .filter(|c| !c.is_empty())
}

/// Decide for a Linux host. `cc` is `$CC`, else `go env CC`; when it is the
/// front, the compiler behind it is asked, as the front itself asks it
/// (`host::cctarget`: its `-target`, else its cached `-dumpmachine`).
pub(crate) fn detect_libc(cc: Option<&str>, env: &super::env::Env) -> LibcChoice {
    if let Some(cc) = cc {
        let words =
            crate::domain::ccargs::front_compiler(cc).unwrap_or_else(|| crate::domain::cgo::split_args(cc));
        if let Some(choice) = super::cctarget::compiler_libc(&words, env) {
            return LibcChoice { why: format!("CC={cc}: {}", choice.why), ..choice };
        }
    }
    match system_loader() {
        Some(loader) if loader.contains("ld-musl") => {
            LibcChoice { libc: Libc::Musl, why: format!("system loader {loader}") }
        }
        Some(loader) => LibcChoice { libc: Libc::Gnu, why: format!("system loader {loader}") },
        None => LibcChoice { libc: Libc::Gnu, why: "default".into() },
    }
}

/// The ELF interpreter of /bin/sh: the loader every dynamic program here uses.
fn system_loader() -> Option<String> {
    let bytes = std::fs::read("/bin/sh").ok()?;
    elf_interpreter(&bytes)
}

/// PT_INTERP of a 64- or 32-bit little-endian ELF file.
pub(crate) fn elf_interpreter(b: &[u8]) -> Option<String> {
    if !b.starts_with(b"\x7fELF") || b.get(5) != Some(&1) {
        return None;
    }
    let is64 = *b.get(4)? == 2;
    let rd = |at: usize, n: usize| -> Option<u64> {
        let s = b.get(at..at + n)?;
        Some(s.iter().rev().fold(0u64, |acc, &x| (acc << 8) | x as u64))
    };
    let (phoff, phentsize, phnum) =
        if is64 { (rd(32, 8)?, rd(54, 2)?, rd(56, 2)?) } else { (rd(28, 4)?, rd(42, 2)?, rd(44, 2)?) };
    for i in 0..phnum {
        let ph = (phoff + i * phentsize) as usize;
        if rd(ph, 4)? != 3 {
            continue; // not PT_INTERP
        }
        let (off, size) =
            if is64 { (rd(ph + 8, 8)?, rd(ph + 32, 8)?) } else { (rd(ph + 4, 4)?, rd(ph + 16, 4)?) };
        let raw = b.get(off as usize..(off + size) as usize)?;
        return Some(String::from_utf8_lossy(raw).trim_end_matches('\0').to_string());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compiler_targets() {
        let table = [
            ("x86_64-linux-gnu", Some(Libc::Gnu)),
            ("x86_64-pc-linux-gnu", Some(Libc::Gnu)),
            ("aarch64-alpine-linux-musl", Some(Libc::Musl)),
            ("x86_64-linux-musl", Some(Libc::Musl)),
            ("arm64-apple-darwin23.0.0", None),
        ];
        for (t, want) in table {
            assert_eq!(libc_of_target(t), want, "{t}");
        }
    }

    #[test]
    fn zig_style_cc_arguments() {
        let table = [
            ("zig cc -target aarch64-linux-musl", Some(Libc::Musl)),
            ("/x/zig cc -target x86_64-linux-gnu.2.28", Some(Libc::Gnu)),
            ("clang --target=x86_64-unknown-linux-musl", Some(Libc::Musl)),
            ("gcc", None),
            ("zig cc -target", None),
        ];
        for (cc, want) in table {
            let args = crate::domain::cgo::split_args(cc);
            assert_eq!(crate::domain::ccargs::target_arg(&args).and_then(libc_of_target), want, "{cc}");
        }
    }

    #[test]
    fn reads_the_interpreter_of_a_real_program() {
        // /bin/sh on this machine is dynamic; its loader is glibc's or musl's.
        if let Ok(bytes) = std::fs::read("/bin/sh") {
            let interp = elf_interpreter(&bytes).unwrap();
            assert!(interp.contains("ld-linux") || interp.contains("ld-musl"), "{interp}");
        }
        assert_eq!(elf_interpreter(b"#!/bin/sh\n"), None);
    }
}
