//! Ports: the small traits and values through which the core reaches its platform, so that every
//! platform (the Worker, the npm package, native tests) plugs in its own side.
//!
//! - [`http`]: outgoing HTTP as data ([`http::HttpClient`]; the real one is `src/fetch.rs`).
//! - [`clock`]: time ([`clock::Clock`]); [`random`]: secure randomness.
//! - [`runtime`]: background work ([`runtime::Task`]), sleeping and warnings, and [`runtime::join2`].
//! - [`secret`]: [`secret::Secret`], a string that never reaches a log line.
//! - [`signature`]: id_token signature checks ([`signature::SignatureVerifier`]).
//! - [`jws`]: signing and checking our own tokens with an asymmetric key ([`jws::JwsCrypto`]).
//! - [`cipher`]: authenticated encryption of secrets at rest ([`cipher::Aead`]).
//!
//! Nothing here imports the rest of the crate; everything else may import from here.

pub mod cipher;
pub mod clock;
pub mod http;
pub mod jws;
pub(crate) mod random;
pub mod runtime;
pub(crate) mod secret;
pub mod signature;
