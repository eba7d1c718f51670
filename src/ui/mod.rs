//! Terminal output: the progress observers (`progress`), the text of an
//! install's report (`report`), and standard output that may be closed (`out`).

pub(crate) mod out;
pub(crate) mod progress;
pub(crate) mod report;
