//! The error type of the tools, and the exit statuses of design.md §3.

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

impl From<io::Error> for Error {
    fn from(e: io::Error) -> Self {
        Error::io("standard output", e)
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
