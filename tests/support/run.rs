//! What one run of the built binary did, with assertions that print the whole
//! run (exit code, stdout, stderr) when they fail.

use std::fmt;
use std::process::Command;

use serde_json::Value;

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn of(cmd: &mut Command) -> Run {
        let out = cmd.output().expect("run slim-setup");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
    pub fn ok(self) -> Run {
        assert_eq!(self.code, 0, "expected success\n{self}");
        self
    }
    pub fn fails(self, code: i32) -> Run {
        assert_eq!(self.code, code, "expected exit {code}\n{self}");
        self
    }
    /// stderr (where human text goes) mentions every one of `parts`.
    pub fn says(&self, parts: &[&str]) -> &Run {
        for p in parts {
            assert!(self.stderr.contains(p), "stderr should mention {p:?}\n{self}");
        }
        self
    }
    /// stdout and stderr together mention every one of `parts`.
    pub fn mentions(&self, parts: &[&str]) -> &Run {
        let all = format!("{}{}", self.stdout, self.stderr);
        for p in parts {
            assert!(all.contains(p), "output should mention {p:?}\n{self}");
        }
        self
    }
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("stdout is not JSON ({e})\n{self}"))
    }
    /// The one target of an install `--json` report.
    pub fn target(&self) -> Value {
        let doc = self.json();
        let targets = doc["targets"].as_array().unwrap_or_else(|| panic!("no targets\n{self}"));
        assert_eq!(targets.len(), 1, "{self}");
        targets[0].clone()
    }
}

impl fmt::Display for Run {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "exit {}\n--- stdout\n{}--- stderr\n{}", self.code, self.stdout, self.stderr)
    }
}
