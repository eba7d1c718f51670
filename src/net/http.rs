//! The one HTTP client: timeouts, proxy from the environment, a redirect policy
//! that never downgrades https to http, and retries with exponential backoff and
//! jitter that honour `Retry-After` and GitHub's rate-limit reset.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::blocking::{Client, RequestBuilder, Response};
use reqwest::{StatusCode, redirect};

use crate::error::{Error, Result};
use crate::interrupt;

#[derive(Debug, Clone)]
pub(crate) struct HttpOptions {
    /// Connect timeout, and the longest a read may wait for bytes.
    pub(crate) timeout: Duration,
    /// Attempts for one request (and resumes of one download) before giving up.
    pub(crate) attempts: u32,
    /// First backoff delay; doubled per attempt, with jitter, capped at 30 s.
    pub(crate) backoff: Duration,
    /// The longest a server may ask us to wait (Retry-After, rate-limit reset).
    pub(crate) max_wait: Duration,
}

impl Default for HttpOptions {
    fn default() -> Self {
        HttpOptions {
            timeout: Duration::from_secs(30),
            attempts: 5,
            backoff: Duration::from_millis(500),
            max_wait: Duration::from_secs(60),
        }
    }
}

#[derive(Clone)]
pub(crate) struct Http {
    pub(crate) client: Client,
    pub(crate) opts: HttpOptions,
}

impl Http {
    pub(crate) fn new(opts: HttpOptions) -> Result<Http> {
        let policy = redirect::Policy::custom(|attempt| {
            match redirect_refusal(
                attempt.previous().last().map(|u| u.scheme()),
                attempt.url(),
                attempt.previous().len(),
            ) {
                Some(why) => attempt.error(why),
                None => attempt.follow(),
            }
        });
        let client = Client::builder()
            .user_agent(concat!("slim-setup/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(opts.timeout)
            // In the blocking client this bounds each read: an idle-read timeout.
            .timeout(opts.timeout)
            .redirect(policy)
            .build()
            .map_err(|e| Error::Other(format!("could not set up the HTTP client: {e}")))?;
        Ok(Http { client, opts })
    }

    /// GET with retries. 2xx and 404 come back as responses; other failures as errors.
    pub(crate) fn send(
        &self,
        url: &str,
        build: &dyn Fn(RequestBuilder) -> RequestBuilder,
    ) -> Result<Response> {
        let mut attempt = 0;
        loop {
            interrupt::check()?;
            attempt += 1;
            let last = attempt >= self.opts.attempts;
            match build(self.client.get(url)).send() {
                Err(e) => {
                    if last || !retryable_error(&e) {
                        return Err(network_error(url, &e, self.opts.timeout));
                    }
                    interrupt::sleep(backoff(self.opts.backoff, attempt))?;
                }
                Ok(resp) => {
                    let status = resp.status();
                    if status.is_success() || status == StatusCode::NOT_FOUND {
                        return Ok(resp);
                    }
                    let limited = rate_limited(&resp);
                    let answered = answered_by(url, &resp);
                    if !(limited || retryable_status(status)) {
                        return Err(status_error(&answered, status));
                    }
                    let wait = server_wait(&resp).unwrap_or_else(|| backoff(self.opts.backoff, attempt));
                    if wait > self.opts.max_wait {
                        return Err(Error::HttpStatus {
                            url: answered,
                            status: status.as_u16(),
                            available: vec![],
                            hint: Some(format!(
                                "the server asks to wait {}s (longer than {}s); {}",
                                wait.as_secs(),
                                self.opts.max_wait.as_secs(),
                                if limited {
                                    "set GITHUB_TOKEN for a higher GitHub rate limit, or retry later"
                                } else {
                                    "retry later"
                                }
                            )),
                        });
                    }
                    if last {
                        return Err(status_error(&answered, status));
                    }
                    interrupt::sleep(wait)?;
                }
            }
        }
    }

    /// A small document (JSON, SHA256SUMS); `None` on 404.
    pub(crate) fn get_small(
        &self,
        url: &str,
        build: &dyn Fn(RequestBuilder) -> RequestBuilder,
    ) -> Result<Option<Vec<u8>>> {
        let resp = self.send(url, build)?;
        if resp.status() == StatusCode::NOT_FOUND {
            return Ok(None);
        }
        let bytes = resp.bytes().map_err(|e| network_error(url, &e, self.opts.timeout))?;
        Ok(Some(bytes.to_vec()))
    }
}

/// Why a redirect must not be followed: https never hands over to plain http
/// (the bytes could then be altered in transit), and chains end after 10 hops.
pub(crate) fn redirect_refusal(
    previous_scheme: Option<&str>,
    next: &reqwest::Url,
    hops: usize,
) -> Option<String> {
    if previous_scheme == Some("https") && next.scheme() == "http" {
        Some(format!("refused a redirect from https to plain http ({})", host_of(next.as_str())))
    } else if hops >= 10 {
        Some("too many redirects".into())
    } else {
        None
    }
}

fn retryable_error(e: &reqwest::Error) -> bool {
    // A refused redirect (https -> http) is a decision, not a network blip.
    !e.is_redirect() && !e.is_builder()
}

fn retryable_status(s: StatusCode) -> bool {
    s.is_server_error() || s == StatusCode::TOO_MANY_REQUESTS || s == StatusCode::REQUEST_TIMEOUT
}

fn rate_limited(resp: &Response) -> bool {
    let s = resp.status();
    (s == StatusCode::FORBIDDEN || s == StatusCode::TOO_MANY_REQUESTS)
        && resp.headers().get("x-ratelimit-remaining").is_some_and(|v| v == "0")
}

/// What the server asked for: `Retry-After` seconds, else the rate-limit reset time.
fn server_wait(resp: &Response) -> Option<Duration> {
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

/// The URL asked for, plus the host that really answered when a redirect led
/// elsewhere (the signed CDN URL itself is not shown: its query is a credential).
pub(crate) fn answered_by(url: &str, resp: &Response) -> String {
    let final_host = host_of(resp.url().as_str());
    if final_host == host_of(url) { url.to_string() } else { format!("{url} (served by {final_host})") }
}

pub(crate) fn host_of(url: &str) -> String {
    reqwest::Url::parse(url)
        .ok()
        .and_then(|u| {
            u.host_str().map(|h| match u.port() {
                Some(p) => format!("{h}:{p}"),
                None => h.to_string(),
            })
        })
        .unwrap_or_else(|| url.to_string())
}

pub(crate) fn status_error(url: &str, status: StatusCode) -> Error {
    Error::HttpStatus { url: url.into(), status: status.as_u16(), available: vec![], hint: None }
}

pub(crate) fn network_error(url: &str, e: &reqwest::Error, timeout: Duration) -> Error {
    let reason =
        if e.is_timeout() { format!("no response within {}s", timeout.as_secs()) } else { innermost(e) };
    let host = e.url().map(|u| host_of(u.as_str())).unwrap_or_else(|| host_of(url));
    Error::Network { host, url: url.into(), reason }
}

/// The most specific message in an error chain ("connection refused").
pub(crate) fn innermost(e: &dyn std::error::Error) -> String {
    let mut cur: &dyn std::error::Error = e;
    let mut msg = cur.to_string();
    while let Some(next) = cur.source() {
        cur = next;
        msg = cur.to_string();
    }
    msg
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

    #[test]
    fn redirects_never_downgrade_to_http() {
        let url = |u: &str| reqwest::Url::parse(u).unwrap();
        assert!(
            redirect_refusal(Some("https"), &url("http://cdn.example/x"), 1).unwrap().contains("cdn.example")
        );
        assert_eq!(redirect_refusal(Some("https"), &url("https://cdn.example/x"), 1), None);
        assert_eq!(redirect_refusal(Some("http"), &url("http://127.0.0.1:9/x"), 1), None);
        assert_eq!(redirect_refusal(Some("http"), &url("https://x/y"), 9), None);
        assert_eq!(
            redirect_refusal(Some("https"), &url("https://x/y"), 10).as_deref(),
            Some("too many redirects")
        );
    }

    #[test]
    fn hosts_are_named_with_ports() {
        assert_eq!(host_of("http://127.0.0.1:8080/a/b"), "127.0.0.1:8080");
        assert_eq!(host_of("https://github.com/x"), "github.com");
    }
}
