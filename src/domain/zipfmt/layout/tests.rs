use std::io::{Cursor, Write};

use super::*;
use crate::testzip::zip_of as real_zip;

/// An archive held whole in memory.
struct Whole(Vec<u8>);

impl Bytes for Whole {
    type Error = ();
    fn start(&self) -> u64 {
        0
    }
    fn len(&self) -> u64 {
        self.0.len() as u64
    }
    fn at(&mut self, offset: u64, len: usize) -> Result<Vec<u8>, ()> {
        let from = (offset as usize).min(self.0.len());
        Ok(self.0[from..(from + len).min(self.0.len())].to_vec())
    }
}

fn survey_of(bytes: &[u8]) -> Result<Vec<String>, SurveyError<()>> {
    survey(&mut Whole(bytes.to_vec()), &[]).map(|c| c.into_iter().map(|c| c.name).collect())
}

/// A stored-entry archive built by hand, each part open to tampering.
struct Parts {
    locals: Vec<Vec<u8>>,
    central: Vec<Vec<u8>>,
    comment: Vec<u8>,
}

fn le16(v: &mut Vec<u8>, x: u16) {
    v.extend_from_slice(&x.to_le_bytes());
}
fn le32(v: &mut Vec<u8>, x: u32) {
    v.extend_from_slice(&x.to_le_bytes());
}

fn parts(entries: &[(&str, &[u8])]) -> Parts {
    let mut p = Parts { locals: Vec::new(), central: Vec::new(), comment: Vec::new() };
    let mut offset = 0u32;
    for (i, (name, data)) in entries.iter().enumerate() {
        let crc = 0x1000 + i as u32;
        let mut l = b"PK\x03\x04".to_vec();
        for x in [20u16, 0, 0, 0, 0] {
            le16(&mut l, x);
        }
        for x in [crc, data.len() as u32, data.len() as u32] {
            le32(&mut l, x);
        }
        le16(&mut l, name.len() as u16);
        le16(&mut l, 0);
        l.extend_from_slice(name.as_bytes());
        l.extend_from_slice(data);
        let mut c = b"PK\x01\x02".to_vec();
        for x in [20u16, 20, 0, 0, 0, 0] {
            le16(&mut c, x);
        }
        for x in [crc, data.len() as u32, data.len() as u32] {
            le32(&mut c, x);
        }
        for x in [name.len() as u16, 0, 0, 0, 0] {
            le16(&mut c, x);
        }
        le32(&mut c, 0);
        le32(&mut c, offset);
        c.extend_from_slice(name.as_bytes());
        offset += l.len() as u32;
        p.locals.push(l);
        p.central.push(c);
    }
    p
}

impl Parts {
    fn bytes(&self) -> Vec<u8> {
        let mut out: Vec<u8> = self.locals.concat();
        let dir_offset = out.len() as u32;
        let dir = self.central.concat();
        out.extend_from_slice(&dir);
        out.extend_from_slice(b"PK\x05\x06");
        for x in [0u16, 0, self.central.len() as u16, self.central.len() as u16] {
            le16(&mut out, x);
        }
        le32(&mut out, dir.len() as u32);
        le32(&mut out, dir_offset);
        le16(&mut out, self.comment.len() as u16);
        out.extend_from_slice(&self.comment);
        out
    }
}

const AB: &[(&str, &[u8])] = &[("a.txt", b"alpha"), ("lib.a", b"!<arch>\nbeta")];

#[test]
fn archives_as_zip_tools_write_them_pass() {
    let names = || Ok(vec!["a.txt".to_string(), "lib.a".to_string()]);
    assert_eq!(survey_of(&real_zip(AB, false)), names());
    assert_eq!(survey_of(&real_zip(AB, true)), names(), "sizes in data descriptors");
    assert_eq!(survey_of(&parts(AB).bytes()), names());
    let mut commented = parts(AB);
    commented.comment = b"built by hand PK\x05\x06 with a signature inside".to_vec();
    assert_eq!(survey_of(&commented.bytes()), names());
}

#[test]
fn an_archive_two_readers_would_read_differently_is_refused() {
    let amb = |p: &Parts| match survey_of(&p.bytes()) {
        Err(SurveyError::Ambiguous(a)) => a,
        other => panic!("{other:?}"),
    };
    let mut renamed = parts(AB);
    renamed.central[1].splice(46.., b"lib.b".iter().copied());
    assert_eq!(
        amb(&renamed),
        Ambiguity::Renamed { offset: 40, listed: "lib.b".into(), local: "lib.a".into() }
    );

    let mut unlisted = parts(AB);
    unlisted.central.remove(0);
    assert_eq!(amb(&unlisted), Ambiguity::Gap { from: 0, to: 40 });

    let mut doubled = parts(AB);
    let again = doubled.central[1].clone();
    doubled.central.push(again);
    assert_eq!(amb(&doubled), Ambiguity::Duplicate("lib.a".into()));

    let mut resized = parts(AB);
    resized.central[1][16] ^= 1; // its CRC
    assert_eq!(amb(&resized), Ambiguity::Mismatch("lib.a".into()));

    let mut remethod = parts(AB);
    remethod.central[1][10] = 8; // the directory says deflate, the local header stored
    assert_eq!(amb(&remethod), Ambiguity::Mismatch("lib.a".into()));

    let mut encrypted = parts(AB);
    encrypted.central[1][8] |= 1; // the directory says encrypted, the local header not
    assert_eq!(amb(&encrypted), Ambiguity::Mismatch("lib.a".into()));

    let mut hidden = parts(AB);
    hidden.locals.insert(1, parts(&[("evil.a", b"x")]).locals.remove(0));
    assert!(matches!(amb(&hidden), Ambiguity::Renamed { .. } | Ambiguity::Gap { .. }), "{:?}", amb(&hidden));

    let mut prefixed = parts(AB);
    prefixed.locals.insert(0, b"MZ self-extractor".to_vec());
    assert!(matches!(amb(&prefixed), Ambiguity::Phantom(_) | Ambiguity::Gap { .. }));
}

#[test]
fn bytes_after_the_end_record_are_refused_and_a_cut_end_is_a_short_download() {
    let mut bytes = real_zip(AB, false);
    bytes.extend_from_slice(b"junk after the end");
    assert_eq!(survey_of(&bytes), Err(SurveyError::Ambiguous(Ambiguity::Trailing)));
    let whole = real_zip(AB, false);
    for cut in [1, 10, 22, 60] {
        assert_eq!(survey_of(&whole[..whole.len() - cut]), Err(SurveyError::Cut), "cut {cut}");
    }
    assert_eq!(survey_of(b""), Err(SurveyError::Cut));
}

#[test]
fn end_records_must_describe_the_directory() {
    let good = parts(AB).bytes();
    let eocd = good.len() - EOCD_LEN;
    let mut wrong_count = good.clone();
    wrong_count[eocd + 10] = 3;
    wrong_count[eocd + 8] = 3;
    assert_eq!(survey_of(&wrong_count), Err(SurveyError::Ambiguous(Ambiguity::BadEnd)));
    let mut wrong_offset = good.clone();
    wrong_offset[eocd + 16] -= 1;
    assert_eq!(survey_of(&wrong_offset), Err(SurveyError::Ambiguous(Ambiguity::BadEnd)));
    let mut split = good;
    split[eocd + 4] = 1;
    assert_eq!(survey_of(&split), Err(SurveyError::Ambiguous(Ambiguity::BadEnd)));
}

#[test]
fn zip64_records_are_read_where_the_end_record_points() {
    use zip::write::SimpleFileOptions;
    let opts = SimpleFileOptions::default().large_file(true);
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    w.start_file("lib.a", opts).unwrap();
    w.write_all(b"!<arch>\n").unwrap();
    let bytes = w.finish().unwrap().into_inner();
    assert_eq!(survey_of(&bytes), Ok(vec!["lib.a".to_string()]));
}

#[test]
fn entries_already_read_by_the_stream_count_as_known() {
    let bytes = parts(AB).bytes();
    let fixed: [u8; LOCAL_FIXED_LEN] = bytes[..LOCAL_FIXED_LEN].try_into().unwrap();
    let first = LocalEntry::read(0, &fixed, &bytes[30..35], None).unwrap();
    assert_eq!((first.name.as_str(), first.data, first.end), ("a.txt", 35, 40));

    /// The stream has consumed the first entry; only the rest is at hand.
    struct Rest(Vec<u8>, u64);
    impl Bytes for Rest {
        type Error = ();
        fn start(&self) -> u64 {
            self.1
        }
        fn len(&self) -> u64 {
            self.0.len() as u64
        }
        fn at(&mut self, offset: u64, len: usize) -> Result<Vec<u8>, ()> {
            assert!(offset >= self.1, "read {offset}, before the bytes at hand");
            let from = (offset as usize).min(self.0.len());
            Ok(self.0[from..(from + len).min(self.0.len())].to_vec())
        }
    }
    assert!(survey(&mut Rest(bytes.clone(), 40), std::slice::from_ref(&first)).is_ok());
    assert_eq!(
        survey(&mut Rest(bytes.clone(), 40), &[]),
        Err(SurveyError::Ambiguous(Ambiguity::Phantom("a.txt".into())))
    );
    let renamed = LocalEntry { name: "b.txt".into(), ..first };
    assert!(matches!(
        survey(&mut Rest(bytes, 40), &[renamed]),
        Err(SurveyError::Ambiguous(Ambiguity::Renamed { .. }))
    ));
}
