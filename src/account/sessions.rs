//! Cookie sessions as account operations: made from a valid token, found by their cookie value while
//! neither expired nor voided by a password change, ended on request. Storage and the cookie itself:
//! [`super::session`]. Contract: `docs/http-api.md#sessions`.

use super::AccountError;
use super::service::AccountService;
use super::session::{self, AuthContext, Session};
use crate::ports::runtime::join2;
use crate::scope::ActorType;

/// A session just made: the cookie value, what it says about its bearer, and its lifetime.
#[derive(Debug, Clone, PartialEq)]
pub struct NewSession {
    /// The session id: the cookie's value.
    pub id: String,
    /// Who the session signs in, as a token's claims would say.
    pub auth_context: AuthContext,
    /// How long the session lasts.
    pub ttl_secs: u64,
}

impl AccountService {
    /// A session for the bearer of `raw`, a valid token, with or without an actor: Medusa's route takes
    /// unregistered bearers (`allowUnregistered`), since the js-sdk in session mode opens one right after
    /// a sign-up, before the app has made the actor.
    /// A token still owing its MFA challenge makes a session that still owes it too (Medusa's route is
    /// `requireMfa: false`): its refresh stays actor-less until the challenge is passed.
    pub async fn create_session(&self, raw: &str) -> Result<NewSession, AccountError> {
        let claims = self.verify_token_mfa_pending_ok(raw).await?;
        let record = Session {
            iat: claims.iat,
            auth_context: AuthContext::from(claims),
            created_at_ms: self.now_ms(),
        };
        let ttl_secs = self.config.session_ttl_secs;
        let id = session::create(self.store(), &record, ttl_secs)
            .await
            .map_err(|e| match e {
                session::SessionError::Random(e) => AccountError::from(e),
                session::SessionError::Store(e) => AccountError::from(e),
            })?;
        Ok(NewSession {
            id,
            auth_context: record.auth_context,
            ttl_secs,
        })
    }

    /// The live session whose cookie value is `id`; a session voided by a revocation (checked against
    /// the guard's record, whatever this location's KV says) is deleted now rather than at its TTL.
    pub async fn session(&self, id: &str) -> Result<Option<Session>, AccountError> {
        let Some(found) = session::find(self.store(), id).await? else {
            return Ok(None);
        };
        let validity = self.validity(&found.auth_context.auth_identity_id).await?;
        if validity.is_revoked(found.iat) {
            let _ = session::delete(self.store(), id).await;
            return Ok(None);
        }
        Ok(Some(found))
    }

    /// `POST /auth/token/refresh` with a session cookie (Medusa's route takes a session before a
    /// bearer): a fresh token for the session's identity and actor type, with `actor_id` filled in once
    /// the actor exists. `None` when `id` names no live session.
    pub async fn refresh_session_token(&self, id: &str) -> Result<Option<String>, AccountError> {
        let Some(found) = session::find(self.store(), id).await? else {
            return Ok(None);
        };
        let context = found.auth_context;
        let actor_type = ActorType::parse(&context.actor_type).ok_or(AccountError::Unauthorized)?;
        let (validity, identity) = join2(
            self.validity(&context.auth_identity_id),
            self.identities
                .retrieve_auth_identity(&context.auth_identity_id),
        )
        .await;
        let validity = validity?;
        // Voided by a password change or a deletion, as in [`Self::session`].
        if validity.is_revoked(found.iat) {
            let _ = session::delete(self.store(), id).await;
            return Ok(None);
        }
        let identity = identity?;
        let sign_in = self
            .refreshed_sign_in(&identity, &actor_type, &context.actor_id, context.sign_in())
            .await?;
        self.sign(&identity, &actor_type, &sign_in, &validity)
            .await
            .map(Some)
    }

    /// Ends the live session `id`; `false` when there was none.
    pub async fn end_session(&self, id: &str) -> Result<bool, AccountError> {
        if self.session(id).await?.is_none() {
            return Ok(false);
        }
        session::delete(self.store(), id).await?;
        Ok(true)
    }
}
