//! The observers of `progress`: on a terminal each target gets an indicatif
//! bar (bytes, rate, ETA) that fits in 80 columns and a spinner while it
//! connects; elsewhere plain lines; nothing but errors with --quiet. Retries,
//! fallbacks and the proxy are always told (like cargo's "spurious network
//! error"); details only from `-v` on.

use std::io::IsTerminal;
use std::sync::Arc;
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::progress::{Event, Events, Meter, Reporter};

/// How a run wants its progress shown.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Display {
    pub(crate) quiet: bool,
    /// --json: stdout is a document, and bars only when asked for.
    pub(crate) json: bool,
    pub(crate) no_progress: bool,
    /// --progress: bars even with --json or --quiet.
    pub(crate) progress: bool,
    pub(crate) verbose: u8,
}

pub(crate) fn reporter(d: Display) -> Arc<dyn Reporter> {
    let terminal = std::io::stderr().is_terminal();
    let bars = terminal && !d.no_progress && (d.progress || !(d.quiet || d.json));
    let say = Say { quiet: d.quiet, verbose: d.verbose };
    if bars {
        Arc::new(Bars { multi: MultiProgress::with_draw_target(ProgressDrawTarget::stderr()), say })
    } else if d.quiet {
        Arc::new(Silent { say })
    } else {
        Arc::new(Plain { say })
    }
}

/// Which events are printed, and how they read.
#[derive(Debug, Clone, Copy)]
struct Say {
    quiet: bool,
    verbose: u8,
}

impl Say {
    fn text(&self, e: &Event) -> Option<String> {
        match *e {
            Event::Detail { level, text } => {
                (self.verbose >= level).then(|| format!("  [{}] {text}", "v".repeat(level as usize)))
            }
            _ if self.quiet => None,
            Event::Retry { what, attempt, attempts, wait } => Some(format!(
                "  {}: {what}; retrying in {} (attempt {} of {attempts})",
                super::style::err("warning"),
                seconds(wait),
                attempt + 1
            )),
            Event::Fallback { base, why, next } => {
                Some(format!("  {}: {base}: {why}; trying {next}", super::style::err("warning")))
            }
            Event::Proxy { proxy, var } => Some(format!("  via proxy {proxy} (from {var})")),
        }
    }
}

fn seconds(d: Duration) -> String {
    if d < Duration::from_secs(1) {
        format!("{} ms", d.as_millis())
    } else {
        format!("{:.1}s", d.as_secs_f64())
    }
}

pub(crate) struct Silent {
    say: Say,
}
struct Nothing;

impl Meter for Nothing {
    fn advance(&self, _: u64) {}
    fn finish(&self) {}
}

impl Events for Silent {
    fn event(&self, e: Event) {
        if let Some(t) = self.say.text(&e) {
            eprintln!("{t}");
        }
    }
}

impl Reporter for Silent {
    fn meter(&self, _: &str, _: Option<u64>) -> Arc<dyn Meter> {
        Arc::new(Nothing)
    }
    fn line(&self, _: &str) {}
    fn connecting(&self, _: &str) -> Arc<dyn Meter> {
        Arc::new(Nothing)
    }
}

/// Non-terminal output: a line when a download starts.
struct Plain {
    say: Say,
}

impl Events for Plain {
    fn event(&self, e: Event) {
        if let Some(t) = self.say.text(&e) {
            eprintln!("{t}");
        }
    }
}

impl Reporter for Plain {
    fn meter(&self, label: &str, total: Option<u64>) -> Arc<dyn Meter> {
        let size = total.map(|t| format!(" ({})", indicatif::HumanBytes(t))).unwrap_or_default();
        eprintln!("  downloading {label}{size}");
        Arc::new(Nothing)
    }
    fn line(&self, msg: &str) {
        eprintln!("{}", super::style::line(msg));
    }
    fn connecting(&self, _: &str) -> Arc<dyn Meter> {
        Arc::new(Nothing)
    }
}

struct Bars {
    multi: MultiProgress,
    say: Say,
}

struct Bar(ProgressBar);

impl Meter for Bar {
    fn advance(&self, n: u64) {
        self.0.inc(n);
    }
    fn finish(&self) {
        self.0.finish_and_clear();
    }
}

/// At most 80 columns at the widest: 2 + 26 (the longest triple) + 2 + 12
/// (bar) + 2 + 10 ("149.99 MiB") + 1 + 10 + 1 + 12 ("112.34 MiB/s") = 78.
/// Checked under a real 80-column terminal in tests/terminal.rs.
const BAR: &str = "  {prefix:26!} [{bar:12}] {bytes:>10}/{total_bytes:10} {binary_bytes_per_sec:>12}";
const SPIN: &str = "  {prefix:26!} {spinner} {msg}";

impl Events for Bars {
    fn event(&self, e: Event) {
        if let Some(t) = self.say.text(&e) {
            let _ = self.multi.println(t);
        }
    }
}

impl Reporter for Bars {
    fn meter(&self, label: &str, total: Option<u64>) -> Arc<dyn Meter> {
        let bar = match total {
            Some(t) => ProgressBar::new(t).with_style(
                ProgressStyle::with_template(BAR).expect("template is valid").progress_chars("=> "),
            ),
            None => ProgressBar::new_spinner()
                .with_style(ProgressStyle::with_template(SPIN).expect("template is valid"))
                .with_message("downloading"),
        };
        let bar = self.multi.add(bar.with_prefix(label.to_string()));
        bar.enable_steady_tick(Duration::from_millis(120));
        Arc::new(Bar(bar))
    }
    fn line(&self, msg: &str) {
        let _ = self.multi.println(super::style::line(msg));
    }
    fn connecting(&self, label: &str) -> Arc<dyn Meter> {
        let spin = ProgressBar::new_spinner()
            .with_style(ProgressStyle::with_template(SPIN).expect("template is valid"))
            .with_prefix(label.to_string())
            .with_message("connecting");
        let spin = self.multi.add(spin);
        spin.enable_steady_tick(Duration::from_millis(100));
        Arc::new(Bar(spin))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_read_like_cargo_and_details_wait_for_verbose() {
        let say = |quiet, verbose| Say { quiet, verbose };
        let retry = Event::Retry {
            what: "127.0.0.1:9 answered 503",
            attempt: 1,
            attempts: 5,
            wait: Duration::from_millis(1500),
        };
        assert_eq!(
            say(false, 0).text(&retry).as_deref(),
            Some("  warning: 127.0.0.1:9 answered 503; retrying in 1.5s (attempt 2 of 5)")
        );
        assert_eq!(say(true, 0).text(&retry), None);
        let detail = Event::Detail { level: 2, text: "GET x" };
        assert_eq!(say(false, 1).text(&detail), None);
        assert_eq!(say(false, 2).text(&detail).as_deref(), Some("  [vv] GET x"));
        let proxy = Event::Proxy { proxy: "http://proxy:3128", var: "HTTPS_PROXY" };
        assert_eq!(
            say(false, 0).text(&proxy).as_deref(),
            Some("  via proxy http://proxy:3128 (from HTTPS_PROXY)")
        );
    }
}
