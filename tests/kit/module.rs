#![cfg(not(target_arch = "wasm32"))]
// Shared by several test crates; each uses a different subset.
#![allow(dead_code)]

//! Fixtures for the module-level suites: a service over an in-memory store and a frozen clock, the
//! `emailpass` provider at a cheap work factor, and Medusa's `plaintextpass` test provider.

use async_trait::async_trait;
use edge_auth::identity::{Identities, IdentityError};
use edge_auth::model::{
    AuthIdentity, AuthenticationInput, AuthenticationResponse, Metadata, PASSWORD_METADATA_KEY,
};
use edge_auth::password::Hasher;
use edge_auth::ports::clock::ManualClock;
use edge_auth::provider::{AuthProvider, ProviderError, ProviderHelper, ProviderResult};
use edge_auth::providers::emailpass::EmailPass;
use edge_auth::service::AuthModuleService;
use edge_auth::store::{KeyPage, KvStore, MemoryStore, StoreError};
use serde_json::{Value, json};
use std::cell::RefCell;
use std::rc::Rc;

pub use futures::executor::block_on;

/// 2023-11-14T22:13:20Z: any fixed instant will do.
pub const T0_MS: u64 = 1_700_000_000_000;
/// The lowest work factor `Hasher` accepts, so each hash costs microseconds.
pub const FAST_ITERATIONS: u32 = 1_000;
pub const PLAINTEXT: &str = "plaintextpass";

pub fn meta(value: Value) -> Metadata {
    value
        .as_object()
        .cloned()
        .expect("meta() takes a JSON object")
}

/// An `AuthenticationInput` whose body is `body` (a JSON object).
pub fn input(body: Value) -> AuthenticationInput {
    AuthenticationInput {
        body: meta(body),
        ..Default::default()
    }
}

pub fn credentials(email: &str, password: &str) -> AuthenticationInput {
    input(json!({ "email": email, "password": password }))
}

pub fn hasher(iterations: u32, pepper: Option<&str>) -> Rc<Hasher> {
    Rc::new(Hasher::new(iterations, pepper).expect("valid iterations"))
}

/// A service with `emailpass` (using `hasher`) and `plaintextpass`, over `store`.
pub fn service_over(
    store: Rc<dyn KvStore>,
    clock: Rc<ManualClock>,
    hasher: Rc<Hasher>,
) -> AuthModuleService {
    AuthModuleService::new(store, clock)
        .with_provider(Rc::new(EmailPass::new(hasher)))
        .with_provider(Rc::new(PlaintextPass))
}

pub struct Fixture {
    pub service: AuthModuleService,
    pub store: Rc<MemoryStore>,
    pub clock: Rc<ManualClock>,
}

impl Fixture {
    pub fn new() -> Self {
        Self::with_hasher(hasher(FAST_ITERATIONS, None))
    }

    pub fn with_hasher(hasher: Rc<Hasher>) -> Self {
        let clock = Rc::new(ManualClock::new(T0_MS));
        let store = Rc::new(MemoryStore::with_clock(clock.clone()));
        let service = service_over(store.clone(), clock.clone(), hasher);
        Self {
            service,
            store,
            clock,
        }
    }

    /// Another service over the same store and clock, e.g. with other hashing parameters.
    pub fn sibling(&self, hasher: Rc<Hasher>) -> AuthModuleService {
        service_over(self.store.clone(), self.clock.clone(), hasher)
    }

    /// Moves the clock on, so the next generated ULID sorts after every earlier one (ULIDs made in the
    /// same millisecond are in random order).
    pub fn tick(&self) {
        self.clock.advance_secs(1);
    }

    /// The stored record, secrets included (service results are sanitised).
    pub fn raw_identity(&self, id: &str) -> AuthIdentity {
        block_on(Identities::new(self.store.as_ref()).get(id))
            .expect("store works")
            .expect("identity exists")
    }

    /// The identity holding (provider, entity_id) through the uniqueness index, as providers see it.
    pub fn find_by_entity(&self, provider: &str, entity_id: &str) -> Option<AuthIdentity> {
        block_on(Identities::new(self.store.as_ref()).find_by_entity(provider, entity_id))
            .expect("store works")
    }

    /// Every stored key and value joined into one string, for "never stored" scans.
    pub fn dump_text(&self) -> String {
        self.store
            .dump()
            .into_iter()
            .map(|(k, v)| format!("{k}={v}\n"))
            .collect()
    }

    pub fn register(&self, provider: &str, email: &str, password: &str) -> AuthenticationResponse {
        block_on(
            self.service
                .register(provider, &credentials(email, password)),
        )
    }

    pub fn authenticate(
        &self,
        provider: &str,
        email: &str,
        password: &str,
    ) -> AuthenticationResponse {
        block_on(
            self.service
                .authenticate(provider, &credentials(email, password)),
        )
    }
}

impl Default for Fixture {
    fn default() -> Self {
        Self::new()
    }
}

/// The successful response's identity; panics with the error otherwise.
pub fn identity_of(response: &AuthenticationResponse) -> &AuthIdentity {
    assert!(response.success, "expected success, got {response:?}");
    response
        .auth_identity
        .as_ref()
        .expect("a successful response carries the identity")
}

pub fn failed(error: &str) -> AuthenticationResponse {
    AuthenticationResponse::failed(error)
}

/// No provider identity of `identity` carries a password (hash or plaintext) in `provider_metadata`.
pub fn assert_sanitized(identity: &AuthIdentity) {
    for pi in &identity.provider_identities {
        let has_password = pi
            .provider_metadata
            .as_ref()
            .is_some_and(|m| m.contains_key(PASSWORD_METADATA_KEY));
        assert!(!has_password, "password leaked in {pi:?}");
    }
}

/// Medusa's `plaintextpass` test provider (`default-provider.ts`): compares
/// `provider_metadata.password == password` in plain text, creates the identity on NOT_FOUND, and
/// implements nothing but `authenticate`. It returns identities raw, secrets included: the service must
/// sanitise them.
pub struct PlaintextPass;

#[async_trait(?Send)]
impl AuthProvider for PlaintextPass {
    fn id(&self) -> &str {
        PLAINTEXT
    }

    async fn authenticate(
        &self,
        input: &AuthenticationInput,
        helper: &ProviderHelper<'_>,
    ) -> ProviderResult {
        let email = input
            .body
            .get("email")
            .and_then(Value::as_str)
            .unwrap_or("");
        let password = input.body.get("password").cloned().unwrap_or(Value::Null);
        match helper.retrieve(email).await {
            Ok(identity) => {
                let stored = identity
                    .provider_identities
                    .first()
                    .and_then(|pi| pi.provider_metadata.as_ref())
                    .and_then(|m| m.get(PASSWORD_METADATA_KEY));
                if stored == Some(&password) {
                    Ok(AuthenticationResponse::succeeded(identity))
                } else {
                    Err(ProviderError("Invalid email or password".into()))
                }
            }
            Err(IdentityError::NotFound(_)) => {
                let mut provider_metadata = Metadata::new();
                provider_metadata.insert(PASSWORD_METADATA_KEY.into(), password);
                let created = helper.create(email, Some(provider_metadata), None).await?;
                Ok(AuthenticationResponse::succeeded(created))
            }
            Err(e) => Err(e.into()),
        }
    }
}

/// One call a [`RecordingStore`] saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreCall {
    Get(String),
    Put(String),
    Delete(String),
    List(String),
}

/// A [`KvStore`] that forwards to a [`MemoryStore`] and records every call, in order.
pub struct RecordingStore {
    pub inner: Rc<MemoryStore>,
    calls: RefCell<Vec<StoreCall>>,
}

impl RecordingStore {
    pub fn new(inner: Rc<MemoryStore>) -> Self {
        Self {
            inner,
            calls: RefCell::new(Vec::new()),
        }
    }

    /// The calls seen since the last `take_calls`.
    pub fn take_calls(&self) -> Vec<StoreCall> {
        std::mem::take(&mut self.calls.borrow_mut())
    }

    fn record(&self, call: StoreCall) {
        self.calls.borrow_mut().push(call);
    }
}

#[async_trait(?Send)]
impl KvStore for RecordingStore {
    async fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.record(StoreCall::Get(key.to_owned()));
        self.inner.get(key).await
    }

    async fn put(&self, key: &str, value: &str, ttl_secs: Option<u64>) -> Result<(), StoreError> {
        self.record(StoreCall::Put(key.to_owned()));
        self.inner.put(key, value, ttl_secs).await
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.record(StoreCall::Delete(key.to_owned()));
        self.inner.delete(key).await
    }

    async fn list(
        &self,
        prefix: &str,
        cursor: Option<&str>,
        limit: u32,
    ) -> Result<KeyPage, StoreError> {
        self.record(StoreCall::List(prefix.to_owned()));
        self.inner.list(prefix, cursor, limit).await
    }
}
