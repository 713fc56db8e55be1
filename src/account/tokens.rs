//! Auth tokens: Medusa's claims for an identity and an actor type, issued no earlier than the identity's
//! last password change ([`super::revocation`]), verified with that change in mind, and refreshed.

use super::AccountError;
use super::revocation;
use super::service::AccountService;
use crate::model::AuthIdentity;
use crate::scope::ActorType;
use crate::token::{self, Claims};
use serde_json::Value;

/// Medusa's claims: `actor_id` from `app_metadata["<actor>_id"]` (or ""), and an `app_metadata` that
/// holds only that key.
pub fn claims_for(
    identity: &AuthIdentity,
    actor_type: &ActorType,
    now_secs: u64,
    ttl_secs: u64,
) -> Claims {
    let actor_type = actor_type.as_str();
    let actor_id = identity.actor_id(actor_type).unwrap_or_default().to_owned();
    let mut app_metadata = serde_json::Map::new();
    if !actor_id.is_empty() {
        app_metadata.insert(format!("{actor_type}_id"), Value::String(actor_id.clone()));
    }
    Claims {
        actor_id,
        actor_type: actor_type.to_owned(),
        auth_identity_id: identity.id.clone(),
        app_metadata: Value::Object(app_metadata),
        iat: now_secs,
        exp: now_secs + ttl_secs,
    }
}

impl AccountService {
    /// A signed token for `identity` as `actor_type`, dated no earlier than its last password change.
    pub async fn issue_token(
        &self,
        identity: &AuthIdentity,
        actor_type: &ActorType,
    ) -> Result<String, AccountError> {
        let valid_from = revocation::valid_from(self.store(), &identity.id).await?;
        let iat = revocation::issued_at(self.now_secs(), valid_from);
        let claims = claims_for(identity, actor_type, iat, self.tokens.expires_in_secs);
        Ok(token::sign(&claims, &self.tokens.key))
    }

    /// The claims of a bearer token that is validly signed, unexpired and not voided by a password change.
    pub async fn verify_token(&self, raw: &str) -> Result<Claims, AccountError> {
        let claims = token::verify(raw, &self.tokens.key, self.now_secs())
            .map_err(|_| AccountError::Unauthorized)?;
        if self
            .is_revoked(&claims.auth_identity_id, claims.iat)
            .await?
        {
            return Err(AccountError::Unauthorized);
        }
        Ok(claims)
    }

    /// `POST /auth/token/refresh`: a fresh token for the same identity and actor type, with `actor_id`
    /// filled in once the actor exists. A token of a deleted identity is refused.
    pub async fn refresh_token(&self, raw: &str) -> Result<String, AccountError> {
        let claims = self.verify_token(raw).await?;
        let actor_type = ActorType::parse(&claims.actor_type).ok_or(AccountError::Unauthorized)?;
        let identity = self
            .identities
            .retrieve_auth_identity(&claims.auth_identity_id)
            .await?;
        self.issue_token(&identity, &actor_type).await
    }

    /// Voids every token and session of the identity issued until now (a password change, a reset, a
    /// deletion).
    pub async fn revoke_tokens(&self, auth_identity_id: &str) -> Result<(), AccountError> {
        revocation::revoke_until(self.store(), auth_identity_id, self.now_ms()).await?;
        Ok(())
    }

    /// Whether a token (or session) of `auth_identity_id` issued at `iat` was voided.
    pub(super) async fn is_revoked(
        &self,
        auth_identity_id: &str,
        iat: u64,
    ) -> Result<bool, AccountError> {
        let valid_from = revocation::valid_from(self.store(), auth_identity_id).await?;
        Ok(revocation::is_revoked(iat, valid_from))
    }
}
