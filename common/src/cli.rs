//! Command-line pieces every tool shares: input arguments, output arguments, and `main`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use crate::error::{EXIT_ERROR, Error};

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
}

/// How records are written.
#[derive(Args, Debug, Clone, Default)]
pub struct OutputArgs {
    /// Flush after every record, for following a live stream (default: write in large blocks).
    #[arg(long)]
    pub line_buffered: bool,
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
