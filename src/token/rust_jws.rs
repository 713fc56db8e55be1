//! [`JwsCrypto`] in pure Rust for native builds and tests: ES256 with the `p256` crate (RFC 6979
//! deterministic nonces, so no randomness is needed), EdDSA with `ed25519-dalek`. The wasm builds use
//! WebCrypto (`src/webcrypto.rs`) and never link this.

use crate::ports::jws::{JwsAlgorithm, JwsCrypto, JwsCryptoError, JwsPrivateKey, JwsPublicKey};
use async_trait::async_trait;

/// The pure-Rust signer and verifier.
#[derive(Debug, Default, Clone, Copy)]
pub struct RustJws;

fn p256_signing_key(key: &JwsPrivateKey) -> Result<p256::ecdsa::SigningKey, JwsCryptoError> {
    // Refuses zero and scalars not below the group order.
    p256::ecdsa::SigningKey::from_slice(key.expose_secret()).map_err(|_| JwsCryptoError)
}

#[async_trait(?Send)]
impl JwsCrypto for RustJws {
    async fn sign(
        &self,
        key: &JwsPrivateKey,
        signing_input: &[u8],
    ) -> Result<Vec<u8>, JwsCryptoError> {
        match key.algorithm() {
            JwsAlgorithm::Es256 => {
                use p256::ecdsa::signature::Signer;
                let signature: p256::ecdsa::Signature = p256_signing_key(key)?.sign(signing_input);
                Ok(signature.to_bytes().to_vec())
            }
            JwsAlgorithm::EdDsa => {
                use ed25519_dalek::Signer;
                let signing = ed25519_dalek::SigningKey::from_bytes(key.expose_secret());
                Ok(signing.sign(signing_input).to_bytes().to_vec())
            }
        }
    }

    async fn public_key(&self, key: &JwsPrivateKey) -> Result<JwsPublicKey, JwsCryptoError> {
        match key.algorithm() {
            JwsAlgorithm::Es256 => {
                let point = p256_signing_key(key)?.verifying_key().to_sec1_point(false);
                let bytes = point.as_bytes();
                let (x, y) = (&bytes[1..33], &bytes[33..65]);
                Ok(JwsPublicKey::P256 {
                    x: x.try_into().map_err(|_| JwsCryptoError)?,
                    y: y.try_into().map_err(|_| JwsCryptoError)?,
                })
            }
            JwsAlgorithm::EdDsa => Ok(JwsPublicKey::Ed25519 {
                x: ed25519_dalek::SigningKey::from_bytes(key.expose_secret())
                    .verifying_key()
                    .to_bytes(),
            }),
        }
    }

    async fn verify(&self, key: &JwsPublicKey, signing_input: &[u8], signature: &[u8]) -> bool {
        match key {
            JwsPublicKey::P256 { x, y } => {
                use p256::ecdsa::signature::Verifier;
                let sec1 = [&[0x04][..], x, y].concat();
                // Refuses points off the curve.
                let Ok(public) = p256::ecdsa::VerifyingKey::from_sec1_bytes(&sec1) else {
                    return false;
                };
                p256::ecdsa::Signature::from_slice(signature)
                    .is_ok_and(|sig| public.verify(signing_input, &sig).is_ok())
            }
            JwsPublicKey::Ed25519 { x } => {
                let Ok(public) = ed25519_dalek::VerifyingKey::from_bytes(x) else {
                    return false;
                };
                let Ok(signature) = ed25519_dalek::Signature::from_slice(signature) else {
                    return false;
                };
                // Strict: no small-order keys, no malleable signatures.
                public.verify_strict(signing_input, &signature).is_ok()
            }
        }
    }
}
