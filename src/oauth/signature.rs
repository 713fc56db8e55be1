//! The [`SignatureVerifier`] of this platform: WebCrypto (`crypto.subtle`) in wasm, pure Rust natively.

#[cfg(not(target_arch = "wasm32"))]
use crate::ports::signature::PublicKey;
use crate::ports::signature::SignatureVerifier;
#[cfg(not(target_arch = "wasm32"))]
use async_trait::async_trait;

#[cfg(not(target_arch = "wasm32"))]
#[path = "rust_signature.rs"]
mod rust_signature;

/// The pure-Rust verifier (the `rsa` and `p256` crates); not built for wasm.
#[cfg(not(target_arch = "wasm32"))]
#[derive(Debug, Default, Clone, Copy)]
pub struct RustVerifier;

#[cfg(not(target_arch = "wasm32"))]
#[async_trait(?Send)]
impl SignatureVerifier for RustVerifier {
    async fn verify(&self, key: &PublicKey, signing_input: &[u8], signature: &[u8]) -> bool {
        match key {
            PublicKey::Rsa { n, e } => rust_signature::rs256(n, e, signing_input, signature),
            PublicKey::P256 { x, y } => rust_signature::es256(x, y, signing_input, signature),
        }
    }
}

/// The verifier id_tokens are checked with on this platform.
pub fn platform() -> &'static dyn SignatureVerifier {
    #[cfg(not(target_arch = "wasm32"))]
    return &RustVerifier;
    #[cfg(target_arch = "wasm32")]
    return &crate::webcrypto::WebCryptoVerifier;
}
