//! ct-filter end to end: the lookup-events questions on the sample trail, inputs of every
//! kind, bad lines, --limit reading no further, exit statuses.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use ct_testkit::{Run, fixture, gz, repo};
use serde_json::Value;

fn filter(args: &[&str], stdin: &[u8]) -> Run {
    ct_testkit::run(env!("CARGO_BIN_EXE_ct-filter"), args, stdin)
}

/// The sample trail's events, each re-serialised compactly (the oracle's own reading).
fn sample_events() -> Vec<String> {
    ct_testkit::sample_records().iter().map(|r| serde_json::to_string(r).unwrap()).collect()
}

fn ndjson(events: &[String]) -> String {
    events.iter().map(|e| format!("{e}\n")).collect()
}

/// Events of `events` that `keep` selects, as the oracle sees them.
fn oracle(events: &[String], keep: impl Fn(&Value) -> bool) -> Vec<String> {
    events.iter().filter(|e| keep(&serde_json::from_str(e).unwrap())).cloned().collect()
}

fn lines(s: &str) -> Vec<String> {
    s.lines().map(String::from).collect()
}

fn s<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    path.iter().try_fold(v, |v, k| v.get(k)).and_then(Value::as_str)
}

#[test]
fn console_logins_this_month() {
    let events = sample_events();
    let run = filter(&["--event-name", "ConsoleLogin", "--start", "2017-06-01 12:00 AM"], ndjson(&events).as_bytes());
    run.assert_code(0);
    let want = oracle(&events, |e| {
        s(e, &["eventName"]) == Some("ConsoleLogin") && s(e, &["eventTime"]).unwrap() >= "2017-06-01T00:00:00Z"
    });
    assert!(!want.is_empty());
    assert_eq!(lines(&run.stdout), want);
}

#[test]
fn what_one_user_did() {
    let events = sample_events();
    let run = filter(&["--user", "alice", "--start", "2017-06-01 12:00 AM"], ndjson(&events).as_bytes());
    let want = oracle(&events, |e| {
        let name = s(e, &["userIdentity", "userName"]) == Some("alice");
        let arn_tail = s(e, &["userIdentity", "arn"]).and_then(|a| a.rsplit('/').next()) == Some("alice");
        (name || arn_tail) && s(e, &["eventTime"]).unwrap() >= "2017-06-01T00:00:00Z"
    });
    assert!(want.len() > 10);
    assert_eq!(lines(&run.stdout), want);
}

#[test]
fn stacks_created_in_a_window() {
    let events = sample_events();
    let args = ["--event-name", "CreateStack", "--start", "2017-06-01 1:00 pm", "--end", "2017-06-02 5:00 pm"];
    let run = filter(&args, ndjson(&events).as_bytes());
    let want = oracle(&events, |e| {
        let t = s(e, &["eventTime"]).unwrap();
        s(e, &["eventName"]) == Some("CreateStack") && ("2017-06-01T13:00:00Z"..="2017-06-02T17:00:00Z").contains(&t)
    });
    assert!(!want.is_empty());
    assert_eq!(lines(&run.stdout), want);
}

#[test]
fn reads_a_log_tree_directly() {
    let events = sample_events();
    let run = filter(&["--role", "deploy-agent", "--no-error", &repo("tests/data/bucket")], b"");
    run.assert_code(0);
    let mut want = oracle(&events, |e| {
        s(e, &["userIdentity", "sessionContext", "sessionIssuer", "userName"]) == Some("deploy-agent")
            && e.get("errorCode").is_none_or(Value::is_null)
    });
    // The oracle re-serialised the events; compare as JSON values, in order.
    let got = run.records();
    let want: Vec<Value> = want.drain(..).map(|l| serde_json::from_str(&l).unwrap()).collect();
    assert!(!want.is_empty());
    assert_eq!(got, want);
}

#[test]
fn invert_partitions_the_input_exactly() {
    let events = sample_events();
    let input = ndjson(&events);
    let yes = filter(&["--error"], input.as_bytes());
    let no = filter(&["-v", "--error"], input.as_bytes());
    assert_eq!(yes.stdout.lines().count() + no.stdout.lines().count(), events.len());
    let mut merged: Vec<&str> = yes.stdout.lines().chain(no.stdout.lines()).collect();
    let mut all: Vec<&str> = events.iter().map(String::as_str).collect();
    merged.sort();
    all.sort();
    assert_eq!(merged, all);
}

#[test]
fn lines_come_out_byte_for_byte() {
    let odd = "{ \"eventName\" : \"ConsoleLogin\", \"eventTime\":\"2017-06-01T00:00:00Z\", \"n\": 1.50, \"u\":\"\\u003d\\/\" }";
    let run = filter(&["--event-name", "ConsoleLogin"], format!("{odd}\r\n").as_bytes());
    assert_eq!(run.stdout, format!("{odd}\n"));
}

#[test]
fn count_quiet_and_exit_statuses() {
    let events = sample_events();
    let input = ndjson(&events);
    let c = filter(&["-c", "--event-name", "ConsoleLogin"], input.as_bytes());
    let n = oracle(&events, |e| s(e, &["eventName"]) == Some("ConsoleLogin")).len();
    assert_eq!(c.stdout, format!("{n}\n"));
    c.assert_code(0);
    let none = filter(&["-c", "--event-name", "NoSuchCall"], input.as_bytes());
    assert_eq!((none.code, none.stdout.as_str()), (1, "0\n"));
    let q = filter(&["-q", "--event-name", "ConsoleLogin"], input.as_bytes());
    assert_eq!((q.code, q.stdout.as_str(), q.stderr.as_str()), (0, "", ""));
    filter(&["-q", "--event-name", "NoSuchCall"], input.as_bytes()).assert_code(1);
    let usage = filter(&["--start", "next tuesday"], b"");
    usage.assert_code(2);
    assert!(usage.stderr.contains("accepted forms"), "{}", usage.stderr);
    filter(&["--source-ip", "10.0.0.0/40"], b"").assert_code(2);
    filter(&["--error", "--no-error"], b"").assert_code(2);
}

#[test]
fn bad_lines_are_reported_and_the_rest_goes_on() {
    let good = r#"{"eventName":"ConsoleLogin","eventTime":"2017-06-01T00:00:00Z"}"#;
    let input = format!("{good}\nnot json at all\n[1,2]\n{{\"eventName\":\"ConsoleLogin\",\n{good}\n");
    // A time range has no literal to look for, so every line is parsed.
    let run = filter(&["--start", "2017-01-01"], input.as_bytes());
    run.assert_code(2);
    assert_eq!(run.stdout, format!("{good}\n{good}\n"));
    assert!(run.stderr.contains("ct-filter: <stdin>: line 2: invalid JSON"), "{}", run.stderr);
    assert!(run.stderr.contains("ct-filter: <stdin>: line 3: JSON value is not an object"), "{}", run.stderr);
    assert!(run.stderr.contains("ct-filter: <stdin>: line 4: invalid JSON"), "{}", run.stderr);
    assert!(run.stderr.contains("3 errors"), "{}", run.stderr);
    let strict = filter(&["--strict", "--start", "2017-01-01"], input.as_bytes());
    strict.assert_code(2);
    assert_eq!(strict.stdout, format!("{good}\n"));
    // A line the prefilter rules out is never parsed, so it is not reported.
    let skipped = filter(&["--event-name", "RunInstances"], input.as_bytes());
    skipped.assert_code(1);
    assert_eq!(skipped.stderr, "");
}

#[test]
fn a_missing_field_is_no_match_not_an_error() {
    let input = "{\"eventName\":\"X\"}\n{\"eventName\":\"X\",\"userIdentity\":{}}\n";
    for args in [
        &["--user", "alice"][..],
        &["--start", "2017-01-01"],
        &["--role", "r"],
        &["--source-ip", "10.0.0.0/8"],
        &["--where", "requestParameters.a=1"],
        &["--has", "userIdentity.type"],
        &["--identity-type", "Root"],
    ] {
        let run = filter(args, input.as_bytes());
        assert_eq!((run.code, run.stdout.as_str(), run.stderr.as_str()), (1, "", ""), "{args:?}");
    }
}

#[test]
fn any_input_the_reader_knows() {
    let e1 = r#"{"eventVersion":"1.05","eventTime":"2017-06-01T00:00:00Z","eventName":"ConsoleLogin","eventSource":"signin.amazonaws.com"}"#;
    let e2 = r#"{"eventVersion":"1.05","eventTime":"2017-06-01T00:00:01Z","eventName":"RunInstances","eventSource":"ec2.amazonaws.com"}"#;
    let records = format!(r#"{{"Records":[{e1},{e2}]}}"#);
    let want = format!("{e1}\n");
    // A gzip stream on stdin, a delivery file on one line, a pretty-printed one.
    assert_eq!(filter(&["--event-name", "ConsoleLogin"], &gz(records.as_bytes())).stdout, want);
    assert_eq!(filter(&["--event-name", "ConsoleLogin"], records.as_bytes()).stdout, want);
    let pretty = serde_json::to_string_pretty(&serde_json::from_str::<Value>(&records).unwrap()).unwrap();
    let got = filter(&["--event-name", "ConsoleLogin"], pretty.as_bytes());
    assert_eq!(serde_json::from_str::<Value>(got.stdout.trim()).unwrap(), serde_json::from_str::<Value>(e1).unwrap());
    // NDJSON that holds a container line among events.
    let mixed = format!("{e2}\n{records}\n{e1}\n");
    assert_eq!(filter(&["--event-name", "ConsoleLogin"], mixed.as_bytes()).stdout, format!("{e1}\n{e1}\n"));
    // Files of every shape ct-unzip reads.
    let run = filter(&["-c", "--event-name", "ConsoleLogin", &fixture("inputs")], b"");
    assert_eq!(run.stdout, "11\n", "{}", run.stderr);
}

#[test]
fn limit_stops_reading_at_the_limit() {
    // The input never ends: ct-filter must stop on its own after two matches.
    let mut child = Command::new(env!("CARGO_BIN_EXE_ct-filter"))
        .args(["--limit", "2", "--event-name", "ConsoleLogin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let line = "{\"eventName\":\"ConsoleLogin\",\"eventTime\":\"2017-06-01T00:00:00Z\"}\n";
    stdin.write_all(format!("{line}{line}").as_bytes()).unwrap();
    stdin.flush().unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < deadline, "ct-filter kept reading past --limit");
        std::thread::sleep(Duration::from_millis(20));
    };
    drop(stdin);
    assert_eq!(status.code(), Some(0));
    let out: Vec<String> = BufReader::new(child.stdout.take().unwrap()).lines().map(Result::unwrap).collect();
    assert_eq!(out.len(), 2);
}

#[test]
fn limit_counts_matches_and_zero_reads_nothing() {
    let line = "{\"eventName\":\"A\"}\n";
    let input = line.repeat(10);
    assert_eq!(filter(&["--limit", "3"], input.as_bytes()).stdout.lines().count(), 3);
    let zero = filter(&["--limit", "0"], input.as_bytes());
    assert_eq!((zero.code, zero.stdout.as_str()), (1, ""));
}

#[test]
fn a_closed_stdout_ends_quietly() {
    let line = "{\"eventName\":\"A\",\"eventTime\":\"2017-06-01T00:00:00Z\"}\n";
    let run = ct_testkit::run_closing_stdout(
        env!("CARGO_BIN_EXE_ct-filter"),
        &["--event-name", "A"],
        line.repeat(200_000).into_bytes(),
    );
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
}

#[test]
fn an_escaped_name_is_still_found() {
    let line = "{\"eventName\":\"Console\\u004cogin\"}\n{\"eventName\":\"PutObject\",\"k\":\"a\\u003d\"}\n";
    let run = filter(&["--event-name", "ConsoleLogin"], line.as_bytes());
    assert_eq!(run.stdout.lines().count(), 1, "{}", run.stderr);
}

#[test]
fn invalid_utf8_is_never_written() {
    let mut input = b"{\"eventName\":\"ConsoleLogin\",\"userAgent\":\"caf\xe9\"}\n".to_vec();
    input.extend_from_slice(b"{\"eventName\":\"ConsoleLogin\",\"userAgent\":\"ok\"}\n");
    let run = ct_testkit::run(env!("CARGO_BIN_EXE_ct-filter"), &["--event-name", "ConsoleLogin"], &input);
    run.assert_code(2);
    assert_eq!(run.stdout, "{\"eventName\":\"ConsoleLogin\",\"userAgent\":\"ok\"}\n");
    assert!(run.stderr.contains("line 1: invalid UTF-8"), "{}", run.stderr);
}

#[test]
fn stats_count_the_lines_the_prefilter_skipped() {
    // --stats says how many events were read: those a literal search skipped were read too.
    let input: String = (0..1000)
        .map(|i| {
            let name = if i % 500 == 0 { "RunInstances" } else { "DescribeInstances" };
            format!(
                r#"{{"eventVersion":"1.08","eventSource":"ec2.amazonaws.com","eventName":"{name}","eventTime":"2024-03-01T10:00:00Z"}}"#
            ) + "\n"
        })
        .collect();
    let run = filter(&["--stats", "--event-name", "RunInstances"], input.as_bytes());
    run.assert_code(0);
    assert!(run.stderr.contains("1000 events read, 2 matched"), "{}", run.stderr);
    // The last line without its newline counts too.
    let cut = input.trim_end_matches('\n');
    let run = filter(&["--stats", "--event-name", "Nothing"], cut.as_bytes());
    assert!(run.stderr.contains("1000 events read, 0 matched"), "{}", run.stderr);
}

/// The console's own answers on the sample trail, whose 2017 records carry no resources[]
/// for CloudFormation: the stack webapp-prod is the one of the stack calls that name it
/// (stackName) and of the RDS look-up of the instance of the same name.
#[test]
fn the_stack_the_console_finds() {
    let events = sample_events();
    let input = ndjson(&events);
    let stack_calls = |e: &Value| {
        s(e, &["eventSource"]) == Some("cloudformation.amazonaws.com")
            && s(e, &["requestParameters", "stackName"]) == Some("webapp-prod")
    };
    let run =
        filter(&["--resource-type", "AWS::CloudFormation::Stack", "--resource-name", "webapp-prod"], input.as_bytes());
    assert_eq!(run.code, 0, "{}", run.stderr);
    let want = oracle(&events, stack_calls);
    assert_eq!(want.len(), 74);
    assert_eq!(lines(&run.stdout), want);
    let run = filter(&["--resource-name", "webapp-prod"], input.as_bytes());
    let want =
        oracle(&events, |e| stack_calls(e) || s(e, &["requestParameters", "dBInstanceName"]) == Some("webapp-prod"));
    assert_eq!(lines(&run.stdout), want);
    // "Which stacks were created in the window": the success and the retried create.
    let args = [
        "--resource-type",
        "AWS::CloudFormation::Stack",
        "--event-name",
        "CreateStack",
        "--start",
        "2017-06-01 1:00 pm",
        "--end",
        "2017-06-02 5:00 pm",
    ];
    let run = filter(&args, input.as_bytes());
    assert_eq!(run.stdout.lines().count(), 2, "{}", run.stderr);
    // Events that carry resources[] answer from them: the S3 objects of the data events.
    let run = filter(&["-c", "--resource-type", "AWS::S3::Object"], input.as_bytes());
    let objects = oracle(&events, |e| {
        e["resources"].as_array().is_some_and(|r| r.iter().any(|r| s(r, &["type"]) == Some("AWS::S3::Object")))
    });
    assert!(!objects.is_empty());
    let mapped_objects = oracle(&events, |e| {
        e.get("resources").is_none()
            && s(e, &["eventSource"]) == Some("s3.amazonaws.com")
            && e["requestParameters"]["key"].is_string()
    });
    assert_eq!(run.stdout, format!("{}\n", objects.len() + mapped_objects.len()), "{}", run.stderr);
}

#[test]
fn a_failed_console_sign_in_is_an_error() {
    let events = sample_events();
    let input = ndjson(&events);
    let failed = |e: &Value| {
        e.get("errorCode").is_some_and(|c| !c.is_null())
            || s(e, &["responseElements", "ConsoleLogin"]) == Some("Failure")
    };
    let run = filter(&["--error"], input.as_bytes());
    assert_eq!(lines(&run.stdout), oracle(&events, failed));
    assert_eq!(run.stdout.lines().count(), 8, "7 with an errorCode and bob's failed sign-in");
    let run = filter(&["--event-name", "ConsoleLogin", "--error"], input.as_bytes());
    let bob: Vec<String> = lines(&run.stdout);
    assert_eq!(bob.len(), 1);
    assert!(bob[0].contains(r#""userName":"bob""#) && !bob[0].contains("errorCode"));
    let run = filter(&["-c", "--event-name", "ConsoleLogin", "--no-error"], input.as_bytes());
    assert_eq!(run.stdout, "4\n");
}

#[test]
fn nothing_matched_says_what_came_close_with_verbose_only() {
    let events = sample_events();
    let input = ndjson(&events);
    for (args, says) in [
        (&["--event-name", "consolelogin"][..], "ConsoleLogin matches --event-name without case (5 events)"),
        (&["--user", "Alice"], "alice matches --user without case (228 events)"),
        (
            &["--region", "ap-southeast2"],
            "--region ap-southeast2 matched no event; the nearest values seen: ap-southeast-2 (785 events)",
        ),
        (
            &["--role", "deploy-agnt"],
            "--role deploy-agnt matched no event; the nearest values seen: deploy-agent (122 events)",
        ),
        (
            &["--event-name", "ConsoleLogin", "--user", "carol"],
            "on its own, --event-name matches 5 events and --user 113 events; no event matches every predicate",
        ),
        (
            &["--event-name", "ConsoleLogin", "--start", "2017-06-03"],
            "on its own, --event-name matches 5 events; no event matches every predicate; the events read are from 2017-06-01T00:06:20Z to 2017-06-02T17:42:01Z",
        ),
    ] {
        let run = filter(&[args, &["--verbose"]].concat(), input.as_bytes());
        assert_eq!((run.code, run.stdout.as_str()), (1, ""), "{args:?}");
        assert_eq!(run.stderr, format!("ct-filter: no event matched; {says}\n"), "{args:?}");
        // A script (stderr not a terminal, no --verbose) sees what it always saw.
        let quiet = filter(args, input.as_bytes());
        assert_eq!((quiet.code, quiet.stdout.as_str(), quiet.stderr.as_str()), (1, "", ""), "{args:?}");
    }
    // -c still writes its count; -q and --invert never explain.
    let run = filter(&["-c", "--verbose", "--event-name", "consolelogin"], input.as_bytes());
    assert_eq!((run.code, run.stdout.as_str()), (1, "0\n"));
    assert!(run.stderr.contains("ConsoleLogin matches"), "{}", run.stderr);
    for args in
        [&["-q", "--verbose", "--event-name", "consolelogin"][..], &["--invert", "--verbose", "--event-name", "*"]]
    {
        let run = filter(args, input.as_bytes());
        assert_eq!((run.code, run.stderr.as_str()), (1, ""), "{args:?}");
    }
    // A match ends the looking: nothing is said.
    let run = filter(&["--verbose", "--event-name", "ConsoleLogin"], input.as_bytes());
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    // The lines the literal search would skip are looked at only for the note: a bad one is
    // not reported, and the exit status stays 1.
    let good = r#"{"eventName":"ConsoleLogin","eventTime":"2017-06-01T00:00:00Z"}"#;
    let bad = format!("{good}\nnot json at all\n[1,2]\n{{\"Records\":[{good}]}}\n");
    let run = filter(&["--verbose", "--event-name", "RunInstances"], bad.as_bytes());
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stderr,
        "ct-filter: no event matched; --event-name RunInstances matched no event; the values seen: ConsoleLogin (1 event)\n"
    );
}

/// Runs a shell command line on a pseudo-terminal (util-linux `script`), feeding it `input`;
/// `None` where `script` is missing.
fn on_terminal(command: &str, input: &[u8]) -> Option<String> {
    let mut child = Command::new("script")
        .args(["-qec", command, "/dev/null"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .ok()?;
    child.stdin.take().unwrap().write_all(input).unwrap();
    let out = child.wait_with_output().unwrap();
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).replace("\r\n", "\n"))
}

#[test]
fn a_terminal_gets_the_note_and_the_reason() {
    let bin = env!("CARGO_BIN_EXE_ct-filter");
    let sample = repo("tests/data/bucket");
    // stderr on a terminal: the reason without --verbose.
    let Some(out) = on_terminal(&format!("'{bin}' --event-name consolelogin '{sample}'; echo status $?"), b"") else {
        eprintln!("no script(1): the terminal cases are left out");
        return;
    };
    assert_eq!(
        out,
        "ct-filter: no event matched; ConsoleLogin matches --event-name without case (5 events)\nstatus 1\n"
    );
    // stdin on a terminal: a note that events are awaited; Ctrl-D (EOF) ends them.
    let out = on_terminal(&format!("'{bin}' --event-name ConsoleLogin; echo status $?"), b"\x04").unwrap();
    assert_eq!(
        out,
        "ct-filter: reading records from the terminal (standard input); give a file or pipe them in, Ctrl-D to end\n\
         ct-filter: no event matched: the input held no events\nstatus 1\n"
    );
    // Events piped in, on a terminal's stderr: no note.
    let out = on_terminal(&format!("echo '{{}}' | '{bin}' --has x; echo status $?"), b"").unwrap();
    assert_eq!(out, "ct-filter: no event matched (1 event read)\nstatus 1\n");
}
