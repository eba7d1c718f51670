//! Terminal output: progress bars and the text of reports.

pub mod progress;
pub mod report;
