//! The generator's rules, each on action records written by hand: what tomorrow's job needs is
//! granted, what it never did is not.

use serde_json::{Value, json};

fn generate(args: &[&str], records: &[Value]) -> (i32, Value, String) {
    let input: String = records.iter().map(|r| r.to_string() + "\n").collect();
    let run = ct_testkit::run(env!("CARGO_BIN_EXE_ct-policy"), args, input.as_bytes());
    let doc = serde_json::from_str(&run.stdout).unwrap_or(Value::Null);
    (run.code, doc, run.stderr)
}

/// The statement granting `action`.
fn grant<'d>(doc: &'d Value, action: &str) -> &'d Value {
    doc["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["Action"].as_array().unwrap().contains(&Value::from(action)))
        .unwrap_or_else(|| panic!("no statement grants {action}: {doc:#}"))
}

fn simulate(doc: &Value, action: &str, resource: &str, context: &[&str]) -> bool {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.json");
    std::fs::write(&path, doc.to_string()).unwrap();
    let mut args = vec!["simulate", "--policy", path.to_str().unwrap(), "--action", action, "--resource", resource];
    for c in context {
        args.extend(["--context", c]);
    }
    ct_testkit::run(env!("CARGO_BIN_EXE_ct-policy"), &args, b"").code == 0
}

const ROLE: &str = "arn:aws:iam::111122223333:role/build-agent";

fn record(action: &str, resources: &[&str]) -> Value {
    json!({"action": action, "count": resources.len().max(1), "regions": ["ap-southeast-2"], "accounts": ["111122223333"],
           "principals": [ROLE], "resources": resources, "known": true})
}

#[test]
fn tomorrow_s_versioned_keys_ids_and_per_pull_request_names_are_allowed_and_others_are_not() {
    let records = [
        record(
            "s3:PutObject",
            &[
                "arn:aws:s3:::acme-artifacts/builds/2.3.1/app-2.3.1.tar.gz",
                "arn:aws:s3:::acme-artifacts/builds/2.3.2/app-2.3.2.tar.gz",
            ],
        ),
        record(
            "ec2:TerminateInstances",
            &[
                "arn:aws:ec2:ap-southeast-2:111122223333:instance/i-0a1b2c3d4e5f60718",
                "arn:aws:ec2:ap-southeast-2:111122223333:instance/i-0f9e8d7c6b5a40312",
            ],
        ),
        record(
            "cloudformation:DeleteStack",
            &[
                "arn:aws:cloudformation:ap-southeast-2:111122223333:stack/test-pr-412/0a1b",
                "arn:aws:cloudformation:ap-southeast-2:111122223333:stack/test-pr-413/2c3d",
            ],
        ),
    ];
    let (code, doc, err) = generate(&[], &records);
    assert_eq!(code, 0, "{err}");
    let s3 = grant(&doc, "s3:PutObject");
    assert_eq!(s3["Resource"], json!(["arn:aws:s3:::acme-artifacts/builds/*"]));
    assert!(simulate(&doc, "s3:PutObject", "arn:aws:s3:::acme-artifacts/builds/2.4.0/app-2.4.0.tar.gz", &[]));
    assert!(!simulate(&doc, "s3:PutObject", "arn:aws:s3:::acme-artifacts/config/secrets.json", &[]));
    assert!(!simulate(&doc, "s3:PutObject", "arn:aws:s3:::other-bucket/builds/x", &[]));
    // Instance IDs are made anew: the type in the account and region seen, no other region.
    let i = "arn:aws:ec2:ap-southeast-2:111122223333:instance/i-0123456789abcdef0";
    assert!(simulate(&doc, "ec2:TerminateInstances", i, &[]));
    assert!(!simulate(&doc, "ec2:TerminateInstances", &i.replace("ap-southeast-2", "us-east-1"), &[]));
    assert!(!simulate(&doc, "ec2:TerminateInstances", &i.replace("111122223333", "444455556666"), &[]));
    let stack = "arn:aws:cloudformation:ap-southeast-2:111122223333:stack/test-pr-414/4e5f";
    assert!(simulate(&doc, "cloudformation:DeleteStack", stack, &[]));
    assert!(!simulate(&doc, "cloudformation:DeleteStack", &stack.replace("test-pr-414", "prod-core"), &[]));
    // --resources exact keeps what was seen.
    let (_, exact, _) = generate(&["--resources", "exact"], &records);
    assert_eq!(grant(&exact, "s3:PutObject")["Resource"].as_array().unwrap().len(), 2);
}

#[test]
fn explain_says_why_each_pattern_was_chosen() {
    let records = [record(
        "s3:GetObject",
        &[
            "arn:aws:s3:::acme-data/incoming/2024-03-01/part-0001.csv",
            "arn:aws:s3:::acme-data/incoming/2024-03-02/part-0007.csv",
        ],
    )];
    let (code, _, err) = generate(&["--explain"], &records);
    assert_eq!(code, 0, "{err}");
    let line = err.lines().find(|l| l.contains("explain:") && l.contains("acme-data/incoming/*")).expect(&err);
    assert!(line.contains("share the stem \"incoming/\"") && line.contains("covers 2 seen"), "{line}");
}

#[test]
fn a_capped_resource_set_gives_the_type_pattern_with_a_warning_never_star() {
    let mut r = record("ec2:TerminateInstances", &["arn:aws:ec2:ap-southeast-2:111122223333:instance/i-01"]);
    r["capped"] = json!(["resources"]);
    let (code, doc, err) = generate(&[], &[r]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        grant(&doc, "ec2:TerminateInstances")["Resource"],
        json!(["arn:aws:ec2:ap-southeast-2:111122223333:instance/*"])
    );
    assert!(err.contains("--cap"), "{err}");
}

/// IAM User Guide, "Granting a user permissions to pass a role to an AWS service"
/// (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html): the role
/// passed, and iam:PassedToService for the service that received it.
#[test]
fn pass_role_names_the_role_and_the_service_that_received_it() {
    let mut r = record("iam:PassRole", &["arn:aws:iam::111122223333:role/webapp-instance"]);
    r["context"] = json!({"iam:PassedToService": ["ec2.amazonaws.com"]});
    r["inferred"] = json!(true);
    let (code, doc, err) = generate(&[], &[r]);
    assert_eq!(code, 0, "{err}");
    let st = grant(&doc, "iam:PassRole");
    assert_eq!(st["Resource"], json!(["arn:aws:iam::111122223333:role/webapp-instance"]));
    assert_eq!(st["Condition"]["StringEquals"]["iam:PassedToService"], json!(["ec2.amazonaws.com"]));
    let role = "arn:aws:iam::111122223333:role/webapp-instance";
    assert!(simulate(&doc, "iam:PassRole", role, &["iam:PassedToService=ec2.amazonaws.com"]));
    assert!(!simulate(&doc, "iam:PassRole", role, &["iam:PassedToService=lambda.amazonaws.com"]));
    assert!(!simulate(
        &doc,
        "iam:PassRole",
        "arn:aws:iam::111122223333:role/Admin",
        &["iam:PassedToService=ec2.amazonaws.com"]
    ));
    // A role the calls do not show (an instance profile): never a silent role/*.
    let mut pass =
        record("iam:PassRole", &["arn:aws:iam::111122223333:role/*", "arn:aws:iam::111122223333:role/cfn-exec"]);
    pass["context"] = json!({"iam:PassedToService": ["ec2.amazonaws.com"]});
    let mut launch = record("ec2:RunInstances", &["arn:aws:ec2:ap-southeast-2:111122223333:instance/*"]);
    launch["context"] = json!({"ec2:InstanceProfile": ["arn:aws:iam::111122223333:instance-profile/web"]});
    let (_, doc, err) = generate(&[], &[pass.clone(), launch.clone()]);
    assert!(err.contains("warning") && err.contains("role/*") && err.contains("instance-profile/web"), "{err}");
    assert!(
        grant(&doc, "iam:PassRole")["Resource"]
            .as_array()
            .unwrap()
            .contains(&json!("arn:aws:iam::111122223333:role/*"))
    );
    // The trail shows it: EC2 assumed the profile's role for the instance it launched (the
    // launch's answer pairs the instance with the profile).
    let dir = tempfile::tempdir().unwrap();
    let trail = dir.path().join("trail.ndjson");
    let ev = |name: &str, identity: &str, rest: &str| {
        format!(
            r#"{{"eventVersion":"1.09","userIdentity":{identity},"eventTime":"2024-03-01T02:03:51Z","eventSource":"x.amazonaws.com","eventName":"{name}","awsRegion":"ap-southeast-2","recipientAccountId":"111122223333"{rest}}}"#
        )
    };
    let agent = r#"{"type":"AssumedRole","arn":"arn:aws:sts::111122223333:assumed-role/build-agent/s","accountId":"111122223333"}"#;
    let lines = [
        ev(
            "RunInstances",
            agent,
            r#","responseElements":{"instancesSet":{"items":[{"instanceId":"i-0a1b","iamInstanceProfile":{"arn":"arn:aws:iam::111122223333:instance-profile/web","id":"AIPA1"}}]}}"#,
        ),
        ev(
            "AssumeRole",
            r#"{"type":"AWSService","invokedBy":"ec2.amazonaws.com"}"#,
            r#","requestParameters":{"roleArn":"arn:aws:iam::111122223333:role/web-instance","roleSessionName":"i-0a1b"}"#,
        ),
        // Another instance's role, and a person's AssumeRole: neither is the profile's.
        ev(
            "AssumeRole",
            r#"{"type":"AWSService","invokedBy":"ec2.amazonaws.com"}"#,
            r#","requestParameters":{"roleArn":"arn:aws:iam::111122223333:role/Admin","roleSessionName":"i-0ffff"}"#,
        ),
        ev(
            "AssumeRole",
            agent,
            r#","requestParameters":{"roleArn":"arn:aws:iam::111122223333:role/Admin","roleSessionName":"i-0a1b"}"#,
        ),
    ];
    std::fs::write(&trail, lines.join("\n") + "\n").unwrap();
    let (code, doc, err) = generate(&["--trail", trail.to_str().unwrap()], &[pass, launch]);
    assert_eq!(code, 0, "{err}");
    // The role named in a request stays beside the one resolved.
    assert_eq!(
        grant(&doc, "iam:PassRole")["Resource"],
        json!(["arn:aws:iam::111122223333:role/cfn-exec", "arn:aws:iam::111122223333:role/web-instance"])
    );
    assert!(!err.contains("role/*"), "{err}");
}

/// CloudFormation User Guide, "Controlling access with AWS Identity and Access Management"
/// (cloudformation:ChangeSetName): ExecuteChangeSet given a change set's ARN names no stack; the
/// stacks are those the principal created that change set on.
#[test]
fn a_change_set_executed_is_on_the_stacks_it_was_created_on() {
    let mut create = record(
        "cloudformation:CreateChangeSet",
        &[
            "arn:aws:cloudformation:ap-southeast-2:111122223333:stack/test-pr-412/0a1b",
            "arn:aws:cloudformation:ap-southeast-2:111122223333:stack/test-pr-413/2c3d",
        ],
    );
    create["context"] = json!({"cloudformation:ChangeSetName": ["pr-412-a", "pr-413-b"]});
    let mut execute =
        record("cloudformation:ExecuteChangeSet", &["arn:aws:cloudformation:ap-southeast-2:111122223333:stack/*/*"]);
    execute["context"] = json!({"cloudformation:ChangeSetName": ["pr-412-a", "pr-413-b"]});
    let (code, doc, err) = generate(&[], &[create.clone(), execute.clone()]);
    assert_eq!(code, 0, "{err}");
    let stack = "arn:aws:cloudformation:ap-southeast-2:111122223333:stack";
    assert!(simulate(&doc, "cloudformation:ExecuteChangeSet", &format!("{stack}/test-pr-414/4e5f"), &[]));
    assert!(!simulate(&doc, "cloudformation:ExecuteChangeSet", &format!("{stack}/prod-core/0a6e"), &[]));
    // A change set the principal did not create: nothing to go by, the pattern stays.
    execute["context"] = json!({"cloudformation:ChangeSetName": ["other"]});
    let (_, doc, _) = generate(&[], &[create, execute]);
    assert!(simulate(&doc, "cloudformation:ExecuteChangeSet", &format!("{stack}/prod-core/0a6e"), &[]));
}

#[test]
fn values_seen_only_on_refused_or_failed_calls_are_not_granted() {
    let mut r = record("ec2:RunInstances", &["arn:aws:ec2:ap-southeast-2:111122223333:instance/*"]);
    r["count"] = json!(3);
    r["denied"] = json!(1);
    r["errors"] = json!({"Client.UnauthorizedOperation": 1, "Client.InvalidParameterValue": 1});
    r["context"] = json!({"ec2:InstanceType": ["t2.micro"]});
    r["failed"] = json!({"regions": ["ap-southeast-2"], "context": {"ec2:InstanceType": ["t2.smal"]}});
    r["refused"] = json!({"regions": ["us-east-1"], "context": {"ec2:InstanceType": ["p2.16xlarge"]}});
    let args = ["--restrict-region", "--restrict", "ec2:InstanceType", "--compact"];
    let (code, doc, err) = generate(&args, &[r.clone()]);
    assert_eq!(code, 0, "{err}");
    let st = grant(&doc, "ec2:RunInstances");
    assert_eq!(st["Condition"]["StringEqualsIfExists"]["ec2:InstanceType"], json!(["t2.micro"]));
    assert_eq!(st["Condition"]["StringEquals"]["aws:RequestedRegion"], json!(["ap-southeast-2"]));
    // --include-denied brings them in.
    let mut with = args.to_vec();
    with.push("--include-denied");
    let (_, doc, _) = generate(&with, &[r]);
    let st = grant(&doc, "ec2:RunInstances");
    assert_eq!(
        st["Condition"]["StringEqualsIfExists"]["ec2:InstanceType"],
        json!(["p2.16xlarge", "t2.micro", "t2.smal"])
    );
}

#[test]
fn restricting_a_key_no_record_carries_is_an_error_naming_the_keys_seen() {
    let mut r = record("ec2:RunInstances", &[]);
    r["context"] = json!({"ec2:InstanceType": ["t2.micro"]});
    let (code, _, err) = generate(&["--restrict", "ec2:InstanceTyp"], &[r]);
    assert_eq!(code, 2);
    assert!(err.contains("ec2:InstanceTyp") && err.contains("ec2:InstanceType"), "{err}");
    // A real key that no action granted takes: a note, so that one set of flags serves a role
    // that never touches EC2.
    let (code, _, err) = generate(&["--restrict", "ec2:InstanceType"], &[record("sqs:SendMessage", &[])]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("none of the actions granted takes this key"), "{err}");
    // A key an action takes but no record shows cannot be restricted: an error.
    let (code, _, err) = generate(&["--restrict", "ec2:InstanceType"], &[record("ec2:RunInstances", &[])]);
    assert_eq!(code, 2, "{err}");
}

/// IAM User Guide, "Controlling access to AWS resources using tags"
/// (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_tags.html), and the EC2 User Guide,
/// "Grant permission to tag Amazon EC2 resources during creation"
/// (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/supported-iam-actions-tagging.html).
#[test]
fn what_the_job_creates_with_its_tag_is_all_it_may_terminate_and_retag() {
    let mut run = record(
        "ec2:RunInstances",
        &["arn:aws:ec2:ap-southeast-2:111122223333:instance/*", "arn:aws:ec2:ap-southeast-2::image/ami-0a1b"],
    );
    run["context"] = json!({"aws:RequestTag/app": ["webapp"], "aws:RequestTag/Name": ["web-0301", "web-0302"],
                            "aws:TagKeys": ["Name", "app"]});
    let terminate = record(
        "ec2:TerminateInstances",
        &[
            "arn:aws:ec2:ap-southeast-2:111122223333:instance/i-0a1b2c3d4e5f60718",
            "arn:aws:ec2:ap-southeast-2:111122223333:instance/i-0f9e8d7c6b5a40312",
        ],
    );
    let (code, doc, err) = generate(&[], &[run, terminate]);
    assert_eq!(code, 0, "{err}");
    // The tag every launch carried with one value, not the one that varies.
    let st = grant(&doc, "ec2:TerminateInstances");
    assert_eq!(st["Condition"]["StringEquals"], json!({"aws:ResourceTag/app": ["webapp"]}));
    let i = "arn:aws:ec2:ap-southeast-2:111122223333:instance/i-0123456789abcdef0";
    assert!(simulate(&doc, "ec2:TerminateInstances", i, &["aws:ResourceTag/app=webapp"]));
    assert!(!simulate(&doc, "ec2:TerminateInstances", i, &["aws:ResourceTag/app=bastion"]));
    // Tagging at launch needs ec2:CreateTags, only as part of RunInstances.
    let tags = doc["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["Action"] == json!(["ec2:CreateTags"]))
        .expect("a CreateTags statement");
    assert_eq!(tags["Condition"]["StringEquals"]["ec2:CreateAction"], json!(["RunInstances"]));
    assert_eq!(tags["Condition"]["StringEquals"]["aws:RequestTag/app"], json!(["webapp"]));
    // The launch itself: the new instance only with the job's tag, the image without (the
    // request's tags do not describe it).
    let launch = |resource: &str, tag: &str| {
        let mut c = vec!["aws:RequestedRegion=ap-southeast-2"];
        if !tag.is_empty() {
            c.push(tag);
        }
        simulate(&doc, "ec2:RunInstances", resource, &c)
    };
    let new = "arn:aws:ec2:ap-southeast-2:111122223333:instance/*";
    assert!(launch(new, "aws:RequestTag/app=webapp"));
    assert!(!launch(new, "aws:RequestTag/app=bastion"));
    assert!(!launch(new, ""));
    assert!(launch("arn:aws:ec2:ap-southeast-2::image/ami-0a1b", ""));
    assert!(!simulate(&doc, "ec2:CreateTags", i, &["ec2:CreateAction=CreateTags", "aws:ResourceTag/app=bastion"]));
}

/// IAM User Guide, global condition keys, aws:CalledVia
/// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-calledvia).
#[test]
fn calls_made_only_through_a_service_are_granted_only_through_it() {
    let mut r = record("sqs:CreateQueue", &["arn:aws:sqs:ap-southeast-2:111122223333:test-pr-412-queue"]);
    r["context"] = json!({"aws:CalledVia": ["cloudformation.amazonaws.com"], "aws:ViaAWSService": ["true"]});
    r["via"] = json!(1);
    let (code, doc, err) = generate(&[], &[r.clone()]);
    assert_eq!(code, 0, "{err}");
    let st = grant(&doc, "sqs:CreateQueue");
    assert_eq!(st["Condition"]["ForAnyValue:StringEquals"]["aws:CalledVia"], json!(["cloudformation.amazonaws.com"]));
    // Some calls made directly: no such condition.
    r["count"] = json!(2);
    let (_, doc, _) = generate(&[], &[r]);
    assert!(grant(&doc, "sqs:CreateQueue").get("Condition").is_none());
}

/// CloudTrail User Guide, "Logging data events"
/// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-data-events-with-cloudtrail.html).
#[test]
fn a_job_whose_data_calls_the_trail_did_not_record_is_warned_about() {
    let (code, _, err) = generate(&[], &[record("lambda:UpdateFunctionCode", &[])]);
    assert_eq!(code, 0);
    assert!(err.contains("lambda:InvokeFunction") && err.contains("data events"), "{err}");
    let (_, _, err) = generate(&[], &[record("lambda:UpdateFunctionCode", &[]), record("lambda:InvokeFunction", &[])]);
    assert!(!err.contains("data events"), "{err}");
}

/// CloudWatch Logs User Guide, "Logging Amazon CloudWatch Logs API and console operations in
/// AWS CloudTrail" (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/logging_cw_api_calls.html):
/// PutLogEvents is not logged, so a stream created is a stream written.
#[test]
fn a_log_stream_created_is_a_log_stream_written() {
    let streams = [
        "arn:aws:logs:ap-southeast-2:111122223333:log-group:/acme/etl:log-stream:run/2024-03-01T00",
        "arn:aws:logs:ap-southeast-2:111122223333:log-group:/acme/etl:log-stream:run/2024-03-02T00",
    ];
    let (code, doc, err) = generate(&[], &[record("logs:CreateLogStream", &streams)]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("logs:PutLogEvents added"), "{err}");
    let next = "arn:aws:logs:ap-southeast-2:111122223333:log-group:/acme/etl:log-stream:run/2024-03-08T00";
    assert!(simulate(&doc, "logs:PutLogEvents", next, &[]));
    assert!(!simulate(&doc, "logs:PutLogEvents", &next.replace("/acme/etl", "/acme/audit"), &[]));
}

/// Amazon S3 User Guide, "Bucket policy examples using condition keys"
/// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/amazon-s3-policy-keys.html): s3:prefix
/// limits ListBucket to the keys under a prefix.
#[test]
fn a_bucket_is_listed_only_under_the_prefixes_the_job_listed() {
    let mut r = record("s3:ListBucket", &["arn:aws:s3:::acme-data"]);
    r["context"] = json!({"s3:prefix": ["incoming/2024-03-01/", "incoming/2024-03-02/"]});
    let (code, doc, err) = generate(&[], &[r.clone()]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(grant(&doc, "s3:ListBucket")["Condition"]["StringLike"]["s3:prefix"], json!(["incoming/*"]));
    let bucket = "arn:aws:s3:::acme-data";
    assert!(simulate(&doc, "s3:ListBucket", bucket, &["s3:prefix=incoming/2024-03-08/"]));
    assert!(!simulate(&doc, "s3:ListBucket", bucket, &["s3:prefix=secrets/"]));
    assert!(!simulate(&doc, "s3:ListBucket", bucket, &["s3:prefix="]));
    // Some calls named no prefix: no such condition (it would refuse them).
    r["partial"] = json!(["context:s3:prefix"]);
    let (_, doc, _) = generate(&[], &[r]);
    assert!(grant(&doc, "s3:ListBucket").get("Condition").is_none());
}
