//! The npm package's JavaScript API: `AuthModuleService` and `MemoryStore`, with Medusa's method names.
//!
//! Thin by design: values are converted and checked here, everything else is the Rust core. Errors
//! become `EdgeAuthError` objects (an `Error` subclass from `errors.js`) with a stable `code`. The
//! TypeScript declarations are hand-written in `types.d.ts`: the generated ones would be `any`.

mod account;
mod account_options;
mod args;
mod convert;
mod error;
mod kv;
mod memory;
mod mfa;
mod options;
mod promise;
mod reset_jti;
mod runtime;
mod service;
mod verification;

pub use memory::JsMemoryStore;
pub use service::JsAuthModuleService;

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = include_str!("types.d.ts");
