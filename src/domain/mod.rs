//! Pure rules: no I/O, no environment, no clock. Everything here is decided from
//! its arguments and unit-tested with tables beside the code.

pub mod buildtags;
pub mod cgo;
pub mod gomod;
pub mod layout;
pub mod mirror;
pub mod objfmt;
pub mod platform;
pub mod sumfile;
pub mod sums;
pub mod version;
pub mod zipfmt;
