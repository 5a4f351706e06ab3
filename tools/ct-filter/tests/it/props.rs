//! ct-filter with a predicate and with --invert partitions its input exactly, for any events
//! and predicates, through the literal prefilter and the skipping scan (property test over the
//! real binary). Event names are sometimes written with JSON escapes, which the prefilter must
//! not miss; for a plain --event-name the matches are also checked against a JSON decoder.

use proptest::prelude::*;

fn filter(args: &[String], stdin: &[u8]) -> ct_testkit::Run {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    ct_testkit::run(env!("CARGO_BIN_EXE_ct-filter"), &args, stdin)
}

const NAMES: &[&str] = &["RunInstances", "ConsoleLogin", "CreateStack", "GetObject", "DescribeInstances"];

/// `RunInstances` or the same with one letter escaped (`Run\u0049nstances`).
fn spelled(name: &str, escape: Option<usize>) -> String {
    match escape {
        Some(i) if i < name.len() => {
            let c = name.as_bytes()[i];
            format!("{}\\u{:04X}{}", &name[..i], c, &name[i + 1..])
        }
        _ => name.to_string(),
    }
}

fn arb_event() -> impl Strategy<Value = String> {
    (
        prop::sample::select(NAMES),
        prop::option::of(0usize..12),
        prop::sample::select(vec!["alice", "bob", "deploy-agent"]),
        prop::sample::select(vec!["us-east-1", "eu-west-1"]),
        prop::option::of(prop::sample::select(vec!["AccessDenied", "Client.UnauthorizedOperation"])),
        0u32..48,
    )
        .prop_map(|(name, escape, user, region, error, hour)| {
            let error = error.map(|e| format!(r#","errorCode":"{e}""#)).unwrap_or_default();
            format!(
                r#"{{"eventVersion":"1.08","userIdentity":{{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/{user}","userName":"{user}"}},"eventTime":"2017-06-{:02}T{:02}:00:00Z","eventSource":"ec2.amazonaws.com","eventName":"{}","awsRegion":"{region}"{error},"eventID":"x"}}"#,
                1 + hour / 24,
                hour % 24,
                spelled(name, escape)
            )
        })
}

fn arb_args() -> impl Strategy<Value = Vec<String>> {
    let one = prop_oneof![
        prop::sample::select(NAMES).prop_map(|n| vec!["--event-name".to_string(), n.to_string()]),
        prop::sample::select(vec!["Run*", "*Instances", "Get?bject", "C*"])
            .prop_map(|n| vec!["--event-name".into(), n.into()]),
        prop::sample::select(vec!["alice", "bob", "b*"]).prop_map(|u| vec!["--user".into(), u.into()]),
        prop::sample::select(vec!["us-east-1", "eu-*"]).prop_map(|r| vec!["--region".into(), r.into()]),
        Just(vec!["--error".to_string()]),
        Just(vec!["--no-error".to_string()]),
        prop::sample::select(vec!["AccessDenied", "*Unauthorized*"])
            .prop_map(|c| vec!["--error-code".into(), c.into()]),
        (0u32..48).prop_map(|h| vec!["--start".into(), format!("2017-06-{:02}T{:02}:30:00Z", 1 + h / 24, h % 24)]),
        (0u32..48).prop_map(|h| vec!["--end".into(), format!("2017-06-{:02}T{:02}:30:00Z", 1 + h / 24, h % 24)]),
        Just(vec!["--where".to_string(), "awsRegion=us-*".to_string()]),
    ];
    prop::collection::vec(one, 1..4).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn a_predicate_and_its_inverse_partition_the_input(events in prop::collection::vec(arb_event(), 0..40), args in arb_args()) {
        // Flags that may be given once, and not together.
        let count = |f: &str| args.iter().filter(|a| *a == f).count();
        prop_assume!(count("--error") + count("--no-error") <= 1);
        prop_assume!(count("--start") <= 1 && count("--end") <= 1);
        let value = |f: &str| args.iter().position(|a| a == f).map(|i| args[i + 1].clone());
        if let (Some(s), Some(e)) = (value("--start"), value("--end")) {
            prop_assume!(s <= e);
        }
        let input: String = events.iter().map(|e| e.clone() + "\n").collect();
        let kept = filter(&args, input.as_bytes());
        let mut inverse_args = args.clone();
        inverse_args.push("--invert".into());
        let dropped = filter(&inverse_args, input.as_bytes());
        prop_assert!(kept.code <= 1 && dropped.code <= 1, "{} {}", kept.stderr, dropped.stderr);
        // Walk the input once: each line is in exactly one of the outputs, in order.
        let (mut k, mut d) = (kept.stdout.lines().peekable(), dropped.stdout.lines().peekable());
        for line in input.lines() {
            match (k.peek() == Some(&line), d.peek() == Some(&line)) {
                (true, _) => { k.next(); }
                (false, true) => { d.next(); }
                (false, false) => prop_assert!(false, "{line} is in neither output of {args:?}"),
            }
        }
        prop_assert!(k.next().is_none() && d.next().is_none(), "lines that were not in the input");
        // A plain name: exactly the events whose decoded eventName is that name.
        if let [flag, name] = args.as_slice()
            && flag == "--event-name"
            && !name.contains(['*', '?'])
        {
            let want: Vec<&str> = input
                .lines()
                .filter(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["eventName"] == name.as_str())
                .collect();
            prop_assert_eq!(kept.stdout.lines().collect::<Vec<_>>(), want);
        }
    }
}
