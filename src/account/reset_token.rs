//! Reset tokens: HS256 JWTs signed with `JWT_SECRET` (as Medusa's are), valid for
//! [`keys::RESET_TOKEN_TTL_SECS`], with Medusa's newer claims `{entity_id, provider, actor_type, jti,
//! purpose: "reset"}` and two of ours that bind it to one credential version of one identity:
//! `auth_identity_id` (an identity registered later with the same email is another identity) and
//! `credential_version` (the identity's revocation boundary when it was issued, in milliseconds: any
//! later change, even within the same second, voids it). The random `jti` is what makes them single
//! use: the update route consumes it in the guard. `purpose` keeps a reset token from passing as an
//! auth token and the other way round (neither parses as the other's claims either).

use crate::json_fields::{text, whole};
use crate::ports::random::{self, RandomError};
use crate::store::keys;
use crate::token::{self, JwtKey, TokenError};
use serde::Serialize;

/// The `purpose` claim of every reset token.
pub const PURPOSE: &str = "reset";

/// Random bytes in a `jti`: 128 bits.
const JTI_BYTES: usize = 16;

/// The claims of a reset token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResetClaims {
    /// Whose password may be reset: the provider's name for the user.
    pub entity_id: String,
    /// The provider of that identity (`emailpass`).
    pub provider: String,
    /// The actor type of the route that issued it; the update route must match.
    pub actor_type: String,
    /// The identity it resets: a later identity with the same email is another one.
    pub auth_identity_id: String,
    /// The identity's credential boundary (ms) when it was issued: any later change voids it.
    pub credential_version: u64,
    /// Random id, consumed on use so the token works once.
    pub jti: String,
    /// Always [`PURPOSE`].
    pub purpose: String,
    /// Issued at, unix seconds.
    pub iat: u64,
    /// Expires at, unix seconds.
    pub exp: u64,
}

impl ResetClaims {
    /// The claims of a payload, or `None` when one is missing or of another type. Read by hand, not
    /// derived: [`crate::json_fields`] says why.
    fn from_json(v: &serde_json::Value) -> Option<Self> {
        Some(Self {
            entity_id: text(v, "entity_id")?,
            provider: text(v, "provider")?,
            actor_type: text(v, "actor_type")?,
            auth_identity_id: text(v, "auth_identity_id")?,
            credential_version: whole(v, "credential_version")?,
            jti: text(v, "jti")?,
            purpose: text(v, "purpose")?,
            iat: whole(v, "iat")?,
            exp: whole(v, "exp")?,
        })
    }
}

/// Which entity, of which identity at which credential version, a reset token is for.
#[derive(Debug, Clone, Copy)]
pub struct ResetTarget<'a> {
    /// The entity to reset, as the provider stores it.
    pub entity_id: &'a str,
    /// The provider of that entity.
    pub provider: &'a str,
    /// The actor type of the route that asked.
    pub actor_type: &'a str,
    /// The identity that holds the entity.
    pub auth_identity_id: &'a str,
    /// The identity's credential boundary (ms) now.
    pub credential_version: u64,
}

/// A fresh token for `target`, issued at `iat` (seconds).
pub fn issue(
    target: ResetTarget<'_>,
    iat: u64,
    key: &JwtKey,
) -> Result<(String, ResetClaims), RandomError> {
    let claims = ResetClaims {
        entity_id: target.entity_id.to_owned(),
        provider: target.provider.to_owned(),
        actor_type: target.actor_type.to_owned(),
        auth_identity_id: target.auth_identity_id.to_owned(),
        credential_version: target.credential_version,
        jti: random::hex_token(JTI_BYTES)?,
        purpose: PURPOSE.to_owned(),
        iat,
        exp: iat + keys::RESET_TOKEN_TTL_SECS,
    };
    Ok((token::sign_payload(&claims, key), claims))
}

/// Signature, shape, purpose, then expiry. The caller checks the route's actor type and provider, that
/// the entity still belongs to `auth_identity_id` at `credential_version`, and consumes the `jti`.
pub fn verify(raw: &str, key: &JwtKey, now_secs: u64) -> Result<ResetClaims, TokenError> {
    let payload = token::verify_signature(raw, key)?;
    let claims = crate::json_fields::parse(&payload)
        .ok()
        .and_then(|v| ResetClaims::from_json(&v))
        .ok_or(TokenError::Malformed)?;
    if claims.purpose != PURPOSE
        || claims.jti.is_empty()
        || claims.entity_id.is_empty()
        || claims.auth_identity_id.is_empty()
    {
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

    const TARGET: ResetTarget<'static> = ResetTarget {
        entity_id: "a@b.co",
        provider: "emailpass",
        actor_type: "customer",
        auth_identity_id: "authid_1",
        credential_version: 0,
    };

    #[test]
    fn a_reset_token_lives_fifteen_minutes_and_has_a_random_jti() {
        let (raw, claims) = issue(TARGET, NOW, &key()).unwrap();
        assert_eq!(claims.exp - claims.iat, 900);
        assert_eq!(claims.jti.len(), 32);
        assert_eq!(verify(&raw, &key(), NOW + 899).unwrap(), claims);
        assert_eq!(verify(&raw, &key(), NOW + 900), Err(TokenError::Expired));
        let (_, other) = issue(TARGET, NOW, &key()).unwrap();
        assert_ne!(claims.jti, other.jti);
        assert_eq!(
            (claims.auth_identity_id.as_str(), claims.credential_version),
            ("authid_1", 0)
        );
    }

    #[test]
    fn a_token_signed_with_another_key_is_refused() {
        let (raw, _) = issue(TARGET, NOW, &key()).unwrap();
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
                auth_provider: None,
                mfa_enabled: false,
                mfa_challenge_completed_at: None,
                app_metadata: json!({}),
                user_metadata: json!({}),
                iat: NOW,
                exp: NOW + 60,
                mfa_challenge: None,
            },
            &key(),
        );
        assert_eq!(verify(&auth, &key(), NOW), Err(TokenError::Malformed));
        let (reset, _) = issue(TARGET, NOW, &key()).unwrap();
        assert_eq!(
            token::verify(&reset, &key(), NOW),
            Err(TokenError::Malformed)
        );
    }

    #[test]
    fn a_token_without_the_reset_purpose_jti_or_identity_is_refused() {
        for payload in [
            json!({"entity_id": "a@b.co", "provider": "emailpass", "actor_type": "customer",
                   "jti": "j", "purpose": "login", "iat": NOW, "exp": NOW + 60}),
            // Complete but for one empty string each.
            json!({"entity_id": "a@b.co", "provider": "emailpass", "actor_type": "customer",
                   "auth_identity_id": "authid_1", "credential_version": 0,
                   "jti": "", "purpose": "reset", "iat": NOW, "exp": NOW + 60}),
            json!({"entity_id": "", "provider": "emailpass", "actor_type": "customer",
                   "auth_identity_id": "authid_1", "credential_version": 0,
                   "jti": "j", "purpose": "reset", "iat": NOW, "exp": NOW + 60}),
            // Medusa 2.0's reset token: no jti, no purpose.
            json!({"entity_id": "a@b.co", "provider": "emailpass", "iat": NOW, "exp": NOW + 60}),
            // Bound to no identity (a token of this project before the binding).
            json!({"entity_id": "a@b.co", "provider": "emailpass", "actor_type": "customer",
                   "jti": "j", "purpose": "reset", "iat": NOW, "exp": NOW + 60}),
            json!({"entity_id": "a@b.co", "provider": "emailpass", "actor_type": "customer",
                   "auth_identity_id": "", "credential_version": 0,
                   "jti": "j", "purpose": "reset", "iat": NOW, "exp": NOW + 60}),
            // Every claim of its type.
            json!({"entity_id": "a@b.co", "provider": "emailpass", "actor_type": "customer",
                   "auth_identity_id": "authid_1", "credential_version": "0",
                   "jti": "j", "purpose": "reset", "iat": NOW, "exp": NOW + 60}),
            json!({"entity_id": "a@b.co", "provider": "emailpass", "actor_type": "customer",
                   "auth_identity_id": "authid_1", "credential_version": 0,
                   "jti": "j", "purpose": "reset", "iat": NOW, "exp": (NOW + 60) as f64}),
        ] {
            let raw = token::sign_payload(&payload, &key());
            assert_eq!(
                verify(&raw, &key(), NOW),
                Err(TokenError::Malformed),
                "{payload}"
            );
        }
        // The same claims with every string filled in are a reset token.
        let complete = json!({"entity_id": "a@b.co", "provider": "emailpass", "actor_type": "customer",
                              "auth_identity_id": "authid_1", "credential_version": 0,
                              "jti": "j", "purpose": "reset", "iat": NOW, "exp": NOW + 60});
        let raw = token::sign_payload(&complete, &key());
        assert_eq!(verify(&raw, &key(), NOW).map(|c| c.jti), Ok("j".to_owned()));
    }
}
