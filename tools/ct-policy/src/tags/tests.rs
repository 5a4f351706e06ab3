//! Unit tests of the tag histories: time order, one second's changes, spellings of a resource.

use std::collections::BTreeMap;

use ct_common::time::Time;

use super::state::MAX_ORDERED;
use super::*;

const I1: &str = "arn:aws:ec2:us-east-1:111122223333:instance/i-0abc";

fn at(secs: i64) -> Time {
    Time::from_secs(secs)
}

fn tags(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn created(pairs: &[(&str, &str)]) -> Change {
    Change::Created { tags: tags(pairs), complete: true }
}

fn value(v: &str) -> Know {
    Know::Value(v.to_string())
}

/// The tags of `arn` after recording `changes` (time, change) in the order given.
fn history(arn: &str, changes: &[(i64, Change)]) -> Tags {
    let mut t = Tracker::new();
    for (i, (secs, c)) in changes.iter().enumerate() {
        t.record(arn, Some(at(*secs)), Some(&format!("ev-{i}")), c.clone());
    }
    t.finish()
}

#[test]
fn a_resource_created_in_the_stream_has_a_complete_set() {
    let h = history(I1, &[(100, created(&[("job", "build")])), (200, Change::Set(tags(&[("owner", "ci")])))]);
    let s = h.tags_at(I1, at(150)).unwrap();
    assert!(s.complete);
    assert_eq!(s.get("job"), value("build"));
    assert_eq!(s.get("owner"), Know::Absent);
    // AWS's own tags are never proven absent.
    assert_eq!(s.get("aws:cloudformation:stack-name"), Know::Unknown);
    let s = h.tags_at(I1, at(201)).unwrap();
    assert_eq!(s.tags().collect::<Vec<_>>(), vec![("job", "build"), ("owner", "ci")]);
    // Before its creation the stream says nothing of it.
    assert_eq!(h.tags_at(I1, at(99)), None);
    // A call in the second of the creation comes after it.
    assert_eq!(h.tags_at(I1, at(100)).unwrap().get("job"), value("build"));
}

#[test]
fn input_order_is_not_time_order() {
    let changes = [
        (300, Change::Remove(vec![("job".into(), None)])),
        (100, created(&[("job", "build")])),
        (200, Change::Set(tags(&[("job", "test")]))),
    ];
    let h = history(I1, &changes);
    assert_eq!(h.tags_at(I1, at(150)).unwrap().get("job"), value("build"));
    assert_eq!(h.tags_at(I1, at(250)).unwrap().get("job"), value("test"));
    assert_eq!(h.tags_at(I1, at(301)).unwrap().get("job"), Know::Absent);
    let mut reversed = changes.to_vec();
    reversed.reverse();
    let r = history(I1, &reversed);
    for t in [150, 250, 301] {
        assert_eq!(h.tags_at(I1, at(t)), r.tags_at(I1, at(t)), "at {t}");
    }
}

#[test]
fn tags_set_on_a_resource_made_elsewhere_are_partial() {
    let h = history(I1, &[(100, Change::Set(tags(&[("job", "build")])))]);
    let s = h.tags_at(I1, at(101)).unwrap();
    assert!(!s.complete);
    assert_eq!(s.get("job"), value("build"));
    assert_eq!(s.get("owner"), Know::Unknown);
    // A removal proves that one key absent.
    let h = history(
        I1,
        &[(100, Change::Set(tags(&[("job", "build")]))), (200, Change::Remove(vec![("job".into(), None)]))],
    );
    let s = h.tags_at(I1, at(201)).unwrap();
    assert_eq!((s.get("job"), s.complete), (Know::Absent, false));
    // Replacing all of them makes the set whole.
    let h = history(
        I1,
        &[(100, Change::Set(tags(&[("job", "build")]))), (200, Change::ReplaceAll(tags(&[("team", "a")])))],
    );
    let s = h.tags_at(I1, at(201)).unwrap();
    assert!(s.complete);
    assert_eq!((s.get("job"), s.get("team")), (Know::Absent, value("a")));
}

#[test]
fn changes_of_one_second_in_an_unknown_order() {
    // Two values in one second: either may have come last.
    let h = history(
        I1,
        &[
            (100, created(&[("job", "build")])),
            (200, Change::Set(tags(&[("job", "a")]))),
            (200, Change::Set(tags(&[("job", "b")]))),
            (200, Change::Set(tags(&[("team", "x")]))),
        ],
    );
    let s = h.tags_at(I1, at(300)).unwrap();
    assert_eq!(s.get("job"), Know::Unknown);
    assert_eq!(s.get("team"), value("x"));
    assert!(s.complete);
    // The same value twice, or a set and a removal of another key, settle.
    let h = history(
        I1,
        &[
            (100, created(&[])),
            (200, Change::Set(tags(&[("job", "a")]))),
            (200, Change::Set(tags(&[("job", "a")]))),
            (200, Change::Remove(vec![("team".into(), None)])),
        ],
    );
    assert_eq!(h.tags_at(I1, at(300)).unwrap().get("job"), value("a"));
    // A set and a removal of the same key do not.
    let h = history(
        I1,
        &[
            (100, created(&[])),
            (200, Change::Set(tags(&[("job", "a")]))),
            (200, Change::Remove(vec![("job".into(), None)])),
        ],
    );
    assert_eq!(h.tags_at(I1, at(300)).unwrap().get("job"), Know::Unknown);
}

#[test]
fn a_call_in_the_second_of_a_change_may_come_before_or_after_it() {
    let h = history(
        I1,
        &[(100, created(&[("job", "build")])), (200, Change::Set(tags(&[("job", "test"), ("team", "x")])))],
    );
    let s = h.tags_at(I1, at(200)).unwrap();
    assert_eq!(s.get("job"), Know::Unknown);
    assert_eq!(s.get("team"), Know::Unknown);
    // A change that cannot alter the value leaves it known.
    let h = history(I1, &[(100, created(&[("job", "build")])), (200, Change::Set(tags(&[("job", "build")])))]);
    assert_eq!(h.tags_at(I1, at(200)).unwrap().get("job"), value("build"));
    // The call's own change comes after its own authorisation.
    let h = history(I1, &[(100, created(&[("job", "build")])), (200, Change::Remove(vec![("job".into(), None)]))]);
    assert_eq!(h.tags_for_event(I1, at(200), Some("ev-1")).unwrap().get("job"), value("build"));
    assert_eq!(h.tags_for_event(I1, at(200), Some("other")).unwrap().get("job"), Know::Unknown);
}

#[test]
fn a_creation_comes_first_in_its_second() {
    let h = history(I1, &[(100, Change::Set(tags(&[("owner", "me")]))), (100, created(&[("job", "build")]))]);
    let s = h.tags_at(I1, at(101)).unwrap();
    assert!(s.complete);
    assert_eq!((s.get("job"), s.get("owner")), (value("build"), value("me")));
    // A call of that second saw the creation, and the tag added perhaps.
    let s = h.tags_at(I1, at(100)).unwrap();
    assert_eq!((s.get("job"), s.get("owner"), s.get("team")), (value("build"), Know::Unknown, Know::Absent));
}

#[test]
fn ec2_delete_tags_with_a_value_removes_only_that_value() {
    let remove = |v: &str| Change::Remove(vec![("job".into(), Some(v.into()))]);
    let h = history(I1, &[(100, created(&[("job", "build")])), (200, remove("build"))]);
    assert_eq!(h.tags_at(I1, at(201)).unwrap().get("job"), Know::Absent);
    let h = history(I1, &[(100, created(&[("job", "build")])), (200, remove("test"))]);
    assert_eq!(h.tags_at(I1, at(201)).unwrap().get("job"), value("build"));
    // "" may be a key given without a value, which removes any value.
    let h = history(I1, &[(100, created(&[("job", "build")])), (200, remove(""))]);
    assert_eq!(h.tags_at(I1, at(201)).unwrap().get("job"), Know::Unknown);
    // Without tags, every tag but AWS's own.
    let h = history(
        I1,
        &[(100, created(&[("job", "build"), ("aws:cloudformation:stack-name", "s")])), (200, Change::ClearUser)],
    );
    let s = h.tags_at(I1, at(201)).unwrap();
    assert!(s.complete);
    assert_eq!((s.get("job"), s.get("aws:cloudformation:stack-name")), (Know::Absent, value("s")));
}

#[test]
fn what_cannot_be_read_or_placed_says_nothing() {
    let h = history(I1, &[(100, created(&[("job", "build")])), (200, Change::Unknown)]);
    assert_eq!(h.tags_at(I1, at(150)).unwrap().get("job"), value("build"));
    assert_eq!(h.tags_at(I1, at(201)), None);
    // A change without a time could be anywhere.
    let mut t = Tracker::new();
    t.record(I1, Some(at(100)), None, created(&[("job", "build")]));
    t.record(I1, None, None, Change::Set(tags(&[("job", "x")])));
    assert_eq!(t.finish().tags_at(I1, at(150)), None);
    // Too many changes of one key in one second to order.
    let mut changes = vec![(100, created(&[]))];
    changes.extend((0..=MAX_ORDERED).map(|i| (200, Change::Set(tags(&[("job", &i.to_string())])))));
    let h = history(I1, &changes);
    assert_eq!(h.tags_at(I1, at(300)).unwrap().get("job"), Know::Unknown);
}

#[test]
fn the_same_event_read_twice_is_one_change() {
    let mut t = Tracker::new();
    t.record(I1, Some(at(100)), Some("a"), created(&[("job", "build")]));
    for _ in 0..2 {
        t.record(I1, Some(at(200)), Some("b"), Change::Set(tags(&[("job", "x")])));
    }
    t.record(I1, Some(at(200)), Some("c"), Change::Set(tags(&[("job", "x")])));
    assert_eq!(t.finish().tags_at(I1, at(300)).unwrap().get("job"), value("x"));
}

#[test]
fn iam_keys_differing_in_case_may_be_one_key() {
    let role = "arn:aws:iam::111122223333:role/build";
    let h = history(role, &[(100, created(&[("job", "build")])), (200, Change::Set(tags(&[("Job", "x")])))]);
    let s = h.tags_at(role, at(201)).unwrap();
    assert_eq!((s.get("job"), s.get("Job")), (Know::Unknown, value("x")));
    // Not so for EC2, whose keys are case sensitive.
    let h = history(I1, &[(100, created(&[("job", "build")])), (200, Change::Set(tags(&[("Job", "x")])))]);
    assert_eq!(h.tags_at(I1, at(201)).unwrap().get("job"), value("build"));
}

#[test]
fn every_spelling_of_a_resource_is_one_history() {
    let same = [
        ("arn:aws:ec2:us-east-1:111122223333:instance/i-0abc", "arn:aws:ec2:us-east-1::network-interface/i-0abc"),
        ("arn:aws:lambda:us-east-1:111122223333:function:f", "arn:aws:lambda:us-east-1:111122223333:function:f:prod"),
        ("arn:aws:iam::111122223333:role/path/Build", "arn:aws:iam::111122223333:role/build"),
        ("arn:aws:logs:us-east-1:111122223333:log-group:/g:*", "arn:aws:logs:us-east-1:111122223333:log-group:/g"),
        (
            "arn:aws:cloudformation:us-east-1:111122223333:stack/s/*",
            "arn:aws:cloudformation:us-east-1:111122223333:stack/s/8a4f0e40-0000-11e7-8ee1-50a686e4bb1e",
        ),
    ];
    for (a, b) in same {
        assert_eq!(resource_key(a), resource_key(b), "{a} {b}");
        assert!(resource_key(a).is_some());
    }
    assert_eq!(resource_key("arn:aws:ec2:us-east-1:111122223333:instance/*"), None);
    assert_eq!(resource_key("*"), None);
    assert_ne!(
        resource_key("arn:aws:iam::111122223333:policy/a/p"),
        resource_key("arn:aws:iam::111122223333:policy/p")
    );
}

#[test]
fn a_secret_by_name_is_the_one_secret_of_that_name() {
    let full = "arn:aws:secretsmanager:us-east-1:111122223333:secret:db-AbCdEf";
    let name = "arn:aws:secretsmanager:us-east-1:111122223333:secret:db";
    let mut t = Tracker::new();
    t.record(full, Some(at(100)), None, created(&[("job", "build")]));
    t.record(name, Some(at(200)), None, Change::Set(tags(&[("team", "a")])));
    let h = t.finish();
    for arn in [full, name] {
        let s = h.tags_at(arn, at(201)).unwrap();
        assert_eq!((s.get("job"), s.get("team"), s.complete), (value("build"), value("a"), true), "{arn}");
    }
    // Two secrets of one name (made again): the changes by name cannot be placed.
    let mut t = Tracker::new();
    t.record(full, Some(at(100)), None, created(&[("job", "build")]));
    t.record(&full.replace("AbCdEf", "XyZ123"), Some(at(300)), None, created(&[]));
    t.record(name, Some(at(200)), None, Change::Set(tags(&[("team", "a")])));
    let h = t.finish();
    assert_eq!(h.tags_at(full, at(201)), None);
    assert_eq!(h.tags_at(name, at(201)), None);
    // An ARN the stream only named by name: the changes by name are its own.
    let mut t = Tracker::new();
    t.record(name, Some(at(200)), None, Change::Set(tags(&[("team", "a")])));
    assert_eq!(t.finish().tags_at(full, at(201)).unwrap().get("team"), value("a"));
}

#[test]
fn a_state_as_condition_keys() {
    let mut s = TagState { keys: BTreeMap::new(), complete: true };
    s.keys.insert("job".into(), value("build"));
    s.keys.insert("team".into(), Know::Unknown);
    let c = tag_context(Some(&s), I1);
    assert_eq!(
        c.values,
        vec![("aws:ResourceTag/job".into(), "build".into()), ("ec2:ResourceTag/job".into(), "build".into())]
    );
    assert!(c.knows("aws:ResourceTag/job"));
    assert!(c.knows("AWS:ResourceTag/owner"), "absent from a complete set");
    assert!(c.knows("ec2:ResourceTag/owner"));
    assert!(!c.knows("aws:ResourceTag/team"), "unknown in the stream");
    assert!(!c.knows("aws:ResourceTag/aws:cloudformation:stack-name"));
    assert!(!c.knows("aws:RequestTag/job"));
    // Partial: present tags and removed ones only.
    let mut s = TagState::default();
    s.keys.insert("job".into(), value("build"));
    s.keys.insert("owner".into(), Know::Absent);
    let c = tag_context(Some(&s), "arn:aws:lambda:us-east-1:111122223333:function:f");
    assert_eq!(c.values, vec![("aws:ResourceTag/job".into(), "build".into())]);
    assert!(c.knows("aws:ResourceTag/owner"));
    assert!(!c.knows("aws:ResourceTag/team"));
    assert_eq!(tag_context(None, I1), TagContext::default());
    // A value of one spelling and an unknown of another: the evaluator reads them as one.
    let mut s = TagState { keys: BTreeMap::new(), complete: true };
    s.keys.insert("Job".into(), value("build"));
    s.keys.insert("job".into(), Know::Unknown);
    assert!(!tag_context(Some(&s), I1).knows("aws:ResourceTag/job"));
}

#[test]
fn every_service_spelling_is_a_condition_key_of_the_catalog() {
    let catalog = ct_iam::Catalog::get();
    let arns = [
        I1,
        "arn:aws:iam::111122223333:role/r",
        "arn:aws:ecs:us-east-1:111122223333:cluster/c",
        "arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/app/a/1",
        "arn:aws:ssm:us-east-1:111122223333:parameter/p",
        "arn:aws:s3:::b",
        "arn:aws:rds:us-east-1:111122223333:db:d",
        "arn:aws:rds:us-east-1:111122223333:cluster:c",
        "arn:aws:rds:us-east-1:111122223333:snapshot:s",
        "arn:aws:rds:us-east-1:111122223333:cluster-snapshot:s",
    ];
    for arn in arns {
        for p in tag_key_prefixes(arn) {
            assert!(catalog.condition_key(&format!("{p}${{TagKey}}")).is_some(), "{p}");
            assert!(is_resource_tag_key(&format!("{p}job")), "{p}");
        }
    }
    // Secrets Manager writes its key with a literal tag-key (Service Authorization Reference).
    assert!(is_resource_tag_key("secretsmanager:ResourceTag/job"));
    assert!(!is_resource_tag_key("aws:RequestTag/job"));
}
