//! What a path answers and how it misbehaves: `Route` (bytes with
//! Range/If-Range and validators, redirect, JSON, status) and `Fault`, and
//! the per-request decision (`Reply`) taken under the server's routes lock so
//! fault counters stay exact with concurrent clients.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use sha2::{Digest, Sha256};

use super::Request;
use super::http::{self, RangeAsk};

/// Fixed base of every Last-Modified (2023-11-14); the content hash adds an offset.
const EPOCH_BASE: u64 = 1_700_000_000;
const HTML_PAGE: &str = "<!DOCTYPE html>\n<html><head><title>Sign in</title></head>\n\
<body><form action=\"/login\" method=\"post\"><p>Please sign in to use this network.</p>\
<input name=\"user\"><input name=\"pass\" type=\"password\"></form></body></html>\n";

/// A misbehaviour. `times: None` means on every request; `Some(n)` only the
/// first n requests that reach it, after which the route behaves normally.
/// Drop/Stall only fire on GET (a HEAD has no body to cut).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Answer `code` with these extra headers instead of the route.
    Status { code: u16, times: Option<usize>, headers: Vec<(String, String)> },
    /// Send the headers and `bytes` body bytes, then close the connection.
    DropAfter { bytes: u64, times: Option<usize> },
    /// Send the headers and `after_bytes` body bytes, then hold the socket
    /// open, sending nothing, until the client gives up or the server drops.
    Stall { after_bytes: u64, times: Option<usize> },
    /// Like `Stall`, but send the rest once the test opens `gate`: a response
    /// held open until something else has happened.
    Hold { after_bytes: u64, gate: Gate, times: Option<usize> },
    /// Declare this Content-Length but send the real body.
    WrongContentLength(u64),
    /// Never honour Range (no Accept-Ranges; always 200 with the full body).
    IgnoreRange,
    /// Answer 200 `text/html` with a login page (a captive portal).
    Html,
    /// Send `after_bytes`, then one byte every `every` (a server that is
    /// never silent long enough to time out, and never gets anywhere).
    Drip { after_bytes: u64, every: std::time::Duration },
    /// `bytes` zero bytes after the body, announced in Content-Length.
    Junk { bytes: u64 },
    /// No Content-Length, and zero bytes after the body for as long as the
    /// client reads.
    Endless,
    /// After `requests` requests, serve `to` instead (new ETag and
    /// Last-Modified): a file replaced on the server mid-download.
    ChangeAfter { requests: usize, to: Arc<Vec<u8>> },
    /// Send nothing, not even the status line, until the test opens `gate`.
    HoldHead(Gate),
    /// Each connection's body at this pace (a throttled CDN).
    Pace { bytes_per_sec: u64 },
    /// On the `request`-th request only (1-based), cut after `bytes`.
    DropAfterOn { request: usize, bytes: u64 },
    /// Serve the first `allowed` requests that carry `Range`, then answer
    /// the next `refused` of them 503: a server that caps the connections of
    /// one client refusing the extra ones while the others run.
    RefuseRangesAfter { allowed: usize, refused: usize },
}

/// Opened by a test to let a held response go on.
#[derive(Clone, Debug, Default)]
pub struct Gate(Arc<AtomicBool>);

impl Gate {
    pub fn new() -> Gate {
        Gate::default()
    }
    pub fn open(&self) {
        self.0.store(true, Ordering::SeqCst);
    }
    pub fn is_open(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

impl PartialEq for Gate {
    fn eq(&self, other: &Gate) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for Gate {}

impl Fault {
    pub fn status(code: u16) -> Fault {
        Fault::Status { code, times: None, headers: Vec::new() }
    }
    pub fn drop_after(bytes: u64) -> Fault {
        Fault::DropAfter { bytes, times: None }
    }
    pub fn stall(after_bytes: u64) -> Fault {
        Fault::Stall { after_bytes, times: None }
    }
    pub fn hold(after_bytes: u64, gate: &Gate) -> Fault {
        Fault::Hold { after_bytes, gate: gate.clone(), times: None }
    }
    /// GitHub's rate-limit answer: `code` (403 or 429) with
    /// `x-ratelimit-remaining: 0` and `x-ratelimit-reset: reset_epoch`.
    pub fn rate_limited(code: u16, reset_epoch: u64) -> Fault {
        Fault::status(code)
            .header("x-ratelimit-limit", "60")
            .header("x-ratelimit-remaining", "0")
            .header("x-ratelimit-used", "60")
            .header("x-ratelimit-reset", reset_epoch.to_string())
    }
    /// Only the first `n` times. Panics on faults that have no count.
    pub fn times(mut self, n: usize) -> Fault {
        match &mut self {
            Fault::Status { times, .. }
            | Fault::DropAfter { times, .. }
            | Fault::Stall { times, .. }
            | Fault::Hold { times, .. } => *times = Some(n),
            other => panic!("Fault::times does not apply to {other:?}"),
        }
        self
    }
    /// Adds a response header to a `Status` fault (e.g. `retry-after`).
    pub fn header(mut self, name: &str, value: impl Into<String>) -> Fault {
        match &mut self {
            Fault::Status { headers, .. } => headers.push((name.to_ascii_lowercase(), value.into())),
            other => panic!("Fault::header only applies to Status, not {other:?}"),
        }
        self
    }
    fn limit(&self) -> Option<usize> {
        match self {
            Fault::Status { times, .. }
            | Fault::DropAfter { times, .. }
            | Fault::Stall { times, .. }
            | Fault::Hold { times, .. } => *times,
            _ => None,
        }
    }
}

/// What a path answers. Build with `bytes`, `redirect`, `json` or `status`,
/// then refine with `header`, `with_status`, `without_etag` and `fault`.
#[derive(Clone, Debug)]
pub struct Route {
    status: u16,
    body: Arc<Vec<u8>>,
    /// Bytes routes: ETag, Last-Modified, Accept-Ranges and Range support.
    ranged: bool,
    /// Computed once at construction: hashing a big body per request is slow.
    etag: Option<String>,
    last_modified: String,
    headers: Vec<(String, String)>,
    /// Each fault with how many times it has fired.
    faults: Vec<(Fault, usize)>,
}

impl Route {
    fn new(status: u16, body: Vec<u8>, content_type: &str) -> Route {
        let headers = vec![("content-type".to_string(), content_type.to_string())];
        let digest = Sha256::digest(&body);
        let etag = Some(format!("\"{}\"", super::super::hex(&digest[..16])));
        // Fixed per content, so it changes when the content does.
        let offset = u64::from(u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]]));
        let last_modified = http::http_date(EPOCH_BASE + offset % 50_000_000);
        let body = Arc::new(body);
        Route { status, body, ranged: false, etag, last_modified, headers, faults: Vec::new() }
    }
    pub fn bytes(data: impl Into<Vec<u8>>) -> Route {
        Route { ranged: true, ..Route::new(200, data.into(), "application/octet-stream") }
    }
    /// 302 to any absolute URL (another port, another scheme).
    pub fn redirect(url: impl Into<String>) -> Route {
        Route::new(302, Vec::new(), "text/plain").header("location", url)
    }
    pub fn json(value: serde_json::Value) -> Route {
        let body = serde_json::to_vec_pretty(&value).expect("json value serializes");
        Route::new(200, body, "application/json; charset=utf-8")
    }
    pub fn status(code: u16, body: impl Into<Vec<u8>>) -> Route {
        Route::new(code, body.into(), "text/plain; charset=utf-8")
    }
    /// Replaces the status code (e.g. a JSON 404, a 307 redirect).
    pub fn with_status(mut self, code: u16) -> Route {
        self.status = code;
        self
    }
    /// Adds or replaces a response header.
    pub fn header(mut self, name: &str, value: impl Into<String>) -> Route {
        let name = name.to_ascii_lowercase();
        self.headers.retain(|(k, _)| *k != name);
        self.headers.push((name, value.into()));
        self
    }
    /// Leaves Last-Modified as the only validator for `If-Range`.
    pub fn without_etag(mut self) -> Route {
        self.etag = None;
        self
    }
    pub fn fault(mut self, fault: Fault) -> Route {
        self.faults.push((fault, 0));
        self
    }

    /// Fires the first still-armed fault matching `pick`, counting it.
    fn fire(&mut self, pick: impl Fn(&Fault) -> bool) -> Option<Fault> {
        let (fault, fired) =
            self.faults.iter_mut().find(|(f, fired)| pick(f) && f.limit().is_none_or(|n| *fired < n))?;
        *fired += 1;
        Some(fault.clone())
    }
    fn has(&self, fault: &Fault) -> bool {
        self.faults.iter().any(|(f, _)| f == fault)
    }
    /// Decides the whole answer to `req`; runs under the routes lock so fault
    /// counters are exact even with concurrent clients.
    pub(super) fn respond(&mut self, req: &Request) -> Reply {
        if req.method != "GET" && req.method != "HEAD" {
            let mut reply = Reply::plain(405, "method not allowed\n");
            reply.headers.push(("allow".into(), "GET, HEAD".into()));
            return reply;
        }
        if let Some(i) = self.faults.iter().position(|(f, _)| matches!(f, Fault::ChangeAfter { .. })) {
            let (fault, seen) = &mut self.faults[i];
            *seen += 1;
            if let Fault::ChangeAfter { requests, to } = fault.clone()
                && *seen > requests
            {
                let changed = Route::bytes(to.as_slice().to_vec());
                (self.body, self.etag, self.last_modified) =
                    (changed.body, changed.etag, changed.last_modified);
                self.faults.remove(i);
            }
        }
        let hold_head = self.faults.iter().find_map(|(f, _)| match f {
            Fault::HoldHead(g) => Some(g.clone()),
            _ => None,
        });
        for (f, seen) in &mut self.faults {
            if let Fault::RefuseRangesAfter { allowed, refused } = f
                && req.header("range").is_some()
            {
                *seen += 1;
                if *seen > *allowed && *seen <= *allowed + *refused {
                    return Reply::plain(503, "too many connections\n");
                }
            }
        }
        if let Some(Fault::Status { code, headers, .. }) = self.fire(|f| matches!(f, Fault::Status { .. })) {
            let mut reply = Reply::plain(code, format!("injected status {code}\n"));
            reply.headers.extend(headers);
            return reply;
        }
        let mut reply = if self.has(&Fault::Html) {
            let mut reply = Reply::plain(200, HTML_PAGE);
            reply.headers = vec![("content-type".into(), "text/html; charset=utf-8".into())];
            reply
        } else {
            self.normal(req)
        };
        if let Some((Fault::WrongContentLength(n), _)) =
            self.faults.iter().find(|(f, _)| matches!(f, Fault::WrongContentLength(_)))
        {
            reply.declared = Some(*n);
        }
        for (f, _) in &self.faults {
            match f {
                Fault::Junk { bytes } => reply.tail = Tail::Zeros(*bytes),
                Fault::Endless => reply.tail = Tail::Endless,
                _ => {}
            }
        }
        if req.method == "GET" {
            if let Some((Fault::Drip { after_bytes, every }, _)) =
                self.faults.iter().find(|(f, _)| matches!(f, Fault::Drip { .. }))
            {
                reply.cut = Some(Cut::Drip(*after_bytes, *every));
                return reply;
            }
            let cuts =
                |f: &Fault| matches!(f, Fault::DropAfter { .. } | Fault::Stall { .. } | Fault::Hold { .. });
            reply.cut = match self.fire(cuts) {
                Some(Fault::DropAfter { bytes, .. }) => Some(Cut::Drop(bytes)),
                Some(Fault::Stall { after_bytes, .. }) => Some(Cut::Stall(after_bytes)),
                Some(Fault::Hold { after_bytes, gate, .. }) => Some(Cut::Hold(after_bytes, gate)),
                _ => None,
            };
        }
        reply.hold_head = hold_head;
        for (f, seen) in &mut self.faults {
            match f {
                Fault::Pace { bytes_per_sec } => reply.pace = Some(*bytes_per_sec),
                Fault::DropAfterOn { request, bytes } if req.method == "GET" => {
                    *seen += 1;
                    if *seen == *request {
                        reply.cut = Some(Cut::Drop(*bytes));
                    }
                }
                _ => {}
            }
        }
        reply
    }

    fn normal(&self, req: &Request) -> Reply {
        let len = self.body.len();
        let mut reply = Reply {
            status: self.status,
            headers: self.headers.clone(),
            body: self.body.clone(),
            span: 0..len,
            declared: None,
            cut: None,
            tail: Tail::None,
            hold_head: None,
            pace: None,
        };
        if !self.ranged || self.status != 200 {
            return reply;
        }
        let (etag, last_modified) = (&self.etag, &self.last_modified);
        let ranges = !self.has(&Fault::IgnoreRange);
        if ranges {
            reply.headers.push(("accept-ranges".into(), "bytes".into()));
        }
        if let Some(tag) = etag {
            reply.headers.push(("etag".into(), tag.clone()));
        }
        reply.headers.push(("last-modified".into(), last_modified.clone()));
        let validated = match req.header("if-range") {
            None => true,
            Some(v) => etag.as_deref() == Some(v) || v == last_modified.as_str(),
        };
        let ask = match req.header("range") {
            Some(r) if ranges && validated => http::parse_range(r, len as u64),
            _ => RangeAsk::Full,
        };
        match ask {
            RangeAsk::Full => {}
            RangeAsk::Part(first, last) => {
                reply.status = 206;
                reply.span = first as usize..last as usize + 1;
                reply.headers.push(("content-range".into(), format!("bytes {first}-{last}/{len}")));
            }
            RangeAsk::Unsatisfiable => {
                reply.status = 416;
                reply.span = 0..0;
                reply.headers.push(("content-range".into(), format!("bytes */{len}")));
            }
        }
        reply
    }
}

/// The decided answer, written by the connection thread outside the lock.
pub(super) struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Arc<Vec<u8>>,
    /// The part of `body` to send (a 206 sends a slice).
    pub span: std::ops::Range<usize>,
    /// A Content-Length to announce instead of the real one.
    pub declared: Option<u64>,
    pub cut: Option<Cut>,
    /// What follows the body.
    pub tail: Tail,
    /// Nothing is sent until it opens.
    pub hold_head: Option<Gate>,
    /// Body bytes a second on this connection.
    pub pace: Option<u64>,
}

pub(super) enum Cut {
    Drop(u64),
    Stall(u64),
    Hold(u64, Gate),
    Drip(u64, std::time::Duration),
}

pub(super) enum Tail {
    None,
    Zeros(u64),
    Endless,
}

impl Reply {
    fn plain(status: u16, body: impl Into<Vec<u8>>) -> Reply {
        let body: Vec<u8> = body.into();
        let headers = vec![("content-type".into(), "text/plain; charset=utf-8".into())];
        Reply {
            status,
            headers,
            span: 0..body.len(),
            body: Arc::new(body),
            declared: None,
            cut: None,
            tail: Tail::None,
            hold_head: None,
            pace: None,
        }
    }
}
