//! Free space, checked before a large write starts: a full disk found
//! halfway through leaves the user waiting for a download that was never
//! going to fit, and tells them less than "N needed, M free".

use std::path::Path;

use crate::error::{Error, Result};

/// Fails closed: when the free space cannot be read, the write does not start.
pub(crate) fn ensure(dir: &Path, needed: u64, what: &str) -> Result<()> {
    let available = fs4::available_space(dir).map_err(|e| Error::io("read the free space of", dir, e))?;
    if available < needed {
        return Err(Error::NoSpace { dir: dir.to_path_buf(), what: what.into(), needed, available });
    }
    Ok(())
}
