//! ct-verify: proves CloudTrail log files were not changed, deleted or forged.
#![forbid(unsafe_code)]

pub mod check;
pub mod digest;
pub mod keys;
pub mod signature;
