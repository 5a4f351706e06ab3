//! Resource tags as the event stream itself applied them, so that the gate can settle
//! conditions on `aws:ResourceTag/KEY` (and the services' own spellings, `ec2:ResourceTag/KEY`)
//! that CloudTrail never records for the call being decided.
//!
//! # Feeding, then asking
//!
//! [`Tracker::observe`] takes every event, in input order, which is not time order (files hold
//! regions and hours in any order). It keeps, per resource, a history of changes stamped with
//! the event's time: created with exactly these tags, set, remove, replace all, or changed in
//! a way the event does not show. [`Tracker::finish`] sorts the histories and gives [`Tags`],
//! whose [`Tags::tags_at`] answers what a resource's tags were just before a moment. Because an
//! event early in the input may depend on a tag change late in it, a gate must decide such
//! calls only after reading everything: [`Deferred`] holds them meanwhile, and
//! [`waits_for_tags`] tells which they are.
//!
//! ```text
//! // While reading (check.rs, per event):
//! tracker.observe(&ev, &uses);
//! let out = eval::evaluate(policies, &request);
//! if tags::waits_for_tags(&out) {
//!     deferred.defer(time, ev.event_id.as_deref(), call);   // call: what `file` needs, owned
//! }
//! // After reading:
//! let tags = tracker.finish();
//! for p in deferred {
//!     for arn in &p.call.resources {
//!         let mut ctx = p.call.context.clone();
//!         tags.context_for(arn, p.time, p.event_id.as_deref()).apply(&mut ctx);
//!         // evaluate `arn` with `ctx`
//!     }
//! }
//! ```
//!
//! # What a state claims
//!
//! A [`TagState`] names what is known of each tag key and whether the set is complete: the
//! resource was created in the stream (or all its tags were replaced there), so a key the state
//! does not hold is proven absent. A resource created elsewhere and only tagged in the stream
//! has a partial state: the tags set are known, the absence of others is not. AWS's own tags
//! (keys beginning with `aws:`, which services such as CloudFormation, Auto Scaling and EC2
//! launch templates add in ways a stream may not show) are never proven absent.
//!
//! The stream is taken to hold every change to the resources it speaks of: a tag set by
//! another principal, in a stream filtered to one principal, is not seen. A gate that wants the
//! claims to hold for the account should be given the whole trail.
//!
//! # Time
//!
//! CloudTrail's eventTime has whole seconds, and the order of events within one second is not
//! known. Every change of an earlier second is applied, the changes of one second in every
//! order they could have had; a key whose value differs between those orders is
//! [`Know::Unknown`]. For a query at the same second as changes, the call may have come before
//! or after each of them: every key one of them could change to another value is Unknown. Two
//! exceptions follow from causality: a creation comes before every other change of the
//! resource in its second (nothing can change a resource that does not exist), and the call's
//! own change comes after its own authorisation (`tags_for_event` leaves it out).

use std::cell::OnceCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use ct_common::time::{self, Time};
use ct_iam::eval::{Context, Decision, Outcome};
use ct_iam::json::Json;
use ct_iam::mapping::{prefix_of, strip_version};
use ct_iam::{Event, Use};

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
    fn vacuous(&self) -> bool {
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
type Tag = (String, String);
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
const MAX_ORDERED: usize = 6;

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
fn apply_second(before: &TagState, changes: &[&Change], fold: bool, prefixes: bool) -> TagState {
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

/// One change as read, before sorting.
#[derive(Debug, Clone)]
struct Entry {
    /// eventTime in seconds; `None` when the event had none readable.
    secs: Option<i64>,
    /// eventID, to leave a call's own change out of its own query.
    event: Option<String>,
    change: Change,
}

/// Collects the tag changes of a stream, in any order.
#[derive(Debug, Default)]
pub struct Tracker {
    entries: HashMap<String, Vec<Entry>>,
    /// Per service prefix (`*`: any service), the earliest time a tagging call changed tags on
    /// resources the event does not name (`i64::MIN` when that call had no time).
    unattributed: HashMap<String, i64>,
}

impl Tracker {
    pub fn new() -> Self {
        Self::default()
    }

    /// Learns what one event did to tags. Every event may be given (in any order); only
    /// successful calls change anything. `uses` is the event's mapping (`ct_iam::map`), or
    /// empty: where the event names a resource in a way this module does not read itself, the
    /// first use's resources are taken.
    pub fn observe(&mut self, ev: &Event<'_>, uses: &[Use<'_>]) {
        if ev.error_code.is_some() || ev.event_type.as_deref().is_some_and(|t| t != "AwsApiCall") {
            return;
        }
        let (Some(source), Some(name)) = (ev.event_source.as_deref(), ev.event_name.as_deref()) else { return };
        let prefix = prefix_of(source);
        let name = strip_version(name).unwrap_or(name);
        if !might_tag(prefix, name) && !may_change_tags(ev, name) {
            return;
        }
        let call = Call::new(ev, uses);
        let secs = ev.event_time.as_deref().and_then(time::parse_event_time).map(|t| t.secs);
        let learnt = learn(&call, prefix, name);
        let (changes, unread) = match learnt {
            Learnt::Nothing => return,
            Learnt::Changes(c) => (c, None),
            Learnt::Unreadable(arns) => (Vec::new(), Some(arns)),
        };
        let event = ev.event_id.as_deref().map(str::to_string);
        for (arn, change) in changes {
            self.record_at(&arn, secs, event.clone(), change);
        }
        match unread {
            Some(arns) if arns.is_empty() => {
                let t = secs.unwrap_or(i64::MIN);
                // The Resource Groups Tagging API tags the resources of every service.
                let service = if prefix == "tag" { "*" } else { prefix };
                let e = self.unattributed.entry(service.to_string()).or_insert(t);
                *e = (*e).min(t);
            }
            Some(arns) => {
                for arn in arns {
                    self.record_at(&arn, secs, event.clone(), Change::Unknown);
                }
            }
            None => {}
        }
    }

    /// Records one change by hand (for inputs other than events).
    pub fn record(&mut self, arn: &str, time: Option<Time>, event_id: Option<&str>, change: Change) {
        self.record_at(arn, time.map(|t| t.secs), event_id.map(str::to_string), change);
    }

    fn record_at(&mut self, arn: &str, secs: Option<i64>, event: Option<String>, change: Change) {
        let Some(key) = resource_key(arn) else { return };
        self.entries.entry(key).or_default().push(Entry { secs, event, change });
    }

    /// Sorts what was read into histories that can be asked.
    pub fn finish(mut self) -> Tags {
        let mut tainted: BTreeSet<String> = BTreeSet::new();
        let mut aliases: HashMap<String, String> = HashMap::new();
        secret_names(&mut self.entries, &mut aliases, &mut tainted);
        let mut histories = HashMap::with_capacity(self.entries.len());
        for (key, mut entries) in self.entries {
            if entries.iter().any(|e| e.secs.is_none()) {
                // A change that cannot be placed in time could be anywhere.
                tainted.insert(key);
                continue;
            }
            entries.sort_by_key(|e| e.secs);
            // Whether IAM reads tag keys differing only in case as one depends on the resource
            // type (IAM User Guide, "Tagging IAM resources", case sensitivity): changes of IAM
            // resources are read with folding, see `Change::touches`.
            let fold = key.split(':').nth(2) == Some("iam");
            let mut seconds: Vec<Second> = Vec::new();
            for e in entries {
                let secs = e.secs.unwrap_or(i64::MIN);
                match seconds.last_mut() {
                    Some(s) if s.secs == secs => {
                        // The same event read twice (overlapping inputs) is one change.
                        if !s.changes.iter().any(|(ev, c)| *c == e.change && (*ev == e.event || ev.is_none())) {
                            s.changes.push((e.event, e.change));
                        }
                    }
                    _ => seconds.push(Second { secs, changes: vec![(e.event, e.change)], after: TagState::default() }),
                }
            }
            let mut state = TagState::default();
            for s in &mut seconds {
                let changes: Vec<&Change> = s.changes.iter().map(|(_, c)| c).collect();
                state = apply_second(&state, &changes, fold, false);
                s.after = state.clone();
            }
            histories.insert(key, History { seconds, fold });
        }
        Tags { histories, aliases, tainted, unattributed: self.unattributed }
    }
}

/// Secrets Manager names a secret by name or by ARN, and the ARN ends in six random characters
/// after the name (Secrets Manager User Guide, "Secret ARN"): changes recorded under the name
/// belong to the one secret of that name whose ARN the stream shows. With several such ARNs
/// (a secret deleted and made again), the name's changes cannot be placed: all are tainted.
fn secret_names(
    entries: &mut HashMap<String, Vec<Entry>>,
    aliases: &mut HashMap<String, String>,
    tainted: &mut BTreeSet<String>,
) {
    let mut by_name: HashMap<String, Vec<String>> = HashMap::new();
    for key in entries.keys() {
        if let Some(name) = secret_without_suffix(key) {
            by_name.entry(name.to_string()).or_default().push(key.clone());
        }
    }
    for (name, full) in by_name {
        match full.as_slice() {
            [one] => {
                if let Some(moved) = entries.remove(&name) {
                    entries.entry(one.clone()).or_default().extend(moved);
                }
                aliases.insert(name, one.clone());
            }
            _ => {
                if entries.contains_key(&name) {
                    tainted.extend(full.iter().cloned());
                }
                tainted.insert(name);
            }
        }
    }
}

/// A secret's ARN without its `-XXXXXX` suffix, when it has one.
fn secret_without_suffix(key: &str) -> Option<&str> {
    let at = key.find(":secret:")?;
    if !key.starts_with("arn:") || key.split(':').nth(2) != Some("secretsmanager") {
        return None;
    }
    let (stem, tail) = key.split_at(key.len().checked_sub(7)?);
    (stem.len() > at + 8 && tail.starts_with('-') && tail[1..].bytes().all(|b| b.is_ascii_alphanumeric()))
        .then_some(stem)
}

#[derive(Debug)]
struct Second {
    secs: i64,
    changes: Vec<(Option<String>, Change)>,
    /// The state after all of them.
    after: TagState,
}

#[derive(Debug)]
struct History {
    seconds: Vec<Second>,
    fold: bool,
}

/// The tag histories of a whole stream, to ask.
#[derive(Debug, Default)]
pub struct Tags {
    histories: HashMap<String, History>,
    /// A secret's name, for the one ARN the stream gave it.
    aliases: HashMap<String, String>,
    /// Resources with a change the stream cannot place: nothing is said of them.
    tainted: BTreeSet<String>,
    unattributed: HashMap<String, i64>,
}

impl Tags {
    /// The tags `arn` had just before `time`, or `None` when the stream says nothing of them
    /// then. `arn` is written as the mapping writes resources; patterns (holding `*`) have no
    /// tags.
    pub fn tags_at(&self, arn: &str, time: Time) -> Option<TagState> {
        self.tags_for_event(arn, time, None)
    }

    /// As `tags_at`, for the call with this eventID, whose own change to the resource's tags
    /// comes after its authorisation and so is left out.
    pub fn tags_for_event(&self, arn: &str, time: Time, event_id: Option<&str>) -> Option<TagState> {
        let key = resource_key(arn)?;
        let service = key.split(':').nth(2).unwrap_or("");
        if [service, "*"].iter().any(|s| self.unattributed.get(*s).is_some_and(|&t| t <= time.secs)) {
            return None;
        }
        let key = self.aliases.get(&key).cloned().unwrap_or(key);
        if self.tainted.contains(&key) {
            return None;
        }
        // A secret's ARN that the stream only named by name.
        let h = match self.histories.get(&key) {
            Some(h) => h,
            None => {
                let name = secret_without_suffix(&key)?;
                if self.tainted.contains(name) {
                    return None;
                }
                self.histories.get(name)?
            }
        };
        let i = h.seconds.partition_point(|s| s.secs < time.secs);
        let before = if i > 0 { h.seconds[i - 1].after.clone() } else { TagState::default() };
        let state = match h.seconds.get(i) {
            Some(s) if s.secs == time.secs => {
                let changes: Vec<&Change> = s
                    .changes
                    .iter()
                    .filter(|(ev, _)| event_id.is_none() || ev.as_deref() != event_id)
                    .map(|(_, c)| c)
                    .collect();
                if changes.is_empty() { before } else { apply_second(&before, &changes, h.fold, true) }
            }
            _ => before,
        };
        (!state.vacuous()).then_some(state)
    }

    /// The context entries for `arn` at `time` (none when the stream says nothing of it).
    pub fn context_for(&self, arn: &str, time: Option<Time>, event_id: Option<&str>) -> TagContext {
        match time {
            Some(t) => tag_context(self.tags_for_event(arn, t, event_id).as_ref(), arn),
            None => TagContext::default(),
        }
    }

    /// How many resources have a history.
    pub fn len(&self) -> usize {
        self.histories.len()
    }

    pub fn is_empty(&self) -> bool {
        self.histories.is_empty()
    }
}

/// The key a resource's history is kept under: its ARN, written the one way that every
/// spelling of the same resource shares; `None` for a pattern or what is not an ARN.
pub fn resource_key(arn: &str) -> Option<String> {
    let p: Vec<&str> = arn.splitn(6, ':').collect();
    let [scheme, partition, service, region, account, resource] = p[..] else { return None };
    if scheme != "arn" {
        return None;
    }
    let key = match service {
        // EC2 resource IDs are unique in their region whatever the type the ARN names
        // (Amazon EC2 User Guide, "Resource IDs"); images and snapshots have no account.
        "ec2" => format!("arn:{partition}:ec2:{region}::{}", resource.rsplit('/').next()?),
        // "Lambda does not support adding tags to aliases or versions" (Lambda API Reference,
        // ListTags): a qualified ARN has the function's tags, function:NAME.
        "lambda" if resource.starts_with("function:") => {
            let name = resource.split(':').nth(1)?;
            format!("arn:{partition}:lambda:{region}:{account}:function:{name}")
        }
        // A role, user or instance profile is named without its path in the calls that tag it
        // (TagRole takes RoleName), and names are unique in the account whatever the path,
        // without regard to case (IAM User Guide, "IAM identifiers").
        "iam" => match resource.split_once('/') {
            Some((kind @ ("role" | "user" | "instance-profile"), rest)) => {
                let name = rest.rsplit('/').next()?.to_ascii_lowercase();
                format!("arn:{partition}:iam::{account}:{kind}/{name}")
            }
            _ => arn.to_string(),
        },
        // log-group:NAME and log-group:NAME:* name the same group (CloudWatch Logs API
        // Reference, LogGroup: its arn ends in :*, its logGroupArn does not).
        "logs" => arn.strip_suffix(":*").unwrap_or(arn).to_string(),
        // stack/NAME/ID: a stack is named by name or by ID, and one name is one live stack.
        "cloudformation" if resource.starts_with("stack/") => {
            let name = resource.split('/').nth(1)?;
            format!("arn:{partition}:cloudformation:{region}:{account}:stack/{name}")
        }
        _ => arn.to_string(),
    };
    (!key.contains(['*', '?'])).then_some(key)
}

/// What one event taught.
enum Learnt {
    /// Not a change of tags.
    Nothing,
    Changes(Vec<(String, Change)>),
    /// A change of tags that could not be read, on these resources (none named: some resource
    /// of the service).
    Unreadable(Vec<String>),
}

/// Whether a call may be a tagging call: worth reading.
fn might_tag(prefix: &str, name: &str) -> bool {
    if ["Get", "List", "Describe", "Search"].iter().any(|p| name.starts_with(p)) {
        return false;
    }
    tagging_name(name)
        || (prefix == "ec2" && EC2_CREATES.iter().any(|(n, _, _)| *n == name))
        || matches!(
            (prefix, name),
            ("ec2", "RunInstances")
                | ("lambda", "CreateFunction")
                | ("iam", "CreateRole" | "CreateUser" | "CreateInstanceProfile" | "CreatePolicy")
                | ("sqs", "CreateQueue")
                | ("sns", "CreateTopic")
                | ("logs", "CreateLogGroup")
                | ("dynamodb", "CreateTable")
                | ("kms", "CreateKey")
                | ("secretsmanager", "CreateSecret")
                | ("cloudformation", "CreateStack" | "UpdateStack" | "CreateChangeSet" | "ExecuteChangeSet")
                | ("elasticloadbalancing", "CreateLoadBalancer" | "CreateTargetGroup")
        )
}

/// A name of the tagging calls' kinds: TagResource, UntagQueue, AddTagsToResource,
/// PutBucketTagging, CreateOrUpdateTags...
fn tagging_name(name: &str) -> bool {
    name.contains("Tag") || name.starts_with("Untag")
}

/// An update call of another shape that carries tags (CodeBuild UpdateProject replaces a
/// project's tags with those it is given): whatever it did to the tags is unknown.
fn may_change_tags(ev: &Event<'_>, name: &str) -> bool {
    ev.read_only != Some(true)
        && ["Update", "Modify", "Replace", "Set"].iter().any(|p| name.starts_with(p))
        && ev.request_parameters.is_some_and(|p| p.contains("\"tags\"") || p.contains("\"Tags\""))
}

/// One event, read for its tags.
struct Call<'e> {
    ev: &'e Event<'e>,
    params: Json<'e>,
    /// Read when first needed: most tagging calls answer nothing of use.
    response: OnceCell<Json<'e>>,
    /// The ARNs the mapping gave the call's first action, without patterns.
    mapped: Vec<String>,
}

impl<'e> Call<'e> {
    fn new(ev: &'e Event<'e>, uses: &[Use<'_>]) -> Self {
        let mapped = uses
            .iter()
            .find(|u| !u.inferred)
            .map(|u| u.resources.iter().filter(|r| !r.contains('*')).map(|r| r.to_string()).collect())
            .unwrap_or_default();
        Call { ev, params: Json::parse(ev.request_parameters), response: OnceCell::new(), mapped }
    }

    fn response(&self) -> &Json<'e> {
        self.response.get_or_init(|| Json::parse(self.ev.response_elements))
    }

    fn partition(&self) -> &str {
        self.ev.partition()
    }

    fn region(&self) -> &str {
        self.ev.aws_region.as_deref().unwrap_or("*")
    }

    fn account(&self) -> &str {
        self.ev.account().unwrap_or("*")
    }

    /// A request string under one of `names`.
    fn param(&self, names: &[&str]) -> Option<String> {
        member(&self.params, names).and_then(scalar)
    }

    /// An ARN of `service` from a request value that is an ARN or a bare name or id, built
    /// with `make` from the bare one.
    fn arn_or(&self, names: &[&str], make: impl Fn(&str) -> String) -> Option<String> {
        let v = self.param(names)?;
        Some(if v.starts_with("arn:") { v } else { make(&v) })
    }
}

/// A member of an object under one of `names`: exact first, then without case.
fn member<'j, 'a>(v: &'j Json<'a>, names: &[&str]) -> Option<&'j Json<'a>> {
    let Json::Object(m) = v else { return None };
    names
        .iter()
        .find_map(|n| v.get(n))
        .or_else(|| m.iter().find(|(k, _)| names.iter().any(|n| k.eq_ignore_ascii_case(n))).map(|(_, x)| x))
}

/// A member that holds a list or an object (the XML-shaped records put counters such as
/// `"tag": 1` beside the `Tag` list).
fn member_nested<'j, 'a>(v: &'j Json<'a>, names: &[&str]) -> Option<&'j Json<'a>> {
    let Json::Object(m) = v else { return None };
    m.iter()
        .filter(|(_, x)| matches!(x, Json::Array(_) | Json::Object(_)))
        .find(|(k, _)| names.iter().any(|n| k.as_ref() == *n))
        .or_else(|| {
            m.iter()
                .filter(|(_, x)| matches!(x, Json::Array(_) | Json::Object(_)))
                .find(|(k, _)| names.iter().any(|n| k.eq_ignore_ascii_case(n)))
        })
        .map(|(_, x)| x)
}

/// A scalar as text: records converted from XML write values as booleans or numbers
/// (S3's `"Value": true`), which IAM reads as the strings they were.
fn scalar(v: &Json<'_>) -> Option<String> {
    match v {
        Json::String(s) => Some(s.to_string()),
        Json::Bool(b) => Some(b.to_string()),
        Json::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

const KEY_NAMES: &[&str] = &["key", "Key", "tagKey", "TagKey"];
const VALUE_NAMES: &[&str] = &["value", "Value", "tagValue", "TagValue"];
/// Lists wrapped in an object: `items` (EC2's query shape, CloudFront), `item` (EC2 records
/// converted from XML), `Tag` and `TagSet` (S3), `member` (query APIs).
const WRAPPERS: &[&str] = &["items", "item", "Tag", "TagSet", "tagSet", "member"];

/// One tag of a list: an object with a key and, perhaps, a value.
fn tag_of(v: &Json<'_>) -> Option<(String, Option<String>)> {
    if !matches!(v, Json::Object(_)) {
        return None;
    }
    let k = member(v, KEY_NAMES).and_then(scalar)?;
    Some((k, member(v, VALUE_NAMES).and_then(scalar)))
}

/// Whether an object is one tag (where XML held one, its list is that tag alone) rather than a
/// map of tags: a key, perhaps a value, and the counters of XML-converted records.
fn one_tag(v: &Json<'_>) -> bool {
    let Json::Object(m) = v else { return false };
    member(v, KEY_NAMES).is_some()
        && m.iter().all(|(k, _)| k == "tag" || KEY_NAMES.contains(&k.as_ref()) || VALUE_NAMES.contains(&k.as_ref()))
}

/// The tags of every shape the services log: a map of key to value (Lambda, SQS, Logs); a
/// list of key and value objects (IAM, ECS, DynamoDB, KMS's tagKey and tagValue); such a list
/// wrapped in an object (`tagSet.items`, S3's `TagSet.Tag`, a single tag where XML had one).
/// `None` when the shape is none of these. A key without a value has the empty value (EC2 API
/// Reference, CreateTags: "we set the value to an empty string").
fn read_tags(v: &Json<'_>) -> Option<Vec<(String, String)>> {
    Some(read_tag_list(v)?.into_iter().map(|(k, v)| (k, v.unwrap_or_default())).collect())
}

fn read_tag_list(v: &Json<'_>) -> Option<Vec<(String, Option<String>)>> {
    match v {
        Json::Array(a) => a.iter().map(tag_of).collect(),
        Json::Object(m) => {
            if let Some(inner) = member_nested(v, WRAPPERS) {
                return match inner {
                    Json::Object(_) if one_tag(inner) => Some(vec![tag_of(inner)?]),
                    _ => read_tag_list(inner),
                };
            }
            if one_tag(v) {
                return Some(vec![tag_of(v)?]);
            }
            m.iter().map(|(k, x)| Some((k.to_string(), Some(scalar(x)?)))).collect()
        }
        _ => None,
    }
}

/// Tag keys: a list of strings, or of tag objects, perhaps wrapped (CloudFront's
/// `tagKeys.items`).
fn read_keys(v: &Json<'_>) -> Option<Vec<String>> {
    match v {
        Json::String(s) => Some(vec![s.to_string()]),
        Json::Array(a) => a.iter().map(|x| scalar(x).or_else(|| tag_of(x).map(|(k, _)| k))).collect(),
        Json::Object(_) => match member_nested(v, WRAPPERS) {
            Some(inner) => read_keys(inner),
            None => tag_of(v).map(|(k, _)| vec![k]),
        },
        _ => None,
    }
}

const TAGS: &[&str] = &["tags", "Tags", "tagList", "TagList"];
const TAG_KEYS: &[&str] = &["tagKeys", "TagKeys", "tagKeyList", "keys"];

/// What an event did to tags.
fn learn(call: &Call<'_>, prefix: &str, name: &str) -> Learnt {
    let (p, r, a) = (call.partition(), call.region(), call.account());
    match (prefix, name) {
        ("ec2", _) => ec2(call, name),
        // Object tags are not resource tags (IAM reads them as s3:ExistingObjectTag).
        ("s3", "PutObjectTagging" | "DeleteObjectTagging") => Learnt::Nothing,
        // "Sets the tags for a bucket ... this operation replaces them" (Amazon S3 API
        // Reference, PutBucketTagging); DeleteBucketTagging removes them all.
        ("s3", "PutBucketTagging" | "DeleteBucketTagging") => {
            let Some(bucket) = call.param(&["bucketName"]) else { return unreadable(call) };
            let arn = format!("arn:{p}:s3:::{bucket}");
            if name == "DeleteBucketTagging" {
                return Learnt::Changes(vec![(arn, Change::ReplaceAll(Vec::new()))]);
            }
            match member(&call.params, &["Tagging"]).and_then(|t| member_nested(t, &["TagSet"])).and_then(read_tags) {
                Some(tags) => Learnt::Changes(vec![(arn, Change::ReplaceAll(tags))]),
                None => Learnt::Unreadable(vec![arn]),
            }
        }
        // TagRole, UntagUser, ... (IAM API Reference): the entity by name, or by ARN.
        ("iam", _) if name.starts_with("Tag") || name.starts_with("Untag") => {
            let entity = name.trim_start_matches("Untag").trim_start_matches("Tag");
            let arn = match entity {
                "Role" => call.param(&["roleName"]).map(|n| format!("arn:{p}:iam::{a}:role/{n}")),
                "User" => call.param(&["userName"]).map(|n| format!("arn:{p}:iam::{a}:user/{n}")),
                "InstanceProfile" => {
                    call.param(&["instanceProfileName"]).map(|n| format!("arn:{p}:iam::{a}:instance-profile/{n}"))
                }
                "ServerCertificate" => {
                    call.param(&["serverCertificateName"]).map(|n| format!("arn:{p}:iam::{a}:server-certificate/{n}"))
                }
                "Policy" => call.param(&["policyArn"]),
                "OpenIDConnectProvider" => call.param(&["openIDConnectProviderArn"]),
                "SAMLProvider" => call.param(&["sAMLProviderArn", "samlProviderArn"]),
                "MFADevice" => call.param(&["serialNumber"]).filter(|s| s.starts_with("arn:")),
                _ => None,
            };
            tag_or_untag(call, arn, name.starts_with("Tag"))
        }
        // The created entity's ARN is in the answer (IAM API Reference, CreateRole: Role.Arn).
        ("iam", "CreateRole" | "CreateUser" | "CreateInstanceProfile" | "CreatePolicy") => {
            let what = &["role", "user", "instanceProfile", "policy"];
            let arn =
                what.iter().find_map(|w| call.response().get(w)).and_then(|o| member(o, &["arn"])).and_then(scalar);
            created(call, arn, true)
        }
        // Lambda API Reference, CreateFunction: Tags; the answer's FunctionArn.
        ("lambda", "CreateFunction") => created(call, member(call.response(), &["functionArn"]).and_then(scalar), true),
        // SQS API Reference, TagQueue and UntagQueue: QueueUrl, Tags, TagKeys.
        ("sqs", "TagQueue" | "UntagQueue") => {
            let arn = call.param(&["queueUrl"]).and_then(|u| queue_arn(&u, p, r));
            tag_or_untag(call, arn, name == "TagQueue")
        }
        // CreateQueue and CreateTopic answer for an existing queue or topic of the same name
        // (SQS API Reference, CreateQueue; SNS API Reference, CreateTopic: "this action is
        // idempotent"): their tags are set, not the whole set.
        ("sqs", "CreateQueue") => {
            let arn = member(call.response(), &["queueUrl"]).and_then(scalar).and_then(|u| queue_arn(&u, p, r));
            created(call, arn, false)
        }
        ("sns", "CreateTopic") => created(call, member(call.response(), &["topicArn"]).and_then(scalar), false),
        // CloudWatch Logs API Reference, TagLogGroup (tags) and UntagLogGroup (tags, a list of
        // keys): the group by name.
        ("logs", "TagLogGroup" | "UntagLogGroup") => {
            let arn = call.param(&["logGroupName"]).map(|n| format!("arn:{p}:logs:{r}:{a}:log-group:{n}"));
            let Some(arn) = arn else { return unreadable(call) };
            let tags = member(&call.params, &["tags"]);
            match (name, tags) {
                ("TagLogGroup", Some(t)) => set_or_unknown(arn, read_tags(t).map(Change::Set)),
                ("UntagLogGroup", Some(t)) => set_or_unknown(arn, read_keys(t).map(removal)),
                _ => Learnt::Unreadable(vec![arn]),
            }
        }
        // CreateLogGroup fails on an existing group (ResourceAlreadyExistsException).
        ("logs", "CreateLogGroup") => {
            let arn = call.param(&["logGroupName"]).map(|n| format!("arn:{p}:logs:{r}:{a}:log-group:{n}"));
            created(call, arn, true)
        }
        // DynamoDB API Reference, CreateTable: Tags; the answer's TableDescription.TableArn.
        ("dynamodb", "CreateTable") => {
            let arn = call.response().get("tableDescription").and_then(|d| member(d, &["tableArn"])).and_then(scalar);
            created(call, arn, true)
        }
        // KMS API Reference, CreateKey: Tags of TagKey and TagValue; KeyMetadata.Arn.
        ("kms", "CreateKey") => {
            let arn = call.response().get("keyMetadata").and_then(|d| member(d, &["arn"])).and_then(scalar);
            created(call, arn, true)
        }
        // Secrets Manager API Reference, CreateSecret: Tags; the answer's ARN.
        ("secretsmanager", "CreateSecret") => created(call, member(call.response(), &["arn"]).and_then(scalar), true),
        // CloudFormation API Reference, CreateStack: Tags; the answer's StackId.
        ("cloudformation", "CreateStack") => {
            let arn = member(call.response(), &["stackId"]).and_then(scalar).or_else(|| stack_arn(call));
            created(call, arn, true)
        }
        // UpdateStack, Tags: "If you don't specify this parameter, CloudFormation doesn't
        // modify the stack's tags. If you specify an empty value, CloudFormation removes all
        // associated tags." (CloudFormation API Reference, UpdateStack.)
        ("cloudformation", "UpdateStack") => {
            let Some(tags) = member(&call.params, &["tags"]) else { return Learnt::Nothing };
            let Some(arn) = stack_arn(call) else { return unreadable(call) };
            set_or_unknown(arn, read_tags(tags).map(Change::ReplaceAll))
        }
        // A change set carries tags that its execution gives the stack (CreateChangeSet, Tags):
        // from the change set on, the stack's tags are not known.
        ("cloudformation", "CreateChangeSet" | "ExecuteChangeSet") => {
            let arn = member(call.response(), &["stackId"]).and_then(scalar).or_else(|| stack_arn(call));
            match arn {
                Some(arn) => Learnt::Changes(vec![(arn, Change::Unknown)]),
                None => Learnt::Unreadable(Vec::new()),
            }
        }
        // RDS API Reference, AddTagsToResource and RemoveTagsFromResource: ResourceName (an
        // ARN), Tags, TagKeys.
        ("rds", "AddTagsToResource" | "RemoveTagsFromResource") => {
            tag_or_untag(call, call.param(&["resourceName"]), name == "AddTagsToResource")
        }
        // Elastic Load Balancing API Reference (version 2015-12-01), AddTags and RemoveTags:
        // ResourceArns; the classic API (2012-06-01) names load balancers, tags and keys
        // as {Key} objects.
        ("elasticloadbalancing", "AddTags" | "RemoveTags") => {
            let mut arns: Vec<String> = member(&call.params, &["resourceArns"]).and_then(read_keys).unwrap_or_default();
            if let Some(names) = member(&call.params, &["loadBalancerNames"]).and_then(read_keys) {
                arns.extend(names.iter().map(|n| format!("arn:{p}:elasticloadbalancing:{r}:{a}:loadbalancer/{n}")));
            }
            let change = if name == "AddTags" {
                member(&call.params, &["tags"]).and_then(read_tags).map(Change::Set)
            } else {
                member(&call.params, &["tagKeys", "tags"]).and_then(read_keys).map(removal)
            };
            on_each(call, arns, change)
        }
        // CreateLoadBalancer and CreateTargetGroup answer for an existing one of the same
        // settings (ELB API Reference: "this operation is idempotent"): tags set, not all.
        ("elasticloadbalancing", "CreateLoadBalancer" | "CreateTargetGroup") => {
            let list = member(call.response(), &["loadBalancers", "targetGroups"]).and_then(Json::as_array);
            let arn = list.and_then(|l| l.first()).and_then(|x| member(x, &["loadBalancerArn", "targetGroupArn"]));
            match arn.and_then(scalar) {
                Some(arn) => created(call, Some(arn), false),
                None => Learnt::Nothing,
            }
        }
        // Resource Groups Tagging API Reference, TagResources and UntagResources:
        // ResourceARNList.
        ("tag", "TagResources" | "UntagResources") => {
            let arns = member(&call.params, &["resourceARNList", "ResourceARNList"]).and_then(read_keys);
            let change = if name == "TagResources" {
                member(&call.params, TAGS).and_then(read_tags).map(Change::Set)
            } else {
                member(&call.params, TAG_KEYS).and_then(read_keys).map(removal)
            };
            on_each(call, arns.unwrap_or_default(), change)
        }
        // The common TagResource and UntagResource of most services (Lambda, SNS, ECS,
        // DynamoDB, Logs, KMS, Secrets Manager, ECR, CloudFront, Step Functions...): the
        // resource by ARN, or by KeyId (KMS) or SecretId (Secrets Manager).
        (_, "TagResource" | "UntagResource") => {
            let arn = match prefix {
                "kms" => call.arn_or(&["keyId"], |id| format!("arn:{p}:kms:{r}:{a}:key/{id}")),
                "secretsmanager" => {
                    call.arn_or(&["secretId"], |id| format!("arn:{p}:secretsmanager:{r}:{a}:secret:{id}"))
                }
                _ => call
                    .param(&["resourceArn", "resourceARN", "resource", "arn", "resourceName", "resourceId"])
                    .filter(|s| s.starts_with("arn:")),
            };
            tag_or_untag(call, arn, name == "TagResource")
        }
        _ if tagging_name(name) => unreadable(call),
        // An update that carried tags (`may_change_tags`).
        _ => Learnt::Changes(call.mapped.iter().map(|a| (a.clone(), Change::Unknown)).collect()),
    }
}

/// A tagging call not read: unknown on the resources the mapping names, or on some resource
/// of the service.
fn unreadable(call: &Call<'_>) -> Learnt {
    Learnt::Unreadable(call.mapped.clone())
}

fn set_or_unknown(arn: String, change: Option<Change>) -> Learnt {
    match change {
        Some(c) => Learnt::Changes(vec![(arn, c)]),
        None => Learnt::Unreadable(vec![arn]),
    }
}

fn removal(keys: Vec<String>) -> Change {
    Change::Remove(keys.into_iter().map(|k| (k, None)).collect())
}

/// Tags (`tag`) or keys removed, on the resource `arn` (or, failing it, the mapping's).
fn tag_or_untag(call: &Call<'_>, arn: Option<String>, tag: bool) -> Learnt {
    let arns = match arn {
        Some(a) => vec![a],
        None => call.mapped.clone(),
    };
    let change = if tag {
        member(&call.params, TAGS)
            .or_else(|| member(&call.params, &["tagResourceInput"]).and_then(|t| member(t, TAGS)))
            .and_then(read_tags)
            .map(Change::Set)
    } else {
        member(&call.params, TAG_KEYS).and_then(read_keys).map(removal)
    };
    on_each(call, arns, change)
}

fn on_each(call: &Call<'_>, arns: Vec<String>, change: Option<Change>) -> Learnt {
    let arns = if arns.is_empty() { call.mapped.clone() } else { arns };
    match change {
        Some(c) if !arns.is_empty() => Learnt::Changes(arns.into_iter().map(|a| (a, c.clone())).collect()),
        _ => Learnt::Unreadable(arns),
    }
}

/// A resource made by the call with the request's tags: all of them (`complete`), or, for a
/// call that may answer for an existing resource, only those set.
fn created(call: &Call<'_>, arn: Option<String>, complete: bool) -> Learnt {
    let Some(arn) = arn else { return Learnt::Nothing };
    let tags = match member(&call.params, TAGS) {
        None => Some(Vec::new()),
        Some(t) => read_tags(t),
    };
    let change = match (tags, complete) {
        (Some(tags), true) => Change::Created { tags, complete: true },
        (Some(tags), false) if tags.is_empty() => return Learnt::Nothing,
        (Some(tags), false) => Change::Set(tags),
        // Made here, with tags not read: nothing is known of them, nor of what came before.
        (None, _) => Change::Unknown,
    };
    Learnt::Changes(vec![(arn, change)])
}

/// A stack's ARN from StackName, a name or an ID (the key leaves the ID out).
fn stack_arn(call: &Call<'_>) -> Option<String> {
    let (p, r, a) = (call.partition(), call.region(), call.account());
    call.arn_or(&["stackName"], |n| format!("arn:{p}:cloudformation:{r}:{a}:stack/{n}/*"))
}

/// A queue's ARN from its URL, https://sqs.REGION.amazonaws.com/ACCOUNT/NAME (SQS Developer
/// Guide, "Amazon SQS queue and message identifiers").
fn queue_arn(url: &str, partition: &str, region: &str) -> Option<String> {
    let mut parts = url.trim_end_matches('/').rsplit('/');
    let (name, account) = (parts.next()?, parts.next()?);
    (!name.is_empty() && account.bytes().all(|b| b.is_ascii_digit()))
        .then(|| format!("arn:{partition}:sqs:{region}:{account}:{name}"))
}

/// EC2 calls that make a resource, the key of its ID in the answer, and the ResourceType of
/// its TagSpecifications (EC2 API Reference, each call's response elements; TagSpecification
/// ResourceType values).
const EC2_CREATES: &[(&str, &str, &str)] = &[
    ("CreateVolume", "volumeId", "volume"),
    ("CreateSnapshot", "snapshotId", "snapshot"),
    ("CreateSecurityGroup", "groupId", "security-group"),
    ("CreateVpc", "vpcId", "vpc"),
    ("CreateSubnet", "subnetId", "subnet"),
    ("CreateInternetGateway", "internetGatewayId", "internet-gateway"),
    ("CreateRouteTable", "routeTableId", "route-table"),
    ("CreateNetworkAcl", "networkAclId", "network-acl"),
    ("CreateNetworkInterface", "networkInterfaceId", "network-interface"),
    ("AllocateAddress", "allocationId", "elastic-ip"),
    ("CreateNatGateway", "natGatewayId", "natgateway"),
    ("CreateLaunchTemplate", "launchTemplateId", "launch-template"),
    ("CreateKeyPair", "keyPairId", "key-pair"),
    ("ImportKeyPair", "keyPairId", "key-pair"),
    ("CreateImage", "imageId", "image"),
    ("CreateVpcEndpoint", "vpcEndpointId", "vpc-endpoint"),
];

fn ec2_arn(call: &Call<'_>, id: &str) -> String {
    format!("arn:{}:ec2:{}::{id}", call.partition(), call.region())
}

fn ec2(call: &Call<'_>, name: &str) -> Learnt {
    match name {
        // EC2 API Reference, CreateTags: resourcesSet of resource IDs, tagSet of key and value.
        "CreateTags" | "DeleteTags" => {
            let ids: Vec<String> = member(&call.params, &["resourcesSet"])
                .and_then(read_list)
                .map(|items| items.iter().filter_map(|i| member(i, &["resourceId"]).and_then(scalar)).collect())
                .unwrap_or_default();
            let arns: Vec<String> = ids.iter().map(|id| ec2_arn(call, id)).collect();
            if arns.is_empty() {
                return unreadable(call);
            }
            let set = member(&call.params, &["tagSet"]);
            let change = match (name, set) {
                ("CreateTags", Some(s)) => read_tags(s).map(Change::Set),
                ("CreateTags", None) => None,
                // DeleteTags: "If you omit this parameter, we delete all user-defined tags for
                // the specified resources" (EC2 API Reference, DeleteTags, Tag.N).
                (_, None) => Some(Change::ClearUser),
                (_, Some(s)) => read_tag_list(s).map(Change::Remove),
            };
            match change {
                Some(c) => Learnt::Changes(arns.into_iter().map(|a| (a, c.clone())).collect()),
                None => Learnt::Unreadable(arns),
            }
        }
        "RunInstances" => run_instances(call),
        _ => match EC2_CREATES.iter().find(|(n, _, _)| *n == name) {
            Some(&(_, id_key, kind)) => {
                let Some(holder) = holding(call.response(), id_key, 0) else { return Learnt::Nothing };
                let Some(id) = member(holder, &[id_key]).and_then(scalar) else { return Learnt::Nothing };
                let (tags, complete) = ec2_created_tags(call, kind, Some(holder), true);
                Learnt::Changes(vec![(ec2_arn(call, &id), Change::Created { tags, complete })])
            }
            // Another EC2 call naming tags (CreateFleet, CreateTransitGateway...): its
            // resources are not read, and are new.
            None => Learnt::Nothing,
        },
    }
}

/// The list of `items` (EC2's query shape) or `item` (EC2 records converted from XML), or a
/// list itself.
fn read_list<'j, 'a>(v: &'j Json<'a>) -> Option<Vec<&'j Json<'a>>> {
    match v {
        Json::Array(a) => Some(a.iter().collect()),
        Json::Object(_) => match member_nested(v, &["items", "item"]) {
            Some(Json::Array(a)) => Some(a.iter().collect()),
            Some(one @ Json::Object(_)) => Some(vec![one]),
            _ => Some(Vec::new()),
        },
        _ => None,
    }
}

/// The object holding `key`, searched breadth first a few levels down (the answers of the
/// calls converted from XML wrap it: CreateNatGatewayResponse.natGateway.natGatewayId).
fn holding<'j, 'a>(v: &'j Json<'a>, key: &str, depth: u8) -> Option<&'j Json<'a>> {
    let Json::Object(m) = v else { return None };
    if m.iter().any(|(k, x)| k.eq_ignore_ascii_case(key) && scalar(x).is_some()) {
        return Some(v);
    }
    if depth >= 3 {
        return None;
    }
    m.iter().filter(|(_, x)| matches!(x, Json::Object(_))).find_map(|(_, x)| holding(x, key, depth + 1))
}

/// The tag specifications of an EC2 request, by resource type: tagSpecificationSet.items[] of
/// resourceType and tags (EC2 API Reference, TagSpecification), or the XML-converted
/// `XRequest.TagSpecification` of ResourceType and Tag. `Err` when they are there but not
/// readable; an empty list when there are none.
fn tag_specs(params: &Json<'_>) -> Result<Vec<(String, Vec<Tag>)>, ()> {
    let names = &["tagSpecificationSet", "TagSpecification", "TagSpecifications"];
    let specs = member_nested(params, names).or_else(|| {
        let Json::Object(m) = params else { return None };
        // The XML-converted records wrap the request in one object (CreateNatGatewayRequest).
        m.iter().find(|(k, _)| k.ends_with("Request")).and_then(|(_, r)| member_nested(r, names))
    });
    let Some(specs) = specs else { return Ok(Vec::new()) };
    let list = match specs {
        Json::Object(_) if member(specs, &["resourceType"]).is_some() => vec![specs],
        _ => read_list(specs).ok_or(())?,
    };
    let mut out = Vec::new();
    for s in list {
        let kind = member(s, &["resourceType"]).and_then(scalar).ok_or(())?;
        let tags = match member_nested(s, &["tags", "Tags", "Tag", "tag"]) {
            // One tag, where the XML had one.
            Some(t @ Json::Object(_)) if member(t, KEY_NAMES).is_some() => {
                vec![tag_of(t).map(|(k, v)| (k, v.unwrap_or_default())).ok_or(())?]
            }
            Some(t) => read_tags(t).ok_or(())?,
            None => Vec::new(),
        };
        out.push((kind, tags));
    }
    Ok(out)
}

/// The tags an EC2 create gave a resource of type `kind`: those of its type's specifications
/// and those the answer shows on it (`holder`'s tagSet). Complete unless the specifications
/// could not be read or `complete` says otherwise.
fn ec2_created_tags(
    call: &Call<'_>,
    kind: &str,
    holder: Option<&Json<'_>>,
    complete: bool,
) -> (Vec<(String, String)>, bool) {
    let (mut tags, read) = match tag_specs(&call.params) {
        Ok(specs) => (
            specs.into_iter().filter(|(k, _)| k.eq_ignore_ascii_case(kind)).flat_map(|(_, t)| t).collect::<Vec<_>>(),
            true,
        ),
        Err(()) => (Vec::new(), false),
    };
    let mut complete = complete && read;
    if let Some(shown) = holder.and_then(|h| member_nested(h, &["tagSet"])) {
        match read_tags(shown) {
            // The answer's own tags win (they are what the resource got).
            Some(shown) => {
                tags.retain(|(k, _)| !shown.iter().any(|(s, _)| s == k));
                tags.extend(shown);
            }
            None => complete = false,
        }
    }
    (tags, complete)
}

/// RunInstances: the instances of the answer (instancesSet.items[].instanceId), with the tags
/// of the `instance` specifications; the network interfaces it made (those of the answer that
/// the request did not name) with the `network-interface` ones; the volumes the answer names
/// (it seldom does while the instance is pending) with the `volume` ones (EC2 API Reference,
/// RunInstances, TagSpecification.N). A launch template may hold tags of its own that the
/// event does not show (EC2 User Guide, "Launch templates"): the sets are then not complete.
fn run_instances(call: &Call<'_>) -> Learnt {
    let complete = member(&call.params, &["launchTemplate", "LaunchTemplate"]).is_none();
    let named_enis: Vec<String> = member(&call.params, &["networkInterfaceSet"])
        .and_then(read_list)
        .map(|l| l.iter().filter_map(|i| member(i, &["networkInterfaceId"]).and_then(scalar)).collect())
        .unwrap_or_default();
    let instances = member(call.response(), &["instancesSet"]).and_then(read_list).unwrap_or_default();
    let mut out = Vec::new();
    for inst in instances {
        let Some(id) = member(inst, &["instanceId"]).and_then(scalar) else { continue };
        let (tags, complete) = ec2_created_tags(call, "instance", Some(inst), complete);
        out.push((ec2_arn(call, &id), Change::Created { tags, complete }));
        let enis = member(inst, &["networkInterfaceSet"]).and_then(read_list).unwrap_or_default();
        for eni in enis {
            let Some(eid) = member(eni, &["networkInterfaceId"]).and_then(scalar) else { continue };
            if named_enis.contains(&eid) {
                continue;
            }
            let (tags, complete) = ec2_created_tags(call, "network-interface", Some(eni), complete);
            out.push((ec2_arn(call, &eid), Change::Created { tags, complete }));
        }
        let disks = member(inst, &["blockDeviceMapping"]).and_then(read_list).unwrap_or_default();
        for d in disks {
            let Some(vid) = d.get("ebs").and_then(|e| member(e, &["volumeId"])).and_then(scalar) else { continue };
            let (tags, complete) = ec2_created_tags(call, "volume", None, complete);
            out.push((ec2_arn(call, &vid), Change::Created { tags, complete }));
        }
    }
    Learnt::Changes(out)
}

/// The condition keys a resource's tags go by: the global aws:ResourceTag/, and the service's
/// own spelling where its resource types list one (Service Authorization Reference:
/// ec2:ResourceTag/, iam:ResourceTag/, s3:BucketTag/, rds:db-tag/ ...).
pub fn tag_key_prefixes(arn: &str) -> Vec<&'static str> {
    let mut out = vec!["aws:ResourceTag/"];
    let p: Vec<&str> = arn.splitn(6, ':').collect();
    let (service, resource) = match p[..] {
        [_, _, s, _, _, r] => (s, r),
        _ => return out,
    };
    let own = match service {
        "ec2" => Some("ec2:ResourceTag/"),
        "iam" if resource.starts_with("role/") || resource.starts_with("user/") => Some("iam:ResourceTag/"),
        "ecs" => Some("ecs:ResourceTag/"),
        "elasticloadbalancing" => Some("elasticloadbalancing:ResourceTag/"),
        "secretsmanager" => Some("secretsmanager:ResourceTag/"),
        "ssm" => Some("ssm:resourceTag/"),
        "s3" if !resource.contains('/') => Some("s3:BucketTag/"),
        "rds" => match resource.split(':').next() {
            Some("db") => Some("rds:db-tag/"),
            Some("cluster") => Some("rds:cluster-tag/"),
            Some("snapshot") => Some("rds:snapshot-tag/"),
            Some("cluster-snapshot") => Some("rds:cluster-snapshot-tag/"),
            _ => None,
        },
        _ => None,
    };
    out.extend(own);
    out
}

/// Whether a condition key is one of a resource's tags.
pub fn is_resource_tag_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    k.starts_with("aws:resourcetag/")
        || [
            "ec2:resourcetag/",
            "iam:resourcetag/",
            "ecs:resourcetag/",
            "elasticloadbalancing:resourcetag/",
            "secretsmanager:resourcetag/",
            "ssm:resourcetag/",
            "s3:buckettag/",
            "rds:db-tag/",
            "rds:cluster-tag/",
            "rds:snapshot-tag/",
            "rds:cluster-snapshot-tag/",
        ]
        .iter()
        .any(|p| k.starts_with(p))
}

/// The context entries a resource's tags give a request on it.
///
/// Entries of `proven` and `unproven` are lower-cased condition keys, prefixes ending in `/`
/// (every key under it), or prefixes ending in `*`. A key is settled when it has values, or
/// when `proven` covers it and `unproven` does not ([`TagContext::knows`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TagContext {
    /// `aws:ResourceTag/KEY` (and the service's spelling) with the tag's value.
    pub values: Vec<(String, String)>,
    /// Keys whose absence is proven: single keys removed in the stream, and, for a complete
    /// state, every key under the prefixes.
    pub proven: Vec<String>,
    /// Keys never proven absent: those the stream cannot settle, and AWS's own (`aws:`) tags.
    pub unproven: Vec<String>,
}

fn listed(list: &[String], k: &str) -> bool {
    list.iter().any(|u| {
        k == u
            || (u.ends_with('/') && k.starts_with(u.as_str()))
            || u.strip_suffix('*').is_some_and(|p| k.starts_with(p))
    })
}

impl TagContext {
    /// Whether the entries settle `key`: it has a value, or its absence is proven. The rule
    /// the evaluator's `Context::knows` takes for these keys once it reads `proven`.
    pub fn knows(&self, key: &str) -> bool {
        let k = key.to_ascii_lowercase();
        self.values.iter().any(|(v, _)| v.eq_ignore_ascii_case(&k))
            || (listed(&self.proven, &k) && !listed(&self.unproven, &k))
    }

    /// Adds the entries to a request's context: the values, and the keys it must not take as
    /// proven. (The evaluator's Context has no field for keys proven absent beyond its own
    /// `observable()` ones yet: until it does, an absent tag stays Unknown, a present one
    /// settles.)
    pub fn apply(&self, ctx: &mut Context) {
        for (k, v) in &self.values {
            ctx.add(k, v);
        }
        for p in &self.proven {
            if !ctx.absent.contains(p) {
                ctx.absent.push(p.clone());
            }
        }
        for u in &self.unproven {
            if !ctx.unproven.contains(u) {
                ctx.unproven.push(u.clone());
            }
        }
    }
}

/// The context entries of a state for the resource `arn`; empty without a state.
pub fn tag_context(state: Option<&TagState>, arn: &str) -> TagContext {
    let mut out = TagContext::default();
    let Some(state) = state else { return out };
    for prefix in tag_key_prefixes(arn) {
        let lower = prefix.to_ascii_lowercase();
        for (k, v) in &state.keys {
            match v {
                Know::Value(v) => out.values.push((format!("{prefix}{k}"), v.clone())),
                Know::Absent => out.proven.push(format!("{lower}{}", k.to_ascii_lowercase())),
                Know::Unknown => out.unproven.push(format!("{lower}{}", k.to_ascii_lowercase())),
            }
        }
        if state.complete {
            out.proven.push(lower.clone());
            out.unproven.push(format!("{lower}aws:*"));
        }
    }
    // The evaluator reads condition keys without case: a value of one spelling of a tag key
    // and an unknown of another (EC2 keys are case sensitive) leave the key unsettled.
    let unsure: BTreeSet<String> = out.unproven.iter().filter(|u| !u.ends_with('*')).cloned().collect();
    out.values.retain(|(k, _)| !unsure.contains(&k.to_ascii_lowercase()));
    out
}

/// Whether an outcome waits for the tags of the resource: Unknown because of a resource tag
/// key, which the whole stream may settle.
pub fn waits_for_tags(outcome: &Outcome) -> bool {
    outcome.decision == Decision::Unknown && outcome.unknown_keys.iter().any(|k| is_resource_tag_key(k))
}

/// A call held until the whole stream is read.
#[derive(Debug, Clone)]
pub struct Pending<T> {
    /// The call's eventTime.
    pub time: Option<Time>,
    /// Its eventID (its own tag change is not part of its own decision).
    pub event_id: Option<String>,
    /// What the gate needs to decide it again (its action, resources, context, counts).
    pub call: T,
}

/// Calls whose decision waits for the tags the whole stream shows, in the order deferred.
#[derive(Debug, Clone)]
pub struct Deferred<T> {
    calls: Vec<Pending<T>>,
}

impl<T> Default for Deferred<T> {
    fn default() -> Self {
        Deferred { calls: Vec::new() }
    }
}

impl<T> Deferred<T> {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn defer(&mut self, time: Option<Time>, event_id: Option<&str>, call: T) {
        self.calls.push(Pending { time, event_id: event_id.map(str::to_string), call });
    }

    pub fn len(&self) -> usize {
        self.calls.len()
    }

    pub fn is_empty(&self) -> bool {
        self.calls.is_empty()
    }
}

impl<T> IntoIterator for Deferred<T> {
    type Item = Pending<T>;
    type IntoIter = std::vec::IntoIter<Pending<T>>;
    fn into_iter(self) -> Self::IntoIter {
        self.calls.into_iter()
    }
}

#[cfg(test)]
mod tests {
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
            (
                "arn:aws:lambda:us-east-1:111122223333:function:f",
                "arn:aws:lambda:us-east-1:111122223333:function:f:prod",
            ),
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
}
