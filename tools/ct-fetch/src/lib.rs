//! ct-fetch: exactly the CloudTrail log files of a time window, from S3 or a local mirror.
#![forbid(unsafe_code)]

pub mod fetch;
pub mod layout;
pub mod listing;
pub mod lookup;
mod man;
pub mod mirror;
pub mod plan;
pub mod reach;
#[cfg(feature = "s3")]
pub mod s3;
#[cfg(feature = "s3")]
pub mod sdk;
pub mod sidecar;
pub mod source;
pub mod store;
pub mod units;

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use clap::Parser;
use ct_common::Error;
use ct_common::cli::{InputArgs, MessageArgs, ZoneArgs, after_help};
use ct_common::output::Output;
use ct_common::report::{Reporter, Summary, plural};
use ct_common::time::{self, Time};
use serde::Serialize;

use crate::fetch::{Limits, Log, Outcome, Planned, Progress, human_bytes};
use crate::layout::Kind;
use crate::plan::Window;

pub use man::MAN_SECTIONS;
pub use reach::{endpoint, parse_endpoint};

pub const NAME: &str = "ct-fetch";

/// 2013-11-13T00:00:00Z, when CloudTrail was launched.
const CLOUDTRAIL_BEGAN: i64 = 1_384_300_800;

/// The longest --delivery-lag taken.
const MAX_LAG: i64 = 7 * 86_400;

/// How far back the first run of --since-last into an empty DIR starts without --start: a
/// day, so that a cron job's first run (whatever its hour) takes yesterday's events from the
/// same time on, as `--start -1d` would, and the runs after it go on from there.
pub const FIRST_RUN: i64 = 86_400;

/// Pull exactly the CloudTrail log files of a time window, from S3 or a local mirror, or the
/// events of the account's event history (--lookup).
///
/// ct-fetch finds the log files of a trail's bucket that can hold events of the window
/// [--start, --end] and fetches only those: it lists the accounts, organizations and regions
/// under AWSLogs/ with delimiter listings (or takes them from --account, --org-id, --region),
/// then only the UTC day folders the window touches, the first partial day included, and picks
/// files by the delivery time in their names. A file delivered at D holds events from before D;
/// an event is delivered up to --delivery-lag after it happened; so the files taken are those
/// delivered from the minute of --start (less 5 minutes for clock skew) to --end plus the lag. Events outside the window that
/// share a file come along: `ct-filter --start --end` trims them. Day folders are UTC days, whatever the zone of
/// --tz: a window is fetched by the UTC days it covers.
///
/// SOURCE is s3://BUCKET[/PREFIX] or a local folder laid out like a bucket (a copy made with
/// `aws s3 sync`, or ct-fetch -o). A SOURCE that goes on into AWSLogs/ (s3://b/AWSLogs/ACCOUNT/)
/// fixes the organization, account and region it names.
///
/// With -o DIR the files are mirrored under DIR by key; each is written under a hidden
/// temporary name and renamed only when whole and of the listed size, so an interrupted run
/// never leaves a partial file under a final name, and files already there with the right size
/// are not fetched again (a cron job is incremental). With --stdout the gzip files are written
/// in key order as one multi-member gzip stream for ct-unzip. With --list nothing is fetched:
/// one object record per file is written.
///
/// With --lookup there is no SOURCE: the events come from the account's event history (the
/// LookupEvents API, the last 90 days of management events) and are written one per line, as
/// ct-unzip writes them. See LOOKUP.
#[derive(Parser, Debug)]
#[command(
    name = NAME, version, max_term_width = 100, after_long_help = after_help(MAN_SECTIONS),
    mut_arg("verbose", |a| a.help(
        "Write notes on stderr (accounts named but absent, keys in day folders that are not trail file names, \
         and, as on a terminal, why a window has no files)"
    )),
)]
pub struct Cli {
    /// s3://BUCKET[/PREFIX] or a local folder laid out like a bucket.
    #[arg(value_name = "SOURCE", required_unless_present_any = ["lookup", "spec"])]
    pub source: Option<String>,

    /// Fetch nothing: write the window as about N independent work units, one JSON line each,
    /// to run on many machines with --spec (see UNITS).
    #[arg(long, value_name = "N", help_heading = "Work units", value_parser = clap::value_parser!(u32).range(1..=1_000_000),
          conflicts_with_all = ["output_dir", "stdout", "list", "dry_run", "since_last", "digests", "insights"])]
    pub plan: Option<u32>,

    /// Run the work units in FILE ('-': standard input), as --plan wrote them, and write their
    /// events, one per line: each event once, only those of its unit's window (see UNITS).
    #[arg(long, value_name = "FILE", help_heading = "Work units", conflicts_with_all = [
        "source", "start", "end", "account", "org_id", "region", "output_dir", "stdout", "list", "dry_run",
        "since_last", "digests", "insights", "max_bytes", "plan",
    ])]
    pub spec: Option<PathBuf>,

    /// The start of the window (see TIMES). Required, except with --since-last (see there) and
    /// --lookup (default: 90 days back, as far as event history goes).
    #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
    pub start: Option<String>,

    /// The end of the window (default: now; a date alone is the whole day).
    #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
    pub end: Option<String>,

    /// Only this account's files (repeatable; default: every account under AWSLogs/).
    #[arg(long, value_name = "ID")]
    pub account: Vec<String>,

    /// Only this organization's files, for an organization trail (repeatable; default: every
    /// organization and every account outside one).
    #[arg(long, value_name = "o-ID")]
    pub org_id: Vec<String>,

    /// Only this region's files (repeatable; default: every region folder). This is the
    /// trail's region folder, not the bucket's region (see --bucket-region). With --lookup,
    /// the regions whose event history is read (default: the profile's region).
    #[arg(long, value_name = "REGION")]
    pub region: Vec<String>,

    /// Mirror the files under DIR, keeping their keys as paths.
    #[arg(short = 'o', long = "output-dir", value_name = "DIR", conflicts_with_all = ["stdout", "list"])]
    pub output_dir: Option<PathBuf>,

    /// Write the gzip files to standard output in key order (a multi-member gzip stream).
    #[arg(long, conflicts_with = "list")]
    pub stdout: bool,

    /// Fetch nothing: write one object record per file (see OBJECT RECORDS).
    #[arg(long)]
    pub list: bool,

    /// Fetch nothing: print how many files and bytes would be fetched (with -o, what is not
    /// already in DIR); with --lookup, how many requests the window needs at least.
    #[arg(long, conflicts_with_all = ["stdout", "list"])]
    pub dry_run: bool,

    /// Go on from where the last run into DIR without errors ended, less --delivery-lag (for
    /// cron jobs; kept in DIR/.ct-fetch-since); needs -o. In a DIR with no such record, start
    /// at its newest delivery less the lag; in an empty DIR, at --start, or without it 24 hours
    /// before now (said on stderr).
    #[arg(long, requires = "output_dir")]
    pub since_last: bool,

    /// Also fetch the digest files (CloudTrail-Digest/) that cover the window's log files. With
    /// -o each digest comes with its signature sidecar .NAME.meta.json (its S3 metadata, where
    /// CloudTrail keeps the signature), so that the mirror stays verifiable by ct-verify.
    #[arg(long)]
    pub digests: bool,

    /// Also fetch the Insights files (CloudTrail-Insight/) of the window; with --lookup, read
    /// Insights events instead of management events.
    #[arg(long)]
    pub insights: bool,

    /// Refuse to fetch when the window holds more than SIZE bytes (before fetching anything).
    /// SIZE is a number with an optional unit: kB, MB, GB, TB (powers of 1000) or K, M, G, T,
    /// KiB, MiB, GiB, TiB (powers of 1024).
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub max_bytes: Option<u64>,

    /// How long after an event its file may be delivered: files delivered up to this long
    /// after --end are fetched too (30m, 2h, 0).
    #[arg(long, value_name = "DURATION", default_value = "1h", value_parser = parse_lag, allow_hyphen_values = true)]
    pub delivery_lag: i64,

    /// Requests at once.
    #[arg(short = 'j', long, value_name = "N", default_value_t = 16, value_parser = clap::value_parser!(u32).range(1..=256))]
    pub jobs: u32,

    /// Times to try a request again after throttling (503 SlowDown), a server error, a timeout
    /// or a transfer cut off, with a growing pause (about 100 ms, doubling up to 5 s, with
    /// random jitter). With --lookup see LOOKUP: after throttling, 1 s doubling up to 16 s.
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub retries: u32,

    #[command(flatten)]
    pub aws: reach::ReachArgs,

    /// Read the account's event history (the LookupEvents API: the last 90 days of management
    /// events) instead of a trail's files, and write its events, one per line, each region's
    /// oldest first. See LOOKUP.
    #[arg(long, help_heading = "Event history", conflicts_with_all = [
        "source", "output_dir", "stdout", "list", "since_last", "digests", "account", "org_id",
        "max_bytes", "bucket_region", "path_style", "no_sign_request",
    ])]
    pub lookup: bool,

    /// Stop after N events (the newest N: the API returns the newest first), with a note.
    #[arg(long, value_name = "N", requires = "lookup", help_heading = "Event history")]
    pub max_events: Option<u64>,

    #[command(flatten)]
    pub attributes: ct_filter::LookupArgs,

    #[command(flatten)]
    pub messages: MessageArgs,

    // Last, so that the heading it sets is not inherited by the arguments after it.
    #[command(flatten, next_help_heading = "Time")]
    pub zone: ZoneArgs,
}

fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = (&t[..split], t[split..].trim());
    let n: u64 = num.parse().map_err(|_| format!("not a size: {s:?} (a number and an optional unit: 500MB, 2GiB)"))?;
    let mult: u64 = match unit {
        "" | "B" => 1,
        "kB" | "KB" => 1000,
        "MB" => 1000u64.pow(2),
        "GB" => 1000u64.pow(3),
        "TB" => 1000u64.pow(4),
        "K" | "k" | "KiB" => 1 << 10,
        "M" | "MiB" => 1 << 20,
        "G" | "GiB" => 1 << 30,
        "T" | "TiB" => 1 << 40,
        _ => return Err(format!("unknown unit {unit:?} in {s:?} (kB, MB, GB, TB, K, M, G, T, KiB, MiB, GiB, TiB)")),
    };
    n.checked_mul(mult).ok_or_else(|| format!("size too large: {s:?}"))
}

impl Cli {
    /// How to reach the bucket of SOURCE.
    pub fn reach(&self) -> Result<source::Reach, Error> {
        self.aws.reach()
    }

    /// The endpoint of a service (`S3`, `CLOUDTRAIL`); see `ReachArgs::endpoint`.
    pub fn endpoint(&self, service: &str) -> Result<Option<String>, Error> {
        self.aws.endpoint(service)
    }
}

fn parse_lag(s: &str) -> Result<i64, String> {
    time::parse_duration(s).map_err(|e| e.to_string())
}

/// One file, as --list writes it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ObjectRecord<'a> {
    key: &'a str,
    size: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    etag: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_modified: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    org: Option<&'a str>,
    account: &'a str,
    region: &'a str,
    delivered: String,
    kind: &'static str,
}

enum Mode {
    Plan,
    Dir(PathBuf),
    Stdout,
    List,
    DryRun(Option<PathBuf>),
}

/// Runs ct-fetch; returns the exit status.
pub fn run(cli: &Cli) -> Result<u8, Error> {
    if cli.lookup {
        #[cfg(feature = "s3")]
        return lookup::run(cli);
        #[cfg(not(feature = "s3"))]
        return Err(Error::Usage("--lookup needs the AWS SDK: build ct-fetch with its s3 feature".into()));
    }
    if let Some(path) = &cli.spec {
        return units::run_spec(cli, path);
    }
    if cli.attributes.any() {
        return Err(Error::Usage(
            "--event-name, --user and the other lookup attributes go with --lookup; to select events of a trail's \
             files, pipe them through ct-unzip | ct-filter"
                .into(),
        ));
    }
    let mode = match (&cli.output_dir, cli.stdout, cli.list, cli.dry_run) {
        _ if cli.plan.is_some() => Mode::Plan,
        (dir, _, _, true) => Mode::DryRun(dir.clone()),
        (_, _, true, _) => Mode::List,
        (_, true, _, _) => Mode::Stdout,
        (Some(dir), _, _, _) => Mode::Dir(dir.clone()),
        _ => {
            return Err(Error::Usage("say what to do with the files: -o DIR, --stdout, --list or --dry-run".into()));
        }
    };
    let Some(source) = cli.source.as_deref() else {
        return Err(Error::Usage("give SOURCE (s3://BUCKET or a folder), or --lookup".into()));
    };
    let source = source::Source::parse(source)?;
    let now = Time::now().map_err(Error::Usage)?;
    let times = time::TimeReader::new(now, cli.zone.tz.clone());
    let mut start =
        cli.start.as_deref().map(|s| times.start(s)).transpose().map_err(|e| Error::Usage(format!("--start: {e}")))?;
    let end = match cli.end.as_deref() {
        Some(s) => times.end(s).map_err(|e| Error::Usage(format!("--end: {e}")))?,
        None => now,
    };
    // ct-fetch reads no events: no input arguments, so never --strict.
    let mut report = cli.messages.reporter(NAME, &InputArgs::default());
    if cli.since_last
        && let Some(dir) = &cli.output_dir
    {
        // Where the last run without errors said to go on; in a DIR filled otherwise, the
        // newest delivery there (never one from the future), less the lag.
        let since = match mirror::read_since(dir).map_err(|e| Error::at(dir, e))? {
            Some(t) => Some(t),
            None => mirror::newest_delivery(dir)
                .map_err(|e| Error::at(dir, e))?
                .map(|t| t.min(now.secs).saturating_sub(cli.delivery_lag)),
        };
        match since {
            Some(t) => start = Some(Time::from_secs(t)),
            None if start.is_none() => {
                // A first run: a day back, said always (it happens once, and chose for the user).
                let t = Time::from_secs(now.secs.saturating_sub(FIRST_RUN));
                let _ = writeln!(
                    std::io::stderr().lock(),
                    "{NAME}: no earlier run recorded in {}: starting at {}, 24 hours ago (--start chooses another)",
                    mirror::shown(&dir.display().to_string()),
                    t.to_iso()
                );
                start = Some(t);
            }
            None => report.note(&dir.display(), &"no log files yet; starting at --start"),
        }
    }
    let Some(start) = start else {
        return Err(Error::Usage("give --start (or --since-last with -o DIR)".into()));
    };
    if start > end {
        return Err(Error::Usage(format!("--start ({start}) is after --end ({end})")));
    }
    // Nothing was delivered before CloudTrail existed or after now: a window beyond either
    // would only list empty day folders, possibly millions of them.
    if start.secs < CLOUDTRAIL_BEGAN {
        return Err(Error::Usage(format!("--start ({start}) is before CloudTrail existed (2013-11-13)")));
    }
    let end = end.min(now);
    if cli.delivery_lag > MAX_LAG {
        return Err(Error::Usage("--delivery-lag: at most 7 days".into()));
    }
    for a in &cli.account {
        if !layout::is_account(a) {
            return Err(Error::Usage(format!("--account: {a:?} is not a 12-digit account id")));
        }
    }
    for o in &cli.org_id {
        if !layout::is_org_id(o) {
            return Err(Error::Usage(format!(
                "--org-id: {o:?} is not an organization id (o- and 10 to 32 letters or digits)"
            )));
        }
    }
    for r in &cli.region {
        if !layout::is_region(r) {
            return Err(Error::Usage(format!("--region: {r:?} is not a region name")));
        }
    }
    let mut kinds = vec![Kind::Log];
    if cli.digests {
        kinds.push(Kind::Digest);
    }
    if cli.insights {
        kinds.push(Kind::Insight);
    }
    let scope = source.scope(
        &cli.org_id,
        &cli.account,
        &cli.region,
        kinds,
        Window { start: start.secs, end: end.secs, lag: cli.delivery_lag },
    )?;
    let limits = Limits { jobs: cli.jobs as usize, retries: cli.retries };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::io("cannot start the async runtime", e))?;
    runtime.block_on(async {
        let store = Arc::new(source.open(&cli.reach()?).await?);
        let began = Instant::now();
        let mut log = Log::default();
        let files = fetch::plan(&store, &scope, limits, &mut log).await;
        for (place, msg) in &log.notes {
            report.note(place, msg);
        }
        for (place, msg) in &log.errors {
            report.error(place, msg);
        }
        // Why nothing is there, for people (a terminal, or -v): scripts see no more than before.
        if files.is_empty() && log.errors.is_empty() && (cli.messages.verbose || std::io::stderr().is_terminal()) {
            let why = fetch::why_empty(&store, &scope, limits).await;
            report.tell(&store.place(&format!("{}AWSLogs/", scope.base)), &why);
        }
        let outcome = match &mode {
            Mode::Plan => {
                let what = units::write_plan(
                    cli.source.as_deref().unwrap_or_default(),
                    &files,
                    cli.plan.unwrap_or(1),
                    scope.window,
                )?;
                return Ok(finish(&mut report, Outcome::default(), began, &what));
            }
            Mode::List => list(&files)?,
            Mode::DryRun(dir) => {
                dry_run(&files, dir.as_deref())?;
                return Ok(finish(
                    &mut report,
                    Outcome::default(),
                    began,
                    &format!("{} planned", plural(files.len() as u64, "file", "files")),
                ));
            }
            Mode::Dir(dir) => {
                let todo = to_fetch(&files, Some(dir));
                check_max(cli.max_bytes, &todo)?;
                let progress = Arc::new(Progress::default());
                let bar = progress_bar(&progress, &todo);
                let o = fetch::to_dir(&store, &files, dir, limits, &progress).await;
                end_progress(bar);
                o
            }
            Mode::Stdout => {
                let todo = to_fetch(&files, None);
                check_max(cli.max_bytes, &todo)?;
                ct_common::output::grow_pipe(1);
                let progress = Arc::new(Progress::default());
                let bar = progress_bar(&progress, &todo);
                let mut out = ct_common::output::raw_stdout();
                let (o, failed) = fetch::to_stream(&store, &files, &mut out, limits, &progress).await;
                end_progress(bar);
                if let Some(e) = failed {
                    // What failed before the write is still told (a closed pipe ends quietly).
                    if e.kind() != std::io::ErrorKind::BrokenPipe {
                        for (place, msg) in &o.errors {
                            report.error(place, msg);
                        }
                    }
                    return Err(Error::from(e));
                }
                o
            }
        };
        if let Mode::Dir(dir) = &mode
            && cli.since_last
            && report.errors == 0
            && outcome.errors.is_empty()
        {
            // The next run goes on from here, less the lag (files named a little before
            // they were written).
            let next = end.secs.saturating_sub(cli.delivery_lag).max(start.secs);
            mirror::write_since(dir, next).map_err(|e| Error::at(dir, e))?;
        }
        let verb = match mode {
            Mode::List => "listed",
            Mode::Stdout => "written",
            _ => "fetched",
        };
        let what = format!("{} ({}) {verb}", plural(outcome.files, "file", "files"), human_bytes(outcome.bytes));
        Ok(finish(&mut report, outcome, began, &what))
    })
}

/// A progress line on stderr when it is a terminal.
fn progress_bar(progress: &Arc<Progress>, todo: &[&Planned]) -> Option<tokio::task::JoinHandle<()>> {
    std::io::stderr().is_terminal().then(|| {
        let bytes = todo.iter().map(|p| p.object.size).sum();
        fetch::progress_line(progress, todo.len() as u64, bytes)
    })
}

/// Ends the progress line and clears it.
fn end_progress(bar: Option<tokio::task::JoinHandle<()>>) {
    if let Some(b) = bar {
        b.abort();
        eprint!("\r\x1b[K");
    }
}

/// The files still to fetch: those not already in DIR with the listed size (all without DIR).
fn to_fetch<'a>(files: &'a [Planned], dir: Option<&std::path::Path>) -> Vec<&'a Planned> {
    files
        .iter()
        .filter(|p| {
            dir.is_none_or(|d| {
                !mirror::path_of(d, &p.object.key).is_ok_and(|path| mirror::present(&path, p.object.size))
            })
        })
        .collect()
}

fn check_max(max: Option<u64>, todo: &[&Planned]) -> Result<(), Error> {
    let bytes: u64 = todo.iter().map(|p| p.object.size).sum();
    match max {
        Some(limit) if bytes > limit => Err(Error::Msg(format!(
            "the window holds {} in {}, above --max-bytes {}; narrow the window or raise the limit (nothing was fetched)",
            human_bytes(bytes),
            plural(todo.len() as u64, "file", "files"),
            human_bytes(limit)
        ))),
        _ => Ok(()),
    }
}

fn list(files: &[Planned]) -> Result<Outcome, Error> {
    let mut out = Output::stdout(false);
    let mut outcome = Outcome::default();
    for p in files {
        let rec = ObjectRecord {
            key: &p.object.key,
            size: p.object.size,
            etag: p.object.etag.as_deref(),
            last_modified: p.object.last_modified.as_deref(),
            org: p.org.as_deref(),
            account: &p.account,
            region: &p.region,
            delivered: Time::from_secs(p.delivered).to_iso(),
            kind: p.kind.name(),
        };
        out.record(&serde_json::to_vec(&rec).map_err(|e| Error::Msg(e.to_string()))?)?;
        outcome.files += 1;
        outcome.bytes += p.object.size;
    }
    out.flush()?;
    Ok(outcome)
}

fn dry_run(files: &[Planned], dir: Option<&std::path::Path>) -> Result<(), Error> {
    let todo = to_fetch(files, dir);
    let bytes: u64 = todo.iter().map(|p| p.object.size).sum();
    let mut line =
        format!("{} ({bytes} bytes, {}) to fetch", plural(todo.len() as u64, "file", "files"), human_bytes(bytes));
    if dir.is_some() {
        line += &format!(", {} already present", plural((files.len() - todo.len()) as u64, "file", "files"));
    }
    let mut out = Output::stdout(false);
    out.record(line.as_bytes())?;
    out.flush()?;
    Ok(())
}

fn finish(report: &mut Reporter, outcome: Outcome, began: Instant, what: &str) -> u8 {
    for (place, msg) in &outcome.errors {
        report.error(place, msg);
    }
    let mut summary = summary(&outcome, began.elapsed().as_secs_f64(), what);
    report.summary(summary.errors(report));
    report.exit()
}

/// The summary line up to its error count: `WHAT, N files already present in S s (RATES)`.
fn summary(outcome: &Outcome, secs: f64, what: &str) -> Summary {
    let mut summary = Summary::new(what);
    if outcome.present > 0 {
        summary.part(format_args!("{} already present", plural(outcome.present, "file", "files")));
    }
    if outcome.sidecars > 0 {
        summary.part(format_args!("{} restored", plural(outcome.sidecars, "signature sidecar", "signature sidecars")));
    }
    if outcome.files > 0 && secs > 0.0 {
        summary.add(format_args!(
            " in {secs:.2} s ({:.0} files/s, {}/s)",
            outcome.files as f64 / secs,
            human_bytes((outcome.bytes as f64 / secs) as u64)
        ));
    }
    summary
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn help_shares_the_message_flags_and_ends_with_the_man_pages_sections() {
        let cmd = Cli::command();
        let help = |id: &str| {
            let arg = cmd.get_arguments().find(|a| a.get_id() == id).unwrap();
            (arg.get_short(), arg.get_help().unwrap().to_string())
        };
        assert_eq!(
            help("verbose"),
            (
                Some('v'),
                "Write notes on stderr (accounts named but absent, keys in day folders that are not trail file names, \
                 and, as on a terminal, why a window has no files)"
                    .into()
            )
        );
        assert_eq!(help("quiet"), (Some('q'), "Do not write the summary line (errors are still reported)".into()));
        let after = cmd.get_after_long_help().unwrap().to_string();
        assert_eq!(after, after_help(MAN_SECTIONS));
        assert!(after.starts_with("Exit status:\n  0 when every file of the window was fetched"), "{after}");
        assert!(after.contains("\n\nExamples:\n  ct-fetch s3://trail-bucket"), "{after}");
    }

    #[test]
    fn the_summary_names_what_was_done_the_files_present_the_rate_and_the_errors() {
        let mut report = Reporter::new(NAME);
        let outcome = Outcome { files: 2, bytes: 2_000, present: 3, ..Outcome::default() };
        assert_eq!(
            summary(&outcome, 2.0, "2 files (2.0 kB) fetched").errors(&report).to_string(),
            "2 files (2.0 kB) fetched, 3 files already present in 2.00 s (1 files/s, 1.0 kB/s), 0 errors"
        );
        report.errors = 1;
        let nothing = Outcome::default();
        assert_eq!(summary(&nothing, 0.5, "0 files planned").errors(&report).to_string(), "0 files planned, 1 error");
    }
}
