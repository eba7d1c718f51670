use std::io::{Cursor, Read};

use super::*;
use crate::domain::platform::other_target_names;
use crate::testzip::zip_of as zip;

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
    ar.extend(format!("{:<16}{:<12}{:<6}{:<6}{:<8}{:<10}`\n", "a.o/", 0, 0, 0, 644, obj.len()).into_bytes());
    ar.extend(obj);
    ar
}

/// Counts what the extractor pulled from it.
struct Source {
    data: Cursor<Vec<u8>>,
    pulled: u64,
}

impl Read for Source {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let cap = buf.len().min(64 * 1024);
        let n = self.data.read(&mut buf[..cap])?;
        self.pulled += n as u64;
        Ok(n)
    }
}

struct Run {
    got: Result<Extracted>,
    written: Vec<u8>,
    pulled: u64,
    dir: tempfile::TempDir,
}

fn run(bytes: Vec<u8>) -> (Result<Extracted>, Vec<u8>, tempfile::TempDir) {
    let r = run_with(bytes, None);
    (r.got, r.written, r.dir)
}

fn run_with(bytes: Vec<u8>, expected: Option<u64>) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("lib.tmp");
    let aliases = vec!["libslim_bindings_x86_64_unknown_linux_gnu.a".to_string()];
    let others = other_target_names(TRIPLE);
    let expected = expected.or(Some(bytes.len() as u64));
    let wanted = Wanted {
        asset: "a.zip",
        dest: dir.path(),
        lib_file: LIB,
        aliases: &aliases,
        others: &others,
        expected,
    };
    let mut open = |declared: u64| -> Result<LibWriter> {
        let file = std::fs::File::create(&out).unwrap();
        Ok(LibWriter::spawn(file, TRIPLE.into(), false, declared))
    };
    let mut src = Source { data: Cursor::new(bytes), pulled: 0 };
    let got = extract(&mut src, dir.path(), &wanted, &mut open);
    let written = std::fs::read(&out).unwrap_or_default();
    Run { got, written, pulled: src.pulled, dir }
}

fn ambiguity(got: Result<Extracted>) -> Ambiguity {
    match got {
        Err(Error::Ambiguous { reason, .. }) => reason,
        Err(e) => panic!("not refused as ambiguous: {e}"),
        Ok(x) => panic!("accepted, entry {}", x.entry),
    }
}

fn left_in(dir: &tempfile::TempDir) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
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
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().map(|e| e.file_name()).collect();
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

#[test]
fn the_central_directory_must_agree_with_what_was_streamed() {
    let lib = library();
    let good = zip(&[(LIB, &lib), ("x.so", b"shared")], false);
    // The directory's copy of the library's name, renamed.
    let at = good.windows(LIB.len()).rposition(|w| w == LIB.as_bytes()).unwrap();
    let mut renamed = good.clone();
    renamed[at] = b'X';
    assert!(matches!(ambiguity(run(renamed).0), Ambiguity::Renamed { .. }));
    // An entry only the stream sees: prepended to a real archive whose offsets then point wrong.
    let mut hidden = zip(&[("evil.a", b"x")], false);
    hidden.truncate(hidden.windows(4).position(|w| w == b"PK\x01\x02").unwrap());
    hidden.extend_from_slice(&good);
    assert!(matches!(
        ambiguity(run(hidden).0),
        Ambiguity::Phantom(_) | Ambiguity::Renamed { .. } | Ambiguity::BadEnd | Ambiguity::Gap { .. }
    ));
}

#[test]
fn bytes_after_the_end_record_are_refused_without_reading_them() {
    let mut bytes = zip(&[(LIB, &library())], false);
    let zip_len = bytes.len() as u64;
    bytes.extend(std::iter::repeat_n(0u8, 32 << 20));
    for stream in [false, true] {
        let mut bytes = if stream { bytes.clone() } else { zip(&[(LIB, &library())], true) };
        if !stream {
            bytes.extend(std::iter::repeat_n(0u8, 1 << 20));
        }
        let r = run_with(bytes, None);
        if stream {
            assert_eq!(ambiguity(r.got), Ambiguity::Trailing);
        } else {
            let err = r.got.err().expect("refused").to_string();
            assert!(err.contains("bytes follow its end record"), "{err}");
        }
        assert!(
            left_in(&r.dir).iter().all(|n| n == "lib.tmp"),
            "a spool file is left: {:?}",
            left_in(&r.dir)
        );
        if stream {
            assert!(r.pulled < zip_len + (1 << 20), "read {} of the junk", r.pulled - zip_len);
        }
    }
}

#[test]
fn two_candidate_libraries_are_refused_on_both_routes() {
    let lib = library();
    let alias = "libslim_bindings_x86_64_unknown_linux_gnu.a";
    for stream in [false, true] {
        let got = run(zip(&[(alias, &lib), (LIB, &lib)], stream)).0;
        assert_eq!(ambiguity(got), Ambiguity::Several(alias.into(), LIB.into()), "stream {stream}");
    }
}

#[test]
fn a_library_named_for_another_target_is_never_installed() {
    let lib = library();
    for stream in [false, true] {
        let got = run(zip(&[("libslim_bindings_x86_64_linux_musl.a", &lib)], stream)).0;
        let err = got.err().expect("refused");
        assert!(matches!(&err, Error::MissingLibrary { foreign, .. } if foreign.len() == 1), "{err}");
        assert!(err.to_string().contains("named for another target"), "{err}");
        let got =
            run(zip(&[("x86_64-unknown-linux-musl/libslim_bindings_x86_64_linux_gnu.a", &lib)], stream)).0;
        assert!(matches!(got, Err(Error::MissingLibrary { .. })), "stream {stream}");
    }
}

#[test]
fn nothing_past_the_announced_length_is_kept() {
    let mut bytes = zip(&[(LIB, &library())], true);
    let announced = bytes.len() as u64;
    bytes.extend_from_slice(&[7u8; 4096]);
    let r = run_with(bytes, Some(announced));
    let err = r.got.err().expect("refused");
    assert!(err.to_string().contains(&format!("longer than the {announced} bytes announced")), "{err}");
}
