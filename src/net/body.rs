//! A download body that survives broken connections: when a read fails or the
//! body ends short of its length, it asks again with `Range` from the byte it
//! reached, guarded by `If-Range` so a changed file is never spliced. A server
//! that ignores `Range` forces a clean restart, reported as `Error::Restart`.

use std::io::{self, Read};

use reqwest::StatusCode;
use reqwest::blocking::Response;
use reqwest::header::{CONTENT_LENGTH, CONTENT_RANGE, CONTENT_TYPE, ETAG, IF_RANGE, LAST_MODIFIED, RANGE};

use super::http::{Http, backoff, host_of, status_error};
use crate::error::{Error, Result};
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

pub(crate) struct Body {
    http: Http,
    url: String,
    resp: Response,
    pos: u64,
    total: Option<u64>,
    validator: Option<String>,
    resumes: u32,
}

impl Body {
    /// Open a download. `Ok(None)` on 404. A 200 carrying an HTML page (a captive
    /// portal or a login wall) is refused before a byte is used.
    pub(crate) fn open(http: &Http, url: &str, expected_size: Option<u64>) -> Result<Option<Body>> {
        let resp = http.send(url, &|r| r)?;
        if resp.status() == StatusCode::NOT_FOUND {
            return Ok(None);
        }
        if let Some(ct) = header(&resp, CONTENT_TYPE.as_str())
            && ct.starts_with("text/html")
        {
            return Err(Error::BadBody {
                url: url.into(),
                reason: format!("got an HTML page ({ct}) from {}", host_of(resp.url().as_str())),
            });
        }
        let total = header(&resp, CONTENT_LENGTH.as_str()).and_then(|v| v.parse().ok());
        if let (Some(t), Some(e)) = (total, expected_size)
            && t != e
        {
            return Err(Error::BadBody {
                url: url.into(),
                reason: format!("it is {t} bytes but the release lists {e}"),
            });
        }
        let validator = header(&resp, ETAG.as_str())
            .filter(|e| !e.starts_with("W/"))
            .or_else(|| header(&resp, LAST_MODIFIED.as_str()));
        Ok(Some(Body { http: http.clone(), url: url.into(), resp, pos: 0, total, validator, resumes: 0 }))
    }

    pub(crate) fn total(&self) -> Option<u64> {
        self.total
    }

    /// The host that served the bytes (after redirects), for messages.
    pub(crate) fn served_by(&self) -> String {
        host_of(self.resp.url().as_str())
    }

    fn resume(&mut self, why: &str) -> io::Result<()> {
        self.resumes += 1;
        if self.resumes >= self.http.opts.attempts {
            return Err(Error::Network {
                host: self.served_by(),
                url: self.url.clone(),
                reason: format!("the download broke {} times ({why})", self.resumes),
            }
            .carry());
        }
        let Some(validator) = self.validator.clone() else {
            return Err(Error::Restart { url: self.url.clone() }.carry());
        };
        interrupt::sleep(backoff(self.http.opts.backoff, self.resumes)).map_err(Error::carry)?;
        let range = format!("bytes={}-", self.pos);
        let sent = self
            .http
            .send(&self.url, &|r| r.header(RANGE, range.as_str()).header(IF_RANGE, validator.as_str()));
        let resp = match sent {
            Ok(resp) => resp,
            // Nothing left to send from here: the first answer promised more than it had.
            Err(Error::HttpStatus { status: 416, .. }) => {
                return Err(Error::BadBody {
                    url: self.url.clone(),
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
                Ok(())
            }
            Resume::StartOver => Err(Error::Restart { url: self.url.clone() }.carry()),
            Resume::Fail => Err(status_error(&self.url, resp.status()).carry()),
        }
    }
}

fn header(resp: &Response, name: &str) -> Option<String> {
    resp.headers().get(name)?.to_str().ok().map(str::to_string)
}

impl Read for Body {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            interrupt::check().map_err(Error::carry)?;
            match self.resp.read(buf) {
                Ok(0) => match self.total {
                    Some(t) if self.pos < t => self.resume("the connection closed early")?,
                    _ => return Ok(0),
                },
                Ok(n) => {
                    self.pos += n as u64;
                    if self.total.is_some_and(|t| self.pos > t) {
                        return Err(Error::BadBody {
                            url: self.url.clone(),
                            reason: "it sent more bytes than its Content-Length".into(),
                        }
                        .carry());
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
                    let why = if timed_out {
                        format!("no data for {}s", self.http.opts.timeout.as_secs())
                    } else {
                        e.to_string()
                    };
                    self.resume(&why)?
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
}
