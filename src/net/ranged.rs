//! One archive over several connections, when one connection is throttled.
//! The first answer's body keeps streaming from byte 0; while the total rate
//! rises, more connections join (1, 2, 4, ... up to `--connections`), each
//! taking the back half of the largest range still to come and asking for it
//! with `Range` + `If-Range`. Bytes land at their offsets in a scratch file
//! beside the destination; the reader (the hashing thread, then the
//! extractor) follows the contiguous prefix as it grows, so verifying and
//! inflating still overlap the download. Each range resumes on its own (a
//! `Body`); a changed file is `Error::Restart`. Memory is a buffer per
//! connection, whatever the size.

use std::fs::File;
use std::io::{self, Read};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::body::Body;
use super::http::Http;
use crate::error::{Error, Result};
use crate::interrupt;
use crate::progress::Event;

/// Below this an archive is one stream: the extra handshakes cost more
/// than they save.
pub(crate) const MIN_SIZE: u64 = 8 << 20;
/// A range is not split when less than twice this remains of it.
const MIN_SPLIT: u64 = 1 << 20;
const BUF: usize = 256 * 1024;
/// How often the rate is judged, and more connections maybe added.
const WINDOW: Duration = Duration::from_millis(400);

/// The file the ranges land in, made by the caller (beside the destination,
/// its free space checked, removed with the run); `keep` owns its name.
pub(crate) struct ScratchFile {
    pub(crate) file: File,
    pub(crate) _keep: Box<dyn Send>,
}

/// Makes the scratch file for an archive of `size` bytes.
pub(crate) type Scratch<'a> = &'a (dyn Fn(u64) -> Result<ScratchFile> + Sync);

/// A range of the file: `[start, end)`, of which `done` bytes from `start`
/// are written; `owned` while a connection fetches it. Known by `id`:
/// splits insert ranges, so positions in the list move.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Segment {
    id: u64,
    start: u64,
    end: u64,
    done: u64,
    owned: bool,
}

impl Segment {
    fn next(&self) -> u64 {
        self.start + self.done
    }
    fn left(&self) -> u64 {
        self.end.saturating_sub(self.next())
    }
}

#[derive(Default)]
struct State {
    /// Tiles `[0, size)`, ordered.
    segments: Vec<Segment>,
    next_id: u64,
    error: Option<Error>,
    stop: bool,
    /// Connections fetching ranges now; the last one's failure is the download's.
    live: usize,
    /// A connection failed and handed its range back: the server limits
    /// them, so no more are added.
    limited: bool,
}

impl State {
    fn get(&mut self, id: u64) -> &mut Segment {
        self.segments.iter_mut().find(|s| s.id == id).expect("a segment is never removed")
    }
}

struct Shared {
    state: Mutex<State>,
    progress: Condvar,
    written: AtomicU64,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
    fn fail(&self, e: Error) {
        let mut s = self.lock();
        if s.error.is_none() {
            s.error = Some(e);
        }
        s.stop = true;
        self.progress.notify_all();
    }
}

/// What a new connection is for: the back half of the largest range still
/// to come, split off its owner (who stops where the new range starts), or
/// a range nobody fetches any more, whole.
fn split(state: &mut State) -> Option<u64> {
    let segments = &mut state.segments;
    let (i, seg) = segments
        .iter()
        .enumerate()
        .filter(|(_, s)| s.left() >= 2 * MIN_SPLIT || (!s.owned && s.left() > 0))
        .max_by_key(|(_, s)| (!s.owned, s.left()))?;
    let seg = *seg;
    if !seg.owned {
        segments[i].owned = true;
        return Some(seg.id);
    }
    let mid = seg.next() + seg.left() / 2;
    state.next_id += 1;
    let back = Segment { id: state.next_id, start: mid, end: seg.end, done: 0, owned: true };
    segments[i].end = mid;
    segments.insert(i + 1, back);
    Some(back.id)
}

/// Whether a download should go over several connections.
pub(crate) fn wanted(body: &Body, size: Option<u64>, connections: u32) -> Option<u64> {
    let size = size.filter(|&s| s >= MIN_SIZE)?;
    (connections > 1 && body.rangeable().is_some()).then_some(size)
}

pub(crate) struct Ranged {
    shared: Arc<Shared>,
    file: File,
    _scratch: ScratchFile,
    pos: u64,
    size: u64,
    threads: Vec<JoinHandle<()>>,
}

impl Ranged {
    /// Takes over `first` (the answer to the whole-file request, at byte 0).
    pub(crate) fn start(
        first: Body,
        http: &Http,
        url: &str,
        size: u64,
        scratch: ScratchFile,
    ) -> Result<Ranged> {
        let validator = first.rangeable().expect("checked by wanted()").to_string();
        let file = scratch
            .file
            .try_clone()
            .map_err(|e| Error::Other(format!("the download's scratch file: {e}")))?;
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                segments: vec![Segment { id: 0, start: 0, end: size, done: 0, owned: true }],
                live: 1,
                ..State::default()
            }),
            progress: Condvar::new(),
            written: AtomicU64::new(0),
        });
        let job = Job { shared: shared.clone(), http: http.clone(), url: url.into(), validator, size };
        let head = job.clone();
        let head_file = clone(&scratch.file)?;
        let mut threads = vec![std::thread::spawn(move || head.run(0, Some(first), head_file))];
        let ramp = job.clone();
        let ramp_file = clone(&scratch.file)?;
        threads.push(std::thread::spawn(move || ramp.ramp(ramp_file)));
        Ok(Ranged { shared, file, _scratch: scratch, pos: 0, size, threads })
    }
}

fn clone(f: &File) -> Result<File> {
    f.try_clone().map_err(|e| Error::Other(format!("the download's scratch file: {e}")))
}

#[derive(Clone)]
struct Job {
    shared: Arc<Shared>,
    http: Http,
    url: String,
    validator: String,
    size: u64,
}

impl Job {
    /// Adds connections while each addition raises the total rate,
    /// doubling them, within `--connections`. Each of a run's `--jobs`
    /// workers fetches one target at a time, so a run never holds more than
    /// `--jobs` x `--connections`.
    fn ramp(self, file: File) {
        let max = self.http.opts.connections.max(1) as usize;
        let mut live = 1usize;
        let mut last_rate = 0f64;
        let mut workers = Vec::new();
        loop {
            let before = self.shared.written.load(Ordering::SeqCst);
            let started = Instant::now();
            while started.elapsed() < WINDOW {
                if self.shared.lock().stop || interrupt::check().is_err() {
                    return finish(workers);
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let rate = (self.shared.written.load(Ordering::SeqCst) - before) as f64 / WINDOW.as_secs_f64();
            let rising = rate > last_rate * 1.1;
            last_rate = rate;
            if !rising || live >= max {
                continue;
            }
            for _ in 0..live.min(max - live) {
                // The file first: a range split off with no one to fetch it
                // would leave the reader waiting for it.
                let Ok(f) = file.try_clone() else { break };
                let id = {
                    let mut s = self.shared.lock();
                    if s.limited {
                        break;
                    }
                    let Some(id) = split(&mut s) else { break };
                    s.live += 1;
                    id
                };
                live += 1;
                let job = self.clone();
                workers.push(std::thread::spawn(move || job.run(id, None, f)));
            }
            let n = live.to_string();
            self.http
                .opts
                .events
                .detail(2, &format!("now {n} connections for {}", crate::domain::mirror::for_log(&self.url)));
        }
    }

    /// One connection: fetch segment `id` (with `body` already open for the
    /// head), then take the back half of the largest range left, until none
    /// is worth splitting.
    /// A connection that fails while others still fetch hands its range
    /// back (a server that caps connections per client answers the extra
    /// ones 503 or 429): the others take it over, and no more are added.
    /// A changed file, or the last connection's failure, ends the download.
    fn run(self, mut id: u64, mut body: Option<Body>, file: File) {
        let mut buf = vec![0u8; BUF];
        loop {
            let fetched = self.fetch(id, body.take(), &file, &mut buf);
            let mut s = self.shared.lock();
            if let Err(e) = fetched {
                s.live -= 1;
                if s.live == 0 || s.stop || matches!(e, Error::Restart { .. }) {
                    drop(s);
                    return self.shared.fail(e);
                }
                s.get(id).owned = false;
                s.limited = true;
                drop(s);
                let why = format!("a connection gave up ({}); the others take its range over", e.message());
                return self.http.opts.events.detail(1, &why);
            }
            s.get(id).owned = false;
            let next = if s.stop { None } else { split(&mut s) };
            match next {
                Some(next) => id = next,
                None => {
                    s.live -= 1;
                    return;
                }
            }
        }
    }

    fn fetch(&self, id: u64, body: Option<Body>, file: &File, buf: &mut [u8]) -> Result<()> {
        let (start, from, to) = {
            let mut s = self.shared.lock();
            let seg = s.get(id);
            (seg.start, seg.next(), seg.end)
        };
        if from >= to {
            return Ok(());
        }
        let mut body = match body {
            Some(b) => b,
            None => Body::open_range(&self.http, &self.url, from, to, &self.validator, self.size)?,
        };
        let mut pos = from;
        loop {
            // A split may have cut this range short since.
            let end = {
                let mut s = self.shared.lock();
                if s.stop {
                    return Ok(());
                }
                s.get(id).end
            };
            if pos >= end {
                return Ok(());
            }
            let want = ((end - pos) as usize).min(buf.len());
            let n = match body.read(&mut buf[..want]) {
                Ok(0) => {
                    let url = crate::domain::mirror::redact(&self.url);
                    return Err(Error::Other(format!("{url} ended at byte {pos} of {end}")));
                }
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e.into()),
            };
            write_at(file, &buf[..n], pos)
                .map_err(|e| Error::Other(format!("writing the download's scratch file: {e}")))?;
            pos += n as u64;
            self.shared.written.fetch_add(n as u64, Ordering::SeqCst);
            let mut s = self.shared.lock();
            let seg = s.get(id);
            seg.done = pos.min(seg.end) - start;
            self.shared.progress.notify_all();
        }
    }
}

#[cfg(unix)]
fn write_at(f: &File, data: &[u8], at: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::write_all_at(f, data, at)
}

#[cfg(windows)]
fn write_at(f: &File, mut data: &[u8], mut at: u64) -> io::Result<()> {
    while !data.is_empty() {
        let n = std::os::windows::fs::FileExt::seek_write(f, data, at)?;
        data = &data[n..];
        at += n as u64;
    }
    Ok(())
}

#[cfg(unix)]
fn read_at(f: &File, buf: &mut [u8], at: u64) -> io::Result<usize> {
    std::os::unix::fs::FileExt::read_at(f, buf, at)
}

#[cfg(windows)]
fn read_at(f: &File, buf: &mut [u8], at: u64) -> io::Result<usize> {
    std::os::windows::fs::FileExt::seek_read(f, buf, at)
}

impl Read for Ranged {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.pos >= self.size || buf.is_empty() {
            return Ok(0);
        }
        let ready = loop {
            interrupt::check().map_err(Error::carry)?;
            let mut s = self.shared.lock();
            if let Some(e) = s.error.take() {
                return Err(e.carry());
            }
            let seg = s.segments.iter().find(|seg| seg.start <= self.pos && self.pos < seg.end).copied();
            if let Some(seg) = seg.filter(|seg| seg.next() > self.pos) {
                break seg.next() - self.pos;
            }
            let _ = self.shared.progress.wait_timeout(s, Duration::from_millis(100));
        };
        let n = (ready as usize).min(buf.len());
        let got = read_at(&self.file, &mut buf[..n], self.pos)?;
        self.pos += got as u64;
        Ok(got)
    }
}

impl Drop for Ranged {
    fn drop(&mut self) {
        {
            let mut s = self.shared.lock();
            s.stop = true;
        }
        self.shared.progress.notify_all();
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

/// Tells the run how the archive is coming, once.
pub(crate) fn announce(http: &Http, url: &str, size: u64) {
    let text = format!(
        "{} ({size} bytes): ranged, up to {} connections",
        crate::domain::mirror::for_log(url),
        http.opts.connections
    );
    http.opts.events.event(Event::Detail { level: 1, text: &text });
}

fn finish(workers: Vec<JoinHandle<()>>) {
    for w in workers {
        let _ = w.join();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(segs: &[(u64, u64, u64, bool)]) -> State {
        let segments = segs
            .iter()
            .enumerate()
            .map(|(i, &(start, end, done, owned))| Segment { id: i as u64, start, end, done, owned })
            .collect();
        State { segments, next_id: segs.len() as u64, ..State::default() }
    }

    #[test]
    fn a_new_connection_takes_the_back_half_of_the_largest_range_left() {
        let mb = 1 << 20;
        let mut s = state(&[(0, 100 * mb, 10 * mb, true)]);
        let id = split(&mut s).unwrap();
        assert_eq!((s.segments[0].end, s.get(id).start, s.get(id).end), (55 * mb, 55 * mb, 100 * mb));
        // The head moves on: now the new range has the most left, and is split.
        s.segments[0].done = 20 * mb;
        split(&mut s).unwrap();
        assert_eq!(s.segments.iter().map(|s| s.start).collect::<Vec<_>>(), [0, 55 * mb, 77 * mb + mb / 2]);
        // Ids stay with their ranges when others are inserted after them.
        assert_eq!((s.get(id).start, s.get(id).end), (55 * mb, 77 * mb + mb / 2));
        // Nothing worth splitting: under two MiB left anywhere.
        let mut small = state(&[(0, 10 * mb, 9 * mb, true), (10 * mb, 11 * mb, 0, true)]);
        assert_eq!(split(&mut small), None);
        // A range nobody fetches any more is taken whole, first.
        let mut orphan =
            state(&[(0, 10 * mb, 10 * mb, false), (10 * mb, 20 * mb, 0, false), (20 * mb, 90 * mb, 0, true)]);
        assert_eq!(split(&mut orphan), Some(1));
        assert!(orphan.get(1).owned && orphan.get(1).end == 20 * mb);
    }
}
