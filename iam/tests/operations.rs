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

/// The listed exceptions, each (source, operation or `None` for all of the source's, reason).
/// A reason is a line that does not start with a space (it may wrap onto more such lines, the
/// last ending with `:`); under it, a line indented by two spaces names a source, alone (all
/// its operations) or followed by `:` and the operations on the lines indented by four.
fn exceptions() -> Vec<(&'static str, Option<&'static str>, &'static str)> {
    let mut out = Vec::new();
    let mut reason: &'static str = "";
    let mut source: Option<&'static str> = None;
    for line in UNMAPPED.lines() {
        if !line.starts_with(' ') {
            if line.ends_with(':') || reason.is_empty() {
                reason = line;
            }
            source = None;
        } else if let Some(ops) = line.strip_prefix("    ") {
            let s = source.expect("operations under a source");
            out.extend(ops.split(',').map(str::trim).filter(|o| !o.is_empty()).map(|op| (s, Some(op), reason)));
        } else {
            let name = line.trim();
            match name.strip_suffix(':') {
                Some(s) => source = Some(s),
                None => {
                    source = None;
                    out.push((name, None, reason));
                }
            }
        }
    }
    out
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
    let whole: BTreeSet<&str> = listed.iter().filter(|(_, op, _)| op.is_none()).map(|(s, _, _)| *s).collect();
    let named: BTreeSet<(&str, &str)> = listed.iter().filter_map(|(s, op, _)| Some((*s, (*op)?))).collect();
    let mut unmapped: BTreeMap<(&str, &str), Vec<String>> = BTreeMap::new();
    for &(source, op) in &ops {
        let unknown = unknown_actions(source, op);
        if !unknown.is_empty() {
            unmapped.insert((source, op), unknown);
        }
    }
    let missing: Vec<String> = unmapped
        .iter()
        .filter(|((s, o), _)| !whole.contains(s) && !named.contains(&(*s, *o)))
        .map(|((s, o), a)| format!("{s} {o} -> {}", a.join(", ")))
        .collect();
    let mut stale: Vec<String> =
        named.iter().filter(|k| !unmapped.contains_key(k)).map(|(s, o)| format!("{s} {o}")).collect();
    stale.extend(whole.iter().filter(|s| !unmapped.keys().any(|(u, _)| u == *s)).map(|s| s.to_string()));
    eprintln!("{} of {} operations map to no action of the catalog", unmapped.len(), ops.len());
    // scripts/write-unmapped.sh rewrites iam/data/unmapped.txt from this list.
    if let Some(path) = std::env::var_os("CT_UNMAPPED_OUT") {
        let by_request = |s: &str, o: &str| ct_iam::renames::BY_REQUEST.contains(&(mapping::prefix_of(s), o));
        let list: String = unmapped
            .iter()
            .map(|((s, o), a)| {
                format!("{s} {o} -> {}{}\n", a.join(", "), if by_request(s, o) { " (by request)" } else { "" })
            })
            .collect();
        std::fs::write(path, list).unwrap();
    }
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
    let sources: BTreeSet<&str> = ops.iter().map(|(s, _)| *s).collect();
    for (source, op, why) in exceptions() {
        match op {
            Some(op) => assert!(ops.contains(&(source, op)), "{source} {op}: not an operation of the models"),
            None => assert!(sources.contains(source), "{source}: not an event source of the models"),
        }
        assert!(why.len() > 10, "{source} {op:?}: no reason given");
    }
}

#[test]
fn every_role_member_of_the_models_is_read_for_pass_role() {
    // The members the SDK models document as a role's ARN (the fourth column): those whose
    // name says "role" are read by name; the others must be among the mapping's role keys, as
    // a request naming a role there passes it (IAM User Guide, "Grant a user permissions to
    // pass a role to an AWS service").
    let mut leaves: BTreeSet<String> = BTreeSet::new();
    for line in OPERATIONS.lines().filter(|l| l.starts_with("O\t")) {
        let members = line.split('\t').nth(3).unwrap_or("");
        for m in members.split(',').filter(|m| !m.is_empty()) {
            let leaf = m.rsplit('.').next().unwrap();
            if !leaf.to_ascii_lowercase().contains("role") {
                leaves.insert(leaf.to_ascii_lowercase());
            }
        }
    }
    assert!(!leaves.is_empty());
    let keys: BTreeSet<String> = mapping::ROLE_KEYS.iter().map(|k| k.to_ascii_lowercase()).collect();
    let missing: Vec<&String> = leaves.iter().filter(|l| !keys.contains(*l)).collect();
    assert!(missing.is_empty(), "role members the mapping does not read: {missing:?}");
}
