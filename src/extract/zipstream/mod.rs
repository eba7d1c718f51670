//! Getting the library out of the zip in one pass. The streaming route reads
//! local headers as the bytes arrive and inflates the library entry straight
//! into the sink; entries before it are skipped. When the stream cannot be
//! trusted to find it (sizes in a trailing data descriptor, an unknown method,
//! zip64, or a library under an unexpected name), every byte read so far and the
//! rest of the download are spooled to a temporary file in the destination
//! folder and the library is taken from the central directory instead.
//!
//! Both routes end the same way: the central directory and every local
//! header are surveyed (`zipfmt::layout`) and must agree, so what the stream
//! installed is what `unzip` or the zip crate would have found, and the same
//! single entry is the library whichever route ran.

mod spool;
#[cfg(test)]
mod tests;

use std::io::{self, BufReader, Read};
use std::path::Path;

use flate2::bufread::DeflateDecoder;

use super::sink::{FillError, LibDigest, LibWriter, SinkError};
use crate::domain::zipfmt::layout::{self, Ambiguity, CentralEntry, LocalEntry, SurveyError};
use crate::domain::zipfmt::{self, LOCAL_FIXED_LEN, LocalHeader, METHOD_DEFLATE, Match, Pick};
use crate::error::{Error, Result};
use spool::Spool;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Route {
    Stream,
    Spool,
}

pub(crate) struct Wanted<'a> {
    pub(crate) asset: &'a str,
    /// The destination folder, named in write errors.
    pub(crate) dest: &'a Path,
    pub(crate) lib_file: &'a str,
    pub(crate) aliases: &'a [String],
    /// Names that mark an entry as another target's (`other_target_names`).
    pub(crate) others: &'a [String],
    /// The archive's announced length, when the source gave one: nothing
    /// past it is spooled, and the free space is checked against it.
    pub(crate) expected: Option<u64>,
}

pub(crate) struct Extracted {
    pub(crate) entry: String,
    pub(crate) route: Route,
    pub(crate) lib: LibDigest,
}

/// Opens the sink once the entry's declared size is known.
pub(crate) type OpenSink<'a> = dyn FnMut(u64) -> Result<LibWriter> + 'a;

/// Counts what it reads, so entries are known by their offsets.
struct Counted<'a> {
    inner: &'a mut dyn Read,
    pos: u64,
}

impl Read for Counted<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.pos += n as u64;
        Ok(n)
    }
}

pub(crate) fn extract(
    src: &mut dyn Read,
    spool_dir: &Path,
    wanted: &Wanted,
    open_sink: &mut OpenSink,
) -> Result<Extracted> {
    let mut src = Counted { inner: src, pos: 0 };
    let mut spool = Spool::new(spool_dir, 0, wanted.expected, wanted.asset);
    let mut known: Vec<LocalEntry> = Vec::new();
    loop {
        let offset = src.pos;
        let mut fixed = [0u8; LOCAL_FIXED_LEN];
        let whole = match read_exact_or_eof(&mut src, &mut fixed) {
            Ok(whole) => whole,
            // Fewer bytes than one header in all: a short error page, not a zip.
            Err(e) if offset == 0 && e.kind() == io::ErrorKind::UnexpectedEof => false,
            Err(e) => return Err(read_error(wanted, e)),
        };
        let Some(h) = LocalHeader::parse(&fixed).filter(|_| whole) else {
            if offset == 0 {
                return Err(archive(wanted, "it is not a zip file".into()));
            }
            // The central directory: no local entry matched. Spool all of it
            // and let the central directory decide (an only `.a` under another name).
            spool.put(&fixed)?;
            return spool::extract(&mut src, spool, wanted, open_sink);
        };
        let mut var = vec![0u8; h.name_len as usize + h.extra_len as usize];
        src.read_exact(&mut var).map_err(|e| read_error(wanted, e))?;
        let name = String::from_utf8_lossy(&var[..h.name_len as usize]).into_owned();
        zipfmt::check_name(&name)?;
        let ours = !zipfmt::names_other_target(&name, wanted.others)
            && zipfmt::match_entry(&name, wanted.lib_file, wanted.aliases) != Match::No;
        if ours && h.streamable() {
            known.push(LocalEntry::read(offset, &fixed, &var, None).map_err(|a| ambiguous(wanted, a))?);
            let lib = stream_entry(&mut src, &h, wanted, open_sink)?;
            finish_stream(&mut src, &known, wanted)?;
            return Ok(Extracted { entry: name, route: Route::Stream, lib });
        }
        spool.put(&fixed)?;
        spool.put(&var)?;
        if ours || !h.skippable() {
            return spool::extract(&mut src, spool, wanted, open_sink);
        }
        known.push(LocalEntry::read(offset, &fixed, &var, None).map_err(|a| ambiguous(wanted, a))?);
        spool.take_from(&mut src, h.compressed as u64, wanted)?;
    }
}

fn read_exact_or_eof(src: &mut dyn Read, buf: &mut [u8]) -> io::Result<bool> {
    let mut n = 0;
    while n < buf.len() {
        match src.read(&mut buf[n..]) {
            Ok(0) if n == 0 => return Ok(false),
            Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(true)
}

fn stream_entry(
    src: &mut dyn Read,
    h: &LocalHeader,
    wanted: &Wanted,
    open_sink: &mut OpenSink,
) -> Result<LibDigest> {
    let declared = h.uncompressed as u64;
    let mut sink = open_library(wanted, declared, open_sink)?;
    let mut limited = src.take(h.compressed as u64);
    if h.method == METHOD_DEFLATE {
        let mut inflate = DeflateDecoder::new(BufReader::with_capacity(256 * 1024, &mut limited));
        copy_into(&mut inflate, &mut sink, wanted)?;
        // Anything the deflate stream did not use still belongs to this entry.
        io::copy(&mut inflate.into_inner(), &mut io::sink()).map_err(|e| read_error(wanted, e))?;
    } else {
        copy_into(&mut limited, &mut sink, wanted)?;
    }
    if limited.limit() > 0 {
        return Err(truncated(wanted));
    }
    finish_sink(sink, declared, h.crc32, wanted)
}

/// The library's sink, once its declared size fits on the disk: every
/// route opens it here, so none can forget the check.
fn open_library(wanted: &Wanted, declared: u64, open_sink: &mut OpenSink) -> Result<LibWriter> {
    super::space::ensure(wanted.dest, declared, "the library")?;
    open_sink(declared)
}

fn finish_sink(sink: LibWriter, declared: u64, crc32: u32, wanted: &Wanted) -> Result<LibDigest> {
    if sink.written() != declared {
        return Err(archive(
            wanted,
            format!("the library is {} bytes, its header says {declared}", sink.written()),
        ));
    }
    // The writer thread computed the CRC, off the inflating thread's path.
    let lib = sink.finish().map_err(|e| sink_error(wanted, e))?;
    if crc32 != lib.crc32 {
        return Err(archive(wanted, "the library's CRC-32 does not match (corrupt data)".into()));
    }
    Ok(lib)
}

fn copy_into(r: &mut dyn Read, sink: &mut LibWriter, wanted: &Wanted) -> Result<()> {
    loop {
        match sink.fill_from(r) {
            Ok(0) => return Ok(()),
            Ok(_) => {}
            Err(FillError::Read(e)) => return Err(read_error(wanted, e)),
            Err(FillError::Sink(e)) => return Err(sink_error(wanted, e)),
        }
    }
}

/// After the streamed library: keep the rest of the archive (normally a
/// few hundred bytes of directory) up to its end record, survey it with
/// the entries already read, and make sure the directory names the streamed
/// entry as the one library. A body cut short must not pass as complete and
/// have its digest recorded, and bytes after the end record are refused as
/// soon as the first one arrives, not read to the end.
fn finish_stream(src: &mut Counted, known: &[LocalEntry], wanted: &Wanted) -> Result<()> {
    let start = src.pos;
    let mut rest =
        Spool::new(wanted.dest, start, wanted.expected.map(|e| e.saturating_sub(start)), wanted.asset);
    spool::read_to_end_record(src, &mut rest, wanted)?;
    let central = rest.survey(known, wanted)?;
    let index = pick(&central, wanted)?;
    let streamed = known.last().expect("the library was read");
    if central[index].offset != streamed.offset {
        return Err(ambiguous(
            wanted,
            Ambiguity::Several(central[index].name.clone(), streamed.name.clone()),
        ));
    }
    Ok(())
}

/// The one entry of the directory that is the library, under the rules
/// both routes share.
fn pick(central: &[CentralEntry], wanted: &Wanted) -> Result<usize> {
    let names: Vec<String> = central.iter().map(|c| c.name.clone()).collect();
    for n in &names {
        zipfmt::check_name(n)?;
    }
    zipfmt::pick_entry(&names, wanted.lib_file, wanted.aliases, wanted.others).map_err(|p| match p {
        Pick::Several(a, b) => ambiguous(wanted, Ambiguity::Several(a, b)),
        Pick::None => Error::MissingLibrary {
            asset: wanted.asset.into(),
            lib: wanted.lib_file.into(),
            names: names.clone(),
            foreign: names.iter().filter(|n| zipfmt::names_other_target(n, wanted.others)).cloned().collect(),
        },
    })
}

/// No end record where the format puts it: after a streamed library the
/// records were read one by one, so the archive stops early; a whole
/// archive may also carry more than 64 KiB after its end record.
fn survey_error(wanted: &Wanted, e: SurveyError<Error>, whole: bool) -> Error {
    match e {
        SurveyError::Read(e) => e,
        SurveyError::Cut if whole => archive(
            wanted,
            "it ends early (truncated download or file), or bytes follow its end record".into(),
        ),
        SurveyError::Cut => truncated(wanted),
        SurveyError::Ambiguous(a) => ambiguous(wanted, a),
    }
}

fn archive(wanted: &Wanted, reason: String) -> Error {
    Error::Archive { asset: wanted.asset.into(), reason }
}

fn ambiguous(wanted: &Wanted, reason: Ambiguity) -> Error {
    Error::Ambiguous { asset: wanted.asset.into(), reason }
}

fn truncated(wanted: &Wanted) -> Error {
    archive(wanted, "it ends early (truncated download or file)".into())
}

/// A failed read of the archive: the source's own error carried up through
/// the hashing thread (network, interrupt, restart), else what the reader
/// in between says of the data: the inflater reports corrupt input as
/// invalid data, and a body that stops early ends a read_exact.
fn read_error(wanted: &Wanted, e: io::Error) -> Error {
    match e.downcast::<Error>() {
        Ok(carried) => carried,
        Err(e) => match e.kind() {
            io::ErrorKind::UnexpectedEof => truncated(wanted),
            io::ErrorKind::InvalidInput | io::ErrorKind::InvalidData => {
                archive(wanted, format!("corrupt compressed data ({e})"))
            }
            _ => Error::Other(format!("reading {}: {e}", wanted.asset)),
        },
    }
}

fn sink_error(wanted: &Wanted, e: SinkError) -> Error {
    match e {
        SinkError::Library(source) => Error::Library { asset: wanted.asset.into(), source },
        SinkError::Write(io) => Error::io("write the library into", wanted.dest, io),
        other => archive(wanted, other.to_string()),
    }
}

/// Whether a mirrored archive is one the installer would accept: surveyed
/// the same way, holding exactly one library for its target.
pub(crate) fn inspect(file: &std::fs::File, wanted: &Wanted) -> Result<String> {
    let len = file.metadata().map_err(|e| Error::io("read", wanted.dest, e))?.len();
    let central = layout::survey(&mut spool::FileBytes { file, len }, &[])
        .map_err(|e| survey_error(wanted, e, true))?;
    Ok(central[pick(&central, wanted)?].name.clone())
}
