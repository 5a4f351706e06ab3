//! Bucket layout: S3 keys of log and digest files, gzip, and the hourly digest chain (AWS
//! CloudTrail User Guide, "Finding your CloudTrail log files" and "CloudTrail digest file
//! structure"). Both generators write through here so their trees look alike.

use std::io::Write;
use std::path::Path;

use flate2::Compression;
use flate2::write::GzEncoder;

use crate::json::{Escape, Json};
use crate::sha256;
use crate::sign::{self, Signer};
use crate::time;

/// `AWSLogs/<acct>/CloudTrail/<region>/YYYY/MM/DD/<acct>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<uniq>.json.gz`,
/// dated by the delivery time.
pub fn log_key(account: &str, region: &str, delivered: i64, uniq: &str) -> String {
    format!(
        "AWSLogs/{account}/CloudTrail/{region}/{}/{account}_CloudTrail_{region}_{}_{uniq}.json.gz",
        time::ymd_path(delivered),
        time::compact_minute(delivered)
    )
}

/// `AWSLogs/<acct>/CloudTrail-Digest/<region>/YYYY/MM/DD/<acct>_CloudTrail-Digest_<region>_<trail>_<home>_<YYYYMMDDTHHMMSSZ>.json.gz`,
/// dated by the digest end time.
pub fn digest_key(account: &str, region: &str, trail: &str, home: &str, end: i64) -> String {
    format!(
        "AWSLogs/{account}/CloudTrail-Digest/{region}/{}/{account}_CloudTrail-Digest_{region}_{trail}_{home}_{}.json.gz",
        time::ymd_path(end),
        time::compact_second(end)
    )
}

/// gzip at level 6 (gzip's default, which is what the bench ratios assume). The header has
/// mtime 0 and no name, so output bytes depend on the input only.
pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = GzEncoder::new(Vec::with_capacity(data.len() / 5 + 64), Compression::new(6));
    enc.write_all(data).expect("gzip to memory");
    enc.finish().expect("gzip to memory")
}

/// Writes `bytes` at `root/key`, creating folders.
pub fn write_file(root: &Path, key: &str, bytes: &[u8]) -> std::io::Result<()> {
    let path = root.join(key);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(path, bytes)
}

/// What a digest needs to know about one delivered log file.
#[derive(Clone, Debug)]
pub struct LogFileMeta {
    pub key: String,
    pub region: String,
    pub delivered: i64,
    pub sha256: String,
    pub oldest: i64,
    pub newest: i64,
}

/// The trail whose digests we write.
pub struct Trail<'a> {
    pub account: &'a str,
    pub bucket: &'a str,
    pub name: &'a str,
    pub home_region: &'a str,
}

/// One digest file, ready to write.
pub struct Digest {
    pub key: String,
    /// The uncompressed file.
    pub json: String,
    /// Lower-case hex `SHA256withRSA` signature: S3 metadata in AWS, a sidecar file here.
    pub signature: String,
}

/// Writes a digest at `root/key`, gzipped, and its signature sidecar beside it (see
/// [`sign::sidecar_key`]); returns the gzip size.
pub fn write_digest(root: &Path, d: &Digest) -> std::io::Result<u64> {
    let gz = gzip(d.json.as_bytes());
    write_file(root, &d.key, &gz)?;
    write_file(root, &sign::sidecar_key(&d.key), sign::sidecar_json(&d.signature).as_bytes())?;
    Ok(gz.len() as u64)
}

/// The hourly digest chain of one region: digest `k` covers log files delivered in
/// `[first_end + (k-1) h, first_end + k h)`, for `count` digests. The first digest starts a
/// chain (its `previousDigest*` fields are null); hours without files give empty digests, as
/// CloudTrail delivers them. Hash values are real SHA-256 of the uncompressed log files and of
/// the previous uncompressed digest; each digest is signed with `signer` as CloudTrail signs
/// (see [`sign`]), and the next one carries that signature as `previousDigestSignature`.
pub fn digest_chain(
    trail: &Trail,
    region: &str,
    first_end: i64,
    count: usize,
    files: &[&LogFileMeta],
    signer: &Signer,
) -> Vec<Digest> {
    let mut out: Vec<Digest> = Vec::with_capacity(count);
    let mut prev_sig: Option<String> = None;
    for k in 0..count {
        let end = first_end + 3600 * k as i64;
        let start = end - 3600;
        let key = digest_key(trail.account, region, trail.name, trail.home_region, end);
        let mut these: Vec<&LogFileMeta> =
            files.iter().copied().filter(|f| f.delivered >= start && f.delivered < end).collect();
        these.sort_by(|a, b| (a.delivered, &a.key).cmp(&(b.delivered, &b.key)));
        let newest = these.iter().map(|f| f.newest).max();
        let oldest = these.iter().map(|f| f.oldest).min();
        let prev = out.last();
        let mut json = String::with_capacity(1200 + 400 * these.len());
        Json::with_escape(&mut json, Escape::Slash).object(|j| {
            j.s("awsAccountId", trail.account)
                .s("digestStartTime", &time::iso(start))
                .s("digestEndTime", &time::iso(end))
                .s("digestS3Bucket", trail.bucket)
                .s("digestS3Object", &key)
                .s("digestPublicKeyFingerprint", signer.fingerprint())
                .s("digestSignatureAlgorithm", sign::ALGORITHM)
                .os("newestEventTime", newest.map(time::iso).as_deref())
                .os("oldestEventTime", oldest.map(time::iso).as_deref())
                .os("previousDigestS3Bucket", prev.map(|_| trail.bucket))
                .os("previousDigestS3Object", prev.map(|p| p.key.as_str()))
                .os("previousDigestHashValue", prev.map(|p| sha256::hex_digest(p.json.as_bytes())).as_deref())
                .os("previousDigestHashAlgorithm", prev.map(|_| "SHA-256"))
                .os("previousDigestSignature", prev_sig.as_deref())
                .a("logFiles", |j| {
                    for f in &these {
                        j.io(|j| {
                            j.s("s3Bucket", trail.bucket)
                                .s("s3Object", &f.key)
                                .s("hashValue", &f.sha256)
                                .s("hashAlgorithm", "SHA-256")
                                .s("newestEventTime", &time::iso(f.newest))
                                .s("oldestEventTime", &time::iso(f.oldest));
                        });
                    }
                });
        });
        // This digest's own signature lives in S3 metadata; the next digest embeds it.
        let signed = sign::string_to_sign(
            &time::iso(end),
            trail.bucket,
            &key,
            &sha256::hex_digest(json.as_bytes()),
            prev_sig.as_deref(),
        );
        let signature = signer.sign_hex(signed.as_bytes());
        prev_sig = Some(signature.clone());
        out.push(Digest { key, json, signature });
    }
    out
}

/// Wraps serialised records as a CloudTrail log file: `{"Records":[r1,r2,…]}`, compact,
/// no trailing newline.
pub fn log_file_body<'a>(records: impl IntoIterator<Item = &'a str>) -> String {
    let mut s = String::from("{\"Records\":[");
    for (i, r) in records.into_iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        s.push_str(r);
    }
    s.push_str("]}");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Checks a log key against the layout of ct-fetch's layout.rs, by hand (no regex crate).
    fn is_log_key(k: &str) -> bool {
        let p: Vec<&str> = k.split('/').collect();
        if p.len() != 8 || p[0] != "AWSLogs" || p[2] != "CloudTrail" {
            return false;
        }
        let (acct, region) = (p[1], p[3]);
        let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(acct, 12) || !digits(p[4], 4) || !digits(p[5], 2) || !digits(p[6], 2) {
            return false;
        }
        let Some(rest) = p[7].strip_prefix(&format!("{acct}_CloudTrail_{region}_")) else {
            return false;
        };
        let Some(rest) = rest.strip_suffix(".json.gz") else {
            return false;
        };
        let (ts, uniq) = rest.split_at(14);
        ts.len() == 14
            && digits(&ts[..8], 8)
            && &ts[8..9] == "T"
            && digits(&ts[9..13], 4)
            && &ts[13..] == "Z"
            && uniq.len() == 17
            && uniq.starts_with('_')
            && uniq[1..].bytes().all(|b| b.is_ascii_alphanumeric())
            && ts[..8] == format!("{}{}{}", p[4], p[5], p[6])
    }

    #[test]
    fn key_layout() {
        let t = time::unix(2017, 6, 2, 0, 4, 59);
        let k = log_key("111122223333", "ap-southeast-2", t, "Ab3dEf6hIj9kLm0p");
        assert_eq!(
            k,
            "AWSLogs/111122223333/CloudTrail/ap-southeast-2/2017/06/02/111122223333_CloudTrail_ap-southeast-2_20170602T0004Z_Ab3dEf6hIj9kLm0p.json.gz"
        );
        assert!(is_log_key(&k));
        assert!(!is_log_key(&k.replace("_Ab3", "Ab3")));
        let d = digest_key("111122223333", "eu-west-1", "main_trail", "us-east-1", t);
        assert!(d.ends_with("_CloudTrail-Digest_eu-west-1_main_trail_us-east-1_20170602T000459Z.json.gz"));
        // The AWS CLI extracts the digest timestamp positionally: key[-24:-8].
        assert_eq!(&d[d.len() - 24..d.len() - 8], "20170602T000459Z");
    }

    #[test]
    fn digest_chain_links() {
        let f = LogFileMeta {
            key: "AWSLogs/1/CloudTrail/x/a.json.gz".into(),
            region: "x".into(),
            delivered: 100,
            sha256: "0".repeat(64),
            oldest: 50,
            newest: 90,
        };
        let trail = Trail { account: "111122223333", bucket: "b", name: "t", home_region: "us-east-1" };
        let ds = digest_chain(&trail, "x", 3000, 2, &[&f], &Signer::test_key());
        let d0: serde_json::Value = serde_json::from_str(&ds[0].json).unwrap();
        let d1: serde_json::Value = serde_json::from_str(&ds[1].json).unwrap();
        assert_eq!(d0["previousDigestSignature"], serde_json::Value::Null);
        assert_eq!(d0["logFiles"][0]["s3Object"], f.key.as_str());
        assert_eq!(d1["logFiles"].as_array().unwrap().len(), 0);
        assert_eq!(d1["previousDigestS3Object"], ds[0].key.as_str());
        assert_eq!(d1["previousDigestHashValue"], sha256::hex_digest(ds[0].json.as_bytes()).as_str());
        assert!(ds[0].json.contains("AWSLogs\\/1\\/"));
        assert_eq!(d1["previousDigestSignature"], ds[0].signature.as_str());
        assert_eq!(ds[0].signature.len(), 512);
        assert_ne!(ds[0].signature, ds[1].signature);
    }
}
