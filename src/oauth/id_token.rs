//! id_token validation, OpenID Connect Core 1.0 §3.1.3.7, as pure functions over a key set and a clock.
//!
//! In order: the compact JWS shape, the header (`alg` exactly RS256 or ES256, no `crit`; `jwk`, `jku`
//! and `x5u` headers are ignored — keys come only from the provider's JWKS), the signature over the
//! bytes as received, then the claims: `iss` exact, `aud` contains the client id (and `azp` is the
//! client id when several audiences are listed or `azp` is present), `exp` and `iat` with
//! [`CLOCK_SKEW_SECS`] of tolerance and a bounded age, `nonce` equal (constant time) to ours, and a `sub`.

use crate::oauth::jwk::{Algorithm, Jwk, PublicKey};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use serde_json::{Map, Value};
use std::fmt;
use subtle::ConstantTimeEq;

/// Tolerance between our clock and the provider's.
pub const CLOCK_SKEW_SECS: u64 = 60;

/// An id_token comes straight from the token endpoint: one issued longer ago than this is not fresh.
pub const MAX_AGE_SECS: u64 = 600;

/// An id_token is a few KiB; anything this large is refused before decoding.
pub const MAX_TOKEN_BYTES: usize = 16 * 1024;

pub type Claims = Map<String, Value>;

#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum IdTokenError {
    Malformed(&'static str),
    /// `none`, `HS256` and anything but RS256/ES256.
    UnsupportedAlgorithm(String),
    /// No key in the provider's JWKS has this `kid` (after one refetch).
    UnknownKey,
    /// No `kid` and several keys could match.
    AmbiguousKey,
    BadSignature,
    Issuer,
    Audience,
    AuthorizedParty,
    Expired,
    IssuedInTheFuture,
    TooOld,
    Nonce,
    MissingSubject,
}

impl fmt::Display for IdTokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Malformed(why) => write!(f, "malformed token: {why}"),
            Self::UnsupportedAlgorithm(alg) => {
                write!(f, "algorithm {alg:?} is not accepted (RS256 or ES256 only)")
            }
            Self::UnknownKey => {
                f.write_str("no key in the provider's JWKS matches the token's kid")
            }
            Self::AmbiguousKey => f.write_str("the token has no kid and several keys could match"),
            Self::BadSignature => f.write_str("invalid signature"),
            Self::Issuer => f.write_str("unexpected issuer (iss)"),
            Self::Audience => f.write_str("the token is not meant for this client (aud)"),
            Self::AuthorizedParty => f.write_str("the authorized party (azp) is not this client"),
            Self::Expired => f.write_str("jwt expired"),
            Self::IssuedInTheFuture => f.write_str("issued in the future (iat)"),
            Self::TooOld => f.write_str("issued too long ago (iat)"),
            Self::Nonce => f.write_str("nonce mismatch"),
            Self::MissingSubject => f.write_str("id_token is missing 'sub' claim"),
        }
    }
}

impl std::error::Error for IdTokenError {}

/// What the signature check needs from the header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub alg: Algorithm,
    pub kid: Option<String>,
}

/// What the claims must say.
#[derive(Debug, Clone, Copy)]
pub struct Expected<'a> {
    /// Accepted `iss` values (exact strings): one for OIDC, Google's two spellings for Google.
    pub issuers: &'a [String],
    pub client_id: &'a str,
    /// The nonce sent with the authorization request, if one was.
    pub nonce: Option<&'a str>,
    pub now_secs: u64,
}

struct Parts<'a> {
    header: &'a str,
    payload: &'a str,
    signature: &'a str,
}

fn split(token: &str) -> Result<Parts<'_>, IdTokenError> {
    if token.len() > MAX_TOKEN_BYTES {
        return Err(IdTokenError::Malformed("too large"));
    }
    let mut it = token.split('.');
    match (it.next(), it.next(), it.next(), it.next()) {
        (Some(header), Some(payload), Some(signature), None) => Ok(Parts {
            header,
            payload,
            signature,
        }),
        _ => Err(IdTokenError::Malformed(
            "not a compact JWS (three dot-separated parts)",
        )),
    }
}

fn json_part(part: &str) -> Result<Map<String, Value>, IdTokenError> {
    let bytes = B64URL
        .decode(part)
        .map_err(|_| IdTokenError::Malformed("bad base64url"))?;
    match serde_json::from_slice(&bytes) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(IdTokenError::Malformed("not a JSON object")),
    }
}

/// Reads the header without trusting anything yet.
pub fn header(token: &str) -> Result<Header, IdTokenError> {
    let header = json_part(split(token)?.header)?;
    let alg = header.get("alg").and_then(Value::as_str).unwrap_or("");
    let alg = Algorithm::from_name(alg)
        .ok_or_else(|| IdTokenError::UnsupportedAlgorithm(alg.to_owned()))?;
    // `crit` lists extensions a verifier must understand (RFC 7515 §4.1.11); we understand none.
    if header.contains_key("crit") {
        return Err(IdTokenError::Malformed("unsupported crit header"));
    }
    let kid = match header.get("kid") {
        None => None,
        Some(Value::String(kid)) => Some(kid.clone()),
        Some(_) => return Err(IdTokenError::Malformed("kid is not a string")),
    };
    Ok(Header { alg, kid })
}

/// Checks the signature with `key` and returns the claims. The header must already have been read with
/// [`header`]; `key` must be the one the key set found for it.
pub fn verify_signature(token: &str, key: &Jwk) -> Result<Claims, IdTokenError> {
    let parts = split(token)?;
    let alg = header(token)?.alg;
    if key.key.algorithm() != alg {
        return Err(IdTokenError::BadSignature);
    }
    let signature = B64URL
        .decode(parts.signature)
        .map_err(|_| IdTokenError::Malformed("bad base64url"))?;
    let signing_input = &token.as_bytes()[..parts.header.len() + 1 + parts.payload.len()];
    let valid = match &key.key {
        PublicKey::Rsa(public) => {
            use rsa::signature::Verifier;
            rsa::pkcs1v15::Signature::try_from(signature.as_slice())
                .is_ok_and(|sig| public.verify(signing_input, &sig).is_ok())
        }
        PublicKey::P256(public) => {
            use p256::ecdsa::signature::Verifier;
            // JWS carries ES256 signatures as the fixed 64-byte r || s, never DER.
            signature.len() == 64
                && p256::ecdsa::Signature::from_slice(&signature)
                    .is_ok_and(|sig| public.verify(signing_input, &sig).is_ok())
        }
    };
    if !valid {
        return Err(IdTokenError::BadSignature);
    }
    json_part(parts.payload)
}

fn seconds(claims: &Claims, name: &str) -> Result<u64, IdTokenError> {
    match claims.get(name) {
        Some(Value::Number(n)) => n
            .as_u64()
            .or_else(|| n.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64))
            .ok_or(IdTokenError::Malformed(
                "a time claim is not a positive number",
            )),
        _ => Err(IdTokenError::Malformed("exp and iat are required numbers")),
    }
}

fn eq_ct(a: &str, b: &str) -> bool {
    bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// The claim checks of §3.1.3.7 (after the signature).
pub fn validate_claims(claims: &Claims, expected: &Expected<'_>) -> Result<(), IdTokenError> {
    let iss = claims.get("iss").and_then(Value::as_str);
    if !iss.is_some_and(|iss| expected.issuers.iter().any(|i| i == iss)) {
        return Err(IdTokenError::Issuer);
    }

    let audiences: Vec<&str> = match claims.get("aud") {
        Some(Value::String(a)) => vec![a.as_str()],
        Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    if !audiences.contains(&expected.client_id) {
        return Err(IdTokenError::Audience);
    }
    let azp = claims.get("azp").and_then(Value::as_str);
    if (audiences.len() > 1 || azp.is_some()) && azp != Some(expected.client_id) {
        return Err(IdTokenError::AuthorizedParty);
    }

    let (exp, iat) = (seconds(claims, "exp")?, seconds(claims, "iat")?);
    let now = expected.now_secs;
    if now >= exp.saturating_add(CLOCK_SKEW_SECS) {
        return Err(IdTokenError::Expired);
    }
    if iat > now.saturating_add(CLOCK_SKEW_SECS) {
        return Err(IdTokenError::IssuedInTheFuture);
    }
    if now.saturating_sub(iat) > MAX_AGE_SECS + CLOCK_SKEW_SECS {
        return Err(IdTokenError::TooOld);
    }

    if let Some(nonce) = expected.nonce {
        let got = claims.get("nonce").and_then(Value::as_str);
        if !got.is_some_and(|got| eq_ct(got, nonce)) {
            return Err(IdTokenError::Nonce);
        }
    }

    if claims
        .get("sub")
        .and_then(Value::as_str)
        .is_none_or(str::is_empty)
    {
        return Err(IdTokenError::MissingSubject);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A token with a valid RS256 header and `len` bytes in all: the size check is the only thing
    /// [`header`] can refuse it for.
    fn token_of_len(len: usize) -> String {
        let head = B64URL.encode(r#"{"alg":"RS256","kid":"k"}"#);
        let filler = len - head.len() - 2;
        format!("{head}.{}.", "p".repeat(filler))
    }

    #[test]
    fn a_token_of_exactly_the_maximum_size_is_read() {
        let token = token_of_len(MAX_TOKEN_BYTES);
        assert_eq!(token.len(), MAX_TOKEN_BYTES);
        assert_eq!(
            header(&token),
            Ok(Header {
                alg: Algorithm::Rs256,
                kid: Some("k".into()),
            })
        );
    }

    #[test]
    fn one_byte_more_is_refused_before_decoding() {
        let token = token_of_len(MAX_TOKEN_BYTES + 1);
        assert_eq!(header(&token), Err(IdTokenError::Malformed("too large")));
        assert_eq!(
            header(&token_of_len(4 * MAX_TOKEN_BYTES)),
            Err(IdTokenError::Malformed("too large"))
        );
    }
}
