//! Action records: what one IAM action was used for, aggregated over events, and merged
//! exactly. Sets keep their `cap` smallest members in sorted order, so merging capped sets
//! gives what capping the union would: merge(a, b) is associative and order-independent.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

/// A sorted set holding at most `cap` members; `capped` says whether members were left out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Capped {
    pub items: BTreeSet<String>,
    pub capped: bool,
}

impl Capped {
    pub fn insert(&mut self, v: &str, cap: usize) {
        if self.items.contains(v) {
            return;
        }
        if self.items.len() < cap {
            self.items.insert(v.to_string());
        } else if self.items.last().is_some_and(|last| v < last.as_str()) {
            self.items.insert(v.to_string());
            self.items.pop_last();
            self.capped = true;
        } else {
            self.capped = true;
        }
    }

    pub fn merge(&mut self, other: &Capped, cap: usize) {
        for v in &other.items {
            self.insert(v, cap);
        }
        self.capped |= other.capped;
    }
}

/// One action's aggregate.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActionRecord {
    pub action: String,
    pub count: u64,
    pub denied: u64,
    pub errors: BTreeMap<String, u64>,
    pub first: Option<String>,
    pub last: Option<String>,
    pub regions: Capped,
    pub accounts: Capped,
    pub principals: Capped,
    pub resources: Capped,
    pub context: BTreeMap<String, Capped>,
    pub known: bool,
    pub inferred: bool,
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
}

fn min_opt(a: &Option<String>, b: &Option<String>) -> Option<String> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y).clone()),
        (x, y) => x.clone().or_else(|| y.clone()),
    }
}

fn max_opt(a: &Option<String>, b: &Option<String>) -> Option<String> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.max(y).clone()),
        (x, y) => x.clone().or_else(|| y.clone()),
    }
}

impl ActionRecord {
    pub fn new(action: &str) -> Self {
        ActionRecord { action: action.to_string(), known: true, inferred: true, ..Default::default() }
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
        for (k, n) in &other.errors {
            *self.errors.entry(k.clone()).or_default() += n;
        }
        self.first = min_opt(&self.first, &other.first);
        self.last = max_opt(&self.last, &other.last);
        self.regions.merge(&other.regions, cap);
        self.accounts.merge(&other.accounts, cap);
        self.principals.merge(&other.principals, cap);
        self.resources.merge(&other.resources, cap);
        for (k, v) in &other.context {
            self.context.entry(k.clone()).or_default().merge(v, cap);
        }
    }

    pub fn to_wire(&self) -> Wire {
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
        for (k, v) in &self.context {
            if v.capped {
                capped.push(format!("context:{k}"));
            }
        }
        Wire {
            action: self.action.clone(),
            count: self.count,
            denied: self.denied,
            errors: self.errors.clone(),
            first: self.first.clone(),
            last: self.last.clone(),
            regions: self.regions.items.iter().cloned().collect(),
            accounts: self.accounts.items.iter().cloned().collect(),
            principals: self.principals.items.iter().cloned().collect(),
            resources: self.resources.items.iter().cloned().collect(),
            context: self.context.iter().map(|(k, v)| (k.clone(), v.items.iter().cloned().collect())).collect(),
            known: self.known,
            inferred: self.inferred,
            capped,
        }
    }

    /// A record read back from its JSON form; sets larger than `cap` are capped again.
    pub fn from_wire(w: Wire, cap: usize) -> Self {
        let set = |items: Vec<String>, name: &str| {
            let mut c = Capped { items: BTreeSet::new(), capped: w.capped.iter().any(|x| x == name) };
            for i in items {
                c.insert(&i, cap);
            }
            c
        };
        let context = w
            .context
            .into_iter()
            .map(|(k, v)| {
                let name = format!("context:{k}");
                let s = set(v, &name);
                (k, s)
            })
            .collect();
        ActionRecord {
            action: w.action,
            count: w.count,
            denied: w.denied,
            errors: w.errors,
            first: w.first,
            last: w.last,
            regions: set(w.regions, "regions"),
            accounts: set(w.accounts, "accounts"),
            principals: set(w.principals, "principals"),
            resources: set(w.resources, "resources"),
            context,
            known: w.known,
            inferred: w.inferred,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capped_sets_keep_the_smallest_and_say_so() {
        let mut c = Capped::default();
        for v in ["d", "b", "e", "a", "c"] {
            c.insert(v, 3);
        }
        assert_eq!(c.items.iter().collect::<Vec<_>>(), vec!["a", "b", "c"]);
        assert!(c.capped);
        let mut small = Capped::default();
        small.insert("x", 3);
        small.insert("x", 3);
        assert!(!small.capped);
    }
}
