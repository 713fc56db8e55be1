//! Password reset with single-use tokens: minting a token for an identity, delivering it by the signed
//! webhook after the answer has left, and using it once to set a new password. Contract:
//! `docs/http-api.md#password-reset`.

use super::AccountError;
use super::config::LimitedRoute;
use super::limits::Attempt;
use super::reset_token::{self, ResetClaims, ResetTarget};
use super::service::AccountService;
use super::webhook;
use crate::contract;
use crate::guard::Claim;
use crate::identity::Identities;
use crate::model::Metadata;
use crate::ports::random;
use crate::ports::runtime::Task;
use crate::providers::emailpass::{EMAILPASS, normalize_email};
use crate::scope::{ActorType, ProviderId};
use crate::store::keys;
use serde_json::Value;
use std::rc::Rc;
use subtle::ConstantTimeEq;

/// The delivery waits this long before it starts, so the 201 has left before any work that depends on
/// whether the identity exists competes with it for the isolate (measured: without the pause, a known
/// email's 201 arrived ~1 ms later than an unknown one's in workerd).
const RESPONSE_HEAD_START_MS: u32 = 50;

/// A freshly minted reset token and what it is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResetToken {
    /// The JWT to hand to the user (by mail, through the webhook).
    pub token: String,
    /// The entity it resets, as the provider stores it (emails normalised).
    pub entity_id: String,
    /// Seconds since the Unix epoch.
    pub expires_at: u64,
}

/// A reset token that passed every check but single use: what [`AccountService::use_password_reset_token`]
/// needs.
#[derive(Debug)]
pub struct ResetGrant {
    claims: ResetClaims,
    auth_identity_id: String,
}

/// The entity id a provider stores for what a user typed: emails are stored normalised.
pub(super) fn entity_id_for(provider: &ProviderId, identifier: &str) -> String {
    if provider.as_str() == EMAILPASS {
        normalize_email(identifier)
    } else {
        identifier.to_owned()
    }
}

impl AccountService {
    /// A reset token for the identity `identifier` names at `provider`, or `None` when there is none (or
    /// it was deleted). It is bound to that identity and its current credential version, so a later
    /// change, or another identity registered with the same email, voids it.
    pub async fn create_password_reset_token(
        &self,
        actor_type: &ActorType,
        provider: &ProviderId,
        identifier: &str,
    ) -> Result<Option<ResetToken>, AccountError> {
        let entity_id = entity_id_for(provider, identifier);
        let Some(identity) = Identities::new(self.store())
            .find_by_entity(provider.as_str(), &entity_id)
            .await?
        else {
            return Ok(None);
        };
        let validity = self.validity(&identity.id).await?;
        let Some(iat) = validity.issued_at() else {
            return Ok(None);
        };
        let target = ResetTarget {
            entity_id: &entity_id,
            provider: provider.as_str(),
            actor_type: actor_type.as_str(),
            auth_identity_id: &identity.id,
            credential_version: validity.valid_from_ms,
        };
        let (token, claims) = reset_token::issue(target, iat, &self.tokens.key)?;
        self.make_latest_reset(&identity.id, &claims.jti).await?;
        Ok(Some(ResetToken {
            token,
            entity_id,
            expires_at: claims.exp,
        }))
    }

    /// What `reset-password` runs after its `201`: wait for the answer to leave, mint the token of the
    /// identity (if any) and deliver it to `RESET_PASSWORD_WEBHOOK_URL`. Failures are warned about,
    /// never with the token or the email.
    pub fn password_reset_delivery(
        self: &Rc<Self>,
        actor_type: ActorType,
        provider: ProviderId,
        identifier: String,
        metadata: Metadata,
    ) -> Task {
        let this = self.clone();
        Box::pin(async move {
            let runtime = this.ports.runtime.clone();
            runtime.sleep(RESPONSE_HEAD_START_MS).await;
            let warn =
                |what: &str| runtime.warn(&format!("edge-auth: password reset not sent: {what}"));
            let Some(target) = &this.config.reset_webhook else {
                return warn("RESET_PASSWORD_WEBHOOK_URL is not set");
            };
            let minted = this
                .create_password_reset_token(&actor_type, &provider, &identifier)
                .await;
            let reset = match minted {
                Ok(Some(reset)) => reset,
                Ok(None) => return,
                Err(e) => return warn(&e.to_string()),
            };
            let delivery_id = match random::hex_token(16) {
                Ok(id) => id,
                Err(e) => return warn(&e.to_string()),
            };
            let body = webhook::password_reset_body(webhook::PasswordResetEvent {
                entity_id: &reset.entity_id,
                actor_type: actor_type.as_str(),
                provider: provider.as_str(),
                token: &reset.token,
                metadata: &metadata,
            });
            let ports = &this.ports;
            webhook::deliver(
                target,
                webhook::PASSWORD_RESET_EVENT,
                &body,
                &delivery_id,
                ports.http.as_ref(),
                ports.runtime.as_ref(),
                ports.clock.as_ref(),
            )
            .await;
        })
    }

    /// Every check of a reset token but single use, in order: the per-client `update` rate limit; a
    /// valid, unexpired reset token for this actor type and provider; its entity's rate limit; the entity
    /// still belongs to the token's identity, whose credential version (read from the guard) is still
    /// the token's.
    pub async fn verify_password_reset_token(
        &self,
        raw: Option<&str>,
        actor_type: &ActorType,
        provider: &ProviderId,
        client: Option<&str>,
    ) -> Result<ResetGrant, AccountError> {
        let route = LimitedRoute::Update;
        let provider = provider.as_str();
        self.count_attempt(Attempt {
            route,
            provider,
            client,
            identifier: None,
        })
        .await?;
        let claims = raw
            .and_then(|raw| reset_token::verify(raw, &self.tokens.key, self.now_secs()).ok())
            .filter(|c| c.actor_type == actor_type.as_str() && c.provider == provider)
            .ok_or(AccountError::InvalidResetToken)?;
        self.count_attempt(Attempt {
            route,
            provider,
            client: None,
            identifier: Some(&claims.entity_id),
        })
        .await?;
        let identity = Identities::new(self.store())
            .find_by_entity(provider, &claims.entity_id)
            .await?
            .filter(|i| i.id == claims.auth_identity_id)
            .ok_or(AccountError::InvalidResetToken)?;
        let validity = self.validity(&identity.id).await?;
        if validity.valid_from_ms != claims.credential_version {
            return Err(AccountError::InvalidResetToken);
        }
        if !self.is_latest_reset(&identity.id, &claims.jti).await? {
            return Err(AccountError::InvalidResetToken);
        }
        Ok(ResetGrant {
            claims,
            auth_identity_id: identity.id,
        })
    }

    /// Uses a verified reset token once: consumes its `jti` (of two uses, even concurrent ones, exactly
    /// one gets here), updates the provider with `data` (the entity comes from the token, never from
    /// `data`) and voids every earlier token of the identity. An update the provider refuses gives the
    /// token back.
    pub async fn use_password_reset_token(
        &self,
        grant: ResetGrant,
        mut data: Metadata,
    ) -> Result<(), AccountError> {
        let ResetGrant {
            claims,
            auth_identity_id,
        } = grant;
        data.remove("email");
        data.insert("entity_id".into(), Value::String(claims.entity_id.clone()));
        let jti = keys::reset_jti(&claims.jti);
        let ttl = claims.exp.saturating_sub(self.now_secs()).max(1);
        let guard = self.ports.guard.as_ref();
        if !guard.consume_once(&jti, ttl).await? {
            return Err(AccountError::InvalidResetToken);
        }
        let result = self
            .identities
            .update_provider(&claims.provider, &data)
            .await;
        // (A provider's success always carries the updated identity, and a failure none: `success` says
        // it all.)
        if !result.success {
            // Nothing changed: the token stays usable (e.g. with a password the policy accepts).
            let _ = guard.unconsume(&jti).await;
            let message = result
                .error
                .unwrap_or_else(|| contract::UNAUTHORIZED.into());
            return Err(AccountError::Refused(message));
        }
        self.revoke_tokens(&auth_identity_id).await.map(drop)
    }

    /// Records `jti` as the identity's latest reset token in the guard, which voids the earlier ones
    /// (Medusa 2.16+ deletes them). Of two concurrent requests, the later move wins.
    pub(super) async fn make_latest_reset(
        &self,
        auth_identity_id: &str,
        jti: &str,
    ) -> Result<(), AccountError> {
        let key = keys::reset_latest(auth_identity_id);
        let guard = self.ports.guard.as_ref();
        if let Claim::Taken { owner, .. } = guard.claim(&key, jti).await? {
            // A concurrent request may move it first; then its token is the latest, as it should be.
            guard.transfer(&key, &owner, jti).await?;
        }
        Ok(())
    }

    /// Whether `jti` is the identity's latest reset token. A token minted before the guard kept a latest
    /// one finds the key free and becomes it.
    pub(super) async fn is_latest_reset(
        &self,
        auth_identity_id: &str,
        jti: &str,
    ) -> Result<bool, AccountError> {
        let key = keys::reset_latest(auth_identity_id);
        Ok(match self.ports.guard.claim(&key, jti).await? {
            Claim::Claimed => true,
            Claim::Taken { owner, .. } => bool::from(owner.as_bytes().ct_eq(jti.as_bytes())),
        })
    }

    /// [`verify_password_reset_token`](Self::verify_password_reset_token), then
    /// [`use_password_reset_token`](Self::use_password_reset_token) with `data` (e.g. `{password}`).
    pub async fn consume_password_reset_token(
        &self,
        raw: &str,
        actor_type: &ActorType,
        provider: &ProviderId,
        data: Metadata,
        client: Option<&str>,
    ) -> Result<(), AccountError> {
        let grant = self
            .verify_password_reset_token(Some(raw), actor_type, provider, client)
            .await?;
        self.use_password_reset_token(grant, data).await
    }
}
