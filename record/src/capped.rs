//! Capped sets: a set that keeps its `cap` smallest members, so that merging capped sets gives
//! what capping the union would; the context sets of a record by condition key; and the last
//! value given to each set, which spares most inserts a lookup.

use compact_str::CompactString;
use hashbrown::HashSet;
use std::collections::BinaryHeap;

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
pub(crate) struct Recent(CompactString);

impl Recent {
    /// Whether `v` is the value given last; if not, it is now.
    pub(crate) fn repeats(&mut self, v: &str) -> bool {
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
pub(crate) struct Recents(pub(crate) [Recent; 8], pub(crate) bool);

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
    pub(crate) fn insert_after(&mut self, recent: &mut Recent, v: &str, cap: usize) {
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
    pub(crate) fn insert_near(&mut self, fixed: &mut [Recent], key: &str, v: &str, hint: &mut usize, cap: usize) {
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
