//! When a failed request is tried again, and after how long: connection
//! errors, timeouts, 5xx, 408 and 429 are retried with exponential backoff and
//! jitter, honouring `Retry-After` and GitHub's rate-limit reset; a refused
//! connection to this machine is nothing listening there, so it gets one
//! retry, not five.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::StatusCode;
use reqwest::blocking::Response;

pub(crate) fn retryable_error(e: &reqwest::Error) -> bool {
    // A refused redirect (https -> http) is a decision, not a network blip;
    // so is a certificate this machine does not trust.
    !e.is_redirect() && !e.is_builder() && !untrusted(e)
}

/// The TLS handshake failed on the server's certificate (unknown issuer,
/// expired, another name, no roots to check it with).
pub(crate) fn untrusted(e: &reqwest::Error) -> bool {
    let is_cert = |r: &rustls::Error| {
        matches!(r, rustls::Error::InvalidCertificate(_) | rustls::Error::NoCertificatesPresented)
            || matches!(r, rustls::Error::General(m) if m.contains("certificates"))
    };
    // hyper and tokio-rustls wrap the handshake's error in an io::Error each,
    // and an io::Error's `source` skips what it wraps: unwrap them by hand.
    fn unwrap_io<'a>(
        mut err: &'a (dyn std::error::Error + 'static),
    ) -> &'a (dyn std::error::Error + 'static) {
        while let Some(inner) = err.downcast_ref::<std::io::Error>().and_then(|io| io.get_ref()) {
            err = inner;
        }
        err
    }
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        if unwrap_io(err).downcast_ref::<rustls::Error>().is_some_and(is_cert) {
            return true;
        }
        cur = err.source();
    }
    false
}

pub(crate) fn retryable_status(s: StatusCode) -> bool {
    s.is_server_error() || s == StatusCode::TOO_MANY_REQUESTS || s == StatusCode::REQUEST_TIMEOUT
}

pub(crate) fn rate_limited(resp: &Response) -> bool {
    let s = resp.status();
    (s == StatusCode::FORBIDDEN || s == StatusCode::TOO_MANY_REQUESTS)
        && resp.headers().get("x-ratelimit-remaining").is_some_and(|v| v == "0")
}

/// What the server asked for: `Retry-After` seconds, else the rate-limit reset time.
pub(crate) fn server_wait(resp: &Response) -> Option<Duration> {
    let header = |name: &str| resp.headers().get(name)?.to_str().ok()?.trim().parse::<u64>().ok();
    if let Some(secs) = header("retry-after") {
        return Some(Duration::from_secs(secs));
    }
    if rate_limited(resp) {
        let reset = header("x-ratelimit-reset")?;
        let now = SystemTime::now().duration_since(UNIX_EPOCH).ok()?.as_secs();
        return Some(Duration::from_secs(reset.saturating_sub(now) + 1));
    }
    None
}

/// Exponential backoff with up to 50% jitter, so parallel CI jobs spread out.
pub(crate) fn backoff(base: Duration, attempt: u32) -> Duration {
    let exp = base.saturating_mul(1 << attempt.saturating_sub(1).min(6)).min(Duration::from_secs(30));
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    let jitter = exp.mul_f64((nanos % 1000) as f64 / 2000.0);
    exp + jitter
}

/// Nothing listens at the address (ECONNREFUSED somewhere in the chain).
pub(crate) fn refused(e: &reqwest::Error) -> bool {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        if err
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::ConnectionRefused)
        {
            return true;
        }
        cur = err.source();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        let base = Duration::from_millis(100);
        let b1 = backoff(base, 1);
        let b3 = backoff(base, 3);
        assert!(b1 >= base && b1 <= base * 3 / 2, "{b1:?}");
        assert!(b3 >= base * 4 && b3 <= base * 6, "{b3:?}");
        assert!(backoff(Duration::from_secs(10), 20) <= Duration::from_secs(45));
    }
}
