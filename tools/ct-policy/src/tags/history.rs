//! The changes of a stream sorted into each resource's history (`Tracker`), and the
//! histories asked what a resource's tags were at a moment (`Tags`).

use std::collections::{BTreeSet, HashMap};

use ct_common::time::{self, Time};
use ct_iam::mapping::{prefix_of, strip_version};
use ct_iam::{Event, Use};

use super::context::{TagContext, tag_context};
use super::learn::{Learnt, learn, may_change_tags, might_tag};
use super::shapes::Call;
use super::state::{Change, TagState, apply_second};

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
    /// empty: where the event names a resource in a way the tags module does not read itself,
    /// the first use's resources are taken.
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
