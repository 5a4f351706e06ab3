//! ct-show end to end: the wiki's three questions printed for people, every format, the
//! columns of every kind of record, --fields, --sort, --count-by, time zones on both sides of
//! daylight saving, CSV formulas, cutting to the terminal's width, exit statuses.

use std::io::Write;
use std::process::{Command, Stdio};

use ct_testkit::{Run, repo};
use serde_json::Value;
use unicode_width::UnicodeWidthStr;

const BIN: &str = env!("CARGO_BIN_EXE_ct-show");

/// Runs ct-show with `env` set and COLUMNS, TZ and TZDIR as the test says (never as the
/// terminal the tests run in has them).
fn show_env(args: &[&str], stdin: &[u8], env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(BIN);
    cmd.args(args).env_remove("COLUMNS").env_remove("TZ").env_remove("TZDIR");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child =
        cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("run ct-show");
    let mut input = child.stdin.take().expect("stdin");
    let data = stdin.to_vec();
    let feeder = std::thread::spawn(move || {
        let _ = input.write_all(&data);
    });
    let out = child.wait_with_output().expect("wait");
    feeder.join().expect("feeder");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).expect("UTF-8 output"),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn show(args: &[&str], stdin: &[u8]) -> Run {
    show_env(args, stdin, &[])
}

fn ok(run: &Run) -> &str {
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    &run.stdout
}

fn data(name: &str) -> String {
    format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn s<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    path.iter().try_fold(v, |v, k| v.get(k)).and_then(Value::as_str)
}

/// The sample trail's events that `keep` selects (the oracle's own reading), as NDJSON.
fn sample(keep: impl Fn(&Value) -> bool) -> String {
    ct_testkit::sample_records().iter().filter(|e| keep(e)).map(|e| format!("{e}\n")).collect()
}

fn time(e: &Value) -> &str {
    s(e, &["eventTime"]).unwrap_or("")
}

/// A small event with the fields the console's columns read.
fn event(t: &str, user: &str, name: &str, extra: &str) -> String {
    format!(
        r#"{{"eventVersion":"1.08","userIdentity":{{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/{user}","accountId":"111122223333","accessKeyId":"AKIA{user}","userName":"{user}"}},"eventTime":"{t}","eventSource":"ec2.amazonaws.com","eventName":"{name}","awsRegion":"ap-southeast-2","sourceIPAddress":"203.0.113.24","userAgent":"aws-cli/2.15.0"{extra}}}"#
    )
}

#[test]
fn wiki_who_logged_in_this_month() {
    let input = sample(|e| s(e, &["eventName"]) == Some("ConsoleLogin") && time(e) >= "2017-06-01T00:00:00Z");
    let run = show(&["--sort", "-time", "--fields", "time,user,ip,responseElements.ConsoleLogin"], input.as_bytes());
    ct_testkit::assert_lines_eq(
        "time\tuser\tip\tresponseElements.ConsoleLogin\n\
         2017-06-02T09:10:02Z\talice\t2001:db8:4f2a:100::24\tSuccess\n\
         2017-06-01T09:30:41Z\tbob\t198.51.100.77\tSuccess\n\
         2017-06-01T09:30:12Z\tbob\t198.51.100.77\tFailure\n\
         2017-06-01T08:58:31Z\talice\t203.0.113.24\tSuccess\n\
         2017-06-01T07:42:09Z\troot\t192.0.2.10\tSuccess\n",
        ok(&run),
    );
    // On a terminal: the console's columns, newest first, times for people.
    let run = show_env(&["--format", "table", "--sort", "-time"], input.as_bytes(), &[("COLUMNS", "200")]);
    let lines: Vec<&str> = ok(&run).lines().collect();
    assert_eq!(
        lines[0].split_whitespace().collect::<Vec<_>>(),
        ["time", "user", "event", "resource-type", "resource", "source", "region", "access-key", "ip", "error"]
    );
    assert!(lines[1].starts_with("2017-06-02 09:10:02 UTC  alice  ConsoleLogin  "), "{}", lines[1]);
    assert!(lines[5].starts_with("2017-06-01 07:42:09 UTC  root   ConsoleLogin  "), "{}", lines[5]);
    assert!(lines[5].contains("signin.amazonaws.com  us-east-1"));
    assert_eq!(lines.len(), 6);
}

#[test]
fn wiki_what_one_user_did() {
    let alice = |e: &Value| s(e, &["userIdentity", "userName"]) == Some("alice") && time(e) >= "2017-06-01T00:00:00Z";
    let input = sample(alice);
    let run = show(&[], input.as_bytes());
    let out = ok(&run);
    let mut lines = out.lines();
    assert_eq!(lines.next(), Some("time\tuser\tevent\tresource-type\tresource\tsource\tregion\taccess-key\tip\terror"));
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split('\t').collect()).collect();
    let events: Vec<Value> = ct_testkit::sample_records().into_iter().filter(|e| alice(e)).collect();
    assert!(rows.len() > 100);
    assert_eq!(rows.len(), events.len());
    for (row, e) in rows.iter().zip(&events) {
        assert_eq!(row.len(), 10, "{row:?}");
        assert_eq!(row[0], time(e));
        assert_eq!(row[1], "alice");
        assert_eq!(row[2], s(e, &["eventName"]).unwrap());
        assert_eq!(row[5], s(e, &["eventSource"]).unwrap());
        assert_eq!(row[6], s(e, &["awsRegion"]).unwrap());
        assert_eq!(row[7], s(e, &["userIdentity", "accessKeyId"]).unwrap_or(""));
        assert_eq!(row[8], s(e, &["sourceIPAddress"]).unwrap());
        assert_eq!(row[9], s(e, &["errorCode"]).unwrap_or(""));
    }
    // Resources as CloudTrail listed them...
    let acl = rows.iter().find(|r| r[2] == "GetBucketAcl").expect("alice's GetBucketAcl");
    assert_eq!((acl[3], acl[4]), ("AWS::S3::Bucket", "deploy-artifacts-111122223333"));
    // ...or, where it listed none, as the IAM mapping finds them: her CreateRole of cfn-exec.
    let create = rows.iter().find(|r| r[2] == "CreateRole").expect("alice's CreateRole");
    assert_eq!((create[3], create[4]), ("iam:role", "role/cfn-exec"));
}

#[test]
fn wiki_stacks_created_between_1_pm_and_5_pm_the_next_day() {
    let input = sample(|e| {
        s(e, &["eventName"]) == Some("CreateStack")
            && ("2017-06-01T13:00:00Z"..="2017-06-02T17:00:00Z").contains(&time(e))
    });
    let run = show(
        &["--tz", "Australia/Melbourne", "--fields", "time,user,event,resource-type,resource,error"],
        input.as_bytes(),
    );
    ct_testkit::assert_lines_eq(
        "time\tuser\tevent\tresource-type\tresource\terror\n\
         2017-06-01T23:06:24+10:00\tci-deploy-1496322240\tCreateStack\tcloudformation:stack\tstack/webapp-prod/19646292-66eb-4562-855a-55545b100b89\t\n\
         2017-06-01T23:07:53+10:00\tci-deploy-1496322240\tCreateStack\tcloudformation:stack\tstack/webapp-prod/*\tAlreadyExistsException\n",
        ok(&run),
    );
    let run = show_env(&["--format", "table", "--tz", "Australia/Melbourne"], input.as_bytes(), &[("COLUMNS", "250")]);
    let lines: Vec<&str> = ok(&run).lines().collect();
    assert!(lines[1].starts_with("2017-06-01 23:06:24 +10:00  ci-deploy-1496322240  CreateStack  cloudformation:stack  stack/webapp-prod/19646292-66eb-4562-855a-55545b100b89"), "{}", lines[1]);
    // The whole ARN is there too.
    let run = show(&["--fields", "resource-arn", "--no-header"], input.as_bytes());
    assert_eq!(
        ok(&run).lines().next(),
        Some(
            "arn:aws:cloudformation:ap-southeast-2:111122223333:stack/webapp-prod/19646292-66eb-4562-855a-55545b100b89"
        )
    );
}

/// Two events whose fields hold what each format must take care of.
fn awkward() -> String {
    let a = event("2017-06-01T13:00:12Z", "alice", "RunInstances", r#","errorCode":"Client.Unauthorized, \"really\"""#);
    let b = event(
        "2017-06-01T13:05:00Z",
        "bob",
        "=HYPERLINK(\\\"http://x\\\")",
        r#","errorMessage":"two\nlines\tand a tab \\ slash""#,
    );
    format!("{a}\n{b}\n")
}

#[test]
fn tsv_is_the_default_in_a_pipe_with_escapes() {
    let run = show(&["--fields", "time,user,event,error,errorMessage"], awkward().as_bytes());
    ct_testkit::assert_lines_eq(
        "time\tuser\tevent\terror\terrorMessage\n\
         2017-06-01T13:00:12Z\talice\tRunInstances\tClient.Unauthorized, \"really\"\t\n\
         2017-06-01T13:05:00Z\tbob\t=HYPERLINK(\"http://x\")\t\ttwo\\nlines\\tand a tab \\\\ slash\n",
        ok(&run),
    );
}

#[test]
fn csv_follows_rfc_4180_and_neutralises_formulas() {
    let run = show(&["--format", "csv", "--fields", "time,user,event,error,errorMessage"], awkward().as_bytes());
    assert_eq!(
        ok(&run),
        "time,user,event,error,errorMessage\r\n\
         2017-06-01T13:00:12Z,alice,RunInstances,\"Client.Unauthorized, \"\"really\"\"\",\r\n\
         2017-06-01T13:05:00Z,bob,\"'=HYPERLINK(\"\"http://x\"\")\",,\"two\nlines\tand a tab \\ slash\"\r\n"
    );
    // Every lead a spreadsheet would run (OWASP, CSV Injection) gets a quote before it.
    let leads = ["=1+1", "+1", "-1+2", "@SUM(A1)", "\tx", "\rx"];
    let input: String = leads
        .iter()
        .map(|l| {
            format!(
                "{}\n",
                event(
                    "2017-06-01T13:00:12Z",
                    "u",
                    "X",
                    &format!(r#","userAgent":{}"#, serde_json::to_string(l).unwrap())
                )
            )
        })
        .collect();
    let run = show(&["--format", "csv", "--fields", "agent", "--no-header"], input.as_bytes());
    let cells: Vec<&str> = ok(&run).split("\r\n").filter(|c| !c.is_empty()).collect();
    assert_eq!(cells.len(), leads.len(), "{cells:?}");
    for (cell, lead) in cells.iter().zip(leads) {
        assert!(cell.trim_start_matches('"').starts_with('\''), "{lead:?} written {cell:?}");
    }
    // A number is never taken for a formula.
    let record = r#"{"action":"s3:GetObject","count":-3,"denied":0,"known":true}"#;
    let run = show(&["--format", "csv", "--fields", "count", "--no-header"], record.as_bytes());
    assert_eq!(ok(&run), "-3\r\n");
}

#[test]
fn json_writes_the_fields_as_one_object_per_row() {
    let run =
        show(&["--format", "json", "--fields", "time,user,event,error,missing,userIdentity"], awkward().as_bytes());
    let rows: Vec<Value> = ok(&run).lines().map(|l| serde_json::from_str(l).expect("JSON")).collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["time"], "2017-06-01T13:00:12Z");
    assert_eq!(rows[0]["error"], "Client.Unauthorized, \"really\"");
    assert_eq!(rows[0]["missing"], Value::Null);
    assert_eq!(rows[0]["userIdentity"]["userName"], "alice");
    assert_eq!(rows[1]["event"], "=HYPERLINK(\"http://x\")");
    // Keys in column order.
    assert!(ok(&run).starts_with(r#"{"time":"2017-06-01T13:00:12Z","user":"alice","event":"RunInstances","#));
    let run = show(&["--format", "json", "--tz", "Australia/Melbourne", "--fields", "time"], awkward().as_bytes());
    assert_eq!(ok(&run).lines().next(), Some(r#"{"time":"2017-06-01T23:00:12+10:00"}"#));
}

#[test]
fn a_table_aligns_columns_and_escapes_control_characters() {
    let evil = event("2017-06-01T13:00:12Z", "mallory", "Get\\u001b[2J\\u202eObject", "");
    let input = format!("{evil}\n{}", awkward());
    let run = show_env(&["--format", "table", "--fields", "user,event,errorMessage"], input.as_bytes(), &[]);
    ct_testkit::assert_lines_eq(
        "user     event                       errorMessage\n\
         mallory  Get\\u{1b}[2J\\u{202e}Object\n\
         alice    RunInstances\n\
         bob      =HYPERLINK(\"http://x\")      two\\nlines\\tand a tab \\ slash\n",
        ok(&run),
    );
    assert!(!run.stdout.contains('\u{1b}'));
}

#[test]
fn a_table_keeps_within_the_terminals_width() {
    let input = sample(|e| s(e, &["userIdentity", "userName"]) == Some("alice"));
    let four = ["--fields", "time,user,event,source"];
    for (width, fields) in [(60usize, &four[..]), (100, &[]), (150, &[])] {
        let mut args = vec!["--format", "table"];
        args.extend(fields);
        let run = show_env(&args, input.as_bytes(), &[("COLUMNS", &width.to_string())]);
        let out = ok(&run);
        assert!(out.contains('…'), "cut at {width}");
        for line in out.lines() {
            assert!(line.width() <= width, "{} > {width}: {line}", line.width());
        }
        // Times keep their width while other columns can make room.
        let first = out.lines().nth(1).unwrap();
        assert!(first.starts_with("2017-06-01 ") && first[..23].ends_with(" UTC"), "{out}");
    }
    // Ten columns need more than 60: cut to six characters each, the table runs past.
    let run = show_env(&["--format", "table"], input.as_bytes(), &[("COLUMNS", "60")]);
    assert!(ok(&run).lines().nth(1).unwrap().starts_with("2017-…  alice  Descr…  "), "{}", run.stdout);
    // Without a width (a table forced into a pipe) nothing is cut.
    let run = show(&["--format", "table"], input.as_bytes());
    assert!(!ok(&run).contains('…'));
}

#[test]
fn a_streamed_table_is_sized_on_its_first_rows() {
    let row = |user: &str| format!("{}\n", event("2017-06-01T13:00:12Z", user, "A", ""));
    let long = "bartholomew-the-long-named";
    // The first 1,000 rows size the columns; a longer name after them is cut.
    let input = format!("{}{}", row("al").repeat(1000), row(long));
    let run = show(&["--format", "table", "--fields", "user,event"], input.as_bytes());
    let lines: Vec<&str> = ok(&run).lines().collect();
    assert_eq!(lines.len(), 1002);
    assert_eq!(lines[0], "user  event");
    assert_eq!(lines[1001], "bar…  A");
    // Within them, it sizes its column.
    let input = format!("{}{}", row("al").repeat(999), row(long));
    let run = show(&["--format", "table", "--fields", "user,event"], input.as_bytes());
    assert_eq!(ok(&run).lines().last(), Some(format!("{long}  A").as_str()));
    // With --line-buffered, the first row alone.
    let input = format!("{}{}", row("al"), row(long));
    let run = show(&["--format", "table", "--line-buffered", "--fields", "user,event"], input.as_bytes());
    assert_eq!(ok(&run), "user  event\nal    A\nbar…  A\n");
}

#[test]
fn each_kind_of_record_has_its_own_columns() {
    let heading = |file: &str| {
        let run = show(&[&data(file)], b"");
        ok(&run).lines().next().unwrap_or("").to_string()
    };
    assert_eq!(heading("deploy-agent.actions"), "action\tcount\tdenied\tfirst\tlast\tprincipals");
    assert_eq!(heading("build-agent.findings"), "decision\taction\tcount\tdenied\tprincipals\tresources\tstatement");
    assert_eq!(heading("objects.ndjson"), "key\tkind\tsize\tlastModified");
    assert_eq!(heading("per-event.actions"), "eventTime\taction\tprincipal\tregion\tresources\terrorCode\tdenied");
    // ct-verify's records: status first, what a reader scans for.
    let verified = show(
        &[],
        b"{\"key\":\"AWSLogs/a.json.gz\",\"kind\":\"log\",\"status\":\"modified\",\"reason\":\"SHA-256 00\"}\n",
    );
    ct_testkit::assert_lines_eq(
        "status\tkind\tkey\treason\nmodified\tlog\tAWSLogs/a.json.gz\tSHA-256 00\n",
        ok(&verified),
    );
    let other =
        show(&[], b"{\"file\":\"a.json.gz\",\"status\":\"ok\",\"checked\":3}\n{\"status\":\"bad\",\"file\":\"b\"}\n");
    ct_testkit::assert_lines_eq("file\tstatus\tchecked\na.json.gz\tok\t3\nb\tbad\t\n", ok(&other));

    let run = show(&[&data("deploy-agent.actions")], b"");
    let create = ok(&run).lines().find(|l| l.starts_with("cloudformation:CreateStack\t")).unwrap();
    assert_eq!(
        create,
        "cloudformation:CreateStack\t2\t0\t2017-06-01T13:06:24Z\t2017-06-01T13:07:53Z\tarn:aws:iam::111122223333:role/deploy-agent"
    );
    let run = show(&["--format", "table", &data("build-agent.findings")], b"");
    let lines: Vec<&str> = ok(&run).lines().collect();
    assert!(lines.iter().any(|l| l.starts_with("ExplicitDeny  ec2:TerminateInstances ")), "{lines:?}");
    // Numbers are aligned right.
    let objects = "{\"key\":\"a.json.gz\",\"size\":5}\n{\"key\":\"b.json.gz\",\"size\":123456}\n";
    let run = show(&["--format", "table", "--fields", "size,key"], objects.as_bytes());
    assert_eq!(ok(&run), "  size  key\n     5  a.json.gz\n123456  b.json.gz\n");
}

#[test]
fn kinds_mixed_in_the_input_are_tables_in_order_of_first_appearance() {
    let actions = std::fs::read_to_string(data("deploy-agent.actions")).unwrap();
    let first = event("2017-06-01T13:00:12Z", "alice", "RunInstances", "");
    let later = event("2017-06-01T14:00:00Z", "bob", "StopInstances", "");
    let input = format!("{first}\n{actions}{later}\n");
    let run = show(&["--fields", "user,event,action,count"], input.as_bytes());
    let out = ok(&run);
    let tables: Vec<&str> = out.split("\n\n").collect();
    assert_eq!(tables.len(), 2, "{out}");
    ct_testkit::assert_lines_eq(
        "user\tevent\taction\tcount\nalice\tRunInstances\t\t\nbob\tStopInstances\t\t",
        tables[0],
    );
    assert!(tables[1].starts_with("user\tevent\taction\tcount\n\t\tcloudformation:CreateStack\t2\n"), "{}", tables[1]);
    assert_eq!(tables[1].lines().count(), 1 + actions.lines().count());
    // Defaults per kind, in CSV too: an empty line between the tables.
    let run = show(&["--format", "csv"], input.as_bytes());
    assert!(ok(&run).contains("\r\n\r\naction,count,denied,first,last,principals\r\n"));
}

#[test]
fn fields_take_json_paths() {
    let input = sample(|e| s(e, &["eventName"]) == Some("RunInstances") && s(e, &["errorCode"]).is_none());
    let run = show(&["--fields", "requestParameters.instanceType,userIdentity.arn", "--no-header"], input.as_bytes());
    let rows: Vec<&str> = ok(&run).lines().collect();
    assert!(!rows.is_empty());
    for row in &rows {
        let (kind, arn) = row.split_once('\t').unwrap();
        assert!(kind.starts_with("t2."), "{row}");
        assert!(arn.starts_with("arn:aws:"), "{row}");
    }
    // Through arrays: every element, or the one an index names.
    let s3 = r#"{"eventVersion":"1.05","eventName":"GetObject","resources":[{"type":"AWS::S3::Object","ARN":"arn:aws:s3:::b/k"},{"type":"AWS::S3::Bucket","ARN":"arn:aws:s3:::b"}]}"#;
    let run = show(&["--fields", "resources.ARN,resources.1.type,resource-type,resource"], s3.as_bytes());
    ct_testkit::assert_lines_eq(
        "resources.ARN\tresources.1.type\tresource-type\tresource\n\
         arn:aws:s3:::b/k, arn:aws:s3:::b\tAWS::S3::Bucket\tAWS::S3::Object, AWS::S3::Bucket\tb/k, b\n",
        ok(&run),
    );
    let run = show(&["--format", "json", "--fields", "resources.ARN,resource"], s3.as_bytes());
    assert_eq!(
        ok(&run),
        "{\"resources.ARN\":[\"arn:aws:s3:::b/k\",\"arn:aws:s3:::b\"],\"resource\":[\"b/k\",\"b\"]}\n"
    );
    // The other named event columns.
    let input = sample(|e| s(e, &["eventName"]) == Some("CreateStack"));
    let run = show(&["--fields", "id,account,arn,role,agent", "--no-header"], input.as_bytes());
    assert_eq!(
        ok(&run).lines().next(),
        Some(
            "893ae430-3c43-4044-a0cd-85da24134249\t111122223333\tarn:aws:sts::111122223333:assumed-role/deploy-agent/ci-deploy-1496322240\tdeploy-agent\taws-cli/1.11.83 Python/2.7.12 Linux/4.4.0-1020-aws botocore/1.5.46"
        )
    );
    let bad = show(&["--fields", "user,,event"], s3.as_bytes());
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("--fields"), "{}", bad.stderr);
}

#[test]
fn sort_orders_rows_newest_first_or_by_any_field() {
    let input: String =
        ["2017-06-01T13:00:00Z", "2017-06-02T01:00:00Z", "2017-05-31T23:59:59Z", "2017-06-01T13:00:00.5Z"]
            .iter()
            .enumerate()
            .map(|(i, t)| format!("{}\n", event(t, &format!("u{i}"), "X", "")))
            .collect();
    let run = show(&["--sort", "-time", "--fields", "time,user", "--no-header"], input.as_bytes());
    ct_testkit::assert_lines_eq(
        "2017-06-02T01:00:00Z\tu1\n2017-06-01T13:00:00.5Z\tu3\n2017-06-01T13:00:00Z\tu0\n2017-05-31T23:59:59Z\tu2\n",
        ok(&run),
    );
    let run = show(&["--sort", "time", "--fields", "user", "--no-header"], input.as_bytes());
    assert_eq!(ok(&run), "u2\nu0\nu3\nu1\n");
    // By a field that is not shown; records without it last, in input order.
    let mixed = format!(
        "{}\n{input}",
        event("2017-06-01T00:00:00Z", "none", "X", "").replace(r#","userAgent":"aws-cli/2.15.0""#, "")
    );
    let run = show(&["--sort", "-agent", "--fields", "user", "--no-header"], mixed.as_bytes());
    assert_eq!(ok(&run), "u0\nu1\nu2\nu3\nnone\n");
    // Numbers as numbers.
    let run = show(&["--sort", "-count", "--fields", "count", "--no-header", &data("deploy-agent.actions")], b"");
    let counts: Vec<u64> = ok(&run).lines().map(|l| l.parse().unwrap()).collect();
    assert!(counts.windows(2).all(|w| w[0] >= w[1]), "{counts:?}");
}

#[test]
fn count_by_counts_who_called_what_most_first() {
    let all = ct_testkit::sample_records();
    let run = show(&["--count-by", "user,event", repo("tests/data/bucket").as_str()], b"");
    let out = ok(&run);
    let mut lines = out.lines();
    assert_eq!(lines.next(), Some("user\tevent\tcount"));
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split('\t').collect()).collect();
    let counts: Vec<u64> = rows.iter().map(|r| r[2].parse().unwrap()).collect();
    assert_eq!(counts.iter().sum::<u64>(), all.len() as u64);
    assert!(counts.windows(2).all(|w| w[0] >= w[1]), "{counts:?}");
    let alice_logins = all
        .iter()
        .filter(|e| {
            s(e, &["userIdentity", "userName"]) == Some("alice") && s(e, &["eventName"]) == Some("ConsoleLogin")
        })
        .count();
    assert!(rows.contains(&vec!["alice", "ConsoleLogin", &alice_logins.to_string()]));

    // As a table: a bar per row, the longest for the largest count.
    let run =
        show_env(&["--format", "table", "--count-by", "region", &repo("tests/data/bucket")], b"", &[("COLUMNS", "80")]);
    ct_testkit::assert_lines_eq(
        &format!(
            "region          count\n\
             ap-southeast-2    785  {}\n\
             us-east-1         102  {}\n\
             eu-west-1          41  {}\n",
            "█".repeat(40),
            "█".repeat(5),
            "█".repeat(2)
        ),
        ok(&run),
    );
    let run = show(&["--format", "json", "--count-by", "region", &repo("tests/data/bucket")], b"");
    assert_eq!(ok(&run).lines().next(), Some(r#"{"region":"ap-southeast-2","count":785}"#));
    let run = show(&["--count-by", "region", "--sort", "region", "--no-header", &repo("tests/data/bucket")], b"");
    assert_eq!(ok(&run), "ap-southeast-2\t785\neu-west-1\t41\nus-east-1\t102\n");
    let bad = show(&["--count-by", "region", "--sort", "user"], b"");
    assert_eq!(bad.code, 2);
}

#[test]
fn count_by_time_buckets_in_time_order() {
    let all = ct_testkit::sample_records();
    let run = show(&["--count-by", "time/hour", &repo("tests/data/bucket")], b"");
    let out = ok(&run);
    let rows: Vec<(&str, u64)> =
        out.lines().skip(1).map(|l| l.split_once('\t').unwrap()).map(|(h, n)| (h, n.parse().unwrap())).collect();
    assert_eq!(rows.iter().map(|r| r.1).sum::<u64>(), all.len() as u64);
    assert!(rows.windows(2).all(|w| w[0].0 < w[1].0), "hours ascending");
    assert_eq!(rows[0].0, "2017-06-01T00:00:00Z");
    let at_13 = all.iter().filter(|e| time(e).starts_with("2017-06-01T13:")).count() as u64;
    assert!(rows.contains(&("2017-06-01T13:00:00Z", at_13)));
    // In Melbourne, 13:00 UTC is 23:00; days are Melbourne's days.
    let run = show(&["--count-by", "time/hour", "--tz", "Australia/Melbourne", &repo("tests/data/bucket")], b"");
    assert!(ok(&run).contains(&format!("2017-06-01T23:00:00+10:00\t{at_13}\n")));
    let run = show_env(
        &["--format", "table", "--count-by", "time/day", "--tz", "Australia/Melbourne", &repo("tests/data/bucket")],
        b"",
        &[],
    );
    let days: Vec<&str> = ok(&run).lines().skip(1).map(|l| l.split_whitespace().next().unwrap()).collect();
    assert_eq!(days, ["2017-06-01", "2017-06-02", "2017-06-03"]);
    let run = show_env(
        &[
            "--format",
            "table",
            "--count-by",
            "time/hour,user",
            "--tz",
            "Australia/Melbourne",
            &repo("tests/data/bucket"),
        ],
        b"",
        &[],
    );
    assert!(ok(&run).lines().nth(1).unwrap().starts_with("2017-06-01 10:00 +10:00  "), "{}", run.stdout);
}

/// Australia/Melbourne left daylight saving at 03:00 on 2017-04-02 (16:00 UTC on the 1st) and
/// went back to it at 02:00 on 2017-10-01 (16:00 UTC on 30 September).
#[test]
fn melbourne_times_on_both_sides_of_daylight_saving() {
    let times = ["2017-04-01T15:59:59Z", "2017-04-01T16:00:00Z", "2017-09-30T15:59:59Z", "2017-09-30T16:00:00Z"];
    let input: String = times.iter().map(|t| format!("{}\n", event(t, "alice", "X", ""))).collect();
    let want_iso =
        "2017-04-02T02:59:59+11:00\n2017-04-02T02:00:00+10:00\n2017-10-01T01:59:59+10:00\n2017-10-01T03:00:00+11:00\n";
    let run = show(&["--tz", "Australia/Melbourne", "--fields", "time", "--no-header"], input.as_bytes());
    assert_eq!(ok(&run), want_iso);
    let run = show(
        &["--format", "table", "--tz", "Australia/Melbourne", "--fields", "time", "--no-header"],
        input.as_bytes(),
    );
    assert_eq!(
        ok(&run),
        "2017-04-02 02:59:59 +11:00\n2017-04-02 02:00:00 +10:00\n2017-10-01 01:59:59 +10:00\n2017-10-01 03:00:00 +11:00\n"
    );
    // --local reads TZ.
    let run =
        show_env(&["--local", "--fields", "time", "--no-header"], input.as_bytes(), &[("TZ", "Australia/Melbourne")]);
    assert_eq!(ok(&run), want_iso);
    // A zone the system cannot tell: said, and UTC.
    let run = show_env(&["--local", "--fields", "time", "--no-header"], input.as_bytes(), &[("TZ", "Invalid/Zone")]);
    assert_eq!(ok(&run), times.map(|t| format!("{t}\n")).concat());
    assert!(run.stderr.starts_with("ct-show: --local: warning: cannot tell the system's time zone"), "{}", run.stderr);
    assert!(run.stderr.ends_with("; times are shown in UTC\n"), "{}", run.stderr);
    // UTC by default, as AWS writes it.
    let run = show(&["--fields", "time", "--no-header"], input.as_bytes());
    assert_eq!(ok(&run), times.map(|t| format!("{t}\n")).concat());
    // A zone database on the machine that lacks the zone: the built-in copy answers.
    let dir = std::env::temp_dir().join(format!("ct-show-tzdb-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("Nowhere"), b"not a zone").unwrap();
    let tzdir = [("TZDIR", dir.to_str().unwrap())];
    let run = show_env(&["--tz", "Australia/Melbourne", "--fields", "time", "--no-header"], input.as_bytes(), &tzdir);
    assert_eq!(ok(&run), want_iso);
    let with_tz = [tzdir[0], ("TZ", "Australia/Melbourne")];
    let run = show_env(&["--local", "--fields", "time", "--no-header"], input.as_bytes(), &with_tz);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(ok(&run), want_iso);
    let bad = show(&["--tz", "Mars/Olympus_Mons"], input.as_bytes());
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.starts_with("ct-show: --tz: unknown time zone \"Mars/Olympus_Mons\""), "{}", bad.stderr);
}

#[test]
fn reads_what_ct_unzip_reads() {
    // A delivery file on one line, and the sample bucket (gzip, digests skipped).
    let records = format!(
        "{{\"Records\":[{},{}]}}\n",
        event("2017-06-01T13:00:12Z", "alice", "A", ""),
        event("2017-06-01T13:00:13Z", "bob", "B", "")
    );
    let run = show(&["--fields", "user", "--no-header"], records.as_bytes());
    assert_eq!(ok(&run), "alice\nbob\n");
    let run = show(&["--fields", "id", "--no-header", &repo("tests/data/bucket")], b"");
    assert_eq!(ok(&run).lines().count(), ct_testkit::sample_records().len());
}

#[test]
fn exit_statuses() {
    let run = show(&[], b"");
    assert_eq!((run.code, run.stdout.as_str()), (1, ""));
    // A bad line is reported with its place; the records around it are shown.
    let input = format!(
        "{}\nnot json\n[1]\n{}\n",
        event("2017-06-01T13:00:12Z", "alice", "A", ""),
        event("2017-06-01T13:00:13Z", "bob", "B", "")
    );
    let run = show(&["--fields", "user", "--no-header"], input.as_bytes());
    assert_eq!(run.code, 2);
    assert_eq!(run.stdout, "alice\nbob\n");
    assert!(run.stderr.contains("ct-show: <stdin>: line 2: invalid JSON"), "{}", run.stderr);
    assert!(run.stderr.contains("ct-show: <stdin>: line 3: JSON value is not an object"), "{}", run.stderr);
    assert!(run.stderr.contains("ct-show: 2 records, 2 events, 2 errors"), "{}", run.stderr);
    let run = show(&["--fields", "user", "-q"], input.as_bytes());
    assert_eq!(run.code, 2);
    assert!(!run.stderr.contains("2 records"), "{}", run.stderr);
    let run =
        show(&["--fields", "user", "-v"], format!("{}\n", event("2017-06-01T13:00:12Z", "alice", "A", "")).as_bytes());
    assert_eq!((run.code, run.stderr.as_str()), (0, "ct-show: 1 record, 1 event, 0 errors\n"));
    let run = show(&["--fields", "user", "--strict"], input.as_bytes());
    assert_eq!(run.code, 2);
    assert!(!run.stdout.contains("bob"));
    let run = show(&["--count-by", "user/hour"], b"");
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("only times can be bucketed"), "{}", run.stderr);
}

#[test]
fn a_closed_output_ends_quietly() {
    let line = event("2017-06-01T13:00:12Z", "alice", "RunInstances", "");
    let input: Vec<u8> = std::iter::repeat_n(format!("{line}\n"), 100_000).collect::<String>().into_bytes();
    let run = ct_testkit::run_closing_stdout(BIN, &["--fields", "user"], input);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, "user\n");
    assert_eq!(run.stderr, "");
}
