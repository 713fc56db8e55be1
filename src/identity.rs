//! AuthIdentity / ProviderIdentity records over a [`KvStore`], using the layout in [`crate::store::keys`].
//!
//! Writes go record first, indexes second: a crash in between leaves an index-less record (invisible to
//! lookups by entity) rather than an index pointing nowhere. Readers still treat a dangling index as absent.
//!
//! Every write that adds, replaces or removes a password hash also updates the tally of stored hash costs
//! ([`crate::hash_costs`]), best effort.
//!
//! Workers KV has no transactions, so the uniqueness check on create is check-then-write: two concurrent
//! creates of the same (provider, entity_id) in different locations can both pass. With a guard
//! ([`Identities::with_guard`]) each new provider identity is also claimed there before anything is
//! written, and exactly one of any number of racing creates wins. See the README.

use crate::contract;
use crate::guard::{Claim, Guard};
use crate::hash_costs;
use crate::ids;
use crate::model::{
    AuthIdentity, AuthIdentityFilter, CreateAuthIdentity, CreateProviderIdentity, ProviderIdentity,
};
use crate::ports::random::RandomError;
use crate::store::{KvStore, StoreError, keys};
use std::fmt;

/// How many keys one list call asks for.
const LIST_PAGE: u32 = 1000;

/// Why an identity operation failed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum IdentityError {
    /// The record does not exist; the message is Medusa's for the operation.
    NotFound(String),
    /// A provider identity with this (provider, entity_id) exists already.
    Conflict {
        /// The provider of the existing identity.
        provider: String,
        /// The entity id taken.
        entity_id: String,
    },
    /// The caller's data is unusable (the message says why).
    Invalid(String),
    /// Storage failed.
    Store(StoreError),
}

impl fmt::Display for IdentityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotFound(m) | Self::Invalid(m) => f.write_str(m),
            Self::Conflict {
                provider,
                entity_id,
            } => write!(
                f,
                "Provider identity with entity_id {entity_id} and provider {provider} already exists"
            ),
            Self::Store(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for IdentityError {}

impl From<StoreError> for IdentityError {
    fn from(e: StoreError) -> Self {
        Self::Store(e)
    }
}

impl From<RandomError> for IdentityError {
    fn from(e: RandomError) -> Self {
        Self::Store(StoreError(e.to_string()))
    }
}

/// The identity records in storage: reads, writes and the indexes that find them.
pub struct Identities<'a> {
    store: &'a dyn KvStore,
    guard: Option<&'a dyn Guard>,
}

impl<'a> Identities<'a> {
    /// Records over `store` alone: uniqueness is check-then-write.
    pub fn new(store: &'a dyn KvStore) -> Self {
        Self { store, guard: None }
    }

    /// Records over `store`, with (provider, entity_id) uniqueness claimed in `guard`.
    pub fn with_guard(store: &'a dyn KvStore, guard: &'a dyn Guard) -> Self {
        Self {
            store,
            guard: Some(guard),
        }
    }

    /// The identity with this id, whole (password hash included), or `None`.
    pub async fn get(&self, id: &str) -> Result<Option<AuthIdentity>, IdentityError> {
        let Some(json) = self.store.get(&keys::auth_identity(id)).await? else {
            return Ok(None);
        };
        AuthIdentity::from_stored(&json)
            .map(Some)
            .ok_or_else(|| StoreError(format!("corrupt record {id}")).into())
    }

    /// The identity owning the provider identity (provider, entity_id), if any.
    pub async fn find_by_entity(
        &self,
        provider: &str,
        entity_id: &str,
    ) -> Result<Option<AuthIdentity>, IdentityError> {
        let index = keys::provider_entity(provider, entity_id);
        let Some(owner) = self.store.get(&index).await? else {
            return Ok(None);
        };
        let identity = self.get(&owner).await?;
        Ok(identity.filter(|i| {
            i.provider_identities
                .iter()
                .any(|pi| pi.provider == provider && pi.entity_id == entity_id)
        }))
    }

    /// The identity owning the provider identity with this id, if any.
    pub async fn find_by_provider_identity_id(
        &self,
        provider_identity_id: &str,
    ) -> Result<Option<AuthIdentity>, IdentityError> {
        let index = keys::provider_identity(provider_identity_id);
        let Some(owner) = self.store.get(&index).await? else {
            return Ok(None);
        };
        let identity = self.get(&owner).await?;
        Ok(identity.filter(|i| {
            i.provider_identities
                .iter()
                .any(|pi| pi.id == provider_identity_id)
        }))
    }

    /// Stores a new identity and its provider identities, claiming each (provider, entity_id).
    pub async fn create(
        &self,
        data: CreateAuthIdentity,
        now_ms: u64,
    ) -> Result<AuthIdentity, IdentityError> {
        let identity = self.create_untallied(data, now_ms).await?;
        let added: Vec<&ProviderIdentity> = identity.provider_identities.iter().collect();
        hash_costs::record_change(self.store, &[], &added).await;
        Ok(identity)
    }

    /// [`Identities::create`] without counting its hashes in the tally: for a batch, which counts them
    /// all in one write (Workers KV takes one write a second per key).
    pub async fn create_untallied(
        &self,
        data: CreateAuthIdentity,
        now_ms: u64,
    ) -> Result<AuthIdentity, IdentityError> {
        let id = match data.id {
            Some(id) => checked_id(id)?,
            None => ids::generate_id(ids::AUTH_IDENTITY_PREFIX, now_ms)?,
        };
        if self.get(&id).await?.is_some() {
            return Err(IdentityError::Invalid(format!(
                "AuthIdentity with id: {id} already exists"
            )));
        }
        let mut identity = AuthIdentity {
            id,
            app_metadata: data.app_metadata,
            provider_identities: Vec::new(),
        };
        let mut saved = false;
        let written: Result<(), IdentityError> = async {
            for pi in data.provider_identities {
                let pi = self.new_provider_identity(&identity, pi, now_ms).await?;
                identity.provider_identities.push(pi);
            }
            self.save(&identity).await?;
            saved = true;
            for pi in &identity.provider_identities {
                self.index(pi).await?;
            }
            Ok(())
        }
        .await;
        if let Err(e) = written {
            // All or nothing: a record whose indexes failed is taken back with them (best effort; the
            // indexes were checked free above, so removing them removes only ours).
            if saved {
                let _ = self.store.delete(&keys::auth_identity(&identity.id)).await;
            }
            for pi in &identity.provider_identities {
                if saved {
                    let _ = self.unindex(pi).await;
                } else {
                    self.release(pi).await;
                }
            }
            return Err(e);
        }
        Ok(identity)
    }

    /// Adds a provider identity to an existing AuthIdentity.
    pub async fn add_provider_identity(
        &self,
        data: CreateProviderIdentity,
        now_ms: u64,
    ) -> Result<ProviderIdentity, IdentityError> {
        let Some(owner_id) = data.auth_identity_id.clone() else {
            return Err(IdentityError::Invalid(
                "auth_identity_id is required to create a provider identity".into(),
            ));
        };
        let mut identity = self.get(&owner_id).await?.ok_or_else(|| {
            IdentityError::NotFound(contract::auth_identity_update_not_found(&owner_id))
        })?;
        let pi = self.new_provider_identity(&identity, data, now_ms).await?;
        identity.provider_identities.push(pi.clone());
        let written = match self.save(&identity).await {
            Ok(()) => self.index(&pi).await,
            Err(e) => Err(e),
        };
        if let Err(e) = written {
            self.release(&pi).await;
            return Err(e);
        }
        hash_costs::record_change(self.store, &[], &[&pi]).await;
        Ok(pi)
    }

    /// Validates a new provider identity against the uniqueness rule and gives it an id.
    async fn new_provider_identity(
        &self,
        owner: &AuthIdentity,
        data: CreateProviderIdentity,
        now_ms: u64,
    ) -> Result<ProviderIdentity, IdentityError> {
        check_provider_entity(&data.provider, &data.entity_id)?;
        let taken_here = owner
            .provider_identities
            .iter()
            .any(|pi| pi.provider == data.provider && pi.entity_id == data.entity_id);
        if taken_here
            || self
                .find_by_entity(&data.provider, &data.entity_id)
                .await?
                .is_some()
        {
            return Err(IdentityError::Conflict {
                provider: data.provider,
                entity_id: data.entity_id,
            });
        }
        let id = match data.id {
            Some(id) => checked_id(id)?,
            None => ids::generate_id(ids::PROVIDER_IDENTITY_PREFIX, now_ms)?,
        };
        self.reserve(&data.provider, &data.entity_id, &owner.id, now_ms)
            .await?;
        Ok(ProviderIdentity {
            id,
            entity_id: data.entity_id,
            provider: data.provider,
            auth_identity_id: owner.id.clone(),
            user_metadata: data.user_metadata,
            provider_metadata: data.provider_metadata,
        })
    }

    /// Claims (provider, entity_id) for `owner_id` in the guard, if there is one. A claim left by a
    /// registration that died before writing (old, and its owner not in KV) is taken over.
    async fn reserve(
        &self,
        provider: &str,
        entity_id: &str,
        owner_id: &str,
        now_ms: u64,
    ) -> Result<(), IdentityError> {
        let Some(guard) = self.guard else {
            return Ok(());
        };
        let key = keys::entity_claim(provider, entity_id);
        let (owner, at_ms) = match guard.claim(&key, owner_id).await? {
            Claim::Claimed => return Ok(()),
            Claim::Taken { owner, .. } if owner == owner_id => return Ok(()),
            Claim::Taken { owner, at_ms } => (owner, at_ms),
        };
        let stale = now_ms.saturating_sub(at_ms) >= keys::STALE_CLAIM_SECS * 1000;
        let owner_has_it = self
            .get(&owner)
            .await?
            .is_some_and(|i| i.provider_identity(provider, entity_id).is_some());
        if stale && !owner_has_it && guard.transfer(&key, &owner, owner_id).await? {
            return Ok(());
        }
        Err(IdentityError::Conflict {
            provider: provider.to_owned(),
            entity_id: entity_id.to_owned(),
        })
    }

    /// Gives up the guard's claim on `pi` (best effort: a leftover claim is taken over when stale).
    async fn release(&self, pi: &ProviderIdentity) {
        if let Some(guard) = self.guard {
            let key = keys::entity_claim(&pi.provider, &pi.entity_id);
            let _ = guard.release(&key, &pi.auth_identity_id).await;
        }
    }

    async fn index(&self, pi: &ProviderIdentity) -> Result<(), IdentityError> {
        let owner = &pi.auth_identity_id;
        self.store
            .put(
                &keys::provider_entity(&pi.provider, &pi.entity_id),
                owner,
                None,
            )
            .await?;
        self.store
            .put(&keys::provider_identity(&pi.id), owner, None)
            .await?;
        Ok(())
    }

    async fn unindex(&self, pi: &ProviderIdentity) -> Result<(), IdentityError> {
        self.store
            .delete(&keys::provider_entity(&pi.provider, &pi.entity_id))
            .await?;
        self.store.delete(&keys::provider_identity(&pi.id)).await?;
        self.release(pi).await;
        Ok(())
    }

    /// Writes the record as it is. Indexes are the caller's business.
    pub async fn save(&self, identity: &AuthIdentity) -> Result<(), IdentityError> {
        let json = serde_json::to_string(identity)
            .map_err(|e| StoreError(format!("cannot serialise {}: {e}", identity.id)))?;
        self.store
            .put(&keys::auth_identity(&identity.id), &json, None)
            .await?;
        Ok(())
    }

    /// Replaces one provider identity of its owner (matched by id), moving its index if `entity_id` changed.
    pub async fn replace_provider_identity(
        &self,
        updated: ProviderIdentity,
    ) -> Result<AuthIdentity, IdentityError> {
        let not_found =
            || IdentityError::NotFound(contract::provider_identity_update_not_found(&updated.id));
        let mut owner = self
            .get(&updated.auth_identity_id)
            .await?
            .ok_or_else(not_found)?;
        let slot = owner
            .provider_identities
            .iter_mut()
            .find(|pi| pi.id == updated.id)
            .ok_or_else(not_found)?;
        let old = std::mem::replace(slot, updated.clone());
        let moved = old.entity_id != updated.entity_id;
        if moved {
            check_provider_entity(&updated.provider, &updated.entity_id)?;
            if self
                .find_by_entity(&updated.provider, &updated.entity_id)
                .await?
                .is_some()
            {
                return Err(IdentityError::Conflict {
                    provider: updated.provider,
                    entity_id: updated.entity_id,
                });
            }
            // `now_ms` 0: a rename never takes over someone else's claim, stale or not.
            self.reserve(
                &updated.provider,
                &updated.entity_id,
                &updated.auth_identity_id,
                0,
            )
            .await?;
        }
        if let Err(e) = self.save(&owner).await {
            if moved {
                self.release(&updated).await;
            }
            return Err(e);
        }
        if moved {
            self.store
                .delete(&keys::provider_entity(&old.provider, &old.entity_id))
                .await?;
            self.release(&old).await;
            self.index(&updated).await?;
        }
        hash_costs::record_change(self.store, &[&old], &[&updated]).await;
        Ok(owner)
    }

    /// Deletes the identity and its indexes. Unknown ids are ignored, as Medusa's delete does.
    pub async fn delete(&self, id: &str) -> Result<(), IdentityError> {
        let Some(identity) = self.get(id).await? else {
            return Ok(());
        };
        for pi in &identity.provider_identities {
            self.unindex(pi).await?;
        }
        self.store.delete(&keys::auth_identity(id)).await?;
        let removed: Vec<&ProviderIdentity> = identity.provider_identities.iter().collect();
        hash_costs::record_change(self.store, &removed, &[]).await;
        Ok(())
    }

    /// Removes one provider identity from its owner. Unknown ids are ignored.
    pub async fn delete_provider_identity(&self, id: &str) -> Result<(), IdentityError> {
        let Some(mut owner) = self.find_by_provider_identity_id(id).await? else {
            return Ok(());
        };
        let Some(pos) = owner.provider_identities.iter().position(|pi| pi.id == id) else {
            return Ok(());
        };
        let pi = owner.provider_identities.remove(pos);
        self.save(&owner).await?;
        self.unindex(&pi).await?;
        hash_costs::record_change(self.store, &[&pi], &[]).await;
        Ok(())
    }

    /// Every identity matching `filter`, in key order (ULIDs sort by creation time).
    pub async fn list(
        &self,
        filter: &AuthIdentityFilter,
    ) -> Result<Vec<AuthIdentity>, IdentityError> {
        let mut out = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let page = self
                .store
                .list(keys::AUTH_IDENTITY_PREFIX, cursor.as_deref(), LIST_PAGE)
                .await?;
            for key in &page.keys {
                let Some(id) = keys::auth_identity_id_from_key(key) else {
                    continue;
                };
                if let Some(identity) = self.get(id).await?
                    && filter.matches(&identity)
                {
                    out.push(identity);
                }
            }
            match page.cursor {
                Some(c) => cursor = Some(c),
                None => return Ok(out),
            }
        }
    }
}

/// Ids become part of storage keys: keep them printable and short.
fn checked_id(id: String) -> Result<String, IdentityError> {
    let ok = !id.is_empty()
        && id.len() <= 128
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if ok {
        Ok(id)
    } else {
        Err(IdentityError::Invalid(format!(
            "Invalid id {id:?}: use 1-128 letters, digits, '_' or '-'"
        )))
    }
}

fn check_provider_entity(provider: &str, entity_id: &str) -> Result<(), IdentityError> {
    if provider.is_empty() || provider.contains(':') {
        return Err(IdentityError::Invalid(format!(
            "Invalid provider {provider:?}: it must be non-empty and contain no ':'"
        )));
    }
    if entity_id.is_empty() {
        return Err(IdentityError::Invalid("entity_id must not be empty".into()));
    }
    if keys::provider_entity(provider, entity_id).len() > keys::MAX_KEY_BYTES {
        return Err(IdentityError::Invalid(format!(
            "entity_id is too long (at most {} bytes)",
            keys::MAX_KEY_BYTES - provider.len() - 4
        )));
    }
    Ok(())
}
