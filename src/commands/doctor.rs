//! `slim-setup doctor`: walk the chain a cgo build needs and say what to fix.
//! Each check prints ok / WARN / FAIL with the next step; any FAIL exits 1.
//! With the `cc` front as CC it says so, checks the compiler behind it, and a
//! library not installed yet is the front's to install at the next build.

use std::path::Path;
use std::process::Command;

use crate::cli::DoctorArgs;
use crate::domain::ccargs;
use crate::domain::gomod::vendors_bindings;
use crate::domain::platform::Libc;
use crate::error::{Error, Result};
use crate::host::env::Env;
use crate::host::facts::Ask;
use crate::plan;
use crate::store::{inventory, manifest};
use crate::ui::out::outln;
use crate::ui::style;

#[derive(Default)]
struct Report {
    fails: usize,
    /// --json: the checks are kept for one document at the end.
    json: bool,
    checks: Vec<Check>,
    /// The first failed write to standard output, returned once the checks end.
    closed: Option<Error>,
}

#[derive(serde::Serialize)]
struct Check {
    check: String,
    /// `ok`, `warn` or `fail`.
    status: &'static str,
    detail: String,
}

#[derive(serde::Serialize)]
struct Checks<'a> {
    checks: &'a [Check],
}

impl Report {
    fn ok(&mut self, what: &str, detail: &str) {
        self.say("ok", what, detail);
    }
    fn warn(&mut self, what: &str, detail: &str) {
        self.say("warn", what, detail);
    }
    fn fail(&mut self, what: &str, detail: &str) {
        self.fails += 1;
        self.say("fail", what, detail);
    }
    fn say(&mut self, status: &'static str, what: &str, detail: &str) {
        if self.json {
            self.checks.push(Check { check: what.into(), status, detail: detail.into() });
        } else if self.closed.is_none() {
            let (word, pad) = match status {
                "ok" => ("ok", "   "),
                "warn" => ("WARN", " "),
                _ => ("FAIL", " "),
            };
            self.closed = outln!("{}{pad} {what}: {detail}", style::out(word)).err();
        }
    }
}

/// `words` (a command split as go splits CC) run with `arg`: its first line.
fn run_version(words: &[String], arg: &str) -> Option<String> {
    let (program, args) = words.split_first()?;
    let out = Command::new(program).args(args).arg(arg).output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    out.status.success().then(|| text.lines().next().unwrap_or("").trim().to_string())
}

pub(crate) fn run(args: &DoctorArgs, env: &Env, cwd: &Path) -> Result<()> {
    let mut r = Report { json: args.json, ..Report::default() };
    // One look at the machine serves every check below.
    let facts = super::facts_with_module(&Ask::single(&args.target, true), env, cwd)?;
    let go_env = facts.go_env.as_ref();
    match go_env.and_then(|g| g.get("GOVERSION")) {
        Some(v) => r.ok("go", v),
        None => r.warn("go", "not found on PATH; slim-setup works without it, but go build needs it"),
    }
    let paths = plan::go_paths(&plan::absolute_location(&args.target.location, cwd), env, &facts)?;
    let cgo = env.get("CGO_ENABLED").map(str::to_string).or_else(|| go_env?.get("CGO_ENABLED").cloned());
    match cgo.as_deref() {
        Some("1") => r.ok("cgo", "CGO_ENABLED=1"),
        Some(v) => r.fail("cgo", &format!("CGO_ENABLED={v}; the bindings need cgo: export CGO_ENABLED=1")),
        None => r.warn("cgo", "cannot tell (no go); go enables cgo by default when a C compiler is found"),
    }
    let cc = crate::host::detect::c_compiler(env, go_env).unwrap_or_else(|| "cc".into());
    // With the front as CC, the compiler to check is the one behind it.
    let front = ccargs::front_compiler(&cc);
    if front.is_some() {
        r.ok("C compiler front", &format!("CC={cc}: go build installs the SLIM library a link needs"));
    }
    let words = front.clone().unwrap_or_else(|| crate::domain::cgo::split_args(&cc));
    let real = crate::domain::cgo::join_fields(&words).unwrap_or_else(|| words.join(" "));
    match run_version(&words, "--version") {
        Some(v) => r.ok("C compiler", &format!("{real}: {v}")),
        None => r.fail("C compiler", &format!("'{real}' does not run; install gcc or clang, or set CC (e.g. CC=\"zig cc -target x86_64-linux-musl\")")),
    }
    r.ok(
        "GOPATH",
        &format!(
            "{} (module cache {}, from {})",
            paths.gopath.display(),
            paths.gomodcache.display(),
            paths.source
        ),
    );
    match inventory::in_module_cache(&paths.gomodcache).as_slice() {
        [] => r.ok("module cache", "nothing of slim-setup's inside it"),
        files => r.fail(
            "module cache",
            &format!(
                "{} file(s) that an earlier slim-setup wrote inside Go's module cache (e.g. {}), so `go mod verify` reports the bindings as modified; run: slim-setup clean --leftovers",
                files.len(),
                files[0].display()
            ),
        ),
    }
    match plan::single(&args.target, env, &facts) {
        Err(e) => r.fail("bindings version", &e.message()),
        Ok(plan) => {
            r.ok("bindings version", &format!("{} (from {})", plan.version, plan.version_source));
            r.ok("platform", &plan.platform.to_string());
            vendoring(&mut r, facts.vendor.as_deref());
            let tp = &plan.target;
            // The front installs a musl library under its own name and links that.
            let file = match (front.is_some(), tp.target.libc) {
                (true, Some(Libc::Musl)) => tp.target.lib_file(),
                _ => tp.file.clone(),
            };
            let lib = tp.dir.join(&file);
            r.ok("cgo looks in", &format!("{} for {file} ({})", tp.dir.display(), tp.dir_source));
            match manifest::read(&lib) {
                None if front.is_some() && !lib.exists() => r.ok(
                    "library",
                    &format!(
                        "not installed yet at {}; the C compiler front installs it at the next go build",
                        lib.display()
                    ),
                ),
                None if lib.exists() => r.warn(
                    "library",
                    &format!("{} exists but slim-setup did not install it (no manifest)", lib.display()),
                ),
                None => r.fail(
                    "library",
                    &format!("not installed at {}; run: slim-setup install {}", lib.display(), plan.version),
                ),
                Some(m) => match manifest::damage(&lib, &m) {
                    Some(why) => r.fail(
                        "library",
                        &format!("{} is damaged ({why}); run: slim-setup install --force", lib.display()),
                    ),
                    None if m.triple != tp.target.triple => r.fail(
                        "library",
                        &format!(
                            "{} holds {} but the target is {}",
                            lib.display(),
                            m.triple,
                            tp.target.triple
                        ),
                    ),
                    None => r.ok(
                        "library",
                        &format!(
                            "{} {} {}",
                            lib.display(),
                            m.version,
                            m.verified_by
                                .map(|b| format!("verified against {b}"))
                                .unwrap_or_else(|| "(unverified)".into())
                        ),
                    ),
                },
            }
        }
    }
    let proxies: Vec<&str> =
        ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy"]
            .into_iter()
            .filter(|k| env.get(k).is_some())
            .collect();
    if proxies.is_empty() {
        r.ok("proxy", "none set")
    } else {
        r.ok("proxy", &format!("{} set", proxies.join(", ")))
    }
    match (env.get("GITHUB_TOKEN"), env.get("GH_TOKEN")) {
        (Some(_), _) => {
            r.ok("GitHub token", "GITHUB_TOKEN is set (value not shown); sent only to the GitHub API")
        }
        (None, Some(_)) => {
            r.ok("GitHub token", "GH_TOKEN is set (value not shown); sent only to the GitHub API")
        }
        _ => r.ok("GitHub token", "none (60 API requests an hour; set GITHUB_TOKEN in CI)"),
    }
    if let Some(closed) = r.closed.take() {
        return Err(closed);
    }
    let failure = (r.fails > 0).then(|| Error::Other(format!("{} check(s) failed", r.fails)));
    if r.json {
        crate::ui::json::emit("doctor", Checks { checks: &r.checks }, failure.as_ref())?;
    }
    failure.map_or(Ok(()), Err)
}

fn vendoring(r: &mut Report, modules_txt: Option<&str>) {
    let Some(text) = modules_txt else {
        return r.ok("vendoring", "not vendored");
    };
    if vendors_bindings(text) {
        r.warn("vendoring", "the bindings are vendored: their cgo -L points into vendor/; export the output of `slim-setup env`");
    } else {
        r.ok("vendoring", "vendor/ does not hold the bindings");
    }
}
