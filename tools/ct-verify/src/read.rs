//! Reading what a window holds, from a bucket or a mirror, with ct-fetch's planning: the digest
//! files delivered in the window (and the hour after it, which covers its last deliveries),
//! the log files delivered from an hour before it to two hours after it (every file those
//! digests can list), each digest's signature metadata, and each log file's SHA-256.

use std::collections::BTreeMap;
use std::sync::Arc;

use ct_common::input::gzip::{Inflater, is_gzip};
use ct_fetch::fetch::{self, Limits, Log, Planned};
use ct_fetch::layout::Kind;
use ct_fetch::plan::Window;
use ct_fetch::source::Source;
use ct_fetch::store::Store;
use sha2::{Digest as _, Sha256};
use tokio::sync::Semaphore;

use crate::check::{DigestIn, LogIn, Meta};
use crate::keys::hex;

/// The largest file inflated (CloudTrail's are far smaller): past it, an error.
const MAX_INFLATED: usize = 1 << 31;

/// A chain: one trail's digests of one account and region (`org/account/region/trail`).
pub type ChainId = String;
/// A log folder: `org/account/region`.
pub type FolderId = String;

/// Everything read, grouped for the checks.
#[derive(Default)]
pub struct Read {
    pub chains: BTreeMap<ChainId, (FolderId, Vec<DigestIn>)>,
    pub logs: BTreeMap<FolderId, BTreeMap<String, LogIn>>,
    /// Listing errors: (place, message).
    pub errors: Vec<(String, String)>,
    pub digest_files: usize,
    pub log_files: usize,
}

/// What to read.
pub struct Selection<'a> {
    pub orgs: &'a [String],
    pub accounts: &'a [String],
    pub regions: &'a [String],
    pub start: i64,
    pub end: i64,
}

pub async fn read(
    store: Arc<Store>,
    source: &Source,
    sel: &Selection<'_>,
    limits: Limits,
) -> Result<Read, ct_common::Error> {
    let mut out = Read::default();
    let mut log = Log::default();
    let digest_scope = source.scope(
        sel.orgs,
        sel.accounts,
        sel.regions,
        vec![Kind::Digest],
        Window { start: sel.start, end: sel.end, lag: 0 },
    )?;
    let log_scope = source.scope(
        sel.orgs,
        sel.accounts,
        sel.regions,
        vec![Kind::Log],
        Window { start: sel.start - 3600, end: sel.end, lag: 2 * 3600 },
    )?;
    let mut digests = fetch::plan(&store, &digest_scope, limits, &mut log).await;
    // Digests delivered in the window and the hour after it.
    digests.retain(|p| p.delivered >= sel.start && p.delivered <= sel.end + 3600);
    let logs = fetch::plan(&store, &log_scope, limits, &mut log).await;
    out.errors.extend(log.errors);
    out.digest_files = digests.len();
    out.log_files = logs.len();

    let gate = Arc::new(Semaphore::new(limits.jobs.max(1)));
    let mut tasks = tokio::task::JoinSet::new();
    for (i, p) in digests.into_iter().chain(logs).enumerate() {
        let (store, gate) = (Arc::clone(&store), Arc::clone(&gate));
        tasks.spawn(async move {
            let _permit = gate.acquire_owned().await;
            let (key, size) = (p.object.key.clone(), p.object.size);
            // A digest comes with its signature metadata, from the same GetObject.
            let got = match p.kind {
                Kind::Digest => fetch::retried(limits.retries, || store.get_signed(&key, size))
                    .await
                    .map(|(b, m)| (b, signature(&m))),
                _ => fetch::retried(limits.retries, || store.get(&key, size)).await.map(|b| (b, None)),
            };
            // Inflating and hashing are work for a CPU, off the threads that do the I/O; a
            // log file's content is dropped once hashed, so memory holds the files in flight.
            let kind = p.kind;
            let got = tokio::task::spawn_blocking(move || match got {
                Err(f) => Got { body: Err(f.msg), meta: None },
                Ok((b, meta)) if kind == Kind::Digest => Got { body: inflate(&b), meta },
                Ok((b, _)) => Got { body: inflate(&b).map(|b| hex(&Sha256::digest(&b)).into_bytes()), meta: None },
            })
            .await
            .unwrap_or_else(|e| Got { body: Err(format!("the check of the file failed: {e}")), meta: None });
            (i, p, got)
        });
    }
    let mut done = Vec::new();
    while let Some(r) = tasks.join_next().await {
        done.push(r.map_err(|e| ct_common::Error::Msg(format!("a read failed: {e}")))?);
    }
    done.sort_by_key(|d| d.0);
    for (_, p, got) in done {
        let folder = folder_id(&p);
        match p.kind {
            Kind::Digest => {
                let chain = format!("{folder}/{}", trail_of(&p.object.key).unwrap_or_default());
                let entry = out.chains.entry(chain).or_insert_with(|| (folder.clone(), Vec::new()));
                entry.1.push(DigestIn { key: p.object.key, bytes: got.body, meta: got.meta, delivered: p.delivered });
            }
            _ => {
                let sha256 = got.body.map(|h| String::from_utf8_lossy(&h).into_owned());
                out.logs.entry(folder).or_default().insert(p.object.key, LogIn { sha256, delivered: p.delivered });
            }
        }
    }
    Ok(out)
}

/// What a read gave: a digest's content and signature, or a log file's hex SHA-256.
struct Got {
    body: Result<Vec<u8>, String>,
    meta: Option<Meta>,
}

/// A file's content as delivered: gzip inflated (a file stored uncompressed is taken as it is).
fn inflate(bytes: &[u8]) -> Result<Vec<u8>, String> {
    if !is_gzip(bytes) {
        return Ok(bytes.to_vec());
    }
    let mut out = Vec::new();
    Inflater::new().gunzip(bytes, &mut out, MAX_INFLATED).map_err(|e| format!("cannot inflate: {e:?}"))?;
    Ok(out)
}

fn folder_id(p: &Planned) -> FolderId {
    format!("{}/{}/{}", p.org.as_deref().unwrap_or("-"), p.account, p.region)
}

/// The trail name in a digest's file name:
/// `ACCOUNT_CloudTrail-Digest_REGION_TRAIL_HOMEREGION_STAMP.json.gz` (a trail name may hold
/// underscores; the region, the home region and the stamp do not).
pub fn trail_of(key: &str) -> Option<String> {
    let name = key.rsplit('/').next()?.strip_suffix(".json.gz")?;
    let mut parts: Vec<&str> = name.split('_').collect();
    if parts.len() < 6 || parts[1] != "CloudTrail-Digest" {
        return None;
    }
    parts.pop(); // stamp
    parts.pop(); // home region
    Some(parts[3..].join("_"))
}

/// The trail's home region in a digest's file name (where ListPublicKeys is asked).
pub fn home_of(key: &str) -> Option<String> {
    let name = key.rsplit('/').next()?.strip_suffix(".json.gz")?;
    let mut parts = name.rsplit('_');
    parts.next()?;
    parts.next().map(str::to_string)
}

/// The signature in a digest's metadata: from S3 (the object's `x-amz-meta-*`), or in a mirror
/// the hidden sidecar `.NAME.meta.json` that `ct-fetch --digests -o` writes next to it.
fn signature(meta: &ct_fetch::sidecar::Meta) -> Option<Meta> {
    Some(Meta {
        signature: meta.get("signature")?.clone(),
        algorithm: meta.get("signature-algorithm").cloned().unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_trail_name_comes_from_the_digest_name() {
        let k = "AWSLogs/111122223333/CloudTrail-Digest/eu-west-1/2017/06/01/111122223333_CloudTrail-Digest_eu-west-1_main-trail_us-east-1_20170601T015017Z.json.gz";
        assert_eq!(trail_of(k).as_deref(), Some("main-trail"));
        assert_eq!(trail_of(&k.replace("main-trail", "my_trail_2")).as_deref(), Some("my_trail_2"));
        assert_eq!(trail_of("AWSLogs/x.json.gz"), None);
        assert_eq!(home_of(k).as_deref(), Some("us-east-1"));
    }
}
