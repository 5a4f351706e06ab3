//! `ct-fetch --lookup`: the events of the account's event history (the LookupEvents API: the
//! last 90 days of management events, https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html)
//! rather than a trail's files, written as ct-unzip writes events, so that the rest of a
//! pipeline does not change.

#[cfg(feature = "s3")]
pub mod api;
pub mod pace;
#[cfg(feature = "s3")]
pub mod pages;
pub mod plan;
pub mod spool;

use ct_common::Error;
use ct_common::time::Time;

use crate::Cli;

/// How far back event history goes, and where a lookup without --start begins ("the last 90
/// days", AWS CloudTrail User Guide, "Working with CloudTrail event history").
pub const HISTORY: i64 = 90 * 86_400;

/// The window of a lookup: --start (default 90 days back), --end (default now), never after
/// now.
pub fn window(cli: &Cli, now: Time) -> Result<(Time, Time), Error> {
    let times = ct_common::time::TimeReader::new(now, cli.zone.tz.clone());
    let start = match cli.start.as_deref() {
        Some(s) => times.start(s).map_err(|e| Error::Usage(format!("--start: {e}")))?,
        None => Time::from_secs(now.secs - HISTORY),
    };
    let end = match cli.end.as_deref() {
        Some(s) => times.end(s).map_err(|e| Error::Usage(format!("--end: {e}")))?,
        None => now,
    }
    .min(now);
    if start > end {
        return Err(Error::Usage(format!("--start ({start}) is after --end ({end})")));
    }
    Ok((start, end))
}

#[cfg(feature = "s3")]
pub use run::run;

#[cfg(feature = "s3")]
mod run {
    use std::io::{IsTerminal, Write};
    use std::sync::Arc;
    use std::sync::atomic::Ordering;
    use std::time::{Duration, Instant};

    use ct_common::Error;
    use ct_common::cli::InputArgs;
    use ct_common::report::{Summary, plural};
    use ct_common::time::Time;
    use ct_filter::Filter;

    use super::pages::{self, Limits, Progress};
    use super::spool::Spool;
    use super::{api, plan, window};
    use crate::sdk::Access;
    use crate::{Cli, NAME, layout};

    /// Runs the lookups of `cli`; returns the exit status.
    pub fn run(cli: &Cli) -> Result<u8, Error> {
        let now = Time::now().map_err(Error::Usage)?;
        let (start, end) = window(cli, now)?;
        for r in &cli.region {
            if !layout::is_region(r) {
                return Err(Error::Usage(format!("--region: {r:?} is not a region name")));
            }
        }
        // The other options are applied to what comes back, as ct-filter applies them.
        let mut spec = cli.attributes.spec();
        spec.start = Some(start.to_iso());
        spec.end = Some(end.to_iso());
        let filter = Arc::new(Filter::new(&spec, now).map_err(Error::Usage)?);
        let access = Access {
            profile: cli.aws.profile.clone(),
            endpoint_url: cli.endpoint("CLOUDTRAIL")?,
            no_sign_request: false,
        };
        let mut report = cli.messages.reporter(NAME, &InputArgs::default());
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(|e| Error::io("cannot start the async runtime", e))?;
        runtime.block_on(async {
            let regions = match cli.region.is_empty() {
                false => dedup(&cli.region),
                true => match api::default_region(&access).await {
                    Some(r) => vec![r],
                    None => {
                        return Err(Error::Usage(
                            "no region to look up: give --region, or set one (AWS_REGION, or the profile's region)".into(),
                        ));
                    }
                },
            };
            let attribute = plan::attribute(&cli.attributes);
            let queries = plan::queries(&regions, attribute.as_ref(), start, end, cli.insights);
            if cli.dry_run {
                let mut out = std::io::stdout().lock();
                writeln!(out, "{}", plan::dry_run(&queries, regions.len()))?;
                return Ok(0);
            }
            let progress = Arc::new(Progress::default());
            let limits = Limits { retries: cli.retries, max_events: cli.max_events };
            let began = Instant::now();
            let bar = std::io::stderr().is_terminal().then(|| progress_line(&progress));
            let mut tasks = Vec::new();
            for region in &regions {
                let client = api::Client::connect(&access, region).await;
                let mine: Vec<_> = queries.iter().filter(|q| &q.region == region).cloned().collect();
                let spool = Spool::new().map_err(|e| Error::io("cannot make a temporary file", e))?;
                tasks.push(tokio::spawn(pages::region(
                    client,
                    region.clone(),
                    mine,
                    spool,
                    Arc::clone(&filter),
                    limits,
                    Arc::clone(&progress),
                )));
            }
            let mut done = Vec::new();
            for t in tasks {
                done.push(t.await.map_err(|e| Error::Msg(format!("a region's lookup failed: {e}")))?);
            }
            if let Some(b) = bar {
                b.abort();
                eprint!("\r\x1b[K");
            }
            // Each region's events, oldest first, regions in the order given.
            ct_common::output::grow_pipe(1);
            let mut out = std::io::BufWriter::with_capacity(1 << 16, ct_common::output::raw_stdout());
            let mut events = 0u64;
            for region in done {
                events += region.spool.len() as u64;
                for (place, msg) in &region.errors {
                    report.error(place, msg);
                }
                region.spool.write_to(&mut out)?;
            }
            out.flush()?;
            if progress.stop.load(Ordering::Relaxed)
                && let Some(m) = cli.max_events
            {
                report.tell(
                    &"lookup",
                    &format!(
                        "stopped at --max-events {m}: these are the newest events (the API returns the newest first); older ones were not read"
                    ),
                );
            }
            report.summary(&summary(&progress, events, regions.len(), began.elapsed()).errors(&report));
            Ok(report.exit())
        })
    }

    fn dedup(regions: &[String]) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for r in regions {
            if !out.contains(r) {
                out.push(r.clone());
            }
        }
        out
    }

    /// `25 events from 1 region, 3 requests (1 throttled, 1.0 s) in 1.61 s (16 events/s)`.
    fn summary(p: &Progress, events: u64, regions: usize, took: Duration) -> Summary {
        let returned = p.returned.load(Ordering::Relaxed);
        let mut s = Summary::new(format!(
            "{} from {}",
            plural(events, "event", "events"),
            plural(regions as u64, "region", "regions")
        ));
        if returned != events {
            s.add(format!(" ({returned} returned by the API)"));
        }
        s.part(plural(p.requests.load(Ordering::Relaxed), "request", "requests"));
        let throttled = p.throttled.load(Ordering::Relaxed);
        if throttled > 0 {
            s.add(format!(" ({throttled} throttled, {:.1} s)", pages::throttle_wait(p).as_secs_f64()));
        }
        let secs = took.as_secs_f64();
        s.add(format!(" in {secs:.2} s"));
        if secs > 0.0 && returned > 0 {
            s.add(format!(" ({:.0} events/s)", returned as f64 / secs));
        }
        s
    }

    /// A progress line on stderr: events, pages, the rate, the time so far.
    fn progress_line(p: &Arc<Progress>) -> tokio::task::JoinHandle<()> {
        let p = Arc::clone(p);
        let began = Instant::now();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(200)).await;
                let secs = began.elapsed().as_secs_f64();
                let returned = p.returned.load(Ordering::Relaxed);
                let _ = write!(
                    std::io::stderr(),
                    "\r\x1b[Kct-fetch: lookup: {} events kept of {returned}, {} pages, {:.0} events/s, {secs:.0} s",
                    p.kept.load(Ordering::Relaxed),
                    p.pages.load(Ordering::Relaxed),
                    returned as f64 / secs.max(0.001),
                );
            }
        })
    }
}
