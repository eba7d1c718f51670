//! Everything that touches the network: the HTTP client with retries, the
//! resumable download body, GitHub's release API, and the mirror chain.

pub mod body;
pub mod github;
pub mod http;
pub mod sources;
