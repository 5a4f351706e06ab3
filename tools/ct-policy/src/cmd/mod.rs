//! The runners of ct-policy's commands, one module each: each reads its arguments (defined in
//! lib.rs), drives the logic of the modules beside this one, writes and reports.

pub(crate) mod check;
pub(crate) mod generate;
pub(crate) mod lint;
pub(crate) mod simulate;
pub(crate) mod unused;
