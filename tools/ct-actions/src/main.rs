#![forbid(unsafe_code)]
use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = ct_actions::Cli::parse();
    ct_common::cli::main(ct_actions::NAME, || ct_actions::run(&cli))
}
