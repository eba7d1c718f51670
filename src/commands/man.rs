//! `slim-setup man`: the one man page, slim-setup(1). clap_mangen renders the
//! name, synopsis, description and options; this adds every subcommand in the
//! same page (its synopsis, options and examples) instead of clap_mangen's
//! SUBCOMMANDS list, which names pages such as slim-setup-install(1) that
//! nobody installs, and the EXAMPLES, ENVIRONMENT and EXIT STATUS sections.
//!
//! One page, because slim-setup is one binary installed as one file
//! (`slim-setup man > slim-setup.1`): nothing for a package or a user to
//! keep in step, and `man slim-setup` then has all of it.

use clap::{Arg, Command, CommandFactory};
use clap_mangen::Man;
use roff::{Roff, bold, roman};

use crate::cli::Cli;

/// Variables slim-setup reads itself (clap's `env =` ones are listed from
/// the definition, as the defaults of their flags).
const ENVIRONMENT: &[(&str, &str)] = &[
    ("SLIM_BINDINGS_VERSION", "The version to install when VERSION is not given; before the Go project's."),
    ("SLIM_SETUP_GO_TIMEOUT", "Seconds a go env or go list may take before it is stopped (default 60)."),
    ("GOPATH", "GOPATH, when go is not on PATH (with go, what go env says; --gopath beats both)."),
    ("GOMODCACHE", "The module cache, when go is not on PATH; else GOPATH/pkg/mod."),
    ("GOOS", "The default target GOOS when go is not on PATH (empty: the host's)."),
    ("GOARCH", "The default target GOARCH when go is not on PATH (empty: the host's)."),
    ("GOENV", "Go's env file (what go env -w writes), read when go is not on PATH."),
    ("XDG_CONFIG_HOME", "Where Go's env file is by default (XDG_CONFIG_HOME/go/env)."),
    ("XDG_CACHE_HOME", "Where the cc front caches each compiler's target (XDG_CACHE_HOME/slim-setup)."),
    ("GOWORK", "The go.work file, read when go is not on PATH (off: none)."),
    ("GOFLAGS", "Go's flags; go list runs with -mod=readonly whatever they say."),
    ("CC", "The C compiler cgo runs: on a Linux host its target decides gnu or musl."),
    ("CGO_ENABLED", "doctor checks that it is 1."),
    ("GOVERSION", "Read through go env, for doctor."),
    ("HOME", "The home folder: ~/go, ~/.netrc."),
    ("USERPROFILE", "The home folder on Windows, when HOME is not set."),
    ("PATH", "Where go is looked for."),
    (
        "GITHUB_TOKEN",
        "Sent to the GitHub API of the release base only (5,000 requests an hour instead of 60), over https or to loopback; never to the download host, never printed.",
    ),
    ("GH_TOKEN", "The same, when GITHUB_TOKEN is not set."),
    ("NETRC", "The netrc file with credentials for private mirrors (default ~/.netrc, ~/_netrc on Windows)."),
    (
        "HTTPS_PROXY, HTTP_PROXY, NO_PROXY",
        "Proxies for downloads and API calls, and the hosts reached without one (lower case too).",
    ),
    (
        "SSL_CERT_FILE, SSL_CERT_DIR",
        "On Linux, a PEM file (a folder) of certificate authorities to trust for https instead of the system's; macOS and Windows ask the system.",
    ),
    ("NO_COLOR", "When set, no colour."),
    ("CLICOLOR_FORCE", "When set (and not 0), colour also when the output is not a terminal."),
    (
        "SLIM_SETUP_BACKOFF_MS, SLIM_SETUP_MAX_WAIT",
        "For tests: the first wait between retries in milliseconds, and the longest wait a server may ask for in seconds (default 60).",
    ),
];

const EXIT_STATUS: &[(&str, &str)] = &[
    ("0", "Success; also when the reader of standard output went away (slim-setup list | head -1)."),
    (
        "1",
        "Failure: nothing usable was found or installed (network, checksum, archive, disk, go), or verify or doctor found a problem.",
    ),
    (
        "2",
        "Usage error: a command, option or value slim-setup cannot use, including VERSION and SLIM_BINDINGS_VERSION. Nothing was done.",
    ),
    (
        "130",
        "Interrupted (SIGINT, Ctrl-C): temporary files and locks were removed, the previous library is kept.",
    ),
    ("143", "Terminated (SIGTERM): the same."),
];

/// The whole page, as roff.
pub(crate) fn page() -> String {
    let mut cmd = Cli::command();
    cmd.build();
    let man = Man::new(cmd.clone()).source(format!("slim-setup {}", env!("CARGO_PKG_VERSION")));
    let mut page = String::new();
    for render in [Man::render_title, Man::render_name_section, Man::render_synopsis_section] {
        page += &piece(|w| render(&man, w));
    }
    page += &piece(|w| man.render_description_section(w));
    page += &piece(|w| man.render_options_section(w));
    page += &commands(&cmd);
    page += &sections(&cmd);
    page += &piece(|w| man.render_version_section(w));
    // Every piece starts with roff's preamble; the page needs it once.
    format!("{}{page}", Roff::new().render())
}

pub(crate) fn run() -> crate::error::Result<()> {
    crate::ui::out::out!("{}", page())
}

/// One of clap_mangen's sections, without roff's preamble.
fn piece(render: impl FnOnce(&mut Vec<u8>) -> std::io::Result<()>) -> String {
    let mut buf = Vec::new();
    render(&mut buf).expect("writing to memory");
    let text = String::from_utf8(buf).expect("roff output of UTF-8 input is UTF-8");
    text.strip_prefix(&Roff::new().render()).unwrap_or(&text).to_string()
}

/// Each subcommand under its own heading: what it does, its synopsis, its
/// options (clap_mangen's, their section headings dropped; install's are
/// those under OPTIONS) and its examples.
fn commands(cmd: &Command) -> String {
    let mut head = Roff::new();
    head.control("SH", ["COMMANDS"]);
    head.text([roman("With no command, slim-setup runs install, with the options above.")]);
    let mut out = body(&head);
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set() && s.get_name() != "help") {
        let name = format!("slim-setup {}", sub.get_name());
        let mut roff = Roff::new();
        roff.control("SS", [name.as_str()]);
        if let Some(about) = sub.get_about() {
            roff.text([roman(about.to_string())]);
        }
        roff.control("PP", []);
        out += &body(&roff);
        let man = Man::new(sub.clone().bin_name(&name));
        let mut sections = vec![piece(|w| man.render_synopsis_section(w))];
        if arg_ids(sub) != arg_ids(cmd) {
            sections.push(piece(|w| man.render_options_section(w)));
        }
        for section in sections {
            out += &section
                .lines()
                .filter(|l| !l.starts_with(".SH "))
                .map(|l| format!("{l}\n"))
                .collect::<String>();
        }
        // install's are the page's EXAMPLES.
        if sub.get_after_help().map(|h| h.to_string()) != cmd.get_after_help().map(|h| h.to_string()) {
            out += &examples(sub, None);
        }
    }
    out
}

/// What a command takes, but --version (only the top level has it).
fn arg_ids(cmd: &Command) -> Vec<&str> {
    cmd.get_arguments().map(|a| a.get_id().as_str()).filter(|id| *id != "version").collect()
}

/// EXAMPLES (the top-level ones), ENVIRONMENT and EXIT STATUS.
fn sections(cmd: &Command) -> String {
    let mut out = examples(cmd, Some("EXAMPLES"));
    let mut roff = Roff::new();
    roff.control("SH", ["ENVIRONMENT"]);
    let mut from_flags: Vec<(String, String)> = Vec::new();
    for arg in every_arg(cmd) {
        if let (Some(var), Some(long)) = (arg.get_env(), arg.get_long()) {
            let var = var.to_string_lossy().into_owned();
            if !from_flags.iter().any(|(v, _)| *v == var) {
                from_flags.push((var, format!("The default of --{long}.")));
            }
        }
    }
    let listed = from_flags.iter().map(|(v, d)| (v.as_str(), d.as_str()));
    for (name, what) in listed.chain(ENVIRONMENT.iter().copied()) {
        roff.control("TP", []).text([bold(name)]).text([roman(what)]);
    }
    roff.control("SH", ["EXIT STATUS"]);
    for (code, what) in EXIT_STATUS {
        roff.control("TP", []).text([bold(*code)]).text([roman(*what)]);
    }
    out += &body(&roff);
    out
}

/// A command's after_help, as written (no filling): `.nf` ... `.fi`, under
/// `heading` when given.
fn examples(cmd: &Command, heading: Option<&str>) -> String {
    let Some(text) = cmd.get_after_help().map(|h| h.to_string()) else { return String::new() };
    let mut roff = Roff::new();
    if let Some(heading) = heading {
        roff.control("SH", [heading]);
    }
    roff.control("PP", []).control("nf", []);
    for line in text.lines().filter(|l| !(heading.is_some() && *l == "Examples:")) {
        roff.text([roman(line)]);
    }
    roff.control("fi", []);
    body(&roff)
}

fn body(roff: &Roff) -> String {
    let text = roff.render();
    text.strip_prefix(&Roff::new().render()).unwrap_or(&text).to_string()
}

/// Every argument of `cmd` and its subcommands.
fn every_arg(cmd: &Command) -> Vec<&Arg> {
    let mut out: Vec<&Arg> = cmd.get_arguments().collect();
    for sub in cmd.get_subcommands() {
        out.extend(every_arg(sub));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variable_slim_setup_reads_is_documented() {
        let page = page();
        let documented = |name: &str| page.contains(&format!("\\fB{name}\\fR"));
        for name in crate::host::env::READ {
            let named = ENVIRONMENT.iter().any(|(n, _)| n.split(", ").any(|n| n == *name));
            assert!(named, "{name} is read but not in ENVIRONMENT");
        }
        for arg in every_arg(&Cli::command()) {
            if let Some(var) = arg.get_env() {
                assert!(documented(&var.to_string_lossy()), "{var:?} (env of --{:?})", arg.get_long());
            }
        }
    }
}
