//! ct-iam's integration tests, one module a subject, linked as one test binary: one link of the
//! crate and its dependencies instead of one a file. Run one subject with
//! `cargo test -p ct-iam --test it eval::`. The property tests' saved failing cases are in
//! `tests/proptest-regressions/` (proptest's place for a module of a binary whose root is a
//! `main.rs`).
//!
//! `tests/operations.rs` stays a binary of its own: `scripts/write-unmapped.sh` runs it by
//! name (`--test operations`).

mod authorize;
mod difference;
mod eval;
mod eval_props;
mod mapping;
