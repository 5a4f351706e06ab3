//! Completeness: every operation of every AWS service, as the SDK models list them
//! (iam/data/operations.tsv, written by scripts/refresh-aws-operations.sh), logged as a
//! CloudTrail event, maps to actions the catalog holds, needs no permission, or is one of the
//! exceptions of iam/data/unmapped.txt, each with its reason (the ct-actions man page, MAPPING,
//! prints that file). A listed exception that now maps is an error too, so the list stays true.

use std::collections::{BTreeMap, BTreeSet};

use ct_iam::Event;
use ct_iam::mapping::{self, Mapping};

const OPERATIONS: &str = include_str!("../data/operations.tsv");
const UNMAPPED: &str = include_str!("../data/unmapped.txt");

/// (eventSource, operation) of every operation of the models.
fn operations() -> Vec<(&'static str, &'static str)> {
    OPERATIONS
        .lines()
        .filter_map(|l| {
            let mut f = l.split('\t');
            (f.next() == Some("O")).then(|| (f.next().unwrap(), f.next().unwrap()))
        })
        .collect()
}

/// The listed exceptions: `SOURCE OPERATION: reason` lines.
fn exceptions() -> BTreeMap<(&'static str, &'static str), &'static str> {
    UNMAPPED
        .lines()
        .filter_map(|l| {
            let (what, why) = l.trim().split_once(": ")?;
            let (source, op) = what.split_once(' ')?;
            source.ends_with(".amazonaws.com").then_some(((source, op), why))
        })
        .collect()
}

fn event(source: &str, name: &str) -> String {
    format!(
        r#"{{"eventVersion":"1.08","userIdentity":{{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/alice","accountId":"111122223333","userName":"alice"}},"eventTime":"2024-03-01T10:00:00Z","eventSource":"{source}","eventName":"{name}","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.9","requestParameters":null,"eventType":"AwsApiCall","recipientAccountId":"111122223333"}}"#
    )
}

/// The actions an operation maps to that the catalog does not hold (empty when all are known
/// or it needs no permission).
fn unknown_actions(source: &str, op: &str) -> Vec<String> {
    let json = event(source, op);
    let ev = Event::parse(json.as_bytes()).unwrap();
    match mapping::map_with(&ev, false) {
        Mapping::Actions(uses) => uses.into_iter().filter(|u| !u.known).map(|u| u.action.into_owned()).collect(),
        Mapping::NoPermission(_) | Mapping::NotACall(_) => Vec::new(),
    }
}

#[test]
fn every_operation_maps_to_real_actions_or_is_a_listed_exception() {
    let ops = operations();
    assert!(ops.len() > 10_000, "operations.tsv holds {} operations", ops.len());
    let listed = exceptions();
    let mut unmapped: BTreeMap<(&str, &str), Vec<String>> = BTreeMap::new();
    for &(source, op) in &ops {
        let unknown = unknown_actions(source, op);
        if !unknown.is_empty() {
            unmapped.insert((source, op), unknown);
        }
    }
    let missing: Vec<String> = unmapped
        .iter()
        .filter(|(k, _)| !listed.contains_key(k))
        .map(|((s, o), a)| format!("{s} {o} -> {}", a.join(", ")))
        .collect();
    let stale: Vec<String> =
        listed.keys().filter(|k| !unmapped.contains_key(k)).map(|(s, o)| format!("{s} {o}")).collect();
    assert!(
        missing.is_empty() && stale.is_empty(),
        "{} operations map to actions the catalog lacks and are not in iam/data/unmapped.txt:\n{}\n\n\
         {} listed in iam/data/unmapped.txt now map, or are no longer operations:\n{}",
        missing.len(),
        missing.join("\n"),
        stale.len(),
        stale.join("\n")
    );
}

#[test]
fn every_exception_names_an_operation_and_a_reason() {
    let ops: BTreeSet<(&str, &str)> = operations().into_iter().collect();
    for ((source, op), why) in exceptions() {
        assert!(ops.contains(&(source, op)), "{source} {op}: not an operation of the models");
        assert!(why.len() > 10, "{source} {op}: no reason given");
    }
}
