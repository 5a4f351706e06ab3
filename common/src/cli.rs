//! Command-line pieces every tool shares: input, output and message arguments, the reporter
//! built from them, the text after `--help`, and `main`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use crate::error::{EXIT_ERROR, Error};
use crate::report::Reporter;
use crate::time::Zone;

/// Where events come from.
#[derive(Args, Debug, Clone, Default)]
pub struct InputArgs {
    /// Files or directories to read; directories are walked recursively in sorted order,
    /// leaving out hidden entries. `-` or no PATH reads standard input.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Read and split N files at once (default: the number of CPUs). The output is the same
    /// for every N.
    #[arg(short = 'j', long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=256))]
    pub jobs: Option<u32>,

    /// Stop at the first bad input (exit status 2) instead of reporting it and going on.
    #[arg(long)]
    pub strict: bool,
}

impl InputArgs {
    /// The number of reading threads to use.
    pub fn jobs(&self) -> usize {
        match self.jobs {
            Some(n) => n as usize,
            None => std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        }
    }

    /// The reporter of a tool reading these inputs: it stops the reading at the first bad
    /// input with `--strict`.
    pub fn reporter(&self, tool: &'static str) -> Reporter {
        let mut r = Reporter::new(tool);
        r.strict = self.strict;
        r
    }
}

/// How records are written.
#[derive(Args, Debug, Clone, Default)]
pub struct OutputArgs {
    /// Flush after every record, for following a live stream (default: write in large blocks).
    #[arg(long)]
    pub line_buffered: bool,
}

/// How much a tool says on stderr: `-v` and `-q`. Each tool words their help for what it
/// says (`#[command(mut_arg("verbose", ...))]`); errors are always reported.
#[derive(Args, Debug, Clone, Default)]
pub struct MessageArgs {
    /// Write notes on stderr.
    #[arg(short, long)]
    pub verbose: bool,

    /// Do not write the summary line (errors are still reported).
    #[arg(short, long)]
    pub quiet: bool,
}

impl MessageArgs {
    /// The reporter of a tool run with these flags on `input` (which says whether `--strict`).
    pub fn reporter(&self, tool: &'static str, input: &InputArgs) -> Reporter {
        let mut r = input.reporter(tool);
        r.verbose = self.verbose;
        r.quiet = self.quiet;
        r
    }
}

/// `-q` alone, for the commands that write no notes.
#[derive(Args, Debug, Clone, Default)]
pub struct QuietArgs {
    /// Do not write the summary line.
    #[arg(short, long)]
    pub quiet: bool,
}

impl QuietArgs {
    /// The reporter of a command run with this flag, on `input` when it reads events.
    pub fn reporter(&self, tool: &'static str, input: Option<&InputArgs>) -> Reporter {
        let mut r = input.map_or_else(|| Reporter::new(tool), |i| i.reporter(tool));
        r.quiet = self.quiet;
        r
    }
}

/// The zone of time arguments written without one: `--tz`, the same in every tool that takes
/// times.
#[derive(Args, Debug, Clone, Default)]
pub struct ZoneArgs {
    /// Read times written without an offset in ZONE: an IANA name (Australia/Melbourne), an
    /// abbreviation that stands for one offset (AEST: +10:00 all year), an offset (+10:00),
    /// UTC, or local (the system's zone: TZ, else /etc/localtime). See TIMES in the man page.
    #[arg(long, value_name = "ZONE", default_value = "UTC", value_parser = Zone::parse_arg, allow_hyphen_values = true)]
    pub tz: Zone,
}

/// The text after the options in `--help`: the "EXIT STATUS" and "EXAMPLES" sections of the
/// man page (a tool's `MAN_SECTIONS`), so that each is written once.
pub fn after_help(man_sections: &[(&str, &str)]) -> String {
    let mut out = String::new();
    for (title, body) in man_sections.iter().filter(|(t, _)| matches!(*t, "EXIT STATUS" | "EXAMPLES")) {
        if !out.is_empty() {
            out.push_str("\n\n");
        }
        // "EXIT STATUS" reads "Exit status:".
        let mut heading = title.to_lowercase();
        heading[..1].make_ascii_uppercase();
        out.push_str(&heading);
        out.push(':');
        for (i, para) in body.split("\n\n").enumerate() {
            if i > 0 {
                out.push('\n');
            }
            for line in para.lines() {
                out.push_str("\n  ");
                out.push_str(line);
            }
        }
    }
    out
}

/// Runs a tool's body and turns its result into the exit status: a closed stdout ends the
/// tool quietly with 0, any other error prints `TOOL: message` and exits 2.
pub fn main(tool: &'static str, body: impl FnOnce() -> Result<u8, Error>) -> ExitCode {
    match body() {
        Ok(code) => ExitCode::from(code),
        Err(e) if e.is_broken_pipe() => ExitCode::SUCCESS,
        Err(e) => {
            crate::report::Reporter::new(tool).fatal(&e);
            ExitCode::from(EXIT_ERROR)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn after_help_is_the_man_pages_exit_status_and_examples() {
        let sections = [
            ("OUTPUT", "not in help"),
            ("EXIT STATUS", "0 when it worked.\n\nA closed output: 0."),
            ("EXAMPLES", "ct-x a\nct-x b"),
            ("SEE ALSO", "ct(7)"),
        ];
        assert_eq!(
            after_help(&sections),
            "Exit status:\n  0 when it worked.\n\n  A closed output: 0.\n\nExamples:\n  ct-x a\n  ct-x b"
        );
    }
}
