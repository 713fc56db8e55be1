//! Asymmetric signature verification (RS256, ES256) as a port: WebCrypto in the wasm builds, pure Rust
//! natively, so the big-number code of the Rust verifiers never ships in the Worker or the npm package.

use async_trait::async_trait;

/// A public key as raw JWK material (RFC 7518 §6), already checked for shape by whoever built it.
#[derive(Clone, PartialEq, Eq)]
pub enum PublicKey {
    /// RSA, verified as PKCS #1 v1.5 with SHA-256 (RS256). Big-endian, without leading zero bytes.
    Rsa {
        /// The modulus.
        n: Vec<u8>,
        /// The public exponent.
        e: Vec<u8>,
    },
    /// A P-256 point in affine coordinates, verified as ECDSA with SHA-256 (ES256). It may still be off
    /// the curve: the verifier refuses such a key.
    P256 {
        /// The point's x coordinate, big-endian.
        x: [u8; 32],
        /// The point's y coordinate, big-endian.
        y: [u8; 32],
    },
}

impl PublicKey {
    /// The byte length of the RSA modulus (every RS256 signature has exactly this length).
    pub fn rsa_modulus_len(&self) -> Option<usize> {
        match self {
            Self::Rsa { n, .. } => Some(n.len()),
            Self::P256 { .. } => None,
        }
    }
}

/// Checks RS256 and ES256 signatures of id_tokens: WebCrypto on wasm, pure Rust natively.
#[async_trait(?Send)]
pub trait SignatureVerifier {
    /// Whether `signature` signs `signing_input` under `key`, with the key's one algorithm. A key the
    /// platform cannot import, or a signature of the wrong shape, is `false`: never an error, never a
    /// panic.
    async fn verify(&self, key: &PublicKey, signing_input: &[u8], signature: &[u8]) -> bool;
}
