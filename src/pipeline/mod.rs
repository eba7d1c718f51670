//! The flow of one archive from its source to its place, and the only code
//! that ties `net`, `extract` and `store` together: `fetch` locates it,
//! streams it once through the hashing thread into a consumer and judges its
//! digest (`verify`), restarting from scratch when the server cannot resume;
//! `install` is the caller whose consumer is the extractor and whose commit
//! puts the library where cgo looks; `mirror` is the caller that keeps the
//! zip whole for a mirror folder; `dryrun` says what `install` would do.

pub(crate) mod dryrun;
pub(crate) mod fetch;
pub(crate) mod install;
pub(crate) mod mirror;
pub(crate) mod verify;
