//! Real archive fixtures: `ar` static libraries whose members are objects
//! for the right format and machine (GNU layout; BSD `#1/` layout for darwin,
//! as rustc writes it there), zips built with the `zip` crate (deflate or
//! stored, data descriptors, symlinks, hostile names), and release-shaped
//! zips like the upstream workflow's `zip -r` of one folder per target.

pub mod object;

use std::io::{Cursor, Seek, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

/// Every published target Go can link, in the order `slim-setup targets` lists them.
pub const ALL_TRIPLES: [&str; 7] = [
    "x86_64-unknown-linux-gnu",
    "aarch64-unknown-linux-gnu",
    "x86_64-unknown-linux-musl",
    "aarch64-unknown-linux-musl",
    "x86_64-apple-darwin",
    "aarch64-apple-darwin",
    "x86_64-pc-windows-gnu",
];

/// The library the release workflow builds for `triple` (UPSTREAM.md rule:
/// fields 1, 3 and 4 of the triple, vendor dropped), e.g.
/// `x86_64-apple-darwin` -> `libslim_bindings_x86_64_darwin.a`.
pub fn lib_name(triple: &str) -> String {
    let fields: Vec<&str> = triple.split('-').collect();
    assert!(fields.len() >= 3, "not a target triple: {triple:?}");
    let mut stem = format!("{}_{}", fields[0], fields[2]);
    if let Some(env) = fields.get(3) {
        stem = format!("{stem}_{env}");
    }
    format!("libslim_bindings_{stem}.a")
}

/// The name cgo links: musl libraries are installed under the `_gnu` name.
pub fn cgo_lib_name(triple: &str) -> String {
    lib_name(triple).replace("_musl.a", "_gnu.a")
}

/// A GNU/SysV `ar` archive of the members, in order. Names of up to 15
/// bytes are stored as `name/`, longer ones through a `//` table; names that
/// start with `/` (`/`, `//`, `/SYM64/`) are written verbatim.
pub fn ar_archive<N: AsRef<str>, D: AsRef<[u8]>>(members: &[(N, D)]) -> Vec<u8> {
    let members: Vec<(&str, &[u8])> = members.iter().map(|(n, d)| (n.as_ref(), d.as_ref())).collect();
    gnu_archive(&members, &[])
}

/// A BSD/Darwin `ar` archive: every name stored as `#1/LEN` in front of the
/// data, padded so member data is 8-aligned, as LLVM writes it on macOS.
pub fn ar_archive_bsd<N: AsRef<str>, D: AsRef<[u8]>>(members: &[(N, D)]) -> Vec<u8> {
    let members: Vec<(&str, &[u8])> = members.iter().map(|(n, d)| (n.as_ref(), d.as_ref())).collect();
    bsd_archive(&members, &[])
}

/// A minimal object for the triple's format and machine (see `object`).
pub fn object_for(triple: &str) -> Vec<u8> {
    object::object(triple, &ret(triple), "slim_bindings_fixture")
}

/// A real static library of about `size` bytes for `triple`: a symbol index,
/// then objects of the right format and machine whose `.text` is
/// deterministic pseudo-random bytes (deflate shrinks it to roughly half).
pub fn library_for(triple: &str, size: usize) -> Vec<u8> {
    const CHUNK: usize = 256 * 1024;
    const OVERHEAD: usize = 600; // member header, object headers, symbol entry
    let mut rng = Rng(fnv(triple.as_bytes()) ^ size as u64);
    let hash = rng.next() as u32;
    // Members copy windows of one pool (generating every byte is slow in
    // debug builds); a window is longer than deflate's 32 KiB reach, so the
    // ratio stays that of fresh pseudo-random code.
    let pool = rng.code(4 * CHUNK);
    let mut members: Vec<(String, Vec<u8>)> = Vec::new();
    let mut symbols: Vec<(usize, String)> = Vec::new();
    let mut total = 8;
    while total < size || members.is_empty() {
        let i = members.len();
        let text_len = (size.saturating_sub(total + OVERHEAD)).clamp(16, CHUNK);
        let mut text = ret(triple);
        let at = rng.next() as usize % (pool.len() - text_len);
        text.extend_from_slice(&pool[at..at + text_len]);
        let symbol = format!("slim_bindings_fixture_{i}");
        let obj = object::object(triple, &text, &symbol);
        total += 60 + obj.len() + symbol.len() + 1 + 8;
        // rustc names members like this: long names exercise the `//` table.
        members.push((format!("slim_bindings-{hash:08x}.slim_bindings.{i}-cgu.0.rcgu.o"), obj));
        symbols.push((i, symbol));
    }
    let members: Vec<(&str, &[u8])> = members.iter().map(|(n, d)| (n.as_str(), d.as_slice())).collect();
    let symbols: Vec<(usize, &str)> = symbols.iter().map(|(i, s)| (*i, s.as_str())).collect();
    if triple.contains("darwin") { bsd_archive(&members, &symbols) } else { gnu_archive(&members, &symbols) }
}

/// One zip entry. `data` is the content, or the link target for a symlink;
/// a name ending in `/` (not a symlink) is a directory entry. Names are
/// written as given, `../evil.a` and `/abs.a` included.
#[derive(Clone, Debug)]
pub struct ZipEntry {
    pub name: String,
    pub data: Vec<u8>,
    pub deflate: bool,
    /// Sizes and CRC after the data (flag bit 3). The zip crate does this
    /// per archive: any entry asking for it makes every file entry streamed.
    pub data_descriptor: bool,
    pub symlink: bool,
}

impl ZipEntry {
    /// A deflated file entry.
    pub fn file(name: impl Into<String>, data: impl Into<Vec<u8>>) -> ZipEntry {
        ZipEntry {
            name: name.into(),
            data: data.into(),
            deflate: true,
            data_descriptor: false,
            symlink: false,
        }
    }
    pub fn dir(name: impl Into<String>) -> ZipEntry {
        let mut name = name.into();
        if !name.ends_with('/') {
            name.push('/');
        }
        ZipEntry { deflate: false, ..ZipEntry::file(name, Vec::new()) }
    }
    pub fn symlink(name: impl Into<String>, target: &str) -> ZipEntry {
        ZipEntry { deflate: false, symlink: true, ..ZipEntry::file(name, target) }
    }
    pub fn stored(self) -> ZipEntry {
        ZipEntry { deflate: false, ..self }
    }
    pub fn with_data_descriptor(self) -> ZipEntry {
        ZipEntry { data_descriptor: true, ..self }
    }
}

/// A zip of the entries, in order, with fixed timestamps (reproducible).
pub fn zip(entries: &[ZipEntry]) -> Vec<u8> {
    if entries.iter().any(|e| e.data_descriptor) {
        // A non-seekable writer must put sizes in a trailing data descriptor.
        write_zip(ZipWriter::new_stream(Vec::new()), entries).into_inner()
    } else {
        write_zip(ZipWriter::new(Cursor::new(Vec::new())), entries).into_inner()
    }
}

fn write_zip<W: Write + Seek>(mut zip: ZipWriter<W>, entries: &[ZipEntry]) -> W {
    for e in entries {
        let method = if e.deflate { CompressionMethod::Deflated } else { CompressionMethod::Stored };
        let options = SimpleFileOptions::default().compression_method(method);
        if e.symlink {
            let target = String::from_utf8_lossy(&e.data).into_owned();
            zip.add_symlink(e.name.as_str(), target, options).expect("zip symlink");
        } else if e.name.ends_with('/') && e.data.is_empty() {
            zip.add_directory(e.name.as_str(), options).expect("zip directory");
        } else {
            zip.start_file(e.name.as_str(), options.unix_permissions(0o644)).expect("zip entry");
            zip.write_all(&e.data).expect("zip data");
        }
    }
    zip.finish().expect("finish zip")
}

/// A zip shaped like a release asset: `<triple>/`, then on windows the
/// `.dll.a` import library (itself an `ar` archive, placed first so a picker
/// that takes any `*.a` gets it wrong), the static library, then the shared
/// library (`.so`, `.dylib` or `.dll`) as junk bytes.
pub fn release_zip(triple: &str, lib: &[u8]) -> Vec<u8> {
    let folder = format!("{triple}/");
    let static_name = lib_name(triple);
    let stem = static_name.trim_end_matches(".a");
    let mut rng = Rng(fnv(triple.as_bytes()));
    let mut entries = vec![ZipEntry::dir(folder.clone())];
    let shared = if triple.contains("windows") {
        let import = ar_archive(&[("d000001.o", object::object(triple, &[0xc3], "__imp_slim_init"))]);
        entries.push(ZipEntry::file(format!("{folder}{stem}.dll.a"), import));
        let mut dll = b"MZ".to_vec();
        dll.extend(rng.code(4096));
        (format!("{stem}.dll"), dll)
    } else if triple.contains("darwin") {
        let mut dylib = 0xfeed_facf_u32.to_le_bytes().to_vec();
        dylib.extend(rng.code(4096));
        (format!("{stem}.dylib"), dylib)
    } else {
        let mut so = b"\x7fELF".to_vec();
        so.extend(rng.code(4096));
        (format!("{stem}.so"), so)
    };
    entries.push(ZipEntry::file(format!("{folder}{static_name}"), lib));
    entries.push(ZipEntry::file(format!("{folder}{}", shared.0), shared.1));
    zip(&entries)
}

/// Rewrites the uncompressed size an entry declares (local and central
/// headers) without touching its data: a zip bomb when `size` is small.
/// Panics if the entry is missing. Not for data-descriptor entries.
pub fn declare_size(zip: &mut [u8], name: &str, size: u32) {
    let eocd = (0..zip.len().saturating_sub(21))
        .rev()
        .find(|&i| zip[i..i + 4] == [0x50, 0x4b, 0x05, 0x06])
        .expect("end of central directory");
    let u16_at = |z: &[u8], i: usize| u16::from_le_bytes([z[i], z[i + 1]]) as usize;
    let u32_at = |z: &[u8], i: usize| u32::from_le_bytes([z[i], z[i + 1], z[i + 2], z[i + 3]]) as usize;
    let (count, mut pos) = (u16_at(zip, eocd + 10), u32_at(zip, eocd + 16));
    for _ in 0..count {
        let name_len = u16_at(zip, pos + 28);
        let next = pos + 46 + name_len + u16_at(zip, pos + 30) + u16_at(zip, pos + 32);
        if &zip[pos + 46..pos + 46 + name_len] == name.as_bytes() {
            let local = u32_at(zip, pos + 42);
            zip[pos + 24..pos + 28].copy_from_slice(&size.to_le_bytes());
            zip[local + 22..local + 26].copy_from_slice(&size.to_le_bytes());
            return;
        }
        pos = next;
    }
    panic!("declare_size: no entry {name:?} in the zip");
}

/// A plain `ret` for the triple's machine, so the probe symbol is real code.
fn ret(triple: &str) -> Vec<u8> {
    if triple.starts_with("aarch64") { vec![0xc0, 0x03, 0x5f, 0xd6] } else { vec![0xc3] }
}

fn gnu_archive(members: &[(&str, &[u8])], symbols: &[(usize, &str)]) -> Vec<u8> {
    let mut long_names = Vec::new();
    let header_names: Vec<String> = members
        .iter()
        .map(|(name, _)| {
            if name.starts_with('/') {
                name.to_string()
            } else if name.len() <= 15 {
                format!("{name}/")
            } else {
                let at = long_names.len();
                long_names.extend_from_slice(format!("{name}/\n").as_bytes());
                format!("/{at}")
            }
        })
        .collect();
    // The symbol index (big-endian counts and member offsets) comes first.
    let index_len = 4 + 4 * symbols.len() + symbols.iter().map(|(_, s)| s.len() + 1).sum::<usize>();
    let mut pos = 8;
    if !symbols.is_empty() {
        pos += 60 + index_len.next_multiple_of(2);
    }
    if !long_names.is_empty() {
        pos += 60 + long_names.len().next_multiple_of(2);
    }
    let mut offsets = Vec::new();
    for (_, data) in members {
        offsets.push(pos as u32);
        pos += 60 + data.len().next_multiple_of(2);
    }
    let mut out = b"!<arch>\n".to_vec();
    if !symbols.is_empty() {
        let mut index = (symbols.len() as u32).to_be_bytes().to_vec();
        symbols.iter().for_each(|(m, _)| index.extend_from_slice(&offsets[*m].to_be_bytes()));
        symbols.iter().for_each(|(_, s)| index.extend_from_slice(format!("{s}\0").as_bytes()));
        ar_member(&mut out, "/", &index);
    }
    if !long_names.is_empty() {
        ar_member(&mut out, "//", &long_names);
    }
    for (name, (_, data)) in header_names.iter().zip(members) {
        ar_member(&mut out, name, data);
    }
    out
}

fn bsd_archive(members: &[(&str, &[u8])], symbols: &[(usize, &str)]) -> Vec<u8> {
    // Name bytes after the header, NUL-padded so the data starts 8-aligned.
    let named = |pos: usize, name: &str| {
        let mut field = name.as_bytes().to_vec();
        field.resize((pos + 60 + field.len()).next_multiple_of(8) - pos - 60, 0);
        field
    };
    let mut strtab: Vec<u8> = symbols.iter().flat_map(|(_, s)| format!("_{s}\0").into_bytes()).collect();
    strtab.resize(strtab.len().next_multiple_of(8), 0);
    let index_len = 4 + 8 * symbols.len() + 4 + strtab.len();
    let mut pos = 8;
    if !symbols.is_empty() {
        pos += 60 + named(pos, "__.SYMDEF").len() + index_len.next_multiple_of(8);
    }
    let mut offsets = Vec::new();
    for (name, data) in members {
        offsets.push(pos as u32);
        pos += 60 + named(pos, name).len() + data.len().next_multiple_of(8);
    }
    let mut out = b"!<arch>\n".to_vec();
    let push = |out: &mut Vec<u8>, name: &str, data: &[u8]| {
        let mut body = named(out.len(), name);
        let header = format!("#1/{}", body.len());
        body.extend_from_slice(data);
        // Darwin pads the data to 8 and counts the padding in the size.
        body.resize(body.len() + (data.len().next_multiple_of(8) - data.len()), 0);
        ar_member(out, &header, &body);
    };
    if !symbols.is_empty() {
        // ranlib entries (string offset, member offset), little-endian on macOS.
        let mut index = ((8 * symbols.len()) as u32).to_le_bytes().to_vec();
        let mut strx = 0u32;
        for (m, s) in symbols {
            index.extend_from_slice(&strx.to_le_bytes());
            index.extend_from_slice(&offsets[*m].to_le_bytes());
            strx += s.len() as u32 + 2;
        }
        index.extend_from_slice(&(strtab.len() as u32).to_le_bytes());
        index.extend_from_slice(&strtab);
        push(&mut out, "__.SYMDEF", &index);
    }
    for (name, data) in members {
        push(&mut out, name, data);
    }
    out
}

/// One member: the 60-byte header, the data, and a `\n` to keep headers even.
fn ar_member(out: &mut Vec<u8>, name: &str, data: &[u8]) {
    let header = format!("{name:<16}{:<12}{:<6}{:<6}{:<8}{:<10}`\n", 0, 0, 0, 644, data.len());
    assert_eq!(header.len(), 60, "ar header for {name:?}");
    out.extend_from_slice(header.as_bytes());
    out.extend_from_slice(data);
    if !data.len().is_multiple_of(2) {
        out.push(b'\n');
    }
}

fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3))
}

/// xorshift64*: deterministic and fast; quality is irrelevant here.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0 | 1;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    /// Machine-code-like bytes: 16 common opcode bytes, 4 bits of entropy each.
    fn code(&mut self, len: usize) -> Vec<u8> {
        const TABLE: [u8; 16] =
            [0x00, 0x48, 0x89, 0x8b, 0xe8, 0xff, 0x0f, 0xc3, 0x41, 0x24, 0x83, 0x74, 0x85, 0x31, 0x10, 0x20];
        let mut out = Vec::with_capacity(len + 16);
        while out.len() < len {
            let x = self.next();
            out.extend((0..16).map(|i| TABLE[((x >> (i * 4)) & 15) as usize]));
        }
        out.truncate(len);
        out
    }
}

/// A zip taken apart at its central directory, to be put back together
/// with the directory tampered with: `entries` is every byte before the
/// directory, `central` its records. The end record is rebuilt to match.
#[allow(dead_code)]
pub struct ZipParts {
    pub entries: Vec<u8>,
    pub central: Vec<Vec<u8>>,
}

#[allow(dead_code)]
impl ZipParts {
    /// Panics on a zip with an end-record comment or zip64 records.
    pub fn split(zip: &[u8]) -> ZipParts {
        let eocd = &zip[zip.len() - 22..];
        assert_eq!(&eocd[..4], b"PK\x05\x06", "an end record without a comment");
        let u16_at = |b: &[u8], at: usize| u16::from_le_bytes([b[at], b[at + 1]]) as usize;
        let u32_at = |b: &[u8], at: usize| u32::from_le_bytes(b[at..at + 4].try_into().unwrap()) as usize;
        let (count, offset) = (u16_at(eocd, 10), u32_at(eocd, 16));
        let mut central = Vec::new();
        let mut at = offset;
        for _ in 0..count {
            let len = 46 + u16_at(zip, at + 28) + u16_at(zip, at + 30) + u16_at(zip, at + 32);
            central.push(zip[at..at + len].to_vec());
            at += len;
        }
        ZipParts { entries: zip[..offset].to_vec(), central }
    }

    pub fn name(&self, i: usize) -> String {
        let r = &self.central[i];
        let len = u16::from_le_bytes([r[28], r[29]]) as usize;
        String::from_utf8_lossy(&r[46..46 + len]).into_owned()
    }

    /// The index of the record whose name ends with `suffix`.
    pub fn find(&self, suffix: &str) -> usize {
        (0..self.central.len()).find(|&i| self.name(i).ends_with(suffix)).expect("an entry with that name")
    }

    /// Renames record `i` in the directory only (same length).
    pub fn rename(&mut self, i: usize, name: &str) {
        assert_eq!(name.len(), self.name(i).len(), "a rename keeps the length");
        self.central[i][46..46 + name.len()].copy_from_slice(name.as_bytes());
    }

    pub fn assemble(&self) -> Vec<u8> {
        let mut out = self.entries.clone();
        let dir: Vec<u8> = self.central.concat();
        out.extend_from_slice(&dir);
        out.extend_from_slice(b"PK\x05\x06\0\0\0\0");
        let n = self.central.len() as u16;
        out.extend_from_slice(&n.to_le_bytes());
        out.extend_from_slice(&n.to_le_bytes());
        out.extend_from_slice(&(dir.len() as u32).to_le_bytes());
        out.extend_from_slice(&(self.entries.len() as u32).to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out
    }
}
