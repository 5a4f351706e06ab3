//! ct-synth: deterministic generator of realistic CloudTrail log trees.
//!
//! `sample` writes the small story-driven bucket committed at `tests/data/bucket`; `tree`
//! writes the large benchmark tree described in bench/README.md ("The tree"); `roles` writes the policy-quality
//! scenario (days of three automation roles plus the judge's ground truth). All are
//! byte-identical for a given seed (and, for `tree`, any `--jobs`).
#![forbid(unsafe_code)]

mod catalog;
mod json;
mod layout;
mod record;
mod rng;
mod roles;
mod sample;
mod sha256;
mod sign;
mod time;
mod tree;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "ct-synth", version, about = "Generate realistic, deterministic CloudTrail log trees")]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Write the small sample bucket (a day in account 111122223333, June 2017)
    Sample {
        /// Output folder (the bucket root: AWSLogs/ goes inside)
        outdir: PathBuf,
        /// Random seed (the committed sample uses the default)
        #[arg(long, default_value_t = 2017)]
        seed: u64,
        /// Replace an existing OUTDIR/AWSLogs
        #[arg(long)]
        force: bool,
        /// RSA private key (PKCS#8 PEM, 2048 bits or more) that signs the digests [default: the
        /// TEST key tests/data/digest-key/private-key.pem, built in]
        #[arg(long, value_name = "FILE")]
        digest_key: Option<PathBuf>,
    },
    /// Write a large benchmark tree plus OUTDIR/manifest.json
    Tree {
        /// Output folder (the bucket root: AWSLogs/ and manifest.json go inside)
        outdir: PathBuf,
        /// Target uncompressed JSON size: bytes, or with a suffix K, M, G (powers of 1000) or
        /// Ki, Mi, Gi (powers of 1024)
        #[arg(long, default_value = "1G", value_parser = parse_size)]
        size: u64,
        /// Random seed
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Worker threads (default: available parallelism); output does not depend on it
        #[arg(long, short = 'j')]
        jobs: Option<usize>,
        /// First day, YYYY-MM-DD (UTC)
        #[arg(long, default_value = "2024-03-01", value_parser = time::parse_date)]
        start: i64,
        /// Number of days
        #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..=366))]
        days: u32,
        /// Account id of the trail
        #[arg(long, default_value = "719313497108", value_parser = parse_account)]
        account: String,
        /// Replace an existing OUTDIR/AWSLogs
        #[arg(long)]
        force: bool,
        /// RSA private key (PKCS#8 PEM, 2048 bits or more) that signs the digests [default: the
        /// TEST key tests/data/digest-key/private-key.pem, built in]
        #[arg(long, value_name = "FILE")]
        digest_key: Option<PathBuf>,
    },
    /// Write the policy-quality scenario: OUTDIR/days/day-N.ndjson and OUTDIR/judge.ndjson, and
    /// for the gate benchmark OUTDIR/attacks/ROLE.ndjson and the scenarios of OUTDIR/more/
    Roles {
        /// Output folder
        outdir: PathBuf,
        /// Random seed
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Number of days; the policy is learnt from all but the last, judged on the last
        #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u32).range(2..=28))]
        days: u32,
    },
}

/// `10M`, `1G`, `1.5G`, `512Ki`, `1000` → bytes.
fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let t = t.strip_suffix(['B', 'b']).unwrap_or(t);
    let split = t.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let mult: f64 = match unit {
        "" => 1.0,
        "k" | "K" => 1e3,
        "m" | "M" => 1e6,
        "g" | "G" => 1e9,
        "t" | "T" => 1e12,
        "Ki" | "ki" => 1024.0,
        "Mi" | "mi" => 1024.0 * 1024.0,
        "Gi" | "gi" => 1024.0 * 1024.0 * 1024.0,
        _ => return Err(format!("bad size {s:?}: use e.g. 10M, 200M, 1G")),
    };
    let n: f64 = num.parse().map_err(|_| format!("bad size {s:?}: use e.g. 10M, 200M, 1G"))?;
    let bytes = n * mult;
    if !(1.0..=1e15).contains(&bytes) {
        return Err(format!("size {s:?} out of range"));
    }
    Ok(bytes as u64)
}

fn parse_account(s: &str) -> Result<String, String> {
    if s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit()) {
        Ok(s.to_string())
    } else {
        Err(format!("account {s:?} must be 12 digits"))
    }
}

/// The digest signing key: `--digest-key FILE`, or the committed test key.
fn signer(file: Option<&Path>) -> Result<sign::Signer, String> {
    match file {
        None => Ok(sign::Signer::test_key()),
        Some(f) => std::fs::read_to_string(f)
            .map_err(|e| e.to_string())
            .and_then(|pem| sign::Signer::from_pem(&pem))
            .map_err(|e| format!("--digest-key {}: {e}", f.display())),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.cmd {
        Cmd::Sample { outdir, seed, force, digest_key } => {
            signer(digest_key.as_deref()).and_then(|key| sample::run(&outdir, seed, force, &key)).map(|s| {
                eprintln!(
                    "ct-synth sample: {} log files, {} digests, {} records, {} B gz",
                    s.files, s.digests, s.records, s.gz_bytes
                );
            })
        }
        Cmd::Tree { outdir, size, seed, jobs, start, days, account, force, digest_key } => {
            let jobs =
                jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get));
            signer(digest_key.as_deref()).and_then(|key| {
                tree::run(&tree::Opts { out: outdir, size, seed, jobs, start, days, account, force }, &key)
            })
        }
        Cmd::Roles { outdir, seed, days } => roles::run(&outdir, seed, days).map(|w| {
            eprintln!(
                "ct-synth roles: {} events in {days} days, {} legit and {} never judge lines, {} attack events",
                w.events, w.legit, w.never, w.attacks
            );
        }),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ct-synth: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("1G").unwrap(), 1_000_000_000);
        assert_eq!(parse_size("200M").unwrap(), 200_000_000);
        assert_eq!(parse_size("10MB").unwrap(), 10_000_000);
        assert_eq!(parse_size("1.5G").unwrap(), 1_500_000_000);
        assert_eq!(parse_size("2Ki").unwrap(), 2048);
        assert_eq!(parse_size("1234").unwrap(), 1234);
        assert!(parse_size("12X").is_err());
        assert!(parse_size("0").is_err());
    }

    #[test]
    fn cli_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
