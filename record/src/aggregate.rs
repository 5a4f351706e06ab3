//! The aggregate of one action: what one event shows of a use (`Observed`), the record that
//! adds uses up (`ActionRecord`, its sets in `Sets`), and the exact merge of two records.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use compact_str::CompactString;

use crate::capped::{Capped, ContextSets, Recents};

/// One use of an action, as one event shows it.
#[derive(Debug, Clone, Copy)]
pub struct Observed<'a> {
    pub time: Option<&'a str>,
    pub region: Option<&'a str>,
    pub account: Option<&'a str>,
    pub principal: Option<&'a str>,
    /// The principal was given to this record before, so its set need not be looked at
    /// (giving a set a value a second time changes nothing).
    pub principal_seen: bool,
    pub resources: &'a [Cow<'a, str>],
    /// The action takes resources but the event named none of them (`resources` is then
    /// empty and does not speak for this use).
    pub unnamed: bool,
    pub context: &'a [(Cow<'static, str>, Cow<'a, str>)],
    /// Keys that apply to the action but that this call did not carry.
    pub absent: &'a [&'static str],
    /// This call had no aws:CalledVia (ct-iam's `Use::called_via_absent`): `absent` for that
    /// key, which nearly every call would carry.
    pub called_via_absent: bool,
    pub error_code: Option<&'a str>,
    pub denied: bool,
    pub known: bool,
    pub inferred: bool,
}

impl Observed<'_> {
    /// A use of which only the action is known.
    pub fn name_only(known: bool, inferred: bool) -> Observed<'static> {
        Observed {
            time: None,
            region: None,
            account: None,
            principal: None,
            principal_seen: false,
            resources: &[],
            unnamed: false,
            context: &[],
            absent: &[],
            called_via_absent: false,
            error_code: None,
            denied: false,
            known,
            inferred,
        }
    }
}

/// One action's aggregate. What every event reads and writes comes first, in five cache
/// lines; the sets, read only for a value that is not the one given last, are behind a
/// pointer. A trail's records then fit the core's cache (they were 984 bytes each, the
/// fields an event reads scattered through them), and a busy neighbour evicts less of them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[repr(C, align(64))]
pub struct ActionRecord {
    pub count: u64,
    pub denied: u64,
    /// Held inline (times are 20 bytes): compared for every event.
    pub first: Option<CompactString>,
    pub last: Option<CompactString>,
    pub known: bool,
    pub inferred: bool,
    pub(crate) recents: Recents,
    pub action: String,
    pub sets: Box<Sets>,
}

/// The sets of a record, and what is rarely written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sets {
    pub errors: BTreeMap<String, u64>,
    pub regions: Capped,
    pub accounts: Capped,
    pub principals: Capped,
    pub resources: Capped,
    pub context: ContextSets,
    /// The sets (`regions`, `accounts`, `principals`, `time`, `resources`) that some of the
    /// events had no value for: such a set cannot stand for every call (the gate must not read
    /// it so).
    pub partial: BTreeSet<String>,
    /// The values of calls that failed with an error other than a refusal or a busy service
    /// (`transient`): the permission was granted, but the value may be a mistake (a misspelled
    /// instance type, a missing key). The sets above hold the values of the other calls.
    pub failed: Option<Box<Sets>>,
    /// The values of calls refused for lack of permission (they were not done).
    pub refused: Option<Box<Sets>>,
    /// Of all the calls, those a service made with the principal's credentials (the event's
    /// context holds aws:ViaAWSService): when they are all of them, a policy may require it.
    pub via: u64,
}

impl Sets {
    /// Adds the values of one use, without the shortcuts of the sets' last values (the calls
    /// that fail are few).
    pub(crate) fn add_plain(&mut self, u: &Observed<'_>, cap: usize) {
        mark_partial(&mut self.partial, u, &mut false);
        if let Some(x) = u.region {
            self.regions.insert(x, cap);
        }
        if let Some(x) = u.account {
            self.accounts.insert(x, cap);
        }
        if let Some(x) = u.principal {
            self.principals.insert(x, cap);
        }
        for x in u.resources {
            self.resources.insert(x, cap);
        }
        for (k, v) in u.context {
            self.context.set(k).insert(v, cap);
        }
    }

    /// Adds `other`'s values (and those of its outcomes) into `self`.
    pub(crate) fn merge(&mut self, other: &Sets, cap: usize) {
        for (k, n) in &other.errors {
            *self.errors.entry(k.clone()).or_default() += n;
        }
        self.regions.merge(&other.regions, cap);
        self.accounts.merge(&other.accounts, cap);
        self.principals.merge(&other.principals, cap);
        self.resources.merge(&other.resources, cap);
        for (k, v) in other.context.iter() {
            self.context.set(k).merge(v, cap);
        }
        self.partial.extend(other.partial.iter().cloned());
        self.via += other.via;
        for (mine, theirs) in [(&mut self.failed, &other.failed), (&mut self.refused, &other.refused)] {
            if let Some(t) = theirs {
                mine.get_or_insert_default().merge(t, cap);
            }
        }
    }

    /// The values of the calls that succeeded and of those that failed, and of the refused ones
    /// too when `refused`: what a gate must judge, or what a policy grants with
    /// `--include-denied`. Nothing is capped again (`capped` and `partial` carry over).
    pub fn called(&self, refused: bool) -> Sets {
        let mut out = Sets { failed: None, refused: None, ..self.clone() };
        if let Some(f) = &self.failed {
            out.merge(f, usize::MAX);
        }
        if refused && let Some(r) = &self.refused {
            out.merge(r, usize::MAX);
        }
        out
    }
}

/// Whether an error code says only that the service was busy or failed on its side (throttling,
/// an internal error, a time-out): the call was the job's own and is retried as it was, so its
/// values count with those of the calls that succeeded.
pub fn transient(code: &str) -> bool {
    const BUSY: &[&str] = &[
        "Throttl",
        "RequestLimitExceeded",
        "TooManyRequests",
        "SlowDown",
        "ServiceUnavailable",
        "Unavailable",
        "InternalError",
        "InternalFailure",
        "InternalServerError",
        "ServiceFailure",
        "RequestTimeout",
        "ProvisionedThroughputExceeded",
    ];
    BUSY.iter().any(|b| code.contains(b))
}

/// Names the sets that `u` has no value for. `called_via` tells that `partial` names
/// aws:CalledVia already, and is set when it does: nearly every call lacks the key, and
/// looking it up in `partial` for each was most of the cost of noting it.
fn mark_partial(partial: &mut BTreeSet<String>, u: &Observed<'_>, called_via: &mut bool) {
    for (name, missing) in [
        ("regions", u.region.is_none()),
        ("accounts", u.account.is_none()),
        ("principals", u.principal.is_none()),
        ("time", u.time.is_none()),
        ("resources", u.unnamed),
    ] {
        if missing && !partial.contains(name) {
            partial.insert(name.to_string());
        }
    }
    // A key the call did not carry: `context:KEY` (compared in place, no name built per call).
    for key in u.absent {
        if !partial.iter().any(|p| p.strip_prefix("context:") == Some(key)) {
            partial.insert(format!("context:{key}"));
        }
    }
    if u.called_via_absent && !*called_via {
        const NAME: &str = "context:aws:CalledVia";
        if !partial.contains(NAME) {
            partial.insert(NAME.to_string());
        }
        *called_via = true;
    }
}

fn min_opt(a: &Option<CompactString>, b: &Option<CompactString>) -> Option<CompactString> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y).clone()),
        (x, y) => x.clone().or_else(|| y.clone()),
    }
}

fn max_opt(a: &Option<CompactString>, b: &Option<CompactString>) -> Option<CompactString> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.max(y).clone()),
        (x, y) => x.clone().or_else(|| y.clone()),
    }
}

impl ActionRecord {
    pub fn new(action: &str) -> Self {
        ActionRecord { action: action.to_string(), known: true, inferred: true, ..Default::default() }
    }

    /// Adds one use of the action by one event.
    pub fn add(&mut self, u: &Observed<'_>, cap: usize) {
        if self.count == 0 {
            self.known = u.known;
            self.inferred = u.inferred;
        } else {
            self.known &= u.known;
            self.inferred &= u.inferred;
        }
        self.count += 1;
        self.denied += u64::from(u.denied);
        if let Some(code) = u.error_code {
            match self.sets.errors.get_mut(code) {
                Some(n) => *n += 1,
                None => {
                    self.sets.errors.insert(code.to_string(), 1);
                }
            }
        }
        if let Some(t) = u.time {
            // Reusing the strings: events come roughly in time order, so `last` moves often.
            let set = |slot: &mut Option<CompactString>| {
                let s = slot.get_or_insert_with(CompactString::default);
                s.clear();
                s.push_str(t);
            };
            if self.first.as_deref().is_none_or(|f| t < f) {
                set(&mut self.first);
            }
            if self.last.as_deref().is_none_or(|l| t > l) {
                set(&mut self.last);
            }
        }
        if u.context.iter().any(|(k, _)| k.len() == 17 && k == "aws:ViaAWSService") {
            self.sets.via += 1;
        }
        if u.denied || u.error_code.is_some_and(|c| !transient(c)) {
            // A call that did not succeed: its values are kept apart, so that a policy grants
            // only what succeeded and a gate still sees every call.
            let sets = &mut *self.sets;
            let outcome = if u.denied { &mut sets.refused } else { &mut sets.failed };
            outcome.get_or_insert_default().add_plain(u, cap);
            return;
        }
        mark_partial(&mut self.sets.partial, u, &mut self.recents.1);
        let [regions, accounts, principals, resources, fixed @ ..] = &mut self.recents.0;
        let sets = &mut *self.sets;
        if let Some(x) = u.region {
            sets.regions.insert_after(regions, x, cap);
        }
        if let Some(x) = u.account {
            sets.accounts.insert_after(accounts, x, cap);
        }
        if let Some(x) = u.principal
            && !u.principal_seen
        {
            sets.principals.insert_after(principals, x, cap);
        }
        for x in u.resources {
            sets.resources.insert_after(resources, x, cap);
        }
        let mut hint = 0;
        for (k, v) in u.context {
            sets.context.insert_near(fixed, k, v, &mut hint, cap);
        }
    }

    /// Adds `other` (the same action) into `self`.
    pub fn merge(&mut self, other: &ActionRecord, cap: usize) {
        if self.count == 0 {
            // An empty record is the identity of the merge.
            self.known = other.known;
            self.inferred = other.inferred;
        } else if other.count > 0 {
            self.known &= other.known;
            self.inferred &= other.inferred;
        }
        self.count += other.count;
        self.denied += other.denied;
        self.first = min_opt(&self.first, &other.first);
        self.last = max_opt(&self.last, &other.last);
        self.sets.merge(&other.sets, cap);
    }
}
