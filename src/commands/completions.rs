//! `slim-setup completions SHELL`: clap_complete's script for the shell.

use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::{Cli, CompletionsArgs};
use crate::error::Result;
use crate::ui::out::out;

pub(crate) fn run(args: &CompletionsArgs) -> Result<()> {
    out!("{}", script(args.shell))
}

pub(crate) fn script(shell: Shell) -> String {
    let mut cmd = Cli::command();
    // Into memory first: clap_complete panics when its writer fails.
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut cmd, "slim-setup", &mut script);
    let script = String::from_utf8_lossy(&script).into_owned();
    match shell {
        // clap_complete spells the state of a subcommand of a hyphenated
        // binary two ways (clap-rs/clap#6421): the word loop sets
        // `slim__setup__subcmd__env`, the case arm waits for
        // `slim__subcmd__setup__subcmd__env`, so no option after a
        // subcommand ever completed. Spell the arms as the loop does.
        Shell::Bash => script.replace("slim__subcmd__setup__subcmd__", "slim__setup__subcmd__"),
        _ => script,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bash_state_the_loop_sets_has_its_arm() {
        let bash = script(Shell::Bash);
        let set: Vec<&str> = bash
            .lines()
            .filter_map(|l| l.trim().strip_prefix("cmd=\"")?.strip_suffix('"'))
            .filter(|s| !s.is_empty())
            .collect();
        assert!(set.contains(&"slim__setup__subcmd__env"), "{set:?}");
        for state in set {
            assert!(bash.contains(&format!("        {state})")), "no case arm for {state}");
        }
    }
}
