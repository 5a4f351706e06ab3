//! The merge is exact: any split of the uses, merged in any order through the wire form, gives
//! the record of the whole.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;

use crate::capped::Recents;
use crate::{ActionRecord, Capped, ContextSets, Observed};

/// action, time, region, resources, errorCode, known, inferred, context (sorted by key)
type Use = (u8, String, String, Vec<String>, Option<String>, bool, bool, BTreeSet<(&'static str, String)>);

/// Condition keys of both kinds: the `FIXED` ones, and others sorted before, between
/// and after them.
const KEYS: [&str; 9] = [
    "aws:CalledVia",
    "aws:MultiFactorAuthPresent",
    "aws:RequestTag/team",
    "aws:RequestedRegion",
    "aws:SourceIp",
    "aws:SourceVpce",
    "aws:TagKeys",
    "aws:ViaAWSService",
    "s3:prefix",
];

/// A use drawn from small value sets, so that sets overlap and caps are reached.
fn arb_use() -> impl Strategy<Value = Use> {
    (
        0u8..4,
        "2017-06-0[1-3]T0[0-9]:00:00Z",
        "(ap-southeast-2|us-east-1|eu-west-1)",
        proptest::collection::vec("arn:aws:s3:::b/[a-f]", 0..3),
        proptest::option::of("(AccessDenied|Throttling)"),
        any::<bool>(),
        any::<bool>(),
        proptest::collection::btree_set((proptest::sample::select(&KEYS[..]), "[a-c]"), 0..4),
    )
}

fn aggregate(uses: &[Use], cap: usize) -> BTreeMap<String, ActionRecord> {
    let mut out: BTreeMap<String, ActionRecord> = BTreeMap::new();
    for (a, time, region, resources, code, known, inferred, context) in uses {
        let action = format!("s3:Action{a}");
        let ctx: Vec<(Cow<'static, str>, Cow<'_, str>)> =
            context.iter().map(|(k, v)| (Cow::Borrowed(*k), Cow::Borrowed(v.as_str()))).collect();
        let resources: Vec<Cow<'_, str>> = resources.iter().map(|r| Cow::Borrowed(r.as_str())).collect();
        let o = Observed {
            time: Some(time),
            region: Some(region),
            account: Some("111122223333"),
            principal: Some("arn:aws:iam::111122223333:role/r"),
            principal_seen: false,
            resources: &resources,
            unnamed: false,
            context: &ctx,
            absent: if *a == 0 { &["s3:prefix"] } else { &[] },
            called_via_absent: !context.iter().any(|(k, _)| *k == "aws:CalledVia"),
            error_code: code.as_deref(),
            denied: code.as_deref() == Some("AccessDenied"),
            known: *known,
            inferred: *inferred,
        };
        out.entry(action.clone()).or_insert_with(|| ActionRecord::new(&action)).add(&o, cap);
    }
    out
}

fn merge_all(parts: &[BTreeMap<String, ActionRecord>], cap: usize) -> BTreeMap<String, ActionRecord> {
    let mut out: BTreeMap<String, ActionRecord> = BTreeMap::new();
    for part in parts {
        for (k, r) in part {
            // Through the wire form, as records travel between processes.
            let back = ActionRecord::from_wire(
                serde_json::from_str(&serde_json::to_string(&r.to_wire()).unwrap()).unwrap(),
                cap,
            );
            out.entry(k.clone()).or_insert_with(|| ActionRecord::new(k)).merge(&back, cap);
        }
    }
    out
}

proptest! {
    #[test]
    fn merging_any_split_in_any_order_gives_the_whole(
        uses in proptest::collection::vec(arb_use(), 0..60),
        cuts in proptest::collection::vec(0usize..60, 0..4),
        cap in 1usize..5,
        order in any::<u64>(),
    ) {
        let whole = aggregate(&uses, cap);
        let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(uses.len())).collect();
        cuts.sort();
        let mut parts = Vec::new();
        let mut start = 0;
        for c in cuts.into_iter().chain([uses.len()]) {
            parts.push(aggregate(&uses[start..c.max(start)], cap));
            start = c.max(start);
        }
        // Any order of the parts, and merging merged results again (associativity).
        let n = parts.len();
        parts.rotate_left((order as usize) % n.max(1));
        if order % 2 == 1 {
            parts.reverse();
        }
        let (left, right) = parts.split_at(n / 2);
        let merged = merge_all(&[merge_all(left, cap), merge_all(right, cap)], cap);
        prop_assert_eq!(merged, whole);
    }
}

#[test]
fn context_keys_of_both_kinds_come_out_sorted() {
    let mut c = ContextSets::default();
    let (mut hint, mut fixed) = (0, Recents::default().0);
    for k in KEYS.iter().rev() {
        c.insert_near(&mut fixed, k, "v", &mut hint, 3);
    }
    let keys: Vec<&str> = c.iter().map(|(k, _)| k).collect();
    assert_eq!(keys, KEYS);
    // A fixed key given no value yet is absent; given one through `set`, present.
    let mut d = ContextSets::default();
    d.set("aws:SourceIp");
    assert_eq!(d.iter().map(|(k, s)| (k, s.len())).collect::<Vec<_>>(), [("aws:SourceIp", 0)]);
    assert_ne!(d, ContextSets::default());
}

#[test]
fn capped_sets_keep_the_smallest_and_say_so() {
    let mut c = Capped::default();
    for v in ["d", "b", "e", "a", "c"] {
        c.insert(v, 3);
    }
    assert_eq!(c.sorted(), vec!["a", "b", "c"]);
    assert!(c.capped);
    let mut small = Capped::default();
    small.insert("x", 3);
    small.insert("x", 3);
    assert!(!small.capped);
}
