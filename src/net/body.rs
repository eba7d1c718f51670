//! A download body that survives broken connections and refuses to be
//! strung along. When a read fails, stalls, or drips slower than the minimum
//! rate for a whole timeout, or the body ends short of its length, it asks
//! again with `Range` from the byte it reached, guarded by `If-Range` so a
//! changed file is never spliced; a server that ignores `Range` forces a clean
//! restart (`Error::Restart`). It never reads past what was announced
//! (Content-Length, the release's size) or, when nothing was, past a hard cap.

use std::io::{self, Read};
use std::time::Instant;

use reqwest::StatusCode;
use reqwest::blocking::Response;
use reqwest::header::{
    ACCEPT_RANGES, CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_RANGE, CONTENT_TYPE, ETAG, IF_RANGE,
    LAST_MODIFIED, RANGE,
};

use super::http::{Auth, Http, host_of, is_gone, status_error};
use super::retry::backoff;
use crate::domain::mirror::redact;
use crate::error::{Error, NetKind, Result};
use crate::interrupt;

/// What a server's answer to a resume request means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Resume {
    /// 206 from the byte asked for: go on reading.
    Continue,
    /// 200 (Range ignored, or If-Range saw a changed file) or a 206 from
    /// elsewhere: the bytes so far cannot be kept.
    StartOver,
    /// Anything else is an error.
    Fail,
}

/// The decision from the status and the first byte of `Content-Range`.
pub(crate) fn resume_answer(status: StatusCode, range_start: Option<u64>, pos: u64) -> Resume {
    match status {
        StatusCode::PARTIAL_CONTENT if range_start == Some(pos) => Resume::Continue,
        StatusCode::PARTIAL_CONTENT | StatusCode::OK => Resume::StartOver,
        _ => Resume::Fail,
    }
}

/// The first byte of `Content-Range: bytes START-END/TOTAL`.
fn range_start(value: &str) -> Option<u64> {
    value.strip_prefix("bytes ")?.split('-').next()?.trim().parse().ok()
}

/// What the first answer to a whole-file request must not be: a login page,
/// an encoding nobody asked for (the digest is of the archive, not of its
/// gzip), or part of a file. `None` when it is fine.
pub(crate) fn refusal(
    status: StatusCode,
    content_type: Option<&str>,
    encoding: Option<&str>,
) -> Option<String> {
    if status == StatusCode::PARTIAL_CONTENT {
        return Some("it answered 206 Partial Content to a request for the whole file".into());
    }
    if let Some(ct) = content_type.filter(|ct| ct.starts_with("text/html")) {
        return Some(format!("got an HTML page ({ct})"));
    }
    match encoding.map(str::trim) {
        Some(e) if !e.is_empty() && !e.eq_ignore_ascii_case("identity") => {
            Some(format!("it sent the archive encoded (Content-Encoding: {e}) although none was asked for"))
        }
        _ => None,
    }
}

/// Tells a stall from a slow but living download: below `min_rate` bytes a
/// second over a whole window.
struct RateWindow {
    min_rate: u64,
    window: std::time::Duration,
    since: Instant,
    bytes: u64,
}

impl RateWindow {
    fn new(min_rate: u64, window: std::time::Duration) -> RateWindow {
        RateWindow { min_rate, window, since: Instant::now(), bytes: 0 }
    }

    /// Count `n` bytes arriving at `now`; true when a whole window has
    /// passed below the rate.
    fn too_slow(&mut self, n: u64, now: Instant) -> bool {
        self.bytes += n;
        let elapsed = now.saturating_duration_since(self.since);
        if elapsed < self.window {
            return false;
        }
        let slow = (self.bytes as f64) < self.min_rate as f64 * elapsed.as_secs_f64();
        self.since = now;
        self.bytes = 0;
        slow
    }
}

pub(crate) struct Body {
    http: Http,
    /// For requests (it may carry credentials) and, redacted, for messages.
    url: String,
    shown: String,
    resp: Response,
    pos: u64,
    /// Content-Length, else the release's size.
    total: Option<u64>,
    /// For one range of the file (`ranged`): where it stops, exclusive.
    end: Option<u64>,
    validator: Option<String>,
    /// The first answer said `Accept-Ranges: bytes`.
    ranges: bool,
    resumes: u32,
    rate: RateWindow,
}

fn header(resp: &Response, name: &str) -> Option<String> {
    resp.headers().get(name)?.to_str().ok().map(str::to_string)
}

impl Body {
    /// Open a download. `Ok(None)` when the server says it is not there
    /// (404, 410). A body that cannot be the archive is refused before a byte
    /// is used.
    pub(crate) fn open(http: &Http, url: &str) -> Result<Option<Body>> {
        let resp = http.send(url, Auth::Netrc, &|r| r)?;
        if is_gone(resp.status()) {
            return Ok(None);
        }
        let shown = redact(url);
        let ct = header(&resp, CONTENT_TYPE.as_str());
        let encoding = header(&resp, CONTENT_ENCODING.as_str());
        if let Some(reason) = refusal(resp.status(), ct.as_deref(), encoding.as_deref()) {
            let reason = format!("{reason} from {}", host_of(resp.url().as_str()));
            return Err(Error::BadBody { url: shown, reason });
        }
        let length = header(&resp, CONTENT_LENGTH.as_str()).and_then(|v| v.parse().ok());
        // The release's own size is compared by `expect_size`, once it is known.
        if let Some(t) = length.filter(|&t| t > http.opts.max_body) {
            let reason = format!("it is {t} bytes, more than --max-download {}", http.opts.max_body);
            return Err(Error::BadBody { url: shown, reason });
        }
        let validator = header(&resp, ETAG.as_str())
            .filter(|e| !e.starts_with("W/"))
            .or_else(|| header(&resp, LAST_MODIFIED.as_str()));
        let ranges = header(&resp, ACCEPT_RANGES.as_str()).is_some_and(|v| v.contains("bytes"));
        let rate = RateWindow::new(http.opts.min_rate, http.opts.timeout);
        Ok(Some(Body {
            http: http.clone(),
            url: url.into(),
            shown,
            resp,
            pos: 0,
            total: length,
            end: None,
            validator,
            ranges,
            resumes: 0,
            rate,
        }))
    }

    /// The bytes `start..end` of the file `validator` names, of `size`
    /// bytes in all: a 206 from `start` or nothing (a changed file, or a
    /// server that stopped honouring Range, is `Error::Restart`).
    pub(crate) fn open_range(
        http: &Http,
        url: &str,
        start: u64,
        end: u64,
        validator: &str,
        size: u64,
    ) -> Result<Body> {
        let range = format!("bytes={start}-{}", end - 1);
        let resp =
            http.send(url, Auth::Netrc, &|r| r.header(RANGE, range.as_str()).header(IF_RANGE, validator))?;
        let shown = redact(url);
        let first = header(&resp, CONTENT_RANGE.as_str()).and_then(|v| range_start(&v));
        match resume_answer(resp.status(), first, start) {
            Resume::Continue => {}
            Resume::StartOver => return Err(Error::Restart { url: shown }),
            Resume::Fail => return Err(status_error(url, resp.status())),
        }
        let rate = RateWindow::new(http.opts.min_rate, http.opts.timeout);
        Ok(Body {
            http: http.clone(),
            url: url.into(),
            shown,
            resp,
            pos: start,
            total: Some(size),
            end: Some(end),
            validator: Some(validator.to_string()),
            ranges: true,
            resumes: 0,
            rate,
        })
    }

    /// The size the release lists, learnt after the body opened (the
    /// metadata request runs beside the download): it must agree with the
    /// answer's length and stay under --max-download. Reading starts now, so
    /// the stall clock starts now too: time spent waiting for the metadata
    /// (API retries, a rate-limit wait) is not the server being slow.
    pub(crate) fn expect_size(&mut self, size: Option<u64>) -> Result<()> {
        self.rate = RateWindow::new(self.http.opts.min_rate, self.http.opts.timeout);
        match (self.total, size) {
            (Some(t), Some(e)) if t != e => Err(Error::BadBody {
                url: self.shown.clone(),
                reason: format!("it is {t} bytes but the release lists {e}"),
            }),
            (None, Some(e)) if e > self.http.opts.max_body => Err(Error::BadBody {
                url: self.shown.clone(),
                reason: format!("it is {e} bytes, more than --max-download {}", self.http.opts.max_body),
            }),
            (None, Some(e)) => {
                self.total = Some(e);
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// Can the rest of this file be asked for in ranges: the server says it
    /// honours them, and a strong validator guards against a changed file.
    pub(crate) fn rangeable(&self) -> Option<&str> {
        self.validator.as_deref().filter(|_| self.ranges)
    }

    pub(crate) fn total(&self) -> Option<u64> {
        self.total
    }

    /// The host that served the bytes (after redirects), for messages.
    pub(crate) fn served_by(&self) -> String {
        host_of(self.resp.url().as_str())
    }

    fn resume(&mut self, why: &str, kind: NetKind) -> io::Result<()> {
        self.resumes += 1;
        if self.resumes >= self.http.opts.attempts {
            return Err(Error::Network {
                host: self.served_by(),
                url: self.shown.clone(),
                reason: format!("the download broke {} times ({why})", self.resumes),
                kind,
            }
            .carry());
        }
        let Some(validator) = self.validator.clone() else {
            return Err(Error::Restart { url: self.shown.clone() }.carry());
        };
        let wait = backoff(self.http.opts.backoff, self.resumes);
        let what = format!("the download from {} broke at byte {} ({why})", self.served_by(), self.pos);
        let attempts = self.http.opts.attempts;
        self.http.wait_to_retry(&what, self.resumes, attempts, wait).map_err(Error::carry)?;
        let range = match self.end {
            Some(end) => format!("bytes={}-{}", self.pos, end - 1),
            None => format!("bytes={}-", self.pos),
        };
        let sent = self.http.send(&self.url, Auth::Netrc, &|r| {
            r.header(RANGE, range.as_str()).header(IF_RANGE, validator.as_str())
        });
        let resp = match sent {
            Ok(resp) => resp,
            // Nothing left to send from here: the first answer promised more than it had.
            Err(Error::HttpStatus { status: 416, .. }) => {
                return Err(Error::BadBody {
                    url: self.shown.clone(),
                    reason: format!(
                        "{} sent {} bytes but announced {}",
                        self.served_by(),
                        self.pos,
                        self.total.map(|t| t.to_string()).unwrap_or_else(|| "more".into())
                    ),
                }
                .carry());
            }
            Err(e) => return Err(e.carry()),
        };
        let start = header(&resp, CONTENT_RANGE.as_str()).and_then(|v| range_start(&v));
        match resume_answer(resp.status(), start, self.pos) {
            Resume::Continue => {
                self.resp = resp;
                self.rate = RateWindow::new(self.http.opts.min_rate, self.http.opts.timeout);
                Ok(())
            }
            Resume::StartOver => Err(Error::Restart { url: self.shown.clone() }.carry()),
            Resume::Fail => Err(status_error(&self.url, resp.status()).carry()),
        }
    }
}

impl Read for Body {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        let cap = self.end.or(self.total).unwrap_or(self.http.opts.max_body);
        loop {
            interrupt::check().map_err(Error::carry)?;
            // Never more than announced: ask for one byte past it, to tell.
            let room = (cap + 1).saturating_sub(self.pos).min(buf.len() as u64) as usize;
            match self.resp.read(&mut buf[..room]) {
                Ok(0) => match self.end.or(self.total) {
                    Some(t) if self.pos < t => self.resume("the connection closed early", NetKind::Other)?,
                    _ => return Ok(0),
                },
                Ok(n) => {
                    self.pos += n as u64;
                    if self.pos > cap {
                        let reason = match self.total {
                            Some(_) => "it sent more bytes than it announced".to_string(),
                            None => format!(
                                "it sent more than {cap} bytes (--max-download) without announcing a length"
                            ),
                        };
                        return Err(Error::BadBody { url: self.shown.clone(), reason }.carry());
                    }
                    if self.rate.too_slow(n as u64, Instant::now()) {
                        let why = format!(
                            "slower than {} bytes/s for {}s",
                            self.http.opts.min_rate,
                            self.http.opts.timeout.as_secs()
                        );
                        self.resume(&why, NetKind::Timeout)?;
                    }
                    return Ok(n);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    // Say what broke in plain words; the last resume reports it.
                    let timed_out = e
                        .get_ref()
                        .and_then(|r| r.downcast_ref::<reqwest::Error>())
                        .is_some_and(reqwest::Error::is_timeout);
                    let (why, kind) = if timed_out {
                        (format!("no data for {}s", self.http.opts.timeout.as_secs()), NetKind::Timeout)
                    } else {
                        (e.to_string(), NetKind::Other)
                    };
                    self.resume(&why, kind)?
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resume_answers() {
        let table = [
            (StatusCode::PARTIAL_CONTENT, Some(100), 100, Resume::Continue),
            (StatusCode::PARTIAL_CONTENT, Some(0), 100, Resume::StartOver),
            (StatusCode::PARTIAL_CONTENT, None, 100, Resume::StartOver),
            // If-Range saw another file, or Range is not supported.
            (StatusCode::OK, None, 100, Resume::StartOver),
            (StatusCode::NOT_FOUND, None, 100, Resume::Fail),
            (StatusCode::INTERNAL_SERVER_ERROR, None, 100, Resume::Fail),
        ];
        for (status, start, pos, want) in table {
            assert_eq!(resume_answer(status, start, pos), want, "{status} {start:?} at {pos}");
        }
    }

    #[test]
    fn content_range_starts() {
        assert_eq!(range_start("bytes 100-199/200"), Some(100));
        assert_eq!(range_start("bytes 0-0/1"), Some(0));
        assert_eq!(range_start("bytes */200"), None);
        assert_eq!(range_start("items 1-2/3"), None);
    }

    #[test]
    fn bodies_that_cannot_be_the_archive_are_named_for_what_they_are() {
        let zip = Some("application/zip");
        let table = [
            (StatusCode::OK, zip, None, None),
            (StatusCode::OK, zip, Some("identity"), None),
            (StatusCode::OK, None, None, None),
            (StatusCode::OK, zip, Some("gzip"), Some("Content-Encoding: gzip")),
            (StatusCode::OK, Some("text/html; charset=utf-8"), None, Some("HTML page")),
            (StatusCode::PARTIAL_CONTENT, zip, None, Some("206 Partial Content")),
        ];
        for (status, ct, enc, want) in table {
            let got = refusal(status, ct, enc);
            assert_eq!(got.is_some(), want.is_some(), "{status} {ct:?} {enc:?}: {got:?}");
            if let (Some(got), Some(want)) = (got, want) {
                assert!(got.contains(want), "{got}");
            }
        }
    }

    #[test]
    fn a_window_below_the_rate_is_a_stall() {
        let secs = std::time::Duration::from_secs;
        let mut w = RateWindow::new(1024, secs(30));
        let t0 = w.since;
        assert!(!w.too_slow(1, t0 + secs(29)), "the window has not closed");
        assert!(w.too_slow(1, t0 + secs(30)), "2 bytes in 30 s is far below 1 KiB/s");
        assert!(!w.too_slow(40_000, t0 + secs(60)), "40 kB in the next 30 s is above it");
        let mut w = RateWindow::new(0, secs(30));
        assert!(!w.too_slow(0, w.since + secs(31)), "no minimum, no stall");
    }
}
