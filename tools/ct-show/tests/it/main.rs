//! ct-show's integration tests, one module a subject, linked as one test binary.

mod cli;
