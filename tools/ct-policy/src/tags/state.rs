//! What one change does to a resource's tags, and the state after the changes of one second,
//! taken in every order they could have had.

use std::collections::{BTreeMap, BTreeSet};

/// What is known of one tag key.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Know {
    /// The resource has the tag, with this value.
    Value(String),
    /// The resource does not have the tag.
    Absent,
    /// The stream cannot tell.
    Unknown,
}

/// The tags of one resource at one moment, as the stream shows them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TagState {
    /// What is known of the keys the stream named, in AWS's spelling (tag keys are case
    /// sensitive). Keys not here are [`TagState::rest`].
    pub keys: BTreeMap<String, Know>,
    /// Every key not in `keys`, except AWS's own (`aws:` keys), is absent: the resource was
    /// created in the stream, or all its tags replaced, and every change since is known.
    pub complete: bool,
}

impl TagState {
    /// What is known of `key` (compared exactly).
    pub fn get(&self, key: &str) -> Know {
        self.keys.get(key).cloned().unwrap_or_else(|| self.rest(key))
    }

    /// What is known of a key the state does not name.
    pub fn rest(&self, key: &str) -> Know {
        rest_of(self.complete, aws_key(key))
    }

    /// The tags known to be on the resource.
    pub fn tags(&self) -> impl Iterator<Item = (&str, &str)> {
        self.keys.iter().filter_map(|(k, v)| match v {
            Know::Value(v) => Some((k.as_str(), v.as_str())),
            _ => None,
        })
    }

    /// Drops what the rest already says, so that equal knowledge is an equal state.
    fn normalize(&mut self) {
        let complete = self.complete;
        self.keys.retain(|k, v| *v != rest_of(complete, aws_key(k)));
    }

    /// Says nothing at all.
    pub(super) fn vacuous(&self) -> bool {
        !self.complete && self.keys.is_empty()
    }
}

fn rest_of(complete: bool, aws: bool) -> Know {
    if complete && !aws { Know::Absent } else { Know::Unknown }
}

/// A tag key that AWS reserves for its own tags (`aws:` in any case: Tagging AWS Resources
/// User Guide, tag naming limits).
fn aws_key(key: &str) -> bool {
    key.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("aws:"))
}

/// A tag: key and value.
pub(super) type Tag = (String, String);
/// A key removed, where it has this value (or whatever its value).
type Removal = (String, Option<String>);

/// One change to a resource's tags.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Change {
    /// The resource was made by this call with these tags; `complete` when they are all it
    /// had (false when something the event does not show may have added more, such as a
    /// launch template).
    Created { tags: Vec<(String, String)>, complete: bool },
    /// These tags were added or overwritten.
    Set(Vec<(String, String)>),
    /// These keys were removed; with a value, only where the tag had that value (EC2
    /// DeleteTags).
    Remove(Vec<(String, Option<String>)>),
    /// All tags were replaced by these (S3 PutBucketTagging, CloudFormation UpdateStack).
    ReplaceAll(Vec<(String, String)>),
    /// Every tag but AWS's own was removed (EC2 DeleteTags without tags).
    ClearUser,
    /// The tags changed in a way the event does not show: nothing is known after it.
    Unknown,
}

/// A tag key: one the stream named, or a stand-in for every key it did not.
#[derive(Clone, Copy)]
enum Key<'a> {
    Named(&'a str),
    Rest { aws: bool },
}

impl Key<'_> {
    fn aws(self) -> bool {
        match self {
            Key::Named(k) => aws_key(k),
            Key::Rest { aws } => aws,
        }
    }
}

impl Change {
    fn keys(&self) -> impl Iterator<Item = &str> {
        let (pairs, removed): (&[Tag], &[Removal]) = match self {
            Change::Created { tags, .. } | Change::Set(tags) | Change::ReplaceAll(tags) => (tags, &[]),
            Change::Remove(keys) => (&[], keys),
            Change::ClearUser | Change::Unknown => (&[], &[]),
        };
        pairs.iter().map(|(k, _)| k.as_str()).chain(removed.iter().map(|(k, _)| k.as_str()))
    }

    /// Whether the change may alter `key`. `fold`: keys that differ only in case may be one
    /// key (IAM).
    fn touches(&self, key: Key<'_>, fold: bool) -> bool {
        match (self, key) {
            (Change::Created { .. } | Change::ReplaceAll(_) | Change::ClearUser | Change::Unknown, _) => true,
            (Change::Set(_) | Change::Remove(_), Key::Rest { .. }) => false,
            (_, Key::Named(k)) => self.keys().any(|c| c == k || (fold && c.eq_ignore_ascii_case(k))),
        }
    }

    /// What `key` is after the change, given what it was.
    fn effect(&self, key: Key<'_>, cur: &Know, fold: bool) -> Know {
        let named = match key {
            Key::Named(k) => Some(k),
            Key::Rest { .. } => None,
        };
        fn exact<'t>(tags: &'t [(String, String)], named: Option<&str>) -> Option<&'t (String, String)> {
            named.and_then(|k| tags.iter().rev().find(|(t, _)| t == k))
        }
        // Under case folding, a change to another spelling of the key may or may not be a
        // change to this one.
        let folded = |c: &str| fold && named.is_some_and(|k| c != k && c.eq_ignore_ascii_case(k));
        match self {
            Change::Created { tags, complete } => match exact(tags, named) {
                Some((_, v)) => Know::Value(v.clone()),
                None => rest_of(*complete, key.aws()),
            },
            Change::Set(tags) => match exact(tags, named) {
                Some((_, v)) => Know::Value(v.clone()),
                None if tags.iter().any(|(t, _)| folded(t)) => Know::Unknown,
                None => cur.clone(),
            },
            Change::Remove(keys) => {
                let mut v = cur.clone();
                for (k, only) in keys {
                    if named == Some(k.as_str()) {
                        v = match (only.as_deref(), &v) {
                            (None, _) | (_, Know::Absent) => Know::Absent,
                            (Some(want), Know::Value(have)) if want == have => Know::Absent,
                            // A value given as "" may be how the record shows a key given
                            // without one (which removes the tag whatever its value).
                            (Some(""), Know::Value(_)) => Know::Unknown,
                            (Some(_), Know::Value(have)) => Know::Value(have.clone()),
                            (Some(_), Know::Unknown) => Know::Unknown,
                        };
                    } else if folded(k) {
                        v = Know::Unknown;
                    }
                }
                v
            }
            // Whether AWS's own tags survive a replacement is not documented alike for
            // every service: they become unknown, unless named.
            Change::ReplaceAll(tags) => match exact(tags, named) {
                Some((_, v)) => Know::Value(v.clone()),
                None if key.aws() => Know::Unknown,
                None if tags.iter().any(|(t, _)| folded(t)) => Know::Unknown,
                None => Know::Absent,
            },
            // "We do not delete AWS-generated tags (tags that have the aws: prefix)" (EC2 API
            // Reference, DeleteTags, Tag).
            Change::ClearUser if key.aws() => cur.clone(),
            Change::ClearUser => Know::Absent,
            Change::Unknown => Know::Unknown,
        }
    }
}

/// The orders of one second's changes tried one by one; past this many changes of one key in
/// one second, the key is Unknown.
pub(super) const MAX_ORDERED: usize = 6;

/// The values `key` may have after the changes of one second, each order being possible.
/// `prefixes`: the call being decided fell in that second, so it may have seen any number of
/// them (a query), rather than all (a later second).
fn outcomes(base: &Know, key: Key<'_>, changes: &[&Change], fold: bool, prefixes: bool) -> BTreeSet<Know> {
    // A creation comes first: nothing changes a resource before it exists.
    let created: Vec<&Change> = changes.iter().copied().filter(|c| matches!(c, Change::Created { .. })).collect();
    let starts: BTreeSet<Know> = if created.is_empty() {
        BTreeSet::from([base.clone()])
    } else {
        created.iter().map(|c| c.effect(key, base, fold)).collect()
    };
    let touchers: Vec<&Change> =
        changes.iter().copied().filter(|c| !matches!(c, Change::Created { .. }) && c.touches(key, fold)).collect();
    if touchers.len() > MAX_ORDERED {
        return BTreeSet::from([Know::Unknown]);
    }
    fn walk(v: Know, left: &mut Vec<&Change>, key: Key<'_>, fold: bool, prefixes: bool, out: &mut BTreeSet<Know>) {
        if prefixes || left.is_empty() {
            out.insert(v.clone());
        }
        for i in 0..left.len() {
            let c = left.remove(i);
            walk(c.effect(key, &v, fold), left, key, fold, prefixes, out);
            left.insert(i, c);
        }
    }
    let mut out = BTreeSet::new();
    for s in starts {
        walk(s, &mut touchers.clone(), key, fold, prefixes, &mut out);
    }
    out
}

/// One value, or Unknown when several are possible.
fn settle(values: BTreeSet<Know>) -> Know {
    let mut it = values.into_iter();
    match (it.next(), it.next()) {
        (Some(v), None) => v,
        _ => Know::Unknown,
    }
}

/// The state after the changes of one second.
pub(super) fn apply_second(before: &TagState, changes: &[&Change], fold: bool, prefixes: bool) -> TagState {
    let mut named: BTreeSet<&str> = before.keys.keys().map(String::as_str).collect();
    for c in changes {
        named.extend(c.keys());
    }
    let mut keys = BTreeMap::new();
    for k in named {
        let v = settle(outcomes(&before.get(k), Key::Named(k), changes, fold, prefixes));
        keys.insert(k.to_string(), v);
    }
    // AWS's own keys not named are never Absent (no change makes them so), so one stand-in,
    // for the other keys, says whether the state is complete.
    let rest = settle(outcomes(&before.rest("k"), Key::Rest { aws: false }, changes, fold, prefixes));
    let mut s = TagState { keys, complete: rest == Know::Absent };
    s.normalize();
    s
}
