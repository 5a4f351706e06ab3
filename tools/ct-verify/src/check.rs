//! The verification of one chain of digests (one trail's digests of one account and region)
//! and the log files they list, over what was read: each digest's signature, the links
//! between digests, each log file's SHA-256, and the log files no digest lists.
//! AWS CloudTrail User Guide, "Validating CloudTrail log file integrity" and "CloudTrail
//! digest file structure"; the AWS CLI's `validate-logs` makes the same checks online.

use std::collections::{BTreeMap, BTreeSet};

use ct_common::time::{Time, parse_event_time};
use serde::Serialize;
use sha2::{Digest as _, Sha256};

use crate::digest::{self, Digest};
use crate::keys::{PublicKey, hex};
use crate::signature;

/// A digest file as read: its key, its uncompressed bytes (or why they could not be had), and
/// the S3 metadata that holds its signature, when the source kept it.
pub struct DigestIn {
    pub key: String,
    pub bytes: Result<Vec<u8>, String>,
    pub meta: Option<Meta>,
    /// The delivery time in its name.
    pub delivered: i64,
}

/// A digest's signature metadata (`x-amz-meta-signature`, `x-amz-meta-signature-algorithm`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meta {
    pub signature: String,
    pub algorithm: String,
}

/// A log file as read: the hex SHA-256 of its uncompressed content (or why it could not be
/// had) and its delivery time.
pub struct LogIn {
    pub sha256: Result<String, String>,
    pub delivered: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Status {
    #[serde(rename = "valid")]
    Valid,
    #[serde(rename = "modified")]
    Modified,
    #[serde(rename = "missing")]
    Missing,
    #[serde(rename = "not listed")]
    NotListed,
    #[serde(rename = "moved")]
    Moved,
    #[serde(rename = "bad signature")]
    BadSignature,
    #[serde(rename = "unverifiable")]
    Unverifiable,
}

/// One file checked: the output record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Record {
    pub key: String,
    pub kind: &'static str,
    pub status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl Record {
    fn new(key: &str, kind: &'static str, status: Status, reason: Option<String>) -> Record {
        Record { key: key.to_string(), kind, status, reason }
    }
}

/// What a chain is checked against.
pub struct Context<'a> {
    /// The bucket the files were read from (S3), or `None` for a local mirror, whose bucket
    /// name nothing shows.
    pub bucket: Option<&'a str>,
    pub keys: &'a [PublicKey],
}

struct Parsed {
    key: String,
    digest: Digest,
    sha256: String,
    meta: Option<Meta>,
}

/// Checks the digests of one chain and the log files of its folder. `logs` holds every log
/// file read near the window (listed or not), by key.
pub fn chain(ctx: &Context, digests: Vec<DigestIn>, logs: &BTreeMap<String, LogIn>, window_start: i64) -> Vec<Record> {
    let mut out = Vec::new();
    let mut parsed: Vec<Parsed> = Vec::new();
    for d in digests {
        let bytes = match d.bytes {
            Ok(b) => b,
            Err(e) => {
                out.push(Record::new(&d.key, "digest", Status::Modified, Some(e)));
                continue;
            }
        };
        match digest::parse(&bytes) {
            Ok(digest) => {
                parsed.push(Parsed { key: d.key, digest, sha256: hex(&Sha256::digest(&bytes)), meta: d.meta })
            }
            Err(e) => out.push(Record::new(&d.key, "digest", Status::Modified, Some(e))),
        }
    }
    parsed.sort_by(|a, b| a.digest.digest_end_time.cmp(&b.digest.digest_end_time).then(a.key.cmp(&b.key)));
    let by_key: BTreeMap<&str, usize> = parsed.iter().enumerate().map(|(i, p)| (p.key.as_str(), i)).collect();
    // The digest that names each one as its previous, if any.
    let mut next_of: BTreeMap<usize, usize> = BTreeMap::new();
    for (i, p) in parsed.iter().enumerate() {
        if let Some(prev) = p.digest.previous_object.as_deref().and_then(|o| find(&by_key, o, &p.digest.object, &p.key))
        {
            next_of.insert(prev, i);
        }
    }
    let mut valid = vec![false; parsed.len()];
    let mut records: Vec<Option<Record>> = vec![None; parsed.len()];
    for (i, p) in parsed.iter().enumerate() {
        let status = signed(ctx, p, next_of.get(&i).map(|&n| &parsed[n]));
        valid[i] = status.0 == Status::Valid;
        records[i] = Some(Record::new(&p.key, "digest", status.0, status.1));
    }
    // The links: each valid digest vouches for its previous digest's content and signature.
    let mut missing = Vec::new();
    for (i, p) in parsed.iter().enumerate() {
        let Some(prev_name) = p.digest.previous_object.as_deref() else { continue };
        match find(&by_key, prev_name, &p.digest.object, &p.key) {
            Some(j) if valid[i] => {
                let prev = &parsed[j];
                let rec = records[j].as_mut().expect("every digest has a record");
                if p.digest.previous_digest_hash_value.as_deref().is_some_and(|h| !h.eq_ignore_ascii_case(&prev.sha256))
                {
                    let said = format!("its SHA-256 is not the one the next digest ({}) holds", p.key);
                    rec.reason = Some(match rec.reason.take() {
                        Some(r) if rec.status != Status::Valid => format!("{r}; {said}"),
                        _ => said,
                    });
                    // Content other than what was signed: modified, unless the file is in
                    // another's place (moved says more).
                    if rec.status != Status::Moved {
                        rec.status = Status::Modified;
                    }
                } else if let (Some(m), Some(s)) = (&prev.meta, &p.digest.previous_digest_signature)
                    && !m.signature.eq_ignore_ascii_case(s)
                {
                    rec.status = Status::BadSignature;
                    rec.reason =
                        Some(format!("its signature metadata is not the signature the next digest ({}) holds", p.key));
                }
            }
            Some(_) => {}
            None => {
                let read_key = read_key(prev_name, &p.digest.object, &p.key);
                let when = delivery_of(&read_key).unwrap_or(i64::MAX);
                if when >= window_start {
                    missing.push(Record::new(
                        &read_key,
                        "digest",
                        Status::Missing,
                        Some(format!("the previous digest that {} names is not there", p.key)),
                    ));
                }
            }
        }
    }
    // The order of the chain: a digest that no later one names while a later one exists is
    // off the chain (the chain skips it, or a new chain began after it: logging was stopped
    // or validation turned off), and a digest that starts a chain after earlier ones says so.
    // Both are authentic when their signatures verify; they are told, not failed.
    for (i, p) in parsed.iter().enumerate() {
        let rec = records[i].as_mut().expect("every digest has a record");
        if rec.status != Status::Valid {
            continue;
        }
        let note = if i + 1 < parsed.len() && !next_of.contains_key(&i) {
            Some("no later digest names it as its previous: the chain skips it, or starts again after it")
        } else if i > 0 && p.digest.previous_object.is_none() {
            Some("a new chain starts here (logging or log file validation was off before it)")
        } else {
            None
        };
        if let Some(n) = note {
            rec.reason = Some(match rec.reason.take() {
                Some(r) => format!("{r}; {n}"),
                None => n.to_string(),
            });
        }
    }
    // The log files each digest lists.
    let mut listed: BTreeSet<String> = BTreeSet::new();
    for (i, p) in parsed.iter().enumerate() {
        out.push(records[i].take().expect("every digest has a record"));
        for lf in &p.digest.log_files {
            if let Some(b) = ctx.bucket.filter(|b| *b != lf.bucket) {
                // Not read, so not proven: said, never passed over.
                out.push(Record::new(
                    &lf.object,
                    "log",
                    Status::Unverifiable,
                    Some(format!("{} lists it in bucket {}, not in {b}, which was read", p.key, lf.bucket)),
                ));
                continue;
            }
            let key = read_key(&lf.object, &p.digest.object, &p.key);
            listed.insert(key.clone());
            let rec = match logs.get(&key) {
                None => Record::new(&key, "log", Status::Missing, Some(format!("listed by {}", p.key))),
                Some(LogIn { sha256: Err(e), .. }) => Record::new(&key, "log", Status::Modified, Some(e.clone())),
                Some(LogIn { sha256: Ok(h), .. }) if !h.eq_ignore_ascii_case(&lf.hash_value) => Record::new(
                    &key,
                    "log",
                    Status::Modified,
                    Some(format!("SHA-256 {h}; {} lists {}", p.key, lf.hash_value)),
                ),
                Some(_) if valid[i] => Record::new(&key, "log", Status::Valid, None),
                Some(_) => Record::new(
                    &key,
                    "log",
                    Status::Unverifiable,
                    Some(format!("its SHA-256 is the one {} lists, but that digest is not valid", p.key)),
                ),
            };
            out.push(rec);
        }
    }
    out.extend(missing);
    // Log files delivered within the hours the digests cover that none of them lists: added
    // after delivery. A minute at each end is left out, as a file named in a digest's last
    // minute may belong to the next digest.
    let covered = parsed
        .iter()
        .filter_map(|p| Some((time(&p.digest.digest_start_time)?, time(&p.digest.digest_end_time)?)))
        .fold(None, |acc: Option<(i64, i64)>, (s, e)| Some(acc.map_or((s, e), |(a, b)| (a.min(s), b.max(e)))));
    if let Some((from, to)) = covered {
        for (key, log) in logs {
            if !listed.contains(key) && log.delivered >= from + 60 && log.delivered <= to - 60 {
                out.push(Record::new(
                    key,
                    "log",
                    Status::NotListed,
                    Some(format!(
                        "delivered at {}, in the hours the digests cover, but no digest lists it",
                        Time::from_secs(log.delivered).to_iso()
                    )),
                ));
            }
        }
    }
    out
}

/// The log files of a folder with no digest in the window, delivered in the window: no
/// digest lists them.
pub fn without_digests(logs: &BTreeMap<String, LogIn>, start: i64, end: i64) -> Vec<Record> {
    logs.iter()
        .filter(|(_, l)| l.delivered >= start && l.delivered <= end)
        .map(|(key, _)| {
            Record::new(
                key,
                "log",
                Status::NotListed,
                Some(
                    "no digest file of its account and region in the window (deleted, or log file validation was off)"
                        .into(),
                ),
            )
        })
        .collect()
}

/// The status of a digest's own signature, and why.
fn signed(ctx: &Context, p: &Parsed, next: Option<&Parsed>) -> (Status, Option<String>) {
    let d = &p.digest;
    let named_ok = d.object == p.key || d.object.ends_with(&format!("/{}", p.key));
    if !named_ok || ctx.bucket.is_some_and(|b| b != d.bucket) {
        return (Status::Moved, Some(format!("it names s3://{}/{} as its place", d.bucket, d.object)));
    }
    // The signature: the S3 metadata, else the one the next digest holds (a mirror that lost
    // the metadata still has the chain).
    let (sig, from_next) = match (&p.meta, next.and_then(|n| n.digest.previous_digest_signature.as_deref())) {
        (Some(m), _) => {
            if !m.algorithm.eq_ignore_ascii_case("SHA256withRSA") {
                return (
                    Status::BadSignature,
                    Some(format!("signature algorithm {:?}, not SHA256withRSA", m.algorithm)),
                );
            }
            (m.signature.as_str(), false)
        }
        (None, Some(s)) => (s, true),
        (None, None) => {
            return (
                Status::Unverifiable,
                Some("no signature: its S3 metadata is not in the source, and no later digest holds it (the newest of its chain)".into()),
            );
        }
    };
    let fp = &d.digest_public_key_fingerprint;
    let candidates: Vec<&PublicKey> = ctx.keys.iter().filter(|k| k.fingerprint.eq_ignore_ascii_case(fp)).collect();
    if candidates.is_empty() {
        return (Status::Unverifiable, Some(format!("no public key with fingerprint {fp} (give --public-keys)")));
    }
    let at = time(&d.digest_end_time).unwrap_or(i64::MIN);
    let Some(key) = candidates.iter().find(|k| k.valid_from.secs <= at && at <= k.valid_to.secs) else {
        let k = candidates[0];
        return (
            Status::BadSignature,
            Some(format!(
                "signed with key {fp}, valid from {} to {}, not at {}",
                k.valid_from.to_iso(),
                k.valid_to.to_iso(),
                d.digest_end_time
            )),
        );
    };
    if signature::verify(&key.der, digest::string_to_sign(d, &p.sha256).as_bytes(), sig) {
        (Status::Valid, from_next.then(|| "signature from the next digest (no S3 metadata in the source)".to_string()))
    } else if from_next {
        (Status::BadSignature, Some("the signature the next digest holds does not verify".into()))
    } else {
        (Status::BadSignature, Some("the signature does not verify".into()))
    }
}

/// The digest a name designates, among those read: by the key it was read from, the name's
/// prefix (before the part the digest itself was read under) taken off.
fn find(by_key: &BTreeMap<&str, usize>, named: &str, self_named: &str, self_key: &str) -> Option<usize> {
    by_key.get(read_key(named, self_named, self_key).as_str()).copied()
}

/// The key a name has in the source: a mirror rooted below the trail's prefix reads
/// `AWSLogs/...` where the digest names `prefix/AWSLogs/...`.
fn read_key(named: &str, self_named: &str, self_key: &str) -> String {
    match self_named.strip_suffix(self_key) {
        Some(prefix) if !prefix.is_empty() => named.strip_prefix(prefix).unwrap_or(named).to_string(),
        _ => named.to_string(),
    }
}

fn time(s: &str) -> Option<i64> {
    parse_event_time(s).map(|t| t.secs)
}

/// The delivery time in a digest's name (`..._20170601T015017Z.json.gz`).
fn delivery_of(key: &str) -> Option<i64> {
    let stamp = key.strip_suffix(".json.gz")?.rsplit('_').next()?;
    let iso = format!(
        "{}-{}-{}T{}:{}:{}Z",
        stamp.get(0..4)?,
        stamp.get(4..6)?,
        stamp.get(6..8)?,
        stamp.get(9..11)?,
        stamp.get(11..13)?,
        stamp.get(13..15)?
    );
    time(&iso)
}

#[cfg(test)]
mod tests;
