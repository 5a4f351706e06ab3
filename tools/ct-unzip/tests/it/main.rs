//! ct-unzip's integration tests, one module a subject, linked as one test binary.

mod adversarial;
mod cli;
