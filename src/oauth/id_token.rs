//! id_token validation, OpenID Connect Core 1.0 §3.1.3.7, as pure functions over a key set and a clock.
//!
//! In order: the compact JWS shape, the header (`alg` exactly RS256 or ES256, no `crit`; `jwk`, `jku`
//! and `x5u` headers are ignored — keys come only from the provider's JWKS), the signature over the
//! bytes as received, then the claims: `iss` exact, `aud` contains the client id and no audience that is
//! not trusted (the client id, or one configured with `allowedAudiences`), `azp` is the client id when
//! several audiences are listed or `azp` is present, `exp` and `iat` with
//! [`CLOCK_SKEW_SECS`] of tolerance and a bounded age, `nonce` equal (constant time) to ours, and a `sub`.

use crate::b64::URL_SAFE_NO_PAD as B64URL;
use crate::oauth::jwk::{Algorithm, Jwk};
use crate::ports::signature::SignatureVerifier;
use serde_json::{Map, Value};
use std::fmt;
use subtle::ConstantTimeEq;

/// Tolerance between our clock and the provider's.
pub const CLOCK_SKEW_SECS: u64 = 60;

/// An id_token comes straight from the token endpoint: one issued longer ago than this is not fresh.
pub const MAX_AGE_SECS: u64 = 600;

/// An id_token is a few KiB; anything this large is refused before decoding.
pub const MAX_TOKEN_BYTES: usize = 16 * 1024;

/// The payload of a verified id_token.
pub type Claims = Map<String, Value>;

/// Why an id_token was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum IdTokenError {
    /// Not a well-formed token (too large, bad base64url or JSON); says which.
    Malformed(&'static str),
    /// `none`, `HS256` and anything but RS256/ES256.
    UnsupportedAlgorithm(String),
    /// No key in the provider's JWKS has this `kid` (after one refetch).
    UnknownKey,
    /// No `kid` and several keys could match.
    AmbiguousKey,
    /// The signature does not verify under the key.
    BadSignature,
    /// `iss` is none of the expected issuers.
    Issuer,
    /// `aud` does not name this client.
    Audience,
    /// `aud` lists the client and another audience that is not configured as trusted.
    UntrustedAudience,
    /// `azp` is not this client: it must be when present, or when `aud` lists several.
    AuthorizedParty,
    /// `exp` has passed (beyond the allowed clock skew).
    Expired,
    /// `iat` is later than now (beyond the allowed clock skew).
    IssuedInTheFuture,
    /// `iat` is older than [`MAX_AGE_SECS`].
    TooOld,
    /// `nonce` differs from the one sent, or is missing when one was sent.
    Nonce,
    /// No `sub`: there is no user to sign in.
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
            Self::UntrustedAudience => f.write_str(
                "the token is also meant for an audience this client does not trust (aud)",
            ),
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
    /// The signing algorithm.
    pub alg: Algorithm,
    /// The key id, when the token names one.
    pub kid: Option<String>,
}

/// What the claims must say.
#[derive(Debug, Clone, Copy)]
pub struct Expected<'a> {
    /// Accepted `iss` values (exact strings): one for OIDC, Google's two spellings for Google.
    pub issuers: &'a [String],
    /// This client's id, which `aud` must list.
    pub client_id: &'a str,
    /// Audiences besides `client_id` that a token may also list; any other is refused.
    pub trusted_audiences: &'a [String],
    /// The nonce sent with the authorization request, if one was.
    pub nonce: Option<&'a str>,
    /// The time claims are checked against.
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
    match crate::json_fields::parse(&bytes) {
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

/// Checks the signature with `key` through `verifier` and returns the claims. The header must already
/// have been read with [`header`]; `key` must be the one the key set found for it.
pub async fn verify_signature(
    token: &str,
    key: &Jwk,
    verifier: &dyn SignatureVerifier,
) -> Result<Claims, IdTokenError> {
    let parts = split(token)?;
    let alg = header(token)?.alg;
    // The algorithm is pinned to the key's: an RSA key never checks ES256, a P-256 key never RS256.
    if key.key.algorithm() != alg {
        return Err(IdTokenError::BadSignature);
    }
    let signature = B64URL
        .decode(parts.signature)
        .map_err(|_| IdTokenError::Malformed("bad base64url"))?;
    // Shapes are checked here, the same for every verifier: JWS carries ES256 signatures as the fixed
    // 64-byte r || s (never DER), and an RS256 signature is exactly as long as the modulus.
    let shape_ok = match alg {
        Algorithm::Es256 => signature.len() == 64,
        Algorithm::Rs256 => key.key.rsa_modulus_len() == Some(signature.len()),
    };
    let signing_input = &token.as_bytes()[..parts.header.len() + 1 + parts.payload.len()];
    if !shape_ok || !verifier.verify(&key.key, signing_input, &signature).await {
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
        // A list with anything but strings is not one we can check: no audience at all.
        Some(Value::Array(list)) => list
            .iter()
            .map(Value::as_str)
            .collect::<Option<Vec<_>>>()
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    if !audiences.contains(&expected.client_id) {
        return Err(IdTokenError::Audience);
    }
    // A token also minted for another party may have been obtained by that party (OIDC Core §3.1.3.7
    // step 3): accepted only when the operator said that audience is trusted.
    let trusted =
        |a: &str| a == expected.client_id || expected.trusted_audiences.iter().any(|t| t == a);
    if !audiences.iter().all(|a| trusted(a)) {
        return Err(IdTokenError::UntrustedAudience);
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

/// The id_token parser on anything a provider (or an attacker posing as one) may send: no panic on any
/// text or any segment, signed tokens verify under their key and under no other, claims of any shape
/// are judged without panicking, and an oversized token is refused before any decoding.
#[cfg(all(test, not(target_arch = "wasm32")))]
#[allow(clippy::unwrap_used)] // clippy's test detection reads only a bare `cfg(test)`
mod proptests {
    use super::*;
    use crate::oauth::jwk::{KeySet, Lookup};
    use crate::oauth::signature::RustVerifier;
    use crate::oauth::test_keys::{id_token, jwks, key};
    use crate::proptest_config::with_cases;
    use proptest::prelude::*;

    const NOW: u64 = 1_800_000_000;

    /// The signature check, run to completion (the pure-Rust verifier never waits).
    fn verify_signature(token: &str, key: &Jwk) -> Result<Claims, IdTokenError> {
        futures::executor::block_on(super::verify_signature(token, key, &RustVerifier))
    }

    fn keys() -> KeySet {
        KeySet::parse(jwks(&[&key("rsa"), &key("ec")]).to_string().as_bytes()).unwrap()
    }

    fn found<'s>(set: &'s KeySet, token: &str) -> Option<&'s Jwk> {
        let h = header(token).ok()?;
        match set.find(h.kid.as_deref(), h.alg) {
            Lookup::Found(k) => Some(k),
            _ => None,
        }
    }

    fn segment() -> impl Strategy<Value = String> {
        prop_oneof![
            proptest::collection::vec(any::<u8>(), 0..96).prop_map(|b| B64URL.encode(b)),
            prop_oneof![Just("ES256"), Just("RS256"), Just("none"), Just("HS256")].prop_flat_map(
                |alg| any::<Option<String>>().prop_map(move |kid| {
                    B64URL.encode(serde_json::json!({"alg": alg, "kid": kid}).to_string())
                })
            ),
            any::<String>(),
        ]
    }

    fn json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<f64>().prop_map(Value::from),
            "[a-z-]{0,12}".prop_map(Value::from),
        ];
        leaf.prop_recursive(2, 12, 3, |inner| {
            proptest::collection::vec(inner, 0..3).prop_map(Value::Array)
        })
    }

    proptest! {
        #![proptest_config(with_cases(256))]

        #[test]
        fn header_never_panics(token in any::<String>()) {
            let _ = header(&token);
        }

        #[test]
        fn forged_tokens_never_panic_and_never_verify(h in segment(), p in segment(), sig in segment()) {
            let token = format!("{h}.{p}.{sig}");
            let set = keys();
            if let Some(k) = found(&set, &token) {
                prop_assert!(verify_signature(&token, k).is_err());
            }
        }

        #[test]
        fn claims_of_any_shape_are_judged_without_panicking(
            values in proptest::collection::vec(json(), 8),
            client_id in "[a-z-]{1,8}",
        ) {
            let names = ["iss", "aud", "azp", "exp", "iat", "nonce", "sub", "email"];
            let claims: Claims = names.iter().map(|n| n.to_string()).zip(values).collect();
            let issuers = ["https://idp.example".to_owned()];
            let trusted = ["api".to_owned()];
            let expected = Expected {
                issuers: &issuers,
                client_id: &client_id,
                trusted_audiences: &trusted,
                nonce: Some("n"),
                now_secs: NOW,
            };
            let _ = validate_claims(&claims, &expected);
        }
    }

    proptest! {
        // Each case signs with RSA or P-256 in an unoptimised build (tens of ms): fewer cases.
        #![proptest_config(with_cases(16))]

        /// Any header with the right `alg` and `kid` refuses a token over the size limit as too large,
        /// before splitting or decoding it.
        #[test]
        fn oversized_tokens_are_refused_first(extra in 1usize..4096, ec in any::<bool>()) {
            let jwk = if ec { key("ec") } else { key("rsa") };
            let small = id_token(&serde_json::json!({"sub": "x"}), &jwk);
            let set = keys();
            let k = found(&set, &small).unwrap();
            prop_assert!(verify_signature(&small, k).is_ok());
            let padded = id_token(&serde_json::json!({"sub": "x", "pad": "p".repeat(MAX_TOKEN_BYTES + extra)}), &jwk);
            prop_assert_eq!(header(&padded), Err(IdTokenError::Malformed("too large")));
            prop_assert_eq!(verify_signature(&padded, k), Err(IdTokenError::Malformed("too large")));
        }

        #[test]
        fn signed_claims_verify_under_their_key_only(
            sub in "[ -~]{1,40}",
            extra in proptest::collection::btree_map("[a-z]{1,8}", any::<String>(), 0..4),
            ec in any::<bool>(),
        ) {
            let mut claims = serde_json::json!({"sub": sub});
            for (k, v) in extra {
                claims[k] = Value::String(v);
            }
            let (signer, other) = if ec { (key("ec"), key("rsa")) } else { (key("rsa"), key("ec")) };
            let token = id_token(&claims, &signer);
            let set = keys();
            let k = found(&set, &token).unwrap();
            prop_assert_eq!(verify_signature(&token, k).ok(), claims.as_object().cloned());
            // The same token under the other key (whose kid it does not name) is refused.
            let other_set = KeySet::parse(jwks(&[&other]).to_string().as_bytes()).unwrap();
            prop_assert!(found(&other_set, &token).is_none());
        }
    }
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
