//! Running the built binary: `Run` is what one run did (exit code, stdout,
//! stderr), with assertions that print the whole run when they fail;
//! `Running` is a run under way, whose stderr can be watched live so a test
//! can wait for an event (a line, a request) instead of a fixed time. Every
//! run is bounded: one still going after `LIMIT` is killed and fails the test.

use std::fmt;
use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::Value;

/// Longer than any run a test expects to finish; a hang, not a slow run.
pub const LIMIT: Duration = Duration::from_secs(60);

pub struct Run {
    /// `None` when the process was killed by a signal.
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn of(cmd: &mut Command) -> Run {
        Running::start(cmd).finish()
    }
    pub fn ok(self) -> Run {
        assert_eq!(self.code, Some(0), "expected success\n{self}");
        self
    }
    pub fn fails(self, code: i32) -> Run {
        assert_eq!(self.code, Some(code), "expected exit {code}\n{self}");
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
    /// The one `error:` line, which must be followed by nothing or a `hint:`
    /// line (an error never spans several lines) and hold every one of
    /// `needles`, in any case.
    pub fn error(&self, needles: &[&str]) -> String {
        let lines: Vec<&str> = self.stderr.lines().collect();
        let at: Vec<usize> = (0..lines.len()).filter(|&i| lines[i].starts_with("error: ")).collect();
        assert_eq!(at.len(), 1, "expected exactly one 'error:' line\n{self}");
        if let Some(next) = lines.get(at[0] + 1) {
            assert!(next.starts_with("hint: "), "the error spans more than one line\n{self}");
        }
        let line = lines[at[0]];
        for n in needles {
            assert!(
                line.to_lowercase().contains(&n.to_lowercase()),
                "the error should mention {n:?}\n{self}"
            );
        }
        line.to_string()
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
        write!(f, "exit {:?}\n--- stdout\n{}--- stderr\n{}", self.code, self.stdout, self.stderr)
    }
}

/// A run under way.
pub struct Running {
    child: Child,
    started: Instant,
    stdout: JoinHandle<String>,
    stderr: Arc<Mutex<String>>,
    reader: JoinHandle<()>,
}

impl Running {
    pub fn start(cmd: &mut Command) -> Running {
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("start {:?}: {e}", cmd.get_program()));
        let mut out = child.stdout.take().expect("piped stdout");
        let stdout = std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = out.read_to_end(&mut buf);
            String::from_utf8_lossy(&buf).into_owned()
        });
        let stderr = Arc::new(Mutex::new(String::new()));
        let (mut err, sink) = (child.stderr.take().expect("piped stderr"), stderr.clone());
        let reader = std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = err.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap_or_else(|p| p.into_inner()).push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        Running { child, started: Instant::now(), stdout, stderr, reader }
    }

    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// What it has printed on stderr so far.
    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Waits, polling, until `cond` holds; panics if the run ends first.
    pub fn wait_until(&mut self, what: &str, cond: impl Fn(&Running) -> bool) {
        while !cond(self) {
            if let Some(status) = self.child.try_wait().expect("poll the run") {
                panic!("the run exited ({status}) before {what}; stderr:\n{}", self.stderr());
            }
            assert!(self.started.elapsed() < LIMIT, "still waiting until {what} after {LIMIT:?}");
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    pub fn finish(mut self) -> Run {
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("wait for the run") {
                break status;
            }
            if self.started.elapsed() > LIMIT {
                let _ = self.child.kill();
                let _ = self.child.wait();
                panic!("still running after {LIMIT:?}; killed. stderr:\n{}", self.stderr());
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        let Running { stdout, stderr, reader, .. } = self;
        let _ = reader.join();
        let stderr = stderr.lock().unwrap_or_else(|p| p.into_inner()).clone();
        Run { code: status.code(), stdout: stdout.join().unwrap_or_default(), stderr }
    }
}
