#![forbid(unsafe_code)]
use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = ct_verify::Cli::parse();
    ct_common::cli::main(ct_verify::NAME, || ct_verify::run(&cli))
}
