//! Medusa's auth tokens: JSON Web Tokens, built from HMAC-SHA256 (HS256) or an asymmetric signature
//! (ES256, EdDSA: [`signer`]) and base64url directly.
//!
//! Each deployment signs with exactly one algorithm and accepts only it, on purpose: accepting whatever
//! `alg` a token names is how JWT libraries end up verifying `none` or confusing keys between
//! algorithms.

mod duration;
pub mod jwk;
#[cfg(not(target_arch = "wasm32"))]
pub mod rust_jws;
pub mod signer;
#[cfg(test)]
mod tests;

use std::fmt;

use crate::b64::URL_SAFE_NO_PAD as B64URL;
use crate::json_fields::{flag, nullable_text, text, whole};
use hmac::{Hmac, KeyInit, Mac};
use serde::Serialize;
use serde_json::Value;
use sha2::Sha256;
use subtle::ConstantTimeEq;

pub use duration::{DurationError, parse_duration_secs};

/// The one header we issue, byte for byte what `jsonwebtoken` writes for HS256.
const HEADER_JSON: &str = r#"{"alg":"HS256","typ":"JWT"}"#;
const ALGORITHM: &str = "HS256";

/// Our tokens are a few hundred bytes (the claims hold one actor id); a token longer than this is refused
/// before it is decoded or hashed.
pub const MAX_TOKEN_BYTES: usize = 8 * 1024;

/// The claims Medusa 2.21 puts in its auth tokens, in the order it writes them. The fields after
/// `auth_identity_id` default when absent, so tokens issued before they existed still verify.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Claims {
    /// The customer or user id; empty until registration attaches an actor.
    pub actor_id: String,
    /// "customer", "user", or another actor type the app defines.
    pub actor_type: String,
    /// The auth identity this token was issued for.
    pub auth_identity_id: String,
    /// The provider the bearer signed in with; absent when the token was issued without one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth_provider: Option<String>,
    /// Whether the identity had an enabled MFA factor at sign-in. With `mfa_challenge_completed_at`
    /// null it marks a token that has not passed its challenge yet ([`Claims::mfa_pending`]).
    pub mfa_enabled: bool,
    /// When the sign-in's MFA challenge was passed (ISO 8601), or null.
    pub mfa_challenge_completed_at: Option<String>,
    /// The identity's `app_metadata`, with `<actor_type>_id` set to the actor (or left out without one).
    pub app_metadata: serde_json::Value,
    /// The `user_metadata` of the identity's provider identity for `auth_provider`, or `{}`.
    pub user_metadata: serde_json::Value,
    /// Issued at, seconds since the Unix epoch.
    pub iat: u64,
    /// Expires at, seconds since the Unix epoch; the token is dead from this second on.
    pub exp: u64,
    /// Ours, only in a token that owes its MFA challenge: which challenge, so that the sign-in writes
    /// nothing (the signed token is the challenge's record), as [`ChallengeClaim::encode`] writes it.
    /// Absent from every other token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mfa_challenge: Option<String>,
}

/// The login challenge a pending token owes ([`Claims::mfa_challenge`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChallengeClaim {
    /// The challenge's id (`authmfachal_…`).
    pub id: String,
    /// When it stops being answerable, Unix milliseconds.
    pub expires_at_ms: u64,
    /// The provider of the sign-in that raised it.
    pub auth_provider: Option<String>,
}

impl ChallengeClaim {
    /// `<id>.<expires_at_ms>.<provider>` (ids and provider ids never contain `.`): one string claim,
    /// so no token parser needs a nested object's code.
    pub fn encode(&self) -> String {
        let provider = self.auth_provider.as_deref().unwrap_or("");
        format!("{}.{}.{provider}", self.id, self.expires_at_ms)
    }

    /// The claim [`Self::encode`] wrote; `None` for anything else.
    pub fn parse(text: &str) -> Option<Self> {
        let mut parts = text.split('.');
        let (Some(id), Some(ms), Some(provider), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return None;
        };
        Some(Self {
            id: id.to_owned(),
            expires_at_ms: ms.parse().ok()?,
            auth_provider: Some(provider.to_owned()).filter(|p| !p.is_empty()),
        })
    }
}

impl Claims {
    /// The claims of a payload, or `None` when a field is missing or of another type; other fields are
    /// ignored. Read by hand, not derived: [`crate::json_fields`] says why.
    fn from_json(v: &Value) -> Option<Self> {
        Some(Self {
            iat: whole(v, "iat")?,
            exp: whole(v, "exp")?,
            ..Self::bearer_from_json(v)?
        })
    }

    /// Every claim but the times (`iat` and `exp` are 0), which is what a session stores of a token
    /// (`account::session::AuthContext`); `None` as for [`Self::from_json`].
    pub fn bearer_from_json(v: &Value) -> Option<Self> {
        Some(Self {
            actor_id: text(v, "actor_id")?,
            actor_type: text(v, "actor_type")?,
            auth_identity_id: text(v, "auth_identity_id")?,
            auth_provider: nullable_text(v, "auth_provider")?,
            mfa_enabled: flag(v, "mfa_enabled")?,
            mfa_challenge_completed_at: nullable_text(v, "mfa_challenge_completed_at")?,
            app_metadata: v.get("app_metadata")?.clone(),
            user_metadata: v.get("user_metadata").cloned().unwrap_or_else(empty_object),
            iat: 0,
            exp: 0,
            mfa_challenge: nullable_text(v, "mfa_challenge")?,
        })
    }

    /// A token of an identity with MFA that has not passed its challenge: good only for the challenge
    /// route, sessions and refresh (Medusa's `requireMfa: false`), never as a signed-in actor.
    pub fn mfa_pending(&self) -> bool {
        self.mfa_enabled && self.mfa_challenge_completed_at.is_none()
    }
}

fn empty_object() -> serde_json::Value {
    serde_json::Value::Object(serde_json::Map::new())
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
    /// An asymmetric token without a `kid`, or naming a key we neither sign nor verify with.
    UnknownKey,
    /// Validly signed, but past its `exp`.
    Expired,
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TokenError::Malformed => "token is malformed",
            TokenError::UnsupportedAlgorithm => "token algorithm is not supported",
            TokenError::BadSignature => "token signature is invalid",
            TokenError::UnknownKey => "token key is unknown",
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
    checked_claims(&payload, now_secs)
}

/// The claims of a payload whose signature was checked: their shape, then expiry.
pub fn checked_claims(payload: &[u8], now_secs: u64) -> Result<Claims, TokenError> {
    let claims = crate::json_fields::parse(payload)
        .ok()
        .and_then(|v| Claims::from_json(&v))
        .ok_or(TokenError::Malformed)?;
    if !(claims.app_metadata.is_object() || claims.app_metadata.is_null()) {
        return Err(TokenError::Malformed);
    }
    if claims.exp <= now_secs {
        return Err(TokenError::Expired);
    }
    Ok(claims)
}

/// Checks size ([`MAX_TOKEN_BYTES`]), shape, algorithm (exactly HS256) and signature, and returns the
/// payload's bytes; the caller parses and checks its claims (expiry included).
pub fn verify_signature(token: &str, key: &JwtKey) -> Result<Vec<u8>, TokenError> {
    let (header, payload, signature) = segments(token)?;

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

/// Header, payload and signature of a compact JWS, once its size is within [`MAX_TOKEN_BYTES`]: the
/// checks every token passes before anything is decoded.
fn segments(token: &str) -> Result<(&str, &str, &str), TokenError> {
    if token.len() > MAX_TOKEN_BYTES {
        return Err(TokenError::Malformed);
    }
    let mut parts = token.split('.');
    let (Some(header), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(TokenError::Malformed);
    };
    Ok((header, payload, signature))
}

fn check_header(header: &str) -> Result<(), TokenError> {
    read_header(header, ALGORITHM).map(drop)
}

/// The header's `kid`, once its `alg` is exactly `algorithm`.
fn read_header(header: &str, algorithm: &str) -> Result<Option<String>, TokenError> {
    let header = B64URL.decode(header).map_err(|_| TokenError::Malformed)?;
    let header: serde_json::Value =
        crate::json_fields::parse(&header).map_err(|_| TokenError::Malformed)?;
    let header = header.as_object().ok_or(TokenError::Malformed)?;
    if header.get("alg").and_then(serde_json::Value::as_str) != Some(algorithm) {
        return Err(TokenError::UnsupportedAlgorithm);
    }
    // `crit` names extensions the verifier must understand (RFC 7515 §4.1.11); we understand none.
    if header.contains_key("crit") {
        return Err(TokenError::Malformed);
    }
    match header.get("kid") {
        None => Ok(None),
        Some(serde_json::Value::String(kid)) => Ok(Some(kid.clone())),
        Some(_) => Err(TokenError::Malformed),
    }
}

/// The signing input of an asymmetric token: the header `{"alg":…,"typ":"JWT","kid":…}` (in the
/// order `jsonwebtoken` writes it) and the payload, base64url, joined by `.`.
pub fn asymmetric_signing_input<T: Serialize>(algorithm: &str, kid: &str, payload: &T) -> String {
    let header = serde_json::json!({ "alg": algorithm, "typ": "JWT", "kid": kid });
    // serde_json sorts object keys; write the header in jsonwebtoken's order instead.
    let header = format!(
        r#"{{"alg":{},"typ":"JWT","kid":{}}}"#,
        header["alg"], header["kid"]
    );
    let payload =
        serde_json::to_vec(payload).expect("token payloads are plain data, which always serialise");
    format!("{}.{}", B64URL.encode(header), B64URL.encode(payload))
}

/// `signing_input` with its signature appended: the finished token.
pub fn with_signature(mut signing_input: String, signature: &[u8]) -> String {
    signing_input.push('.');
    signing_input.push_str(&B64URL.encode(signature));
    signing_input
}

/// An asymmetric token taken apart, its signature not yet checked.
#[derive(Debug)]
pub struct Unverified<'a> {
    /// The header's `kid`.
    pub kid: String,
    /// The bytes the signature covers, exactly as received.
    pub signing_input: &'a [u8],
    /// The decoded signature, of the algorithm's length.
    pub signature: Vec<u8>,
    /// The payload, still base64url.
    payload: &'a str,
}

impl Unverified<'_> {
    /// The payload's bytes; call only once the signature was checked.
    pub fn payload(&self) -> Result<Vec<u8>, TokenError> {
        B64URL
            .decode(self.payload)
            .map_err(|_| TokenError::Malformed)
    }
}

/// Size, shape, `alg` (exactly `algorithm`: HS256, `none` and every other name are refused), a `kid`,
/// and a signature of `signature_len` bytes.
pub fn open_asymmetric<'a>(
    token: &'a str,
    algorithm: &str,
    signature_len: usize,
) -> Result<Unverified<'a>, TokenError> {
    let (header, payload, signature) = segments(token)?;
    let kid = read_header(header, algorithm)?.ok_or(TokenError::UnknownKey)?;
    let signature = B64URL
        .decode(signature)
        .map_err(|_| TokenError::Malformed)?;
    if signature.len() != signature_len {
        return Err(TokenError::BadSignature);
    }
    Ok(Unverified {
        kid,
        signing_input: &token.as_bytes()[..header.len() + 1 + payload.len()],
        signature,
        payload,
    })
}

/// Properties of the token parser: no input panics it, every signed token verifies, a change to any one segment is refused, and an oversized token is refused before its signature is checked.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod proptests {
    use super::*;
    use crate::proptest_config::with_cases;
    use proptest::prelude::*;
    use serde_json::Value;

    const NOW: u64 = 1_800_000_000;

    fn key() -> JwtKey {
        JwtKey::new(b"0123456789abcdef0123456789abcdef")
    }

    fn claims() -> impl Strategy<Value = Claims> {
        (
            any::<String>(),
            "[a-z_]{1,16}",
            any::<String>(),
            proptest::option::of(proptest::collection::btree_map(
                any::<String>(),
                any::<String>(),
                0..4,
            )),
            0..NOW,
            1..1_000_000u64,
        )
            .prop_map(
                |(actor_id, actor_type, auth_identity_id, metadata, iat, ttl)| Claims {
                    actor_id,
                    actor_type,
                    auth_identity_id,
                    auth_provider: Some("emailpass".into()),
                    mfa_enabled: false,
                    mfa_challenge_completed_at: None,
                    app_metadata: metadata.map_or(Value::Null, |m| {
                        Value::Object(m.into_iter().map(|(k, v)| (k, Value::String(v))).collect())
                    }),
                    user_metadata: Value::Object(serde_json::Map::new()),
                    iat,
                    exp: NOW + ttl,
                    mfa_challenge: None,
                },
            )
    }

    /// One segment as an attacker may write it: base64url of arbitrary bytes, of JSON, or raw text.
    fn segment() -> impl Strategy<Value = String> {
        prop_oneof![
            proptest::collection::vec(any::<u8>(), 0..128).prop_map(|b| B64URL.encode(b)),
            any::<String>().prop_map(|json| B64URL.encode(format!("{{\"alg\":{json:?}}}"))),
            "[A-Za-z0-9_=+/.-]{0,64}",
            any::<String>(),
        ]
    }

    proptest! {
        #![proptest_config(with_cases(512))]

        #[test]
        fn verify_never_panics_on_any_text(token in any::<String>()) {
            let _ = verify(&token, &key(), NOW);
        }

        #[test]
        fn forged_three_segment_tokens_are_refused(
            header in segment(),
            payload in segment(),
            signature in segment(),
        ) {
            let token = format!("{header}.{payload}.{signature}");
            prop_assert!(verify(&token, &key(), NOW).is_err());
        }

        #[test]
        fn sign_then_verify_is_the_identity(claims in claims()) {
            let token = sign(&claims, &key());
            prop_assert_eq!(verify(&token, &key(), NOW), Ok(claims));
        }

        /// Each segment in turn replaced by another value (of the same kind) breaks the token.
        #[test]
        fn changing_any_one_segment_is_refused(
            claims in claims(),
            which in 0usize..3,
            other in segment(),
        ) {
            let token = sign(&claims, &key());
            let mut parts: Vec<&str> = token.split('.').collect();
            prop_assume!(parts[which] != other);
            parts[which] = &other;
            prop_assert!(verify(&parts.join("."), &key(), NOW).is_err());
        }

        /// A correctly signed token over the size limit is refused as malformed: the length is checked
        /// before the signature (which would otherwise accept it).
        #[test]
        fn oversized_tokens_are_refused_before_the_signature_is_checked(extra in 0usize..8192) {
            let mut big = claims_with_padding(MAX_TOKEN_BYTES + extra);
            let token = sign(&big, &key());
            prop_assert!(token.len() > MAX_TOKEN_BYTES);
            prop_assert_eq!(verify(&token, &key(), NOW), Err(TokenError::Malformed));
            // The same claims, just small enough, verify.
            big.app_metadata = Value::Null;
            prop_assert!(verify(&sign(&big, &key()), &key(), NOW).is_ok());
        }
    }

    /// Claims whose token is at least `bytes` long.
    fn claims_with_padding(bytes: usize) -> Claims {
        Claims {
            actor_id: String::new(),
            actor_type: "customer".into(),
            auth_identity_id: "authid_1".into(),
            auth_provider: None,
            mfa_enabled: false,
            mfa_challenge_completed_at: None,
            app_metadata: serde_json::json!({ "pad": "x".repeat(bytes) }),
            user_metadata: serde_json::json!({}),
            iat: NOW,
            exp: NOW + 60,
            mfa_challenge: None,
        }
    }
}
