//! The [`Aead`] of this platform: WebCrypto's AES-GCM (`crypto.subtle`) in wasm, the pure-Rust `aes-gcm`
//! crate natively, so the AES code never ships in the Worker or the npm package.

use crate::ports::cipher::Aead;
#[cfg(not(target_arch = "wasm32"))]
use crate::ports::cipher::{AeadKey, CipherError};
#[cfg(not(target_arch = "wasm32"))]
use async_trait::async_trait;

/// AES-256-GCM through the `aes-gcm` crate; not built for wasm.
#[cfg(not(target_arch = "wasm32"))]
#[derive(Debug, Default, Clone, Copy)]
pub struct RustAead;

#[cfg(not(target_arch = "wasm32"))]
impl RustAead {
    fn run(
        key: &AeadKey,
        nonce: &[u8; 12],
        aad: &[u8],
        input: &[u8],
        seal: bool,
    ) -> Result<Vec<u8>, CipherError> {
        use aes_gcm::aead::{Aead as _, KeyInit, Payload};
        use aes_gcm::{Aes256Gcm, Key, Nonce};
        let cipher = Aes256Gcm::new(&Key::<Aes256Gcm>::from(*key.bytes()));
        let nonce = Nonce::from(*nonce);
        let payload = Payload { msg: input, aad };
        let out = if seal {
            cipher.encrypt(&nonce, payload)
        } else {
            cipher.decrypt(&nonce, payload)
        };
        out.map_err(|_| CipherError)
    }
}

#[cfg(not(target_arch = "wasm32"))]
#[async_trait(?Send)]
impl Aead for RustAead {
    async fn seal(
        &self,
        key: &AeadKey,
        nonce: &[u8; 12],
        aad: &[u8],
        plaintext: &[u8],
    ) -> Result<Vec<u8>, CipherError> {
        Self::run(key, nonce, aad, plaintext, true)
    }

    async fn open(
        &self,
        key: &AeadKey,
        nonce: &[u8; 12],
        aad: &[u8],
        sealed: &[u8],
    ) -> Result<Vec<u8>, CipherError> {
        Self::run(key, nonce, aad, sealed, false)
    }
}

/// The cipher MFA secrets are sealed with on this platform.
pub fn platform() -> &'static dyn Aead {
    #[cfg(not(target_arch = "wasm32"))]
    return &RustAead;
    #[cfg(target_arch = "wasm32")]
    return &crate::webcrypto::WebCryptoAead;
}
