//! What each published version of the Go bindings expects: its module path, the
//! release tag and download bases, and the `-L` folder its cgo directives name
//! (relative to the module folder in the module cache). Pure: paths are computed,
//! never touched.
//!
//! The folder is resolved as "module folder + relative path", exactly like the
//! linker does, rather than "GOPATH + something": the two differ when GOMODCACHE
//! is set on its own, and only the first is where cgo really looks.

use std::path::{Component, Path, PathBuf};

use super::version::Version;

pub(crate) const MODULE_V1: &str = "github.com/agntcy/slim-bindings-go";
pub(crate) const MODULE_V2: &str = "github.com/agntcy/slim-bindings-go/v2";
pub(crate) const BASE_SLIM: &str = "https://github.com/agntcy/slim/releases/download";
pub(crate) const BASE_SLIM_BINDINGS: &str = "https://github.com/agntcy/slim-bindings/releases/download";

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Layout {
    pub(crate) module_path: &'static str,
    pub(crate) tag: String,
    /// The cache `-L` path as the module writes it, with `${SRCDIR}/` removed.
    rel_lib_dir: String,
    /// v0.7.2 names another folder for windows/amd64.
    rel_lib_dir_windows: Option<String>,
    /// Default download bases, tried in order (v2 moved repositories).
    pub(crate) default_bases: Vec<&'static str>,
    /// Something the user should know about this version.
    pub(crate) warning: Option<&'static str>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum LayoutError {
    #[error("{0} predates the prebuilt libraries (the first release with them is v0.7.2)")]
    TooOld(String),
    #[error(
        "{0} is a major version this slim-setup does not know (it knows v0.7.2 to v2.x); \
         pass --cache-dir and --base-url, or update slim-setup"
    )]
    UnknownMajor(String),
}

const FIVE_UP: &str = "../../../../..";
const SIX_UP: &str = "../../../../../..";

pub(crate) fn layout_for(v: &Version) -> Result<Layout, LayoutError> {
    let version = v.to_string();
    let layout = |module_path, tag: String, rel_lib_dir: String, bases: Vec<&'static str>| Layout {
        module_path,
        tag,
        rel_lib_dir,
        rel_lib_dir_windows: None,
        default_bases: bases,
        warning: None,
    };
    if v.below("0.7.2") {
        return Err(LayoutError::TooOld(version));
    }
    if v.major() >= 3 {
        return Err(LayoutError::UnknownMajor(version));
    }
    if v.major() == 2 {
        // Early v2 pre-releases may only exist under the old repository.
        return Ok(layout(
            MODULE_V2,
            format!("slim-bindings-{version}"),
            format!("{SIX_UP}/.cgo-cache/slim-bindings/{version}"),
            vec![BASE_SLIM_BINDINGS, BASE_SLIM],
        ));
    }
    let libs_tag = format!("slim-bindings-libs-{version}");
    let tag = format!("slim-bindings-{version}");
    if v.below("0.7.3") {
        let mut l = layout(MODULE_V1, libs_tag, format!("{SIX_UP}/.cache/slim-bindings"), vec![BASE_SLIM]);
        l.rel_lib_dir_windows = Some(format!("{SIX_UP}/AppData/Local/slim-bindings"));
        return Ok(l);
    }
    let flat = format!("{FIVE_UP}/.cgo-cache/slim-bindings");
    if v.below("1.0.0-rc.1") {
        return Ok(layout(MODULE_V1, libs_tag, flat, vec![BASE_SLIM]));
    }
    if v.below("1.3.0-rc.1") {
        return Ok(layout(MODULE_V1, tag, flat, vec![BASE_SLIM]));
    }
    if v.below("1.3.0-rc.2") {
        let mut l = layout(MODULE_V1, tag, format!("{flat}/devel"), vec![BASE_SLIM]);
        l.warning =
            Some("v1.3.0-rc.1 was published with a 'devel' cache folder; prefer v1.3.0-rc.3 or later");
        return Ok(l);
    }
    Ok(layout(MODULE_V1, tag, format!("{flat}/{version}"), vec![BASE_SLIM]))
}

impl Layout {
    /// The cache `-L` of the published directive for `goos`, relative to the
    /// module folder (`${SRCDIR}`).
    pub(crate) fn rel_lib_dir(&self, goos: &str) -> &str {
        match (&self.rel_lib_dir_windows, goos) {
            (Some(w), "windows") => w,
            _ => &self.rel_lib_dir,
        }
    }
}

/// `$GOMODCACHE/github.com/agntcy/slim-bindings-go@v1.4.0` (or `/v2@v2.1.0`).
pub(crate) fn module_dir(gomodcache: &Path, module_path: &str, v: &Version) -> PathBuf {
    let mut dir = gomodcache.to_path_buf();
    let (parent, last) = module_path.rsplit_once('/').unwrap_or(("", module_path));
    for part in parent.split('/').filter(|p| !p.is_empty()) {
        dir.push(escape_module_path(part));
    }
    dir.push(format!("{}@{}", escape_module_path(last), v));
    dir
}

/// Go's module cache escapes upper-case letters as `!` + lower-case.
fn escape_module_path(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii_uppercase() {
            out.push('!');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// Join and fold `..` lexically, as the module folder may not exist yet.
pub(crate) fn resolve(base: &Path, rel: &str) -> PathBuf {
    let mut out = PathBuf::new();
    for comp in base.join(rel).components() {
        match comp {
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// Every folder an installed library can be under, for a module cache: the
/// `.cache` (and Windows `AppData/Local`) of v0.7.2, the flat `.cgo-cache`
/// folder, and the parent of the per-version folders (the same folder for v1
/// and v2). `resolve` joins a module folder and a relative `-L` as the host's
/// filesystem does, so the roots are those the linker reaches.
pub(crate) fn cache_roots(gomodcache: &Path, resolve: impl Fn(&Path, &str) -> PathBuf) -> Vec<PathBuf> {
    let mut roots: Vec<PathBuf> = Vec::new();
    for (v, goos) in [
        ("v0.7.2", "linux"),
        ("v0.7.2", "windows"),
        ("v1.2.0", "linux"),
        ("v1.4.0", "linux"),
        ("v2.1.0", "linux"),
    ] {
        let v = Version::parse(v).expect("valid");
        let l = layout_for(&v).expect("known");
        let rel = l.rel_lib_dir(goos);
        // The folder holding the per-version folders, resolved itself: a
        // version folder that is a link must not move the root to its target.
        let rel = rel.strip_suffix(&format!("/{v}")).unwrap_or(rel);
        let root = resolve(&module_dir(gomodcache, l.module_path, &v), rel);
        if !roots.contains(&root) {
            roots.push(root);
        }
    }
    roots
}

/// `{base}/{tag}/{asset}` with exactly one slash at each join.
pub(crate) fn asset_url(base: &str, tag: &str, asset: &str) -> String {
    format!("{}/{tag}/{asset}", base.trim_end_matches('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    #[test]
    fn tag_and_folder_per_version_range() {
        // (version, tag, folder under GOPATH=/g with GOMODCACHE=/g/pkg/mod)
        let table = [
            ("v0.7.2", "slim-bindings-libs-v0.7.2", "/.cache/slim-bindings"),
            ("v0.7.3", "slim-bindings-libs-v0.7.3", "/g/.cgo-cache/slim-bindings"),
            ("v0.7.4", "slim-bindings-libs-v0.7.4", "/g/.cgo-cache/slim-bindings"),
            ("v1.0.0-rc.0", "slim-bindings-libs-v1.0.0-rc.0", "/g/.cgo-cache/slim-bindings"),
            ("v1.0.0", "slim-bindings-v1.0.0", "/g/.cgo-cache/slim-bindings"),
            ("v1.2.5", "slim-bindings-v1.2.5", "/g/.cgo-cache/slim-bindings"),
            ("v1.3.0-rc.0", "slim-bindings-v1.3.0-rc.0", "/g/.cgo-cache/slim-bindings"),
            ("v1.3.0-rc.1", "slim-bindings-v1.3.0-rc.1", "/g/.cgo-cache/slim-bindings/devel"),
            ("v1.3.0-rc.3", "slim-bindings-v1.3.0-rc.3", "/g/.cgo-cache/slim-bindings/v1.3.0-rc.3"),
            ("v1.4.0", "slim-bindings-v1.4.0", "/g/.cgo-cache/slim-bindings/v1.4.0"),
            ("v1.4.2", "slim-bindings-v1.4.2", "/g/.cgo-cache/slim-bindings/v1.4.2"),
            ("v2.0.0-alpha.3", "slim-bindings-v2.0.0-alpha.3", "/g/.cgo-cache/slim-bindings/v2.0.0-alpha.3"),
            ("v2.1.1", "slim-bindings-v2.1.1", "/g/.cgo-cache/slim-bindings/v2.1.1"),
        ];
        for (ver, tag, folder) in table {
            let ver = v(ver);
            let l = layout_for(&ver).unwrap();
            assert_eq!(l.tag, tag);
            let module = module_dir(Path::new("/g/pkg/mod"), l.module_path, &ver);
            assert_eq!(resolve(&module, l.rel_lib_dir("linux")), PathBuf::from(folder), "{ver}");
            assert_eq!(l.rel_lib_dir("darwin"), l.rel_lib_dir("linux"), "{ver}");
        }
    }

    #[test]
    fn v0_7_2_lands_beside_gopath_and_v2_one_level_deeper() {
        let ver = v("v0.7.2");
        let l = layout_for(&ver).unwrap();
        let module = module_dir(Path::new("/home/u/go/pkg/mod"), l.module_path, &ver);
        assert_eq!(resolve(&module, l.rel_lib_dir("linux")), PathBuf::from("/home/u/.cache/slim-bindings"));
        // As published: windows/amd64 of v0.7.2 looks in AppData/Local.
        assert_eq!(
            resolve(&module, l.rel_lib_dir("windows")),
            PathBuf::from("/home/u/AppData/Local/slim-bindings")
        );
        let ver = v("v2.1.0");
        let l = layout_for(&ver).unwrap();
        let module = module_dir(Path::new("/home/u/go/pkg/mod"), l.module_path, &ver);
        assert_eq!(module, PathBuf::from("/home/u/go/pkg/mod/github.com/agntcy/slim-bindings-go/v2@v2.1.0"));
        assert_eq!(l.default_bases, vec![BASE_SLIM_BINDINGS, BASE_SLIM]);
    }

    #[test]
    fn gomodcache_elsewhere_moves_the_folder_with_it() {
        let ver = v("v1.4.0");
        let l = layout_for(&ver).unwrap();
        let module = module_dir(Path::new("/cache/mod"), l.module_path, &ver);
        assert_eq!(
            resolve(&module, l.rel_lib_dir("linux")),
            PathBuf::from("/.cgo-cache/slim-bindings/v1.4.0")
        );
    }

    #[test]
    fn cache_roots_cover_every_layout() {
        assert_eq!(
            cache_roots(Path::new("/g/pkg/mod"), resolve),
            vec![
                PathBuf::from("/.cache/slim-bindings"),
                PathBuf::from("/AppData/Local/slim-bindings"),
                PathBuf::from("/g/.cgo-cache/slim-bindings")
            ]
        );
    }

    #[test]
    fn out_of_range_versions_are_errors() {
        assert!(matches!(layout_for(&v("v0.7.1")), Err(LayoutError::TooOld(_))));
        assert!(matches!(layout_for(&v("v3.0.0")), Err(LayoutError::UnknownMajor(_))));
    }

    #[test]
    fn urls_and_escaping() {
        assert_eq!(
            asset_url(BASE_SLIM, "slim-bindings-v1.4.0", "slim-bindings-aarch64-apple-darwin.zip"),
            "https://github.com/agntcy/slim/releases/download/slim-bindings-v1.4.0/slim-bindings-aarch64-apple-darwin.zip"
        );
        assert_eq!(asset_url("http://m/x/", "t", "a.zip"), "http://m/x/t/a.zip");
        assert_eq!(escape_module_path("github.com/Azure/x"), "github.com/!azure/x");
    }
}
