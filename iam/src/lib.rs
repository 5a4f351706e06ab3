//! The IAM model of ct: the action catalog (real data, embedded), the CloudTrail event fields
//! it needs, ARN templates, and the mapping from an event to the IAM actions it used.

#![deny(clippy::undocumented_unsafe_blocks)]

pub mod arn;
pub mod catalog;
pub mod event;
pub mod json;
pub mod mapping;
pub mod renames;

pub use catalog::Catalog;
pub use event::Event;
pub use mapping::{Mapping, Use, map};
pub mod authorize;
pub mod eval;
pub mod operator;
pub mod policy;
pub mod principal;
pub mod request;
pub mod resource_match;
