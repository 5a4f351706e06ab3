#![forbid(unsafe_code)]
use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = ct_fetch::Cli::parse();
    ct_common::cli::main(ct_fetch::NAME, || ct_fetch::run(&cli))
}
