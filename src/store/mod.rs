//! The filesystem side of installing: locks, atomic writes, manifests.

pub mod fsutil;
pub mod install;
pub mod inventory;
pub mod lock;
pub mod manifest;
