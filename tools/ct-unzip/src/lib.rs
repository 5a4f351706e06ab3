//! ct-unzip: any CloudTrail input in, one event per line out.
#![forbid(unsafe_code)]

use std::collections::HashSet;
use std::io;

use clap::Parser;
use ct_common::Error;
use ct_common::cli::{InputArgs, MessageArgs, OutputArgs, after_help};
use ct_common::input::{self, Flow, Lines, Sink};
use ct_common::output::Output;
use ct_common::report::{Reporter, Summary, plural};

pub const NAME: &str = "ct-unzip";

/// Turn any CloudTrail input into one event per line.
///
/// ct-unzip reads CloudTrail logs in any shape AWS or its tools write them and prints each
/// event as one line of compact JSON (NDJSON), exactly as AWS wrote it: same keys in the same
/// order, same values, same number text and escapes; only insignificant whitespace is removed.
/// Its output feeds ct-filter, ct-actions and ct-policy, or jq.
///
/// Inputs, recognised by their content, never by file name: S3 delivery files
/// ({"Records":[...]}), JSON arrays of events, single events, NDJSON, the output of `aws
/// cloudtrail lookup-events` (whole, or one entry per line), EventBridge envelopes, CloudWatch
/// Logs subscription payloads (also base64 "awslogs" as Lambda receives them), each plain or
/// gzip-compressed, with concatenated gzip members read as one stream. Digest files hold no
/// events and are skipped (with a note under -v); so are empty files and empty containers.
///
/// A bad input (truncated or corrupt gzip, invalid JSON, JSON that is not CloudTrail, a binary
/// file) is reported on stderr as `ct-unzip: PLACE: problem`, naming the file and the line or
/// record, and reading goes on: the events before the bad spot, and every other file, still
/// come out. A summary line ends the run.
///
/// Memory is bounded by the largest single input file (a .json.gz file is inflated whole, for
/// speed), not by the size of the whole input; standard input and plain NDJSON files are
/// streamed and need no more than their longest line. With -j N, up to about 2N+2 files are
/// held at once. --dedupe remembers every eventID it has seen (about 100 bytes per event).
#[derive(Parser, Debug)]
#[command(
    name = NAME, version, max_term_width = 100, after_long_help = after_help(MAN_SECTIONS),
    mut_arg("verbose", |a| a.help("Write notes on stderr: skipped digest files, empty inputs, CloudWatch control messages")),
)]
pub struct Cli {
    #[command(flatten)]
    pub input: InputArgs,

    /// Drop events whose eventID was already written (CloudTrail sometimes delivers an event
    /// twice). Events without an eventID are always written.
    #[arg(long)]
    pub dedupe: bool,

    #[command(flatten)]
    pub messages: MessageArgs,

    #[command(flatten)]
    pub output: OutputArgs,
}

/// Extra man page sections, rendered after OPTIONS by the man page generator.
pub const MAN_SECTIONS: &[(&str, &str)] = &[
    (
        "OUTPUT",
        "One event per line: the event object exactly as AWS wrote it, without insignificant whitespace. \
         Example line:\n\n\
         {\"eventVersion\":\"1.05\",\"userIdentity\":{\"type\":\"IAMUser\",\"userName\":\"alice\"},\"eventTime\":\"2017-06-01T09:12:44Z\",\"eventSource\":\"signin.amazonaws.com\",\"eventName\":\"ConsoleLogin\",\"awsRegion\":\"us-east-1\",\"eventID\":\"3e5c...\"}\n\n\
         Events come out in input order: inputs in the order given (directories in sorted path order), \
         events in the order they appear inside each input. The output is the same for every value of -j.",
    ),
    (
        "EXIT STATUS",
        "0 when every input was read. 2 when any input was bad or could not be read (the summary line comes first), \
         on a usage error, or when writing fails. A closed standard output ends ct-unzip quietly with status 0.",
    ),
    (
        "EXAMPLES",
        r#"ct-unzip logs/ > events.ndjson
ct-unzip --dedupe -j 1 logs/ | jq -c 'select(.eventName == "ConsoleLogin")'
aws cloudtrail lookup-events --max-items 500 | ct-unzip
cat *.json.gz | ct-unzip"#,
    ),
    ("SEE ALSO", "ct(7), ct-filter(1), ct-actions(1), ct-policy(1), jq(1)"),
];

/// Runs ct-unzip; returns the exit status.
pub fn run(cli: &Cli) -> Result<u8, Error> {
    let mut report = cli.messages.reporter(NAME, &cli.input);
    let mut sink = Unzip {
        out: Output::stdout(cli.output.line_buffered),
        seen: cli.dedupe.then(HashSet::new),
        written: 0,
        duplicates: 0,
    };
    let totals = input::run(&cli.input.paths, cli.input.jobs(), &mut sink, &mut report)?;
    sink.out.flush()?;
    let mut summary = Summary::new(plural(totals.files, "file", "files"));
    if totals.digests > 0 {
        summary.add(format_args!(" ({} skipped)", plural(totals.digests, "digest file", "digest files")));
    }
    summary.count(sink.written, "event", "events");
    if cli.dedupe {
        summary.part(format_args!("{} dropped", plural(sink.duplicates, "duplicate", "duplicates")));
    }
    summary.errors(&report);
    if totals.stopped && report.strict && report.errors > 0 {
        summary.add(" (stopped at the first, --strict)");
    }
    report.summary(&summary);
    Ok(report.exit())
}

/// Every event written out, once with --dedupe.
struct Unzip {
    out: Output,
    seen: Option<HashSet<Box<str>>>,
    written: u64,
    duplicates: u64,
}

impl Sink for Unzip {
    /// NDJSON too goes through the reader, which compacts each line.
    const LINES: Lines = Lines::Never;

    fn event(&mut self, json: &[u8], _: &mut Reporter) -> io::Result<Flow> {
        if let Some(seen) = &mut self.seen
            && let Some(id) = ct_common::event::top_level_str(json, "eventID")
        {
            if seen.contains(id.as_ref()) {
                self.duplicates += 1;
                return Ok(Flow::Continue);
            }
            seen.insert(id.into_owned().into_boxed_str());
        }
        self.out.record(json)?;
        self.written += 1;
        Ok(Flow::Continue)
    }
}
