//! ct-unzip end to end: every input shape, every kind of bad input, the options and the
//! exit statuses, run through the real binary.

use ct_testkit::{Run, assert_lines_eq, fixture, gz};

fn unzip(args: &[&str], stdin: &[u8]) -> Run {
    ct_testkit::run(env!("CARGO_BIN_EXE_ct-unzip"), args, stdin)
}

const E1: &str = r#"{"eventVersion":"1.05","eventTime":"2017-06-01T09:12:44Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","eventID":"id-1"}"#;
const E2: &str = r#"{"eventVersion":"1.05","eventTime":"2017-06-01T13:05:42Z","eventSource":"ec2.amazonaws.com","eventName":"RunInstances","eventID":"id-2"}"#;

fn records(events: &[&str]) -> String {
    format!(r#"{{"Records":[{}]}}"#, events.join(","))
}

#[test]
fn every_input_shape_gives_the_same_events_byte_for_byte() {
    let expected = std::fs::read_to_string(fixture("inputs.expected")).unwrap();
    let run = unzip(&["-q", &fixture("inputs")], b"");
    assert_lines_eq(&expected, &run.stdout);
    // The Firehose file holds a control message among its payloads: a note, not an error.
    run.assert_code(0);
    assert_eq!(run.stderr, "");
}

#[test]
fn each_shape_alone() {
    let expected: Vec<String> =
        std::fs::read_to_string(fixture("inputs.expected")).unwrap().lines().map(String::from).collect();
    let three = expected[..3].join("\n") + "\n";
    for name in [
        "01-delivery.json.gz",
        "02-delivery-pretty-crlf.json",
        "03-array.json",
        "05-events.ndjson",
        "06-lookup-events.json",
        "07-lookup-events.jsonl",
        "08-eventbridge.ndjson",
        "09-cloudwatch-subscription.json",
        "10-firehose-cloudwatch.gz",
        "11-lambda-awslogs.json",
        "12-concatenated-members.gz",
    ] {
        let run = unzip(&["-q", &fixture(&format!("inputs/{name}"))], b"");
        assert_eq!(run.code, 0, "{name}: {}", run.stderr);
        assert_lines_eq(&three, &run.stdout);
    }
    let single = unzip(&["-q", &fixture("inputs/04-single-event.json")], b"");
    assert_lines_eq(&format!("{}\n", expected[1]), &single.stdout);
}

#[test]
fn output_keeps_escapes_number_text_key_order_and_non_ascii() {
    let out = unzip(&["-q", &fixture("inputs/02-delivery-pretty-crlf.json")], b"").stdout;
    assert!(out.contains(r#""userAgent":"Mozilla\/5.0 (X11; Linux x86_64) caf\u00e9 été""#));
    assert!(out.contains(r#""spotPrice":1.50,"clientToken":1180591620717411303424}"#));
    assert!(out.starts_with(r#"{"eventVersion":"1.05","userIdentity":{"type":"IAMUser""#));
    assert!(!out.contains('\r'));
}

#[test]
fn stdin_plain_and_gzip_streams() {
    let plain = unzip(&["-q"], records(&[E1, E2]).as_bytes());
    assert_lines_eq(&format!("{E1}\n{E2}\n"), &plain.stdout);
    // Concatenated gzip members, as `ct-fetch --stdout` writes them, read from a pipe.
    let mut stream = gz(records(&[E1]).as_bytes());
    stream.extend(gz(records(&[E2]).as_bytes()));
    let run = unzip(&["-q", "-"], &stream);
    assert_lines_eq(&format!("{E1}\n{E2}\n"), &run.stdout);
    run.assert_code(0);
}

#[test]
fn digest_and_empty_inputs_are_notes_with_v_and_silent_without() {
    let args = [
        fixture("inputs/14-digest.json.gz"),
        fixture("inputs/15-empty.json"),
        fixture("inputs/16-empty-array.json"),
        fixture("inputs/17-empty-records.json.gz"),
    ];
    let quiet = unzip(&["-q", &args[0], &args[1], &args[2], &args[3]], b"");
    assert_eq!((quiet.code, quiet.stdout.as_str(), quiet.stderr.as_str()), (0, "", ""));
    let loud = unzip(&["-v", &args[0], &args[1], &args[2], &args[3]], b"");
    loud.assert_code(0);
    assert!(loud.stderr.contains("14-digest.json.gz: note: CloudTrail digest file"), "{}", loud.stderr);
    assert!(loud.stderr.contains("15-empty.json: note: empty input"));
    assert!(loud.stderr.contains("16-empty-array.json: note: empty array"));
    assert!(loud.stderr.contains("17-empty-records.json.gz: note: empty container"));
    assert!(
        loud.stderr.ends_with("ct-unzip: 4 files (1 digest file skipped), 0 events, 0 errors\n"),
        "{}",
        loud.stderr
    );
}

#[test]
fn bad_inputs_are_named_and_the_good_records_around_them_come_out() {
    let run = unzip(&[&fixture("bad")], b"");
    run.assert_code(2);
    let err = &run.stderr;
    let bad = fixture("bad");
    for line in [
        format!("ct-unzip: {bad}/bad-line.ndjson: line 2: invalid JSON: the value opened here is never closed"),
        format!("ct-unzip: {bad}/bad-record.json: record 3: invalid JSON: expected ident"),
        format!("ct-unzip: {bad}/binary.bin: binary data, not JSON"),
        format!("ct-unzip: {bad}/corrupt-deflate.json.gz: corrupt gzip data"),
        format!("ct-unzip: {bad}/not-cloudtrail.json: line 1: JSON value is not a CloudTrail event"),
        format!("ct-unzip: {bad}/truncated.json.gz: truncated gzip data"),
    ] {
        assert!(err.contains(&line), "missing {line:?} in:\n{err}");
    }
    assert!(err.ends_with(" errors\n") && err.contains("ct-unzip: 6 files, "), "{err}");
    // Every line that came out is a whole event.
    for v in run.records() {
        assert!(v.get("eventName").is_some(), "{v}");
    }
    // bad-line.ndjson: the lines before and after the broken one.
    let one = unzip(&["-q", &fixture("bad/bad-line.ndjson")], b"");
    assert_eq!(one.stdout.lines().count(), 2);
    assert!(one.stdout.lines().nth(1).unwrap().contains("\"GetObject\""));
    // bad-record.json: the two records before the bad one.
    let rec = unzip(&["-q", &fixture("bad/bad-record.json")], b"");
    assert_eq!(rec.stdout.lines().count(), 2);
    // truncated.json.gz: a prefix of its 1200 records, each whole.
    let t = unzip(&["-q", &fixture("bad/truncated.json.gz")], b"");
    let n = t.stdout.lines().count();
    assert!(n > 300 && n < 1200, "{n} records before the cut");
}

#[test]
fn a_bad_file_does_not_stop_the_next_one_and_strict_does() {
    let good = fixture("inputs/01-delivery.json.gz");
    let bad = fixture("bad/binary.bin");
    let run = unzip(&["-q", &bad, &good, "/no/such/file", &good], b"");
    run.assert_code(2);
    assert_eq!(run.stdout.lines().count(), 6);
    assert!(run.stderr.contains("ct-unzip: /no/such/file: cannot open: No such file or directory"), "{}", run.stderr);
    let strict = unzip(&["--strict", &good, &bad, &good], b"");
    strict.assert_code(2);
    assert_eq!(strict.stdout.lines().count(), 3, "nothing after the first bad input");
    assert!(strict.stderr.contains("stopped at the first, --strict"), "{}", strict.stderr);
}

#[test]
fn jobs_give_identical_output_and_messages() {
    let dirs = [fixture("inputs"), fixture("bad"), fixture("inputs")];
    let one = unzip(&["-v", "-j", "1", &dirs[0], &dirs[1], &dirs[2]], b"");
    for j in ["2", "3", "8"] {
        let many = unzip(&["-v", "-j", j, &dirs[0], &dirs[1], &dirs[2]], b"");
        assert_eq!(one.code, many.code);
        assert!(one.stdout == many.stdout, "stdout differs with -j {j}");
        assert_eq!(one.stderr, many.stderr, "stderr differs with -j {j}");
    }
    let strict1 = unzip(&["--strict", "-j", "1", &dirs[0], &dirs[1]], b"");
    let strict4 = unzip(&["--strict", "-j", "4", &dirs[0], &dirs[1]], b"");
    assert_eq!((strict1.stdout, strict1.stderr), (strict4.stdout, strict4.stderr));
}

#[test]
fn dedupe_drops_repeated_event_ids_only() {
    let no_id = r#"{"eventVersion":"1.05","eventTime":"2017-06-01T00:00:00Z","eventName":"X"}"#;
    let input = format!("{}\n{}\n{no_id}\n{no_id}\n", records(&[E1, E2]), records(&[E2, E1]));
    let run = unzip(&["--dedupe"], input.as_bytes());
    assert_lines_eq(&format!("{E1}\n{E2}\n{no_id}\n{no_id}\n"), &run.stdout);
    assert!(run.stderr.contains("4 events, 2 duplicates dropped, 0 errors"), "{}", run.stderr);
    let plain = unzip(&["-q"], input.as_bytes());
    assert_eq!(plain.stdout.lines().count(), 6);
}

#[test]
fn quiet_drops_the_summary_but_not_errors() {
    let run = unzip(&["-q", &fixture("bad/not-cloudtrail.json")], b"");
    run.assert_code(2);
    assert_eq!(run.stderr.lines().count(), 1);
    let loud = unzip(&[&fixture("inputs/01-delivery.json.gz")], b"");
    assert_eq!(loud.stderr, "ct-unzip: 1 file, 3 events, 0 errors\n");
}

#[test]
fn a_50_mb_record_comes_out_whole_from_gzip_and_from_a_stream() {
    let dir = tempfile::tempdir().unwrap();
    let big = format!(
        r#"{{"eventVersion":"1.08","eventName":"PutObject","requestParameters":{{"blob":"{}"}}}}"#,
        "A".repeat(50 << 20)
    );
    let path = dir.path().join("big.json.gz");
    std::fs::write(&path, gz(records(&[E1, &big, E2]).as_bytes())).unwrap();
    let run = unzip(&["-q", path.to_str().unwrap()], b"");
    run.assert_code(0);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 3);
    assert!(lines[1] == big, "the big record changed");
    let streamed = unzip(&["-q"], format!("{E1}\n{big}\n{E2}\n").as_bytes());
    assert_eq!(streamed.stdout.len(), E1.len() + big.len() + E2.len() + 3);
}

#[test]
fn a_closed_stdout_ends_quietly_with_status_0() {
    let input = format!("{E1}\n").repeat(20_000);
    let run = ct_testkit::run_closing_stdout(env!("CARGO_BIN_EXE_ct-unzip"), &[], input.into_bytes());
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
}

#[test]
fn usage_errors_exit_2() {
    let run: Run = unzip(&["--no-such-flag"], b"");
    run.assert_code(2);
    assert!(run.stderr.contains("--no-such-flag"));
    unzip(&["-j", "0"], b"").assert_code(2);
}

#[test]
fn invalid_utf8_in_a_string_is_an_error_not_an_event() {
    let mut input = b"{\"eventVersion\":\"1.05\",\"eventName\":\"X\",\"userAgent\":\"caf\xe9\"}\n".to_vec();
    input.extend_from_slice(format!("{E1}\n").as_bytes());
    let run = unzip(&["-q"], &input);
    run.assert_code(2);
    assert_eq!(run.stdout, format!("{E1}\n"));
    assert!(run.stderr.contains("line 1: invalid JSON: invalid UTF-8 in a string"), "{}", run.stderr);
    // Inside a delivery file too.
    let records =
        [b"{\"Records\":[".to_vec(), E1.as_bytes().to_vec(), b",{\"eventName\":\"\xff\"}]}".to_vec()].concat();
    let run = unzip(&["-q"], &records);
    run.assert_code(2);
    assert_eq!(run.stdout, format!("{E1}\n"));
}
