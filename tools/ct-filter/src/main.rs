#![forbid(unsafe_code)]
use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = ct_filter::Cli::parse();
    ct_common::cli::main(ct_filter::NAME, || ct_filter::run(&cli))
}
