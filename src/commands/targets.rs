//! `slim-setup targets`: the target table, marking the host.

use crate::cli::TargetsArgs;
use crate::domain::platform::TARGETS;
use crate::host::detect::{host_goarch, host_goos};
use crate::ui::out::outln;

#[derive(serde::Serialize)]
struct Row {
    goos: &'static str,
    goarch: &'static str,
    libc: Option<crate::domain::platform::Libc>,
    triple: &'static str,
    library: String,
    cgo_links: String,
    host: bool,
}

#[derive(serde::Serialize)]
struct Targets<'a> {
    targets: &'a [Row],
}

pub(crate) fn run(args: &TargetsArgs, env: &crate::host::env::Env) -> crate::error::Result<()> {
    // The host's libc as install would decide it (CC first, then the system loader).
    let host_libc =
        (host_goos() == "linux").then(|| crate::host::detect::detect_libc(env.get("CC"), env).libc);
    let rows: Vec<Row> = TARGETS
        .iter()
        .map(|t| Row {
            goos: t.goos,
            goarch: t.goarch,
            libc: t.libc,
            triple: t.triple,
            library: t.lib_file(),
            cgo_links: format!("lib{}.a", t.cgo_link_name()),
            host: t.goos == host_goos()
                && t.goarch == host_goarch()
                && (host_libc.is_none() || t.libc == host_libc),
        })
        .collect();
    if args.json {
        return crate::ui::json::emit("targets", Targets { targets: &rows }, None);
    }
    outln!("  {:<15} {:<5} {:<27} {:<40} cgo links", "GOOS/GOARCH", "libc", "triple", "library in the zip")?;
    for r in &rows {
        let mark = if r.host { "*" } else { " " };
        let pair = format!("{}/{}", r.goos, r.goarch);
        let libc = r.libc.map_or_else(|| "-".to_string(), |l| l.to_string());
        outln!("{mark} {pair:<15} {libc:<5} {:<27} {:<40} {}", r.triple, r.library, r.cgo_links)?;
    }
    outln!("\n* the host. Linux builds link the _gnu name, also with a musl C compiler;")?;
    outln!("  slim-setup installs a musl library under that name too.")
}
