//! Ctrl-C and SIGTERM. The signal only sets a flag; a watcher thread then
//! removes the temporary files of installs under way and exits with 130 or
//! 143, so a stalled read cannot delay the exit and nothing half-written stays
//! behind. Long loops also check the flag to stop early on their own.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicI32, Ordering};
use std::time::{Duration, Instant};

use crate::error::Error;

static SIGNAL: AtomicI32 = AtomicI32::new(0);
static TEMPS: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

pub fn install_handler() {
    use signal_hook::consts::{SIGINT, SIGTERM};
    for sig in [SIGINT, SIGTERM] {
        // SAFETY: the action only stores to an atomic, which is async-signal-safe.
        let _ = unsafe { signal_hook::low_level::register(sig, move || SIGNAL.store(sig, Ordering::SeqCst)) };
    }
    std::thread::spawn(|| {
        loop {
            let sig = SIGNAL.load(Ordering::SeqCst);
            if sig != 0 {
                for p in TEMPS.lock().unwrap_or_else(|p| p.into_inner()).iter() {
                    let _ = std::fs::remove_file(p);
                }
                eprintln!("\ninterrupted: temporary files removed, nothing half-installed");
                std::process::exit(128 + sig);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    });
}

/// Removes every temporary file still on the list: the process is ending
/// with work unfinished (a failure), and threads still holding one (a
/// download over several connections) may outlive `main`'s return.
pub fn remove_temporaries() {
    for p in TEMPS.lock().unwrap_or_else(|p| p.into_inner()).drain(..) {
        let _ = std::fs::remove_file(p);
    }
}

/// Keeps a temporary file on the list the watcher removes on a signal.
pub(crate) struct TempGuard(PathBuf);

pub(crate) fn track(path: &Path) -> TempGuard {
    TEMPS.lock().unwrap_or_else(|p| p.into_inner()).push(path.to_path_buf());
    TempGuard(path.to_path_buf())
}

impl Drop for TempGuard {
    fn drop(&mut self) {
        let mut list = TEMPS.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(i) = list.iter().position(|p| *p == self.0) {
            list.swap_remove(i);
        }
    }
}

pub(crate) fn check() -> Result<(), Error> {
    match SIGNAL.load(Ordering::SeqCst) {
        0 => Ok(()),
        sig => Err(Error::Interrupted(sig)),
    }
}

/// Sleep that wakes early when interrupted.
pub(crate) fn sleep(d: Duration) -> Result<(), Error> {
    let end = Instant::now() + d;
    while Instant::now() < end {
        check()?;
        std::thread::sleep((end - Instant::now()).min(Duration::from_millis(50)));
    }
    check()
}
