//! Asking the go command a question (`go env`, `go list -m`) the way a user's
//! build would see it, without letting it change anything or hang: `--gopath`
//! reaches it as GOPATH, `--offline` as GOPROXY=off, and it is killed after a
//! timeout. When it fails, its own error line is kept for the message.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use wait_timeout::ChildExt;

use super::env::Env;
pub(crate) use crate::error::GoError;

/// How long one go command may take (it may fetch go.mod files of
/// dependencies through the module proxy); `SLIM_SETUP_GO_TIMEOUT` (seconds)
/// changes it.
pub(crate) const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Debug, Clone)]
pub(crate) struct GoRunner {
    /// The project folder the question is asked in.
    pub(crate) cwd: PathBuf,
    /// `--gopath`: overrides GOPATH for go as for slim-setup.
    pub(crate) gopath: Option<PathBuf>,
    /// `--offline`: go must not use the network either.
    pub(crate) offline: bool,
    pub(crate) timeout: Duration,
}

impl GoRunner {
    pub(crate) fn new(cwd: &Path, gopath: Option<&Path>, offline: bool, env: &Env) -> GoRunner {
        let timeout = env
            .get("SLIM_SETUP_GO_TIMEOUT")
            .and_then(|s| s.parse().ok())
            .map(|s: u64| Duration::from_secs(s.max(1)))
            .unwrap_or(DEFAULT_TIMEOUT);
        GoRunner { cwd: cwd.to_path_buf(), gopath: gopath.map(Path::to_path_buf), offline, timeout }
    }

    /// Run `go ARGS` and return its stdout.
    pub(crate) fn output(&self, args: &[&str]) -> Result<Vec<u8>, GoError> {
        let command = format!("go {}", args.join(" "));
        let mut cmd = Command::new("go");
        cmd.args(args)
            .current_dir(&self.cwd)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(gp) = &self.gopath {
            cmd.env("GOPATH", gp);
        }
        if self.offline {
            cmd.env("GOPROXY", "off");
        }
        let mut child = match cmd.spawn() {
            Ok(c) => c,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(GoError::Missing),
            Err(e) => return Err(GoError::Failed { command, line: e.to_string() }),
        };
        // Drain both pipes while waiting, so a chatty go cannot block on a full pipe.
        let drain = |r: Option<Box<dyn Read + Send>>| {
            std::thread::spawn(move || {
                let mut buf = Vec::new();
                if let Some(mut r) = r {
                    let _ = r.read_to_end(&mut buf);
                }
                buf
            })
        };
        let out = drain(child.stdout.take().map(|s| Box::new(s) as Box<dyn Read + Send>));
        let err = drain(child.stderr.take().map(|s| Box::new(s) as Box<dyn Read + Send>));
        let status = match child.wait_timeout(self.timeout) {
            Ok(Some(status)) => status,
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(GoError::TimedOut { command, secs: self.timeout.as_secs() });
            }
            Err(e) => return Err(GoError::Failed { command, line: e.to_string() }),
        };
        let stdout = out.join().unwrap_or_default();
        let stderr = err.join().unwrap_or_default();
        if !status.success() {
            return Err(GoError::Failed { command, line: error_line(&String::from_utf8_lossy(&stderr)) });
        }
        Ok(stdout)
    }
}

/// The line of go's stderr that says what went wrong: its last `go: ...`
/// line, else its last non-empty one.
pub(crate) fn error_line(stderr: &str) -> String {
    let lines: Vec<&str> = stderr.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    let line = lines.iter().rev().find(|l| l.starts_with("go: ")).or(lines.last()).copied().unwrap_or("");
    if line.is_empty() { "no error message".into() } else { line.chars().take(300).collect() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_error_lines_are_picked_out_of_the_noise() {
        let table = [
            ("go: downloading x v1\ngo: x@v1: missing go.sum entry\n", "go: x@v1: missing go.sum entry"),
            ("warning: something\n\nbroken\n", "broken"),
            ("", "no error message"),
        ];
        for (stderr, want) in table {
            assert_eq!(error_line(stderr), want);
        }
    }
}
