//! ct-policy end to end on the sample trail: generated policies pass the gate on the events
//! they came from, narrower ones fail with the right findings; exit statuses.

use ct_testkit::Run;
use serde_json::Value;

fn policy(args: &[&str], stdin: &[u8]) -> Run {
    ct_testkit::run(env!("CARGO_BIN_EXE_ct-policy"), args, stdin)
}

/// The deploy-agent role's events from the sample trail, through the other tools' logic:
/// ct-policy reads the bucket itself and checks events directly, so the records come from
/// ct-actions' library path, run here via `ct-policy check` on events.
fn deploy_agent_records() -> String {
    // Action records built with ct-actions (a sibling binary in the same target directory).
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_ct-policy")).with_file_name("ct-actions");
    assert!(bin.exists(), "build ct-actions first (cargo test --workspace builds it)");
    let events = deploy_agent_events();
    let run = ct_testkit::run(bin.to_str().unwrap(), &["-q"], events.as_bytes());
    run.assert_code(0);
    run.stdout
}

fn deploy_agent_events() -> String {
    ct_testkit::sample_records()
        .iter()
        .filter(|r| {
            r.pointer("/userIdentity/sessionContext/sessionIssuer/userName").and_then(Value::as_str)
                == Some("deploy-agent")
        })
        .map(|r| serde_json::to_string(r).unwrap() + "\n")
        .collect()
}

/// The gate passes a generated policy on its own events, except where the policy scopes a call
/// by the tags of the resource it acts on (the job's own instances): the events do not show a
/// resource's tags, so those decisions are Unknown and fail closed. Nothing else may be found.
fn assert_only_tags_unknown(check: &ct_testkit::Run) {
    assert!(check.code == 0 || check.code == 1, "{}", check.stderr);
    for f in check.records() {
        assert_eq!(f["decision"], "Unknown", "{f}");
        let keys = f["unknown"].as_array().unwrap();
        assert!(
            keys.iter()
                .all(|k| k.as_str().is_some_and(|k| k.starts_with("aws:ResourceTag/") || k == "ec2:CreateAction")),
            "{f}"
        );
    }
}

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> String {
    let p = dir.path().join(name);
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_string()
}

#[test]
fn generated_policy_is_valid_sorted_and_passes_the_gate_on_its_own_events() {
    let records = deploy_agent_records();
    let generated = policy(&[], records.as_bytes());
    generated.assert_code(0);
    let doc: Value = serde_json::from_str(&generated.stdout).unwrap();
    assert_eq!(doc["Version"], "2012-10-17");
    let statements = doc["Statement"].as_array().unwrap();
    let actions: Vec<&str> =
        statements.iter().flat_map(|s| s["Action"].as_array().unwrap()).map(|a| a.as_str().unwrap()).collect();
    assert!(actions.contains(&"ec2:RunInstances"));
    assert!(actions.contains(&"iam:PassRole"));
    // Refused calls are not granted.
    assert!(!actions.contains(&"iam:CreateUser"));
    assert!(!actions.contains(&"ec2:TerminateInstances"));
    // Deterministic.
    assert_eq!(policy(&[], records.as_bytes()).stdout, generated.stdout);
    let dir = tempfile::tempdir().unwrap();
    let file = write(&dir, "policy.json", &generated.stdout);
    let check = policy(&["check", "--policy", &file], deploy_agent_events().as_bytes());
    assert_only_tags_unknown(&check);
    // Records pool their calls: which call passed which role to which service, or carried
    // which tags, is not in them, so those keys are Unknown there (with, for a launch whose
    // calls did not all name their resources, the resource not named); events settle them.
    let check = policy(&["check", "--policy", &file], records.as_bytes());
    for f in check.records() {
        assert_eq!(f["decision"], "Unknown", "{f}");
        let keys: Vec<&str> = f["unknown"].as_array().unwrap().iter().map(|k| k.as_str().unwrap()).collect();
        let pooled = |k: &str| {
            k == "iam:PassedToService"
                || k.starts_with("aws:ResourceTag/")
                || k.starts_with("aws:RequestTag/")
                || k == "ec2:CreateAction"
        };
        assert!(keys.iter().any(|k| pooled(k)), "{f}");
        assert!(keys.iter().all(|k| pooled(k) || *k == "the resource"), "{f}");
    }
    // With the refused calls counted, the gate names them.
    let strict = policy(&["check", "--include-denied", "--policy", &file], deploy_agent_events().as_bytes());
    strict.assert_code(1);
    let found = strict.records();
    let denied: Vec<&str> =
        found.iter().filter(|f| f["decision"] == "ImplicitDeny").map(|f| f["action"].as_str().unwrap()).collect();
    assert_eq!(denied, vec!["ec2:TerminateInstances", "iam:CreateUser"]);
}

#[test]
fn the_region_restricted_policy_and_the_t2_only_policy() {
    let records = deploy_agent_records();
    let generated = policy(
        &["--restrict-region", "--restrict", "ec2:InstanceType", "--generalize", "--compact"],
        records.as_bytes(),
    );
    generated.assert_code(0);
    let doc: Value = serde_json::from_str(&generated.stdout).unwrap();
    let st = doc["Statement"].as_array().unwrap();
    let run = st.iter().find(|s| s["Action"].as_array().unwrap().contains(&Value::from("ec2:RunInstances"))).unwrap();
    assert_eq!(run["Condition"]["StringLikeIfExists"]["ec2:InstanceType"], serde_json::json!(["t2.*"]));
    assert_eq!(run["Condition"]["StringEquals"]["aws:RequestedRegion"], serde_json::json!(["ap-southeast-2"]));
    // Global services are exempt from the region condition.
    let iam = st.iter().find(|s| s["Action"].as_array().unwrap().contains(&Value::from("iam:PassRole"))).unwrap();
    assert!(iam["Condition"].get("StringEquals").and_then(|c| c.get("aws:RequestedRegion")).is_none(), "{iam}");
    let dir = tempfile::tempdir().unwrap();
    let file = write(&dir, "t2.json", &generated.stdout);
    assert_only_tags_unknown(&policy(&["check", "--policy", &file], deploy_agent_events().as_bytes()));
    // The same policy, checked against an m5 launch and a launch in another region, fails.
    let m5 = deploy_agent_events()
        .lines()
        .find(|l| l.contains("\"RunInstances\"") && l.contains("\"t2.micro\"") && !l.contains("errorCode"))
        .unwrap()
        .replace("\"t2.micro\"", "\"m5.large\"");
    let other = m5.replace("\"m5.large\"", "\"t2.micro\"").replace("ap-southeast-2", "eu-west-1");
    let check = policy(&["check", "--policy", &file], format!("{m5}\n{other}\n").as_bytes());
    check.assert_code(1);
    let f = check.records();
    assert_eq!(f.len(), 1, "{}", check.stdout);
    assert_eq!(f[0]["action"], "ec2:RunInstances");
    assert_eq!(f[0]["decision"], "ImplicitDeny");
    assert_eq!(f[0]["count"], 2);
}

#[test]
fn a_narrower_policy_fails_with_the_right_findings() {
    let dir = tempfile::tempdir().unwrap();
    let narrow = write(
        &dir,
        "narrow.json",
        r#"{"Version":"2012-10-17","Statement":[
            {"Sid":"Deploy","Effect":"Allow","Action":["cloudformation:*","s3:PutObject","iam:PassRole","lambda:*","ec2:*","route53:*","cloudfront:*"],"Resource":"*"},
            {"Sid":"NoLaunch","Effect":"Deny","Action":"ec2:RunInstances","Resource":"*"}]}"#,
    );
    let run = policy(&["check", "--policy", &narrow], deploy_agent_events().as_bytes());
    run.assert_code(1);
    let f = run.records();
    assert_eq!(f.len(), 1, "{}", run.stdout);
    assert_eq!((f[0]["action"].as_str(), f[0]["decision"].as_str()), (Some("ec2:RunInstances"), Some("ExplicitDeny")));
    assert!(f[0]["statement"].as_str().unwrap().ends_with(": NoLaunch"));
    assert!(
        f[0]["principals"].as_array().unwrap().contains(&Value::from("arn:aws:iam::111122223333:role/deploy-agent"))
    );
}

#[test]
fn deny_patterns_alone_allow_everything_else() {
    let events = deploy_agent_events();
    let run = policy(&["check", "--deny", "iam:*", "--deny", "ec2:TerminateInstances"], events.as_bytes());
    run.assert_code(1);
    let f = run.records();
    assert_eq!(f.iter().map(|x| x["action"].as_str().unwrap()).collect::<Vec<_>>(), vec!["iam:PassRole"]);
    policy(&["check", "--deny", "organizations:*"], events.as_bytes()).assert_code(0);
}

#[test]
fn the_gate_fails_closed() {
    let dir = tempfile::tempdir().unwrap();
    let all = write(
        &dir,
        "all.json",
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#,
    );
    // An empty input never passes silently.
    let empty = policy(&["check", "--policy", &all], b"");
    empty.assert_code(2);
    assert!(empty.stderr.contains("empty input never passes"), "{}", empty.stderr);
    policy(&["check", "--allow-empty", "--policy", &all], b"").assert_code(0);
    // A condition the logs cannot show is Unknown, which fails unless --unknown allow.
    let tagged = write(
        &dir,
        "tagged.json",
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"web"}}}}"#,
    );
    let events = deploy_agent_events();
    let unknown = policy(&["check", "--policy", &tagged], events.as_bytes());
    unknown.assert_code(1);
    assert!(unknown.stdout.contains("\"decision\":\"Unknown\""));
    assert!(unknown.stdout.contains("aws:PrincipalTag/team"));
    policy(&["check", "--unknown", "allow", "--policy", &tagged], events.as_bytes()).assert_code(0);
    // A bad policy is an error, not a pass.
    let bad = write(
        &dir,
        "bad.json",
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEqualz":{"a":"b"}}}}"#,
    );
    let run = policy(&["check", "--policy", &bad], events.as_bytes());
    run.assert_code(2);
    assert!(run.stderr.contains("unknown condition operator"), "{}", run.stderr);
    assert_eq!(policy(&["check"], events.as_bytes()).code, 2, "no policy at all is a usage error");
}

#[test]
fn simulate_answers_one_request() {
    let dir = tempfile::tempdir().unwrap();
    let role = write(
        &dir,
        "role.json",
        r#"{"Version":"2012-10-17","Statement":{"Sid":"T2Only","Effect":"Allow","Action":"ec2:RunInstances","Resource":"*","Condition":{"StringLikeIfExists":{"ec2:InstanceType":"t2.*"}}}}"#,
    );
    let instance = "arn:aws:ec2:ap-southeast-2:111122223333:instance/*";
    let no = policy(
        &[
            "simulate",
            "--policy",
            &role,
            "--action",
            "ec2:RunInstances",
            "--resource",
            instance,
            "--context",
            "ec2:InstanceType=m5.large",
        ],
        b"",
    );
    assert_eq!((no.code, no.stdout.as_str()), (1, "ImplicitDeny\t(no statement allows it)\n"));
    let yes = policy(
        &[
            "simulate",
            "--policy",
            &role,
            "--action",
            "ec2:RunInstances",
            "--resource",
            instance,
            "--context",
            "ec2:InstanceType=t2.micro",
        ],
        b"",
    );
    yes.assert_code(0);
    assert!(yes.stdout.starts_with("Allow\t"), "{}", yes.stdout);
    assert!(yes.stdout.contains("T2Only"));
    let old = write(
        &dir,
        "old.json",
        r#"{"Version":"2008-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::home/${aws:username}/*"}}"#,
    );
    let lit = policy(
        &[
            "simulate",
            "--policy",
            &old,
            "--action",
            "s3:GetObject",
            "--resource",
            "arn:aws:s3:::home/${aws:username}/x",
            "--context",
            "aws:username=alice",
        ],
        b"",
    );
    lit.assert_code(0);
    assert!(lit.stderr.contains("policy variables are plain text"), "{}", lit.stderr);
    policy(&["simulate", "--action", "s3:GetObject"], b"").assert_code(2);
}

#[test]
fn size_limit_split_and_guess() {
    // Enough distinct resources to pass the 6,144-character limit.
    let mut records = String::new();
    for i in 0..120 {
        records.push_str(&format!(
            r#"{{"action":"s3:GetObject","count":1,"resources":["arn:aws:s3:::bucket-with-a-long-name-{i:03}/path/to/objects/file.txt"],"known":true}}"#
        ));
        records.push('\n');
    }
    // Generalised, the 120 buckets of one stem are one pattern, far under the limit.
    let general = policy(&[], records.as_bytes());
    general.assert_code(0);
    assert!(general.stdout.contains("arn:aws:s3:::bucket-with-a-long-name-*/path/to/objects/file.txt"));
    let too_big = policy(&["--resources", "exact"], records.as_bytes());
    too_big.assert_code(2);
    assert!(too_big.stderr.contains("--split-dir"), "{}", too_big.stderr);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let split = policy(&["--resources", "exact", "--split-dir", out.to_str().unwrap()], records.as_bytes());
    split.assert_code(0);
    let mut total = 0;
    let mut n = 0;
    for e in std::fs::read_dir(&out).unwrap() {
        let text = std::fs::read_to_string(e.unwrap().path()).unwrap();
        let doc: Value = serde_json::from_str(&text).unwrap();
        assert!(serde_json::to_string(&doc).unwrap().len() <= 6144);
        total +=
            doc["Statement"].as_array().unwrap().iter().map(|s| s["Resource"].as_array().unwrap().len()).sum::<usize>();
        n += 1;
    }
    assert!(n >= 2);
    assert_eq!(total, 120, "nothing dropped in the split");
    // --guess adds the read partners in their own statement; plain lines are accepted.
    let g = policy(&["--guess", "--compact"], b"ec2:RunInstances\ncloudformation:CreateStack\n");
    g.assert_code(0);
    let doc: Value = serde_json::from_str(&g.stdout).unwrap();
    let guessed = doc["Statement"].as_array().unwrap().iter().find(|s| s["Sid"] == "GuessedRelatedReads").unwrap();
    let acts = guessed["Action"].as_array().unwrap();
    assert!(acts.contains(&Value::from("ec2:DescribeInstances")));
    assert!(acts.contains(&Value::from("cloudformation:DescribeStacks")));
}

#[test]
fn records_settle_only_what_every_event_showed() {
    let dir = tempfile::tempdir().unwrap();
    // A Deny on the principal type: records do not carry it, so the gate cannot pass.
    let p = write(
        &dir,
        "p.json",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},
            {"Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalType":"User"}}}]}"#,
    );
    let record = r#"{"action":"s3:ListBucket","count":1,"regions":["us-east-1"],"principals":["arn:aws:iam::1:user/alice"],"known":true}"#;
    let run = policy(&["check", "--policy", &p], format!("{record}\n").as_bytes());
    run.assert_code(1);
    assert!(run.stdout.contains("\"decision\":\"Unknown\""));
    // A bare action name carries nothing at all.
    let region = write(
        &dir,
        "r.json",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:*","Resource":"*"},
            {"Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:RequestedRegion":"eu-west-1"}}}]}"#,
    );
    policy(&["check", "--policy", &region], b"ec2:RunInstances\n").assert_code(1);
    // A capped set proves nothing either.
    let ips = write(
        &dir,
        "ip.json",
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:RequestedRegion":"us-east-1"}}}}"#,
    );
    let capped = r#"{"action":"s3:ListBucket","count":500,"regions":["us-east-1"],"capped":["regions"],"known":true}"#;
    policy(&["check", "--policy", &ips], format!("{capped}\n").as_bytes()).assert_code(1);
}

#[test]
fn input_that_is_not_calls_never_passes() {
    let dir = tempfile::tempdir().unwrap();
    let all = write(
        &dir,
        "all.json",
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#,
    );
    let garbled = policy(&["check", "--policy", &all], b"{\"eventTime\":\"x\",\"awsRegion\":\"y\"}\n");
    garbled.assert_code(2);
    let signin_only = r#"{"eventVersion":"1.05","eventTime":"2017-06-01T00:00:00Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","eventType":"AwsConsoleSignIn"}"#;
    let run = policy(&["check", "--policy", &all], format!("{signin_only}\n").as_bytes());
    run.assert_code(2);
}

#[test]
fn records_settle_an_encryption_context_key_only_when_every_call_had_it() {
    // AWS KMS Developer Guide, "AWS KMS condition keys": kms:EncryptionContext:context-key is
    // the value of that pair of the request's encryption context; a call whose context lacks
    // the key (another key, or no context) does not have it, and the policy cannot allow it.
    let call = |context: &str| {
        format!(
            r#"{{"eventVersion":"1.08","userIdentity":{{"type":"AssumedRole","arn":"arn:aws:sts::111122223333:assumed-role/etl/s","accountId":"111122223333","sessionContext":{{"sessionIssuer":{{"type":"Role","arn":"arn:aws:iam::111122223333:role/etl"}}}}}},"eventTime":"2017-06-01T13:00:00Z","eventSource":"kms.amazonaws.com","eventName":"Decrypt","awsRegion":"ap-southeast-2","eventType":"AwsApiCall","recipientAccountId":"111122223333","requestParameters":{{"encryptionAlgorithm":"SYMMETRIC_DEFAULT"{context}}},"resources":[{{"type":"AWS::KMS::Key","ARN":"arn:aws:kms:ap-southeast-2:111122223333:key/k1"}}]}}"#
        )
    };
    let etl = call(r#","encryptionContext":{"pipeline":"etl"}"#);
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        &dir,
        "p.json",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:EncryptionContext:pipeline":"etl"}}}]}"#,
    );
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_ct-policy")).with_file_name("ct-actions");
    let on_records = |events: String| {
        let records = ct_testkit::run(bin.to_str().unwrap(), &["-q"], events.as_bytes());
        policy(&["check", "--policy", &p], records.stdout.as_bytes()).code
    };
    policy(&["check", "--policy", &p], etl.as_bytes()).assert_code(0);
    assert_eq!(on_records(format!("{etl}\n{etl}\n")), 0);
    for other in [call(""), call(r#","encryptionContext":{"stage":"prod"}"#)] {
        assert_eq!(policy(&["check", "--policy", &p], other.as_bytes()).code, 1, "{other}");
        assert_eq!(on_records(format!("{etl}\n{other}\n")), 1, "{other}");
    }
}

#[test]
fn records_of_events_some_of_which_lack_a_key_do_not_settle_it() {
    // Two calls, one without awsRegion: on the events the gate fails (the second call shows no
    // region, so a region condition cannot allow it); on their action records it must fail
    // too, never pass because the pooled region set looks whole.
    let with = r#"{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/a","accountId":"111122223333"},"eventTime":"2017-06-01T13:00:00Z","eventSource":"ec2.amazonaws.com","eventName":"DescribeInstances","awsRegion":"ap-southeast-2","eventType":"AwsApiCall","recipientAccountId":"111122223333"}"#;
    let without = with.replace(r#""awsRegion":"ap-southeast-2","#, "");
    let events = format!("{with}\n{without}\n");
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        &dir,
        "p.json",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:Describe*","Resource":"*","Condition":{"StringEquals":{"aws:RequestedRegion":"ap-southeast-2"}}}]}"#,
    );
    let on_events = policy(&["check", "--policy", &p], events.as_bytes());
    on_events.assert_code(1);
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_ct-policy")).with_file_name("ct-actions");
    let records = ct_testkit::run(bin.to_str().unwrap(), &["-q"], events.as_bytes());
    assert!(records.stdout.contains(r#""partial":["context:aws:CalledVia","regions"]"#), "{}", records.stdout);
    let on_records = policy(&["check", "--policy", &p], records.stdout.as_bytes());
    on_records.assert_code(1);
    // With every call showing its region, the records settle it and pass.
    let both = format!("{with}\n{with}\n");
    let records = ct_testkit::run(bin.to_str().unwrap(), &["-q"], both.as_bytes());
    policy(&["check", "--policy", &p], records.stdout.as_bytes()).assert_code(0);
}

#[test]
fn an_input_of_refused_calls_only_evaluates_nothing_and_fails() {
    let refused = r#"{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/a"},"eventTime":"2017-06-01T13:00:00Z","eventSource":"iam.amazonaws.com","eventName":"CreateUser","errorCode":"AccessDenied","errorMessage":"User: a is not authorized to perform: iam:CreateUser","eventType":"AwsApiCall","recipientAccountId":"111122223333"}"#;
    let run = policy(&["check", "--deny", "iam:*"], format!("{refused}\n").as_bytes());
    run.assert_code(2);
    assert!(run.stderr.contains("no call to evaluate (1 refused calls left out)"), "{}", run.stderr);
    let run = policy(&["check", "--deny", "iam:*", "--include-denied"], format!("{refused}\n").as_bytes());
    assert_eq!(run.code, 1, "counted, the call is denied by the gate: {}", run.stderr);
}
