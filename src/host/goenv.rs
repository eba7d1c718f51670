//! Where the go command keeps modules: GOPATH and GOMODCACHE, found the way `go`
//! itself finds them. Asking `go env` is exact (it reads `go env -w` settings);
//! without `go`, the environment, then Go's env file, then `$HOME/go`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::env::Env;
use super::gocmd::{GoError, GoRunner};

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct GoPaths {
    pub(crate) gopath: PathBuf,
    pub(crate) gomodcache: PathBuf,
    /// How they were found, for the banner and `doctor`.
    pub(crate) source: String,
}

/// `go env -json` output, when `go` is on PATH.
pub(crate) type GoEnvVars = HashMap<String, String>;

const GO_ENV_KEYS: &[&str] =
    &["GOPATH", "GOMODCACHE", "CC", "GOVERSION", "CGO_ENABLED", "GOFLAGS", "GOWORK", "GOOS", "GOARCH"];

/// `go env -json` as the runner sees it (GOPATH overridden by `--gopath`).
/// `Ok(None)` when go is not installed; an error, with go's own line, when it
/// is but cannot answer: without its answer the folder cgo uses is a guess.
pub(crate) fn query_go_env(go: &GoRunner) -> Result<Option<GoEnvVars>, GoError> {
    let mut args = vec!["env", "-json"];
    args.extend(GO_ENV_KEYS);
    match go.output(&args) {
        Ok(out) => serde_json::from_slice(&out).map(Some).map_err(|e| GoError::Failed {
            command: "go env -json".into(),
            line: format!("unreadable output ({e})"),
        }),
        Err(GoError::Missing) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Go's env file (`go env -w` writes it): $GOENV, else <config dir>/go/env.
pub(crate) fn env_file_path(env: &Env) -> Option<PathBuf> {
    if let Some(p) = env.get("GOENV") {
        return (p != "off").then(|| PathBuf::from(p));
    }
    let config = match env.get("XDG_CONFIG_HOME") {
        Some(x) if cfg!(unix) && !cfg!(target_os = "macos") => PathBuf::from(x),
        _ => dirs::config_dir()?,
    };
    Some(config.join("go").join("env"))
}

fn parse_env_file(text: &str) -> HashMap<String, String> {
    text.lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect()
}

/// The first entry of a GOPATH list (`a:b` on unix, `a;b` on Windows).
pub(crate) fn first_gopath(list: &str) -> Option<PathBuf> {
    let sep = if cfg!(windows) { ';' } else { ':' };
    list.split(sep).find(|p| !p.is_empty()).map(PathBuf::from)
}

/// Pure resolution from what was gathered.
pub(crate) fn resolve(
    cli_gopath: Option<&Path>,
    go_env: Option<&GoEnvVars>,
    env: &Env,
    env_file: Option<&str>,
) -> Option<GoPaths> {
    let file_vars = env_file.map(parse_env_file).unwrap_or_default();
    let from_file = |k: &str| file_vars.get(k).filter(|v| !v.is_empty()).cloned();
    if let Some(vars) = go_env {
        let gopath = vars.get("GOPATH").and_then(|l| first_gopath(l))?;
        let gomodcache = vars.get("GOMODCACHE").filter(|v| !v.is_empty()).map(PathBuf::from);
        let gomodcache = gomodcache.unwrap_or_else(|| gopath.join("pkg").join("mod"));
        return Some(GoPaths { gopath, gomodcache, source: "go env".into() });
    }
    let (gopath, source) = if let Some(gp) = cli_gopath {
        (gp.to_path_buf(), "--gopath")
    } else if let Some(gp) = env.get("GOPATH").and_then(first_gopath) {
        (gp, "$GOPATH")
    } else if let Some(gp) = from_file("GOPATH").and_then(|l| first_gopath(&l)) {
        (gp, "Go's env file")
    } else {
        (env.home()?.join("go"), "the default ~/go")
    };
    let gomodcache = env
        .get("GOMODCACHE")
        .map(PathBuf::from)
        .or_else(|| from_file("GOMODCACHE").map(PathBuf::from))
        .unwrap_or_else(|| gopath.join("pkg").join("mod"));
    Some(GoPaths { gopath, gomodcache, source: source.into() })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> GoEnvVars {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn go_env_wins_and_takes_the_first_list_entry() {
        let go = vars(&[("GOPATH", "/a:/b"), ("GOMODCACHE", "/m")]);
        let env = Env::from_pairs([("GOPATH", "/ignored"), ("HOME", "/h")]);
        let p = resolve(None, Some(&go), &env, None).unwrap();
        assert_eq!((p.gopath, p.gomodcache), (PathBuf::from("/a"), PathBuf::from("/m")));
    }

    #[test]
    fn without_go_each_source_in_order() {
        // (--gopath, environment, env file, GOPATH, GOMODCACHE)
        type Row<'a> = (Option<&'a str>, &'a [(&'a str, &'a str)], Option<&'a str>, &'a str, &'a str);
        let table: &[Row] = &[
            (Some("/cli"), &[("GOPATH", "/env"), ("HOME", "/h")], None, "/cli", "/cli/pkg/mod"),
            (None, &[("GOPATH", "/env:/other"), ("HOME", "/h")], None, "/env", "/env/pkg/mod"),
            (None, &[("GOPATH", ""), ("HOME", "/h")], Some("GOPATH=/file\n"), "/file", "/file/pkg/mod"),
            (None, &[("HOME", "/h")], Some("GOMODCACHE=/fm\n"), "/h/go", "/fm"),
            (None, &[("HOME", "/h"), ("GOMODCACHE", "/em")], Some("GOMODCACHE=/fm\n"), "/h/go", "/em"),
            (None, &[("HOME", "/h")], None, "/h/go", "/h/go/pkg/mod"),
        ];
        for (cli, env, file, gopath, modcache) in table {
            let env = Env::from_pairs(env.iter().copied());
            let p = resolve(cli.map(Path::new), None, &env, *file).unwrap();
            assert_eq!(p.gopath, PathBuf::from(gopath), "{env:?}");
            assert_eq!(p.gomodcache, PathBuf::from(modcache), "{env:?}");
        }
    }
}
