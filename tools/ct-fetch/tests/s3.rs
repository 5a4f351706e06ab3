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

/// The three digests of the test window (with --digests), in key order.
fn window_digests() -> Vec<String> {
    [at(2017, 6, 2, 12, 0), at(2017, 6, 2, 14, 0), at(2017, 6, 2, 18, 0)]
        .iter()
        .map(|&t| digest_key("", ACCOUNT, "ap-southeast-2", t + 17))
        .collect()
}

/// The hidden files under `dir`, as paths relative to it, sorted.
fn hidden(dir: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.file_name().unwrap().to_string_lossy().starts_with('.') {
                out.push(p.strip_prefix(dir).unwrap().to_string_lossy().into_owned());
            }
        }
    }
    out.sort();
    out
}

/// `-o DIR --digests` of the test window, with `extra` options.
fn mirror_digests(s: &Server, dst: &std::path::Path, extra: &[&str]) -> std::process::Output {
    s.fetch()
        .arg(format!("s3://{BUCKET}"))
        .args(WINDOW)
        .arg("--digests")
        .args(extra)
        .arg("-o")
        .arg(dst)
        .output()
        .unwrap()
}

#[test]
fn digests_come_with_their_signature_sidecars_and_get_them_back() {
    let (dir, s) = server();
    let d = window_digests();
    let (sig0, sig1) = (signature("digest 0"), signature("digest 1"));
    put_with_metadata(
        dir.path(),
        BUCKET,
        &d[0],
        b"digest",
        &[("signature", &sig0), ("signature-algorithm", "SHA256withRSA")],
    );
    // A backfill digest, its keys not in order.
    put_with_metadata(
        dir.path(),
        BUCKET,
        &d[1],
        b"digest",
        &[
            ("signature-algorithm", "SHA256withRSA"),
            ("signature", &sig1),
            ("backfill-generation-timestamp", "2017-06-02T15:31:01Z"),
        ],
    );
    // d[2] has no metadata.
    let dst = tempfile::tempdir().unwrap();
    let out = mirror_digests(&s, dst.path(), &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("27 files"), "{stderr}");
    let want0 = format!(r#"{{"signature":"{sig0}","signature-algorithm":"SHA256withRSA"}}"#);
    let want1 = format!(
        r#"{{"backfill-generation-timestamp":"2017-06-02T15:31:01Z","signature":"{sig1}","signature-algorithm":"SHA256withRSA"}}"#
    );
    let side = |k: &str| sidecar_of(&dst.path().join(k));
    assert_eq!(std::fs::read_to_string(side(&d[0])).unwrap(), want0, "exactly the shared format");
    assert_eq!(std::fs::read_to_string(side(&d[1])).unwrap(), want1);
    for key in window_keys("").iter().chain(&d) {
        assert_eq!(std::fs::read(dst.path().join(key)).unwrap(), src(key, &dir), "{key}");
    }
    // No sidecar for log files or for the digest without metadata, no partial file left.
    let sidecars: Vec<String> =
        d[..2].iter().map(|k| side(k).strip_prefix(dst.path()).unwrap().display().to_string()).collect();
    assert_eq!(hidden(dst.path()), sidecars);
    // The metadata came with the GetObject: no other request.
    assert_eq!(s.gets().len(), 27);
    assert!(s.heads().is_empty(), "{:?}", s.heads());

    // A second run fetches nothing and leaves the sidecars alone; only the digest without a
    // sidecar is asked for its metadata again (there is still none).
    use std::os::unix::fs::MetadataExt;
    let inode = std::fs::metadata(side(&d[0])).unwrap().ino();
    s.clear_gets();
    let out = mirror_digests(&s, dst.path(), &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stderr.contains("0 files (0 B) fetched, 27 files already present, 0 errors"),
        "{stderr}"
    );
    assert!(s.gets().is_empty(), "{:?}", s.gets());
    assert_eq!(s.heads(), vec![d[2].clone()]);
    assert_eq!(std::fs::metadata(side(&d[0])).unwrap().ino(), inode, "not rewritten");
    assert_eq!(hidden(dst.path()), sidecars);

    // A sidecar deleted comes back from the metadata alone (HeadObject); the digest stays.
    std::fs::remove_file(side(&d[1])).unwrap();
    s.clear_gets();
    let out = mirror_digests(&s, dst.path(), &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("27 files already present, 1 signature sidecar restored, 0 errors"), "{stderr}");
    assert!(s.gets().is_empty(), "{:?}", s.gets());
    let mut heads = s.heads();
    heads.sort();
    assert_eq!(heads, vec![d[1].clone(), d[2].clone()]);
    assert_eq!(std::fs::read_to_string(side(&d[1])).unwrap(), want1);
    assert_eq!(hidden(dst.path()), sidecars);

    // A digest fetched again (cut short by something else) gets its sidecar again.
    std::fs::write(dst.path().join(&d[0]), b"dig").unwrap();
    std::fs::remove_file(side(&d[0])).unwrap();
    s.clear_gets();
    let out = mirror_digests(&s, dst.path(), &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(s.gets(), vec![d[0].clone()]);
    assert_eq!(std::fs::read_to_string(side(&d[0])).unwrap(), want0);

    // --list and --stdout are as they were: the same records, the files' bytes only.
    let out = s.fetch().arg(format!("s3://{BUCKET}")).args(WINDOW).args(["--digests", "--list"]).output().unwrap();
    assert!(out.status.success());
    let mut want: Vec<String> = window_keys("").into_iter().chain(d.iter().cloned()).collect();
    want.sort();
    assert_eq!(listed(&out.stdout), want);
    assert!(!String::from_utf8_lossy(&out.stdout).contains("signature"));
    let out = s.fetch().arg(format!("s3://{BUCKET}")).args(WINDOW).args(["--digests", "--stdout"]).output().unwrap();
    assert!(out.status.success());
    assert_eq!(out.stdout, want.iter().map(|k| src(k, &dir)).collect::<Vec<_>>().concat());
}

#[test]
fn metadata_with_a_control_character_is_refused_naming_the_key_and_the_file() {
    let (dir, s) = server();
    let d = window_digests();
    let sig = signature("digest 0");
    for k in &d {
        put_with_metadata(
            dir.path(),
            BUCKET,
            k,
            b"digest",
            &[("signature", &sig), ("signature-algorithm", "SHA256withRSA")],
        );
    }
    // s3s would RFC 2047-encode these values, as S3 does: they are sent as they are.
    s.raw_header(&d[1], "x-amz-meta-note", b"a\tb");
    s.raw_header(&d[2], "x-amz-meta-note", "a\u{9b}2Jb".as_bytes());
    let dst = tempfile::tempdir().unwrap();
    let out = mirror_digests(&s, dst.path(), &[]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    for k in &d[1..] {
        let want = format!(
            "s3://{BUCKET}/{k}: refused: metadata \"x-amz-meta-note\": the value holds a control character or a character other than ASCII"
        );
        assert!(stderr.contains(&want), "{want}\n{stderr}");
        assert!(!dst.path().join(k).exists() && !sidecar_of(&dst.path().join(k)).exists(), "{k}");
    }
    assert!(!stderr.contains('\u{9b}') && !stderr.contains('\t'), "{stderr:?}");
    assert!(stderr.contains("25 files") && stderr.contains("2 errors"), "the others still come: {stderr}");
    assert_eq!(s.gets().iter().filter(|g| **g == d[1]).count(), 1, "a refusal is not retried");
    for key in window_keys("") {
        assert!(dst.path().join(&key).exists(), "{key}");
    }
    assert!(sidecar_of(&dst.path().join(&d[0])).exists());
    // The same metadata on a digest already present (its sidecar lost) is refused as well.
    s.state.lock().unwrap().raw_headers.clear();
    let out = mirror_digests(&s, dst.path(), &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    std::fs::remove_file(sidecar_of(&dst.path().join(&d[1]))).unwrap();
    s.raw_header(&d[1], "x-amz-meta-note", b"a\tb");
    let out = mirror_digests(&s, dst.path(), &[]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(&format!("s3://{BUCKET}/{}: refused: metadata \"x-amz-meta-note\"", d[1])), "{stderr}");
    assert!(!sidecar_of(&dst.path().join(&d[1])).exists());
}
