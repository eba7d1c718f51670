//! The central directory, the end records, and the rules that make an archive
//! read one way only. A zip says what it holds twice: each entry's local
//! header, and the central directory at the end. A streaming reader believes
//! the first, the zip crate (and `unzip`) the second, so an archive where they
//! differ installs one library from one route and another from the other.
//! Every route therefore checks that the two agree entry by entry and that
//! the entries tile the file from byte 0 to the directory, with nothing after
//! the end record.

use super::{FLAG_DATA_DESCRIPTOR, LOCAL_FIXED_LEN, LocalHeader, u16_at, u32_at};

pub(crate) const CENTRAL_SIG: [u8; 4] = *b"PK\x01\x02";
pub(crate) const CENTRAL_FIXED_LEN: usize = 46;
pub(crate) const EOCD_SIG: [u8; 4] = *b"PK\x05\x06";
pub(crate) const EOCD_LEN: usize = 22;
pub(crate) const ZIP64_EOCD_SIG: [u8; 4] = *b"PK\x06\x06";
const ZIP64_EOCD_LEN: usize = 56;
pub(crate) const ZIP64_LOCATOR_SIG: [u8; 4] = *b"PK\x06\x07";
pub(crate) const ZIP64_LOCATOR_LEN: usize = 20;
const DESCRIPTOR_SIG: [u8; 4] = *b"PK\x07\x08";
const ZIP64_EXTRA: u16 = 0x0001;
/// The bytes after an entry's data that can hold its data descriptor.
pub(crate) const DESCRIPTOR_MAX: usize = 24;
/// The end of an archive that holds its end records: the longest comment,
/// the record itself, and the zip64 record and locator before it.
pub(crate) const TAIL_LEN: usize = EOCD_LEN + u16::MAX as usize + ZIP64_EOCD_LEN + ZIP64_LOCATOR_LEN;
/// No release archive's directory comes near this (a few hundred bytes per
/// entry); a bigger one is refused rather than read into memory.
pub(crate) const MAX_DIRECTORY: u64 = 16 << 20;

/// Why an archive can be read two ways, so that what one reader installs is
/// not what another would.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum Ambiguity {
    #[error("the entry '{0}' is not listed in its central directory")]
    Unlisted(String),
    #[error("the central directory names the entry at byte {offset} '{listed}', its own header '{local}'")]
    Renamed { offset: u64, listed: String, local: String },
    #[error("the central directory lists '{0}' more than once")]
    Duplicate(String),
    #[error("the central directory lists '{0}', which has no entry of its own")]
    Phantom(String),
    #[error("'{0}' has other sizes or another CRC in its central directory")]
    Mismatch(String),
    #[error("bytes {from}..{to} belong to no entry the central directory lists")]
    Gap { from: u64, to: u64 },
    #[error("entries overlap at byte {0}")]
    Overlap(u64),
    #[error("its end record does not describe its central directory")]
    BadEnd,
    #[error("it has bytes after its end record")]
    Trailing,
    #[error("its zip64 records are not where its end record points")]
    Zip64,
    #[error("two entries could be the library: '{0}' and '{1}'")]
    Several(String, String),
}

/// Where the central directory is and how many entries it lists, from the
/// end record (or the zip64 record it points to).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct End {
    pub(crate) entries: u64,
    pub(crate) dir_offset: u64,
    pub(crate) dir_size: u64,
}

/// What the end of an archive says. `tail` is its last bytes (up to
/// `TAIL_LEN`), starting at byte `tail_start`. `Ok(None)`: no end record at
/// all, a cut-off download or not a zip.
pub(crate) fn find_end(tail: &[u8], tail_start: u64) -> Result<Option<End>, Ambiguity> {
    let sigs: Vec<usize> =
        (0..tail.len().saturating_sub(EOCD_LEN - 1)).rev().filter(|&i| tail[i..i + 4] == EOCD_SIG).collect();
    let reach = |i: usize| i + EOCD_LEN + u16_at(tail, i + 20) as usize;
    let Some(&at) = sigs.iter().find(|&&i| reach(i) == tail.len()) else {
        // The last record running past the end is a cut-off download; one
        // ending short of it has bytes after it.
        return match sigs.first() {
            Some(&i) if reach(i) < tail.len() => Err(Ambiguity::Trailing),
            _ => Ok(None),
        };
    };
    let rec = &tail[at..at + EOCD_LEN];
    if u16_at(rec, 4) != 0 || u16_at(rec, 6) != 0 || u16_at(rec, 8) != u16_at(rec, 10) {
        return Err(Ambiguity::BadEnd); // split over several disks
    }
    let mut end = End {
        entries: u16_at(rec, 10) as u64,
        dir_size: u32_at(rec, 12) as u64,
        dir_offset: u32_at(rec, 16) as u64,
    };
    let mut dir_end = tail_start + at as u64;
    let located = at >= ZIP64_LOCATOR_LEN && tail[at - ZIP64_LOCATOR_LEN..][..4] == ZIP64_LOCATOR_SIG;
    if located {
        let locator = &tail[at - ZIP64_LOCATOR_LEN..at];
        let record_at = (at - ZIP64_LOCATOR_LEN).checked_sub(ZIP64_EOCD_LEN).ok_or(Ambiguity::Zip64)?;
        let record = &tail[record_at..record_at + ZIP64_EOCD_LEN];
        let placed = u64_at(locator, 8) == tail_start + record_at as u64;
        if !placed || record[..4] != ZIP64_EOCD_SIG || u64_at(record, 4) != (ZIP64_EOCD_LEN - 12) as u64 {
            return Err(Ambiguity::Zip64);
        }
        end =
            End { entries: u64_at(record, 32), dir_size: u64_at(record, 40), dir_offset: u64_at(record, 48) };
        dir_end = tail_start + record_at as u64;
    } else if end.entries == u16::MAX as u64
        || end.dir_size == u32::MAX as u64
        || end.dir_offset == u32::MAX as u64
    {
        return Err(Ambiguity::Zip64);
    }
    if end.dir_offset.checked_add(end.dir_size) != Some(dir_end) || end.dir_size > MAX_DIRECTORY {
        return Err(Ambiguity::BadEnd);
    }
    Ok(Some(end))
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().expect("8 bytes"))
}

/// An entry's CRC and sizes, wherever they were written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Sizes {
    pub(crate) crc32: u32,
    pub(crate) compressed: u64,
    pub(crate) uncompressed: u64,
}

/// One entry as the central directory lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CentralEntry {
    pub(crate) offset: u64,
    pub(crate) name: String,
    pub(crate) sizes: Sizes,
    pub(crate) flags: u16,
    pub(crate) method: u16,
}

/// Every entry of the directory `bytes`, which must hold exactly the count
/// the end record gave and nothing else.
pub(crate) fn parse_directory(bytes: &[u8], entries: u64) -> Result<Vec<CentralEntry>, Ambiguity> {
    let mut out = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let fixed = bytes.get(at..at + CENTRAL_FIXED_LEN).ok_or(Ambiguity::BadEnd)?;
        if fixed[..4] != CENTRAL_SIG {
            return Err(Ambiguity::BadEnd);
        }
        let (name_len, extra_len, comment_len) =
            (u16_at(fixed, 28) as usize, u16_at(fixed, 30) as usize, u16_at(fixed, 32) as usize);
        let var =
            bytes.get(at + CENTRAL_FIXED_LEN..at + CENTRAL_FIXED_LEN + name_len + extra_len + comment_len);
        let var = var.ok_or(Ambiguity::BadEnd)?;
        let mut wide = Zip64Fields::new(var[name_len..name_len + extra_len].to_vec());
        let uncompressed = wide.field(u32_at(fixed, 24))?;
        let compressed = wide.field(u32_at(fixed, 20))?;
        out.push(CentralEntry {
            offset: wide.field(u32_at(fixed, 42))?,
            name: String::from_utf8_lossy(&var[..name_len]).into_owned(),
            sizes: Sizes { crc32: u32_at(fixed, 16), compressed, uncompressed },
            flags: u16_at(fixed, 8),
            method: u16_at(fixed, 10),
        });
        at += CENTRAL_FIXED_LEN + var.len();
    }
    if out.len() as u64 != entries {
        return Err(Ambiguity::BadEnd);
    }
    Ok(out)
}

/// A header's 32-bit fields that say "see the zip64 extra field" take the
/// next 64-bit value from it, in the order the format lists them.
struct Zip64Fields {
    values: Vec<u64>,
    next: usize,
}

impl Zip64Fields {
    fn new(extra: Vec<u8>) -> Zip64Fields {
        let mut values = Vec::new();
        let mut at = 0;
        while at + 4 <= extra.len() {
            let (id, len) = (u16_at(&extra, at), u16_at(&extra, at + 2) as usize);
            let body = extra.get(at + 4..at + 4 + len).unwrap_or(&[]);
            if id == ZIP64_EXTRA {
                values = body.chunks_exact(8).map(|c| u64_at(c, 0)).collect();
            }
            at += 4 + len;
        }
        Zip64Fields { values, next: 0 }
    }

    fn field(&mut self, narrow: u32) -> Result<u64, Ambiguity> {
        if narrow != u32::MAX {
            return Ok(narrow as u64);
        }
        let wide = self.values.get(self.next).copied().ok_or(Ambiguity::Zip64)?;
        self.next += 1;
        Ok(wide)
    }
}

/// One entry as its local header says it is, where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LocalEntry {
    pub(crate) offset: u64,
    pub(crate) name: String,
    pub(crate) header: LocalHeader,
    /// Where its data starts.
    pub(crate) data: u64,
    /// Where the entry ends: after its data, and its descriptor once added.
    pub(crate) end: u64,
    /// `None` until a data descriptor supplies them.
    pub(crate) sizes: Option<Sizes>,
    zip64: bool,
}

impl LocalEntry {
    /// The entry at `offset` from its fixed header and the name and extra
    /// field after it. An entry whose sizes follow its data takes its length
    /// from `listed`, the central directory's entry for it.
    pub(crate) fn read(
        offset: u64,
        fixed: &[u8; LOCAL_FIXED_LEN],
        var: &[u8],
        listed: Option<&CentralEntry>,
    ) -> Result<LocalEntry, Ambiguity> {
        let header = LocalHeader::parse(fixed).ok_or_else(|| phantom(listed))?;
        let name_len = header.name_len as usize;
        let name = String::from_utf8_lossy(&var[..name_len]).into_owned();
        let mut wide = Zip64Fields::new(var[name_len..].to_vec());
        let zip64 = header.uncompressed == u32::MAX || header.compressed == u32::MAX;
        let uncompressed = wide.field(header.uncompressed)?;
        let compressed = wide.field(header.compressed)?;
        let data = offset + (LOCAL_FIXED_LEN + var.len()) as u64;
        let (sizes, length) = if header.flags & FLAG_DATA_DESCRIPTOR == 0 {
            (Some(Sizes { crc32: header.crc32, compressed, uncompressed }), compressed)
        } else {
            (None, listed.ok_or_else(|| Ambiguity::Unlisted(name.clone()))?.sizes.compressed)
        };
        Ok(LocalEntry { offset, name, header, data, end: data + length, sizes, zip64 })
    }

    pub(crate) fn needs_descriptor(&self) -> bool {
        self.sizes.is_none()
    }

    /// Takes the sizes from the data descriptor at the start of `after` (the
    /// bytes that follow the entry's data), with or without its signature.
    pub(crate) fn add_descriptor(&mut self, after: &[u8]) -> Result<(), Ambiguity> {
        let signed = after.starts_with(&DESCRIPTOR_SIG);
        let body = if signed { &after[4..] } else { after };
        let width = if self.zip64 { 8 } else { 4 };
        let body = body.get(..4 + 2 * width).ok_or_else(|| Ambiguity::Mismatch(self.name.clone()))?;
        let wide = |at: usize| if self.zip64 { u64_at(body, at) } else { u32_at(body, at) as u64 };
        self.sizes =
            Some(Sizes { crc32: u32_at(body, 0), compressed: wide(4), uncompressed: wide(4 + width) });
        self.end += (4 * signed as usize + body.len()) as u64;
        Ok(())
    }
}

fn phantom(listed: Option<&CentralEntry>) -> Ambiguity {
    Ambiguity::Phantom(listed.map_or_else(String::new, |c| c.name.clone()))
}

/// The rules every route applies: each local entry is listed once, under
/// its own name, at its own offset, with its own sizes and CRC; nothing is
/// listed that has no entry; and the entries tile the archive from byte 0 to
/// the central directory, so no unlisted bytes hide between them.
pub(crate) fn check(locals: &[LocalEntry], central: &[CentralEntry], end: &End) -> Result<(), Ambiguity> {
    let mut names: Vec<&str> = central.iter().map(|c| c.name.as_str()).collect();
    names.sort_unstable();
    if let Some(w) = names.windows(2).find(|w| w[0] == w[1]) {
        return Err(Ambiguity::Duplicate(w[0].to_string()));
    }
    for l in locals {
        let Some(c) = central.iter().find(|c| c.offset == l.offset) else {
            return Err(Ambiguity::Unlisted(l.name.clone()));
        };
        if c.name != l.name {
            return Err(Ambiguity::Renamed {
                offset: l.offset,
                listed: c.name.clone(),
                local: l.name.clone(),
            });
        }
        // The stream decodes by the local header, unzip and the zip crate by
        // the directory: the method and the encryption bit must agree too.
        let encrypted = |flags: u16| flags & 1;
        if l.sizes != Some(c.sizes)
            || l.header.method != c.method
            || encrypted(l.header.flags) != encrypted(c.flags)
        {
            return Err(Ambiguity::Mismatch(l.name.clone()));
        }
    }
    if let Some(c) = central.iter().find(|c| !locals.iter().any(|l| l.offset == c.offset)) {
        return Err(Ambiguity::Phantom(c.name.clone()));
    }
    let mut sorted: Vec<&LocalEntry> = locals.iter().collect();
    sorted.sort_by_key(|l| l.offset);
    let mut reached = 0;
    for start in sorted.iter().map(|l| l.offset).chain([end.dir_offset]) {
        if start > reached {
            return Err(Ambiguity::Gap { from: reached, to: start });
        }
        if start < reached {
            return Err(Ambiguity::Overlap(start));
        }
        reached = sorted.iter().find(|l| l.offset == start).map_or(reached, |l| l.end);
    }
    Ok(())
}

/// An archive, or the part of it still at hand, read at offsets. The stream
/// route has already consumed the entries up to the library and passes
/// them as `known`; it holds the rest from `start()` on.
pub(crate) trait Bytes {
    type Error;
    /// Where the bytes at hand start.
    fn start(&self) -> u64;
    /// The archive's whole length.
    fn len(&self) -> u64;
    /// Up to `len` bytes at `offset` (fewer at the end).
    fn at(&mut self, offset: u64, len: usize) -> Result<Vec<u8>, Self::Error>;
}

#[derive(Debug, PartialEq, Eq)]
pub(crate) enum SurveyError<E> {
    Read(E),
    /// No end record: the download or file stops early.
    Cut,
    Ambiguous(Ambiguity),
}

impl<E> From<Ambiguity> for SurveyError<E> {
    fn from(a: Ambiguity) -> Self {
        SurveyError::Ambiguous(a)
    }
}

/// Reads the end record and the central directory, then every entry's local
/// header, and checks they agree (`check`). Returns the directory's entries.
pub(crate) fn survey<B: Bytes>(
    b: &mut B,
    known: &[LocalEntry],
) -> Result<Vec<CentralEntry>, SurveyError<B::Error>> {
    let total = b.len();
    let tail_start = total.saturating_sub(TAIL_LEN as u64).max(b.start());
    let tail = b.at(tail_start, (total - tail_start) as usize).map_err(SurveyError::Read)?;
    let end = find_end(&tail, tail_start)?.ok_or(SurveyError::Cut)?;
    if end.dir_offset < b.start() {
        return Err(Ambiguity::BadEnd.into());
    }
    let dir = b.at(end.dir_offset, end.dir_size as usize).map_err(SurveyError::Read)?;
    if dir.len() as u64 != end.dir_size {
        return Err(Ambiguity::BadEnd.into());
    }
    let central = parse_directory(&dir, end.entries)?;
    let mut locals: Vec<LocalEntry> = known.to_vec();
    for c in &central {
        if locals.iter().any(|l| l.offset == c.offset) {
            continue;
        }
        if c.offset < b.start() {
            return Err(Ambiguity::Phantom(c.name.clone()).into());
        }
        let fixed: [u8; LOCAL_FIXED_LEN] = b
            .at(c.offset, LOCAL_FIXED_LEN)
            .map_err(SurveyError::Read)?
            .try_into()
            .map_err(|_| Ambiguity::Phantom(c.name.clone()))?;
        let header = LocalHeader::parse(&fixed).ok_or_else(|| Ambiguity::Phantom(c.name.clone()))?;
        let var_len = header.name_len as usize + header.extra_len as usize;
        let var = b.at(c.offset + LOCAL_FIXED_LEN as u64, var_len).map_err(SurveyError::Read)?;
        if var.len() != var_len {
            return Err(Ambiguity::Phantom(c.name.clone()).into());
        }
        let mut local = LocalEntry::read(c.offset, &fixed, &var, Some(c))?;
        if local.needs_descriptor() {
            let after = b.at(local.end, DESCRIPTOR_MAX).map_err(SurveyError::Read)?;
            local.add_descriptor(&after)?;
        }
        locals.push(local);
    }
    check(&locals, &central, &end)?;
    Ok(central)
}

#[cfg(test)]
mod tests;
