//! The one-pass pipeline from archive bytes to a verified library file:
//! `hashed` (read + SHA-256, one thread) -> `zipstream` (find the entry and
//! inflate) -> `sink` (check ar/objects, hash, write, fsync; another thread).

pub mod hashed;
pub mod sink;
pub mod zipstream;
