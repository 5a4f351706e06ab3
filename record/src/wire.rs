//! The JSON form of an action record (`Wire`, one line), and the conversions both ways.

use std::collections::BTreeMap;

use compact_str::CompactString;
use serde::{Deserialize, Serialize};

use crate::aggregate::{ActionRecord, Sets};
use crate::capped::{Capped, ContextSets, Recents};

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

impl Sets {
    pub(crate) fn wire(&self) -> SetsWire {
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

    pub(crate) fn from_wire(w: SetsWire, cap: usize) -> Sets {
        let set = |items: Vec<String>, name: &str| {
            let mut c = Capped::default();
            c.capped = w.capped.iter().any(|x| x == name);
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

impl ActionRecord {
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
