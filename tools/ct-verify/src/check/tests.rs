//! Signed chains made here, with their own key, then each kind of tampering the issue names.

use super::*;
use crate::keys::fingerprint;
use crate::signature::tests::{key, sign};

const ACCOUNT: &str = "111122223333";
/// 2017-06-01T00:50:17Z
const T0: i64 = 1_496_278_217;

fn iso(t: i64) -> String {
    Time::from_secs(t).to_iso()
}

fn stamp(t: i64, seconds: bool) -> String {
    let s: String = iso(t).chars().filter(char::is_ascii_digit).collect();
    if seconds { format!("{}T{}Z", &s[..8], &s[8..14]) } else { format!("{}T{}Z", &s[..8], &s[8..12]) }
}

fn digest_key(t: i64) -> String {
    format!(
        "AWSLogs/{ACCOUNT}/CloudTrail-Digest/eu-west-1/2017/06/01/{ACCOUNT}_CloudTrail-Digest_eu-west-1_main_us-east-1_{}.json.gz",
        stamp(t, true)
    )
}

fn log_key(t: i64) -> String {
    format!(
        "AWSLogs/{ACCOUNT}/CloudTrail/eu-west-1/2017/06/01/{ACCOUNT}_CloudTrail_eu-west-1_{}_abcdefghijklmnop.json.gz",
        stamp(t, false)
    )
}

struct Trail {
    digests: Vec<DigestIn>,
    logs: BTreeMap<String, LogIn>,
    keys: Vec<PublicKey>,
}

fn sha(b: &[u8]) -> String {
    hex(&Sha256::digest(b))
}

/// `n` hourly digests, each listing one log file delivered 20 minutes into its hour.
fn trail(n: usize) -> Trail {
    let (pair, der) = key();
    let fp = fingerprint(&der);
    let keys = vec![PublicKey {
        der,
        fingerprint: fp.clone(),
        valid_from: Time::from_secs(T0 - 86_400),
        valid_to: Time::from_secs(T0 + 30 * 86_400),
    }];
    let mut digests = Vec::new();
    let mut logs = BTreeMap::new();
    let mut prev: Option<(String, String, String)> = None; // key, sha256, signature
    for i in 0..n {
        let end = T0 + 3600 * (i as i64 + 1);
        let log_t = end - 40 * 60;
        let body = format!("{{\"Records\":[{{\"eventID\":\"{i}\"}}]}}");
        logs.insert(
            log_key(log_t),
            LogIn { sha256: Ok(sha(body.as_bytes())), delivered: log_t - log_t.rem_euclid(60) },
        );
        let key = digest_key(end);
        let (pk, ph, ps) = match &prev {
            Some((k, h, s)) => (format!("\"{}\"", k.replace('/', "\\/")), format!("\"{h}\""), format!("\"{s}\"")),
            None => ("null".into(), "null".into(), "null".into()),
        };
        let json = format!(
            r#"{{"awsAccountId":"{ACCOUNT}","digestStartTime":"{}","digestEndTime":"{}","digestS3Bucket":"b","digestS3Object":"{}","digestPublicKeyFingerprint":"{fp}","digestSignatureAlgorithm":"SHA256withRSA","previousDigestS3Bucket":{},"previousDigestS3Object":{pk},"previousDigestHashValue":{ph},"previousDigestHashAlgorithm":"SHA-256","previousDigestSignature":{ps},"logFiles":[{{"s3Bucket":"b","s3Object":"{}","hashValue":"{}","hashAlgorithm":"SHA-256"}}]}}"#,
            iso(end - 3600),
            iso(end),
            key.replace('/', "\\/"),
            if prev.is_some() { "\"b\"" } else { "null" },
            log_key(log_t).replace('/', "\\/"),
            sha(body.as_bytes()),
        );
        let d = digest::parse(json.as_bytes()).unwrap();
        let signature = sign(&pair, digest::string_to_sign(&d, &sha(json.as_bytes())).as_bytes());
        prev = Some((key.clone(), sha(json.as_bytes()), signature.clone()));
        digests.push(DigestIn {
            key,
            bytes: Ok(json.into_bytes()),
            meta: Some(Meta { signature, algorithm: "SHA256withRSA".into() }),
            delivered: end,
        });
    }
    Trail { digests, logs, keys }
}

fn check(t: Trail, bucket: Option<&str>) -> Vec<Record> {
    let ctx = Context { bucket, keys: &t.keys };
    chain(&ctx, t.digests, &t.logs, T0)
}

/// (key's last 30 characters, kind, status) of each record that is not valid.
fn bad(records: &[Record]) -> Vec<(String, &'static str, Status)> {
    records
        .iter()
        .filter(|r| r.status != Status::Valid)
        .map(|r| (r.key[r.key.len() - 30..].to_string(), r.kind, r.status))
        .collect()
}

#[test]
fn a_whole_signed_chain_is_valid() {
    let records = check(trail(4), Some("b"));
    assert_eq!(records.len(), 8, "{records:#?}");
    assert!(records.iter().all(|r| r.status == Status::Valid), "{records:#?}");
}

#[test]
fn one_changed_byte_in_a_log_file_is_modified() {
    let mut t = trail(3);
    let k = log_key(T0 + 2 * 3600 - 40 * 60);
    t.logs.get_mut(&k).unwrap().sha256 = Ok(sha(b"{\"Records\":[{\"eventID\":\"X\"}]}"));
    let records = check(t, Some("b"));
    assert_eq!(bad(&records), [(k[k.len() - 30..].to_string(), "log", Status::Modified)]);
}

#[test]
fn a_deleted_log_is_missing_and_an_added_one_not_listed() {
    let mut t = trail(3);
    let gone = log_key(T0 + 2 * 3600 - 40 * 60);
    t.logs.remove(&gone);
    let added = log_key(T0 + 3600 + 30 * 60).replace("abcdefghijklmnop", "ADDEDADDEDADDEDA");
    t.logs.insert(added.clone(), LogIn { sha256: Ok(sha(b"{}")), delivered: T0 + 3600 + 30 * 60 });
    let records = check(t, Some("b"));
    let got = bad(&records);
    assert!(got.contains(&(gone[gone.len() - 30..].to_string(), "log", Status::Missing)), "{got:?}");
    assert!(got.contains(&(added[added.len() - 30..].to_string(), "log", Status::NotListed)), "{got:?}");
    assert_eq!(got.len(), 2, "{got:?}");
}

#[test]
fn an_edited_digest_fails_its_signature_and_the_next_digest_says_it_changed() {
    let mut t = trail(3);
    let d = &mut t.digests[1];
    let text = String::from_utf8(d.bytes.clone().unwrap()).unwrap();
    let edited = text.replace(
        "\"hashAlgorithm\":\"SHA-256\"}]",
        "\"hashAlgorithm\":\"SHA-256\"},{\"s3Bucket\":\"b\",\"s3Object\":\"x\",\"hashValue\":\"00\"}]",
    );
    d.bytes = Ok(edited.into_bytes());
    let key = d.key.clone();
    let records = check(t, Some("b"));
    let rec = records.iter().find(|r| r.key == key).unwrap();
    assert_eq!(rec.status, Status::Modified, "{rec:?}");
    let reason = rec.reason.as_deref().unwrap();
    assert!(reason.contains("does not verify") && reason.contains("next digest"), "{reason}");
}

#[test]
fn a_deleted_digest_is_a_gap_that_is_reported_and_the_rest_still_verifies() {
    let mut t = trail(4);
    let gone = t.digests.remove(2);
    let records = check(t, Some("b"));
    let got = bad(&records);
    assert!(got.contains(&(gone.key[gone.key.len() - 30..].to_string(), "digest", Status::Missing)), "{got:?}");
    // The log file it listed is now listed by none.
    assert!(got.iter().any(|(_, kind, s)| *kind == "log" && *s == Status::NotListed), "{got:?}");
    assert_eq!(records.iter().filter(|r| r.kind == "digest" && r.status == Status::Valid).count(), 3);
}

#[test]
fn a_digest_moved_to_another_key_or_bucket_is_moved() {
    let mut t = trail(2);
    t.digests[0].key = t.digests[0].key.replace("main_us-east-1", "other_us-east-1");
    let records = check(t, Some("b"));
    assert_eq!(records.iter().filter(|r| r.status == Status::Moved).count(), 1, "{records:#?}");
    let records = check(trail(2), Some("another-bucket"));
    assert!(records.iter().filter(|r| r.kind == "digest").all(|r| r.status == Status::Moved), "{records:#?}");
}

#[test]
fn a_signature_from_another_key_or_outside_the_keys_validity_is_bad() {
    let mut t = trail(2);
    let (other, _) = key();
    let d = digest::parse(t.digests[1].bytes.as_ref().unwrap()).unwrap();
    let forged = sign(&other, digest::string_to_sign(&d, &sha(t.digests[1].bytes.as_ref().unwrap())).as_bytes());
    t.digests[1].meta.as_mut().unwrap().signature = forged;
    let records = check(t, Some("b"));
    assert_eq!(records.iter().filter(|r| r.status == Status::BadSignature).count(), 1, "{records:#?}");
    let mut t = trail(2);
    t.keys[0].valid_to = Time::from_secs(T0);
    let records = check(t, Some("b"));
    let r = records.iter().find(|r| r.kind == "digest").unwrap();
    assert_eq!(r.status, Status::BadSignature);
    assert!(r.reason.as_deref().unwrap().contains("not at"), "{r:?}");
}

#[test]
fn a_mirror_without_metadata_verifies_all_but_the_chain_head() {
    let mut t = trail(3);
    for d in &mut t.digests {
        d.meta = None;
    }
    let records = check(t, None);
    let digests: Vec<Status> = records.iter().filter(|r| r.kind == "digest").map(|r| r.status).collect();
    assert_eq!(digests, [Status::Valid, Status::Valid, Status::Unverifiable]);
    // The head's log file is not proven either.
    assert_eq!(records.iter().filter(|r| r.status == Status::Unverifiable).count(), 2, "{records:#?}");
}

#[test]
fn without_the_key_nothing_is_proven_and_a_mirror_below_the_prefix_still_links() {
    let mut t = trail(2);
    t.keys.clear();
    assert!(check(t, None).iter().all(|r| r.status == Status::Unverifiable));
    // A digest names prefix/AWSLogs/...; the mirror was read from below the prefix.
    let t = trail(2);
    let ctx = Context { bucket: None, keys: &t.keys };
    let records = chain(&ctx, t.digests, &t.logs, T0);
    assert!(records.iter().all(|r| r.status == Status::Valid));
}

#[test]
fn a_digest_the_chain_skips_and_a_chain_that_starts_again_are_told() {
    // Digest 2 names digest 0 as its previous: digest 1 is off the chain.
    let mut t = trail(3);
    let d1 = t.digests[1].key.clone();
    let d0 = t.digests[0].key.clone();
    let text = String::from_utf8(t.digests[2].bytes.clone().unwrap()).unwrap();
    let relinked = text.replace(&d1.replace('/', "\\/"), &d0.replace('/', "\\/"));
    assert_ne!(text, relinked);
    t.digests[2].bytes = Ok(relinked.into_bytes());
    let records = check(t, Some("b"));
    let skipped = records.iter().find(|r| r.key == d1).unwrap();
    assert!(skipped.reason.as_deref().unwrap_or("").contains("no later digest names it"), "{skipped:?}");
}
