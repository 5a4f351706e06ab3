//! The action record, the contract between ct-actions (which writes it) and ct-policy (which
//! reads it): what one IAM action was used for, aggregated over events, its JSON form (`Wire`),
//! and its exact merge. Sets keep their `cap` smallest members in sorted order, so merging capped sets
//! gives what capping the union would: merge(a, b) is associative and order-independent.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap};

use compact_str::CompactString;
use hashbrown::HashSet;

use serde::{Deserialize, Serialize};

/// A set holding the `cap` smallest of the values inserted; `capped` says whether values
/// were left out.
///
/// Members are kept in a hash set, not a sorted tree: most inserts find a value already there,
/// and a tree lookup compares the value with a dozen members scattered in memory (the slowest
/// part of aggregating before). Order is made when the set is read (`sorted`).
#[derive(Debug, Clone, Default)]
pub struct Capped {
    /// Values of up to 24 bytes (regions, accounts, addresses) are held in the table itself,
    /// which saves a cache miss per lookup.
    members: HashSet<CompactString>,
    /// Once the set is full: its members, largest first, to know which one a smaller value
    /// evicts.
    full: BinaryHeap<CompactString>,
    pub capped: bool,
}

impl PartialEq for Capped {
    fn eq(&self, other: &Capped) -> bool {
        self.capped == other.capped && self.members == other.members
    }
}

impl Eq for Capped {}

/// The value a set was given last: consecutive events mostly repeat the same region,
/// account, principal and resources, and inserting a value twice in a row changes nothing.
/// A record keeps these apart from its sets, all together (`Recents`): an event reads each
/// of them, and they used to lie a cache line apart each, behind the sets' tables.
#[derive(Debug, Clone, Default)]
struct Recent(CompactString);

impl Recent {
    /// Whether `v` is the value given last; if not, it is now.
    fn repeats(&mut self, v: &str) -> bool {
        if self.0 == v && !v.is_empty() {
            return true;
        }
        self.0.clear();
        self.0.push_str(v);
        false
    }
}

/// The `Recent` of each set of a record that events give values to: regions, accounts,
/// principals, resources, then the context sets of the `FIXED` keys; and whether `partial`
/// is known to name aws:CalledVia (`mark_partial`). Not part of what a record is (equality
/// ignores it).
#[derive(Debug, Clone, Default)]
struct Recents([Recent; 8], bool);

impl PartialEq for Recents {
    fn eq(&self, _: &Recents) -> bool {
        true
    }
}

impl Eq for Recents {}

impl Capped {
    /// The members in sorted order.
    pub fn sorted(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self.members.iter().map(CompactString::as_str).collect();
        v.sort_unstable();
        v
    }

    pub fn len(&self) -> usize {
        self.members.len()
    }

    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// The smallest member.
    pub fn first(&self) -> Option<&str> {
        self.members.iter().map(CompactString::as_str).min()
    }

    /// Inserts `v` unless it repeats the value given last (`recent`).
    fn insert_after(&mut self, recent: &mut Recent, v: &str, cap: usize) {
        if !recent.repeats(v) {
            self.insert(v, cap);
        }
    }

    pub fn insert(&mut self, v: &str, cap: usize) {
        if self.members.len() < cap {
            // One lookup, and a copy of the value only when it is new.
            self.members.get_or_insert_with(v, |v| CompactString::from(v));
            if self.members.len() == cap {
                self.full = self.members.iter().cloned().collect();
            }
            return;
        }
        // Full: only a value below the largest kept can change the set (one above it is left
        // out without a lookup, the common case for addresses and object keys).
        match self.full.peek() {
            Some(largest) if v < largest.as_str() => {
                if self.members.contains(v) {
                    return;
                }
                if let Some(out) = self.full.pop() {
                    self.members.remove(&out);
                }
                self.members.insert(v.into());
                self.full.push(v.into());
                self.capped = true;
            }
            Some(largest) if v > largest.as_str() => self.capped = true,
            // Equal to the largest (a member already), or a cap of 0.
            _ => {}
        }
    }

    pub fn merge(&mut self, other: &Capped, cap: usize) {
        for v in &other.members {
            self.insert(v, cap);
        }
        self.capped |= other.capped;
    }
}

/// The global condition keys that nearly every event shows (`ct_iam::mapping` reads them
/// from every event), in sorted order. Their sets have fixed places in a record, found
/// without comparing keys (one of these keys is longer than an inline string and was a
/// cache miss to compare), their last values beside the sets' headers.
const FIXED: [&str; 4] = ["aws:MultiFactorAuthPresent", "aws:RequestedRegion", "aws:SourceIp", "aws:SourceVpce"];

/// The place of `key` among `FIXED`: their lengths differ, so one comparison tells.
fn fixed_place(key: &str) -> Option<usize> {
    let at = match key.len() {
        26 => 0,
        19 => 1,
        12 => 2,
        14 => 3,
        _ => return None,
    };
    (key == FIXED[at]).then_some(at)
}

/// The context sets of a record by condition key, sorted by key: the `FIXED` keys' in their
/// places (`None` until the key is seen; their last values are among the record's `Recents`),
/// the others in a short list. An action shows a handful of other keys, found by a scan that
/// mostly compares lengths (a tree lookup compared each key's text with several others).
/// Their keys, sets and the sets' `Recent` values are three lists, so that an event reads
/// the keys and recent values it needs from a few cache lines, and the sets only for a new
/// value.
#[derive(Debug, Clone, Default)]
pub struct ContextSets {
    fixed: [Option<Capped>; 4],
    keys: Vec<CompactString>,
    sets: Vec<Capped>,
    recents: Vec<Recent>,
}

impl PartialEq for ContextSets {
    fn eq(&self, other: &ContextSets) -> bool {
        self.fixed == other.fixed && self.keys == other.keys && self.sets == other.sets
    }
}

impl Eq for ContextSets {}

impl ContextSets {
    /// The set of `key`, added empty if there is none.
    pub fn set(&mut self, key: &str) -> &mut Capped {
        if let Some(at) = fixed_place(key) {
            return self.fixed[at].get_or_insert_default();
        }
        let at = self.index(key, 0);
        &mut self.sets[at]
    }

    /// Inserts `v` into the set of `key` unless it repeats the value that set was given
    /// last (`fixed`: the last values of the `FIXED` keys' sets). `hint` is where the key most
    /// likely is among the others, and is moved past it: an event's keys come sorted, as these
    /// are.
    fn insert_near(&mut self, fixed: &mut [Recent], key: &str, v: &str, hint: &mut usize, cap: usize) {
        if let Some(at) = fixed_place(key) {
            if !fixed[at].repeats(v) {
                self.fixed[at].get_or_insert_default().insert(v, cap);
            }
            return;
        }
        let at = self.index(key, *hint);
        self.sets[at].insert_after(&mut self.recents[at], v, cap);
        *hint = at + 1;
    }

    /// Where the set of `key` (not a `FIXED` one) is, added empty if there is none.
    fn index(&mut self, key: &str, hint: usize) -> usize {
        if self.keys.get(hint).is_some_and(|k| k == key) {
            return hint;
        }
        match self.keys.iter().position(|k| k == key) {
            Some(i) => i,
            None => {
                let i = self.keys.partition_point(|k| k.as_str() < key);
                self.keys.insert(i, key.into());
                self.sets.insert(i, Capped::default());
                self.recents.insert(i, Recent::default());
                i
            }
        }
    }

    /// The keys and their sets, sorted by key.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Capped)> {
        let fixed = FIXED.iter().zip(&self.fixed).filter_map(|(k, s)| Some((*k, s.as_ref()?)));
        let others = self.keys.iter().map(CompactString::as_str).zip(&self.sets);
        Merged { a: fixed.peekable(), b: others.peekable() }
    }
}

/// Two lists sorted by key, merged (their keys differ).
struct Merged<A: Iterator, B: Iterator> {
    a: std::iter::Peekable<A>,
    b: std::iter::Peekable<B>,
}

impl<'s, A, B> Iterator for Merged<A, B>
where
    A: Iterator<Item = (&'s str, &'s Capped)>,
    B: Iterator<Item = (&'s str, &'s Capped)>,
{
    type Item = (&'s str, &'s Capped);

    fn next(&mut self) -> Option<Self::Item> {
        match (self.a.peek(), self.b.peek()) {
            (Some(x), Some(y)) if y.0 < x.0 => self.b.next(),
            (Some(_), _) => self.a.next(),
            _ => self.b.next(),
        }
    }
}

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
    recents: Recents,
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
    fn add_plain(&mut self, u: &Observed<'_>, cap: usize) {
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
    fn merge(&mut self, other: &Sets, cap: usize) {
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

    fn wire(&self) -> SetsWire {
        let mut capped = Vec::new();
        for (name, set) in [
            ("regions", &self.regions),
            ("accounts", &self.accounts),
            ("principals", &self.principals),
            ("resources", &self.resources),
        ] {
            if set.capped {
                capped.push(name.to_string());
            }
        }
        for (k, v) in self.context.iter() {
            if v.capped {
                capped.push(format!("context:{k}"));
            }
        }
        let list = |c: &Capped| c.sorted().into_iter().map(String::from).collect();
        SetsWire {
            regions: list(&self.regions),
            accounts: list(&self.accounts),
            principals: list(&self.principals),
            resources: list(&self.resources),
            context: self.context.iter().map(|(k, v)| (k.to_string(), list(v))).collect(),
            capped,
            partial: self.partial.iter().cloned().collect(),
        }
    }

    fn from_wire(w: SetsWire, cap: usize) -> Sets {
        let set = |items: Vec<String>, name: &str| {
            let mut c = Capped { capped: w.capped.iter().any(|x| x == name), ..Capped::default() };
            for i in items {
                c.insert(&i, cap);
            }
            c
        };
        let mut context = ContextSets::default();
        // From a BTreeMap: in key order, so each key goes at the end.
        for (k, v) in w.context {
            let name = format!("context:{k}");
            *context.set(&k) = set(v, &name);
        }
        Sets {
            errors: BTreeMap::new(),
            regions: set(w.regions, "regions"),
            accounts: set(w.accounts, "accounts"),
            principals: set(w.principals, "principals"),
            resources: set(w.resources, "resources"),
            context,
            partial: w.partial.into_iter().collect(),
            failed: None,
            refused: None,
            via: 0,
        }
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

/// The sets of the calls of one outcome, in a record's JSON form (`failed`, `refused`).
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct SetsWire {
    #[serde(default)]
    pub regions: Vec<String>,
    #[serde(default)]
    pub accounts: Vec<String>,
    #[serde(default)]
    pub principals: Vec<String>,
    #[serde(default)]
    pub resources: Vec<String>,
    #[serde(default)]
    pub context: BTreeMap<String, Vec<String>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub capped: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub partial: Vec<String>,
}

/// The JSON form of an action record (one line).
#[derive(Debug, Serialize, Deserialize)]
pub struct Wire {
    pub action: String,
    pub count: u64,
    #[serde(default)]
    pub denied: u64,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub errors: BTreeMap<String, u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last: Option<String>,
    #[serde(default)]
    pub regions: Vec<String>,
    #[serde(default)]
    pub accounts: Vec<String>,
    #[serde(default)]
    pub principals: Vec<String>,
    #[serde(default)]
    pub resources: Vec<String>,
    #[serde(default)]
    pub context: BTreeMap<String, Vec<String>>,
    pub known: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub inferred: bool,
    /// The sets that reached the cap (`regions`, `resources`, `context:KEY`, ...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub capped: Vec<String>,
    /// The sets that some events had no value for (`regions`, `accounts`, `principals`, `time`,
    /// `resources`, and `context:KEY` for a key that applies to the action but that some calls
    /// did not carry).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub partial: Vec<String>,
    /// The values of the calls that failed with another error than a refusal; the sets above
    /// are those of the calls that succeeded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed: Option<SetsWire>,
    /// The values of the calls refused for lack of permission.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refused: Option<SetsWire>,
    /// The calls that a service made with the principal's credentials (`invokedBy`).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub via: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
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

    pub fn to_wire(&self) -> Wire {
        let sets = &*self.sets;
        let main = sets.wire();
        Wire {
            action: self.action.clone(),
            count: self.count,
            denied: self.denied,
            errors: sets.errors.clone(),
            first: self.first.as_ref().map(CompactString::to_string),
            last: self.last.as_ref().map(CompactString::to_string),
            regions: main.regions,
            accounts: main.accounts,
            principals: main.principals,
            resources: main.resources,
            context: main.context,
            known: self.known,
            inferred: self.inferred,
            capped: main.capped,
            partial: main.partial,
            failed: sets.failed.as_deref().map(Sets::wire),
            refused: sets.refused.as_deref().map(Sets::wire),
            via: sets.via,
        }
    }

    /// A record read back from its JSON form; sets larger than `cap` are capped again.
    pub fn from_wire(w: Wire, cap: usize) -> Self {
        let main = SetsWire {
            regions: w.regions,
            accounts: w.accounts,
            principals: w.principals,
            resources: w.resources,
            context: w.context,
            capped: w.capped,
            partial: w.partial,
        };
        let mut sets = Sets::from_wire(main, cap);
        sets.errors = w.errors;
        sets.failed = w.failed.map(|f| Box::new(Sets::from_wire(f, cap)));
        sets.refused = w.refused.map(|f| Box::new(Sets::from_wire(f, cap)));
        sets.via = w.via;
        ActionRecord {
            action: w.action,
            count: w.count,
            denied: w.denied,
            first: w.first.map(Into::into),
            last: w.last.map(Into::into),
            known: w.known,
            inferred: w.inferred,
            recents: Recents::default(),
            sets: Box::new(sets),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

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
}
