//! Go build constraints, as far as choosing a platform's cgo flags needs them:
//! `#cgo` line conditions (`linux,amd64 darwin`), `//go:build` expressions, and
//! `_GOOS_GOARCH.go` file-name suffixes.

pub(crate) const KNOWN_GOOS: &[&str] = &[
    "aix",
    "android",
    "darwin",
    "dragonfly",
    "freebsd",
    "hurd",
    "illumos",
    "ios",
    "js",
    "linux",
    "nacl",
    "netbsd",
    "openbsd",
    "plan9",
    "solaris",
    "wasip1",
    "windows",
    "zos",
];
pub(crate) const KNOWN_GOARCH: &[&str] = &[
    "386", "amd64", "arm", "arm64", "loong64", "mips", "mips64", "mips64le", "mipsle", "ppc64", "ppc64le",
    "riscv64", "s390x", "wasm",
];
const UNIX: &[&str] = &[
    "aix",
    "android",
    "darwin",
    "dragonfly",
    "freebsd",
    "hurd",
    "illumos",
    "ios",
    "linux",
    "netbsd",
    "openbsd",
    "solaris",
];

/// The tags true when cgo builds for `goos/goarch`.
pub(crate) struct Platform<'a> {
    pub(crate) goos: &'a str,
    pub(crate) goarch: &'a str,
}

impl Platform<'_> {
    pub(crate) fn has_tag(&self, tag: &str) -> bool {
        tag == self.goos
            || tag == self.goarch
            || tag == "cgo"
            || tag == "gc"
            || (tag == "unix" && UNIX.contains(&self.goos))
            || (tag == "linux" && self.goos == "android")
            || (tag == "darwin" && self.goos == "ios")
            || tag.starts_with("go1.")
    }

    /// A `#cgo` condition: space-separated alternatives of comma-joined terms.
    pub(crate) fn matches_cgo_condition(&self, cond: &str) -> bool {
        if cond.trim().is_empty() {
            return true;
        }
        cond.split_whitespace().any(|alt| {
            alt.split(',').all(|term| match term.strip_prefix('!') {
                Some(t) => !self.has_tag(t),
                None => self.has_tag(term),
            })
        })
    }

    /// `foo_linux_amd64.go`, `foo_windows.go`, `foo_arm64.go`; `_test.go` never builds.
    pub(crate) fn matches_file_name(&self, name: &str) -> bool {
        let Some(stem) = name.strip_suffix(".go") else { return false };
        if stem.ends_with("_test") {
            return false;
        }
        let parts: Vec<&str> = stem.split('_').collect();
        let n = parts.len();
        if n >= 3 && KNOWN_GOOS.contains(&parts[n - 2]) && KNOWN_GOARCH.contains(&parts[n - 1]) {
            return self.has_tag(parts[n - 2]) && self.has_tag(parts[n - 1]);
        }
        if n >= 2 && (KNOWN_GOOS.contains(&parts[n - 1]) || KNOWN_GOARCH.contains(&parts[n - 1])) {
            return self.has_tag(parts[n - 1]);
        }
        true
    }

    /// A `//go:build` expression; a malformed one is taken as true so that a
    /// surprising file is read rather than silently skipped.
    pub(crate) fn matches_build_expr(&self, expr: &str) -> bool {
        let tokens = lex(expr);
        let mut p = Parser { tokens: &tokens, pos: 0, platform: self };
        match p.or() {
            Some(v) if p.pos == tokens.len() => v,
            _ => true,
        }
    }
}

fn lex(expr: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut chars = expr.chars().peekable();
    while let Some(c) = chars.next() {
        let op = match c {
            '(' | ')' | '!' => Some(c.to_string()),
            '&' | '|' if chars.peek() == Some(&c) => {
                chars.next();
                Some(format!("{c}{c}"))
            }
            c if c.is_whitespace() => Some(String::new()),
            _ => None,
        };
        match op {
            Some(op) => {
                if !word.is_empty() {
                    out.push(std::mem::take(&mut word));
                }
                if !op.is_empty() {
                    out.push(op);
                }
            }
            None => word.push(c),
        }
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

struct Parser<'a> {
    tokens: &'a [String],
    pos: usize,
    platform: &'a Platform<'a>,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&str> {
        self.tokens.get(self.pos).map(String::as_str)
    }
    fn or(&mut self) -> Option<bool> {
        let mut v = self.and()?;
        while self.peek() == Some("||") {
            self.pos += 1;
            v |= self.and()?;
        }
        Some(v)
    }
    fn and(&mut self) -> Option<bool> {
        let mut v = self.not()?;
        while self.peek() == Some("&&") {
            self.pos += 1;
            v &= self.not()?;
        }
        Some(v)
    }
    fn not(&mut self) -> Option<bool> {
        match self.peek()? {
            "!" => {
                self.pos += 1;
                Some(!self.not()?)
            }
            "(" => {
                self.pos += 1;
                let v = self.or()?;
                (self.peek() == Some(")")).then(|| self.pos += 1)?;
                Some(v)
            }
            "&&" | "||" | ")" => None,
            tag => {
                let v = self.platform.has_tag(tag);
                self.pos += 1;
                Some(v)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINUX_AMD64: Platform = Platform { goos: "linux", goarch: "amd64" };
    const DARWIN_ARM64: Platform = Platform { goos: "darwin", goarch: "arm64" };

    #[test]
    fn cgo_conditions() {
        let table = [
            ("linux,amd64", true, false),
            ("linux,arm64", false, false),
            ("darwin", false, true),
            ("darwin,arm64", false, true),
            ("windows", false, false),
            ("linux,amd64 darwin,arm64", true, true),
            ("!windows", true, true),
            ("unix,!linux", false, true),
        ];
        for (cond, linux, darwin) in table {
            assert_eq!(LINUX_AMD64.matches_cgo_condition(cond), linux, "{cond}");
            assert_eq!(DARWIN_ARM64.matches_cgo_condition(cond), darwin, "{cond}");
        }
    }

    #[test]
    fn build_expressions() {
        let table = [
            ("linux", true, false),
            ("linux && amd64", true, false),
            ("darwin || (linux && !arm64)", true, true),
            ("!cgo", false, false),
            ("cgo && (darwin || windows)", false, true),
            ("go1.21 && unix", true, true),
            ("linux &&", true, true), // malformed: read the file anyway
        ];
        for (expr, linux, darwin) in table {
            assert_eq!(LINUX_AMD64.matches_build_expr(expr), linux, "{expr}");
            assert_eq!(DARWIN_ARM64.matches_build_expr(expr), darwin, "{expr}");
        }
    }

    #[test]
    fn file_name_suffixes() {
        let table = [
            ("slim.go", true, true),
            ("slim_linux.go", true, false),
            ("slim_linux_amd64.go", true, false),
            ("slim_darwin_arm64.go", false, true),
            ("slim_arm64.go", false, true),
            ("slim_bindings.go", true, true),
            ("slim_test.go", false, false),
            ("slim_linux_test.go", false, false),
            ("README.md", false, false),
        ];
        for (name, linux, darwin) in table {
            assert_eq!(LINUX_AMD64.matches_file_name(name), linux, "{name}");
            assert_eq!(DARWIN_ARM64.matches_file_name(name), darwin, "{name}");
        }
    }
}
