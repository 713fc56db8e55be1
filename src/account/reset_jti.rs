//! Medusa 2.16+'s reset-token registry for callers that make their own reset JWTs:
//! `createPasswordResetToken({provider, entity_id, ttl_seconds})` issues an opaque `jti` to embed in the
//! token, `consumePasswordResetToken({jti, provider, entity_id})` checks and spends it once. A new `jti`
//! voids the identity's earlier ones, the same rule as the Worker's own reset tokens
//! ([`super::reset`]). The record is kept in KV under the jti's hash, and spent in the guard. Then
//! `updateProvider({entity_id, password})` sets the password, as the Worker's own `update` route would.

use super::config::LimitedRoute;
use super::reset::entity_id_for;
use super::service::AccountService;
use super::{AccountError, Attempt, body_identifier};
use crate::contract;
use crate::identity::Identities;
use crate::json_fields;
use crate::model::{AuthenticationResponse, Metadata};
use crate::ports::random;
use crate::scope::ProviderId;
use crate::store::keys;
use serde::Serialize;
use serde_json::{Value, json};

/// Random bytes in a `jti`: 128 bits, as a UUID has.
const JTI_BYTES: usize = 16;

/// What `createPasswordResetToken` answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedResetJti {
    /// The opaque id to embed as the reset JWT's `jti`.
    pub jti: String,
    /// When it stops being accepted, unix milliseconds.
    pub expires_at_ms: u64,
}

/// What `consumePasswordResetToken` answers: whose password may now be set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConsumedResetJti {
    /// The identity the jti was issued for.
    pub auth_identity_id: String,
    /// Its provider identity for the provider.
    pub provider_identity_id: String,
    /// The provider's name for the user.
    pub entity_id: String,
}

/// The stored record of an issued jti, a JSON object, written with `json!` and read through
/// [`json_fields`] rather than derived: a deserializer of its own cost the Worker ~3 KB of wasm.
#[derive(Debug)]
struct Record {
    auth_identity_id: String,
    provider_identity_id: String,
    entity_id: String,
    provider: String,
    expires_at_ms: u64,
}

impl Record {
    fn to_text(&self) -> String {
        json!({
            "auth_identity_id": self.auth_identity_id,
            "provider_identity_id": self.provider_identity_id,
            "entity_id": self.entity_id,
            "provider": self.provider,
            "expires_at_ms": self.expires_at_ms,
        })
        .to_string()
    }

    /// `None` for anything but a whole record (which the caller treats as an unknown jti).
    fn parse(text: &str) -> Option<Self> {
        let v: Value = crate::json_fields::parse(text).ok()?;
        Some(Self {
            auth_identity_id: json_fields::text(&v, "auth_identity_id")?,
            provider_identity_id: json_fields::text(&v, "provider_identity_id")?,
            entity_id: json_fields::text(&v, "entity_id")?,
            provider: json_fields::text(&v, "provider")?,
            expires_at_ms: json_fields::whole(&v, "expires_at_ms")?,
        })
    }
}

impl AccountService {
    /// Issues a `jti` for the provider identity `entity_id` of `provider`, valid `ttl_secs` (Medusa's
    /// default is 900), voiding the identity's earlier reset tokens.
    pub async fn create_reset_jti(
        &self,
        provider: &ProviderId,
        entity_id: &str,
        ttl_secs: u64,
    ) -> Result<IssuedResetJti, AccountError> {
        if ttl_secs == 0 {
            return Err(AccountError::InvalidData(
                contract::RESET_TTL_NOT_POSITIVE.into(),
            ));
        }
        if ttl_secs > keys::MAX_RESET_JTI_TTL_SECS {
            return Err(AccountError::InvalidData(format!(
                "Password reset token TTL must be at most {} seconds",
                keys::MAX_RESET_JTI_TTL_SECS
            )));
        }
        let entity_id = entity_id_for(provider, entity_id);
        let not_found = || {
            AccountError::InvalidData(contract::reset_provider_identity_not_found(
                &entity_id,
                provider.as_str(),
            ))
        };
        let identity = Identities::new(self.store())
            .find_by_entity(provider.as_str(), &entity_id)
            .await?
            .ok_or_else(not_found)?;
        let provider_identity = identity
            .provider_identities
            .iter()
            .find(|p| p.provider == provider.as_str() && p.entity_id == entity_id)
            .ok_or_else(not_found)?;
        let jti = random::hex_token(JTI_BYTES)?;
        let expires_at_ms = self.now_ms() + ttl_secs * 1000;
        let record = Record {
            auth_identity_id: identity.id.clone(),
            provider_identity_id: provider_identity.id.clone(),
            entity_id: entity_id.clone(),
            provider: provider.as_str().to_owned(),
            expires_at_ms,
        };
        let text = record.to_text();
        self.store()
            .put(
                &keys::reset_jti_record(&jti),
                &text,
                Some(keys::clamp_ttl(ttl_secs)),
            )
            .await?;
        self.make_latest_reset(&identity.id, &jti).await?;
        Ok(IssuedResetJti { jti, expires_at_ms })
    }

    /// Spends `jti` once, if it was issued for `entity_id` of `provider`, has not expired and is the
    /// identity's latest; else [`AccountError::InvalidResetToken`] (Medusa's `Invalid token`).
    pub async fn consume_reset_jti(
        &self,
        jti: &str,
        provider: &ProviderId,
        entity_id: &str,
    ) -> Result<ConsumedResetJti, AccountError> {
        let key = keys::reset_jti_record(jti);
        let record = self
            .store()
            .get(&key)
            .await?
            .and_then(|text| Record::parse(&text))
            .ok_or(AccountError::InvalidResetToken)?;
        let now_ms = self.now_ms();
        if record.expires_at_ms <= now_ms {
            let _ = self.store().delete(&key).await;
            return Err(AccountError::InvalidResetToken);
        }
        let entity_id = entity_id_for(provider, entity_id);
        if record.provider != provider.as_str() || record.entity_id != entity_id {
            return Err(AccountError::InvalidResetToken);
        }
        if !self.is_latest_reset(&record.auth_identity_id, jti).await? {
            return Err(AccountError::InvalidResetToken);
        }
        let ttl = (record.expires_at_ms - now_ms).div_ceil(1000);
        if !self
            .ports
            .guard
            .consume_once(&keys::reset_jti(jti), ttl)
            .await?
        {
            return Err(AccountError::InvalidResetToken);
        }
        let _ = self.store().delete(&key).await;
        Ok(ConsumedResetJti {
            auth_identity_id: record.auth_identity_id,
            provider_identity_id: record.provider_identity_id,
            entity_id: record.entity_id,
        })
    }

    /// Medusa's `updateProvider` (`{entity_id, password}`) for a backend that checked its own reset token
    /// (its jti spent by [`consume_reset_jti`](Self::consume_reset_jti)): counted as the Worker's own
    /// `update` route is, per entity and per the end user's address when the backend forwards it, and a
    /// new password voids every earlier token of the identity, as the Worker's own reset does. A refusal
    /// is the provider's `success: false`.
    pub async fn update_provider(
        &self,
        provider: &str,
        data: &Metadata,
        client: Option<&str>,
    ) -> Result<AuthenticationResponse, AccountError> {
        let entity = body_identifier(data, "entity_id").or_else(|| body_identifier(data, "email"));
        self.count_attempt(Attempt {
            route: LimitedRoute::Update,
            provider,
            client,
            identifier: entity.as_deref(),
        })
        .await?;
        let response = self.identities.update_provider(provider, data).await;
        if let Some(identity) = response.auth_identity.as_ref().filter(|_| response.success) {
            self.revoke_tokens(&identity.id).await?;
        }
        Ok(response)
    }
}
