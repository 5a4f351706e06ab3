//! ct-fetch against a real S3-protocol server on 127.0.0.1 (s3s + s3s-fs, in this process),
//! with throttling, server errors, cut-off bodies, refusals and lying listings injected.

mod support;

use std::time::{Duration, Instant};

use support::*;

const BUCKET: &str = "trail-bucket";

/// A server over a folder holding the bucket `trail-bucket` (a trail under no prefix) and
/// `prefixed` (the same trail under `logs/x/`).
fn server() -> (tempfile::TempDir, Server) {
    let dir = tempfile::tempdir().unwrap();
    trail(&dir.path().join(BUCKET), "");
    trail(&dir.path().join("prefixed"), "logs/x/");
    let s = Server::start(dir.path());
    (dir, s)
}

/// Lists the test window of `trail-bucket` with `cmd` (a ct-fetch with its environment set).
fn list_window(cmd: &mut std::process::Command) -> std::process::Output {
    cmd.arg(format!("s3://{BUCKET}")).args(WINDOW).arg("--list").output().unwrap()
}

fn src(key: &str, dir: &tempfile::TempDir) -> Vec<u8> {
    std::fs::read(dir.path().join(BUCKET).join(key)).unwrap()
}

#[test]
fn the_window_over_s3_is_the_same_plan_as_over_a_folder() {
    let (dir, s) = server();
    let out = list_window(&mut s.fetch());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(listed(&out.stdout), window_keys(""));
    let first: serde_json::Value = serde_json::from_slice(out.stdout.split(|&b| b == b'\n').next().unwrap()).unwrap();
    // s3s-fs lists no ETag for files it did not write itself; one that is there loses its quotes.
    assert!(first.get("etag").is_none_or(|e| e.as_str().is_some_and(|e| !e.contains('"'))), "{first}");
    assert!(first["lastModified"].as_str().is_some());
    // Under a prefix, and narrowed by the path of SOURCE.
    let out = s.fetch().arg("s3://prefixed/logs/x").args(WINDOW).arg("--list").output().unwrap();
    assert_eq!(listed(&out.stdout), window_keys("logs/x/"));
    let out = s
        .fetch()
        .arg(format!("s3://prefixed/logs/x/AWSLogs/{ORG}/{OTHER}/"))
        .args(WINDOW)
        .arg("--list")
        .output()
        .unwrap();
    let want: Vec<String> =
        window_keys("logs/x/").into_iter().filter(|k| k.contains(&format!("{ORG}/{OTHER}"))).collect();
    assert_eq!(listed(&out.stdout), want);
    drop(dir);
}

#[test]
fn the_endpoint_can_come_from_the_variables_the_aws_cli_reads() {
    // AWS SDKs and Tools Reference Guide, "Service-specific endpoints": AWS_ENDPOINT_URL_S3,
    // else AWS_ENDPOINT_URL; --endpoint-url wins over both.
    let (_dir, s) = server();
    for var in ["AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"] {
        let out = list_window(s.fetch_without_endpoint().env(var, s.url()));
        assert!(out.status.success(), "{var}: {}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(listed(&out.stdout), window_keys(""), "{var}");
    }
    let out = list_window(s.fetch().env("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:9"));
    assert!(out.status.success(), "--endpoint-url wins: {}", String::from_utf8_lossy(&out.stderr));
    // A value that is no URL is named, not sent to AWS.
    let out = list_window(s.fetch_without_endpoint().env("AWS_ENDPOINT_URL_S3", "localhost:9000"));
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("AWS_ENDPOINT_URL_S3: not an endpoint URL"), "{stderr}");
}

#[test]
fn files_come_whole_into_dir_and_a_second_run_gets_nothing() {
    let (dir, s) = server();
    let dst = tempfile::tempdir().unwrap();
    let out = s.fetch().arg(format!("s3://{BUCKET}")).args(WINDOW).arg("-o").arg(dst.path()).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    for key in window_keys("") {
        assert_eq!(std::fs::read(dst.path().join(&key)).unwrap(), src(&key, &dir), "{key}");
    }
    assert_eq!(s.gets().len(), 24);
    s.clear_gets();
    let out = s.fetch().arg(format!("s3://{BUCKET}")).args(WINDOW).arg("-o").arg(dst.path()).output().unwrap();
    assert!(out.status.success());
    assert!(s.gets().is_empty(), "nothing fetched twice: {:?}", s.gets());
}

#[test]
fn throttling_server_errors_and_cut_bodies_are_retried() {
    let (dir, s) = server();
    let keys = window_keys("");
    s.fault(&keys[0], Fault::SlowDown, 2);
    s.fault(&keys[1], Fault::Internal, 2);
    s.fault(&keys[2], Fault::Cut, 1);
    let dst = tempfile::tempdir().unwrap();
    let out = s.fetch().arg(format!("s3://{BUCKET}")).args(WINDOW).arg("-o").arg(dst.path()).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    for key in &keys {
        assert_eq!(std::fs::read(dst.path().join(key)).unwrap(), src(key, &dir), "{key}");
    }
    let gets = s.gets();
    let count = |k: &str| gets.iter().filter(|g| *g == k).count();
    assert_eq!((count(&keys[0]), count(&keys[1]), count(&keys[2]), count(&keys[3])), (3, 3, 2, 1));
    // The same over --stdout: whole files, in key order.
    s.fault(&keys[5], Fault::Cut, 2);
    let out = s.fetch().arg(format!("s3://{BUCKET}")).args(WINDOW).arg("--stdout").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let expected: Vec<Vec<u8>> = keys.iter().map(|k| src(k, &dir)).collect();
    assert_eq!(out.stdout, expected.concat());
}

#[test]
fn a_file_that_keeps_failing_is_named_and_the_others_still_come() {
    let (_dir, s) = server();
    let keys = window_keys("");
    s.fault(&keys[3], Fault::Denied, 100);
    s.fault(&keys[4], Fault::SlowDown, 100);
    let dst = tempfile::tempdir().unwrap();
    let out = s
        .fetch()
        .arg(format!("s3://{BUCKET}"))
        .args(WINDOW)
        .args(["--retries", "2"])
        .arg("-o")
        .arg(dst.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(&format!("s3://{BUCKET}/{}: AccessDenied", keys[3])), "{stderr}");
    assert!(
        stderr.contains(&format!("s3://{BUCKET}/{}: SlowDown", keys[4])) && stderr.contains("after 3 attempts"),
        "{stderr}"
    );
    assert!(stderr.lines().last().unwrap().contains("22 files") && stderr.contains("2 errors"), "{stderr}");
    let gets = s.gets();
    assert_eq!(gets.iter().filter(|g| **g == keys[3]).count(), 1, "a refusal is not retried");
    for (i, key) in keys.iter().enumerate() {
        assert_eq!(dst.path().join(key).exists(), i != 3 && i != 4, "{key}");
    }
}

#[test]
fn keys_that_would_escape_dir_or_the_folder_are_refused() {
    let (_dir, s) = server();
    let day = format!("AWSLogs/{ACCOUNT}/CloudTrail/eu-west-1/2017/06/01/");
    let name = |uniq: &str| format!("{ACCOUNT}_CloudTrail_eu-west-1_20170601T1400Z_{uniq}.json.gz");
    {
        let mut st = s.state.lock().unwrap();
        // A key outside the folder that was listed, and one with a backslash and a newline.
        st.extra.push((day.clone(), format!("../../{day}{}", name("aaaaaaaaaaaaaaaa")), b"evil".to_vec()));
        st.extra.push((day.clone(), format!("{day}{}", name("a\\..\\b\nc")), b"evil".to_vec()));
        // A terminal escape (C1 CSI) and a name that differs from a real one only in case.
        st.extra.push((day.clone(), format!("{day}{}", name("x\u{9b}2Jy")), b"evil".to_vec()));
        st.extra.push((day.clone(), format!("{day}{}", name("CASECASECASECASE")), b"one".to_vec()));
        st.extra.push((day.clone(), format!("{day}{}", name("casecasecasecase")), b"two".to_vec()));
    }
    let work = tempfile::tempdir().unwrap();
    let dst = work.path().join("out");
    let out = s.fetch().arg(format!("s3://{BUCKET}")).args(WINDOW).arg("-o").arg(&dst).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("is not under the folder listed"), "{stderr}");
    assert_eq!(stderr.matches("refused: control character, bidirectional control or backslash").count(), 2, "{stderr}");
    assert!(stderr.contains("differs from it only in case"), "{stderr}");
    assert!(!stderr.contains('\u{9b}') && stderr.contains("x\\u{9b}2Jy"), "keys are shown escaped: {stderr}");
    assert!(stderr.contains("a\\\\..\\\\b\\nc"), "{stderr}");
    assert!(stderr.contains("25 files"), "the good files (and one of the two cased names) still come: {stderr}");
    // Nothing beside DIR, nothing fetched for the refused keys.
    let beside: Vec<_> = std::fs::read_dir(work.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(beside, vec!["out"]);
    assert!(s.gets().iter().all(|g| !g.contains("aaaaaaaaaaaaaaaa") && !g.contains('\\')));
}

#[test]
fn a_killed_run_leaves_no_partial_file_and_the_next_run_finishes() {
    let (dir, s) = server();
    let keys = window_keys("");
    let stuck = keys[7].clone();
    s.fault(&stuck, Fault::Hang, 1);
    let dst = tempfile::tempdir().unwrap();
    let mut child = s
        .fetch()
        .arg(format!("s3://{BUCKET}"))
        .args(WINDOW)
        .arg("-o")
        .arg(dst.path())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Wait until every other file is in, then kill it while one transfer hangs.
    let deadline = Instant::now() + Duration::from_secs(60);
    while keys.iter().filter(|k| **k != stuck).any(|k| !dst.path().join(k).exists()) {
        assert!(Instant::now() < deadline, "the other files never came");
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(!dst.path().join(&stuck).exists(), "no file under its final name");
    s.clear_gets();
    let out = s.fetch().arg(format!("s3://{BUCKET}")).args(WINDOW).arg("-o").arg(dst.path()).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(s.gets(), vec![stuck.clone()], "only the missing file is fetched");
    assert_eq!(std::fs::read(dst.path().join(&stuck)).unwrap(), src(&stuck, &dir));
    let partial = dst
        .path()
        .join(&stuck)
        .with_file_name(format!(".{}.partial", std::path::Path::new(&stuck).file_name().unwrap().to_string_lossy()));
    assert!(!partial.exists());
}

#[test]
fn a_missing_bucket_or_bad_credentials_is_an_error() {
    let (_dir, s) = server();
    let out = s.fetch().arg("s3://no-such-bucket").args(WINDOW).arg("--list").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("s3://no-such-bucket/AWSLogs/"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = list_window(s.fetch().env("AWS_SECRET_ACCESS_KEY", "wrong"));
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("SignatureDoesNotMatch") || stderr.contains("AccessDenied"), "{stderr}");
    assert!(!stderr.contains(SECRET) && !stderr.contains("wrong"), "secrets are never printed: {stderr}");
}
