//! ct-policy's integration tests, one module a subject, linked as one test binary: one link of
//! the crate, its dependencies and the test kit instead of one a file. Run one subject with
//! `cargo test -p ct-policy --test it lint::`. The property tests' saved failing cases are in
//! `tests/proptest-regressions/` (proptest's place for a module of a binary whose root is a
//! `main.rs`).

mod cli;
mod fail_closed;
mod generate;
mod lint;
mod policy_types;
mod props;
mod strict;
mod tags;
mod unused;
