//! Real zip files for the unit tests, written by the `zip` crate, so that the
//! parsers are tested against what a real writer produces.

use std::io::{Cursor, Write};

use zip::write::SimpleFileOptions;

/// A deflated zip of `entries`; `stream` writes sizes in trailing data
/// descriptors (a non-seekable writer), as streaming zip tools do.
pub(crate) fn zip_of(entries: &[(&str, &[u8])], stream: bool) -> Vec<u8> {
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
