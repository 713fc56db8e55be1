//! The provider interface and the helper each provider call receives (Medusa's
//! `AuthIdentityProviderService`), bound to the calling provider's id.

use crate::contract;
use crate::guard::{CredentialChange, CredentialRecord, Guard};
use crate::identity::{Identities, IdentityError};
use crate::model::{
    AuthIdentity, AuthenticationInput, AuthenticationResponse, CreateAuthIdentity,
    CreateProviderIdentity, Metadata, ProviderFlow,
};
use crate::ports::clock::Clock;
use crate::store::{KvStore, StoreError, keys};
use async_trait::async_trait;
use serde_json::Value;
use std::cell::RefCell;

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

    /// Medusa's static `identifier`: the kind of provider, shared by its instances; by default the id.
    fn identifier(&self) -> &str {
        self.id()
    }

    /// Medusa's `DISPLAY_NAME`; by default the id, as Medusa lists a provider without one.
    fn display_name(&self) -> &str {
        self.id()
    }

    /// `redirect` for a provider with a callback step (Medusa derives it from `validateCallback`).
    fn flow(&self) -> ProviderFlow {
        ProviderFlow::Credentials
    }

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

/// What a provider may do with storage: its own provider identities, their credential records in the
/// guard, and short-lived state.
pub struct ProviderHelper<'a> {
    store: &'a dyn KvStore,
    clock: &'a dyn Clock,
    provider: &'a str,
    guard: Option<&'a dyn Guard>,
    /// The credential record a password was verified against in this call
    /// ([`ProviderHelper::verified_against`]).
    verified: RefCell<Option<CredentialRecord>>,
}

impl<'a> ProviderHelper<'a> {
    /// The helper for `provider`'s flows.
    pub fn new(store: &'a dyn KvStore, clock: &'a dyn Clock, provider: &'a str) -> Self {
        Self {
            store,
            clock,
            provider,
            guard: None,
            verified: RefCell::new(None),
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

    /// The tally of stored password-hash costs ([`crate::hash_costs`]); empty if there is none or it
    /// cannot be read.
    pub async fn hash_costs(&self) -> crate::hash_costs::CostTally {
        crate::hash_costs::load(self.store).await
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
    /// identity for `entity_id`. A change of password hash is recorded in the guard first
    /// ([`ProviderHelper::update_credentials`]).
    pub async fn update(
        &self,
        entity_id: &str,
        provider_metadata: Option<Metadata>,
        user_metadata: Option<Metadata>,
    ) -> Result<AuthIdentity, IdentityError> {
        let identity = self.retrieve(entity_id).await?;
        let changes = (provider_metadata, user_metadata);
        self.replace(&identity, entity_id, changes, None)
            .await?
            .ok_or_else(|| {
                IdentityError::Store(StoreError("a credential change was refused".into()))
            })
    }

    fn updated_provider_identity(
        &self,
        identity: &AuthIdentity,
        entity_id: &str,
        provider_metadata: Option<Metadata>,
        user_metadata: Option<Metadata>,
    ) -> Result<crate::model::ProviderIdentity, IdentityError> {
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
        Ok(pi)
    }

    /// The guard's credential record of the identity `auth_identity_id`, as of now; an empty one without
    /// a guard. Every sign-in reads one (a key no identity has, for an unknown email), so the read tells
    /// nothing about the email.
    pub async fn credentials(
        &self,
        auth_identity_id: &str,
    ) -> Result<CredentialRecord, StoreError> {
        match self.guard {
            Some(guard) => {
                guard
                    .credentials(&keys::credentials(auth_identity_id))
                    .await
            }
            None => Ok(CredentialRecord {
                as_of_ms: self.now_ms(),
                ..CredentialRecord::default()
            }),
        }
    }

    /// Says that this call verified a password against `record`: a token issued for it is dated from
    /// the record ([`crate::account::AccountService::issue_token_verified`]).
    pub fn verified_against(&self, record: CredentialRecord) {
        *self.verified.borrow_mut() = Some(record);
    }

    /// The record [`ProviderHelper::verified_against`] was given in this call, if any.
    pub fn take_verified(&self) -> Option<CredentialRecord> {
        self.verified.borrow_mut().take()
    }

    /// Records a new identity's password fingerprint in the guard and returns the record. Best effort: an
    /// identity without a record is checked against its stored hash alone, as before records existed,
    /// and the next password change records one.
    pub async fn record_credentials(&self, identity: &AuthIdentity) -> Option<CredentialRecord> {
        let change = CredentialChange {
            fingerprint: Some(identity.credential_fingerprint()),
            ..CredentialChange::default()
        };
        let key = keys::credentials(&identity.id);
        self.guard?
            .set_credentials(&key, &change)
            .await
            .ok()
            .flatten()
    }

    /// Sets this provider's `provider_metadata` for `entity_id` of `identity` (as just retrieved),
    /// changing its password hash. With `expected` (a re-hash of the hash whose fingerprint that is),
    /// nothing is written unless the guard's record still has that fingerprint (or none): `Ok(None)`.
    pub async fn update_credentials(
        &self,
        identity: &AuthIdentity,
        entity_id: &str,
        provider_metadata: Metadata,
        expected: Option<&str>,
    ) -> Result<Option<AuthIdentity>, IdentityError> {
        let changes = (Some(provider_metadata), None);
        self.replace(identity, entity_id, changes, expected).await
    }

    /// Writes `changes` (provider, user metadata) over the provider identity `entity_id` of `identity`.
    /// When that changes the identity's password hashes, the guard records the new fingerprint first
    /// (compare-and-set from `expected`, if given; `Ok(None)` when it fails), then KV gets the record:
    /// from the moment the guard has it no location accepts the old hash, whatever its KV still says.
    /// A KV write that fails puts the guard's fingerprint back.
    async fn replace(
        &self,
        identity: &AuthIdentity,
        entity_id: &str,
        (provider_metadata, user_metadata): (Option<Metadata>, Option<Metadata>),
        expected: Option<&str>,
    ) -> Result<Option<AuthIdentity>, IdentityError> {
        let pi =
            self.updated_provider_identity(identity, entity_id, provider_metadata, user_metadata)?;
        let before = identity.credential_fingerprint();
        let mut after = identity.clone();
        if let Some(slot) = after.provider_identities.iter_mut().find(|p| p.id == pi.id) {
            *slot = pi.clone();
        }
        let after = after.credential_fingerprint();
        let guard = self.guard.filter(|_| after != before);
        let key = keys::credentials(&identity.id);
        if let Some(guard) = guard {
            let change = CredentialChange {
                fingerprint: Some(after.clone()),
                expected: expected.map(str::to_owned),
                revoke: None,
            };
            if guard.set_credentials(&key, &change).await?.is_none() {
                return Ok(None);
            }
        }
        let written = self.identities().replace_provider_identity(pi).await;
        if let (Err(_), Some(guard)) = (&written, guard) {
            let undo = CredentialChange {
                fingerprint: Some(before),
                expected: Some(after),
                revoke: None,
            };
            let _ = guard.set_credentials(&key, &undo).await;
        }
        written.map(Some)
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
        crate::json_fields::parse(&json)
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
        crate::json_fields::parse(&json)
            .map(Some)
            .map_err(|e| StoreError(format!("corrupt state: {e}")))
    }
}
