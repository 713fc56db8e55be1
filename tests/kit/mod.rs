//! The one test kit of the native black-box suites in `tests/`: a service over an in-memory store and a
//! frozen clock for the module-level suites (`module.rs`), and an app answering HTTP requests for the
//! HTTP-level ones (`http.rs`). Each suite uses a different subset.
#![allow(dead_code, unused_imports)]

pub mod http;
mod module;
pub mod oauth_keys;
/// The one property-test configuration, shared with the in-file property tests of `src/`.
#[path = "../../src/proptest_config.rs"]
mod proptest;

pub use http::*;
pub use module::*;
pub use proptest::with_cases;
