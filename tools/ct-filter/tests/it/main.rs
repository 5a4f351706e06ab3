//! ct-filter's integration tests, one module a subject, linked as one test binary. The property
//! test's saved failing cases are in `tests/proptest-regressions/` (proptest's place for a
//! module of a binary whose root is a `main.rs`).

mod cli;
mod props;
