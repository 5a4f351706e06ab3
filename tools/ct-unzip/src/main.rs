#![forbid(unsafe_code)]
use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = ct_unzip::Cli::parse();
    ct_common::cli::main(ct_unzip::NAME, || ct_unzip::run(&cli))
}
