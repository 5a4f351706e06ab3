//! A generated policy always passes `ct-policy check` on the events it was generated from,
//! whatever the events and the generation options (property test over the real binaries:
//! ct-actions for the records, ct-policy to generate and to check).

use proptest::prelude::*;

fn bin(name: &str) -> String {
    let p = std::path::Path::new(env!("CARGO_BIN_EXE_ct-policy")).with_file_name(name);
    assert!(p.exists(), "build {name} first (cargo test --workspace builds it)");
    p.to_str().unwrap().to_string()
}

/// One event of the deploy-agent role: a call from a small vocabulary, in a region, with the
/// request parameters that give resources and condition keys.
fn arb_event() -> impl Strategy<Value = String> {
    let calls = prop::sample::select(vec![
        ("ec2.amazonaws.com", "RunInstances"),
        ("ec2.amazonaws.com", "DescribeInstances"),
        ("ec2.amazonaws.com", "TerminateInstances"),
        ("s3.amazonaws.com", "GetObject"),
        ("s3.amazonaws.com", "PutObject"),
        ("s3.amazonaws.com", "ListObjects"),
        ("kms.amazonaws.com", "Decrypt"),
        ("cloudformation.amazonaws.com", "CreateStack"),
        ("iam.amazonaws.com", "GetRole"),
        ("lambda.amazonaws.com", "UpdateFunctionCode20150331v2"),
        ("sts.amazonaws.com", "GetCallerIdentity"),
    ]);
    let region = prop::sample::select(vec!["ap-southeast-2", "us-east-1", "eu-west-1"]);
    let itype = prop::sample::select(vec!["t2.micro", "t2.small", "m5.large"]);
    let name = "[a-z]{1,6}";
    let error = prop::option::weighted(0.15, prop::sample::select(vec!["AccessDenied", "ThrottlingException"]));
    (calls, region, itype, name, error, 0u32..86_400).prop_map(|((source, ev), region, itype, name, error, secs)| {
        let params = match ev {
            "RunInstances" => format!(
                r#"{{"instanceType":"{itype}","instancesSet":{{"items":[{{"imageId":"ami-1"}}]}},"iamInstanceProfile":{{"name":"p"}}}}"#
            ),
            "TerminateInstances" => format!(r#"{{"instancesSet":{{"items":[{{"instanceId":"i-{name}"}}]}}}}"#),
            "GetObject" | "PutObject" => format!(r#"{{"bucketName":"b-{name}","key":"k/{name}"}}"#),
            "ListObjects" => format!(r#"{{"bucketName":"b-{name}","prefix":"{name}/"}}"#),
            "CreateStack" => format!(
                r#"{{"stackName":"s-{name}","roleARN":"arn:aws:iam::111122223333:role/cfn-{name}"}}"#
            ),
            "GetRole" => format!(r#"{{"roleName":"r-{name}"}}"#),
            "UpdateFunctionCode20150331v2" => format!(r#"{{"functionName":"f-{name}"}}"#),
            _ => "null".to_string(),
        };
        let error = error.map(|e| format!(r#","errorCode":"{e}","errorMessage":"no""#)).unwrap_or_default();
        format!(
            r#"{{"eventVersion":"1.08","userIdentity":{{"type":"AssumedRole","arn":"arn:aws:sts::111122223333:assumed-role/deploy-agent/s","accountId":"111122223333","sessionContext":{{"sessionIssuer":{{"type":"Role","arn":"arn:aws:iam::111122223333:role/deploy-agent","userName":"deploy-agent"}},"attributes":{{"mfaAuthenticated":"false"}}}}}},"eventTime":"2017-06-01T{:02}:{:02}:{:02}Z","eventSource":"{source}","eventName":"{ev}","awsRegion":"{region}","sourceIPAddress":"198.51.100.20","requestParameters":{params},"eventType":"AwsApiCall","recipientAccountId":"111122223333"{error}}}"#,
            secs / 3600,
            secs / 60 % 60,
            secs % 60
        )
    })
}

fn arb_options() -> impl Strategy<Value = Vec<&'static str>> {
    (any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>()).prop_map(
        |(region, restrict, generalize, wildcard, denied)| {
            let mut o = Vec::new();
            if region {
                o.push("--restrict-region");
            }
            if restrict {
                o.push("--restrict=ec2:InstanceType");
                // --generalize widens restricted values, so it needs --restrict.
                if generalize {
                    o.push("--generalize");
                }
            }
            if wildcard {
                o.push("--resources=wildcard");
            }
            if denied {
                o.push("--include-denied");
            }
            o
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn a_generated_policy_passes_on_its_own_events(events in prop::collection::vec(arb_event(), 1..30), opts in arb_options()) {
        let events: String = events.iter().map(|e| e.clone() + "\n").collect();
        let records = ct_testkit::run(&bin("ct-actions"), &["-q"], events.as_bytes());
        prop_assert_eq!(records.code, 0, "{}", records.stderr);
        let recs = records.records();
        let generated = ct_testkit::run(env!("CARGO_BIN_EXE_ct-policy"), &opts, records.stdout.as_bytes());
        // Events that needed no permission give no action, and refused calls none without
        // --include-denied: with nothing to grant, generate refuses (an empty policy).
        let grants =
            recs.iter().any(|r| opts.contains(&"--include-denied") || r["count"].as_u64() > r["denied"].as_u64());
        if !grants {
            prop_assert_eq!(generated.code, 2, "{}", generated.stderr);
            prop_assert!(generated.stderr.contains("no action to grant"), "{}", generated.stderr);
            return Ok(());
        }
        // --restrict with a key that no call that succeeded carries is an error, not a
        // condition silently left out.
        let key_seen = recs.iter().any(|r| r["context"].get("ec2:InstanceType").is_some());
        if opts.contains(&"--restrict=ec2:InstanceType") && generated.code == 2 {
            prop_assert!(generated.stderr.contains("no record carries this key"), "{}", generated.stderr);
            prop_assert!(!key_seen, "{}", records.stdout);
            return Ok(());
        }
        prop_assert_eq!(generated.code, 0, "{}", generated.stderr);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("policy.json");
        std::fs::write(&path, &generated.stdout).unwrap();
        // The calls AWS refused are left out of the policy unless --include-denied, and the
        // check leaves them out the same way; everything else must be allowed.
        let mut check = vec!["check", "--policy", path.to_str().unwrap(), "--allow-empty"];
        if opts.contains(&"--include-denied") {
            check.push("--include-denied");
        }
        let run = ct_testkit::run(env!("CARGO_BIN_EXE_ct-policy"), &check, events.as_bytes());
        prop_assert_eq!(run.code, 0, "options {:?}\npolicy {}\nfindings {}\n{}", opts, generated.stdout, run.stdout, run.stderr);
    }
}
