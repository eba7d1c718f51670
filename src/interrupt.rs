//! Ctrl-C and SIGTERM: recorded in a flag that long loops check, so that the
//! code unwinds normally (temp files removed by their guards) and `main` exits
//! with 130 or 143 instead of the process dying mid-write.

use std::sync::atomic::{AtomicI32, Ordering};
use std::time::{Duration, Instant};

use crate::error::Error;

static SIGNAL: AtomicI32 = AtomicI32::new(0);

pub fn install_handler() {
    use signal_hook::consts::{SIGINT, SIGTERM};
    for sig in [SIGINT, SIGTERM] {
        // SAFETY: the action only stores to an atomic, which is async-signal-safe.
        let _ = unsafe { signal_hook::low_level::register(sig, move || SIGNAL.store(sig, Ordering::SeqCst)) };
    }
}

pub fn check() -> Result<(), Error> {
    match SIGNAL.load(Ordering::SeqCst) {
        0 => Ok(()),
        sig => Err(Error::Interrupted(sig)),
    }
}

pub fn is_set() -> bool {
    SIGNAL.load(Ordering::SeqCst) != 0
}

/// Sleep that wakes early when interrupted.
pub fn sleep(d: Duration) -> Result<(), Error> {
    let end = Instant::now() + d;
    while Instant::now() < end {
        check()?;
        std::thread::sleep((end - Instant::now()).min(Duration::from_millis(50)));
    }
    check()
}
