//! Terminal output: the progress observers (`progress`) and the text of an
//! install's report (`report`).

pub(crate) mod progress;
pub(crate) mod report;
