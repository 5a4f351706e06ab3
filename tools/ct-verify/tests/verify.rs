//! ct-verify end to end on the sample bucket (tests/data/bucket, whose digests ct-synth signs
//! with the test key in tests/data/digest-key): the whole bucket verifies, then each kind of
//! tampering is caught, in a copy.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use ct_testkit::{Run, repo};

const KEYS: &str = "tests/data/digest-key/public-keys.json";

fn verify(args: &[&str]) -> Run {
    ct_testkit::run(env!("CARGO_BIN_EXE_ct-verify"), args, b"")
}

/// The whole sample, as a mirror with its signature sidecars.
fn window(dir: &Path) -> Run {
    let keys = repo(KEYS);
    verify(&[dir.to_str().unwrap(), "--start", "2017-06-01", "--end", "2017-06-02", "--public-keys", &keys])
}

/// A copy of the sample bucket, hidden sidecars included.
fn copy() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dst = tmp.path().join("bucket");
    copy_dir(Path::new(&repo("tests/data/bucket")), &dst);
    (tmp, dst)
}

fn copy_dir(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).unwrap();
    for e in std::fs::read_dir(src).unwrap() {
        let e = e.unwrap();
        let to = dst.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to)
        } else {
            std::fs::copy(e.path(), &to).unwrap();
        }
    }
}

/// The files under `dir` whose path contains `part`, sorted.
fn files(dir: &Path, part: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.to_string_lossy().contains(part) && !p.file_name().unwrap().to_string_lossy().starts_with('.') {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn gunzip(p: &Path) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(std::fs::File::open(p).unwrap()).read_to_end(&mut out).unwrap();
    out
}

fn gzip(p: &Path, bytes: &[u8]) {
    let mut gz = flate2::write::GzEncoder::new(std::fs::File::create(p).unwrap(), flate2::Compression::default());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap();
}

/// (status, kind, key's file name) of every record that is not valid.
fn bad(run: &Run) -> Vec<(String, String, String)> {
    run.records()
        .iter()
        .filter(|r| r["status"] != "valid")
        .map(|r| {
            let key = r["key"].as_str().unwrap();
            (
                r["status"].as_str().unwrap().into(),
                r["kind"].as_str().unwrap().into(),
                key.rsplit('/').next().unwrap().into(),
            )
        })
        .collect()
}

fn name(p: &Path) -> String {
    p.file_name().unwrap().to_string_lossy().into_owned()
}

#[test]
fn the_sample_bucket_verifies() {
    let run = window(Path::new(&repo("tests/data/bucket")));
    run.assert_code(0);
    let records = run.records();
    let digests = records.iter().filter(|r| r["kind"] == "digest").count();
    let logs = records.iter().filter(|r| r["kind"] == "log").count();
    assert!(digests >= 100 && logs >= 50, "{digests} digests, {logs} logs");
    assert!(run.stderr.contains("valid"), "{}", run.stderr);
}

#[test]
fn a_changed_byte_a_deleted_and_an_added_log_file_are_caught() {
    let (_tmp, dir) = copy();
    let logs = files(&dir, "/CloudTrail/ap-southeast-2/");
    // One byte changed (an event name), the file gzipped again as a tamperer would.
    let changed = &logs[3];
    let text = gunzip(changed);
    let at = text.windows(9).position(|w| w == b"eventName").unwrap() + 12;
    let mut edited = text.clone();
    edited[at] ^= 0x20;
    gzip(changed, &edited);
    let deleted = &logs[5];
    std::fs::remove_file(deleted).unwrap();
    let added = logs[7].with_file_name(
        name(&logs[7])
            .replace(".json.gz", "")
            .chars()
            .rev()
            .skip(16)
            .collect::<String>()
            .chars()
            .rev()
            .collect::<String>()
            + "AAAAAAAAAAAAAAAA.json.gz",
    );
    std::fs::copy(&logs[8], &added).unwrap();
    let run = window(&dir);
    run.assert_code(1);
    let got = bad(&run);
    assert!(got.contains(&("modified".into(), "log".into(), name(changed))), "{got:?}");
    assert!(got.contains(&("missing".into(), "log".into(), name(deleted))), "{got:?}");
    assert!(got.contains(&("not listed".into(), "log".into(), name(&added))), "{got:?}");
    assert_eq!(got.len(), 3, "{got:?}");
}

#[test]
fn an_edited_a_deleted_and_a_moved_digest_are_caught() {
    let (_tmp, dir) = copy();
    let digests = files(&dir, "/CloudTrail-Digest/eu-west-1/");
    let edited = &digests[10];
    let text = String::from_utf8(gunzip(edited))
        .unwrap()
        .replace("\"awsAccountId\":\"111122223333\"", "\"awsAccountId\":\"111122223334\"");
    gzip(edited, text.as_bytes());
    let deleted = &digests[20];
    std::fs::remove_file(deleted).unwrap();
    let run = window(&dir);
    run.assert_code(1);
    let got = bad(&run);
    assert!(got.contains(&("modified".into(), "digest".into(), name(edited))), "{got:?}");
    assert!(got.contains(&("missing".into(), "digest".into(), name(deleted))), "{got:?}");
    // A digest copied over another's key: it names its own place.
    let (_tmp2, dir2) = copy();
    let digests = files(&dir2, "/CloudTrail-Digest/us-east-1/");
    std::fs::copy(&digests[4], &digests[5]).unwrap();
    let side = |p: &Path| p.with_file_name(format!(".{}.meta.json", name(p)));
    std::fs::copy(side(&digests[4]), side(&digests[5])).unwrap();
    let run = window(&dir2);
    run.assert_code(1);
    assert!(bad(&run).contains(&("moved".into(), "digest".into(), name(&digests[5]))), "{:?}", bad(&run));
}

#[test]
fn a_mirror_without_signatures_proves_all_but_each_chain_head() {
    let (_tmp, dir) = copy();
    let sidecars: Vec<PathBuf> = {
        let mut out = Vec::new();
        let mut stack = vec![dir.clone()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p)
                } else if name(&p).ends_with(".meta.json") {
                    out.push(p)
                }
            }
        }
        out
    };
    assert!(!sidecars.is_empty());
    for s in sidecars {
        std::fs::remove_file(s).unwrap();
    }
    let run = window(&dir);
    run.assert_code(1);
    let got = bad(&run);
    let heads: Vec<_> = got.iter().filter(|(s, k, _)| s == "unverifiable" && k == "digest").collect();
    assert_eq!(heads.len(), 3, "one head per region: {got:?}");
    assert!(got.iter().all(|(s, _, _)| s == "unverifiable"), "{got:?}");
}

#[test]
fn a_backfill_digest_verifies_as_any_other() {
    // CloudTrail marks a digest it delivered late with x-amz-meta-backfill-generation-timestamp;
    // the signature is made the same way.
    let (_tmp, dir) = copy();
    let digest = &files(&dir, "/CloudTrail-Digest/eu-west-1/")[7];
    let side = digest.with_file_name(format!(".{}.meta.json", name(digest)));
    let text = std::fs::read_to_string(&side).unwrap();
    let backfill = text.replacen('{', "{\"backfill-generation-timestamp\":\"2017-06-02T10:00:00Z\",", 1);
    std::fs::write(&side, backfill).unwrap();
    window(&dir).assert_code(0);
}

#[test]
fn a_wrong_or_absent_key_proves_nothing() {
    let dir = repo("tests/data/bucket");
    let tmp = tempfile::tempdir().unwrap();
    let keys = tmp.path().join("keys.json");
    std::fs::write(&keys, r#"{"PublicKeyList":[]}"#).unwrap();
    let run = verify(&[&dir, "--start", "2017-06-01", "--end", "2017-06-02", "--public-keys", keys.to_str().unwrap()]);
    run.assert_code(1);
    assert!(run.records().iter().all(|r| r["status"] == "unverifiable"));
    std::fs::write(&keys, "{").unwrap();
    let run = verify(&[&dir, "--start", "2017-06-01", "--public-keys", keys.to_str().unwrap()]);
    run.assert_code(2);
    assert!(run.stderr.contains("keys.json"), "{}", run.stderr);
}

#[path = "../../ct-fetch/tests/support/mod.rs"]
#[allow(unused_imports)]
mod support;

/// The sample served by the tests' S3 server under `bucket`, its sidecars as the digests'
/// `x-amz-meta-*` metadata, as S3 holds them.
fn over_s3(bucket: &str) -> Run {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(Path::new(&repo("tests/data/bucket/AWSLogs")), &tmp.path().join(bucket).join("AWSLogs"));
    let server = support::Server::start(tmp.path());
    let (source, url, keys) = (format!("s3://{bucket}"), server.url(), repo(KEYS));
    let args = [
        source.as_str(),
        "--endpoint-url",
        &url,
        "--start",
        "2017-06-01",
        "--end",
        "2017-06-02",
        "--public-keys",
        &keys,
    ];
    with_aws(&[("AWS_REGION", "us-east-1")], &args)
}

/// ct-verify with the test servers' credentials and nothing of the machine's AWS set-up.
fn with_aws(env: &[(&str, &str)], args: &[&str]) -> Run {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ct-verify"))
        .env_clear()
        .env("AWS_ACCESS_KEY_ID", support::KEY_ID)
        .env("AWS_SECRET_ACCESS_KEY", support::SECRET)
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .envs(env.iter().copied())
        .args(args)
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
fn over_s3_the_signatures_come_from_the_objects_metadata() {
    // The sample's digests name the bucket cloudtrail-111122223333.
    let run = over_s3("cloudtrail-111122223333");
    run.assert_code(0);
    assert!(run.records().len() >= 150);
    // Served from another bucket, every digest names a place it was not read from.
    let run = over_s3("copy-of-the-trail");
    run.assert_code(1);
    assert!(run.records().iter().filter(|r| r["kind"] == "digest").all(|r| r["status"] == "moved"));
}

#[test]
fn without_a_key_file_the_keys_are_asked_of_cloudtrail() {
    // The tests' CloudTrail server answers ListPublicKeys with the test key.
    let server = support::lookup::LookupServer::start(Vec::new(), support::lookup::Options::default());
    let run = with_aws(
        &[("AWS_ENDPOINT_URL_CLOUDTRAIL", &server.url())],
        &[&repo("tests/data/bucket"), "--start", "2017-06-01", "--end", "2017-06-02"],
    );
    run.assert_code(0);
    assert!(run.stderr.contains("129 digest files (129 valid)"), "{}", run.stderr);
    // Asked in the trail's home region, as the digests' names give it.
    assert!(server.requests().is_empty() || server.requests().iter().all(|r| r.region == "us-east-1"));
}

#[test]
fn a_closed_pipe_ends_it_quietly() {
    let keys = repo(KEYS);
    let cmd = format!(
        "'{}' '{}' --start 2017-06-01 --public-keys '{keys}' | true; echo ${{PIPESTATUS[0]}}",
        env!("CARGO_BIN_EXE_ct-verify"),
        repo("tests/data/bucket")
    );
    let out = std::process::Command::new("bash").arg("-c").arg(&cmd).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "0", "{}", String::from_utf8_lossy(&out.stderr));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("Broken pipe"));
}
