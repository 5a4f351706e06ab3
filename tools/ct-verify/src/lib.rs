//! ct-verify: proves CloudTrail log files were not changed, deleted or forged since CloudTrail
//! delivered them, with the digest files it signs.
#![forbid(unsafe_code)]

pub mod check;
pub mod digest;
pub mod keys;
#[cfg(feature = "aws")]
pub mod online;
pub mod read;
pub mod signature;

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use clap::Parser;
use ct_common::Error;
use ct_common::cli::{InputArgs, MessageArgs, ZoneArgs, after_help};
use ct_common::report::{Summary, plural};
use ct_common::time::{self, Time};
use ct_fetch::fetch::Limits;
use ct_fetch::source::Source;

use crate::check::{Context, Record, Status};

pub const NAME: &str = "ct-verify";

/// Prove CloudTrail log files were not changed, deleted or forged, with their digest files.
///
/// Every hour CloudTrail delivers a digest file for each region of a trail: the SHA-256 of each
/// log file it delivered in the hour, the previous digest's signature and SHA-256, signed with
/// an RSA key of CloudTrail's. ct-verify reads the digests delivered in the window [--start,
/// --end] (and the hour after it, which covers the window's last log files) from an S3 bucket,
/// or a mirror made with `ct-fetch --digests -o DIR`, and checks: each digest's signature with
/// CloudTrail's public key; that it names the place it was read from; the chain from each
/// digest to the previous one; each log file listed, present and of the SHA-256 listed; and
/// log files in the digests' hours that no digest lists.
///
/// It writes one JSON record per file checked (key, kind, status, reason) and a summary line;
/// `ct-show` prints them as a table.
#[derive(Parser, Debug)]
#[command(name = NAME, version, max_term_width = 100, after_long_help = after_help(MAN_SECTIONS))]
pub struct Cli {
    /// s3://BUCKET[/PREFIX], or a folder laid out like one (ct-fetch --digests -o DIR).
    #[arg(value_name = "SOURCE")]
    pub source: String,

    /// The start of the window: digests and log files delivered from then on (see TIMES).
    #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
    pub start: String,

    /// The end of the window (default: now; a date alone is the whole day).
    #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
    pub end: Option<String>,

    /// Only this account's files (repeatable; default: every account under AWSLogs/).
    #[arg(long, value_name = "ID")]
    pub account: Vec<String>,

    /// Only this organization's files, for an organization trail (repeatable).
    #[arg(long, value_name = "o-ID")]
    pub org_id: Vec<String>,

    /// Only this region's files (repeatable; default: every region folder).
    #[arg(long, value_name = "REGION")]
    pub region: Vec<String>,

    /// CloudTrail's public keys: the output of `aws cloudtrail list-public-keys` (either AWS
    /// CLI version) covering the window. Without it, they are asked of CloudTrail
    /// (ListPublicKeys, in the trail's home region).
    #[arg(long, value_name = "FILE")]
    pub public_keys: Option<PathBuf>,

    /// Requests at once.
    #[arg(short = 'j', long, value_name = "N", default_value_t = 16, value_parser = clap::value_parser!(u32).range(1..=256))]
    pub jobs: u32,

    /// Times to try a request again after throttling, a server error, a timeout or a cut-off
    /// transfer.
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub retries: u32,

    #[command(flatten)]
    pub aws: ct_fetch::reach::ReachArgs,

    #[command(flatten)]
    pub messages: MessageArgs,

    #[command(flatten, next_help_heading = "Time")]
    pub zone: ZoneArgs,
}

pub const MAN_SECTIONS: &[(&str, &str)] = &[
    ("TIMES", time::MAN_TIMES),
    (
        "RECORDS",
        "One JSON object per file checked, digests in the order of their chains, each followed by the log files it \
         lists:\n\n\
         {\"key\":\"AWSLogs/111122223333/CloudTrail/eu-west-1/2017/06/01/111122223333_CloudTrail_eu-west-1_20170601T0110Z_x.json.gz\",\"kind\":\"log\",\"status\":\"modified\",\"reason\":\"SHA-256 9f...; AWSLogs/... lists 0c...\"}\n\n\
         kind: digest or log. status: valid (the signature verifies, or the SHA-256 is the one a valid digest lists); \
         modified (the content is not what was signed: a log file's SHA-256 differs, a digest's SHA-256 is not the one \
         the next digest holds, or the file cannot be read as what it is); missing (a digest lists the file, or the \
         next digest names it, and it is not there); not listed (a log file delivered in the hours the digests cover \
         that none of them lists: added afterwards); moved (the digest names another bucket or key as its place); bad \
         signature (the signature does not verify, is from another key, or from a key outside its validity); \
         unverifiable (nothing can prove it either way: no signature, as for the newest digest of a mirror made \
         without its metadata, no public key with the digest's fingerprint, or a log file whose digest is not valid). \
         reason: why, for anything but valid.",
    ),
    (
        "SIGNATURES",
        "A digest's signature is S3 metadata of the digest object (x-amz-meta-signature), not part of the file. \
         Read from S3 it comes with the object; a mirror keeps it only where ct-fetch --digests -o wrote it beside the \
         digest, in the hidden file .NAME.meta.json (aws s3 sync loses it). A digest without it is still verified with \
         the signature the next digest holds (each digest carries the previous digest's signature inside what is \
         signed), so a mirror without metadata verifies all but the newest digest of each chain, which is \
         unverifiable. The signed string is the digest's end time, BUCKET/KEY as the digest names them, the hex \
         SHA-256 of the uncompressed digest file and the previous digest's signature (or null), separated by \
         newlines; the signature is RSA PKCS#1 v1.5 with SHA-256 (AWS CloudTrail User Guide, \"CloudTrail digest file \
         structure\"). The key is the one of CloudTrail's public keys whose fingerprint (the MD5 of its DER bytes) \
         the digest names, valid at the digest's end time.",
    ),
    (
        "EXIT STATUS",
        "0 when every file checked is valid; 1 when any is not (modified, missing, not listed, moved, bad signature or \
         unverifiable: what cannot be proven fails), or when the window holds no file at all; 2 on an error (a listing or a read that failed after its \
         retries, a usage error, no public keys). A closed standard output ends ct-verify quietly with status 0.",
    ),
    (
        "EXAMPLES",
        r#"ct-verify s3://cloudtrail-111122223333 --start -1d
ct-verify s3://cloudtrail-111122223333 --start 2017-06-01 --end 2017-06-02 \
    --region ap-southeast-2 | ct-show
ct-fetch s3://cloudtrail-111122223333 --start -7d --digests -o mirror/
aws cloudtrail list-public-keys --start-time 2017-05-01 > keys.json
ct-verify mirror/ --start 2017-06-01 --public-keys keys.json"#,
    ),
    ("SEE ALSO", "ct(7), ct-fetch(1), ct-show(1), aws(1)"),
];

/// Runs ct-verify; returns the exit status.
pub fn run(cli: &Cli) -> Result<u8, Error> {
    let now = Time::now().map_err(Error::Usage)?;
    let times = time::TimeReader::new(now, cli.zone.tz.clone());
    let start = times.start(&cli.start).map_err(|e| Error::Usage(format!("--start: {e}")))?;
    let end = match cli.end.as_deref() {
        Some(s) => times.end(s).map_err(|e| Error::Usage(format!("--end: {e}")))?,
        None => now,
    };
    if start > end {
        return Err(Error::Usage(format!("--start ({start}) is after --end ({end})")));
    }
    let offline_keys = match &cli.public_keys {
        Some(p) => {
            let bytes = std::fs::read(p).map_err(|e| Error::at(p, e))?;
            Some(keys::parse(&bytes).map_err(|e| Error::Msg(format!("{}: {e}", p.display())))?)
        }
        None => None,
    };
    let source = Source::parse(&cli.source)?;
    let reach = cli.aws.reach()?;
    let mut report = cli.messages.reporter(NAME, &InputArgs::default());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::io("cannot start the async runtime", e))?;
    let began = Instant::now();
    let (records, files) = runtime.block_on(async {
        let store = Arc::new(source.open(&reach).await?);
        let sel = read::Selection {
            orgs: &cli.org_id,
            accounts: &cli.account,
            regions: &cli.region,
            start: start.secs,
            end: end.secs,
        };
        let limits = Limits { jobs: cli.jobs as usize, retries: cli.retries };
        let got = read::read(Arc::clone(&store), &source, &sel, limits).await?;
        for (place, msg) in &got.errors {
            report.error(place, msg);
        }
        let keys = match offline_keys {
            Some(k) => k,
            None if got.chains.is_empty() => Vec::new(),
            #[cfg(not(feature = "aws"))]
            None => return Err(Error::Usage("this build has no AWS SDK: give --public-keys FILE".into())),
            #[cfg(feature = "aws")]
            None => {
                let homes = got.chains.values().flat_map(|(_, ds)| ds.iter().filter_map(|d| read::home_of(&d.key))).collect();
                let access = ct_fetch::sdk::Access {
                    profile: cli.aws.profile.clone(),
                    endpoint_url: cli.aws.endpoint("CLOUDTRAIL")?,
                    no_sign_request: false,
                };
                online::public_keys(&access, homes, start.secs - 86_400, end.secs + 2 * 3600).await.map_err(|e| {
                    Error::Msg(format!(
                        "cannot get CloudTrail's public keys ({e}); give --public-keys FILE, the output of aws cloudtrail \
                         list-public-keys --start-time {}",
                        start.to_iso()
                    ))
                })?
            }
        };
        let bucket = source.bucket().map(str::to_string);
        let ctx = Context { bucket: bucket.as_deref(), keys: &keys };
        let mut records = Vec::new();
        let empty = Default::default();
        let mut chained = std::collections::BTreeSet::new();
        for (folder, digests) in got.chains.into_values() {
            let logs = got.logs.get(&folder).unwrap_or(&empty);
            records.extend(check::chain(&ctx, digests, logs, start.secs));
            chained.insert(folder);
        }
        // A folder of log files with no digest in the window: nothing vouches for its files
        // (digests deleted, or validation off), and each delivered in the window says so.
        for (folder, logs) in &got.logs {
            if !chained.contains(folder) {
                records.extend(check::without_digests(logs, start.secs, end.secs));
            }
        }
        Ok::<_, Error>((records, (got.digest_files, got.log_files)))
    })?;
    let mut out = std::io::BufWriter::new(ct_common::output::raw_stdout());
    for r in &records {
        // Serialised first, so that a closed pipe is an io::Error (a quiet end), not JSON's.
        let mut line = serde_json::to_vec(r).map_err(|e| Error::Msg(e.to_string()))?;
        line.push(b'\n');
        out.write_all(&line)?;
    }
    out.flush()?;
    let s = summarize(&records, files, began.elapsed().as_secs_f64());
    report.summary(s.clone().errors(&report));
    if report.errors > 0 {
        return Ok(report.exit());
    }
    Ok(if records.iter().all(|r| r.status == Status::Valid) && !records.is_empty() { 0 } else { 1 })
}

/// `129 digest files (129 valid), 54 log files (53 valid, 1 modified) in 0.41 s`.
fn summarize(records: &[Record], files: (usize, usize), secs: f64) -> Summary {
    let part = |kind: &str| {
        let mine: Vec<&Record> = records.iter().filter(|r| r.kind == kind).collect();
        let mut counts: Vec<(String, u64)> = Vec::new();
        for r in &mine {
            let name =
                serde_json::to_value(r.status).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
            match counts.iter_mut().find(|(n, _)| *n == name) {
                Some(c) => c.1 += 1,
                None => counts.push((name, 1)),
            }
        }
        let detail = counts.iter().map(|(n, c)| format!("{c} {n}")).collect::<Vec<_>>().join(", ");
        let total = mine.len() as u64;
        if total == 0 {
            plural(0, &format!("{kind} file"), &format!("{kind} files"))
        } else {
            format!("{} ({detail})", plural(total, &format!("{kind} file"), &format!("{kind} files")))
        }
    };
    let mut s = Summary::new(part("digest"));
    s.part(part("log"));
    s.add(format!(" in {secs:.2} s ({} files read)", files.0 + files.1));
    s
}
