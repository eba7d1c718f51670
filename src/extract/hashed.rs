//! The first stage of the pipeline: a thread that reads the archive from its
//! source (network or file), hashes every byte with SHA-256 and counts progress,
//! handing filled buffers to the inflating thread. Hashing overlaps inflate on
//! the other core; buffers are recycled, so nothing is allocated per chunk.

use std::io::{self, Read};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;

use sha2::{Digest, Sha256 as Hasher};

use crate::domain::sums::Sha256;
use crate::error::Result;
use crate::progress::Meter;

const CHUNK: usize = 512 * 1024;
const IN_FLIGHT: usize = 4;

pub(crate) struct HashedReader {
    rx: Receiver<io::Result<Vec<u8>>>,
    back: SyncSender<Vec<u8>>,
    cur: Vec<u8>,
    off: usize,
    handle: Option<JoinHandle<(Sha256, u64)>>,
}

impl HashedReader {
    pub(crate) fn spawn(mut src: Box<dyn Read + Send>, meter: Arc<dyn Meter>) -> HashedReader {
        let (tx, rx) = sync_channel::<io::Result<Vec<u8>>>(IN_FLIGHT);
        let (back, recycled) = sync_channel::<Vec<u8>>(IN_FLIGHT + 2);
        let handle = std::thread::spawn(move || {
            let mut hasher = Hasher::new();
            let mut total = 0u64;
            loop {
                if let Err(e) = crate::interrupt::check() {
                    let _ = tx.send(Err(e.carry()));
                    break;
                }
                let mut buf = recycled.try_recv().unwrap_or_else(|_| Vec::with_capacity(CHUNK));
                buf.resize(CHUNK, 0);
                match fill(&mut *src, &mut buf) {
                    Ok(0) => break,
                    Ok(n) => {
                        buf.truncate(n);
                        hasher.update(&buf);
                        total += n as u64;
                        meter.advance(n as u64);
                        if tx.send(Ok(buf)).is_err() {
                            break;
                        }
                    }
                    Err(e) => {
                        let _ = tx.send(Err(e));
                        break;
                    }
                }
            }
            (Sha256::from_bytes(hasher.finalize().into()), total)
        });
        HashedReader { rx, back, cur: Vec::new(), off: 0, handle: Some(handle) }
    }

    /// Read what the consumer left unread, so the digest covers every byte of
    /// the archive, then return the digest and the byte count.
    pub(crate) fn finish(mut self) -> Result<(Sha256, u64)> {
        io::copy(&mut self, &mut io::sink())?;
        let handle = self.handle.take().expect("finish runs once");
        handle.join().map_err(|_| crate::error::Error::Other("the hashing thread panicked".into()))
    }
}

/// Fill `buf` as far as the source allows, so chunks are large even when the
/// network hands over a few kilobytes at a time.
fn fill(src: &mut dyn Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match src.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

impl Read for HashedReader {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.off == self.cur.len() {
            let spent = std::mem::take(&mut self.cur);
            let _ = self.back.try_send(spent);
            self.off = 0;
            match self.rx.recv() {
                Ok(Ok(buf)) => self.cur = buf,
                Ok(Err(e)) => return Err(e),
                Err(_) => return Ok(0),
            }
        }
        let n = out.len().min(self.cur.len() - self.off);
        out[..n].copy_from_slice(&self.cur[self.off..self.off + n]);
        self.off += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU64, Ordering};

    #[derive(Default)]
    struct Count(AtomicU64);

    impl Meter for Count {
        fn advance(&self, n: u64) {
            self.0.fetch_add(n, Ordering::SeqCst);
        }
        fn finish(&self) {}
    }

    /// A source that hands over a few bytes at a time, like a socket.
    struct Trickle(Vec<u8>, usize);

    impl Read for Trickle {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            let n = out.len().min(7).min(self.0.len() - self.1);
            out[..n].copy_from_slice(&self.0[self.1..self.1 + n]);
            self.1 += n;
            Ok(n)
        }
    }

    #[test]
    fn the_digest_covers_every_byte_even_those_the_consumer_left() {
        let data: Vec<u8> = (0..3 * CHUNK as u32 + 11).map(|i| (i % 251) as u8).collect();
        let meter = Arc::new(Count::default());
        let mut r = HashedReader::spawn(Box::new(Trickle(data.clone(), 0)), meter.clone());
        let mut head = vec![0u8; 1000];
        r.read_exact(&mut head).unwrap();
        assert_eq!(head, data[..1000]);
        let (digest, n) = r.finish().unwrap();
        assert_eq!(n, data.len() as u64);
        assert_eq!(digest, Sha256::from_bytes(Hasher::digest(&data).into()));
        assert_eq!(meter.0.load(Ordering::SeqCst), data.len() as u64);
    }

    #[test]
    fn a_source_error_reaches_the_consumer_as_itself() {
        struct Broken;
        impl Read for Broken {
            fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
                Err(crate::error::Error::Restart { url: "http://m/a.zip".into() }.carry())
            }
        }
        let mut r = HashedReader::spawn(Box::new(Broken), Arc::new(Count::default()));
        let err = r.read(&mut [0u8; 8]).unwrap_err();
        let err: crate::error::Error = err.into();
        assert!(matches!(err, crate::error::Error::Restart { .. }), "{err:?}");
    }
}
