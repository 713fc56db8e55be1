//! Reset tokens: HS256 JWTs signed with `JWT_SECRET` (as Medusa's are), valid for
//! [`keys::RESET_TOKEN_TTL_SECS`], with Medusa's newer claims `{entity_id, provider, actor_type, jti,
//! purpose: "reset"}`. The random `jti` is what makes them single use: the update route consumes it in the
//! guard. `purpose` keeps a reset token from passing as an auth token and the other way round (neither
//! parses as the other's claims either).

use crate::ports::random::{self, RandomError};
use crate::store::keys;
use crate::token::{self, JwtKey, TokenError};
use serde::{Deserialize, Serialize};

/// The `purpose` claim of every reset token.
pub const PURPOSE: &str = "reset";

/// Random bytes in a `jti`: 128 bits.
const JTI_BYTES: usize = 16;

/// The claims of a reset token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResetClaims {
    /// Whose password may be reset: the provider's name for the user.
    pub entity_id: String,
    /// The provider of that identity (`emailpass`).
    pub provider: String,
    /// The actor type of the route that issued it; the update route must match.
    pub actor_type: String,
    /// Random id, consumed on use so the token works once.
    pub jti: String,
    /// Always [`PURPOSE`].
    pub purpose: String,
    /// Issued at, unix seconds.
    pub iat: u64,
    /// Expires at, unix seconds.
    pub exp: u64,
}

/// A fresh token for (provider, entity_id, actor_type), issued at `iat` (seconds).
pub fn issue(
    entity_id: &str,
    provider: &str,
    actor_type: &str,
    iat: u64,
    key: &JwtKey,
) -> Result<(String, ResetClaims), RandomError> {
    let claims = ResetClaims {
        entity_id: entity_id.to_owned(),
        provider: provider.to_owned(),
        actor_type: actor_type.to_owned(),
        jti: random::hex_token(JTI_BYTES)?,
        purpose: PURPOSE.to_owned(),
        iat,
        exp: iat + keys::RESET_TOKEN_TTL_SECS,
    };
    Ok((token::sign_payload(&claims, key), claims))
}

/// Signature, shape, purpose, then expiry. The caller checks the route's actor type and provider, that
/// the identity exists and was not changed since, and consumes the `jti`.
pub fn verify(raw: &str, key: &JwtKey, now_secs: u64) -> Result<ResetClaims, TokenError> {
    let payload = token::verify_signature(raw, key)?;
    let claims: ResetClaims =
        serde_json::from_slice(&payload).map_err(|_| TokenError::Malformed)?;
    if claims.purpose != PURPOSE || claims.jti.is_empty() || claims.entity_id.is_empty() {
        return Err(TokenError::Malformed);
    }
    if claims.exp <= now_secs {
        return Err(TokenError::Expired);
    }
    Ok(claims)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::token::Claims;
    use serde_json::json;

    const NOW: u64 = 1_800_000_000;

    fn key() -> JwtKey {
        JwtKey::new(b"0123456789abcdef0123456789abcdef")
    }

    #[test]
    fn a_reset_token_lives_fifteen_minutes_and_has_a_random_jti() {
        let (raw, claims) = issue("a@b.co", "emailpass", "customer", NOW, &key()).unwrap();
        assert_eq!(claims.exp - claims.iat, 900);
        assert_eq!(claims.jti.len(), 32);
        assert_eq!(verify(&raw, &key(), NOW + 899).unwrap(), claims);
        assert_eq!(verify(&raw, &key(), NOW + 900), Err(TokenError::Expired));
        let (_, other) = issue("a@b.co", "emailpass", "customer", NOW, &key()).unwrap();
        assert_ne!(claims.jti, other.jti);
    }

    #[test]
    fn a_token_signed_with_another_key_is_refused() {
        let (raw, _) = issue("a@b.co", "emailpass", "customer", NOW, &key()).unwrap();
        let other = JwtKey::new(b"another key, another key, another!");
        assert_eq!(verify(&raw, &other, NOW), Err(TokenError::BadSignature));
    }

    #[test]
    fn auth_tokens_and_reset_tokens_are_not_interchangeable() {
        let auth = token::sign(
            &Claims {
                actor_id: "cus_1".into(),
                actor_type: "customer".into(),
                auth_identity_id: "authid_1".into(),
                app_metadata: json!({}),
                iat: NOW,
                exp: NOW + 60,
            },
            &key(),
        );
        assert_eq!(verify(&auth, &key(), NOW), Err(TokenError::Malformed));
        let (reset, _) = issue("a@b.co", "emailpass", "customer", NOW, &key()).unwrap();
        assert_eq!(
            token::verify(&reset, &key(), NOW),
            Err(TokenError::Malformed)
        );
    }

    #[test]
    fn a_token_without_the_reset_purpose_or_jti_is_refused() {
        for payload in [
            json!({"entity_id": "a@b.co", "provider": "emailpass", "actor_type": "customer",
                   "jti": "j", "purpose": "login", "iat": NOW, "exp": NOW + 60}),
            json!({"entity_id": "a@b.co", "provider": "emailpass", "actor_type": "customer",
                   "jti": "", "purpose": "reset", "iat": NOW, "exp": NOW + 60}),
            // Medusa 2.0's reset token: no jti, no purpose.
            json!({"entity_id": "a@b.co", "provider": "emailpass", "iat": NOW, "exp": NOW + 60}),
        ] {
            let raw = token::sign_payload(&payload, &key());
            assert_eq!(
                verify(&raw, &key(), NOW),
                Err(TokenError::Malformed),
                "{payload}"
            );
        }
    }
}
