//! Authenticated encryption (AES-256-GCM) as a port: WebCrypto in the wasm builds, the pure-Rust `aes-gcm`
//! crate natively, so the AES code never ships in the Worker or the npm package.

use async_trait::async_trait;
use std::fmt;

/// An AES-256-GCM key. Never printed; not `Clone` so it is not copied around by accident.
pub struct AeadKey(pub(crate) [u8; 32]);

impl AeadKey {
    /// A key from 32 secret bytes.
    pub fn new(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// The key bytes, for a cipher implementation.
    pub fn bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Debug for AeadKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AeadKey(<redacted>)")
    }
}

/// Encryption or decryption failed: a forged or damaged ciphertext, wrong associated data or key, or no
/// cipher on the platform. Deliberately says no more.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CipherError;

impl fmt::Display for CipherError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("authenticated encryption failed")
    }
}

impl std::error::Error for CipherError {}

/// AES-256-GCM with a 96-bit nonce and a 128-bit tag appended to the ciphertext (WebCrypto's layout).
#[async_trait(?Send)]
pub trait Aead {
    /// `plaintext` sealed under `key` and `nonce`, authenticating `aad` too: ciphertext ‖ tag.
    async fn seal(
        &self,
        key: &AeadKey,
        nonce: &[u8; 12],
        aad: &[u8],
        plaintext: &[u8],
    ) -> Result<Vec<u8>, CipherError>;

    /// The plaintext of `sealed`, or an error if anything (key, nonce, aad, a bit of it) is wrong.
    async fn open(
        &self,
        key: &AeadKey,
        nonce: &[u8; 12],
        aad: &[u8],
        sealed: &[u8],
    ) -> Result<Vec<u8>, CipherError>;
}
