//! Getting the library out of the zip in one pass. The streaming route reads
//! local headers as the bytes arrive and inflates the library entry straight
//! into the sink; entries before it are skipped. When the stream cannot be
//! trusted to find it (sizes in a trailing data descriptor, an unknown method,
//! zip64, or a library under an unexpected name), every byte read so far and the
//! rest of the download are spooled to a temporary file in the destination
//! folder and the zip crate extracts from the central directory instead.

use std::io::{self, BufReader, Read, Seek, Write};
use std::path::{Path, PathBuf};

use flate2::bufread::DeflateDecoder;
use tempfile::NamedTempFile;

use super::sink::{FillError, LibDigest, LibWriter, SinkError};
use crate::domain::zipfmt::{self, LOCAL_FIXED_LEN, LocalHeader, METHOD_DEFLATE, Match};
use crate::error::{Error, Result};

const SPOOL_IN_MEMORY: usize = 1024 * 1024;

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
}

pub(crate) struct Extracted {
    pub(crate) entry: String,
    pub(crate) route: Route,
    pub(crate) lib: LibDigest,
}

/// Opens the sink once the entry's declared size is known.
pub(crate) type OpenSink<'a> = dyn FnMut(u64) -> Result<LibWriter> + 'a;

pub(crate) fn extract(
    src: &mut dyn Read,
    spool_dir: &Path,
    wanted: &Wanted,
    open_sink: &mut OpenSink,
) -> Result<Extracted> {
    let mut spool = Spool { dir: spool_dir.to_path_buf(), mem: Vec::new(), file: None, guard: None };
    let mut first = true;
    loop {
        let mut fixed = [0u8; LOCAL_FIXED_LEN];
        let whole = match read_exact_or_eof(src, &mut fixed) {
            Ok(whole) => whole,
            // Fewer bytes than one header in all: a short error page, not a zip.
            Err(e) if first && e.kind() == io::ErrorKind::UnexpectedEof => false,
            Err(e) => return Err(read_error(wanted, e)),
        };
        if !whole || LocalHeader::parse(&fixed).is_none() {
            if first {
                return Err(Error::Archive {
                    asset: wanted.asset.into(),
                    reason: "it is not a zip file".into(),
                });
            }
            // The central directory: no local entry matched. Spool all of it
            // and let the central directory decide (an only `.a` under another name).
            spool.write_all(&fixed).map_err(|e| spool.error(e))?;
            return spool_and_extract(src, spool, wanted, open_sink);
        }
        first = false;
        let h = LocalHeader::parse(&fixed).expect("checked above");
        let mut var = vec![0u8; h.name_len as usize + h.extra_len as usize];
        src.read_exact(&mut var).map_err(|e| read_error(wanted, e))?;
        let name = String::from_utf8_lossy(&var[..h.name_len as usize]).into_owned();
        zipfmt::check_name(&name)?;
        let matched = zipfmt::match_entry(&name, wanted.lib_file, wanted.aliases);
        if matched != Match::No && h.streamable() {
            let lib = stream_entry(src, &h, wanted, open_sink)?;
            check_remaining_names(src, wanted)?;
            return Ok(Extracted { entry: name, route: Route::Stream, lib });
        }
        spool.write_all(&fixed).and_then(|_| spool.write_all(&var)).map_err(|e| spool.error(e))?;
        if matched != Match::No || !h.skippable() {
            return spool_and_extract(src, spool, wanted, open_sink);
        }
        let skipped = io::copy(&mut src.take(h.compressed as u64), &mut spool).map_err(|e| spool.error(e))?;
        if skipped != h.compressed as u64 {
            return Err(truncated(wanted));
        }
    }
}

fn read_exact_or_eof(src: &mut dyn Read, buf: &mut [u8]) -> io::Result<bool> {
    let mut n = 0;
    while n < buf.len() {
        match src.read(&mut buf[n..])? {
            0 if n == 0 => return Ok(false),
            0 => return Err(io::ErrorKind::UnexpectedEof.into()),
            k => n += k,
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
    let mut sink = open_sink(declared)?;
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
    if sink.written() != declared {
        return Err(archive(
            wanted,
            format!("the library is {} bytes, its header says {declared}", sink.written()),
        ));
    }
    // The writer thread computed the CRC, off the inflating thread's path.
    let lib = sink.finish().map_err(|e| sink_error(wanted, e))?;
    if lib.crc32 != h.crc32 {
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

/// After the library, keep reading headers (without inflating) so that a
/// hostile name later in the archive is still refused, then check the archive
/// ends with its end-of-central-directory record: a body cut short (a wrong
/// Content-Length) must not pass as complete and have its digest recorded.
fn check_remaining_names(src: &mut dyn Read, wanted: &Wanted) -> Result<()> {
    let mut fixed = [0u8; LOCAL_FIXED_LEN];
    loop {
        match read_exact_or_eof(src, &mut fixed) {
            Ok(true) => {}
            Ok(false) => return Err(truncated(wanted)),
            Err(e) => return Err(read_error(wanted, e)),
        }
        let Some(h) = LocalHeader::parse(&fixed).filter(LocalHeader::skippable) else { break };
        let mut var = vec![0u8; h.name_len as usize + h.extra_len as usize];
        src.read_exact(&mut var).map_err(|e| read_error(wanted, e))?;
        zipfmt::check_name(&String::from_utf8_lossy(&var[..h.name_len as usize]))?;
        io::copy(&mut src.take(h.compressed as u64), &mut io::sink()).map_err(|e| read_error(wanted, e))?;
    }
    let mut tail = Tail { keep: zipfmt::EOCD_SEARCH, bytes: fixed.to_vec() };
    io::copy(src, &mut tail).map_err(|e| read_error(wanted, e))?;
    if zipfmt::has_end_record(&tail.bytes) { Ok(()) } else { Err(truncated(wanted)) }
}

/// Keeps the last `keep` bytes written to it.
struct Tail {
    keep: usize,
    bytes: Vec<u8>,
}

impl Write for Tail {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.bytes.extend_from_slice(data);
        if self.bytes.len() > 2 * self.keep {
            self.bytes.drain(..self.bytes.len() - self.keep);
        }
        Ok(data.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn spool_and_extract(
    src: &mut dyn Read,
    mut spool: Spool,
    wanted: &Wanted,
    open_sink: &mut OpenSink,
) -> Result<Extracted> {
    let dir = spool.dir.clone();
    super::copy(src, &mut spool, &|e| read_error(wanted, e), &|e| {
        Error::io("write a temporary file in", &dir, e)
    })?;
    let (file, _guard) = spool.into_file()?;
    let mut zip = zip::ZipArchive::new(file.reopen().map_err(|e| Error::io("read", file.path(), e))?)
        .map_err(|e| archive(wanted, format!("it is not a readable zip ({e})")))?;
    let names: Vec<String> = (0..zip.len())
        .map(|i| zip.name_for_index(i).and_then(|n| n.ok()).map(|n| n.into_owned()).unwrap_or_default())
        .collect();
    for n in &names {
        zipfmt::check_name(n)?;
    }
    let Some(index) = zipfmt::pick_entry(&names, wanted.lib_file, wanted.aliases) else {
        return Err(Error::MissingLibrary { asset: wanted.asset.into(), lib: wanted.lib_file.into(), names });
    };
    let mut entry =
        zip.by_index(index).map_err(|e| archive(wanted, format!("cannot read '{}': {e}", names[index])))?;
    if entry.is_symlink() {
        return Err(archive(wanted, format!("'{}' is a symbolic link, not a library", names[index])));
    }
    let mut sink = open_sink(entry.size())?;
    copy_into(&mut entry, &mut sink, wanted)?;
    if sink.written() != entry.size() {
        return Err(archive(
            wanted,
            format!("the library is {} bytes, the archive says {}", sink.written(), entry.size()),
        ));
    }
    let lib = sink.finish().map_err(|e| sink_error(wanted, e))?;
    Ok(Extracted { entry: names[index].clone(), route: Route::Spool, lib })
}

/// Bytes kept for the fallback: in memory while small, then in a temporary file
/// beside the destination (never /tmp: it may be small or another filesystem).
struct Spool {
    dir: PathBuf,
    mem: Vec<u8>,
    file: Option<NamedTempFile>,
    guard: Option<crate::interrupt::TempGuard>,
}

impl Spool {
    fn ensure_file(&mut self) -> io::Result<&mut NamedTempFile> {
        if self.file.is_none() {
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
        let f = self.ensure_file().map_err(|e| Error::io("write a temporary file in", &dir, e))?;
        f.flush()
            .and_then(|_| f.as_file_mut().rewind())
            .map_err(|e| Error::io("write a temporary file in", &dir, e))?;
        Ok((self.file.take().expect("created"), self.guard.take()))
    }

    fn error(&self, e: io::Error) -> Error {
        Error::io("write a temporary file in", &self.dir, e)
    }
}

impl Write for Spool {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if self.file.is_none() && self.mem.len() + data.len() <= SPOOL_IN_MEMORY {
            self.mem.extend_from_slice(data);
            return Ok(data.len());
        }
        self.ensure_file()?.write(data)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.file.as_mut().map_or(Ok(()), |f| f.flush())
    }
}

fn archive(wanted: &Wanted, reason: String) -> Error {
    Error::Archive { asset: wanted.asset.into(), reason }
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    const TRIPLE: &str = "x86_64-unknown-linux-gnu";
    const LIB: &str = "libslim_bindings_x86_64_linux_gnu.a";

    /// A real `ar` archive with one x86-64 ELF object, as the sink checks.
    fn library() -> Vec<u8> {
        let mut obj = vec![0u8; 64];
        obj[..4].copy_from_slice(b"\x7fELF");
        obj[4] = 2;
        obj[5] = 1;
        obj[18..20].copy_from_slice(&62u16.to_le_bytes());
        let mut ar = b"!<arch>\n".to_vec();
        ar.extend(
            format!("{:<16}{:<12}{:<6}{:<6}{:<8}{:<10}`\n", "a.o/", 0, 0, 0, 644, obj.len()).into_bytes(),
        );
        ar.extend(obj);
        ar
    }

    /// A zip of `entries`; `stream` writes sizes in trailing data descriptors
    /// (a non-seekable writer), as streaming zip tools do.
    fn zip(entries: &[(&str, &[u8])], stream: bool) -> Vec<u8> {
        use zip::write::SimpleFileOptions;
        let opts = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        if stream {
            let mut w = zip::ZipWriter::new_stream(Vec::new());
            for (n, d) in entries {
                w.start_file(*n, opts).unwrap();
                w.write_all(d).unwrap();
            }
            w.finish().unwrap().into_inner()
        } else {
            let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
            for (n, d) in entries {
                w.start_file(*n, opts).unwrap();
                w.write_all(d).unwrap();
            }
            w.finish().unwrap().into_inner()
        }
    }

    fn run(bytes: Vec<u8>) -> (Result<Extracted>, Vec<u8>, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("lib.tmp");
        let aliases = vec!["libslim_bindings_x86_64_unknown_linux_gnu.a".to_string()];
        let wanted = Wanted { asset: "a.zip", dest: dir.path(), lib_file: LIB, aliases: &aliases };
        let mut open = |declared: u64| -> Result<LibWriter> {
            let file = std::fs::File::create(&out).unwrap();
            Ok(LibWriter::spawn(file, TRIPLE.into(), false, declared))
        };
        let got = extract(&mut Cursor::new(bytes), dir.path(), &wanted, &mut open);
        let written = std::fs::read(&out).unwrap_or_default();
        (got, written, dir)
    }

    #[test]
    fn sizes_in_the_local_header_stream_and_data_descriptors_spool() {
        let lib = library();
        for (stream, route) in [(false, Route::Stream), (true, Route::Spool)] {
            let (got, written, dir) = run(zip(&[("x.so", b"shared"), (LIB, &lib)], stream));
            let got = got.unwrap_or_else(|e| panic!("{e}"));
            assert_eq!((got.route, got.entry.as_str()), (route, LIB));
            assert_eq!(written, lib);
            assert_eq!(got.lib.size, lib.len() as u64);
            // The spool file is gone once extraction is over.
            let left: Vec<_> =
                std::fs::read_dir(dir.path()).unwrap().flatten().map(|e| e.file_name()).collect();
            assert_eq!(left, [std::ffi::OsString::from("lib.tmp")], "{route:?}");
        }
    }

    #[test]
    fn an_old_spelling_of_the_name_or_the_only_static_library_is_found_in_the_central_directory() {
        let lib = library();
        let (got, written, _d) = run(zip(&[("libslim_bindings_x86_64_unknown_linux_gnu.a", &lib)], false));
        assert_eq!(got.unwrap().route, Route::Stream);
        assert_eq!(written, lib);
        let (got, written, _d) = run(zip(&[("x.dll.a", b"import"), ("libother.a", &lib)], false));
        assert_eq!(got.unwrap().route, Route::Spool);
        assert_eq!(written, lib);
    }

    #[test]
    fn a_streamed_archive_must_end_with_its_end_record() {
        let mut bytes = zip(&[(LIB, &library())], false);
        bytes.truncate(bytes.len() - 10);
        let (got, _, _d) = run(bytes);
        let err = got.err().expect("a cut central directory is refused");
        assert!(err.to_string().contains("ends early"), "{err}");
    }

    #[test]
    fn not_a_zip_and_unsafe_names_are_refused() {
        let (got, _, _d) = run(b"<html>login</html>".to_vec());
        assert!(got.err().unwrap().to_string().contains("not a zip file"));
        let (got, _, _d) = run(zip(&[("../evil.a", b"x"), (LIB, &library())], false));
        assert!(matches!(got, Err(Error::UnsafeName(_))));
    }
}
