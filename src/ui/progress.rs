//! The observers of `progress`: on a terminal each target gets an indicatif
//! bar (bytes, rate, ETA); elsewhere plain lines, or nothing with --quiet /
//! --no-progress / --json.

use std::io::IsTerminal;
use std::sync::Arc;
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::progress::{Meter, Reporter};

pub(crate) fn reporter(quiet: bool, no_progress: bool) -> Arc<dyn Reporter> {
    if quiet {
        Arc::new(Silent)
    } else if no_progress || !std::io::stderr().is_terminal() {
        Arc::new(Plain)
    } else {
        Arc::new(Bars { multi: MultiProgress::with_draw_target(ProgressDrawTarget::stderr()) })
    }
}

pub(crate) struct Silent;
struct Nothing;

impl Meter for Nothing {
    fn advance(&self, _: u64) {}
    fn finish(&self) {}
}

impl Reporter for Silent {
    fn meter(&self, _: &str, _: Option<u64>) -> Arc<dyn Meter> {
        Arc::new(Nothing)
    }
    fn line(&self, _: &str) {}
}

/// Non-terminal output: a line when a download starts, one when it ends.
struct Plain;

impl Reporter for Plain {
    fn meter(&self, label: &str, total: Option<u64>) -> Arc<dyn Meter> {
        let size = total.map(|t| format!(" ({})", indicatif::HumanBytes(t))).unwrap_or_default();
        eprintln!("  downloading {label}{size}");
        Arc::new(Nothing)
    }
    fn line(&self, msg: &str) {
        eprintln!("{msg}");
    }
}

struct Bars {
    multi: MultiProgress,
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

impl Reporter for Bars {
    fn meter(&self, label: &str, total: Option<u64>) -> Arc<dyn Meter> {
        let bar = match total {
            Some(t) => ProgressBar::new(t).with_style(
                ProgressStyle::with_template(
                    "  {prefix:<34} [{bar:28}] {bytes}/{total_bytes} {binary_bytes_per_sec} eta {eta}",
                )
                .expect("template is valid")
                .progress_chars("=> "),
            ),
            None => ProgressBar::new_spinner().with_style(
                ProgressStyle::with_template("  {prefix:<34} {spinner} {bytes} {binary_bytes_per_sec}")
                    .expect("template is valid"),
            ),
        };
        let bar = self.multi.add(bar.with_prefix(label.to_string()));
        bar.enable_steady_tick(Duration::from_millis(120));
        Arc::new(Bar(bar))
    }
    fn line(&self, msg: &str) {
        let _ = self.multi.println(msg);
    }
}
