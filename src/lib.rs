//! edge-auth: Medusa's Auth Module in Rust, for Cloudflare Workers.
//!
//! The core (everything but [`worker`]) is pure Rust and tested natively: storage goes through the
//! KV-shaped [`store::KvStore`] trait, time and the rest of the platform through [`ports`] (e.g.
//! [`ports::clock::Clock`]), so the Worker boundary only converts types.

pub mod account;
pub mod b64;
pub mod config;
pub mod contract;
pub mod guard;
pub mod hash_costs;
pub mod http;
pub mod identity;
pub(crate) mod ids;
pub mod import;
pub mod json_fields;
pub mod listing;
pub mod maps;
pub mod mfa;
pub mod model;
pub mod oauth;
pub mod password;
pub mod ports;
pub mod provider;
pub mod providers;
pub mod scope;
pub mod service;
pub mod store;
pub mod token;

#[cfg(all(target_arch = "wasm32", feature = "worker"))]
mod worker;

/// Outgoing HTTP over `globalThis.fetch`, shared by the Worker and the npm package.
#[cfg(all(target_arch = "wasm32", any(feature = "worker", feature = "js")))]
mod fetch;

/// `js_sys::Reflect` helpers for the modules below that call JavaScript objects, in every wasm build.
#[cfg(target_arch = "wasm32")]
// The core-only build has `webcrypto` alone, which needs a few of them.
#[cfg_attr(not(any(feature = "worker", feature = "js")), allow(dead_code))]
mod js_object;

/// A Workers KV namespace (or any object shaped like one) as the core's `KvStore`.
#[cfg(all(target_arch = "wasm32", any(feature = "worker", feature = "js")))]
mod js_kv;

/// id_token signatures through the platform's `crypto.subtle`, in every wasm build.
#[cfg(target_arch = "wasm32")]
mod webcrypto;

/// The JavaScript API of the npm package: a thin `#[wasm_bindgen]` layer that converts types.
#[cfg(all(target_arch = "wasm32", feature = "js"))]
pub mod js;

/// Entry points for `scripts/bench.sh` (PBKDF2 and SHA-256 compression in V8); never in a shipped build.
#[cfg(all(target_arch = "wasm32", feature = "bench"))]
mod bench;

/// The configuration every property test (`mod proptests` beside each parser) starts from.
#[cfg(all(test, not(target_arch = "wasm32")))]
pub(crate) mod proptest_config;
