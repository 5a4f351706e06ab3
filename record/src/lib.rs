//! The action record, the contract between ct-actions (which writes it) and ct-policy (which
//! reads it): what one IAM action was used for, aggregated over events, its JSON form (`Wire`),
//! and its exact merge. Sets keep their `cap` smallest members in sorted order, so merging capped sets
//! gives what capping the union would: merge(a, b) is associative and order-independent.
#![forbid(unsafe_code)]

mod aggregate;
mod capped;
mod wire;

#[cfg(test)]
mod tests;

pub use aggregate::{ActionRecord, Observed, Sets, transient};
pub use capped::{Capped, ContextSets};
pub use wire::{SetsWire, Wire};
