//! The provider interface and the helper each provider call receives (Medusa's
//! `AuthIdentityProviderService`), bound to the calling provider's id.

use crate::contract;
use crate::guard::Guard;
use crate::identity::{Identities, IdentityError};
use crate::model::{
    AuthIdentity, AuthenticationInput, AuthenticationResponse, CreateAuthIdentity,
    CreateProviderIdentity, Metadata,
};
use crate::ports::clock::Clock;
use crate::store::{KvStore, StoreError, keys};
use async_trait::async_trait;
use serde_json::Value;

/// A provider failure; the service turns it into `{ success: false, error }` with this message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderError(pub String);

impl std::fmt::Display for ProviderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<IdentityError> for ProviderError {
    fn from(e: IdentityError) -> Self {
        Self(e.to_string())
    }
}

impl From<StoreError> for ProviderError {
    fn from(e: StoreError) -> Self {
        Self(e.to_string())
    }
}

/// What a provider flow answers: Medusa's response, or a failure with its message.
pub type ProviderResult = Result<AuthenticationResponse, ProviderError>;

/// An authentication provider. Operations a provider does not support answer Medusa's
/// "not implemented" messages through the defaults.
#[async_trait(?Send)]
pub trait AuthProvider {
    /// The provider id used in routes and stored in provider identities (e.g. `emailpass`).
    fn id(&self) -> &str;

    /// Medusa's `authenticate`: signs in, or answers where to redirect.
    async fn authenticate(
        &self,
        input: &AuthenticationInput,
        helper: &ProviderHelper<'_>,
    ) -> ProviderResult;

    /// Medusa's `register`: creates an identity; by default not implemented.
    async fn register(
        &self,
        _input: &AuthenticationInput,
        _helper: &ProviderHelper<'_>,
    ) -> ProviderResult {
        Err(ProviderError(contract::register_not_implemented(self.id())))
    }

    /// Medusa's `updateProvider`: changes credentials (a password reset); by default not implemented.
    async fn update(&self, _data: &Metadata, _helper: &ProviderHelper<'_>) -> ProviderResult {
        Err(ProviderError(contract::update_not_implemented(self.id())))
    }

    /// Medusa's `validateCallback`: completes a redirect flow; by default not implemented.
    async fn validate_callback(
        &self,
        _input: &AuthenticationInput,
        _helper: &ProviderHelper<'_>,
    ) -> ProviderResult {
        Err(ProviderError(contract::callback_not_implemented(self.id())))
    }
}

/// What a provider may do with storage: its own provider identities, and short-lived state.
pub struct ProviderHelper<'a> {
    store: &'a dyn KvStore,
    clock: &'a dyn Clock,
    provider: &'a str,
    guard: Option<&'a dyn Guard>,
}

impl<'a> ProviderHelper<'a> {
    /// The helper for `provider`'s flows.
    pub fn new(store: &'a dyn KvStore, clock: &'a dyn Clock, provider: &'a str) -> Self {
        Self {
            store,
            clock,
            provider,
            guard: None,
        }
    }

    /// Claims new identities and consumes states through `guard` ([`crate::guard`]).
    pub fn with_guard(mut self, guard: &'a dyn Guard) -> Self {
        self.guard = Some(guard);
        self
    }

    /// The current time, unix milliseconds.
    pub fn now_ms(&self) -> u64 {
        self.clock.now_ms()
    }

    fn identities(&self) -> Identities<'a> {
        match self.guard {
            Some(guard) => Identities::with_guard(self.store, guard),
            None => Identities::new(self.store),
        }
    }

    /// The identity holding this provider's `entity_id`; `NotFound` with Medusa's message otherwise.
    /// The result still carries secrets (e.g. the password hash): the service sanitises what leaves.
    pub async fn retrieve(&self, entity_id: &str) -> Result<AuthIdentity, IdentityError> {
        let found = self
            .identities()
            .find_by_entity(self.provider, entity_id)
            .await?;
        let Some(identity) = found else {
            // A found entity costs two reads (index, then record); spend the second here too, on a key no
            // id can name, so KV latency does not tell which emails are registered.
            self.store.get(&keys::auth_identity("")).await?;
            return Err(IdentityError::NotFound(
                contract::identity_entity_not_found(entity_id),
            ));
        };
        Ok(identity)
    }

    /// A new AuthIdentity with exactly one provider identity for this provider.
    pub async fn create(
        &self,
        entity_id: &str,
        provider_metadata: Option<Metadata>,
        user_metadata: Option<Metadata>,
    ) -> Result<AuthIdentity, IdentityError> {
        let data = CreateAuthIdentity {
            id: None,
            app_metadata: Some(Metadata::new()),
            provider_identities: vec![CreateProviderIdentity {
                entity_id: entity_id.to_owned(),
                provider: self.provider.to_owned(),
                provider_metadata,
                user_metadata,
                ..Default::default()
            }],
        };
        self.identities().create(data, self.now_ms()).await
    }

    /// Replaces the given metadata columns (whole-column replace, as Medusa does) of this provider's
    /// identity for `entity_id`.
    pub async fn update(
        &self,
        entity_id: &str,
        provider_metadata: Option<Metadata>,
        user_metadata: Option<Metadata>,
    ) -> Result<AuthIdentity, IdentityError> {
        let identity = self.retrieve(entity_id).await?;
        let mut pi = identity
            .provider_identity(self.provider, entity_id)
            .cloned()
            .ok_or_else(|| {
                IdentityError::NotFound(contract::provider_identity_entity_not_found(entity_id))
            })?;
        if provider_metadata.is_some() {
            pi.provider_metadata = provider_metadata;
        }
        if user_metadata.is_some() {
            pi.user_metadata = user_metadata;
        }
        self.identities().replace_provider_identity(pi).await
    }

    /// Keeps `value` under `key` for `ttl_secs` (at least KV's 60 s minimum).
    pub async fn set_state(
        &self,
        key: &str,
        value: &Value,
        ttl_secs: u64,
    ) -> Result<(), StoreError> {
        let json = value.to_string();
        self.store
            .put(&keys::state(key), &json, Some(ttl_secs))
            .await
    }

    /// The OAuth state stored under `key`, if it has not expired.
    pub async fn get_state(&self, key: &str) -> Result<Option<Value>, StoreError> {
        let Some(json) = self.store.get(&keys::state(key)).await? else {
            return Ok(None);
        };
        serde_json::from_str(&json)
            .map(Some)
            .map_err(|e| StoreError(format!("corrupt state: {e}")))
    }

    /// Reads and deletes the state under `key`: the one place a state is consumed, so a replayed
    /// callback finds nothing. Workers KV has no atomic read-and-delete, so two callbacks racing within
    /// KV's propagation window could both read it; with a strict guard (the Worker's Durable Object)
    /// the state is also consumed there, and exactly one of them gets it.
    pub async fn take_state(&self, key: &str) -> Result<Option<Value>, StoreError> {
        let state_key = keys::state(key);
        let Some(json) = self.store.get(&state_key).await? else {
            return Ok(None);
        };
        if let Some(guard) = self.guard.filter(|g| g.is_strict())
            && !guard
                .consume_once(&keys::state_consumed(key), keys::OAUTH_STATE_TTL_SECS)
                .await?
        {
            return Ok(None);
        }
        self.store.delete(&state_key).await?;
        serde_json::from_str(&json)
            .map(Some)
            .map_err(|e| StoreError(format!("corrupt state: {e}")))
    }
}
