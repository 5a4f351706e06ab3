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

mod context;
mod deferred;
mod ec2;
mod history;
mod learn;
mod shapes;
mod state;
#[cfg(test)]
mod tests;

pub use context::{TagContext, is_resource_tag_key, tag_context, tag_key_prefixes};
pub use deferred::{Deferred, Pending, waits_for_tags};
pub use history::{Tags, Tracker, resource_key};
pub use state::{Change, Know, TagState};
