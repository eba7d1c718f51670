//! slim-setup: install the prebuilt SLIM bindings static library where the Go
//! bindings' cgo directives look for it.

pub mod domain;
