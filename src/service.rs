//! The Auth Module service: provider registry, the four flow methods, and identity CRUD.

use crate::contract;
use crate::guard::{CredentialRecord, Guard, MemoryGuard};
use crate::identity::{Identities, IdentityError};
use crate::model::{
    AuthIdentity, AuthIdentityFilter, AuthProviderInfo, AuthenticationInput,
    AuthenticationResponse, CreateAuthIdentity, CreateProviderIdentity, Metadata,
    PASSWORD_METADATA_KEY, ProviderIdentity, ProviderIdentityFilter, UpdateAuthIdentity,
    UpdateProviderIdentity,
};
use crate::ports::clock::Clock;
use crate::provider::{AuthProvider, ProviderHelper, ProviderResult};
use crate::store::KvStore;
use std::rc::Rc;

/// Medusa's Auth Module service: the provider flows and identity CRUD over a [`KvStore`].
pub struct AuthModuleService {
    store: Rc<dyn KvStore>,
    clock: Rc<dyn Clock>,
    /// Sorted by id; a handful, so a list rather than a map type (whose code the wasm would carry for
    /// this alone).
    providers: Vec<Rc<dyn AuthProvider>>,
    /// Uniqueness claims, single-use consumption and credential records ([`crate::guard`]).
    guard: Rc<dyn Guard>,
}

/// A flow's answer, with the credential record the provider verified a password against (when it did):
/// a token for this sign-in is dated from that record
/// ([`crate::account::AccountService::issue_token_verified`]).
#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedResponse {
    /// Medusa's answer.
    pub response: AuthenticationResponse,
    /// The credential record the password was verified against, for a sign-in that checked one.
    pub verified: Option<CredentialRecord>,
}

/// What [`AuthModuleService::dispatch`] answers for `result` (one function, not one per flow).
fn finish(result: ProviderResult, helper: &ProviderHelper<'_>) -> VerifiedResponse {
    match result {
        Ok(mut response) => {
            response.auth_identity = response.auth_identity.map(|i| i.sanitized());
            let verified = helper.take_verified().filter(|_| response.success);
            VerifiedResponse { response, verified }
        }
        Err(e) => VerifiedResponse {
            response: AuthenticationResponse::failed(e.0),
            verified: None,
        },
    }
}

impl AuthModuleService {
    /// A service whose guard is in its own memory: exact for everything this object does. It keeps no
    /// credential records: other service objects (or processes) over the same store could set passwords
    /// it never sees.
    pub fn new(store: Rc<dyn KvStore>, clock: Rc<dyn Clock>) -> Self {
        Self {
            store,
            guard: Rc::new(MemoryGuard::with_clock(clock.clone()).without_credentials()),
            clock,
            providers: Vec::new(),
        }
    }

    /// Uses `guard` for uniqueness, single use and credential records (the Worker's Durable Object). It
    /// must be shared by everything that writes the store.
    pub fn with_guard(mut self, guard: Rc<dyn Guard>) -> Self {
        self.guard = guard;
        self
    }

    /// Registers a provider under its id; a later provider with the same id replaces the earlier one.
    pub fn with_provider(mut self, provider: Rc<dyn AuthProvider>) -> Self {
        match self
            .providers
            .binary_search_by(|p| p.id().cmp(provider.id()))
        {
            Ok(at) => self.providers[at] = provider,
            Err(at) => self.providers.insert(at, provider),
        }
        self
    }

    /// Whether a provider with this id is registered.
    pub fn has_provider(&self, id: &str) -> bool {
        self.provider(id).is_some()
    }

    fn provider(&self, id: &str) -> Option<&Rc<dyn AuthProvider>> {
        self.providers.iter().find(|p| p.id() == id)
    }

    /// The ids of the registered providers, in order.
    pub fn provider_ids(&self) -> impl Iterator<Item = &str> {
        self.providers.iter().map(|p| p.id())
    }

    /// Medusa's `listAuthProviders`: the registered providers with these ids, in that order (unknown
    /// ids left out), or all of them, in id order, for `None`.
    pub fn list_auth_providers(&self, ids: Option<&[String]>) -> Vec<AuthProviderInfo> {
        let info = |p: &Rc<dyn AuthProvider>| AuthProviderInfo {
            id: p.id().to_owned(),
            identifier: p.identifier().to_owned(),
            display_name: p.display_name().to_owned(),
            flow: p.flow(),
        };
        match ids {
            Some(ids) => ids
                .iter()
                .filter_map(|id| self.provider(id))
                .map(info)
                .collect(),
            None => self.providers.iter().map(info).collect(),
        }
    }

    /// The store identities live in (the paged listing reads it directly).
    pub(crate) fn store(&self) -> &dyn KvStore {
        self.store.as_ref()
    }

    /// The identity records, with uniqueness claimed in the guard (the import writes through it too).
    pub(crate) fn identities(&self) -> Identities<'_> {
        Identities::with_guard(self.store.as_ref(), self.guard.as_ref())
    }

    /// Now, by the service's clock.
    pub(crate) fn now_ms(&self) -> u64 {
        self.clock.now_ms()
    }

    /// Looks the provider up, runs `op`, and turns every failure into `{ success: false, error }`.
    /// Every identity that leaves here is sanitised; a credential record goes with a success only.
    async fn dispatch<'s, F>(&'s self, provider_id: &'s str, op: F) -> VerifiedResponse
    where
        F: AsyncFnOnce(&'s dyn AuthProvider, &ProviderHelper<'s>) -> ProviderResult,
    {
        let Some(provider) = self.provider(provider_id) else {
            return VerifiedResponse {
                response: AuthenticationResponse::failed(contract::provider_not_found(provider_id)),
                verified: None,
            };
        };
        let helper = ProviderHelper::new(self.store.as_ref(), self.clock.as_ref(), provider_id)
            .with_guard(self.guard.as_ref());
        let result = op(provider.as_ref(), &helper).await;
        finish(result, &helper)
    }

    /// Medusa's `register`: creates an identity through the provider.
    pub async fn register(
        &self,
        provider: &str,
        input: &AuthenticationInput,
    ) -> AuthenticationResponse {
        self.register_verified(provider, input).await.response
    }

    /// [`register`](Self::register), with the credential record the password was verified against.
    pub async fn register_verified(
        &self,
        provider: &str,
        input: &AuthenticationInput,
    ) -> VerifiedResponse {
        self.dispatch(provider, async |p, h| p.register(input, h).await)
            .await
    }

    /// Medusa's `authenticate`: signs in through the provider, or answers where to redirect.
    pub async fn authenticate(
        &self,
        provider: &str,
        input: &AuthenticationInput,
    ) -> AuthenticationResponse {
        self.authenticate_verified(provider, input).await.response
    }

    /// [`authenticate`](Self::authenticate), with the credential record the password was verified
    /// against.
    pub async fn authenticate_verified(
        &self,
        provider: &str,
        input: &AuthenticationInput,
    ) -> VerifiedResponse {
        self.dispatch(provider, async |p, h| p.authenticate(input, h).await)
            .await
    }

    /// Medusa's `validateCallback`: completes a third-party sign-in.
    pub async fn validate_callback(
        &self,
        provider: &str,
        input: &AuthenticationInput,
    ) -> AuthenticationResponse {
        self.dispatch(provider, async |p, h| p.validate_callback(input, h).await)
            .await
            .response
    }

    /// Medusa's `updateProvider` (the seed page calls it `update`): password reset and the like.
    pub async fn update_provider(&self, provider: &str, data: &Metadata) -> AuthenticationResponse {
        self.dispatch(provider, async |p, h| p.update(data, h).await)
            .await
            .response
    }

    // ---- AuthIdentity CRUD ----

    /// Creates identities with their provider identities; answers them sanitised.
    pub async fn create_auth_identities(
        &self,
        data: Vec<CreateAuthIdentity>,
    ) -> Result<Vec<AuthIdentity>, IdentityError> {
        let mut out = Vec::with_capacity(data.len());
        for d in data {
            let created = self.identities().create(d, self.clock.now_ms()).await?;
            out.push(created.sanitized());
        }
        Ok(out)
    }

    /// The identity with this id, sanitised.
    pub async fn retrieve_auth_identity(&self, id: &str) -> Result<AuthIdentity, IdentityError> {
        if id.is_empty() {
            return Err(IdentityError::Invalid(
                contract::AUTH_IDENTITY_ID_REQUIRED.into(),
            ));
        }
        self.identities()
            .get(id)
            .await?
            .map(|i| i.sanitized())
            .ok_or_else(|| IdentityError::NotFound(contract::auth_identity_retrieve_not_found(id)))
    }

    /// The identities that match `filter`, sanitised.
    pub async fn list_auth_identities(
        &self,
        filter: &AuthIdentityFilter,
    ) -> Result<Vec<AuthIdentity>, IdentityError> {
        let found = self.identities().list(filter).await?;
        Ok(found.iter().map(AuthIdentity::sanitized).collect())
    }

    /// Sets `app_metadata` (whole replace; `None` leaves it as it is). Always answers an array.
    pub async fn update_auth_identities(
        &self,
        data: Vec<UpdateAuthIdentity>,
    ) -> Result<Vec<AuthIdentity>, IdentityError> {
        let mut out = Vec::with_capacity(data.len());
        for d in data {
            out.push(self.update_auth_identity(d).await?);
        }
        Ok(out)
    }

    /// One identity of [`Self::update_auth_identities`]: its app_metadata replaced when given, answered
    /// sanitised; `NotFound` when it does not exist (or no longer does).
    pub async fn update_auth_identity(
        &self,
        d: UpdateAuthIdentity,
    ) -> Result<AuthIdentity, IdentityError> {
        let identities = self.identities();
        let mut identity = identities.get(&d.id).await?.ok_or_else(|| {
            IdentityError::NotFound(contract::auth_identity_update_not_found(&d.id))
        })?;
        if d.app_metadata.is_some() {
            identity.app_metadata = d.app_metadata;
        }
        identities.save(&identity).await?;
        Ok(identity.sanitized())
    }

    /// Deletes the identities and their provider identities.
    pub async fn delete_auth_identities(&self, ids: &[String]) -> Result<(), IdentityError> {
        for id in ids {
            self.identities().delete(id).await?;
        }
        Ok(())
    }

    // ---- ProviderIdentity CRUD ----

    /// Adds provider identities to existing identities; answers them sanitised.
    pub async fn create_provider_identities(
        &self,
        data: Vec<CreateProviderIdentity>,
    ) -> Result<Vec<ProviderIdentity>, IdentityError> {
        let mut out = Vec::with_capacity(data.len());
        for d in data {
            let pi = self
                .identities()
                .add_provider_identity(d, self.clock.now_ms())
                .await?;
            out.push(pi.sanitized());
        }
        Ok(out)
    }

    /// The provider identity with this id, sanitised.
    pub async fn retrieve_provider_identity(
        &self,
        id: &str,
    ) -> Result<ProviderIdentity, IdentityError> {
        let owner = self.identities().find_by_provider_identity_id(id).await?;
        owner
            .and_then(|o| o.provider_identities.into_iter().find(|pi| pi.id == id))
            .map(|pi| pi.sanitized())
            .ok_or_else(|| {
                IdentityError::NotFound(contract::provider_identity_retrieve_not_found(id))
            })
    }

    /// The provider identities that match `filter`, sanitised.
    pub async fn list_provider_identities(
        &self,
        filter: &ProviderIdentityFilter,
    ) -> Result<Vec<ProviderIdentity>, IdentityError> {
        let all = self
            .identities()
            .list(&AuthIdentityFilter::default())
            .await?;
        Ok(all
            .iter()
            .flat_map(|i| &i.provider_identities)
            .filter(|pi| filter.matches(pi))
            .map(ProviderIdentity::sanitized)
            .collect())
    }

    /// Replaces the given columns of each provider identity. Always answers an array.
    pub async fn update_provider_identities(
        &self,
        data: Vec<UpdateProviderIdentity>,
    ) -> Result<Vec<ProviderIdentity>, IdentityError> {
        let identities = self.identities();
        let mut out = Vec::with_capacity(data.len());
        for d in data {
            let not_found =
                || IdentityError::NotFound(contract::provider_identity_update_not_found(&d.id));
            let owner = identities
                .find_by_provider_identity_id(&d.id)
                .await?
                .ok_or_else(not_found)?;
            let mut pi = owner
                .provider_identities
                .into_iter()
                .find(|pi| pi.id == d.id)
                .ok_or_else(not_found)?;
            if let Some(entity_id) = d.entity_id {
                pi.entity_id = entity_id;
            }
            if let Some(mut new_meta) = d.provider_metadata {
                // Results never carry the password hash, so a read-modify-write of provider_metadata
                // must not erase it: the hash stays unless the update sets one itself.
                let old_hash = pi
                    .provider_metadata
                    .as_ref()
                    .and_then(|m| m.get(PASSWORD_METADATA_KEY));
                if let Some(hash) = old_hash {
                    new_meta
                        .entry(PASSWORD_METADATA_KEY)
                        .or_insert_with(|| hash.clone());
                }
                pi.provider_metadata = Some(new_meta);
            }
            if d.user_metadata.is_some() {
                pi.user_metadata = d.user_metadata;
            }
            identities.replace_provider_identity(pi.clone()).await?;
            out.push(pi.sanitized());
        }
        Ok(out)
    }

    /// Deletes the provider identities.
    pub async fn delete_provider_identities(&self, ids: &[String]) -> Result<(), IdentityError> {
        for id in ids {
            self.identities().delete_provider_identity(id).await?;
        }
        Ok(())
    }
}
