//! What stores, and nothing above it: files that appear whole or not at all
//! (`atomic`), one installer per library at a time (`lock`), the record beside
//! each library (`manifest`), and what is installed or left behind
//! (`inventory`). It knows nothing of downloads, archives or output.

pub(crate) mod atomic;
pub(crate) mod fsutil;
pub(crate) mod inventory;
pub(crate) mod lock;
pub(crate) mod manifest;
