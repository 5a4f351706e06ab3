//! Calls whose decision waits for the tags the whole stream shows.

use ct_common::time::Time;
use ct_iam::eval::{Decision, Outcome};

use super::context::is_resource_tag_key;

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
