//! edge-auth's PBKDF2-HMAC-SHA256 and scrypt, in a crate of its own so its hot loop compiles at opt-level 3 while
//! the rest of the Worker is built for size (see the workspace's Cargo.toml).

mod pbkdf2;
mod scrypt;
// The specialised compression: wasm has no SHA instructions; natively sha2 uses the CPU's.
#[cfg(any(test, target_arch = "wasm32"))]
mod sha256;

pub use pbkdf2::{HmacKey, pbkdf2_hmac_sha256};
pub use scrypt::{ScryptError, scrypt};

/// The seeded test-input generator shared with edge-auth's wasm tests.
#[cfg(test)]
#[path = "../../../tests/support/splitmix.rs"]
mod splitmix;
