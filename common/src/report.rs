//! Messages on stderr: `ct-TOOL: PLACE: what is wrong`, counted for the summary line.

use std::fmt;
use std::io::Write;

use crate::error::{EXIT_ERROR, EXIT_OK};
use crate::input::Flow;

/// Prints per-input errors and notes, and counts the errors.
///
/// A reporter made by [`Reporter::holding`] prints nothing: it keeps its errors and notes for
/// [`Reporter::replay`], so that a worker thread's messages come out later in input order.
pub struct Reporter {
    tool: &'static str,
    pub verbose: bool,
    pub quiet: bool,
    pub strict: bool,
    pub errors: u64,
    held: Option<Vec<Held>>,
}

/// A message a holding reporter kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Held {
    /// An error (counted when replayed), or else a note.
    pub error: bool,
    pub place: String,
    pub msg: String,
}

impl Reporter {
    pub fn new(tool: &'static str) -> Self {
        Reporter { tool, verbose: false, quiet: false, strict: false, errors: 0, held: None }
    }

    /// A reporter with the same settings that keeps its messages instead of printing them
    /// (for a worker thread); never strict, since what it keeps is only judged afterwards.
    pub fn holding(&self) -> Reporter {
        Reporter { strict: false, errors: 0, held: Some(Vec::new()), ..*self }
    }

    /// The messages kept so far, in the order they came; the reporter goes on keeping.
    pub fn take_held(&mut self) -> Vec<Held> {
        self.held.as_mut().map(std::mem::take).unwrap_or_default()
    }

    /// Reports kept messages as if they came now. Returns `Stop` when one of them is an
    /// error and this reporter is strict.
    pub fn replay(&mut self, held: impl IntoIterator<Item = Held>) -> Flow {
        let mut flow = Flow::Continue;
        for h in held {
            if h.error {
                if self.error(&h.place, &h.msg) == Flow::Stop {
                    flow = Flow::Stop;
                }
            } else {
                self.note(&h.place, &h.msg);
            }
        }
        flow
    }

    /// Reports a bad input; with `--strict` it asks the reader to stop.
    pub fn error(&mut self, place: &dyn fmt::Display, msg: &dyn fmt::Display) -> Flow {
        self.errors += 1;
        if let Some(held) = &mut self.held {
            held.push(Held { error: true, place: place.to_string(), msg: msg.to_string() });
            return Flow::Continue;
        }
        // A closed stderr must not turn into a second error; there is nowhere to say it.
        let _ = writeln!(std::io::stderr().lock(), "{}: {place}: {msg}", self.tool);
        if self.strict { Flow::Stop } else { Flow::Continue }
    }

    /// Reports something worth knowing, with `-v` only.
    pub fn note(&mut self, place: &dyn fmt::Display, msg: &dyn fmt::Display) {
        if !self.verbose {
            return;
        }
        if let Some(held) = &mut self.held {
            held.push(Held { error: false, place: place.to_string(), msg: msg.to_string() });
            return;
        }
        let _ = writeln!(std::io::stderr().lock(), "{}: {place}: note: {msg}", self.tool);
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

    /// The exit status of a run that would end with `ok`: an error status once any input was
    /// bad.
    pub fn status(&self, ok: u8) -> u8 {
        if self.errors > 0 { EXIT_ERROR } else { ok }
    }

    /// The exit status of a run that had nothing else to say: 0, or 2 after a bad input.
    pub fn exit(&self) -> u8 {
        self.status(EXIT_OK)
    }
}

/// "1 error", "3 errors": counts in summaries read as English.
pub fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A summary line put together part by part, the parts separated by commas:
/// `12 events, 3 actions (0 unknown), 1 error`.
#[derive(Debug, Default, Clone)]
pub struct Summary(String);

impl Summary {
    pub fn new(first: impl fmt::Display) -> Self {
        Summary(first.to_string())
    }

    /// A count as its own part: `, 3 files`.
    pub fn count(&mut self, n: u64, one: &str, many: &str) -> &mut Self {
        self.part(plural(n, one, many))
    }

    /// Any text as its own part: `, 2 merged`.
    pub fn part(&mut self, text: impl fmt::Display) -> &mut Self {
        use fmt::Write as _;
        let _ = write!(self.0, ", {text}");
        self
    }

    /// Text added to the last part, as it is: ` (2 skipped)`.
    pub fn add(&mut self, text: impl fmt::Display) -> &mut Self {
        use fmt::Write as _;
        let _ = write!(self.0, "{text}");
        self
    }

    /// The errors `report` counted, as the last part: `, 1 error`.
    pub fn errors(&mut self, report: &Reporter) -> &mut Self {
        self.count(report.errors, "error", "errors")
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_holding_reporter_keeps_messages_for_replay_in_order() {
        let mut main = Reporter::new("ct-test");
        main.verbose = true;
        main.strict = true;
        let mut worker = main.holding();
        assert!(!worker.strict);
        assert_eq!(worker.error(&"a: line 1", &"bad"), Flow::Continue);
        worker.note(&"a: line 2", &"noted");
        let held = worker.take_held();
        assert_eq!(held.len(), 2);
        assert!(worker.take_held().is_empty());
        assert_eq!((held[0].error, held[0].place.as_str(), held[1].msg.as_str()), (true, "a: line 1", "noted"));
        // Replayed, the error counts in the main reporter, and stops it under --strict.
        assert_eq!(main.replay(held), Flow::Stop);
        assert_eq!(main.errors, 1);
        assert_eq!(main.exit(), EXIT_ERROR);
    }

    #[test]
    fn notes_are_kept_only_when_they_would_be_printed() {
        let mut worker = Reporter::new("ct-test").holding();
        worker.note(&"x", &"quiet");
        assert!(worker.take_held().is_empty());
    }

    #[test]
    fn summaries_join_their_parts_with_commas() {
        let mut report = Reporter::new("ct-test");
        let mut s = Summary::new(plural(3, "file", "files"));
        s.add(" (1 skipped)").count(1, "event", "events").part("2 merged").errors(&report);
        assert_eq!(s.to_string(), "3 files (1 skipped), 1 event, 2 merged, 0 errors");
        report.errors = 2;
        assert_eq!(Summary::new("x").errors(&report).to_string(), "x, 2 errors");
    }
}
