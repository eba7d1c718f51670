//! Colour for the words a person scans for (`ok`, `warning`, `error`,
//! `hint`, `FAIL`), decided per stream the way anstream decides: `--color`
//! first, then `NO_COLOR`, `CLICOLOR_FORCE`, `CLICOLOR`, whether the stream
//! is a terminal and `TERM`. Text is painted only when that stream shows
//! colour, so it can be printed as is (also through indicatif's bars).

use std::sync::OnceLock;

use anstream::{AutoStream, ColorChoice};
use anstyle::{AnsiColor, Style};

/// `--color auto|always|never`, before anything is printed.
pub(crate) fn init(choice: ColorChoice) {
    choice.write_global();
}

fn stderr_colour() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| AutoStream::choice(&std::io::stderr()) != ColorChoice::Never)
}

fn stdout_colour() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| AutoStream::choice(&std::io::stdout()) != ColorChoice::Never)
}

fn paint(on: bool, style: Style, word: &str) -> String {
    if on { format!("{style}{word}{style:#}") } else { word.to_string() }
}

const GREEN: Style = AnsiColor::Green.on_default().bold();
const YELLOW: Style = AnsiColor::Yellow.on_default().bold();
const RED: Style = AnsiColor::Red.on_default().bold();
const CYAN: Style = AnsiColor::Cyan.on_default().bold();

/// A word on stderr: `ok`, `warning`, `error`, `hint`, `failed`, `note`.
pub(crate) fn err(word: &str) -> String {
    paint(stderr_colour(), style_of(word), word)
}

/// A word on stdout (doctor's and verify's marks).
pub(crate) fn out(word: &str) -> String {
    paint(stdout_colour(), style_of(word), word)
}

fn style_of(word: &str) -> Style {
    match word.trim().to_ascii_lowercase().as_str() {
        "ok" => GREEN,
        "warning" | "warn" | "note" => YELLOW,
        "error" | "failed" | "fail" | "damaged" => RED,
        _ => CYAN,
    }
}

/// Paints a leading `warning:`/`note:`/`error:`/`hint:` of a stderr line.
pub(crate) fn line(text: &str) -> String {
    let trimmed = text.trim_start();
    let indent = &text[..text.len() - trimmed.len()];
    match trimmed.split_once(':') {
        Some((word, rest)) if matches!(word, "warning" | "note" | "error" | "hint") => {
            format!("{indent}{}:{rest}", err(word))
        }
        _ => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_painted_only_when_asked() {
        assert_eq!(paint(false, GREEN, "ok"), "ok");
        assert_eq!(paint(true, GREEN, "ok"), "\u{1b}[1m\u{1b}[32mok\u{1b}[0m");
        assert_eq!(style_of("FAIL"), RED);
        assert_eq!(style_of("hint"), CYAN);
    }
}
