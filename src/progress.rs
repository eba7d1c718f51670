//! What the pipeline and the network tell their observer, and nothing else:
//! bytes as they arrive, one-line remarks, a connection being made, the end
//! of a download, and events (retries, fallbacks to the next mirror, the
//! proxy in use, details for --verbose). The lower layers only see these
//! traits; `ui::progress` implements them (bars and a spinner on a
//! terminal, plain lines elsewhere, nothing when quiet), and tests can count
//! what was said.

use std::sync::Arc;
use std::time::Duration;

pub(crate) trait Meter: Send + Sync {
    fn advance(&self, n: u64);
    fn finish(&self);
}

/// Something that happened on the way, reported as it happens.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Event<'a> {
    /// A request or download failed and is tried again after `wait`.
    Retry { what: &'a str, attempt: u32, attempts: u32, wait: Duration },
    /// A base could not serve the asset; the next one in the chain is asked.
    Fallback { base: &'a str, why: &'a str, next: &'a str },
    /// Requests to `url`'s scheme go through `proxy`, named by `var`.
    Proxy { proxy: &'a str, var: &'a str },
    /// Shown from `-v` (level 1) or `-vv` (level 2) on.
    Detail { level: u8, text: &'a str },
}

pub(crate) trait Events: Send + Sync {
    fn event(&self, e: Event);
}

pub(crate) trait Reporter: Events {
    fn meter(&self, label: &str, total: Option<u64>) -> Arc<dyn Meter>;
    /// A one-line message that should not tear a progress bar.
    fn line(&self, msg: &str);
    /// Shown until the returned meter finishes: a spinner while a
    /// connection is being made, on a terminal.
    fn connecting(&self, label: &str) -> Arc<dyn Meter>;
}

/// The events of a run, for layers built before the reporter exists
/// (`net`'s options): nothing until one is attached.
#[derive(Clone, Default)]
pub(crate) struct EventSink(Option<Arc<dyn Events>>);

impl EventSink {
    pub(crate) fn to(events: Arc<dyn Events>) -> EventSink {
        EventSink(Some(events))
    }

    pub(crate) fn event(&self, e: Event) {
        if let Some(events) = &self.0 {
            events.event(e);
        }
    }

    pub(crate) fn detail(&self, level: u8, text: &str) {
        self.event(Event::Detail { level, text });
    }
}

impl std::fmt::Debug for EventSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() { "EventSink(attached)" } else { "EventSink(none)" })
    }
}
