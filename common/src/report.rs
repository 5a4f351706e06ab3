//! Messages on stderr: `ct-TOOL: PLACE: what is wrong`, counted for the summary line.

use std::fmt;
use std::io::Write;

use crate::input::Flow;

/// Prints per-input errors and notes, and counts the errors.
pub struct Reporter {
    tool: &'static str,
    pub verbose: bool,
    pub quiet: bool,
    pub strict: bool,
    pub errors: u64,
}

impl Reporter {
    pub fn new(tool: &'static str) -> Self {
        Reporter { tool, verbose: false, quiet: false, strict: false, errors: 0 }
    }

    /// Reports a bad input; with `--strict` it asks the reader to stop.
    pub fn error(&mut self, place: &dyn fmt::Display, msg: &dyn fmt::Display) -> Flow {
        self.errors += 1;
        // A closed stderr must not turn into a second error; there is nowhere to say it.
        let _ = writeln!(std::io::stderr().lock(), "{}: {place}: {msg}", self.tool);
        if self.strict { Flow::Stop } else { Flow::Continue }
    }

    /// Reports something worth knowing, with `-v` only.
    pub fn note(&mut self, place: &dyn fmt::Display, msg: &dyn fmt::Display) {
        if self.verbose {
            let _ = writeln!(std::io::stderr().lock(), "{}: {place}: note: {msg}", self.tool);
        }
    }

    /// Reports something the user must act on that is not an error of the input (a grant the
    /// evidence could not narrow): always printed, never counted.
    pub fn warn(&self, place: &dyn fmt::Display, msg: &dyn fmt::Display) {
        let _ = writeln!(std::io::stderr().lock(), "{}: {place}: warning: {msg}", self.tool);
    }

    /// Prints a line that the user asked for (`--explain`), as `ct-TOOL: PLACE: message`.
    pub fn tell(&self, place: &dyn fmt::Display, msg: &dyn fmt::Display) {
        let _ = writeln!(std::io::stderr().lock(), "{}: {place}: {msg}", self.tool);
    }

    /// The one-line summary at the end, unless `-q`.
    pub fn summary(&self, text: &dyn fmt::Display) {
        if !self.quiet {
            let _ = writeln!(std::io::stderr().lock(), "{}: {text}", self.tool);
        }
    }

    /// A fatal error, printed as `ct-TOOL: message`.
    pub fn fatal(&self, msg: &dyn fmt::Display) {
        let _ = writeln!(std::io::stderr().lock(), "{}: {msg}", self.tool);
    }
}

/// "1 error", "3 errors": counts in summaries read as English.
pub fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
