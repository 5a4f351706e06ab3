//! A region's lookups, page after page: paced under the API's limit, retried after throttling
//! and server errors with the same NextToken, started over from the oldest event received when
//! a token expires, each event checked, filtered with ct-filter's predicates and kept once.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use ct_common::fields::Found;
use ct_common::input::compact;
use ct_common::time::{Time, parse_event_time};
use ct_filter::{Filter, Verdict};

use super::api::{Client, Looked, Refusal};
use super::pace::{INTERVAL, Pace, backoff};
use super::plan::Query;
use super::spool::Spool;

/// Counts shared by the regions, for the progress line and the summary.
#[derive(Default)]
pub struct Progress {
    pub requests: AtomicU64,
    pub pages: AtomicU64,
    /// Events the API returned.
    pub returned: AtomicU64,
    /// Events kept: matched every option, once each.
    pub kept: AtomicU64,
    pub throttled: AtomicU64,
    /// Milliseconds spent waiting after throttling.
    pub throttle_wait_ms: AtomicU64,
    /// Set when --max-events is reached: every region stops.
    pub stop: AtomicBool,
}

/// How the lookups behave.
#[derive(Clone, Copy)]
pub struct Limits {
    /// Tries again of one request.
    pub retries: u32,
    pub max_events: Option<u64>,
}

/// What a region gave.
pub struct Region {
    pub name: String,
    pub spool: Spool,
    /// Events that could not be read (no JSON text, no ID), and the error that ended the
    /// region's lookups, if one did: the place (the region and the request) and the message.
    pub errors: Vec<(String, String)>,
}

/// Lookups started over after an expired token without a new event in between, before the
/// region gives up: a server that expires every token must not loop forever.
const MAX_RESTARTS: u32 = 5;

/// Runs `queries` (all of one region) one after the other, keeping their events in `spool`.
pub async fn region(
    client: Client,
    name: String,
    queries: Vec<Query>,
    spool: Spool,
    filter: Arc<Filter>,
    limits: Limits,
    progress: Arc<Progress>,
) -> Region {
    let mut out = Region { name, spool, errors: Vec::new() };
    let mut pace = Pace::new(INTERVAL);
    for query in queries {
        if progress.stop.load(Ordering::Relaxed) {
            break;
        }
        if let Err(e) = lookup(&client, &query, &filter, limits, &progress, &mut pace, &mut out).await {
            out.errors.push((place(&query), e));
            break;
        }
    }
    out
}

/// One query, every page.
async fn lookup(
    client: &Client,
    query: &Query,
    filter: &Filter,
    limits: Limits,
    progress: &Progress,
    pace: &mut Pace,
    out: &mut Region,
) -> Result<(), String> {
    let mut query = query.clone();
    let mut token: Option<String> = None;
    let mut oldest: Option<Time> = None;
    let (mut page_no, mut restarts) = (0u64, 0u32);
    let mut scratch = Vec::new();
    loop {
        let mut attempt = 0;
        let page = loop {
            tokio::time::sleep_until(tokio::time::Instant::from_std(pace.reserve(Instant::now()))).await;
            pace.sent(Instant::now());
            progress.requests.fetch_add(1, Ordering::Relaxed);
            match client.page(&query, token.as_deref()).await {
                Ok(p) => break p,
                Err(Refusal::Throttled(m) | Refusal::Transient(m)) if attempt >= limits.retries => {
                    return Err(format!("page {}: {m} (after {} attempts)", page_no + 1, attempt + 1));
                }
                Err(r @ (Refusal::Throttled(_) | Refusal::Transient(_))) => {
                    let throttled = matches!(r, Refusal::Throttled(_));
                    let wait = backoff(attempt, throttled, jitter());
                    if throttled {
                        progress.throttled.fetch_add(1, Ordering::Relaxed);
                        progress.throttle_wait_ms.fetch_add(wait.as_millis() as u64, Ordering::Relaxed);
                    }
                    pace.hold(Instant::now() + wait);
                    attempt += 1;
                }
                Err(Refusal::TokenExpired(_)) if restarts < MAX_RESTARTS => {
                    // Start over without the token, up to the oldest event received: the
                    // events of that second come again and are kept once.
                    if let Some(t) = oldest {
                        query.end = Time::from_secs(t.secs.max(query.start.secs));
                    }
                    token = None;
                    restarts += 1;
                    attempt = 0;
                }
                Err(Refusal::TokenExpired(m) | Refusal::Fatal(m)) => {
                    return Err(format!("page {}: {m}", page_no + 1));
                }
            }
        };
        page_no += 1;
        progress.pages.fetch_add(1, Ordering::Relaxed);
        for event in page.events {
            progress.returned.fetch_add(1, Ordering::Relaxed);
            if let Some(t) = event.time {
                oldest = Some(oldest.map_or(t, |o| o.min(t)));
            }
            match keep(event, filter, &mut out.spool, &mut scratch) {
                Ok(true) => {
                    restarts = 0;
                    let kept = progress.kept.fetch_add(1, Ordering::Relaxed) + 1;
                    if limits.max_events.is_some_and(|m| kept >= m) {
                        progress.stop.store(true, Ordering::Relaxed);
                    }
                }
                Ok(false) => {}
                Err(e) => out.errors.push((place(&query), format!("page {page_no}: {e}"))),
            }
            if progress.stop.load(Ordering::Relaxed) {
                return Ok(());
            }
        }
        match page.next {
            Some(t) => token = Some(t),
            None => return Ok(()),
        }
    }
}

/// Where a lookup's errors happened: `lookup in eu-west-1 (EventName=RunInstances, ...)`.
fn place(query: &Query) -> String {
    format!("lookup in {} ({})", query.region, query.describe())
}

/// Checks one event, and keeps it when it matches every option and was not kept before.
fn keep(event: Looked, filter: &Filter, spool: &mut Spool, scratch: &mut Vec<u8>) -> Result<bool, String> {
    let Some(text) = event.text else {
        return Err(format!("event {}: no CloudTrailEvent", event.id.as_deref().unwrap_or("without an ID")));
    };
    let named = || event.id.as_deref().unwrap_or("without an ID").to_string();
    if let Err(e) = serde_json::from_str::<serde::de::IgnoredAny>(&text) {
        return Err(format!("event {}: CloudTrailEvent is not JSON: {e}", named()));
    }
    let line = compact(text.as_bytes(), scratch);
    let mut found = Found::default();
    match filter.test(line, &mut found) {
        Ok(Verdict::Match) => {}
        Ok(Verdict::NoMatch) => return Ok(false),
        Ok(_) => return Err(format!("event {}: CloudTrailEvent is not an event object", named())),
        Err(e) => return Err(format!("event {}: {e}", named())),
    }
    let id = match &event.id {
        Some(id) => id.clone(),
        None => return Err("an event without an EventId".to_string()),
    };
    let time = event.time.or_else(|| event_time(line)).unwrap_or(Time::from_secs(0));
    spool.push(&id, time, line).map_err(|e| format!("cannot keep events in a temporary file: {e}"))
}

/// The event's own eventTime, when the page gave no EventTime.
fn event_time(line: &[u8]) -> Option<Time> {
    #[derive(serde::Deserialize)]
    struct T<'a> {
        #[serde(rename = "eventTime", borrow)]
        event_time: Option<&'a str>,
    }
    serde_json::from_slice::<T>(line).ok()?.event_time.and_then(parse_event_time)
}

/// A little randomness for the backoff, from the clock's nanoseconds.
fn jitter() -> u64 {
    u64::from(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().subsec_nanos())
}

/// The time spent waiting after throttling.
pub fn throttle_wait(progress: &Progress) -> Duration {
    Duration::from_millis(progress.throttle_wait_ms.load(Ordering::Relaxed))
}
