//! The connections a run may open beyond each target's first: targets and
//! their ranges share one budget, so `--all` over a slow link opens no more
//! than `--jobs` x `--connections` at once.

use std::sync::{Arc, Mutex};

/// Connections beyond each target's first, shared by all targets of a run
/// (`--jobs` x `--connections` at most).
#[derive(Debug)]
pub(crate) struct Budget(Mutex<usize>);

impl Budget {
    pub(crate) fn new(extra: usize) -> Arc<Budget> {
        Arc::new(Budget(Mutex::new(extra)))
    }
    pub(crate) fn take(&self) -> bool {
        let mut left = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let ok = *left > 0;
        *left -= ok as usize;
        ok
    }
    pub(crate) fn give_back(&self) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn takes_until_spent_and_gets_back_what_is_given() {
        let b = Budget::new(2);
        assert_eq!([b.take(), b.take(), b.take()], [true, true, false]);
        b.give_back();
        assert_eq!([b.take(), b.take()], [true, false]);
        assert!(!Budget::new(0).take(), "--connections 1: no extra connection");
    }
}
