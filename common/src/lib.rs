//! What every ct tool shares: the input reader (any CloudTrail input to compact events), the
//! NDJSON writer, messages and exit statuses, and the command-line pieces.
#![deny(clippy::undocumented_unsafe_blocks)]

pub mod cli;
pub mod error;
pub mod event;
pub mod fields;
pub mod glob;
pub mod input;
pub mod lines;
pub mod output;
pub mod report;
pub mod time;

pub use error::{EXIT_ERROR, EXIT_NEGATIVE, EXIT_OK, Error};
pub use input::{Flow, Sink, Visit};
