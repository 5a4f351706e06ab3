//! ct-fetch over a local folder laid out like a bucket: the planning cases, -o, --stdout,
//! --dry-run, --max-bytes, --since-last and usage errors.

mod support;

use std::io::Read;

use support::*;

fn bucket() -> (tempfile::TempDir, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let keys = trail(dir.path(), "");
    (dir, keys)
}

#[test]
fn a_window_inside_two_days_takes_exactly_its_files() {
    let (dir, _) = bucket();
    let out = fetch().arg(dir.path()).args(WINDOW).arg("--list").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(listed(&out.stdout), window_keys(""));
    // Each record says what its key says.
    let first: serde_json::Value = serde_json::from_slice(out.stdout.split(|&b| b == b'\n').next().unwrap()).unwrap();
    assert_eq!(first["kind"], "log");
    assert!(first["delivered"].as_str().unwrap().ends_with(":00Z"));
    assert!(first["size"].as_u64().unwrap() > 0);
}

#[test]
fn accounts_organizations_and_regions_narrow_the_plan() {
    let (dir, _) = bucket();
    let run = |args: &[&str]| {
        let out = fetch().arg(dir.path()).args(WINDOW).arg("--list").args(args).output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        listed(&out.stdout)
    };
    let all = window_keys("");
    let want = |f: &dyn Fn(&str) -> bool| all.iter().filter(|k| f(k)).cloned().collect::<Vec<_>>();
    assert_eq!(run(&["--account", OTHER]), want(&|k| k.contains(&format!("/{OTHER}/"))));
    assert_eq!(run(&["--org-id", ORG]), want(&|k| k.contains(ORG)));
    assert_eq!(run(&["--region", "eu-west-1"]), want(&|k| k.contains("/eu-west-1/")));
    assert_eq!(run(&["--region", "eu-west-1", "--region", "us-east-1"]), want(&|k| !k.contains("ap-southeast-2")));
    assert_eq!(
        run(&["--account", ACCOUNT, "--region", "us-east-1"]),
        want(&|k| k.contains(ORG) && k.contains(&format!("/{ACCOUNT}/")))
    );
    // A SOURCE that names the account within AWSLogs/ narrows the same way.
    let out = fetch().arg(dir.path().join("AWSLogs").join(ACCOUNT)).args(WINDOW).arg("--list").output().unwrap();
    assert_eq!(listed(&out.stdout), want(&|k| !k.contains(ORG)));
}

#[test]
fn digests_and_lag_come_only_when_asked() {
    let (dir, _) = bucket();
    let out = fetch().arg(dir.path()).args(WINDOW).args(["--list", "--digests"]).output().unwrap();
    let keys = listed(&out.stdout);
    let digests: Vec<_> = keys.iter().filter(|k| k.contains("CloudTrail-Digest")).collect();
    // 12:00, 14:00 and 18:00 on the 2nd cover the window; 19:30 on the 2nd and 10:00 on the
    // 1st do not.
    assert_eq!(digests.len(), 3, "the digests that cover the window's files: {digests:?}");
    assert!(digests.iter().all(|k| !k.contains("T193017Z") && !k.contains("20170601T100017Z")));
    assert_eq!(keys.len(), window_keys("").len() + 3);
    // No lag: the 17:55 delivery is left out.
    let out = fetch().arg(dir.path()).args(WINDOW).args(["--list", "--delivery-lag", "0"]).output().unwrap();
    let keys = listed(&out.stdout);
    assert!(keys.iter().all(|k| !k.contains("T1755Z")) && keys.iter().any(|k| k.contains("T1700Z")));
    assert_eq!(keys.len(), window_keys("").len() - 4);
}

#[test]
fn output_dir_mirrors_keys_byte_for_byte_and_a_second_run_fetches_nothing() {
    let (src, _) = bucket();
    let dst = tempfile::tempdir().unwrap();
    let out = fetch().arg(src.path()).args(WINDOW).arg("-o").arg(dst.path()).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("24 files") && stderr.contains("fetched") && stderr.contains("0 errors"), "{stderr}");
    for key in window_keys("") {
        assert_eq!(
            std::fs::read(dst.path().join(&key)).unwrap(),
            std::fs::read(src.path().join(&key)).unwrap(),
            "{key}"
        );
    }
    let files = walk(dst.path());
    assert_eq!(files.len(), 24, "only the window's files, no partial ones");
    let out = fetch().arg(src.path()).args(WINDOW).arg("-o").arg(dst.path()).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && stderr.contains("0 files (0 B) fetched, 24 files already present"), "{stderr}");
    // A file of the wrong size (cut short by something else) is fetched again.
    let key = &window_keys("")[0];
    std::fs::write(dst.path().join(key), b"short").unwrap();
    let out = fetch().arg(src.path()).args(WINDOW).arg("-o").arg(dst.path()).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("1 file "), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(std::fs::read(dst.path().join(key)).unwrap(), std::fs::read(src.path().join(key)).unwrap());
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() { stack.push(p) } else { out.push(p) }
        }
    }
    out
}

#[test]
fn stdout_is_one_gzip_stream_in_key_order() {
    let (src, _) = bucket();
    let out = fetch().arg(src.path()).args(WINDOW).arg("--stdout").output().unwrap();
    assert!(out.status.success());
    let mut text = String::new();
    flate2::read::MultiGzDecoder::new(&out.stdout[..]).read_to_string(&mut text).unwrap();
    let docs: Vec<serde_json::Value> =
        serde_json::Deserializer::from_str(&text).into_iter().collect::<Result<_, _>>().unwrap();
    assert_eq!(docs.len(), 24);
    let expected: Vec<Vec<u8>> = window_keys("").iter().map(|k| std::fs::read(src.path().join(k)).unwrap()).collect();
    assert_eq!(out.stdout, expected.concat(), "the files, whole, in key order");
}

#[test]
fn dry_run_and_max_bytes_fetch_nothing() {
    let (src, _) = bucket();
    let total: u64 = window_keys("").iter().map(|k| std::fs::metadata(src.path().join(k)).unwrap().len()).sum();
    let out = fetch().arg(src.path()).args(WINDOW).arg("--dry-run").output().unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().next().unwrap().split(" (").next().unwrap(), "24 files");
    assert!(String::from_utf8_lossy(&out.stdout).contains(&format!("({total} bytes")));
    let dst = tempfile::tempdir().unwrap();
    let out = fetch()
        .arg(src.path())
        .args(WINDOW)
        .arg("-o")
        .arg(dst.path())
        .args(["--max-bytes", &(total - 1).to_string()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("above --max-bytes"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(walk(dst.path()).is_empty(), "nothing fetched");
    let out = fetch()
        .arg(src.path())
        .args(WINDOW)
        .arg("-o")
        .arg(dst.path())
        .args(["--max-bytes", &total.to_string()])
        .output()
        .unwrap();
    assert!(out.status.success());
    let out = fetch().arg(src.path()).args(WINDOW).arg("-o").arg(dst.path()).arg("--dry-run").output().unwrap();
    assert!(
        String::from_utf8_lossy(&out.stdout).starts_with("0 files (0 bytes, 0 B) to fetch, 24 files already present")
    );
}

#[test]
fn since_last_goes_on_from_the_last_clean_run() {
    let (src, _) = bucket();
    let dst = tempfile::tempdir().unwrap();
    assert!(fetch().arg(src.path()).args(WINDOW).arg("-o").arg(dst.path()).status().unwrap().success());
    // No run with --since-last yet: the newest delivery in DIR (17:55 on the 2nd) less an hour
    // of lag and 5 minutes of margin, so the 17:00 and 17:55 files (present), 18:01 and the
    // 3rd's (new).
    let out = fetch().arg(src.path()).arg("--since-last").arg("-o").arg(dst.path()).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("8 files (") && stderr.contains("8 files already present"), "{stderr}");
    let visible = |d: &std::path::Path| {
        walk(d).into_iter().filter(|p| !p.file_name().unwrap().to_string_lossy().starts_with('.')).count()
    };
    assert_eq!(visible(dst.path()), 32);
    // The clean run left where the next one starts: its end (now) less the lag.
    let since: i64 = std::fs::read_to_string(dst.path().join(".ct-fetch-since")).unwrap().trim().parse().unwrap();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    assert!((now - 3600 - 60..=now - 3600).contains(&since), "{since} vs {now}");
    // A run with an error does not move it: what failed is looked for again next time.
    std::fs::write(dst.path().join(".ct-fetch-since"), at(2017, 6, 2, 16, 0).to_string()).unwrap();
    let day = src.path().join(format!("AWSLogs/{ACCOUNT}/CloudTrail/eu-west-1/2017/06/02"));
    std::os::unix::fs::symlink(day.join("gone"), day.join("dangling.json.gz")).unwrap();
    let out = fetch().arg(src.path()).arg("--since-last").arg("-o").arg(dst.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("dangling.json.gz: cannot read"));
    let kept = std::fs::read_to_string(dst.path().join(".ct-fetch-since")).unwrap();
    assert_eq!(kept.trim(), at(2017, 6, 2, 16, 0).to_string());
    // An empty DIR starts at --start, quietly.
    let empty = tempfile::tempdir().unwrap();
    let out = fetch().arg(src.path()).args(WINDOW).arg("--since-last").arg("-o").arg(empty.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "the dangling link is still there");
    assert_eq!(visible(empty.path()), 24);
    assert!(!String::from_utf8_lossy(&out.stderr).contains("no earlier run"));
}

#[test]
fn since_last_starts_a_day_back_on_its_first_run_without_start() {
    // The README's cron line, run for the first time: no record, no files, no --start.
    let dir = tempfile::tempdir().unwrap();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    // One file delivered 20 hours ago (inside the first day), one 30 hours ago (before it).
    let recent = log_key("", None, ACCOUNT, "us-east-1", now - 20 * 3600 - now % 60, "recentrecentrece");
    let old = log_key("", None, ACCOUNT, "us-east-1", now - 30 * 3600 - now % 60, "oldoldoldoldoldo");
    put(dir.path(), &recent, &log_body(ACCOUNT, "us-east-1", now - 20 * 3600, 3));
    put(dir.path(), &old, &log_body(ACCOUNT, "us-east-1", now - 30 * 3600, 3));
    let dst = tempfile::tempdir().unwrap();
    let out = fetch().arg(dir.path()).arg("--since-last").arg("-o").arg(dst.path()).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let said = format!("ct-fetch: no earlier run recorded in {}: starting at ", dst.path().display());
    assert!(stderr.starts_with(&said) && stderr.contains(", 24 hours ago (--start chooses another)\n"), "{stderr}");
    assert!(dst.path().join(&recent).is_file(), "{stderr}");
    assert!(!dst.path().join(&old).exists(), "{stderr}");
    // It left its record: the next run goes on from there and says nothing of a first run.
    assert!(dst.path().join(".ct-fetch-since").is_file());
    let out = fetch().arg(dir.path()).arg("--since-last").arg("-o").arg(dst.path()).output().unwrap();
    assert!(out.status.success());
    assert!(!String::from_utf8_lossy(&out.stderr).contains("no earlier run"));
    // Without --since-last, --start is still required.
    let out = fetch().arg(dir.path()).arg("--list").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("give --start"));
}

#[test]
fn an_empty_window_says_why_with_v_and_scripts_see_nothing_more() {
    let (src, _) = bucket();
    let place = format!("ct-fetch: {}: ", src.path().join("AWSLogs/").display());
    let run = |args: &[&str]| {
        let out = fetch().arg(src.path()).args(args).arg("--list").output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}: the same status as before");
        assert!(out.stdout.is_empty());
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let summary = "ct-fetch: 0 files (0 B) listed, 0 errors\n";
    let region = ["--region", "ap-southeast2"];
    let said = run(&[&WINDOW[..], &region, &["-v"]].concat());
    assert_eq!(
        said,
        format!(
            "{place}no files for region ap-southeast2; the source has ap-southeast-2, eu-west-1, us-east-1\n{summary}"
        )
    );
    assert_eq!(run(&[&WINDOW[..], &region].concat()), summary, "no terminal, no -v: nothing more");
    let said = run(&[&WINDOW[..], &["--account", "111122223334", "-v"]].concat());
    assert!(
        said.contains(&format!("{place}no files for account 111122223334; the source has {ACCOUNT}, {OTHER}\n")),
        "{said}"
    );
    let said = run(&["--start", "2020-01-01", "--end", "2020-01-02", "-v"]);
    assert!(
        said.contains(&format!(
            // A date alone as --end is the whole day: the window ends at 23:59:59, plus the lag.
            "{place}no files in the window: none delivered from 2019-12-31T23:55:00Z to 2020-01-03T00:59:59Z"
        )),
        "{said}"
    );
    assert_eq!(run(&["--start", "2020-01-01", "--end", "2020-01-02"]), summary);
}

#[test]
fn usage_errors_name_the_problem() {
    let (src, _) = bucket();
    for (args, says) in [
        (vec!["--start", "2017-06-01"], "-o DIR, --stdout, --list or --dry-run"),
        (vec!["--list"], "give --start"),
        (vec!["--list", "--start", "yesterday-ish"], "--start: cannot read time"),
        (vec!["--list", "--start", "2017-06-02", "--end", "2017-06-01"], "is after --end"),
        (vec!["--list", "--start", "2017-06-01", "--account", "12345"], "not a 12-digit account"),
        (vec!["--list", "--start", "2017-06-01", "--org-id", "org-1"], "not an organization id"),
        (vec!["--list", "--start", "2017-06-01", "--max-bytes", "5 parsecs"], "unknown unit"),
        (vec!["--list", "--start", "2017-06-01", "--delivery-lag", "soon"], "cannot read duration"),
        (vec!["--list", "--start", "2017-06-01", "--delivery-lag", "8d"], "at most 7 days"),
        (vec!["--list", "--start", "2010-01-01"], "before CloudTrail existed"),
        (vec!["--list", "--start", "2017-06-01", "--endpoint-url", ""], "not an endpoint URL"),
    ] {
        let out = fetch().arg(src.path()).args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(says), "{args:?}: {stderr}");
    }
    let out = fetch().arg(src.path().join("nope")).args(["--list", "--start", "2017-06-01"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a folder"));
    // A folder with no AWSLogs/ is an error, a window with no files is not.
    let empty = tempfile::tempdir().unwrap();
    let out = fetch().arg(empty.path()).args(["--list", "--start", "2017-06-01"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no trail logs here"));
    let out =
        fetch().arg(src.path()).args(["--list", "--start", "2020-01-01", "--end", "2020-01-02"]).output().unwrap();
    assert!(out.status.success() && out.stdout.is_empty());
}

#[test]
fn a_closed_stdout_ends_quietly() {
    use std::process::Stdio;
    // Files larger than a pipe holds, so that the writer meets the closed end.
    let dir = tempfile::tempdir().unwrap();
    let mut seed = 1u64;
    for i in 0..4 {
        let body: Vec<u8> = (0..1_500_000)
            .map(|_| {
                seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                (seed >> 56) as u8
            })
            .collect();
        put(dir.path(), &log_key("", None, ACCOUNT, "us-east-1", at(2017, 6, 1, 14, i), &format!("{i:016}")), &body);
    }
    let mut child = fetch()
        .arg(dir.path())
        .args(WINDOW)
        .arg("--stdout")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 100];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("error:"), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn an_object_larger_than_any_trail_file_is_refused_not_held() {
    let (src, _) = bucket();
    // A sparse 200 MiB file under a trail file's name: no CloudTrail file is over 50 MB.
    let key = log_key("", None, ACCOUNT, "eu-west-1", at(2017, 6, 1, 15, 0), "bigbigbigbigbigb");
    put(src.path(), &key, b"");
    std::fs::OpenOptions::new().write(true).open(src.path().join(&key)).unwrap().set_len(200 << 20).unwrap();
    let dst = tempfile::tempdir().unwrap();
    let out = fetch().arg(src.path()).args(WINDOW).arg("-o").arg(dst.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("bigbigbigbigbigb") && stderr.contains("refused: 209715200 bytes"), "{stderr}");
    assert!(stderr.contains("24 files"), "the others still come: {stderr}");
}

#[test]
fn times_take_a_leading_dash_a_zone_and_refuse_what_reads_two_ways() {
    // Every option that takes a time or a length takes a value starting with a dash.
    let (dir, _) = bucket();
    for args in [&["--start", "-1d"][..], &["--start=-2h", "--end", "-1h"], &["--start", "-7d", "--end", "now"]] {
        let out = fetch().arg(dir.path()).args(args).arg("--dry-run").output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }
    // A length cannot be negative: said plainly, not "unexpected argument".
    let out = fetch().arg(dir.path()).args(["--start", "-1d", "--delivery-lag", "-5m", "--dry-run"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("negative"), "{}", String::from_utf8_lossy(&out.stderr));
    // The same window in Melbourne time (+10:00 in June) as in UTC.
    let utc = fetch().arg(dir.path()).args(WINDOW).arg("--list").output().unwrap();
    // 1 pm UTC on 1 June is 11 pm in Melbourne; 5 pm UTC on the 2nd is 3 am on the 3rd there.
    let shifted = ["--start", "2017-06-01 11:00 pm", "--end", "2017-06-03 3:00 am"];
    assert_eq!(WINDOW[1], "2017-06-01 1:00 pm");
    assert_eq!(WINDOW[3], "2017-06-02 5:00 pm");
    let melbourne =
        fetch().arg(dir.path()).args(shifted).args(["--tz", "Australia/Melbourne", "--list"]).output().unwrap();
    assert!(melbourne.status.success(), "{shifted:?}: {}", String::from_utf8_lossy(&melbourne.stderr));
    assert_eq!(listed(&melbourne.stdout), listed(&utc.stdout), "{shifted:?}");
    // A slashed date that makes a date both ways is refused with both readings.
    let out = fetch().arg(dir.path()).args(["--start", "01/06/2017", "--dry-run"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("2017-01-06") && err.contains("2017-06-01"), "{err}");
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
    let mut out: Vec<String> = walk(dir)
        .into_iter()
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with('.'))
        .map(|p| p.strip_prefix(dir).unwrap().to_string_lossy().into_owned())
        .collect();
    out.sort();
    out
}

#[test]
fn a_mirror_of_a_mirror_keeps_the_signature_sidecars() {
    let (src, _) = bucket();
    let d = window_digests();
    let sig = signature("digest 0");
    let text = format!(r#"{{"signature":"{sig}","signature-algorithm":"SHA256withRSA"}}"#);
    std::fs::write(sidecar_of(&src.path().join(&d[0])), &text).unwrap();
    // Another writer's spacing and order: the copy is in the shared format.
    std::fs::write(
        sidecar_of(&src.path().join(&d[1])),
        format!("{{\n  \"signature-algorithm\": \"SHA256withRSA\",\n  \"Signature\": \"{sig}\"\n}}\n"),
    )
    .unwrap();
    // A log file's sidecar is never copied.
    let log = &window_keys("")[0];
    std::fs::write(sidecar_of(&src.path().join(log)), &text).unwrap();
    let dst = tempfile::tempdir().unwrap();
    let run = || fetch().arg(src.path()).args(WINDOW).arg("--digests").arg("-o").arg(dst.path()).output().unwrap();
    let out = run();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && stderr.contains("27 files"), "{stderr}");
    let side = |k: &str| sidecar_of(&dst.path().join(k));
    assert_eq!(std::fs::read_to_string(side(&d[0])).unwrap(), text);
    assert_eq!(std::fs::read_to_string(side(&d[1])).unwrap(), text);
    let sidecars: Vec<String> =
        d[..2].iter().map(|k| side(k).strip_prefix(dst.path()).unwrap().display().to_string()).collect();
    assert_eq!(hidden(dst.path()), sidecars, "none for the log file or the digest without one");
    // Again: nothing fetched, the sidecars left alone.
    std::fs::write(side(&d[0]), "kept").unwrap();
    let out = run();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("0 files (0 B) fetched, 27 files already present, 0 errors"), "{stderr}");
    assert_eq!(std::fs::read_to_string(side(&d[0])).unwrap(), "kept");
    std::fs::write(side(&d[0]), &text).unwrap();
    // A sidecar deleted is copied again, the digest is not.
    std::fs::remove_file(side(&d[1])).unwrap();
    let out = run();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("27 files already present, 1 signature sidecar restored, 0 errors"), "{stderr}");
    assert_eq!(std::fs::read_to_string(side(&d[1])).unwrap(), text);
    // The mirror is a source in its turn: its copy has the same sidecars. --list and
    // --stdout see the files alone.
    let third = tempfile::tempdir().unwrap();
    let out = fetch().arg(dst.path()).args(WINDOW).arg("--digests").arg("-o").arg(third.path()).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(hidden(third.path()), sidecars);
    assert_eq!(std::fs::read_to_string(sidecar_of(&third.path().join(&d[1]))).unwrap(), text);
    let out = fetch().arg(dst.path()).args(WINDOW).args(["--digests", "--list"]).output().unwrap();
    let mut want: Vec<String> = window_keys("").into_iter().chain(d.iter().cloned()).collect();
    want.sort();
    assert_eq!(listed(&out.stdout), want);
    let out = fetch().arg(dst.path()).args(WINDOW).args(["--digests", "--stdout"]).output().unwrap();
    let bytes: Vec<Vec<u8>> = want.iter().map(|k| std::fs::read(src.path().join(k)).unwrap()).collect();
    assert_eq!(out.stdout, bytes.concat());
}

#[test]
fn a_bad_sidecar_in_a_local_source_is_refused_naming_the_key_and_the_file() {
    let (src, _) = bucket();
    let d = window_digests();
    std::fs::write(sidecar_of(&src.path().join(&d[0])), r#"{"signature":"ab","note":"a\u0007b"}"#).unwrap();
    std::fs::write(sidecar_of(&src.path().join(&d[1])), r#"{"signature":1}"#).unwrap();
    std::fs::create_dir(sidecar_of(&src.path().join(&d[2]))).unwrap();
    let dst = tempfile::tempdir().unwrap();
    let out = fetch().arg(src.path()).args(WINDOW).arg("--digests").arg("-o").arg(dst.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let name = |k: &str| sidecar_of(std::path::Path::new(k)).file_name().unwrap().to_string_lossy().into_owned();
    let want = format!(
        "{}: refused: {}: metadata \"note\": the value holds a control character",
        src.path().join(&d[0]).display(),
        name(&d[0])
    );
    assert!(stderr.contains(&want), "{want}\n{stderr}");
    let want = format!("{}: refused: {}: not a JSON object of strings", src.path().join(&d[1]).display(), name(&d[1]));
    assert!(stderr.contains(&want), "{want}\n{stderr}");
    let want = format!("{}: {}: cannot read: not a file", src.path().join(&d[2]).display(), name(&d[2]));
    assert!(stderr.contains(&want), "{want}\n{stderr}");
    assert!(stderr.contains("24 files") && stderr.contains("3 errors"), "the log files still come: {stderr}");
    assert!(d.iter().all(|k| !dst.path().join(k).exists()) && hidden(dst.path()).is_empty());
    assert!(window_keys("").iter().all(|k| dst.path().join(k).exists()));
}
