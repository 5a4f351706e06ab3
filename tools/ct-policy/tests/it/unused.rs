//! `ct-policy unused`: what the policies allow that no call in the input used.

use ct_iam::Catalog;
use ct_testkit::Run;
use serde_json::Value;

fn policy(args: &[&str], stdin: &[u8]) -> Run {
    ct_testkit::run(env!("CARGO_BIN_EXE_ct-policy"), args, stdin)
}

const ROLE: &str = r#"{"type":"AssumedRole","principalId":"AROA:s","arn":"arn:aws:sts::111122223333:assumed-role/ci/s","accountId":"111122223333","sessionContext":{"sessionIssuer":{"type":"Role","arn":"arn:aws:iam::111122223333:role/ci","userName":"ci"},"attributes":{"mfaAuthenticated":"false"}}}"#;

fn event(source: &str, name: &str, rest: &str) -> String {
    format!(
        r#"{{"eventVersion":"1.08","userIdentity":{ROLE},"eventTime":"2024-06-01T13:00:00Z","eventSource":"{source}","eventName":"{name}","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.5","eventType":"AwsApiCall","recipientAccountId":"111122223333"{rest}}}"#
    ) + "\n"
}

fn get_object(bucket: &str, key: &str) -> String {
    event(
        "s3.amazonaws.com",
        "GetObject",
        &format!(r#","requestParameters":{{"bucketName":"{bucket}","key":"{key}"}}"#),
    )
}

fn describe_instances() -> String {
    event("ec2.amazonaws.com", "DescribeInstances", r#","requestParameters":{}"#)
}

/// Runs `unused` with `doc` as the policy file.
fn unused(doc: &str, extra: &[&str], stdin: &str) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("role.json");
    std::fs::write(&path, doc).unwrap();
    let mut args = vec!["unused", "--policy", path.to_str().unwrap()];
    args.extend(extra);
    policy(&args, stdin.as_bytes())
}

fn of_kind<'a>(fs: &'a [Value], kind: &str) -> Vec<&'a Value> {
    fs.iter().filter(|f| f["kind"] == kind).collect()
}

fn doc(statements: &str) -> String {
    format!(r#"{{"Version":"2012-10-17","Statement":[{statements}]}}"#)
}

fn catalog_count(service: &str) -> usize {
    Catalog::get().actions_of(service).count()
}

#[test]
fn a_wildcard_is_one_record_per_service_not_per_action() {
    let run =
        unused(&doc(r#"{"Sid":"Admin","Effect":"Allow","Action":"*","Resource":"*"}"#), &[], &get_object("b1", "k"));
    run.assert_code(1);
    let fs = run.records();
    let services = of_kind(&fs, "service");
    // Every service but S3, once each.
    assert_eq!(services.len(), Catalog::get().prefixes().count() - 1);
    assert!(services.iter().all(|f| f["service"] != "s3" && f["patterns"] == serde_json::json!(["*"])));
    let sqs: Vec<&&Value> = services.iter().filter(|f| f["service"] == "sqs").collect();
    assert_eq!(sqs.len(), 1);
    assert_eq!(sqs[0]["count"], catalog_count("sqs"));
    assert_eq!(sqs[0]["statement"], "Admin");
    // In S3, which was used, the other actions one by one; never the one used.
    let actions = of_kind(&fs, "action");
    assert!(actions.iter().all(|f| f["action"].as_str().unwrap().starts_with("s3:")));
    assert_eq!(actions.len(), catalog_count("s3") - 1);
    assert!(actions.iter().any(|f| f["action"] == "s3:PutObject"));
    assert!(!actions.iter().any(|f| f["action"] == "s3:GetObject"));
    assert!(of_kind(&fs, "statement").is_empty() && of_kind(&fs, "resource").is_empty());
}

#[test]
fn a_used_actions_resource_pattern_that_nothing_matched_is_reported() {
    let policy_doc = doc(
        r#"{"Sid":"Objects","Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":["arn:aws:s3:::b1/*","arn:aws:s3:::b2/*"]}"#,
    );
    let run = unused(&policy_doc, &[], &get_object("b1", "k"));
    run.assert_code(1);
    let fs = run.records();
    assert_eq!(
        fs,
        vec![
            serde_json::json!({"kind":"action","policy":fs[0]["policy"],"statement":"Objects","action":"s3:PutObject","patterns":["s3:PutObject"]}),
            serde_json::json!({"kind":"resource","policy":fs[0]["policy"],"statement":"Objects","resource":"arn:aws:s3:::b2/*","actions":["s3:GetObject"]}),
        ]
    );
    assert!(fs[0]["policy"].as_str().unwrap().ends_with("role.json"));
    // Calls on both buckets, of both actions: nothing is unused.
    let put = event("s3.amazonaws.com", "PutObject", r#","requestParameters":{"bucketName":"b2","key":"k"}"#);
    let all = get_object("b1", "k") + &put;
    let run = unused(&policy_doc, &[], &all);
    assert_eq!((run.code, run.stdout.as_str()), (0, ""), "{}", run.stderr);
}

#[test]
fn a_statement_the_logs_cannot_settle_counts_as_used() {
    // IAM User Guide, global condition keys: aws:PrincipalTag is the principal's tag, which no
    // CloudTrail record shows, so whether this statement allowed the call is Unknown.
    let tagged = doc(
        r#"{"Sid":"Team","Effect":"Allow","Action":"ec2:DescribeInstances","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"build"}}}"#,
    );
    let run = unused(&tagged, &[], &describe_instances());
    assert_eq!((run.code, run.stdout.as_str()), (0, ""), "{}", run.stderr);
    assert!(run.stderr.contains("1 grant counted as used on Unknown decisions"), "{}", run.stderr);
    // The same statement on a key the event settles (the region) and that does not hold:
    // it allowed nothing.
    let region = doc(
        r#"{"Sid":"Team","Effect":"Allow","Action":"ec2:DescribeInstances","Resource":"*","Condition":{"StringEquals":{"aws:RequestedRegion":"eu-west-1"}}}"#,
    );
    let run = unused(&region, &[], &describe_instances());
    run.assert_code(1);
    assert_eq!(run.records()[0]["kind"], "statement");
    assert_eq!(run.records()[0]["count"], 1);
}

#[test]
fn a_resource_the_input_does_not_name_leaves_every_pattern_used() {
    // A bare action line names no resource: either pattern may have been the one.
    let d = doc(
        r#"{"Sid":"Objects","Effect":"Allow","Action":"s3:GetObject","Resource":["arn:aws:s3:::b1/*","arn:aws:s3:::b2/*"]}"#,
    );
    let run = unused(&d, &[], "s3:GetObject\n");
    assert_eq!((run.code, run.stdout.as_str()), (0, ""), "{}", run.stderr);
    assert!(run.stderr.contains("1 grant counted as used"), "{}", run.stderr);
}

#[test]
fn not_action_is_expanded_to_every_other_action() {
    let run = unused(
        &doc(r#"{"Sid":"Most","Effect":"Allow","NotAction":["iam:*","s3:*"],"Resource":"*"}"#),
        &[],
        &describe_instances(),
    );
    run.assert_code(1);
    let fs = run.records();
    let services = of_kind(&fs, "service");
    assert!(!services.iter().any(|f| f["service"] == "iam" || f["service"] == "s3" || f["service"] == "ec2"));
    assert_eq!(services.len(), Catalog::get().prefixes().count() - 3);
    let sqs = services.iter().find(|f| f["service"] == "sqs").unwrap();
    assert_eq!(sqs["count"], catalog_count("sqs"));
    assert!(sqs.get("patterns").is_none(), "NotAction names no pattern that allows it");
    let actions = of_kind(&fs, "action");
    assert_eq!(actions.len(), catalog_count("ec2") - 1);
    assert!(actions.iter().any(|f| f["action"] == "ec2:RunInstances"));
    assert!(!actions.iter().any(|f| f["action"] == "ec2:DescribeInstances"));
}

#[test]
fn records_and_events_of_the_same_calls_give_the_same_findings() {
    let d = doc(
        r#"{"Sid":"Objects","Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":["arn:aws:s3:::b1/*","arn:aws:s3:::b2/*"]},
           {"Sid":"Read","Effect":"Allow","Action":"ec2:Describe*","Resource":"*","Condition":{"StringEquals":{"aws:RequestedRegion":"us-east-1"}}},
           {"Sid":"Queue","Effect":"Allow","Action":"sqs:*","Resource":"*"},
           {"Effect":"Deny","Action":"iam:*","Resource":"*"}"#,
    );
    let events = get_object("b1", "k") + &describe_instances();
    // What ct-actions writes for those two events.
    let records = concat!(
        r#"{"action":"ec2:DescribeInstances","count":1,"denied":0,"first":"2024-06-01T13:00:00Z","last":"2024-06-01T13:00:00Z","regions":["us-east-1"],"accounts":["111122223333"],"principals":["arn:aws:iam::111122223333:role/ci"],"resources":[],"context":{"aws:MultiFactorAuthPresent":["false"],"aws:RequestedRegion":["us-east-1"],"aws:SourceIp":["203.0.113.5"]},"known":true}"#,
        "\n",
        r#"{"action":"s3:GetObject","count":1,"denied":0,"first":"2024-06-01T13:00:00Z","last":"2024-06-01T13:00:00Z","regions":["us-east-1"],"accounts":["111122223333"],"principals":["arn:aws:iam::111122223333:role/ci"],"resources":["arn:aws:s3:::b1/k"],"context":{"aws:MultiFactorAuthPresent":["false"],"aws:RequestedRegion":["us-east-1"],"aws:SourceIp":["203.0.113.5"]},"known":true}"#,
        "\n"
    );
    let from_events = unused(&d, &[], &events);
    let from_records = unused(&d, &[], records);
    from_events.assert_code(1);
    from_records.assert_code(1);
    let strip = |r: &Run| -> Vec<Value> {
        r.records()
            .into_iter()
            .map(|mut f| {
                f["policy"] = Value::Null;
                f
            })
            .collect()
    };
    assert_eq!(strip(&from_events), strip(&from_records));
    let fs = from_events.records();
    // The findings are the ones the calls make: Describe* used (the region settled), the
    // queue statement not, b2/* not, PutObject not; the Deny is no finding.
    assert!(fs.iter().any(|f| f["kind"] == "statement" && f["statement"] == "Queue"));
    assert!(fs.iter().any(|f| f["kind"] == "resource" && f["resource"] == "arn:aws:s3:::b2/*"));
    assert!(fs.iter().any(|f| f["kind"] == "action" && f["action"] == "s3:PutObject"));
    assert!(fs.iter().any(|f| f["kind"] == "action" && f["action"] == "ec2:DescribeVpcs"));
    assert!(!fs.iter().any(|f| f["action"] == "ec2:DescribeInstances" || f["statement"] == "#4"));
    assert!(from_records.stderr.contains("0 grants counted as used on Unknown"), "{}", from_records.stderr);
}

#[test]
fn every_allow_statement_that_applies_is_used() {
    // Removing either would still let the call through, but not both: neither is reported.
    let d = doc(r#"{"Sid":"A","Effect":"Allow","Action":"s3:GetObject","Resource":"*"},
           {"Sid":"B","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b1/*"}"#);
    let run = unused(&d, &[], &get_object("b1", "k"));
    assert_eq!((run.code, run.stdout.as_str()), (0, ""), "{}", run.stderr);
    // A Deny that also covers the call changes nothing: the call was made, so some Allow
    // let it through, and the Deny itself is no finding.
    let d = doc(r#"{"Sid":"A","Effect":"Allow","Action":"s3:GetObject","Resource":"*"},
           {"Sid":"D","Effect":"Deny","Action":"s3:*","Resource":"arn:aws:s3:::b1/*"}"#);
    let run = unused(&d, &[], &get_object("b1", "k"));
    assert_eq!((run.code, run.stdout.as_str()), (0, ""), "{}", run.stderr);
}

#[test]
fn names_outside_the_catalog_are_kept_and_not_resource_lists_no_grant() {
    let d = doc(
        r#"{"Sid":"S","Effect":"Allow","Action":["s3:GetObject","s3:GetObjectFromTheFuture"],"NotResource":"arn:aws:s3:::secret/*"}"#,
    );
    let run = unused(&d, &[], &get_object("b1", "k"));
    run.assert_code(1);
    assert_eq!(
        run.records(),
        vec![
            serde_json::json!({"kind":"action","policy":run.records()[0]["policy"],"statement":"S","action":"s3:GetObjectFromTheFuture","patterns":["s3:GetObjectFromTheFuture"]})
        ]
    );
}

#[test]
fn an_input_without_calls_is_an_error_not_everything_unused() {
    let d = doc(r#"{"Sid":"A","Effect":"Allow","Action":"s3:GetObject","Resource":"*"}"#);
    let run = unused(&d, &[], "");
    run.assert_code(2);
    assert_eq!(run.stdout, "");
    assert!(run.stderr.contains("--allow-empty"), "{}", run.stderr);
    // Only refused calls: nothing was done either.
    let refused = get_object("b1", "k").replace(r#""eventType""#, r#""errorCode":"AccessDenied","eventType""#);
    let run = unused(&d, &[], &refused);
    assert_eq!((run.code, run.stdout.as_str()), (2, ""), "{}", run.stderr);
    assert!(run.stderr.contains("1 refused calls left out"), "{}", run.stderr);
    // Asked for, the report says the statement is unused.
    let run = unused(&d, &["--allow-empty"], "");
    run.assert_code(1);
    assert_eq!(run.records()[0]["kind"], "statement");
}

#[test]
fn text_form_for_people() {
    let d = doc(
        r#"{"Sid":"Objects","Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":["arn:aws:s3:::b1/*","arn:aws:s3:::b2/*"]},
           {"Sid":"Queue","Effect":"Allow","Action":"sqs:*","Resource":"*"},
           {"Sid":"Both","Effect":"Allow","Action":["s3:GetObject","sns:Publish"],"Resource":"*"}"#,
    );
    let run = unused(&d, &["--text", "-q"], &get_object("b1", "k"));
    run.assert_code(1);
    assert_eq!(run.stderr, "");
    let lines: Vec<&str> = run.stdout.lines().map(|l| l.split_once("role.json: ").unwrap().1).collect();
    let n = catalog_count("sqs");
    assert_eq!(
        lines,
        [
            "statement Objects: unused action s3:PutObject (by s3:PutObject)",
            "statement Objects: unused resource arn:aws:s3:::b2/*: matched by no call of s3:GetObject",
            &format!("statement Queue: unused statement: allows {n} actions, no call used any"),
            "statement Both: unused service sns: 1 action (by sns:Publish)",
        ]
    );
}
