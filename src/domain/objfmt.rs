//! Recognising what a static library was built for while it streams past: the
//! `ar` container (`!<arch>\n`, 60-byte member headers) and, for each member, the
//! object format and machine from its first bytes (ELF, Mach-O, COFF). The
//! library is never held in memory or read twice, so the few header fields are
//! read here from member prefixes instead of handing whole files to a parser.

use std::fmt;

pub(crate) const AR_MAGIC: &[u8; 8] = b"!<arch>\n";
const MEMBER_HEADER: usize = 60;
const PREFIX: usize = 64;

/// An object file's format and machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum ObjKind {
    Elf { class64: bool, machine: u16 },
    MachO { cputype: u32 },
    Coff { machine: u16 },
}

impl fmt::Display for ObjKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            ObjKind::Elf { class64, machine } => {
                let m = match machine {
                    62 => "x86-64".to_string(),
                    183 => "aarch64".to_string(),
                    3 => "i386".to_string(),
                    40 => "arm".to_string(),
                    243 => "riscv".to_string(),
                    m => format!("machine {m}"),
                };
                write!(f, "ELF{} {m}", if class64 { "64" } else { "32" })
            }
            ObjKind::MachO { cputype } => match cputype {
                0x0100_0007 => f.write_str("Mach-O x86-64"),
                0x0100_000c => f.write_str("Mach-O arm64"),
                c => write!(f, "Mach-O cputype {c:#x}"),
            },
            ObjKind::Coff { machine } => match machine {
                0x8664 => f.write_str("COFF x86-64"),
                0xaa64 => f.write_str("COFF arm64"),
                0x014c => f.write_str("COFF i386"),
                m => write!(f, "COFF machine {m:#x}"),
            },
        }
    }
}

/// The object kind every member of a triple's library must have.
pub(crate) fn expected_kind(triple: &str) -> Option<ObjKind> {
    let arch = triple.split('-').next()?;
    let (elf, macho, coff) = match arch {
        "x86_64" => (62, 0x0100_0007, 0x8664),
        "aarch64" => (183, 0x0100_000c, 0xaa64),
        _ => return None,
    };
    if triple.contains("-linux-") {
        Some(ObjKind::Elf { class64: true, machine: elf })
    } else if triple.contains("-darwin") {
        Some(ObjKind::MachO { cputype: macho })
    } else if triple.contains("-windows-") {
        Some(ObjKind::Coff { machine: coff })
    } else {
        None
    }
}

/// Classify a member from its first bytes. `None` for members that are not
/// objects (symbol tables, LLVM bitcode, data).
pub(crate) fn classify(prefix: &[u8]) -> Option<ObjKind> {
    let u16le = |at: usize| prefix.get(at..at + 2).map(|b| u16::from_le_bytes([b[0], b[1]]));
    let u32le = |at: usize| prefix.get(at..at + 4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
    if prefix.starts_with(b"\x7fELF") {
        let class64 = *prefix.get(4)? == 2;
        let machine = if *prefix.get(5)? == 2 {
            u16::from_be_bytes([*prefix.get(18)?, *prefix.get(19)?])
        } else {
            u16le(18)?
        };
        return Some(ObjKind::Elf { class64, machine });
    }
    if matches!(u32le(0)?, 0xfeed_facf | 0xfeed_face) {
        return Some(ObjKind::MachO { cputype: u32le(4)? });
    }
    // A short import object (`.dll.a` members) starts 0x0000 0xFFFF, machine at 6.
    if u16le(0)? == 0 && u16le(2)? == 0xffff {
        return Some(ObjKind::Coff { machine: u16le(6)? });
    }
    let machine = u16le(0)?;
    if matches!(machine, 0x8664 | 0xaa64 | 0x014c | 0x01c4) {
        return Some(ObjKind::Coff { machine });
    }
    None
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum ArError {
    #[error("the library is not an ar archive (it starts with {0:?}, not \"!<arch>\")")]
    NotAr(String),
    #[error("the library's ar archive is damaged: {0}")]
    Damaged(String),
    #[error("the library holds {found} objects but {triple} needs {expected}")]
    WrongPlatform { triple: String, found: String, expected: String },
    #[error("the library holds no object files")]
    NoObjects,
}

/// Streaming scanner fed with the library's bytes in order.
#[derive(Debug, Default)]
pub(crate) struct ArScanner {
    magic: Vec<u8>,
    header: Vec<u8>,
    /// Bytes left in the current member's data (and padding).
    remaining: u64,
    /// Bytes of the current member still to skip before the object starts (BSD long names).
    skip_name: u64,
    prefix: Vec<u8>,
    collecting: bool,
    pub(crate) objects: u64,
    pub(crate) kinds: Vec<ObjKind>,
}

impl ArScanner {
    pub(crate) fn new() -> ArScanner {
        ArScanner::default()
    }

    pub(crate) fn feed(&mut self, mut data: &[u8]) -> Result<(), ArError> {
        while !data.is_empty() {
            if self.magic.len() < AR_MAGIC.len() {
                let take = (AR_MAGIC.len() - self.magic.len()).min(data.len());
                self.magic.extend_from_slice(&data[..take]);
                data = &data[take..];
                if !AR_MAGIC.starts_with(&self.magic) {
                    return Err(ArError::NotAr(String::from_utf8_lossy(&self.magic).into_owned()));
                }
                continue;
            }
            if self.remaining == 0 {
                let take = (MEMBER_HEADER - self.header.len()).min(data.len());
                self.header.extend_from_slice(&data[..take]);
                data = &data[take..];
                if self.header.len() == MEMBER_HEADER {
                    self.start_member()?;
                }
                continue;
            }
            let take = (self.remaining.min(data.len() as u64)) as usize;
            let (chunk, rest) = data.split_at(take);
            self.member_bytes(chunk)?;
            self.remaining -= take as u64;
            data = rest;
            if self.remaining == 0 {
                self.end_member()?;
            }
        }
        Ok(())
    }

    fn start_member(&mut self) -> Result<(), ArError> {
        let h = std::mem::take(&mut self.header);
        if &h[58..60] != b"`\n" {
            return Err(ArError::Damaged("a member header lacks its end marker".into()));
        }
        let field = |r: std::ops::Range<usize>| String::from_utf8_lossy(&h[r]).trim().to_string();
        let name = field(0..16);
        let size: u64 =
            field(48..58).parse().map_err(|_| ArError::Damaged("a member size is not a number".into()))?;
        self.skip_name = name.strip_prefix("#1/").and_then(|n| n.parse().ok()).unwrap_or(0);
        // Symbol tables and the long-name table are not objects.
        let special =
            name == "/" || name == "//" || name.starts_with("/SYM64") || name.starts_with("__.SYMDEF");
        self.collecting = !special;
        self.prefix.clear();
        self.remaining = size + (size & 1);
        if self.remaining == 0 {
            self.end_member()?;
        }
        Ok(())
    }

    fn member_bytes(&mut self, mut chunk: &[u8]) -> Result<(), ArError> {
        if self.skip_name > 0 {
            let skip = (self.skip_name.min(chunk.len() as u64)) as usize;
            let name_part = &chunk[..skip];
            if name_part.starts_with(b"__.SYMDEF") {
                self.collecting = false;
            }
            self.skip_name -= skip as u64;
            chunk = &chunk[skip..];
        }
        if self.collecting && self.prefix.len() < PREFIX {
            let take = (PREFIX - self.prefix.len()).min(chunk.len());
            self.prefix.extend_from_slice(&chunk[..take]);
        }
        Ok(())
    }

    fn end_member(&mut self) -> Result<(), ArError> {
        if self.collecting
            && let Some(kind) = classify(&self.prefix)
        {
            self.objects += 1;
            if !self.kinds.contains(&kind) {
                self.kinds.push(kind);
            }
        }
        self.collecting = false;
        Ok(())
    }

    /// After the last byte: the archive must be complete and hold objects for `triple`.
    pub(crate) fn finish(&self, triple: &str) -> Result<(), ArError> {
        if self.magic.len() < AR_MAGIC.len() {
            return Err(ArError::NotAr(String::from_utf8_lossy(&self.magic).into_owned()));
        }
        if self.remaining > 0 || !self.header.is_empty() {
            return Err(ArError::Damaged("it ends in the middle of a member".into()));
        }
        if self.objects == 0 {
            return Err(ArError::NoObjects);
        }
        let Some(expected) = expected_kind(triple) else { return Ok(()) };
        if let Some(wrong) = self.kinds.iter().find(|k| **k != expected) {
            return Err(ArError::WrongPlatform {
                triple: triple.into(),
                found: wrong.to_string(),
                expected: expected.to_string(),
            });
        }
        Ok(())
    }
}

/// A symbol only glibc builds reference (Rust's std asks glibc for its version);
/// finding it in a library meant for musl means a glibc build was shipped.
pub(crate) const GLIBC_MARKER: &[u8] = b"gnu_get_libc_version";

#[cfg(test)]
mod tests {
    use super::*;

    fn member(name: &str, data: &[u8]) -> Vec<u8> {
        let mut h =
            format!("{:<16}{:<12}{:<6}{:<6}{:<8}{:<10}`\n", name, 0, 0, 0, 644, data.len()).into_bytes();
        h.extend_from_slice(data);
        if data.len() % 2 == 1 {
            h.push(b'\n');
        }
        h
    }

    fn elf(machine: u16) -> Vec<u8> {
        let mut e = vec![0u8; 64];
        e[..4].copy_from_slice(b"\x7fELF");
        e[4] = 2;
        e[5] = 1;
        e[18..20].copy_from_slice(&machine.to_le_bytes());
        e
    }

    fn macho(cputype: u32) -> Vec<u8> {
        let mut m = 0xfeed_facfu32.to_le_bytes().to_vec();
        m.extend_from_slice(&cputype.to_le_bytes());
        m.resize(32, 0);
        m
    }

    fn archive(members: &[Vec<u8>]) -> Vec<u8> {
        let mut a = AR_MAGIC.to_vec();
        for m in members {
            a.extend_from_slice(m);
        }
        a
    }

    fn scan_in_chunks(bytes: &[u8], chunk: usize) -> Result<ArScanner, ArError> {
        let mut s = ArScanner::new();
        for c in bytes.chunks(chunk) {
            s.feed(c)?;
        }
        Ok(s)
    }

    #[test]
    fn accepts_matching_objects_in_any_chunking() {
        let lib = archive(&[member("/", b"symtab"), member("a.o/", &elf(62)), member("b.o/", &elf(62))]);
        for chunk in [1, 7, 60, 61, 4096] {
            let s = scan_in_chunks(&lib, chunk).unwrap();
            assert_eq!(s.objects, 2);
            s.finish("x86_64-unknown-linux-gnu").unwrap();
        }
    }

    #[test]
    fn refuses_other_machines_and_formats() {
        let table = [
            (elf(62), "aarch64-unknown-linux-gnu", "ELF64 x86-64", "ELF64 aarch64"),
            (elf(183), "x86_64-unknown-linux-musl", "ELF64 aarch64", "ELF64 x86-64"),
            (macho(0x0100_0007), "aarch64-apple-darwin", "Mach-O x86-64", "Mach-O arm64"),
            (elf(62), "x86_64-apple-darwin", "ELF64 x86-64", "Mach-O x86-64"),
            (0x8664u16.to_le_bytes().repeat(10), "x86_64-unknown-linux-gnu", "COFF x86-64", "ELF64 x86-64"),
        ];
        for (obj, triple, found, expected) in table {
            let lib = archive(&[member("x.o/", &obj)]);
            let err = scan_in_chunks(&lib, 13).unwrap().finish(triple).unwrap_err();
            assert_eq!(
                err,
                ArError::WrongPlatform {
                    triple: triple.into(),
                    found: found.into(),
                    expected: expected.into()
                }
            );
        }
    }

    #[test]
    fn bsd_long_names_and_symdef_are_handled() {
        let mut data = b"__.SYMDEF SORTED\0\0\0\0".to_vec();
        data.extend_from_slice(&[1, 2, 3, 4]);
        let mut obj = b"a_long_object_name.o\0\0\0\0".to_vec();
        obj.extend_from_slice(&macho(0x0100_000c));
        let lib = archive(&[member("#1/20", &data), member("#1/24", &obj)]);
        let s = scan_in_chunks(&lib, 5).unwrap();
        assert_eq!(s.objects, 1);
        s.finish("aarch64-apple-darwin").unwrap();
    }

    #[test]
    fn damaged_and_foreign_files() {
        assert!(matches!(scan_in_chunks(b"<html><body>", 4), Err(ArError::NotAr(_))));
        assert!(matches!(ArScanner::new().finish("x86_64-unknown-linux-gnu"), Err(ArError::NotAr(_))));
        let lib = archive(&[member("x.o/", &elf(62))]);
        let cut = scan_in_chunks(&lib[..lib.len() - 3], 8).unwrap();
        assert!(matches!(cut.finish("x86_64-unknown-linux-gnu"), Err(ArError::Damaged(_))));
        let empty = scan_in_chunks(&archive(&[member("data.txt/", b"hello")]), 8).unwrap();
        assert_eq!(empty.finish("x86_64-unknown-linux-gnu"), Err(ArError::NoObjects));
        let mut bad = archive(&[member("x.o/", &elf(62))]);
        bad[8 + 58] = b'X';
        assert!(matches!(scan_in_chunks(&bad, 100), Err(ArError::Damaged(_))));
    }

    #[test]
    fn import_objects_count_as_coff() {
        let mut imp = vec![0, 0, 0xff, 0xff, 0, 0];
        imp.extend_from_slice(&0x8664u16.to_le_bytes());
        imp.resize(20, 0);
        assert_eq!(classify(&imp), Some(ObjKind::Coff { machine: 0x8664 }));
        assert_eq!(expected_kind("x86_64-pc-windows-gnu"), Some(ObjKind::Coff { machine: 0x8664 }));
        assert_eq!(classify(b"BC\xc0\xde"), None);
    }
}
