//! Terminal output: the progress observers (`progress`), the text of an
//! install's report (`report`) and its dry run (`plan`), installed libraries (`library`), the `--json`
//! envelope (`json`), standard output that may be closed (`out`), and colour (`style`).

pub(crate) mod json;
pub(crate) mod library;
pub(crate) mod out;
pub(crate) mod plan;
pub(crate) mod progress;
pub(crate) mod report;
pub(crate) mod style;
