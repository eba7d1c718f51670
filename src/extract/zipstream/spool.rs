//! The bytes kept for the central directory's verdict: everything when the
//! stream cannot find the library (the spool route), or only what follows
//! the streamed library. Held in memory while small, then in a temporary
//! file beside the destination (never /tmp: it may be small or another
//! filesystem), and never more than the archive's announced length.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::PathBuf;

use tempfile::NamedTempFile;

use super::{
    Counted, Extracted, OpenSink, Route, Wanted, archive, copy_into, finish_sink, pick, read_error, truncated,
};
use crate::domain::zipfmt::layout::{
    self, Ambiguity, Bytes, CENTRAL_FIXED_LEN, CENTRAL_SIG, CentralEntry, EOCD_LEN, EOCD_SIG, LocalEntry,
    MAX_DIRECTORY, ZIP64_EOCD_SIG, ZIP64_LOCATOR_LEN, ZIP64_LOCATOR_SIG,
};
use crate::domain::zipfmt::{LOCAL_FIXED_LEN, LOCAL_SIG, LocalHeader, u16_at};
use crate::error::{Error, Result};

const IN_MEMORY: usize = 1024 * 1024;

pub(super) struct Spool {
    dir: PathBuf,
    /// The archive offset of the first byte kept.
    base: u64,
    /// The most bytes this spool may hold, when the archive's length is known.
    limit: Option<u64>,
    asset: String,
    held: u64,
    mem: Vec<u8>,
    file: Option<NamedTempFile>,
    guard: Option<crate::interrupt::TempGuard>,
}

impl Spool {
    pub(super) fn new(dir: &std::path::Path, base: u64, limit: Option<u64>, asset: &str) -> Spool {
        Spool {
            dir: dir.to_path_buf(),
            base,
            limit,
            asset: asset.into(),
            held: 0,
            mem: Vec::new(),
            file: None,
            guard: None,
        }
    }

    pub(super) fn put(&mut self, data: &[u8]) -> Result<()> {
        self.write_all(data).map_err(|e| self.error(e))
    }

    /// Keeps the next `n` bytes of `src`; fewer is a cut-off archive.
    pub(super) fn take_from(&mut self, src: &mut dyn Read, n: u64, wanted: &Wanted) -> Result<()> {
        let got = self.copy_from(&mut src.take(n), wanted)?;
        if got != n { Err(truncated(wanted)) } else { Ok(()) }
    }

    fn copy_from(&mut self, src: &mut dyn Read, wanted: &Wanted) -> Result<u64> {
        let dir = self.dir.clone();
        crate::extract::copy(src, self, &|e| read_error(wanted, e), &|e| spool_error(&dir, e))
    }

    pub(super) fn survey(&mut self, known: &[LocalEntry], wanted: &Wanted) -> Result<Vec<CentralEntry>> {
        layout::survey(self, known).map_err(|e| super::survey_error(wanted, e, self.base == 0))
    }

    fn ensure_file(&mut self) -> io::Result<&mut NamedTempFile> {
        if self.file.is_none() {
            if let Some(limit) = self.limit {
                crate::extract::space::ensure(&self.dir, limit, "the archive's temporary copy")
                    .map_err(io::Error::other)?;
            }
            let mut f = tempfile::Builder::new()
                .prefix(".slim-setup-spool-")
                .suffix(".zip")
                .tempfile_in(&self.dir)?;
            self.guard = Some(crate::interrupt::track(f.path()));
            f.write_all(&self.mem)?;
            self.mem = Vec::new();
            self.file = Some(f);
        }
        Ok(self.file.as_mut().expect("just set"))
    }

    fn into_file(mut self) -> Result<(NamedTempFile, Option<crate::interrupt::TempGuard>)> {
        let dir = self.dir.clone();
        self.ensure_file().and_then(|f| f.flush()).map_err(|e| spool_error(&dir, e))?;
        Ok((self.file.take().expect("created"), self.guard.take()))
    }

    fn error(&self, e: io::Error) -> Error {
        spool_error(&self.dir, e)
    }
}

/// A write error, or the refusals the spool itself raises (carried as
/// `io::Error` through `Write`).
fn spool_error(dir: &std::path::Path, e: io::Error) -> Error {
    match e.downcast::<Error>() {
        Ok(ours) => ours,
        Err(e) => Error::io("write a temporary file in", dir, e),
    }
}

impl Write for Spool {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if let Some(limit) = self.limit.filter(|&l| self.held + data.len() as u64 > l) {
            let reason = format!("it is longer than the {} bytes announced for it", self.base + limit);
            return Err(io::Error::other(Error::Archive { asset: self.asset.clone(), reason }));
        }
        let n = if self.file.is_none() && self.mem.len() + data.len() <= IN_MEMORY {
            self.mem.extend_from_slice(data);
            data.len()
        } else {
            self.ensure_file()?.write(data)?
        };
        self.held += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.file.as_mut().map_or(Ok(()), |f| f.flush())
    }
}

impl Bytes for Spool {
    type Error = Error;
    fn start(&self) -> u64 {
        self.base
    }
    fn len(&self) -> u64 {
        self.base + self.held
    }
    fn at(&mut self, offset: u64, len: usize) -> Result<Vec<u8>> {
        let from = offset.saturating_sub(self.base).min(self.held);
        let len = len.min((self.held - from) as usize);
        match &mut self.file {
            None => Ok(self.mem[from as usize..from as usize + len].to_vec()),
            Some(f) => {
                let path = f.path().to_path_buf();
                read_at(f.as_file(), from, len).map_err(|e| Error::io("read", &path, e))
            }
        }
    }
}

fn read_at(mut file: &File, offset: u64, len: usize) -> io::Result<Vec<u8>> {
    let mut buf = vec![0u8; len];
    file.seek(SeekFrom::Start(offset))?;
    file.read_exact(&mut buf)?;
    Ok(buf)
}

/// A whole archive on disk (a mirrored copy).
pub(super) struct FileBytes<'a> {
    pub(super) file: &'a File,
    pub(super) len: u64,
}

impl Bytes for FileBytes<'_> {
    type Error = Error;
    fn start(&self) -> u64 {
        0
    }
    fn len(&self) -> u64 {
        self.len
    }
    fn at(&mut self, offset: u64, len: usize) -> Result<Vec<u8>> {
        let from = offset.min(self.len);
        let len = len.min((self.len - from) as usize);
        read_at(self.file, from, len).map_err(|e| Error::Other(format!("reading the archive: {e}")))
    }
}

/// Keeps the records after the streamed entry up to the end record and its
/// comment, then stops: one more byte is `Trailing`, refused at once. Past
/// an entry whose length only its central directory knows (a data
/// descriptor) the rest is kept up to the announced length and the survey
/// decides.
pub(super) fn read_to_end_record(src: &mut Counted, rest: &mut Spool, wanted: &Wanted) -> Result<()> {
    let read = |src: &mut Counted, rest: &mut Spool, n: usize| -> Result<Vec<u8>> {
        let mut buf = vec![0u8; n];
        src.read_exact(&mut buf).map_err(|e| read_error(wanted, e))?;
        rest.put(&buf)?;
        Ok(buf)
    };
    loop {
        let mut sig = [0u8; 4];
        if !super::read_exact_or_eof(src, &mut sig).map_err(|e| read_error(wanted, e))? {
            return Ok(());
        }
        rest.put(&sig)?;
        match sig {
            LOCAL_SIG => {
                let mut fixed = [0u8; LOCAL_FIXED_LEN];
                fixed[..4].copy_from_slice(&sig);
                fixed[4..].copy_from_slice(&read(src, rest, LOCAL_FIXED_LEN - 4)?);
                let h = LocalHeader::parse(&fixed).expect("the signature was read");
                read(src, rest, h.name_len as usize + h.extra_len as usize)?;
                if !h.skippable() {
                    rest.copy_from(src, wanted)?;
                    return Ok(());
                }
                rest.take_from(src, h.compressed as u64, wanted)?;
            }
            CENTRAL_SIG => {
                let fixed = read(src, rest, CENTRAL_FIXED_LEN - 4)?;
                let var = [24, 26, 28].iter().map(|&at| u16_at(&fixed, at) as usize).sum();
                read(src, rest, var)?;
            }
            ZIP64_EOCD_SIG => {
                let size = u64::from_le_bytes(read(src, rest, 8)?.try_into().expect("8 bytes"));
                if size > MAX_DIRECTORY {
                    return Err(super::ambiguous(wanted, Ambiguity::Zip64));
                }
                rest.take_from(src, size, wanted)?;
            }
            ZIP64_LOCATOR_SIG => {
                read(src, rest, ZIP64_LOCATOR_LEN - 4)?;
            }
            EOCD_SIG => {
                let fixed = read(src, rest, EOCD_LEN - 4)?;
                rest.take_from(src, u16_at(&fixed, 16) as u64, wanted)?;
                let mut probe = [0u8; 1];
                return match src.read(&mut probe) {
                    Ok(0) => Ok(()),
                    Ok(_) => Err(super::ambiguous(wanted, Ambiguity::Trailing)),
                    Err(e) => Err(read_error(wanted, e)),
                };
            }
            _ => {
                rest.copy_from(src, wanted)?;
                return Ok(());
            }
        }
    }
}

/// The spool route: keep the whole archive, survey it, and extract the one
/// library the directory names with the zip crate.
pub(super) fn extract(
    src: &mut Counted,
    mut spool: Spool,
    wanted: &Wanted,
    open_sink: &mut OpenSink,
) -> Result<Extracted> {
    spool.copy_from(src, wanted)?;
    let central = spool.survey(&[], wanted)?;
    let index = pick(&central, wanted)?;
    let name = central[index].name.clone();
    let (file, _guard) = spool.into_file()?;
    let reopened = file.reopen().map_err(|e| Error::io("read", file.path(), e))?;
    let mut zip = zip::ZipArchive::new(reopened)
        .map_err(|e| archive(wanted, format!("it is not a readable zip ({e})")))?;
    let mut entry = zip.by_index(index).map_err(|e| archive(wanted, format!("cannot read '{name}': {e}")))?;
    if entry.is_symlink() {
        return Err(archive(wanted, format!("'{name}' is a symbolic link, not a library")));
    }
    let declared = entry.size();
    let mut sink = super::open_library(wanted, declared, open_sink)?;
    copy_into(&mut entry, &mut sink, wanted)?;
    let lib = finish_sink(sink, declared, central[index].sizes.crc32, wanted)?;
    Ok(Extracted { entry: name, route: Route::Spool, lib })
}
