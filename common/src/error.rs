//! The error type of the tools, and their exit statuses (0 done, 1 a test failed or nothing
//! matched, 2 an error; each tool's man page, EXIT STATUS).

use std::fmt;
use std::io;

/// Success.
pub const EXIT_OK: u8 = 0;
/// A negative answer that scripts test for (no match, a disallowed action).
pub const EXIT_NEGATIVE: u8 = 1;
/// An error: bad usage, unreadable or malformed input, I/O failure.
pub const EXIT_ERROR: u8 = 2;

/// An error that ends a tool. Per-input problems are not `Error`s: they are reported and
/// counted, and reading goes on.
#[derive(Debug)]
pub enum Error {
    /// Bad command-line usage.
    Usage(String),
    /// An I/O failure with what was being done.
    Io { context: String, source: io::Error },
    /// Anything else, already worded for the user.
    Msg(String),
}

impl Error {
    pub fn io(context: impl Into<String>, source: io::Error) -> Self {
        Error::Io { context: context.into(), source }
    }

    /// A closed stdout (`| head`): not an error for a filter.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, Error::Io { source, .. } if source.kind() == io::ErrorKind::BrokenPipe)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Usage(m) | Error::Msg(m) => f.write_str(m),
            Error::Io { context, source } => write!(f, "{context}: {}", io_text(source)),
        }
    }
}

impl std::error::Error for Error {}

impl Error {
    /// A failure to write or create `path`, ending the tool: `PATH: No space left on device`.
    pub fn at(path: &std::path::Path, source: io::Error) -> Self {
        Error::io(path.display().to_string(), source)
    }
}

impl From<io::Error> for Error {
    fn from(e: io::Error) -> Self {
        Error::io("standard output", e)
    }
}

/// What failed on an input, worded as the message after its place (`ct-TOOL: PLACE: cannot
/// open: Permission denied`): one wording for every tool and the common reader.
#[derive(Debug, Clone, Copy)]
pub enum Failed<'a> {
    /// The file could not be opened (or a path could not be looked at).
    Open(&'a io::Error),
    /// Reading failed part way, after the file was opened.
    Read(&'a io::Error),
    /// A file read whole, or a directory walked, could not be read.
    Unreadable(&'a io::Error),
}

impl fmt::Display for Failed<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failed::Open(e) => write!(f, "cannot open: {}", io_text(e)),
            Failed::Read(e) => write!(f, "read error: {}", io_text(e)),
            Failed::Unreadable(e) => write!(f, "cannot read: {}", io_text(e)),
        }
    }
}

/// An I/O error's text without the "(os error N)" suffix.
pub fn io_text(e: &io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_read_the_same_in_every_tool() {
        let e = io::Error::from_raw_os_error(2);
        assert_eq!(Failed::Open(&e).to_string(), "cannot open: No such file or directory");
        assert_eq!(Failed::Read(&e).to_string(), "read error: No such file or directory");
        assert_eq!(Failed::Unreadable(&e).to_string(), "cannot read: No such file or directory");
        let at = Error::at(std::path::Path::new("out/policy-1.json"), e);
        assert_eq!(at.to_string(), "out/policy-1.json: No such file or directory");
    }
}
