//! Work units, for running a window on many machines: `--plan N` cuts it into about N units,
//! `--spec` runs units and writes their events.
//!
//! A unit is one account's and region's events of an event-time window [start, end]. The
//! units of a plan cut each account's and region's window at minutes, so their events are
//! disjoint and together they are the window's. A unit fetches every file that can hold its
//! events (delivered from its start, less the early margin, to its end plus the delivery
//! lag), so neighbouring units share a few files; each keeps only the events of its own
//! window. Two deliveries of one event carry the same eventTime, so they fall in the same unit,
//! and removing duplicates per unit removes them all: the units' events, together, are exactly
//! those of `ct-fetch --stdout | ct-unzip --dedupe | ct-filter --start --end` on the window.
//!
//! An event delivered later than the lag after its unit's end (CloudTrail delivers most in
//! minutes, a few much later) is in a file its unit does not fetch. It is not lost: the unit
//! whose window holds the file's delivery time less the lag fetches that file, and keeps the
//! event as a late one (`late_from`: the plan's start, before which nothing is kept), so the
//! whole still equals the single run, which fetches up to the window's end plus the lag. Only
//! an event delivered both on time and again that late could come out twice.

use std::collections::{BTreeMap, HashSet};
use std::io::{self, Write};
use std::sync::Arc;

use ct_common::input::gzip::{Inflater, is_gzip};
use ct_common::report::Reporter;
use ct_common::time::{Time, parse_event_time};
use ct_common::{Flow, Sink};
use serde::{Deserialize, Serialize};

use crate::fetch::{Planned, Progress};
use crate::layout::Kind;
use crate::plan::Window;

/// One unit, as `--plan` writes it and `--spec` reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unit {
    /// SOURCE as given to --plan: s3://BUCKET[/PREFIX] or a folder.
    pub source: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org: Option<String>,
    pub account: String,
    pub region: String,
    /// The event-time window, both ends inclusive, ISO 8601 UTC.
    pub start: String,
    pub end: String,
    /// --delivery-lag, in seconds.
    pub lag: i64,
    /// For a unit after the first of its account and region: the plan's start. Events from
    /// then until this unit's start, in its files delivered more than the lag after its start,
    /// came too late for their own unit and are kept here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub late_from: Option<String>,
    /// What the listing said the unit fetches: files and bytes (gzip).
    pub files: u64,
    pub bytes: u64,
}

impl Unit {
    pub fn window(&self) -> Result<Window, String> {
        Ok(Window { start: secs(&self.start, "start")?, end: secs(&self.end, "end")?, lag: self.lag })
    }

    /// The start of the late events this unit keeps, if any.
    pub fn late_from(&self) -> Result<Option<i64>, String> {
        self.late_from.as_deref().map(|s| secs(s, "late_from")).transpose()
    }
}

fn secs(s: &str, what: &str) -> Result<i64, String> {
    parse_event_time(s).map(|t| t.secs).ok_or(format!("{what} {s:?} is not a time"))
}

/// Cuts the files of a window into about `n` units, balanced by bytes: each account's and
/// region's files, in delivery order, are cut at the minute of the file that brings a unit
/// to its share of the whole (at least one unit per account and region).
pub fn cut(source: &str, files: &[Planned], n: u32, window: Window) -> Vec<Unit> {
    let total: u64 = files.iter().filter(|f| f.kind == Kind::Log).map(|f| f.object.size).sum();
    let share = (total / u64::from(n.max(1))).max(1);
    let mut streams: BTreeMap<(Option<&str>, &str, &str), Vec<&Planned>> = BTreeMap::new();
    for f in files.iter().filter(|f| f.kind == Kind::Log) {
        streams.entry((f.org.as_deref(), &f.account, &f.region)).or_default().push(f);
    }
    let mut out = Vec::new();
    for ((org, account, region), mut stream) in streams {
        stream.sort_by_key(|f| (f.delivered, &f.object.key));
        let mut cuts = vec![window.start];
        let mut so_far = 0u64;
        for f in &stream {
            let minute = f.delivered - f.delivered.rem_euclid(60);
            if so_far >= share && minute > *cuts.last().expect("a first cut") && minute <= window.end {
                cuts.push(minute);
                so_far = 0;
            }
            so_far += f.object.size;
        }
        for (i, &start) in cuts.iter().enumerate() {
            let end = cuts.get(i + 1).map_or(window.end, |next| next - 1);
            let w = Window { start, end, lag: window.lag };
            let mine = stream.iter().filter(|f| f.delivered >= w.first() && f.delivered <= w.last(Kind::Log));
            let (files, bytes) = mine.fold((0, 0), |(n, b), f| (n + 1, b + f.object.size));
            out.push(Unit {
                source: source.to_string(),
                org: org.map(str::to_string),
                account: account.to_string(),
                region: region.to_string(),
                start: Time::from_secs(start).to_iso(),
                end: Time::from_secs(end).to_iso(),
                lag: window.lag,
                late_from: (i > 0).then(|| Time::from_secs(window.start).to_iso()),
                files,
                bytes,
            });
        }
    }
    out
}

/// `--plan N`: writes the units, one JSON line each; returns the summary's first part
/// (`12 units planned, 4.1 MB of 130 files fetched in all (the largest ..., 1.4 times the mean)`).
pub fn write_plan(source: &str, files: &[Planned], n: u32, window: Window) -> Result<String, ct_common::Error> {
    use ct_common::report::plural;
    let units = cut(source, files, n, window);
    let mut out = io::BufWriter::new(ct_common::output::raw_stdout());
    for u in &units {
        let mut line = serde_json::to_vec(u).map_err(|e| ct_common::Error::Msg(e.to_string()))?;
        line.push(b'\n');
        out.write_all(&line)?;
    }
    out.flush()?;
    let bytes: u64 = units.iter().map(|u| u.bytes).sum();
    let largest = units.iter().map(|u| u.bytes).max().unwrap_or(0);
    let mean = bytes as f64 / units.len().max(1) as f64;
    Ok(format!(
        "{} planned, {} of {} fetched in all (the largest {}, {:.2} times the mean)",
        plural(units.len() as u64, "unit", "units"),
        crate::fetch::human_bytes(bytes),
        plural(units.iter().map(|u| u.files).sum(), "file", "files"),
        crate::fetch::human_bytes(largest),
        largest as f64 / mean.max(1.0),
    ))
}

/// What the units gave.
#[derive(Debug, Default)]
pub struct Counts {
    pub events: u64,
    pub duplicates: u64,
    /// Events of the files fetched that belong to a neighbouring unit (or outside the window).
    pub outside: u64,
    /// Events kept for an earlier unit, which could not see them (delivered too late).
    pub late: u64,
}

/// The events of one unit, from its files in key order: each event of its window once.
pub struct UnitSink<'a> {
    pub start: i64,
    pub end: i64,
    pub lag: i64,
    pub late_from: Option<i64>,
    /// The delivery time of the file being read.
    pub delivered: i64,
    pub seen: HashSet<Box<str>>,
    pub out: &'a mut dyn Write,
    pub counts: &'a mut Counts,
}

impl Sink for UnitSink<'_> {
    fn event(&mut self, json: &[u8], _: &mut Reporter) -> io::Result<Flow> {
        // ct-filter --start/--end: an event without a readable eventTime is in no window.
        let t = ct_common::event::top_level_str(json, "eventTime").and_then(|t| parse_event_time(&t)).map(|t| t.secs);
        let inside = t.is_some_and(|t| t >= self.start && t <= self.end);
        // Too late for its own unit, which fetched files up to its end plus the lag: this
        // unit, whose window holds the file's delivery less the lag, keeps it.
        let late = !inside
            && t.zip(self.late_from).is_some_and(|(t, from)| t >= from && t < self.start)
            && self.delivered - self.lag >= self.start;
        if !inside && !late {
            self.counts.outside += 1;
            return Ok(Flow::Continue);
        }
        // ct-unzip --dedupe: the first of each eventID (an event without one is kept).
        if let Some(id) = ct_common::event::top_level_str(json, "eventID") {
            if self.seen.contains(id.as_ref()) {
                self.counts.duplicates += 1;
                return Ok(Flow::Continue);
            }
            self.seen.insert(id.into_owned().into_boxed_str());
        }
        self.out.write_all(json)?;
        self.out.write_all(b"\n")?;
        self.counts.events += 1;
        self.counts.late += u64::from(late);
        Ok(Flow::Continue)
    }
}

/// Reads one fetched file (gzip or not) into `sink`, reporting what is wrong with it.
pub fn file(
    sink: &mut UnitSink<'_>,
    place: &str,
    body: &[u8],
    inflater: &mut Inflater,
    report: &mut Reporter,
) -> io::Result<()> {
    let mut inflated = Vec::new();
    let text: &[u8] = if is_gzip(body) {
        match inflater.gunzip(body, &mut inflated, 1 << 31) {
            Ok(()) => &inflated,
            Err(e) => {
                report.error(&place, &format!("cannot inflate: {e:?}"));
                return Ok(());
            }
        }
    } else {
        body
    };
    ct_common::input::document(sink, text, &place, report)?;
    Ok(())
}

/// Runs `units` (of one source each, already opened as `store`) and writes their events.
pub async fn run(
    store: &Arc<crate::store::Store>,
    source: &crate::source::Source,
    units: &[Unit],
    limits: crate::fetch::Limits,
    out: &mut dyn Write,
    report: &mut Reporter,
) -> Result<(Counts, u64), ct_common::Error> {
    let mut counts = Counts::default();
    let mut files = 0u64;
    let mut inflater = Inflater::new();
    for unit in units {
        let window = unit.window().map_err(ct_common::Error::Usage)?;
        let orgs: Vec<String> = unit.org.iter().cloned().collect();
        let scope = source.scope(
            &orgs,
            std::slice::from_ref(&unit.account),
            std::slice::from_ref(&unit.region),
            vec![Kind::Log],
            window,
        )?;
        let mut log = crate::fetch::Log::default();
        let planned = crate::fetch::plan(store, &scope, limits, &mut log).await;
        for (place, msg) in &log.errors {
            report.error(place, msg);
        }
        let late_from = unit.late_from().map_err(ct_common::Error::Usage)?;
        let mut sink = UnitSink {
            start: window.start,
            end: window.end,
            lag: window.lag,
            late_from,
            delivered: 0,
            seen: HashSet::new(),
            out,
            counts: &mut counts,
        };
        let progress = Arc::new(Progress::default());
        let (outcome, stopped) = crate::fetch::in_order(store, &planned, limits, &progress, |p, body| {
            sink.delivered = p.delivered;
            file(&mut sink, &store.place(&p.object.key), &body, &mut inflater, report)
        })
        .await;
        files += outcome.files;
        for (place, msg) in &outcome.errors {
            report.error(place, msg);
        }
        if let Some(e) = stopped {
            return Err(e.into());
        }
    }
    Ok((counts, files))
}

/// `--spec FILE`: reads the units (one JSON line each; `-` is standard input), runs them and
/// writes their events; returns the exit status.
pub fn run_spec(cli: &crate::Cli, path: &std::path::Path) -> Result<u8, ct_common::Error> {
    use ct_common::Error;
    use ct_common::report::{Summary, plural};
    let text = if path.as_os_str() == "-" {
        let mut s = String::new();
        io::Read::read_to_string(&mut io::stdin().lock(), &mut s)?;
        s
    } else {
        std::fs::read_to_string(path).map_err(|e| Error::at(path, e))?
    };
    let mut report = cli.messages.reporter(crate::NAME, &ct_common::cli::InputArgs::default());
    let mut units: Vec<Unit> = Vec::new();
    for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        match serde_json::from_str::<Unit>(line) {
            Ok(u) => units.push(u),
            Err(e) => {
                report.error(&format!("{}: line {}", path.display(), i + 1), &format!("not a work unit: {e}"));
            }
        }
    }
    let limits = crate::fetch::Limits { jobs: cli.jobs as usize, retries: cli.retries };
    let reach = cli.reach()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::io("cannot start the async runtime", e))?;
    let began = std::time::Instant::now();
    let mut out = io::BufWriter::with_capacity(1 << 16, ct_common::output::raw_stdout());
    let (mut counts, mut files) = (Counts::default(), 0u64);
    runtime.block_on(async {
        // The units of one source share its store (one client, one bucket region lookup).
        let mut by_source: BTreeMap<&str, Vec<Unit>> = BTreeMap::new();
        for u in &units {
            by_source.entry(u.source.as_str()).or_default().push(u.clone());
        }
        for (text, mine) in by_source {
            let source = crate::source::Source::parse(text)?;
            let store = Arc::new(source.open(&reach).await?);
            let (c, f) = run(&store, &source, &mine, limits, &mut out, &mut report).await?;
            counts.events += c.events;
            counts.duplicates += c.duplicates;
            counts.outside += c.outside;
            counts.late += c.late;
            files += f;
        }
        Ok::<_, Error>(())
    })?;
    out.flush()?;
    let mut summary = Summary::new(plural(units.len() as u64, "unit", "units"));
    summary.count(files, "file", "files").count(counts.events, "event", "events");
    summary.add(format_args!(
        " ({} dropped, {} of neighbouring units left out, {} kept for an earlier unit: delivered later than the lag)",
        plural(counts.duplicates, "duplicate", "duplicates"),
        counts.outside,
        counts.late
    ));
    summary.add(format_args!(" in {:.2} s", began.elapsed().as_secs_f64()));
    report.summary(summary.errors(&report));
    Ok(report.exit())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::listing::Object;

    fn file(account: &str, region: &str, delivered: i64, size: u64) -> Planned {
        Planned {
            object: Object { key: format!("{account}/{region}/{delivered}"), size, etag: None, last_modified: None },
            org: None,
            account: account.into(),
            region: region.into(),
            kind: Kind::Log,
            delivered,
        }
    }

    #[test]
    fn units_are_disjoint_cover_the_window_and_balance_bytes() {
        let day = 86_400;
        let w = Window { start: 0, end: day - 1, lag: 3600 };
        // A busy region (a file every 5 minutes) and a quiet one.
        let mut files: Vec<Planned> = (0..288).map(|i| file("111122223333", "us-east-1", i * 300 + 7, 1000)).collect();
        files.push(file("111122223333", "eu-west-1", 4000, 500));
        let units = cut("s3://b", &files, 4, w);
        let busy: Vec<&Unit> = units.iter().filter(|u| u.region == "us-east-1").collect();
        assert!((4..=5).contains(&busy.len()), "{units:#?}");
        assert_eq!(units.iter().filter(|u| u.region == "eu-west-1").count(), 1);
        // Contiguous, disjoint, and the whole window.
        assert_eq!(busy[0].start, "1970-01-01T00:00:00Z");
        assert_eq!(busy.last().unwrap().end, "1970-01-01T23:59:59Z");
        for pair in busy.windows(2) {
            let (a, b) = (pair[0].window().unwrap(), pair[1].window().unwrap());
            assert_eq!(a.end + 1, b.start, "{pair:?}");
            assert_eq!(b.start % 60, 0, "cut at a minute");
        }
        // Balanced: no unit above twice the mean.
        let mean = busy.iter().map(|u| u.bytes).sum::<u64>() / busy.len() as u64;
        assert!(busy.iter().all(|u| u.bytes <= 2 * mean), "{busy:#?}");
        // A unit of one: the window.
        let one = cut("s3://b", &files[..10], 1, w);
        assert_eq!(one.len(), 1);
        assert_eq!((one[0].start.as_str(), one[0].end.as_str()), ("1970-01-01T00:00:00Z", "1970-01-01T23:59:59Z"));
    }

    #[test]
    fn a_unit_keeps_its_window_and_each_event_once() {
        let mut out = Vec::new();
        let mut counts = Counts::default();
        let mut report = Reporter::new("ct-fetch");
        let mut sink = UnitSink {
            start: 100,
            end: 199,
            lag: 3600,
            late_from: Some(0),
            delivered: 150,
            seen: HashSet::new(),
            out: &mut out,
            counts: &mut counts,
        };
        let ev = |id: &str, t: &str| format!(r#"{{"eventID":"{id}","eventTime":"{t}"}}"#);
        for e in [
            ev("a", "1970-01-01T00:01:40Z"),
            ev("b", "1970-01-01T00:03:19Z"),
            ev("a", "1970-01-01T00:01:40Z"),
            ev("c", "1970-01-01T00:03:20Z"),
            ev("d", "1970-01-01T00:01:39Z"),
        ] {
            sink.event(e.as_bytes(), &mut report).unwrap();
        }
        // A file delivered more than the lag after this unit's start: an earlier event in it
        // came too late for its own unit, and is kept here.
        sink.delivered = 100 + 3600;
        sink.event(ev("e", "1970-01-01T00:00:50Z").as_bytes(), &mut report).unwrap();
        sink.event(ev("f", "1970-01-01T00:03:20Z").as_bytes(), &mut report).unwrap();
        assert_eq!(String::from_utf8(out).unwrap().lines().count(), 3);
        assert_eq!((counts.events, counts.duplicates, counts.outside, counts.late), (3, 1, 3, 1));
    }
}
