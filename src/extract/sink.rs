//! The last stage: a thread that receives the inflated library, checks it is an
//! `ar` archive of objects for the right platform, hashes it, and writes it to
//! the temporary file, then fsyncs. It runs beside inflate, on the other core.

use std::fs::File;
use std::io::{self, Read, Write};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;

use sha2::{Digest, Sha256 as Hasher};

use crate::domain::objfmt::{ArError, ArScanner, GLIBC_MARKER};
use crate::domain::sums::Sha256;

const CHUNK: usize = 1024 * 1024;
/// How much is written before its writeback to disk is started.
const WRITEBACK_STEP: u64 = 8 * 1024 * 1024;

/// Start writing a range to disk now, without waiting, so the fsync that makes
/// the install durable finds little left to do instead of the whole library
/// (for 150 MB, most of a fifth of a second). Linux only; elsewhere the final
/// fsync does all of it.
#[cfg(target_os = "linux")]
fn start_writeback(file: &File, offset: u64, len: u64) {
    use std::os::fd::AsRawFd;
    // SAFETY: a plain syscall on a file descriptor we own; failure only means
    // the final fsync does more of the work.
    unsafe {
        libc::sync_file_range(file.as_raw_fd(), offset as i64, len as i64, libc::SYNC_FILE_RANGE_WRITE);
    }
}

#[cfg(not(target_os = "linux"))]
fn start_writeback(_: &File, _: u64, _: u64) {}

#[derive(Debug, thiserror::Error)]
pub(crate) enum SinkError {
    #[error(transparent)]
    Library(#[from] ArError),
    #[error("the library inflates beyond the {0} bytes its archive declares")]
    TooLarge(u64),
    #[error("the library was built for glibc ({marker} found) but the target is musl")]
    GlibcInMusl { marker: String },
    #[error("{0}")]
    Write(io::Error),
}

pub(crate) struct LibDigest {
    pub(crate) sha256: Sha256,
    pub(crate) size: u64,
    pub(crate) crc32: u32,
    /// How long the library's fsync took (reported with -v).
    pub(crate) fsync: std::time::Duration,
}

/// Why filling the sink from a reader stopped.
pub(crate) enum FillError {
    Read(io::Error),
    Sink(SinkError),
}

pub(crate) struct LibWriter {
    tx: Option<SyncSender<Vec<u8>>>,
    back: Receiver<Vec<u8>>,
    /// The chunk being filled (kept CHUNK long; `fill` bytes are data).
    buf: Vec<u8>,
    fill: usize,
    handle: Option<JoinHandle<Result<LibDigest, SinkError>>>,
    written: u64,
    limit: u64,
}

impl LibWriter {
    /// `limit`: the size the archive declares; more is refused (zip bombs).
    pub(crate) fn spawn(mut file: File, triple: String, musl: bool, limit: u64) -> LibWriter {
        let (tx, rx) = sync_channel::<Vec<u8>>(4);
        let (back_tx, back) = sync_channel::<Vec<u8>>(6);
        let handle = std::thread::spawn(move || -> Result<LibDigest, SinkError> {
            let mut scanner = ArScanner::new();
            let mut hasher = Hasher::new();
            let mut crc = crc32fast::Hasher::new();
            let mut marker = MarkerScan::default();
            let mut size = 0u64;
            let mut flushed = 0u64;
            for chunk in rx {
                scanner.feed(&chunk)?;
                if musl && marker.find(&chunk) {
                    return Err(SinkError::GlibcInMusl {
                        marker: String::from_utf8_lossy(GLIBC_MARKER).into(),
                    });
                }
                hasher.update(&chunk);
                crc.update(&chunk);
                file.write_all(&chunk).map_err(SinkError::Write)?;
                size += chunk.len() as u64;
                if size - flushed >= WRITEBACK_STEP {
                    start_writeback(&file, flushed, size - flushed);
                    flushed = size;
                }
                let _ = back_tx.try_send(chunk);
            }
            scanner.finish(&triple)?;
            let synced = std::time::Instant::now();
            file.sync_all().map_err(SinkError::Write)?;
            Ok(LibDigest {
                sha256: Sha256::from_bytes(hasher.finalize().into()),
                size,
                crc32: crc.finalize(),
                fsync: synced.elapsed(),
            })
        });
        LibWriter {
            tx: Some(tx),
            back,
            buf: vec![0; CHUNK],
            fill: 0,
            handle: Some(handle),
            written: 0,
            limit,
        }
    }

    fn send(&mut self) -> Result<(), SinkError> {
        let mut next = self.back.try_recv().unwrap_or_default();
        // Recycled chunks are full-length already: zero-filling happens once per buffer.
        next.resize(CHUNK, 0);
        let mut full = std::mem::replace(&mut self.buf, next);
        full.truncate(self.fill);
        self.fill = 0;
        let sent = self.tx.as_ref().map(|tx| tx.send(full).is_ok()).unwrap_or(false);
        if sent { Ok(()) } else { Err(self.join_error()) }
    }

    /// The writer thread stopped early: its own error says why.
    fn join_error(&mut self) -> SinkError {
        self.tx = None;
        match self.handle.take().map(JoinHandle::join) {
            Some(Ok(Err(e))) => e,
            _ => SinkError::Write(io::Error::other("the library writer stopped")),
        }
    }

    /// Read from `r` straight into the next chunk (the inflater writes where
    /// the writer thread will read: no copy in between). `Ok(0)` at the end.
    pub(crate) fn fill_from(&mut self, r: &mut dyn Read) -> Result<usize, FillError> {
        let n = loop {
            match r.read(&mut self.buf[self.fill..]) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                other => break other.map_err(FillError::Read)?,
            }
        };
        self.fill += n;
        self.written += n as u64;
        if self.written > self.limit {
            return Err(FillError::Sink(SinkError::TooLarge(self.limit)));
        }
        if self.fill == CHUNK {
            self.send().map_err(FillError::Sink)?;
        }
        Ok(n)
    }

    pub(crate) fn written(&self) -> u64 {
        self.written
    }

    pub(crate) fn finish(mut self) -> Result<LibDigest, SinkError> {
        if self.fill > 0 {
            self.send()?;
        }
        self.tx = None;
        match self.handle.take().map(JoinHandle::join) {
            Some(Ok(r)) => r,
            _ => Err(SinkError::Write(io::Error::other("the library writer panicked"))),
        }
    }
}

/// Finds the glibc marker across chunk boundaries.
#[derive(Default)]
struct MarkerScan {
    tail: Vec<u8>,
}

impl MarkerScan {
    fn find(&mut self, chunk: &[u8]) -> bool {
        let keep = GLIBC_MARKER.len() - 1;
        let mut joined = std::mem::take(&mut self.tail);
        joined.extend_from_slice(&chunk[..chunk.len().min(keep)]);
        let found = memchr::memmem::find(&joined, GLIBC_MARKER).is_some()
            || memchr::memmem::find(chunk, GLIBC_MARKER).is_some();
        self.tail = chunk[chunk.len().saturating_sub(keep)..].to_vec();
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marker_is_found_across_boundaries() {
        let mut text = vec![b'x'; 100];
        text.extend_from_slice(GLIBC_MARKER);
        text.extend_from_slice(&[b'y'; 100]);
        for split in [0, 50, 105, 110, 119, 120, 200] {
            let mut m = MarkerScan::default();
            let (a, b) = text.split_at(split);
            assert!(m.find(a) || m.find(b), "split at {split}");
        }
        let mut m = MarkerScan::default();
        assert!(!m.find(b"gnu_get_libc") && !m.find(b"_verXion"));
    }
}
