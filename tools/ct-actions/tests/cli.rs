//! ct-actions end to end: records, modes, merging, the sample trail's deploy-agent.

use ct_testkit::{Run, fixture, repo};
use serde_json::Value;

fn actions(args: &[&str], stdin: &[u8]) -> Run {
    ct_testkit::run(env!("CARGO_BIN_EXE_ct-actions"), args, stdin)
}

fn ev(name: &str, source: &str, extra: &str, time: &str, region: &str) -> String {
    format!(
        r#"{{"eventVersion":"1.08","userIdentity":{{"type":"AssumedRole","arn":"arn:aws:sts::111122223333:assumed-role/deploy-agent/s","accountId":"111122223333","sessionContext":{{"sessionIssuer":{{"type":"Role","arn":"arn:aws:iam::111122223333:role/deploy-agent","userName":"deploy-agent"}}}}}},"eventTime":"{time}","eventSource":"{source}","eventName":"{name}","awsRegion":"{region}","sourceIPAddress":"198.51.100.20","eventType":"AwsApiCall","recipientAccountId":"111122223333"{extra}}}"#
    )
}

fn sample() -> String {
    let run =
        ct_testkit::run(env!("CARGO_BIN_EXE_ct-actions"), &["--per-event", "-q", &repo("tests/data/bucket")], b"");
    run.assert_code(0);
    run.stdout
}

#[test]
fn aggregates_counts_denials_errors_times_and_sets() {
    let run_ok = r#","requestParameters":{"instanceType":"t2.micro"}"#;
    let denied = r#","requestParameters":{"instanceType":"t2.small"},"errorCode":"Client.UnauthorizedOperation","errorMessage":"You are not authorized to perform this operation."#;
    let invalid = r#","requestParameters":{"instanceType":"t2.smal"},"errorCode":"Client.InvalidParameterValue""#;
    let input = [
        ev("RunInstances", "ec2.amazonaws.com", run_ok, "2017-06-01T05:00:00Z", "ap-southeast-2"),
        ev("RunInstances", "ec2.amazonaws.com", &format!("{denied}\""), "2017-06-01T01:02:03Z", "ap-southeast-2"),
        ev("RunInstances", "ec2.amazonaws.com", invalid, "2017-06-01T03:00:00Z", "ap-southeast-2"),
        ev("DescribeInstances", "ec2.amazonaws.com", "", "2017-06-01T02:00:00Z", "eu-west-1"),
    ]
    .join("\n");
    let run = actions(&[], input.as_bytes());
    let recs = run.assert_code(0).records();
    assert_eq!(
        recs.iter().map(|r| r["action"].as_str().unwrap()).collect::<Vec<_>>(),
        vec!["ec2:DescribeInstances", "ec2:RunInstances"]
    );
    let r = &recs[1];
    assert_eq!(r["count"], 3);
    assert_eq!(r["denied"], 1, "only the authorization failure counts as denied");
    assert_eq!(r["errors"]["Client.UnauthorizedOperation"], 1);
    assert_eq!(r["errors"]["Client.InvalidParameterValue"], 1);
    assert_eq!(r["first"], "2017-06-01T01:02:03Z");
    assert_eq!(r["last"], "2017-06-01T05:00:00Z");
    assert_eq!(r["regions"], serde_json::json!(["ap-southeast-2"]));
    assert_eq!(r["principals"], serde_json::json!(["arn:aws:iam::111122223333:role/deploy-agent"]));
    assert!(
        r["resources"].as_array().unwrap().contains(&Value::from("arn:aws:ec2:ap-southeast-2:111122223333:instance/*"))
    );
    // The values of each outcome apart: a policy grants what succeeded, a gate judges every
    // call made (the misspelled type failed after authorization; the refused one was not done).
    assert_eq!(r["context"]["ec2:InstanceType"], serde_json::json!(["t2.micro"]));
    assert_eq!(r["failed"]["context"]["ec2:InstanceType"], serde_json::json!(["t2.smal"]));
    assert_eq!(r["refused"]["context"]["ec2:InstanceType"], serde_json::json!(["t2.small"]));
    assert_eq!(r["refused"]["regions"], serde_json::json!(["ap-southeast-2"]));
    assert_eq!(r["known"], true);
    // The record's keys come in the documented order.
    let keys: Vec<&str> =
        run.stdout.lines().nth(1).unwrap().split("\":").map(|s| s.rsplit('"').next().unwrap()).collect();
    assert_eq!(&keys[..4], &["action", "count", "denied", "errors"]);
}

#[test]
fn text_and_per_event_modes() {
    let input = [
        ev("RunInstances", "ec2.amazonaws.com", "", "2017-06-01T05:00:00Z", "ap-southeast-2"),
        ev(
            "GetObject",
            "s3.amazonaws.com",
            r#","requestParameters":{"bucketName":"b","key":"k"}"#,
            "2017-06-01T05:00:01Z",
            "ap-southeast-2",
        ),
        ev("RunInstances", "ec2.amazonaws.com", "", "2017-06-01T05:00:02Z", "ap-southeast-2"),
    ]
    .join("\n");
    let text = actions(&["--text"], input.as_bytes());
    assert_eq!(text.stdout, "ec2:RunInstances\ns3:GetObject\n");
    let per = actions(&["--per-event"], input.as_bytes());
    let recs = per.records();
    assert_eq!(recs.len(), 3);
    assert_eq!(recs[1]["action"], "s3:GetObject");
    assert_eq!(recs[1]["resources"], serde_json::json!(["arn:aws:s3:::b/k"]));
    assert_eq!(recs[2]["eventTime"], "2017-06-01T05:00:02Z");
}

#[test]
fn events_needing_no_permission_are_counted_not_mapped() {
    let input = [
        ev("GetCallerIdentity", "sts.amazonaws.com", "", "2017-06-01T05:00:00Z", "us-east-1"),
        ev("ConsoleLogin", "signin.amazonaws.com", "", "2017-06-01T05:00:00Z", "us-east-1")
            .replace("AwsApiCall", "AwsConsoleSignIn"),
        ev("RotateKey", "kms.amazonaws.com", "", "2017-06-01T05:00:00Z", "us-east-1")
            .replace("AwsApiCall", "AwsServiceEvent"),
        ev("ListBuckets", "s3.amazonaws.com", "", "2017-06-01T05:00:00Z", "us-east-1"),
    ]
    .join("\n");
    let run = actions(&["--text"], input.as_bytes());
    assert_eq!(run.stdout, "s3:ListAllMyBuckets\n");
    assert!(
        run.stderr.contains("2 needing no permission (console sign-in 1, needs no permission 1)"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("1 not calls (service event 1)"), "{}", run.stderr);
}

#[test]
fn unknown_actions_are_kept_and_named() {
    let input = ev("FrobnicateInstances", "ec2.amazonaws.com", "", "2017-06-01T05:00:00Z", "us-east-1");
    let run = actions(&[], input.as_bytes());
    let r = &run.assert_code(0).records()[0];
    assert_eq!((r["action"].as_str(), &r["known"]), (Some("ec2:FrobnicateInstances"), &Value::Bool(false)));
    assert!(run.stderr.contains("not in the IAM action catalog"), "{}", run.stderr);
    assert!(run.stderr.contains("ec2:FrobnicateInstances"));
    assert!(run.stderr.contains("(1 unknown)"));
}

#[test]
fn merging_any_split_gives_the_whole() {
    let events: Vec<String> = sample().lines().map(String::from).collect();
    let all = sample_events();
    let whole = actions(&["-q"], all.as_bytes()).stdout;
    assert!(!whole.is_empty());
    // Split the events three ways at odd places, aggregate each part, merge in another order.
    let lines: Vec<&str> = all.lines().collect();
    let (a, rest) = lines.split_at(lines.len() / 3);
    let (b, c) = rest.split_at(rest.len() / 2 + 7);
    let part = |p: &[&str]| actions(&["-q"], (p.join("\n") + "\n").as_bytes()).stdout;
    let merged_input = format!("{}{}{}", part(c), part(a), part(b));
    let merged = actions(&["-q"], merged_input.as_bytes());
    merged.assert_code(0);
    assert_eq!(merged.stdout, whole);
    // Records mixed with events merge too.
    let mixed = format!("{}{}", part(a), [b, c].concat().join("\n"));
    assert_eq!(actions(&["-q"], mixed.as_bytes()).stdout, whole);
    // Caps merge exactly as well.
    let capped_whole = actions(&["-q", "--cap", "2"], all.as_bytes()).stdout;
    let capped_parts = format!(
        "{}{}",
        actions(&["-q", "--cap", "2"], (b.join("\n") + "\n").as_bytes()).stdout,
        actions(&["-q", "--cap", "2"], ([a, c].concat().join("\n") + "\n").as_bytes()).stdout
    );
    assert_eq!(actions(&["-q", "--cap", "2"], capped_parts.as_bytes()).stdout, capped_whole);
    assert!(capped_whole.contains("\"capped\":["));
    assert!(!events.is_empty());
}

/// The sample trail's events as NDJSON, read by the test's own oracle.
fn sample_events() -> String {
    ct_testkit::sample_records().iter().map(|r| serde_json::to_string(r).unwrap() + "\n").collect()
}

#[test]
fn the_deploy_agent_role_on_the_sample_trail() {
    let filter_free = actions(&["-q", &repo("tests/data/bucket")], b"");
    let recs = filter_free.assert_code(0).records();
    let find = |a: &str| recs.iter().find(|r| r["action"] == a).unwrap_or_else(|| panic!("{a} missing"));
    let run = find("ec2:RunInstances");
    assert!(
        run["principals"].as_array().unwrap().contains(&Value::from("arn:aws:iam::111122223333:role/deploy-agent"))
    );
    assert!(run["context"]["ec2:InstanceType"].as_array().unwrap().contains(&Value::from("t2.micro")));
    let pass = find("iam:PassRole");
    assert_eq!(pass["inferred"], true);
    let create_user = find("iam:CreateUser");
    assert_eq!(create_user["denied"], create_user["count"]);
    // Every record is known: the sample uses real actions only.
    for r in &recs {
        assert_eq!(r["known"], true, "{}", r["action"]);
    }
}

#[test]
fn bad_lines_and_exit_status() {
    let good = ev("ListBuckets", "s3.amazonaws.com", "", "2017-06-01T05:00:00Z", "us-east-1");
    let input = format!("{good}\nnot json\n{{\"action\":7}}\n{good}\n");
    let run = actions(&["--text"], input.as_bytes());
    run.assert_code(2);
    assert_eq!(run.stdout, "s3:ListAllMyBuckets\n");
    assert!(run.stderr.contains("<stdin>: line 2: invalid JSON"), "{}", run.stderr);
    assert!(run.stderr.contains("<stdin>: line 3: bad action record"), "{}", run.stderr);
    // Any input ct-unzip reads.
    let all = actions(&["--text", &fixture("inputs")], b"");
    all.assert_code(0);
    assert!(all.stdout.contains("ec2:RunInstances\n"));
    assert!(all.stdout.contains("s3:GetObject\n"));
}

#[test]
fn jobs_give_the_same_records_and_messages() {
    let mut input = sample_events();
    // Bad lines in the middle, so message order is tested too.
    input.insert_str(input.len() / 3, "not json\n{\"x\":1}\n");
    // Enough copies to span several 4 MiB chunks.
    let copy = sample_events();
    for _ in 0..12 {
        input.push_str(&copy);
    }
    let one = actions(&["-j", "1"], input.as_bytes());
    one.assert_code(2);
    for j in ["2", "3"] {
        let many = actions(&["-j", j], input.as_bytes());
        assert_eq!(many.code, one.code);
        assert!(many.stdout == one.stdout, "records differ with -j {j}");
        assert_eq!(many.stderr, one.stderr, "messages differ with -j {j}");
    }
}

#[test]
fn resources_are_partial_when_an_event_named_none() {
    // Amazon EC2 API Reference, ReleaseAddress: the address is named by AllocationId or, in
    // EC2-Classic, by PublicIp; the catalog's elastic-ip resource is named by the first only.
    let by_id = ev(
        "ReleaseAddress",
        "ec2.amazonaws.com",
        r#","requestParameters":{"allocationId":"eipalloc-1"}"#,
        "2017-06-01T01:00:00Z",
        "us-east-1",
    );
    let by_ip = ev(
        "ReleaseAddress",
        "ec2.amazonaws.com",
        r#","requestParameters":{"publicIp":"203.0.113.9"}"#,
        "2017-06-01T02:00:00Z",
        "us-east-1",
    );
    // DescribeRegions takes no resource: nothing is missing.
    let describe = ev("DescribeRegions", "ec2.amazonaws.com", "", "2017-06-01T03:00:00Z", "us-east-1");
    let run = actions(&["-q"], format!("{by_id}\n{by_ip}\n{describe}\n").as_bytes());
    let recs = run.assert_code(0).records();
    let release = recs.iter().find(|r| r["action"] == "ec2:ReleaseAddress").unwrap();
    assert_eq!(release["resources"].as_array().unwrap().len(), 1, "{release}");
    // (Direct calls, all of them: none has aws:CalledVia.)
    assert_eq!(release["partial"], serde_json::json!(["context:aws:CalledVia", "resources"]), "{release}");
    let regions = recs.iter().find(|r| r["action"] == "ec2:DescribeRegions").unwrap();
    assert_eq!(regions["partial"], serde_json::json!(["context:aws:CalledVia"]), "{regions}");
    // The named use alone is whole.
    let run = actions(&["-q"], format!("{by_id}\n").as_bytes());
    assert_eq!(run.records()[0]["partial"], serde_json::json!(["context:aws:CalledVia"]), "{}", run.stdout);
}

/// Principals seen before by an action are not looked up in its set again (the run numbers
/// its first 64): whatever the order, past the 64th, with any cap, and with records merged in
/// ahead of the events, every action's principals are exactly those its events named.
#[test]
fn principals_are_all_kept_past_the_first_sixty_four() {
    let principal = |i: usize| format!("arn:aws:iam::111122223333:role/r{i:03}");
    let event = |name: &str, i: usize| {
        ev(name, "ec2.amazonaws.com", "", "2017-06-01T05:00:00Z", "ap-southeast-2")
            .replace("arn:aws:iam::111122223333:role/deploy-agent", &principal(i))
    };
    // 80 principals, three rounds in changing orders, over two actions that see different ones.
    let mut lines = Vec::new();
    for round in 0..3 {
        for k in 0..80 {
            let i = (k * 7 + round * 13) % 80;
            lines.push(event("DescribeInstances", i));
            if i % 3 == 0 {
                lines.push(event("RunInstances", i));
            }
        }
    }
    let input = lines.join("\n");
    let want = |step: usize, cap: usize| -> Vec<String> {
        let mut all: Vec<String> = (0..80).filter(|i| i % step == 0).map(principal).collect();
        all.sort();
        all.truncate(cap);
        all
    };
    for cap in ["100", "70", "5"] {
        let run = actions(&["--cap", cap], input.as_bytes());
        let recs = run.assert_code(0).records();
        let cap: usize = cap.parse().unwrap();
        for (r, step) in recs.iter().zip([1, 3]) {
            let got: Vec<String> =
                r["principals"].as_array().unwrap().iter().map(|p| p.as_str().unwrap().to_string()).collect();
            assert_eq!(got, want(step, cap), "{} with --cap {cap}", r["action"]);
            let capped = r["capped"].as_array().is_some_and(|c| c.contains(&Value::from("principals")));
            assert_eq!(capped, 80 / step + usize::from(step == 3) > cap, "{} with --cap {cap}", r["action"]);
        }
    }
    // Merged in ahead of the same events again: the same principals.
    let first = actions(&[], input.as_bytes());
    let again = actions(&[], format!("{}\n{input}", first.stdout).as_bytes());
    let (a, b) = (first.records(), again.records());
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x["principals"], y["principals"]);
    }
}

#[test]
fn keys_that_some_calls_did_not_carry_are_named_partial() {
    let with = r#","requestParameters":{"bucketName":"b","prefix":"in/"}"#;
    let without = r#","requestParameters":{"bucketName":"b"}"#;
    let one = ev("ListObjects", "s3.amazonaws.com", with, "2017-06-01T05:00:00Z", "ap-southeast-2");
    let run = actions(&[], one.as_bytes());
    let recs = run.records();
    assert_eq!(recs[0]["context"]["s3:prefix"], serde_json::json!(["in/"]));
    assert!(!recs[0]["partial"].as_array().is_some_and(|p| p.contains(&Value::from("context:s3:prefix"))));
    let two = [one.clone(), ev("ListObjects", "s3.amazonaws.com", without, "2017-06-01T05:00:01Z", "ap-southeast-2")]
        .join("\n");
    let recs = actions(&[], two.as_bytes()).records();
    assert!(recs[0]["partial"].as_array().unwrap().contains(&Value::from("context:s3:prefix")), "{}", recs[0]);
}

#[test]
fn calls_without_called_via_are_named_partial() {
    // IAM User Guide, "AWS global condition context keys", aws:CalledVia: set only when a
    // service of the CalledVia table (CloudFormation here) makes the call with the caller's
    // credentials, which CloudTrail names in userIdentity.invokedBy.
    let via = ev(
        "CreateQueue",
        "sqs.amazonaws.com",
        r#","requestParameters":{"queueName":"q"}"#,
        "2017-06-01T05:00:00Z",
        "ap-southeast-2",
    )
    .replacen(
        r#""accountId":"111122223333","#,
        r#""accountId":"111122223333","invokedBy":"cloudformation.amazonaws.com","#,
        1,
    )
    .replace("198.51.100.20", "cloudformation.amazonaws.com");
    let recs = actions(&["-q"], via.as_bytes()).records();
    assert_eq!(recs[0]["context"]["aws:CalledVia"], serde_json::json!(["cloudformation.amazonaws.com"]));
    assert!(recs[0].get("partial").is_none(), "{}", recs[0]);
    let direct = ev(
        "CreateQueue",
        "sqs.amazonaws.com",
        r#","requestParameters":{"queueName":"q2"}"#,
        "2017-06-01T05:00:01Z",
        "ap-southeast-2",
    );
    for input in [format!("{via}\n{direct}\n"), format!("{direct}\n{via}\n")] {
        let recs = actions(&["-q"], input.as_bytes()).records();
        assert_eq!(recs[0]["partial"], serde_json::json!(["context:aws:CalledVia"]), "{}", recs[0]);
        // Merged records keep the note, whichever half had the direct call.
        let (first, second) = input.split_once('\n').unwrap();
        let a = actions(&["-q"], format!("{first}\n").as_bytes()).stdout;
        let b = actions(&["-q"], second.as_bytes()).stdout;
        let merged = actions(&["-q"], format!("{a}{b}").as_bytes()).records();
        assert_eq!(merged[0]["partial"], recs[0]["partial"], "{}", merged[0]);
    }
}

#[test]
fn per_event_counts_and_names_unknown_actions() {
    // The man page: the summary counts the actions written, and names those the catalog does
    // not hold, with --per-event as without it.
    let input = [
        ev(
            "GetObject",
            "s3.amazonaws.com",
            r#","requestParameters":{"bucketName":"b","key":"k"}"#,
            "2017-06-01T05:00:01Z",
            "us-east-1",
        ),
        ev("FrobnicateWidget", "ec2.amazonaws.com", "", "2017-06-01T05:00:02Z", "us-east-1"),
        ev("FrobnicateWidget", "ec2.amazonaws.com", "", "2017-06-01T05:00:03Z", "us-east-1"),
    ]
    .join("\n");
    let run = actions(&["--per-event"], input.as_bytes());
    assert_eq!(run.records().len(), 3);
    assert!(run.stderr.contains("3 events, 2 actions (1 unknown)"), "{}", run.stderr);
    assert!(
        run.stderr.contains("not in the IAM action catalog") && run.stderr.contains("ec2:FrobnicateWidget"),
        "{}",
        run.stderr
    );
}
