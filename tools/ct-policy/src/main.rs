#![forbid(unsafe_code)]
use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = ct_policy::Cli::parse();
    ct_common::cli::main(ct_policy::NAME, || ct_policy::run(&cli))
}
