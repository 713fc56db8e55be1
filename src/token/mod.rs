//! Medusa's auth tokens: HS256 JSON Web Tokens, built from HMAC-SHA256 and base64url directly.
//!
//! Only HS256 exists here, on purpose: accepting whatever `alg` a token names is how JWT libraries end
//! up verifying `none` or confusing keys between algorithms.

mod duration;
#[cfg(test)]
mod tests;

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use subtle::ConstantTimeEq;

pub use duration::{DurationError, parse_duration_secs};

/// The one header we issue, byte for byte what `jsonwebtoken` writes for HS256.
const HEADER_JSON: &str = r#"{"alg":"HS256","typ":"JWT"}"#;
const ALGORITHM: &str = "HS256";

/// The claims Medusa puts in its auth tokens, in the order `jsonwebtoken` writes them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Claims {
    /// The customer or user id; empty until registration attaches an actor.
    pub actor_id: String,
    /// "customer", "user", or another actor type the app defines.
    pub actor_type: String,
    /// The auth identity this token was issued for.
    pub auth_identity_id: String,
    /// An object, or null.
    pub app_metadata: serde_json::Value,
    /// Issued at, seconds since the Unix epoch.
    pub iat: u64,
    /// Expires at, seconds since the Unix epoch; the token is dead from this second on.
    pub exp: u64,
}

/// The HMAC secret that signs and checks tokens (Medusa's `jwtSecret`). Its strength is the
/// configuration's business; this type only keeps it out of logs. Cloning copies the keyed HMAC state.
#[derive(Clone)]
pub struct JwtKey(Hmac<Sha256>);

impl JwtKey {
    /// A key from secret bytes of any length.
    pub fn new(secret: &[u8]) -> Self {
        // Keyed once here; each use clones the prepared state instead of re-hashing the secret.
        Self(
            <Hmac<Sha256> as KeyInit>::new_from_slice(secret)
                .expect("HMAC accepts keys of any length"),
        )
    }

    /// A 32-byte key for another purpose, `HMAC-SHA256(secret, label)`, so one secret (`JWT_SECRET`) serves
    /// several MACs without any of them being able to stand in for another. Labels contain `/`, which no
    /// JWT signing input (base64url and `.`) does, so no derived key is a token signature.
    pub fn derive_key(&self, label: &str) -> [u8; 32] {
        debug_assert!(label.contains('/'));
        self.signature(label.as_bytes())
    }

    fn signature(&self, signing_input: &[u8]) -> [u8; 32] {
        let mut mac = self.0.clone();
        mac.update(signing_input);
        mac.finalize().into_bytes().into()
    }
}

impl fmt::Debug for JwtKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("JwtKey(<redacted>)")
    }
}

/// Why a token was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TokenError {
    /// Not three base64url parts of JSON with the claims Medusa issues.
    Malformed,
    /// The header names an algorithm other than HS256 (including `none`), or none at all.
    UnsupportedAlgorithm,
    /// The signature was not made with our key over this header and payload.
    BadSignature,
    /// Validly signed, but past its `exp`.
    Expired,
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TokenError::Malformed => "token is malformed",
            TokenError::UnsupportedAlgorithm => "token algorithm is not supported",
            TokenError::BadSignature => "token signature is invalid",
            TokenError::Expired => "token has expired",
        })
    }
}

impl std::error::Error for TokenError {}

/// Signs `claims` as an HS256 JWT with the header `{"alg":"HS256","typ":"JWT"}`.
#[must_use]
pub fn sign(claims: &Claims, key: &JwtKey) -> String {
    sign_payload(claims, key)
}

/// Signs any serialisable payload as an HS256 JWT (e.g. the reset token's own claims).
#[must_use]
pub fn sign_payload<T: Serialize>(payload: &T, key: &JwtKey) -> String {
    let payload =
        serde_json::to_vec(payload).expect("token payloads are plain data, which always serialise");
    let mut token = format!("{}.{}", B64URL.encode(HEADER_JSON), B64URL.encode(payload));
    let signature = key.signature(token.as_bytes());
    token.push('.');
    token.push_str(&B64URL.encode(signature));
    token
}

/// Checks a token and returns its claims.
///
/// In order: shape, algorithm (exactly HS256), signature over the header and payload exactly as
/// received (constant-time), claims, then expiry, so an expired forgery is reported as a forgery.
pub fn verify(token: &str, key: &JwtKey, now_secs: u64) -> Result<Claims, TokenError> {
    let payload = verify_signature(token, key)?;
    let claims: Claims = serde_json::from_slice(&payload).map_err(|_| TokenError::Malformed)?;
    if !(claims.app_metadata.is_object() || claims.app_metadata.is_null()) {
        return Err(TokenError::Malformed);
    }
    if claims.exp <= now_secs {
        return Err(TokenError::Expired);
    }
    Ok(claims)
}

/// Checks shape, algorithm (exactly HS256) and signature, and returns the payload's bytes; the caller
/// parses and checks its claims (expiry included).
pub fn verify_signature(token: &str, key: &JwtKey) -> Result<Vec<u8>, TokenError> {
    let mut parts = token.split('.');
    let (Some(header), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(TokenError::Malformed);
    };

    check_header(header)?;

    let signature = B64URL
        .decode(signature)
        .map_err(|_| TokenError::Malformed)?;
    let signing_input_len = header.len() + 1 + payload.len();
    let expected = key.signature(&token.as_bytes()[..signing_input_len]);
    // Slices of different lengths compare unequal, still without an early exit on content.
    if !bool::from(expected.as_slice().ct_eq(&signature)) {
        return Err(TokenError::BadSignature);
    }
    B64URL.decode(payload).map_err(|_| TokenError::Malformed)
}

fn check_header(header: &str) -> Result<(), TokenError> {
    let header = B64URL.decode(header).map_err(|_| TokenError::Malformed)?;
    let header: serde_json::Value =
        serde_json::from_slice(&header).map_err(|_| TokenError::Malformed)?;
    let header = header.as_object().ok_or(TokenError::Malformed)?;
    if header.get("alg").and_then(serde_json::Value::as_str) != Some(ALGORITHM) {
        return Err(TokenError::UnsupportedAlgorithm);
    }
    // `crit` names extensions the verifier must understand (RFC 7515 §4.1.11); we understand none.
    if header.contains_key("crit") {
        return Err(TokenError::Malformed);
    }
    Ok(())
}
