//! The one HTTP client: timeouts, proxy from the environment, a redirect
//! policy (https never downgrades; plain http only to loopback unless
//! allowed), credentials from the user's netrc for the hosts it names, and
//! retries with exponential backoff and jitter that honour `Retry-After` and
//! GitHub's rate-limit reset. Every URL that reaches a message is redacted.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::blocking::{Client, RequestBuilder, Response};
use reqwest::header::CONTENT_TYPE;
use reqwest::{StatusCode, redirect};

use super::retry;
use crate::domain::mirror::{for_log, is_loopback, redact};
use crate::domain::proxy::proxy_for;
use crate::error::{Error, NetKind, Result};
use crate::interrupt;
use crate::progress::{Event, EventSink};

/// The most an archive may be, announced or not, unless --max-download
/// says otherwise (the largest published archive is well under this; an
/// endless body is not).
pub(crate) const MAX_BODY: u64 = 4 << 30;
/// The most a checksum file or an API answer may be.
const MAX_SMALL: u64 = 4 << 20;

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
    /// `--allow-http`: plain http to hosts other than loopback, redirects included.
    pub(crate) allow_http: bool,
    /// Bytes a second below which a download counts as stalled, measured over
    /// `timeout` (a server dripping a byte now and then is not alive).
    pub(crate) min_rate: u64,
    /// `--max-download`: the most bytes one archive may be.
    pub(crate) max_body: u64,
    pub(crate) credentials: Credentials,
    /// Retries, redirects and requests, as they happen.
    pub(crate) events: EventSink,
    /// The proxy variables of the environment, to name the proxy in use.
    pub(crate) proxy_env: Vec<(String, String)>,
    /// `--connections`: the most connections for one archive (1: one stream).
    pub(crate) connections: u32,
}

impl Default for HttpOptions {
    fn default() -> Self {
        HttpOptions {
            timeout: Duration::from_secs(30),
            attempts: 5,
            backoff: Duration::from_millis(500),
            max_wait: Duration::from_secs(60),
            allow_http: false,
            min_rate: 1024,
            max_body: MAX_BODY,
            credentials: Credentials::default(),
            events: EventSink::default(),
            proxy_env: Vec::new(),
            connections: 8,
        }
    }
}

/// Login and password per host, from the user's netrc (as go reads it for
/// GOPROXY). `Debug` never shows them.
#[derive(Clone, Default)]
pub(crate) struct Credentials(Arc<HashMap<String, (String, String)>>);

impl Credentials {
    pub(crate) fn new(hosts: HashMap<String, (String, String)>) -> Credentials {
        Credentials(Arc::new(hosts))
    }

    fn for_url(&self, url: &str) -> Option<&(String, String)> {
        let u = reqwest::Url::parse(url).ok()?;
        // Credentials in the URL itself win; reqwest sends those.
        if !u.username().is_empty() {
            return None;
        }
        self.0.get(u.host_str()?)
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Credentials({} host(s), ***)", self.0.len())
    }
}

/// How a request authenticates.
#[derive(Clone, Copy)]
pub(crate) enum Auth<'a> {
    /// The netrc entry for the URL's host, if any (mirrors, downloads). reqwest
    /// drops it, as it drops any `Authorization`, on a redirect to another host.
    Netrc,
    /// A GitHub token, for the API that belongs to the base only.
    Bearer(&'a str),
}

#[derive(Clone)]
pub(crate) struct Http {
    pub(crate) client: Client,
    pub(crate) opts: HttpOptions,
    /// Proxies already named, so each is said once per run.
    announced: Arc<Mutex<Vec<String>>>,
}

impl Http {
    pub(crate) fn new(opts: HttpOptions) -> Result<Http> {
        let allow_http = opts.allow_http;
        let events = opts.events.clone();
        let policy = redirect::Policy::custom(move |attempt| {
            match redirect_refusal(
                attempt.previous().last().map(|u| u.scheme()),
                attempt.url(),
                attempt.previous().len(),
                allow_http,
            ) {
                Some(why) => attempt.error(why),
                None => {
                    events.detail(1, &format!("  redirected to {}", for_log(attempt.url().as_str())));
                    attempt.follow()
                }
            }
        });
        let client = Client::builder()
            .user_agent(concat!("slim-setup/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(opts.timeout)
            // In the blocking client this bounds each read: an idle-read timeout.
            .timeout(opts.timeout)
            .redirect(policy)
            .tls_backend_preconfigured(
                super::roots::client_config()
                    .map_err(|e| Error::Other(format!("could not set up TLS: {e}")))?,
            )
            .build()
            .map_err(|e| Error::Other(format!("could not set up the HTTP client: {e}")))?;
        Ok(Http { client, opts, announced: Arc::default() })
    }

    /// "via proxy ..." the first time a proxy carries a request.
    fn announce_proxy(&self, url: &str) {
        let Ok(u) = reqwest::Url::parse(url) else { return };
        let Some((var, proxy)) = proxy_for(u.scheme(), u.host_str().unwrap_or(""), &self.opts.proxy_env)
        else {
            return;
        };
        let proxy = redact(proxy);
        let mut said = self.announced.lock().unwrap_or_else(|p| p.into_inner());
        if !said.contains(&proxy) {
            said.push(proxy.clone());
            self.opts.events.event(Event::Proxy { proxy: &proxy, var });
        }
    }

    /// GET with retries. 2xx, 404 and 410 come back as responses; other
    /// failures as errors (after the retries the failure deserves), each
    /// retry told as it happens.
    pub(crate) fn send(
        &self,
        url: &str,
        auth: Auth,
        build: &dyn Fn(RequestBuilder) -> RequestBuilder,
    ) -> Result<Response> {
        self.announce_proxy(url);
        let logged = for_log(url);
        let mut attempt = 0;
        loop {
            interrupt::check()?;
            attempt += 1;
            let request = match auth {
                Auth::Bearer(token) => self.client.get(url).bearer_auth(token),
                Auth::Netrc => match self.opts.credentials.for_url(url) {
                    Some((login, password)) => self.client.get(url).basic_auth(login, Some(password)),
                    None => self.client.get(url),
                },
            };
            let started = Instant::now();
            match build(request).send() {
                Err(e) => {
                    let err = network_error(url, &e, self.opts.timeout);
                    let reason = failure_reason(&err);
                    self.opts.events.detail(1, &format!("GET {logged}: {reason}"));
                    // Refused by this machine: nothing listens there, and waiting will not change that.
                    let local =
                        reqwest::Url::parse(url).ok().is_some_and(|u| u.host_str().is_some_and(is_loopback));
                    let attempts = if local && retry::refused(&e) {
                        self.opts.attempts.min(2)
                    } else {
                        self.opts.attempts
                    };
                    if attempt >= attempts || !retry::retryable_error(&e) {
                        return Err(err);
                    }
                    let wait = retry::backoff(self.opts.backoff, attempt);
                    let what = format!("could not reach {}: {reason}", host_of(url));
                    self.wait_to_retry(&what, attempt, attempts, wait)?;
                }
                Ok(resp) => {
                    let status = resp.status();
                    let ms = started.elapsed().as_millis();
                    self.opts.events.detail(1, &format!("GET {logged} -> {} in {ms} ms", status.as_u16()));
                    if status.is_success() || is_gone(status) {
                        return Ok(resp);
                    }
                    let limited = retry::rate_limited(&resp);
                    let answered = answered_by(url, &resp);
                    if !(limited || retry::retryable_status(status)) {
                        return Err(status_error(&answered, status));
                    }
                    let wait = retry::server_wait(&resp)
                        .unwrap_or_else(|| retry::backoff(self.opts.backoff, attempt));
                    if wait > self.opts.max_wait {
                        return Err(too_long(answered, status, wait, self.opts.max_wait, limited));
                    }
                    if attempt >= self.opts.attempts {
                        return Err(status_error(&answered, status));
                    }
                    let what = format!("{} answered {}", host_of(resp.url().as_str()), status.as_u16());
                    self.wait_to_retry(&what, attempt, self.opts.attempts, wait)?;
                }
            }
        }
    }

    /// A small document (JSON, SHA256SUMS): `None` when the server says it
    /// is not there (404, 410). A login page or an oversized answer is an
    /// error, never the document.
    /// Says what failed and when the next try comes (cargo's "spurious network
    /// error"), then waits, unless Ctrl-C comes first.
    pub(crate) fn wait_to_retry(
        &self,
        what: &str,
        attempt: u32,
        attempts: u32,
        wait: Duration,
    ) -> Result<()> {
        self.opts.events.event(Event::Retry { what, attempt, attempts, wait });
        interrupt::sleep(wait)
    }

    pub(crate) fn get_small(
        &self,
        url: &str,
        auth: Auth,
        build: &dyn Fn(RequestBuilder) -> RequestBuilder,
    ) -> Result<Option<Vec<u8>>> {
        // A body cut short is retried like a failed request: the document
        // decides whether the install is verified.
        let mut attempt = 0;
        loop {
            attempt += 1;
            let resp = self.send(url, auth, build)?;
            if is_gone(resp.status()) {
                return Ok(None);
            }
            let answered = answered_by(url, &resp);
            if let Some(ct) = resp.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok())
                && ct.starts_with("text/html")
            {
                return Err(Error::BadBody { url: answered, reason: format!("got an HTML page ({ct})") });
            }
            let mut bytes = Vec::new();
            let mut limited = std::io::Read::take(resp, MAX_SMALL + 1);
            match std::io::Read::read_to_end(&mut limited, &mut bytes) {
                Ok(_) if bytes.len() as u64 > MAX_SMALL => {
                    let reason = format!("it is larger than {MAX_SMALL} bytes");
                    return Err(Error::BadBody { url: answered, reason });
                }
                Ok(_) => return Ok(Some(bytes)),
                Err(e) if attempt >= self.opts.attempts => {
                    let reason = format!("the answer was cut short after {} bytes ({e})", bytes.len());
                    return Err(Error::Network {
                        host: host_of(url),
                        url: redact(url),
                        reason,
                        kind: NetKind::Other,
                    });
                }
                Err(e) => {
                    let wait = retry::backoff(self.opts.backoff, attempt);
                    let what = format!("the answer from {} was cut short ({e})", host_of(url));
                    self.wait_to_retry(&what, attempt, self.opts.attempts, wait)?;
                }
            }
        }
    }
}

/// Why a request failed, without repeating the URL the caller names anyway.
pub(crate) fn failure_reason(e: &Error) -> String {
    let reason = match e {
        Error::HttpStatus { status, .. } => format!("it answered {status}"),
        Error::Network { reason, .. } | Error::BadBody { reason, .. } => reason.clone(),
        other => other.message(),
    };
    match e.hint() {
        Some(hint) if matches!(e, Error::HttpStatus { hint: Some(_), .. }) => format!("{reason}; {hint}"),
        _ => reason,
    }
}

/// "Not there": the only answers that mean nothing is published.
pub(crate) fn is_gone(status: StatusCode) -> bool {
    status == StatusCode::NOT_FOUND || status == StatusCode::GONE
}

/// Why a redirect must not be followed: plain http to a host that is not
/// loopback only with `--allow-http`, from https too (the rule for given
/// URLs holds for redirects: the bytes could be altered in transit), and
/// chains end after 10 hops.
pub(crate) fn redirect_refusal(
    previous_scheme: Option<&str>,
    next: &reqwest::Url,
    hops: usize,
    allow_http: bool,
) -> Option<String> {
    let plain = next.scheme() == "http";
    if plain && !allow_http && !next.host_str().is_some_and(is_loopback) {
        let from = if previous_scheme == Some("https") { " from https" } else { "" };
        Some(format!(
            "refused a redirect{from} to plain http ({}); pass --allow-http if you trust the network",
            host_of(next.as_str())
        ))
    } else if hops >= 10 {
        Some("too many redirects".into())
    } else {
        None
    }
}

/// The server asks for a longer wait than --max-wait allows.
fn too_long(url: String, status: StatusCode, wait: Duration, max: Duration, limited: bool) -> Error {
    let next = if limited {
        "set GITHUB_TOKEN for a higher GitHub rate limit, or retry later"
    } else {
        "retry later"
    };
    Error::HttpStatus {
        url,
        status: status.as_u16(),
        available: vec![],
        hint: Some(format!(
            "the server asks to wait {}s (longer than {}s); {next}",
            wait.as_secs(),
            max.as_secs()
        )),
    }
}

/// The URL asked for (redacted), plus the host that really answered when a
/// redirect led elsewhere (the signed CDN URL itself is not shown: its query
/// is a credential).
pub(crate) fn answered_by(url: &str, resp: &Response) -> String {
    let final_host = host_of(resp.url().as_str());
    let url = redact(url);
    if final_host == host_of(&url) { url } else { format!("{url} (served by {final_host})") }
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
    Error::HttpStatus { url: redact(url), status: status.as_u16(), available: vec![], hint: None }
}

pub(crate) fn network_error(url: &str, e: &reqwest::Error, timeout: Duration) -> Error {
    if e.is_redirect() {
        return Error::Redirect { url: redact(url), reason: innermost(e) };
    }
    let reason =
        if e.is_timeout() { format!("no response within {}s", timeout.as_secs()) } else { innermost(e) };
    let kind = if e.is_timeout() {
        NetKind::Timeout
    } else if super::retry::refused(e) {
        NetKind::Refused
    } else if super::retry::untrusted(e) {
        NetKind::Untrusted
    } else {
        NetKind::Other
    };
    let host = e.url().map(|u| host_of(u.as_str())).unwrap_or_else(|| host_of(url));
    Error::Network { host, url: redact(url), reason, kind }
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
    fn redirects_follow_the_rules_for_given_urls() {
        let url = |u: &str| reqwest::Url::parse(u).unwrap();
        // (from, to, hops, --allow-http) -> refused?
        let table = [
            (Some("https"), "http://cdn.example/x", 1, false, Some("from https to plain http (cdn.example)")),
            (Some("https"), "http://cdn.example/x", 1, true, None),
            (Some("https"), "http://127.0.0.1:9/x", 1, false, None),
            (Some("http"), "http://mirror.example.net/x", 1, false, Some("--allow-http")),
            (Some("http"), "http://mirror.example.net/x", 1, true, None),
            (Some("http"), "http://127.0.0.1:9/x", 1, false, None),
            (Some("https"), "https://cdn.example/x", 1, false, None),
            (Some("http"), "https://x/y", 9, false, None),
            (Some("https"), "https://x/y", 10, false, Some("too many redirects")),
        ];
        for (from, to, hops, allow, want) in table {
            let got = redirect_refusal(from, &url(to), hops, allow);
            match want {
                None => assert_eq!(got, None, "{to}"),
                Some(part) => assert!(got.as_deref().is_some_and(|g| g.contains(part)), "{to}: {got:?}"),
            }
        }
    }

    #[test]
    fn netrc_credentials_stay_out_of_debug_and_yield_to_the_url() {
        let c = Credentials::new([("m.corp".to_string(), ("bob".to_string(), "pw".to_string()))].into());
        assert_eq!(format!("{c:?}"), "Credentials(1 host(s), ***)");
        assert_eq!(c.for_url("https://m.corp/x").map(|(l, _)| l.as_str()), Some("bob"));
        assert_eq!(c.for_url("https://alice@m.corp/x"), None);
        assert_eq!(c.for_url("https://other/x"), None);
        assert!(is_gone(StatusCode::GONE) && is_gone(StatusCode::NOT_FOUND) && !is_gone(StatusCode::OK));
    }

    #[test]
    fn hosts_are_named_with_ports() {
        assert_eq!(host_of("http://127.0.0.1:8080/a/b"), "127.0.0.1:8080");
        assert_eq!(host_of("https://github.com/x"), "github.com");
    }
}
