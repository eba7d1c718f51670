//! The parts of the zip format the installer reads itself: the fixed part of
//! a local file header, and the rules for which entry is the library and which
//! names are unsafe; `layout` holds the central directory and the rules that
//! make an archive unambiguous. The zip crate's own stream reader consumes
//! bytes it cannot give back, the installer must decide "stream it or spool
//! it" from the header before committing, and the zip crate accepts archives
//! that two readers would read differently, so these fields are read here.

pub(crate) mod layout;

pub(crate) const LOCAL_SIG: [u8; 4] = *b"PK\x03\x04";
pub(crate) const LOCAL_FIXED_LEN: usize = 30;
pub(crate) const METHOD_STORED: u16 = 0;
pub(crate) const METHOD_DEFLATE: u16 = 8;
const FLAG_ENCRYPTED: u16 = 1;
pub(crate) const FLAG_DATA_DESCRIPTOR: u16 = 1 << 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LocalHeader {
    pub(crate) flags: u16,
    pub(crate) method: u16,
    pub(crate) crc32: u32,
    pub(crate) compressed: u32,
    pub(crate) uncompressed: u32,
    pub(crate) name_len: u16,
    pub(crate) extra_len: u16,
}

pub(crate) fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

pub(crate) fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

impl LocalHeader {
    /// `None` when the 30 bytes are not a local header (central directory reached,
    /// or not a zip at all).
    pub(crate) fn parse(fixed: &[u8; LOCAL_FIXED_LEN]) -> Option<LocalHeader> {
        if fixed[..4] != LOCAL_SIG {
            return None;
        }
        Some(LocalHeader {
            flags: u16_at(fixed, 6),
            method: u16_at(fixed, 8),
            crc32: u32_at(fixed, 14),
            compressed: u32_at(fixed, 18),
            uncompressed: u32_at(fixed, 22),
            name_len: u16_at(fixed, 26),
            extra_len: u16_at(fixed, 28),
        })
    }

    /// Sizes and CRC are in the header, so the entry can be read (or skipped)
    /// without the central directory. Info-ZIP writes them there; streaming
    /// writers put them in a trailing data descriptor instead.
    pub(crate) fn streamable(&self) -> bool {
        self.flags & FLAG_DATA_DESCRIPTOR == 0
            && self.flags & FLAG_ENCRYPTED == 0
            && self.compressed != u32::MAX
            && self.uncompressed != u32::MAX
            && matches!(self.method, METHOD_STORED | METHOD_DEFLATE)
    }

    pub(crate) fn skippable(&self) -> bool {
        self.flags & FLAG_DATA_DESCRIPTOR == 0 && self.compressed != u32::MAX
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum NameError {
    #[error("the archive has an entry with an absolute path: '{0}'")]
    Absolute(String),
    #[error("the archive has an entry that climbs out of its folder: '{0}'")]
    ParentDir(String),
}

/// Reject names that would escape an extraction folder. Nothing is extracted by
/// entry name here, but an archive carrying such a name is not a release archive.
pub(crate) fn check_name(name: &str) -> Result<(), NameError> {
    let bytes = name.as_bytes();
    let drive = bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':';
    if name.starts_with('/') || name.starts_with('\\') || drive {
        return Err(NameError::Absolute(name.to_string()));
    }
    if name.split(['/', '\\']).any(|part| part == "..") {
        return Err(NameError::ParentDir(name.to_string()));
    }
    Ok(())
}

pub(crate) fn base_name(name: &str) -> &str {
    name.rsplit(['/', '\\']).next().unwrap_or(name)
}

/// How an entry name relates to the library wanted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Match {
    No,
    /// A known other spelling of the same library (installed under the right name).
    Alias,
    Exact,
}

pub(crate) fn match_entry(name: &str, lib_file: &str, aliases: &[String]) -> Match {
    let base = base_name(name);
    if base == lib_file {
        Match::Exact
    } else if aliases.iter().any(|a| a == base) {
        Match::Alias
    } else {
        Match::No
    }
}

/// Does the entry's path name another target: a folder named for another
/// triple, or a library named for one (its own or the old tooling's
/// spelling, with or without `lib` and extension)? Such an entry is never
/// installed for this target, whatever else the archive holds: a musl library
/// in the gnu zip would link and give the user the wrong program. `others`
/// are the other targets' triples and library stems.
pub(crate) fn names_other_target(name: &str, others: &[String]) -> bool {
    name.split(['/', '\\']).any(|part| {
        let stem = part.strip_prefix("lib").unwrap_or(part);
        let stem = stem.split('.').next().unwrap_or(stem);
        let folder = part.strip_prefix("bindings-").unwrap_or(part);
        others.iter().any(|o| o == part || o == stem || o == folder)
    })
}

/// Why no single entry is the library.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Pick {
    None,
    /// Two entries could be it; which one a reader takes would be a guess.
    Several(String, String),
}

/// Among all names of an archive (central directory order), the index of the
/// library: the one entry named for it (its name or an old spelling), else
/// the only static library that is not an import library (`.dll.a`); never
/// an entry that names another target.
pub(crate) fn pick_entry(
    names: &[String],
    lib_file: &str,
    aliases: &[String],
    others: &[String],
) -> Result<usize, Pick> {
    let ours: Vec<usize> = (0..names.len()).filter(|&i| !names_other_target(&names[i], others)).collect();
    let named: Vec<usize> =
        ours.iter().copied().filter(|&i| match_entry(&names[i], lib_file, aliases) != Match::No).collect();
    let candidates = if named.is_empty() {
        ours.into_iter().filter(|&i| is_static_lib(&names[i])).collect()
    } else {
        named
    };
    match candidates.as_slice() {
        [only] => Ok(*only),
        [] => Err(Pick::None),
        [a, b, ..] => Err(Pick::Several(names[*a].clone(), names[*b].clone())),
    }
}

pub(crate) fn is_static_lib(name: &str) -> bool {
    let base = base_name(name);
    base.ends_with(".a") && !base.ends_with(".dll.a") && !name.ends_with('/')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(flags: u16, method: u16, csize: u32) -> [u8; 30] {
        let mut h = [0u8; 30];
        h[..4].copy_from_slice(&LOCAL_SIG);
        h[6..8].copy_from_slice(&flags.to_le_bytes());
        h[8..10].copy_from_slice(&method.to_le_bytes());
        h[14..18].copy_from_slice(&0xdeadbeefu32.to_le_bytes());
        h[18..22].copy_from_slice(&csize.to_le_bytes());
        h[22..26].copy_from_slice(&csize.wrapping_mul(4).to_le_bytes());
        h[26..28].copy_from_slice(&11u16.to_le_bytes());
        h[28..30].copy_from_slice(&4u16.to_le_bytes());
        h
    }

    #[test]
    fn local_headers() {
        let h = LocalHeader::parse(&header(0, 8, 100)).unwrap();
        assert_eq!(
            (h.crc32, h.compressed, h.uncompressed, h.name_len, h.extra_len),
            (0xdeadbeef, 100, 400, 11, 4)
        );
        assert!(h.streamable() && h.skippable());
        let table = [
            (header(8, 8, 100), false, false),      // data descriptor
            (header(1, 8, 100), false, true),       // encrypted
            (header(0, 14, 100), false, true),      // lzma
            (header(0, 8, u32::MAX), false, false), // zip64
            (header(0, 0, 100), true, true),        // stored
        ];
        for (bytes, streamable, skippable) in table {
            let h = LocalHeader::parse(&bytes).unwrap();
            assert_eq!((h.streamable(), h.skippable()), (streamable, skippable), "{h:?}");
        }
        let mut central = header(0, 8, 1);
        central[..4].copy_from_slice(b"PK\x01\x02");
        assert_eq!(LocalHeader::parse(&central), None);
    }

    #[test]
    fn unsafe_names() {
        for ok in ["a.a", "x86_64-unknown-linux-gnu/libslim.a", "dir/", "a..b/c"] {
            assert_eq!(check_name(ok), Ok(()), "{ok}");
        }
        for bad in ["/etc/passwd", "\\x.a", "C:\\x.a", "c:/x.a"] {
            assert!(matches!(check_name(bad), Err(NameError::Absolute(_))), "{bad}");
        }
        for bad in ["../x.a", "a/../../x.a", "a\\..\\x.a", ".."] {
            assert!(matches!(check_name(bad), Err(NameError::ParentDir(_))), "{bad}");
        }
    }

    #[test]
    fn entries_named_for_another_target_are_never_picked() {
        let lib = "libslim_bindings_x86_64_linux_gnu.a";
        let others: Vec<String> = [
            "slim_bindings_x86_64_linux_musl",
            "slim_bindings_x86_64_unknown_linux_musl",
            "x86_64-unknown-linux-musl",
        ]
        .map(String::from)
        .to_vec();
        let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let table: &[(&[&str], Option<usize>)] = &[
            (&["libslim_bindings_x86_64_linux_musl.a"], None),
            (&["libslim_bindings_x86_64_unknown_linux_musl.a"], None),
            (&["x86_64-unknown-linux-musl/libslim_bindings_x86_64_linux_gnu.a"], None),
            (&["bindings-x86_64-unknown-linux-musl/libslim_bindings_x86_64_linux_gnu.a"], None),
            (&["x86_64-unknown-linux-musl/libother.a"], None),
            (&["libslim_bindings_x86_64_linux_musl.a", "libslim_bindings_x86_64_linux_gnu.a"], Some(1)),
            (&["libslim_bindings_x86_64_linux_musl.so", "libother.a"], Some(1)),
            (&["libother.a"], Some(0)),
        ];
        for (list, want) in table {
            assert_eq!(pick_entry(&names(list), lib, &[], &others).ok(), *want, "{list:?}");
        }
    }

    #[test]
    fn picking_the_library() {
        let lib = "libslim_bindings_x86_64_windows_gnu.a";
        let aliases = vec!["libslim_bindings_x86_64_pc_windows_gnu.a".to_string()];
        let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let table: &[(&[&str], Option<usize>)] = &[
            (
                &[
                    "t/",
                    "t/libslim_bindings_x86_64_windows_gnu.dll.a",
                    "t/libslim_bindings_x86_64_windows_gnu.a",
                ],
                Some(2),
            ),
            (&["t/slim.dll", "t/libslim_bindings_x86_64_pc_windows_gnu.a"], Some(1)),
            (&["t/", "t/libother.a"], Some(1)),
            (&["t/x.dll.a", "t/x.dll"], None),
            (&[], None),
        ];
        for (list, want) in table {
            assert_eq!(pick_entry(&names(list), lib, &aliases, &[]).ok(), *want, "{list:?}");
        }
        let several = [
            (&["t/liba.a", "t/libb.a"][..], ("t/liba.a", "t/libb.a")),
            (
                &["a/libslim_bindings_x86_64_windows_gnu.a", "b/libslim_bindings_x86_64_windows_gnu.a"],
                ("a/libslim_bindings_x86_64_windows_gnu.a", "b/libslim_bindings_x86_64_windows_gnu.a"),
            ),
            (
                &["libslim_bindings_x86_64_pc_windows_gnu.a", "libslim_bindings_x86_64_windows_gnu.a"],
                ("libslim_bindings_x86_64_pc_windows_gnu.a", "libslim_bindings_x86_64_windows_gnu.a"),
            ),
        ];
        for (list, (a, b)) in several {
            assert_eq!(
                pick_entry(&names(list), lib, &aliases, &[]),
                Err(Pick::Several(a.into(), b.into())),
                "{list:?}"
            );
        }
        assert_eq!(match_entry("t/libslim_bindings_x86_64_windows_gnu.a", lib, &aliases), Match::Exact);
        assert_eq!(match_entry("libslim_bindings_x86_64_pc_windows_gnu.a", lib, &aliases), Match::Alias);
        assert_eq!(match_entry("t/libslim_bindings_x86_64_windows_gnu.dll.a", lib, &aliases), Match::No);
    }
}
