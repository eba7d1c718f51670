//! What the pipeline tells its observer, and nothing else: bytes as they
//! arrive, one-line remarks, and the end of a download. The pipeline only sees
//! these traits; `ui::progress` implements them (bars on a terminal, plain
//! lines elsewhere, nothing when quiet), and tests can count what was said.

use std::sync::Arc;

pub(crate) trait Meter: Send + Sync {
    fn advance(&self, n: u64);
    fn finish(&self);
}

pub(crate) trait Reporter: Send + Sync {
    fn meter(&self, label: &str, total: Option<u64>) -> Arc<dyn Meter>;
    /// A one-line message that should not tear a progress bar.
    fn line(&self, msg: &str);
}
