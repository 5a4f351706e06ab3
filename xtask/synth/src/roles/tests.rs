use super::*;

#[test]
fn deterministic_for_a_seed() {
    let a = generate(7, 8);
    let b = generate(7, 8);
    assert_eq!(a, b);
    let c = generate(8, 8);
    assert_ne!(a.0, c.0);
}

#[test]
fn events_are_cloudtrail_shaped() {
    let (days, _) = generate(1, 3);
    assert_eq!(days.len(), 3);
    for line in days.iter().flat_map(|d| d.lines()) {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        for k in ["eventVersion", "userIdentity", "eventTime", "eventSource", "eventName", "awsRegion", "eventID"] {
            assert!(v.get(k).is_some(), "{k} missing in {line}");
        }
        assert_eq!(v["recipientAccountId"], ACCT);
    }
    let ci_via_cfn = days[0].lines().filter(|l| l.contains(r#""invokedBy":"cloudformation.amazonaws.com""#)).count();
    assert!(ci_via_cfn > 0);
}

/// Every judged action exists in the IAM catalog, so the judge asks about real permissions.
#[test]
fn judge_names_catalog_actions() {
    let (_, judge) = generate(42, 8);
    let cat = ct_iam::Catalog::get();
    let mut kinds = std::collections::BTreeMap::new();
    for line in &judge {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        *kinds
            .entry((v["role"].as_str().unwrap().to_string(), v["kind"].as_str().unwrap().to_string()))
            .or_insert(0) += 1;
        let checks = v["checks"].as_array().unwrap();
        assert!(!checks.is_empty(), "{line}");
        for c in checks {
            let a = c["action"].as_str().unwrap();
            assert!(cat.action_named(a).is_some(), "{a} is not in the IAM catalog");
            assert!(c["resource"].as_str().unwrap().starts_with("arn:aws:") || c["resource"] == "*");
            assert!(c["context"]["aws:RequestedRegion"].is_array());
        }
    }
    for role in ["build-agent", "data-pipeline", "ci-role"] {
        let never = kinds[&(role.to_string(), "never".to_string())];
        assert!((20..=40).contains(&never), "{role}: {never} never lines");
        assert!(kinds[&(role.to_string(), "legit".to_string())] >= 10);
    }
}

/// Each never request of every role is one successful CloudTrail event made by that role's
/// session, in the order of its never list, so the gate benchmark judges each alone.
#[test]
fn attack_events_parse_and_name_the_role() {
    let never: std::collections::BTreeMap<&str, Vec<String>> = [
        ("build-agent", build::never()),
        ("data-pipeline", pipeline::never()),
        ("ci-role", ci::never()),
        ("deployer", deployer::never()),
    ]
    .into_iter()
    .map(|(r, l)| (r, l.into_iter().map(|(what, _)| what).collect()))
    .collect();
    let attacks = attacks::generate(42, 8);
    assert_eq!(attacks.len(), never.len());
    for (role, list) in attacks {
        let whats: Vec<String> = list.iter().map(|(w, _)| w.clone()).collect();
        assert_eq!(whats, never[role], "{role}: attacks and never list differ");
        for (what, line) in &list {
            assert!(!line.contains('\n'), "{role}: {what}: one line per event");
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            let id = &v["userIdentity"];
            assert_eq!(id["type"], "AssumedRole", "{role}: {what}");
            assert_eq!(id["sessionContext"]["sessionIssuer"]["arn"], format!("arn:aws:iam::{ACCT}:role/{role}"));
            let arn = id["arn"].as_str().unwrap();
            assert!(arn.starts_with(&format!("arn:aws:sts::{ACCT}:assumed-role/{role}/")), "{role}: {what}: {arn}");
            assert!(v.get("errorCode").is_none(), "{role}: {what}: an attack is a call that succeeded");
            assert!(
                v["eventTime"].as_str().unwrap().starts_with("2024-03-08T2"),
                "{role}: {what}: late on the last day"
            );
            for k in ["eventSource", "eventName", "awsRegion", "eventID", "requestParameters"] {
                assert!(v.get(k).is_some(), "{role}: {what}: {k} missing");
            }
        }
    }
}

/// The other scenarios leave the main one as it was, and their judge asks about real
/// permissions like the main one's.
#[test]
fn more_scenarios_are_apart_and_judged() {
    let (days, judge) = generate_more(42, 8);
    assert_eq!(days.len(), 8);
    let (main_days, _) = generate(42, 8);
    assert!(days.iter().flat_map(|d| d.lines()).all(|l| !main_days[7].contains(l)));
    let cat = ct_iam::Catalog::get();
    let (mut legit, mut never) = (0, 0);
    for line in &judge {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(v["role"], "deployer");
        if v["kind"] == "legit" {
            legit += 1
        } else {
            never += 1
        }
        for c in v["checks"].as_array().unwrap() {
            let a = c["action"].as_str().unwrap();
            assert!(cat.action_named(a).is_some(), "{a} is not in the IAM catalog");
        }
    }
    assert!(legit >= 10 && (20..=40).contains(&never), "{legit} legit, {never} never");
    for line in days.iter().flat_map(|d| d.lines()) {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(v["userIdentity"]["sessionContext"]["sessionIssuer"]["userName"], "deployer");
    }
}
