//! slim-setup under a real pseudo-terminal, 80 columns wide, its output
//! rendered by a terminal emulator (vt100): the progress bar of a download
//! held mid-way fits on one line, and the words people scan for are in
//! colour unless NO_COLOR says otherwise.
#![cfg(unix)]

mod support;

use std::io::Read;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use support::case::{Case, GNU, VERSION};
use support::github::{OWNER, REPO};
use support::run::LIMIT;
use support::server::{Fault, Gate};

const COLS: u16 = 80;

/// A run on a pseudo-terminal; everything it wrote is kept.
struct OnTerminal {
    child: Box<dyn portable_pty::Child + Send + Sync>,
    output: Arc<Mutex<Vec<u8>>>,
    /// Signalled when the reader has seen the end of the output.
    done: std::sync::mpsc::Receiver<()>,
    _master: Box<dyn portable_pty::MasterPty + Send>,
}

impl OnTerminal {
    /// `slim-setup install` from the case's fake GitHub, with progress
    /// (no --no-progress), and `env` added to the isolated environment.
    fn install(c: &Case, env: &[(&str, &str)]) -> OnTerminal {
        let pair = native_pty_system()
            .openpty(PtySize { rows: 24, cols: COLS, pixel_width: 0, pixel_height: 0 })
            .expect("a pseudo-terminal");
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_slim-setup"));
        cmd.env_clear();
        // The isolated environment of support::cmd, but a colour terminal.
        let template = support::cmd::slim_setup(&c.home);
        for (k, v) in template.get_envs() {
            if let Some(v) = v {
                cmd.env(k, v);
            }
        }
        cmd.env("TERM", "xterm-256color");
        cmd.env("SLIM_SETUP_BACKOFF_MS", "10");
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.cwd(&c.home);
        let base = c.gh.base_url(OWNER, REPO);
        let api = c.gh.api_url();
        let dest = c.dest.to_str().unwrap();
        for a in [
            "install",
            VERSION,
            "--target",
            GNU,
            "--cache-dir",
            dest,
            "--base-url",
            &base,
            "--github-api-url",
            &api,
        ] {
            cmd.arg(a);
        }
        let child = pair.slave.spawn_command(cmd).expect("spawn on the terminal");
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().expect("reader");
        let output = Arc::new(Mutex::new(Vec::new()));
        let sink = output.clone();
        let (drained, done) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            // Once the child is gone no one holds the slave: the read ends (EIO).
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap().extend_from_slice(&buf[..n]);
            }
            let _ = drained.send(());
        });
        OnTerminal { child, output, done, _master: pair.master }
    }

    fn raw(&self) -> Vec<u8> {
        self.output.lock().unwrap().clone()
    }

    /// The screen as an 80-column terminal shows it now.
    fn screen(&self) -> vt100::Parser {
        let mut parser = emulator();
        parser.process(&self.raw());
        parser
    }

    fn wait_for_screen(&self, what: &str, cond: impl Fn(&vt100::Screen) -> bool) -> vt100::Parser {
        let started = Instant::now();
        loop {
            let parser = self.screen();
            if cond(parser.screen()) {
                return parser;
            }
            assert!(
                started.elapsed() < LIMIT,
                "no {what} on the screen after {LIMIT:?}:\n{}",
                parser.screen().contents()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn finish(mut self) -> (u32, Vec<u8>) {
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("poll") {
                // Everything the child wrote is read once the reader sees the end.
                self.done.recv_timeout(LIMIT).expect("the terminal's output ends after the child exits");
                return (status.exit_code(), self.raw());
            }
            assert!(started.elapsed() < LIMIT, "still running after {LIMIT:?}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// A 24x80 terminal with no scrollback.
fn emulator() -> vt100::Parser {
    let size = |n: u16| std::num::NonZero::new(n).expect("non-zero");
    vt100::Parser::new(size(24), size(COLS), 0)
}

fn rows(screen: &vt100::Screen) -> Vec<String> {
    screen.rows(0, COLS).collect()
}

#[test]
fn the_progress_bar_fits_in_80_columns() {
    let c = Case::published();
    let gate = Gate::new();
    c.cdn_fault(GNU, Fault::hold(60_000, &gate));
    let run = OnTerminal::install(&c, &[]);
    let parser =
        run.wait_for_screen("progress bar", |s| rows(s).iter().any(|r| r.contains(GNU) && r.contains("KiB")));
    let screen = parser.screen();
    let bar_rows: Vec<String> =
        rows(screen).into_iter().filter(|r| r.contains(GNU) && r.contains('[')).collect();
    assert_eq!(bar_rows.len(), 1, "one bar row:\n{}", screen.contents());
    let bar = &bar_rows[0];
    assert!(
        bar.contains(']') && bar.trim_end().ends_with("/s"),
        "the whole bar on one row: {bar:?}\n{}",
        screen.contents()
    );
    assert!(bar.trim_end().chars().count() <= COLS as usize);
    gate.open();
    let (code, raw) = run.finish();
    let mut parser = emulator();
    parser.process(&raw);
    assert_eq!(code, 0, "{}", parser.screen().contents());
    assert!(
        parser.screen().contents().contains(&format!("ok {GNU} installed")),
        "{}",
        parser.screen().contents()
    );
}

/// SGR colour codes (`ESC [ ... m` with a colour); indicatif's cursor
/// moves and line clears are not colour.
fn has_colour(raw: &[u8]) -> bool {
    String::from_utf8_lossy(raw).contains("\u{1b}[32m")
}

#[test]
fn colour_on_a_terminal_unless_no_color() {
    for (env, coloured) in [(&[][..], true), (&[("NO_COLOR", "1")][..], false)] {
        let c = Case::published();
        let (code, raw) = OnTerminal::install(&c, env).finish();
        assert_eq!(code, 0, "{}", String::from_utf8_lossy(&raw));
        assert_eq!(has_colour(&raw), coloured, "{env:?}: {:?}", String::from_utf8_lossy(&raw));
    }
}

/// Off a terminal: plain, unless CLICOLOR_FORCE or --color always.
#[test]
fn colour_off_a_terminal_only_when_forced() {
    let c = Case::published();
    let plain = support::run::Run::of(&mut c.install(GNU)).ok();
    assert!(!plain.stderr.contains('\u{1b}'), "{plain}");
    let mut forced = c.install(GNU);
    forced.env("CLICOLOR_FORCE", "1");
    assert!(support::run::Run::of(&mut forced).ok().stderr.contains("\u{1b}[32mok"));
    let mut always = c.install(GNU);
    always.args(["--color", "always"]);
    assert!(support::run::Run::of(&mut always).ok().stderr.contains("\u{1b}[32mok"));
    let mut never = c.install(GNU);
    never.args(["--color", "never"]).env("CLICOLOR_FORCE", "1");
    assert!(!support::run::Run::of(&mut never).ok().stderr.contains('\u{1b}'));
}
