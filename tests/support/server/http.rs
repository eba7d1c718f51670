//! HTTP/1.1 wire details for the test server: reading a request head, parsing
//! `Range`, formatting dates, and socket writes that give up when the server is
//! shutting down (so `Drop` never waits on a client that stopped reading).

use std::collections::BTreeMap;
use std::io::{self, ErrorKind, Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use super::Request;

/// A request head larger than this is refused: tests never send one.
const MAX_HEAD: usize = 64 * 1024;
/// Body writes go out in chunks so byte counters and cut-offs stay precise.
const CHUNK: usize = 16 * 1024;

/// Reads up to the blank line ending the head. `None` when the peer closed,
/// the head is malformed, or the server is shutting down.
pub fn read_request(stream: &mut TcpStream, shutdown: &AtomicBool) -> Option<Request> {
    let mut buf = Vec::with_capacity(1024);
    let mut tmp = [0u8; 4096];
    loop {
        if let Some(end) = find(&buf, b"\r\n\r\n") {
            return parse_head(&buf[..end]);
        }
        if buf.len() > MAX_HEAD || shutdown.load(Ordering::SeqCst) {
            return None;
        }
        match stream.read(&mut tmp) {
            Ok(0) => return None,
            Ok(n) => buf.extend_from_slice(&tmp[..n]),
            Err(e) if retryable(&e) => {}
            Err(_) => return None,
        }
    }
}

fn parse_head(head: &[u8]) -> Option<Request> {
    let text = String::from_utf8_lossy(head);
    let mut lines = text.split("\r\n");
    let mut parts = lines.next()?.split(' ');
    let (method, path, version) = (parts.next()?, parts.next()?, parts.next()?);
    if !version.starts_with("HTTP/1.") {
        return None;
    }
    let mut headers = BTreeMap::new();
    for line in lines {
        let (name, value) = line.split_once(':')?;
        headers
            .entry(name.trim().to_ascii_lowercase())
            .and_modify(|v: &mut String| {
                v.push_str(", ");
                v.push_str(value.trim());
            })
            .or_insert_with(|| value.trim().to_string());
    }
    Some(Request { method: method.to_string(), path: path.to_string(), headers })
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// The path part of a request target: strips an absolute-form
/// `http://host:port` prefix (a client talking to us as a proxy) and the query.
pub fn path_only(target: &str) -> &str {
    let target = match target.strip_prefix("http://") {
        Some(rest) => rest.find('/').map_or("/", |i| &rest[i..]),
        None => target,
    };
    target.split('?').next().unwrap_or(target)
}

/// Same as `path_only` but keeps the query.
pub fn origin_form(target: &str) -> &str {
    match target.strip_prefix("http://") {
        Some(rest) => rest.find('/').map_or("/", |i| &rest[i..]),
        None => target,
    }
}

/// Outcome of a `Range` header against a body of `len` bytes.
#[derive(Debug, PartialEq, Eq)]
pub enum RangeAsk {
    Full,
    /// Inclusive first and last byte.
    Part(u64, u64),
    Unsatisfiable,
}

/// Supports one range: `bytes=N-`, `bytes=N-M`, `bytes=-N`. Anything else
/// (several ranges, other units, garbage) is ignored, as RFC 9110 allows.
pub fn parse_range(value: &str, len: u64) -> RangeAsk {
    let Some(spec) = value.trim().strip_prefix("bytes=") else {
        return RangeAsk::Full;
    };
    if spec.contains(',') {
        return RangeAsk::Full;
    }
    let Some((a, b)) = spec.split_once('-') else {
        return RangeAsk::Full;
    };
    let (a, b) = (a.trim(), b.trim());
    let parsed = match (a.is_empty(), b.is_empty()) {
        (true, false) => {
            b.parse::<u64>().ok().map(|n| (len.saturating_sub(n), len.saturating_sub(1), n == 0))
        }
        (false, true) => a.parse::<u64>().ok().map(|s| (s, len.saturating_sub(1), false)),
        (false, false) => match (a.parse::<u64>(), b.parse::<u64>()) {
            (Ok(s), Ok(e)) if s <= e => Some((s, e.min(len.saturating_sub(1)), false)),
            _ => None,
        },
        (true, true) => None,
    };
    match parsed {
        None => RangeAsk::Full,
        Some((start, _, zero_suffix)) if zero_suffix || start >= len => RangeAsk::Unsatisfiable,
        Some((start, end, _)) => RangeAsk::Part(start, end),
    }
}

/// IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`) for seconds since the epoch.
pub fn http_date(secs: u64) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] =
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let days = secs / 86_400;
    let rem = secs % 86_400;
    // Civil-from-days (H. Hinnant), valid for any date after 1970.
    let z = days as i64 + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{}, {day:02} {} {year} {:02}:{:02}:{:02} GMT",
        DAYS[(days % 7) as usize],
        MONTHS[(month - 1) as usize],
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

pub fn reason(code: u16) -> &'static str {
    match code {
        200 => "OK",
        206 => "Partial Content",
        301 => "Moved Permanently",
        302 => "Found",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        416 => "Range Not Satisfiable",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status",
    }
}

/// Writes all of `data`, polling the shutdown flag between timed-out writes.
/// With `counter`, every byte handed to the kernel is counted; the count is
/// raised before the write so a client that already saw the bytes never
/// observes a smaller total.
pub fn send(
    stream: &mut TcpStream,
    mut data: &[u8],
    shutdown: &AtomicBool,
    counter: Option<&AtomicU64>,
) -> io::Result<()> {
    while !data.is_empty() {
        if shutdown.load(Ordering::SeqCst) {
            return Err(io::Error::new(ErrorKind::Interrupted, "server shutting down"));
        }
        let chunk = &data[..data.len().min(CHUNK)];
        if let Some(c) = counter {
            c.fetch_add(chunk.len() as u64, Ordering::SeqCst);
        }
        let result = stream.write(chunk);
        let written = *result.as_ref().unwrap_or(&0);
        if let Some(c) = counter {
            c.fetch_sub((chunk.len() - written) as u64, Ordering::SeqCst);
        }
        match result {
            Ok(0) => return Err(ErrorKind::WriteZero.into()),
            Ok(n) => data = &data[n..],
            Err(e) if retryable(&e) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Holds the connection open without sending, until `until()` holds (true),
/// or the peer closes it or the server shuts down (false): what a stalled CDN
/// looks like to the client.
pub fn hold(stream: &mut TcpStream, shutdown: &AtomicBool, until: &dyn Fn() -> bool) -> bool {
    let mut sink = [0u8; 1024];
    while !shutdown.load(Ordering::SeqCst) {
        if until() {
            return true;
        }
        match stream.read(&mut sink) {
            Ok(0) => return false,
            Ok(_) => {}
            Err(e) if retryable(&e) => {}
            Err(_) => return false,
        }
    }
    false
}

fn retryable(e: &io::Error) -> bool {
    matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut | ErrorKind::Interrupted)
}
