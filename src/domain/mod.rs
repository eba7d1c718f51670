//! Pure rules: no I/O, no environment, no clock. Everything here is decided from
//! its arguments and unit-tested with tables beside the code.

pub(crate) mod buildtags;
pub(crate) mod ccargs;
pub(crate) mod cgo;
pub(crate) mod gomod;
pub(crate) mod layout;
pub(crate) mod mirror;
pub(crate) mod objfmt;
pub(crate) mod platform;
pub(crate) mod proxy;
pub(crate) mod suggest;
pub(crate) mod sumfile;
pub(crate) mod sums;
pub(crate) mod version;
pub(crate) mod zipfmt;
