//! Signing and checking our own tokens with an asymmetric key (ES256, EdDSA) as a port: WebCrypto in the
//! wasm builds (`src/webcrypto.rs`), pure Rust natively (`src/token/rust_jws.rs`), so no elliptic-curve
//! code ships in the Worker or the npm package.

use async_trait::async_trait;
use std::fmt;

/// The asymmetric JWS algorithms our tokens may be signed with (`JWT_ALGORITHM`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JwsAlgorithm {
    /// ECDSA on P-256 with SHA-256; signatures are JWS's fixed 64-byte r || s.
    Es256,
    /// Ed25519 (RFC 8037); 64-byte signatures.
    EdDsa,
}

impl JwsAlgorithm {
    /// The JOSE `alg` name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Es256 => "ES256",
            Self::EdDsa => "EdDSA",
        }
    }

    /// Both algorithms sign with exactly 64 bytes.
    pub const SIGNATURE_LEN: usize = 64;
}

/// A public key as raw JWK material (RFC 7518 §6.2, RFC 8037 §2). A P-256 point may still be off the
/// curve: every verifier refuses such a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JwsPublicKey {
    /// A P-256 point in affine coordinates, big-endian.
    P256 {
        /// x coordinate.
        x: [u8; 32],
        /// y coordinate.
        y: [u8; 32],
    },
    /// An Ed25519 public key.
    Ed25519 {
        /// The encoded point.
        x: [u8; 32],
    },
}

impl JwsPublicKey {
    /// The one algorithm this key verifies.
    pub fn algorithm(&self) -> JwsAlgorithm {
        match self {
            Self::P256 { .. } => JwsAlgorithm::Es256,
            Self::Ed25519 { .. } => JwsAlgorithm::EdDsa,
        }
    }
}

/// A private key: the P-256 scalar `d` or the Ed25519 seed, and the public key when the configuration
/// gave it. `Debug` is redacted; not `Clone`, so the secret has one owner (share it behind an `Rc`).
pub struct JwsPrivateKey {
    algorithm: JwsAlgorithm,
    secret: [u8; 32],
    /// The public key as the configuration gave it (a JWK's `x`/`y`, a PKCS #8 `publicKey`), not yet
    /// checked against the secret.
    pub public: Option<JwsPublicKey>,
}

impl JwsPrivateKey {
    /// A key of `algorithm` from its 32 secret bytes (big-endian scalar, or the seed).
    pub fn new(algorithm: JwsAlgorithm, secret: [u8; 32], public: Option<JwsPublicKey>) -> Self {
        Self {
            algorithm,
            secret,
            public,
        }
    }

    /// The algorithm the key signs with.
    pub fn algorithm(&self) -> JwsAlgorithm {
        self.algorithm
    }

    /// The secret bytes; every caller is a place the key is used.
    pub fn expose_secret(&self) -> &[u8; 32] {
        &self.secret
    }

    /// The key as minimal PKCS #8 DER (RFC 5915 / RFC 8410, no public key), the form every WebCrypto
    /// imports; the platform derives the public key itself.
    pub fn pkcs8_der(&self) -> Vec<u8> {
        let prefix: &[u8] = match self.algorithm {
            JwsAlgorithm::Es256 => &P256_PKCS8_PREFIX,
            JwsAlgorithm::EdDsa => &ED25519_PKCS8_PREFIX,
        };
        [prefix, &self.secret[..]].concat()
    }
}

impl Drop for JwsPrivateKey {
    fn drop(&mut self) {
        // Best effort: the isolate's memory is not a place to leave keys lying around longer than needed.
        self.secret = [0; 32];
    }
}

impl fmt::Debug for JwsPrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "JwsPrivateKey({}, <redacted>)", self.algorithm.name())
    }
}

/// `PrivateKeyInfo { version 0, { id-ecPublicKey, prime256v1 }, OCTET STRING { ECPrivateKey { 1, d } } }`
/// up to `d`.
pub const P256_PKCS8_PREFIX: [u8; 35] = [
    0x30, 0x41, 0x02, 0x01, 0x00, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01,
    0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x04, 0x27, 0x30, 0x25, 0x02, 0x01,
    0x01, 0x04, 0x20,
];
/// `PrivateKeyInfo { version 0, { id-Ed25519 }, OCTET STRING { OCTET STRING seed } }` up to the seed.
pub const ED25519_PKCS8_PREFIX: [u8; 16] = [
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
];

/// The platform refused a key or an operation (a scalar out of range, no `crypto.subtle`, no Ed25519).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JwsCryptoError;

/// Signs and checks ES256 and EdDSA: WebCrypto in wasm, pure Rust natively.
#[async_trait(?Send)]
pub trait JwsCrypto {
    /// The 64-byte JWS signature of `signing_input` under `key`.
    async fn sign(
        &self,
        key: &JwsPrivateKey,
        signing_input: &[u8],
    ) -> Result<Vec<u8>, JwsCryptoError>;

    /// The public key of `key`, derived from its secret (whatever the configuration said).
    async fn public_key(&self, key: &JwsPrivateKey) -> Result<JwsPublicKey, JwsCryptoError>;

    /// Whether `signature` signs `signing_input` under `key` with the key's one algorithm. A key the
    /// platform cannot import, or a signature of the wrong shape, is `false`: never an error or a panic.
    async fn verify(&self, key: &JwsPublicKey, signing_input: &[u8], signature: &[u8]) -> bool;
}
