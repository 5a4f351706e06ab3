#![forbid(unsafe_code)]
use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = ct_show::Cli::parse();
    ct_common::cli::main(ct_show::NAME, || ct_show::run(&cli))
}
