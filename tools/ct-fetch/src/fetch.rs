//! Planning (which files) and downloading (concurrent, retried), the same for S3 and for a
//! local folder.

use std::collections::VecDeque;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tokio::task::JoinSet;

use crate::layout::{self, Kind};
use crate::listing::{Failure, Object};
use crate::mirror;
use crate::plan::Window;
use crate::sidecar;
use crate::store::Store;

/// What to look for.
#[derive(Debug, Clone)]
pub struct Scope {
    /// The key prefix before `AWSLogs/` (empty, or ending in `/`).
    pub base: String,
    pub orgs: Vec<String>,
    /// Only accounts outside any organization (SOURCE named `AWSLogs/ACCOUNT/`).
    pub no_org: bool,
    /// SOURCE named the organization and account (`AWSLogs/o-ID/ACCOUNT/`).
    pub named: bool,
    pub accounts: Vec<String>,
    pub regions: Vec<String>,
    pub kinds: Vec<Kind>,
    pub window: Window,
}

/// A file the window needs.
#[derive(Debug, Clone)]
pub struct Planned {
    pub object: Object,
    pub org: Option<String>,
    pub account: String,
    pub region: String,
    pub kind: Kind,
    pub delivered: i64,
}

/// Errors and notes, kept to be printed in order by the caller.
#[derive(Debug, Default)]
pub struct Log {
    /// (place, message)
    pub errors: Vec<(String, String)>,
    pub notes: Vec<(String, String)>,
}

/// How requests are made.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub jobs: usize,
    pub retries: u32,
}

/// Runs a request, again after a pause while it fails in a way that may pass (throttling,
/// server errors, timeouts, cut-off bodies): 100 ms, 200 ms, 400 ms... up to 5 s, with jitter.
pub async fn retried<T, F, Fut>(retries: u32, mut f: F) -> Result<T, Failure>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, Failure>>,
{
    let mut attempt = 0;
    loop {
        match f().await {
            Ok(v) => return Ok(v),
            Err(e) if e.retry && attempt < retries => {
                let base = 100u64.saturating_mul(1 << attempt.min(16)).min(5_000);
                let jitter = u64::from(
                    std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .unwrap_or_default()
                        .subsec_nanos(),
                ) % (base / 2 + 1);
                tokio::time::sleep(Duration::from_millis(base / 2 + jitter)).await;
                attempt += 1;
            }
            Err(mut e) => {
                if attempt > 0 {
                    e.msg = format!("{} (after {} attempts)", e.msg, attempt + 1);
                }
                return Err(e);
            }
        }
    }
}

/// The (organization, account) folders the scope names outright: an account of SOURCE's path,
/// under its organization or outside any.
fn known_owners(scope: &Scope) -> Vec<(Option<String>, String)> {
    match (scope.accounts.as_slice(), scope.orgs.as_slice()) {
        ([a], []) if scope.no_org => vec![(None, a.clone())],
        ([a], [o]) if scope.named => vec![(Some(o.clone()), a.clone())],
        _ => Vec::new(),
    }
}

/// The names of the next folder level under `prefix` (entries that cannot be read go to the
/// log).
async fn children(store: &Store, prefix: &str, limits: Limits, log: &mut Log) -> Result<Vec<String>, Failure> {
    let listing = retried(limits.retries, || store.list(prefix, true)).await?;
    log.errors.extend(listing.problems);
    Ok(listing
        .prefixes
        .iter()
        .filter_map(|p| p.strip_prefix(prefix)?.strip_suffix('/').map(str::to_string))
        .filter(|n| !n.is_empty() && !n.contains('/'))
        .collect())
}

/// The (organization, account) folders under AWSLogs/ that the scope wants, by delimiter
/// listing; `None` (with the error logged) when there is nothing to go on.
async fn discover(
    store: &Store,
    scope: &Scope,
    root: &str,
    limits: Limits,
    log: &mut Log,
) -> Option<Vec<(Option<String>, String)>> {
    let mut owners = Vec::new();
    let names = match children(store, root, limits, log).await {
        Ok(names) if names.is_empty() => {
            log.errors.push((store.place(root), "no trail logs here (nothing under AWSLogs/)".into()));
            return None;
        }
        Ok(names) => names,
        Err(e) => {
            log.errors.push((store.place(root), e.msg));
            return None;
        }
    };
    let wanted_account = |a: &str| scope.accounts.is_empty() || scope.accounts.iter().any(|x| x == a);
    for n in names {
        if layout::is_org_id(&n) {
            if scope.no_org || (!scope.orgs.is_empty() && !scope.orgs.contains(&n)) {
                continue;
            }
            let org_root = format!("{root}{n}/");
            match children(store, &org_root, limits, log).await {
                Ok(accts) => owners.extend(
                    accts
                        .into_iter()
                        .filter(|a| layout::is_account(a) && wanted_account(a))
                        .map(|a| (Some(n.clone()), a)),
                ),
                Err(e) => log.errors.push((store.place(&org_root), e.msg)),
            }
        } else if layout::is_account(&n) && scope.orgs.is_empty() && wanted_account(&n) {
            owners.push((None, n));
        }
    }
    Some(owners)
}

/// Finds the files of the window: accounts (and organizations) and regions by delimiter
/// listing where the command line does not name them, then only the day folders the window
/// touches, in full.
pub async fn plan(store: &Arc<Store>, scope: &Scope, limits: Limits, log: &mut Log) -> Vec<Planned> {
    let root = format!("{}AWSLogs/", scope.base);
    // (org, account) pairs. When SOURCE named the folder there is nothing to discover (and
    // a policy that allows listing only that folder is enough).
    let known = known_owners(scope);
    let owners = if known.is_empty() {
        match discover(store, scope, &root, limits, log).await {
            Some(o) => o,
            None => return Vec::new(),
        }
    } else {
        known
    };
    for a in &scope.accounts {
        if !owners.iter().any(|(_, x)| x == a) {
            log.notes.push((format!("account {a}"), format!("no folder under {}", store.place(&root))));
        }
    }
    // Day folders: (org, account, kind, region, day prefix).
    let mut folders: Vec<(Option<String>, String, Kind, String, String)> = Vec::new();
    for (org, account) in &owners {
        for &kind in &scope.kinds {
            let org_part = org.as_ref().map(|o| format!("{o}/")).unwrap_or_default();
            let kind_root = format!("{root}{org_part}{account}/{}/", kind.folder());
            let regions = if scope.regions.is_empty() {
                match children(store, &kind_root, limits, log).await {
                    Ok(r) => r.into_iter().filter(|r| layout::is_region(r)).collect(),
                    Err(e) => {
                        log.errors.push((store.place(&kind_root), e.msg));
                        continue;
                    }
                }
            } else {
                scope.regions.clone()
            };
            for region in regions {
                for day in scope.window.days(kind) {
                    let prefix = layout::day_prefix(&scope.base, org.as_deref(), account, kind, &region, day);
                    folders.push((org.clone(), account.clone(), kind, region.clone(), prefix));
                }
            }
        }
    }
    // List the day folders, `jobs` at a time.
    let mut out = Vec::new();
    let mut pending = folders.into_iter();
    let mut running = JoinSet::new();
    loop {
        while running.len() < limits.jobs.max(1) {
            let Some(folder) = pending.next() else { break };
            let store = Arc::clone(store);
            running.spawn(async move {
                let listing = retried(limits.retries, || store.list(&folder.4, false)).await;
                (folder, listing)
            });
        }
        let Some(done) = running.join_next().await else { break };
        let ((org, account, kind, region, prefix), listing) = match done {
            Ok(d) => d,
            // Never a folder dropped unseen: a task that died is an error.
            Err(e) => {
                log.errors.push(("listing".into(), format!("a listing task failed: {e}")));
                continue;
            }
        };
        match listing {
            Err(e) => log.errors.push((store.place(&prefix), e.msg)),
            Ok(listing) => {
                log.errors.extend(listing.problems);
                for o in listing.objects {
                    // A server that answers with keys outside the prefix asked for is not
                    // believed about anything.
                    if !o.key.starts_with(&prefix) {
                        let why = format!("refused: key {:?} is not under the folder listed", o.key);
                        log.errors.push((store.place(&prefix), why));
                        continue;
                    }
                    if o.size > MAX_OBJECT {
                        let why = format!(
                            "refused: {} bytes; CloudTrail writes files of at most 50 MB, and ct-fetch takes none over {} MiB",
                            o.size,
                            MAX_OBJECT >> 20
                        );
                        log.errors.push((store.place(&o.key), why));
                        continue;
                    }
                    let Some(k) = layout::parse(&o.key) else {
                        log.notes.push((store.place(&o.key), "not a trail file name; left out".into()));
                        continue;
                    };
                    // Only the folder's own files: the account, org, kind and region named by
                    // the path, so a stray key cannot pass for another account's log.
                    if k.kind != kind
                        || k.prefix != scope.base
                        || k.account != account
                        || k.region != region
                        || k.org != org.as_deref()
                        || !scope.window.wants(&k)
                    {
                        continue;
                    }
                    let delivered = k.delivered;
                    out.push(Planned {
                        object: o,
                        org: org.clone(),
                        account: account.clone(),
                        region: region.clone(),
                        kind,
                        delivered,
                    });
                }
            }
        }
    }
    out.sort_by(|a, b| a.object.key.cmp(&b.object.key));
    out.dedup_by(|a, b| a.object.key == b.object.key);
    out
}

/// Names shown in a note at most.
const SHOWN: usize = 12;

/// `a, b, c`, or `a, b, c and 9 more`.
fn names(all: &std::collections::BTreeSet<String>) -> String {
    let shown: Vec<&str> = all.iter().take(SHOWN).map(String::as_str).collect();
    match all.len().saturating_sub(SHOWN) {
        0 => shown.join(", "),
        more => format!("{} and {more} more", shown.join(", ")),
    }
}

/// Why a window has no files, for people: the accounts and regions asked for that the source
/// has no folder of, with those it has; else the window's span of deliveries. It lists the
/// folders above the day folders again (delimiter listings; errors leave a part out).
pub async fn why_empty(store: &Store, scope: &Scope, limits: Limits) -> String {
    use std::collections::BTreeSet;
    let root = format!("{}AWSLogs/", scope.base);
    let mut log = Log::default();
    let mut parts = Vec::new();
    let known = known_owners(scope);
    let all = if known.is_empty() {
        let any_account = Scope { accounts: Vec::new(), ..scope.clone() };
        discover(store, &any_account, &root, limits, &mut log).await.unwrap_or_default()
    } else {
        known
    };
    let accounts: BTreeSet<String> = all.iter().map(|(_, a)| a.clone()).collect();
    for a in scope.accounts.iter().filter(|a| !accounts.contains(*a)) {
        if !accounts.is_empty() {
            parts.push(format!("no files for account {a}; the source has {}", names(&accounts)));
        }
    }
    let owners = all.iter().filter(|(_, a)| scope.accounts.is_empty() || scope.accounts.contains(a));
    if !scope.regions.is_empty() {
        let mut regions = BTreeSet::new();
        for (org, account) in owners {
            let org_part = org.as_ref().map(|o| format!("{o}/")).unwrap_or_default();
            for kind in &scope.kinds {
                let kind_root = format!("{root}{org_part}{account}/{}/", kind.folder());
                if let Ok(found) = children(store, &kind_root, limits, &mut log).await {
                    regions.extend(found.into_iter().filter(|r| layout::is_region(r)));
                }
            }
        }
        for r in scope.regions.iter().filter(|r| !regions.contains(*r)) {
            if !regions.is_empty() {
                parts.push(format!("no files for region {r}; the source has {}", names(&regions)));
            }
        }
    }
    if parts.is_empty() {
        let w = &scope.window;
        let last = scope.kinds.iter().map(|&k| w.last(k)).max().unwrap_or(w.end);
        parts.push(format!(
            "no files in the window: none delivered from {} to {} (--start less 5 minutes, --end plus --delivery-lag)",
            ct_common::time::Time::from_secs(w.first()).to_iso(),
            ct_common::time::Time::from_secs(last).to_iso()
        ));
    }
    parts.join("; ")
}

/// What a download run did.
#[derive(Debug, Default)]
pub struct Outcome {
    pub files: u64,
    pub bytes: u64,
    pub present: u64,
    /// Signature sidecars written for digests already present (`to_dir`).
    pub sidecars: u64,
    /// (place, message)
    pub errors: Vec<(String, String)>,
}

/// Counters for the progress line.
#[derive(Debug, Default)]
pub struct Progress {
    pub files: AtomicU64,
    pub bytes: AtomicU64,
}

/// What to do for a file of the window in DIR.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Job {
    /// Download it.
    Fetch,
    /// It is there, a digest without its signature sidecar: ask for the metadata alone.
    Sidecar,
}

/// What a job did.
enum Done {
    Fetched,
    Sidecar,
    /// The source has no metadata for a present digest: nothing to write.
    Nothing,
}

/// Downloads into DIR: each file under a temporary name, renamed when whole; files already
/// there with the listed size are kept. A digest comes with its signature sidecar (see
/// `sidecar`), written before the digest is renamed; a digest already there without one gets it
/// from the source's metadata alone (HeadObject, or the sidecar in a local source).
pub async fn to_dir(
    store: &Arc<Store>,
    files: &[Planned],
    dir: &std::path::Path,
    limits: Limits,
    progress: &Arc<Progress>,
) -> Outcome {
    let mut outcome = Outcome::default();
    let mut todo: VecDeque<(PathBuf, &Planned, Job)> = VecDeque::new();
    // Keys that differ only in case would land on one file on a case-insensitive file system.
    let mut folded = std::collections::HashSet::new();
    for p in files {
        if !folded.insert(p.object.key.to_lowercase()) {
            let why = "refused: another key of the window differs from it only in case".to_string();
            outcome.errors.push((store.place(&p.object.key), why));
            continue;
        }
        match mirror::path_of(dir, &p.object.key) {
            Err(why) => outcome.errors.push((store.place(&p.object.key), format!("refused: {why}"))),
            Ok(path) if mirror::present(&path, p.object.size) => {
                outcome.present += 1;
                if p.kind == Kind::Digest && !mirror::has_sidecar(&path) {
                    todo.push_back((path, p, Job::Sidecar));
                }
            }
            Ok(path) => todo.push_back((path, p, Job::Fetch)),
        }
    }
    let mut running = JoinSet::new();
    // Bodies are held whole until written: at most `jobs` of them and `AHEAD_BYTES` together.
    let mut in_flight = 0u64;
    loop {
        while running.len() < limits.jobs.max(1) {
            let Some((_, next, job)) = todo.front() else { break };
            let size = if *job == Job::Fetch { next.object.size } else { 0 };
            if !running.is_empty() && in_flight + size > AHEAD_BYTES {
                break;
            }
            let Some((path, p, job)) = todo.pop_front() else { break };
            in_flight += size;
            let (store, key, digest, progress) =
                (Arc::clone(store), p.object.key.clone(), p.kind == Kind::Digest, Arc::clone(progress));
            running.spawn(async move {
                let result = match job {
                    Job::Fetch => fetch_into(&store, &key, size, path, digest, limits.retries).await,
                    Job::Sidecar => restore_sidecar(&store, &key, path, limits.retries).await,
                };
                if matches!(result, Ok(Done::Fetched)) {
                    progress.files.fetch_add(1, Ordering::Relaxed);
                    progress.bytes.fetch_add(size, Ordering::Relaxed);
                }
                (key, size, result)
            });
        }
        let Some(done) = running.join_next().await else { break };
        match done {
            Ok((_, size, Ok(done))) => {
                in_flight -= size;
                match done {
                    Done::Fetched => {
                        outcome.files += 1;
                        outcome.bytes += size;
                    }
                    Done::Sidecar => outcome.sidecars += 1,
                    Done::Nothing => {}
                }
            }
            Ok((key, size, Err(msg))) => {
                in_flight -= size;
                outcome.errors.push((store.place(&key), msg));
            }
            Err(e) => outcome.errors.push(("download".into(), format!("task failed: {e}"))),
        }
        if running.is_empty() {
            in_flight = 0;
        }
    }
    // Errors in key order, whatever order the downloads finished in.
    outcome.errors.sort();
    outcome
}

/// Downloads one file to `path`; a digest with its sidecar (none when the source has no
/// metadata for it).
async fn fetch_into(
    store: &Store,
    key: &str,
    size: u64,
    path: PathBuf,
    digest: bool,
    retries: u32,
) -> Result<Done, String> {
    let written = if digest {
        let (body, meta) = retried(retries, || store.get_signed(key, size)).await.map_err(|e| e.msg)?;
        let text = (!meta.is_empty()).then(|| sidecar::render(&meta));
        tokio::task::spawn_blocking(move || mirror::store_digest(&path, &body, size, text.as_deref())).await
    } else {
        let body = retried(retries, || store.get(key, size)).await.map_err(|e| e.msg)?;
        tokio::task::spawn_blocking(move || mirror::store(&path, &body, size)).await
    };
    written.map_err(|e| e.to_string())?.map_err(|e| format!("cannot write {}", ct_common::error::io_text(&e)))?;
    Ok(Done::Fetched)
}

/// Writes the sidecar of a digest already at `path` from the source's metadata alone.
async fn restore_sidecar(store: &Store, key: &str, path: PathBuf, retries: u32) -> Result<Done, String> {
    let meta = retried(retries, || store.meta(key)).await.map_err(|e| e.msg)?;
    if meta.is_empty() {
        return Ok(Done::Nothing);
    }
    let text = sidecar::render(&meta);
    tokio::task::spawn_blocking(move || mirror::write_sidecar(&path, &text))
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| format!("cannot write the signature sidecar: {}", ct_common::error::io_text(&e)))?;
    Ok(Done::Sidecar)
}

/// The largest file taken: CloudTrail's files are at most 50 MB compressed (AWS CloudTrail User
/// Guide, "Quotas in AWS CloudTrail"); a larger object under a trail's key is not one of its
/// files, and holding it whole would cost memory.
pub const MAX_OBJECT: u64 = 128 << 20;

/// A download running ahead of the writer.
type Download = tokio::task::JoinHandle<Result<Vec<u8>, Failure>>;

/// How far ahead of the writer downloads may run, in bytes (at least one file is always
/// fetched, whatever its size).
const AHEAD_BYTES: u64 = 256 << 20;

/// Writes the files to `out` in key order (one multi-member gzip stream), downloading ahead
/// `jobs` files and at most `AHEAD_BYTES` at a time. A write error (a closed pipe) ends the
/// run and is returned beside what was done until then.
pub async fn to_stream(
    store: &Arc<Store>,
    files: &[Planned],
    out: &mut dyn Write,
    limits: Limits,
    progress: &Arc<Progress>,
) -> (Outcome, Option<std::io::Error>) {
    let (outcome, failed) = in_order(store, files, limits, progress, |_, body| out.write_all(&body)).await;
    if failed.is_some() {
        return (outcome, failed);
    }
    let flushed = out.flush().err();
    (outcome, flushed)
}

/// Each file's bytes in key order, to `each`, downloaded ahead with bounded memory (at most
/// `limits.jobs` files and `AHEAD_BYTES` at once). A file that fails after its retries is an
/// error of the outcome and the others still come; an error of `each` stops and is returned.
pub async fn in_order(
    store: &Arc<Store>,
    files: &[Planned],
    limits: Limits,
    progress: &Arc<Progress>,
    mut each: impl FnMut(&Planned, Vec<u8>) -> std::io::Result<()>,
) -> (Outcome, Option<std::io::Error>) {
    let mut outcome = Outcome::default();
    let mut ahead: VecDeque<(&Planned, Download)> = VecDeque::new();
    let mut ahead_bytes = 0u64;
    let mut next = files.iter();
    let mut pending = next.next();
    loop {
        while let Some(p) = pending {
            let size = p.object.size;
            if !ahead.is_empty() && (ahead.len() >= limits.jobs.max(1) || ahead_bytes + size > AHEAD_BYTES) {
                break;
            }
            let (store, key) = (Arc::clone(store), p.object.key.clone());
            let handle = tokio::spawn(async move { retried(limits.retries, || store.get(&key, size)).await });
            ahead.push_back((p, handle));
            ahead_bytes += size;
            pending = next.next();
        }
        let Some((p, handle)) = ahead.pop_front() else { break };
        let (key, size) = (&p.object.key, p.object.size);
        ahead_bytes -= size;
        match handle.await {
            Ok(Ok(body)) => {
                if let Err(e) = each(p, body) {
                    return (outcome, Some(e));
                }
                outcome.files += 1;
                outcome.bytes += size;
                progress.files.fetch_add(1, Ordering::Relaxed);
                progress.bytes.fetch_add(size, Ordering::Relaxed);
            }
            Ok(Err(e)) => outcome.errors.push((store.place(key), e.msg)),
            Err(e) => outcome.errors.push((store.place(key), format!("download task failed: {e}"))),
        }
    }
    (outcome, None)
}

/// Prints `files/total, bytes, rate` on one line of stderr until `done` is set (only when
/// stderr is a terminal; the caller checks).
pub fn progress_line(progress: &Arc<Progress>, total_files: u64, total_bytes: u64) -> tokio::task::JoinHandle<()> {
    let progress = Arc::clone(progress);
    let started = Instant::now();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_millis(200)).await;
            let (f, b) = (progress.files.load(Ordering::Relaxed), progress.bytes.load(Ordering::Relaxed));
            let rate = b as f64 / started.elapsed().as_secs_f64().max(0.001);
            let _ = write!(
                std::io::stderr(),
                "\r\x1b[Kct-fetch: {f}/{total_files} files, {} / {}, {}/s",
                human_bytes(b),
                human_bytes(total_bytes),
                human_bytes(rate as u64)
            );
        }
    })
}

/// `1.2 MB`: bytes as people read them (decimal units, as S3's console shows sizes).
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "kB", "MB", "GB", "TB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1000.0 && u < UNITS.len() - 1 {
        v /= 1000.0;
        u += 1;
    }
    if u == 0 { format!("{n} B") } else { format!("{v:.1} {}", UNITS[u]) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_people_read_them() {
        assert_eq!(human_bytes(999), "999 B");
        assert_eq!(human_bytes(1_500), "1.5 kB");
        assert_eq!(human_bytes(132_358_276), "132.4 MB");
    }

    #[tokio::test]
    async fn retries_stop_at_success_or_at_the_limit_and_never_retry_a_refusal() {
        let calls = AtomicU64::new(0);
        let r = retried(3, || {
            let n = calls.fetch_add(1, Ordering::Relaxed);
            async move { if n < 2 { Err(Failure::transient("SlowDown")) } else { Ok(n) } }
        })
        .await;
        assert_eq!(r.unwrap(), 2);
        let calls = AtomicU64::new(0);
        let r: Result<(), _> = retried(2, || {
            calls.fetch_add(1, Ordering::Relaxed);
            async { Err(Failure::transient("InternalError")) }
        })
        .await;
        assert_eq!(calls.load(Ordering::Relaxed), 3);
        assert!(r.unwrap_err().msg.contains("after 3 attempts"));
        let calls = AtomicU64::new(0);
        let r: Result<(), _> = retried(5, || {
            calls.fetch_add(1, Ordering::Relaxed);
            async { Err(Failure::fatal("AccessDenied")) }
        })
        .await;
        assert_eq!(calls.load(Ordering::Relaxed), 1);
        assert_eq!(r.unwrap_err().msg, "AccessDenied");
    }
}
