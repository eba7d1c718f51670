//! The one-pass pipeline from archive bytes to a verified library file:
//! `hashed` (read + SHA-256, one thread) -> `zipstream` (find the entry and
//! inflate, or spool and use the central directory) -> `sink` (check
//! ar/objects, hash, write, fsync; another thread). `space` checks the
//! free space before either route writes.

pub(crate) mod hashed;
pub(crate) mod sink;
pub(crate) mod space;
pub(crate) mod zipstream;

use std::io::{self, Read, Write};

use crate::error::{Error, Result};

/// Copy `src` into `dst`. A failed read and a failed write are told apart by
/// where they happen, not guessed from the error's kind afterwards: the
/// caller names each (the source's trouble, or the file being written).
pub(crate) fn copy(
    src: &mut dyn Read,
    dst: &mut dyn Write,
    on_read: &dyn Fn(io::Error) -> Error,
    on_write: &dyn Fn(io::Error) -> Error,
) -> Result<u64> {
    let mut buf = vec![0u8; 256 * 1024];
    let mut n = 0u64;
    loop {
        let k = match src.read(&mut buf) {
            Ok(0) => return Ok(n),
            Ok(k) => k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(on_read(e)),
        };
        dst.write_all(&buf[..k]).map_err(on_write)?;
        n += k as u64;
    }
}
