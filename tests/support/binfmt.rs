//! Just enough of ELF, PE, Mach-O and `ar` to check what `go build` produced:
//! the machine a binary is for, whether it is static, which shared libraries it
//! needs, and what the objects inside an installed archive are. Parsed from the
//! bytes so the checks do not depend on the output format of `file`/`readelf`.

/// ELF `e_machine` values.
pub const EM_X86_64: u16 = 62;
pub const EM_AARCH64: u16 = 183;
/// PE `Machine` for x86-64.
pub const PE_AMD64: u16 = 0x8664;
/// Mach-O `cputype` values.
pub const CPU_X86_64: u32 = 0x0100_0007;
pub const CPU_ARM64: u32 = 0x0100_000c;

const PT_LOAD: u32 = 1;
const PT_DYNAMIC: u32 = 2;
const PT_INTERP: u32 = 3;
const DT_NULL: u64 = 0;
const DT_NEEDED: u64 = 1;
const DT_STRTAB: u64 = 5;

fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes(b[at..at + 2].try_into().expect("2 bytes"))
}
fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().expect("4 bytes"))
}
fn u64_at(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().expect("8 bytes"))
}

/// What matters about a 64-bit little-endian ELF executable.
#[derive(Debug)]
pub struct Elf {
    pub machine: u16,
    /// The PT_INTERP path (the dynamic loader), absent in a static binary.
    pub interp: Option<String>,
    pub has_dynamic: bool,
    /// DT_NEEDED entries: the shared libraries the loader must find.
    pub needed: Vec<String>,
}

struct Segment {
    kind: u32,
    offset: u64,
    vaddr: u64,
    filesz: u64,
}

/// Parses `bytes` as ELF64 LE; panics with `what` when it is not one.
pub fn elf(bytes: &[u8], what: &str) -> Elf {
    assert!(bytes.len() > 64 && bytes.starts_with(b"\x7fELF"), "{what}: not an ELF file");
    assert_eq!((bytes[4], bytes[5]), (2, 1), "{what}: not 64-bit little-endian ELF");
    let machine = u16_at(bytes, 18);
    let phoff = u64_at(bytes, 32) as usize;
    let phentsize = u16_at(bytes, 54) as usize;
    let phnum = u16_at(bytes, 56) as usize;
    let segments: Vec<Segment> = (0..phnum)
        .map(|i| {
            let p = phoff + i * phentsize;
            Segment {
                kind: u32_at(bytes, p),
                offset: u64_at(bytes, p + 8),
                vaddr: u64_at(bytes, p + 16),
                filesz: u64_at(bytes, p + 32),
            }
        })
        .collect();
    let interp = segments.iter().find(|s| s.kind == PT_INTERP).map(|s| {
        let raw = &bytes[s.offset as usize..(s.offset + s.filesz) as usize];
        c_str(raw)
    });
    let dynamic = segments.iter().find(|s| s.kind == PT_DYNAMIC);
    let needed = dynamic.map(|d| needed(bytes, d, &segments)).unwrap_or_default();
    Elf { machine, interp, has_dynamic: dynamic.is_some(), needed }
}

fn needed(bytes: &[u8], dynamic: &Segment, segments: &[Segment]) -> Vec<String> {
    let mut names = Vec::new();
    let mut strtab = None;
    let start = dynamic.offset as usize;
    for at in (start..start + dynamic.filesz as usize).step_by(16) {
        let (tag, val) = (u64_at(bytes, at), u64_at(bytes, at + 8));
        match tag {
            DT_NULL => break,
            DT_NEEDED => names.push(val),
            DT_STRTAB => strtab = Some(val),
            _ => {}
        }
    }
    let Some(strtab) = strtab else { return Vec::new() };
    // DT_STRTAB is a virtual address: map it to a file offset through PT_LOAD.
    let load = segments
        .iter()
        .find(|s| s.kind == PT_LOAD && s.vaddr <= strtab && strtab < s.vaddr + s.filesz)
        .expect("DT_STRTAB inside a PT_LOAD segment");
    let base = (load.offset + strtab - load.vaddr) as usize;
    names.into_iter().map(|off| c_str(&bytes[base + off as usize..])).collect()
}

fn c_str(raw: &[u8]) -> String {
    let end = raw.iter().position(|&b| b == 0).unwrap_or(raw.len());
    String::from_utf8_lossy(&raw[..end]).into_owned()
}

/// The COFF `Machine` of a PE image (MZ header, then "PE\0\0" at e_lfanew).
pub fn pe_machine(bytes: &[u8], what: &str) -> u16 {
    assert!(bytes.starts_with(b"MZ"), "{what}: not a PE image (no MZ)");
    let pe = u32_at(bytes, 0x3c) as usize;
    assert_eq!(&bytes[pe..pe + 4], b"PE\0\0", "{what}: no PE signature");
    u16_at(bytes, pe + 4)
}

/// The `cputype` of a 64-bit Mach-O file, or None when `bytes` is not one.
pub fn macho_cputype(bytes: &[u8]) -> Option<u32> {
    (bytes.len() > 8 && bytes[..4] == [0xcf, 0xfa, 0xed, 0xfe]).then(|| u32_at(bytes, 4))
}

/// The members of an `ar` archive as (name, data), symbol tables excluded.
/// Handles GNU names ("name/", "//" long-name table) and BSD ones ("#1/N").
pub fn ar_members(bytes: &[u8], what: &str) -> Vec<(String, Vec<u8>)> {
    assert!(bytes.starts_with(b"!<arch>\n"), "{what}: not an ar archive");
    let mut members = Vec::new();
    let mut at = 8;
    while at + 60 <= bytes.len() {
        let header = &bytes[at..at + 60];
        let raw_name = String::from_utf8_lossy(&header[..16]).trim_end().to_string();
        let size: usize = String::from_utf8_lossy(&header[48..58])
            .trim()
            .parse()
            .unwrap_or_else(|e| panic!("{what}: bad member size at {at}: {e}"));
        let mut data = &bytes[at + 60..at + 60 + size];
        let mut name = raw_name.trim_end_matches('/').to_string();
        if let Some(len) = raw_name.strip_prefix("#1/") {
            let len: usize = len.parse().expect("BSD name length");
            name = c_str(&data[..len]);
            data = &data[len..];
        }
        let symbol_table = raw_name == "/" || raw_name == "//" || name.starts_with("__.SYMDEF");
        if !symbol_table {
            members.push((name, data.to_vec()));
        }
        at += 60 + size + (size & 1);
    }
    members
}

/// Whether `needle` occurs in `hay` (e.g. a triple string linked into a binary).
pub fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}
