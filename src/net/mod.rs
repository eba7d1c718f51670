//! Everything that touches the network: the HTTP client with retries, the
//! resumable download body, GitHub's release API, and the mirror chain.

pub(crate) mod body;
pub(crate) mod github;
pub(crate) mod http;
pub(crate) mod ranged;
pub(crate) mod retry;
mod roots;
pub(crate) mod sources;
