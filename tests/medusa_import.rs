//! The import as a domain operation (`AuthModuleService::import_auth_identity`): an identity and its
//! provider identities appear together or not at all, even when storage fails half-way.
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used)]

mod kit;

use async_trait::async_trait;
use edge_auth::import::{ImportError, ImportStatus};
use edge_auth::ports::clock::ManualClock;
use edge_auth::store::{KeyPage, KvStore, MemoryStore, StoreError};
use kit::*;
use serde_json::json;
use std::rc::Rc;

/// Forwards to a memory store, but refuses to write the provider-identity-id index (`pid:`): the last
/// write of an identity's creation.
struct FailingIndex(Rc<MemoryStore>);

#[async_trait(?Send)]
impl KvStore for FailingIndex {
    async fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.0.get(key).await
    }
    async fn put(&self, key: &str, value: &str, ttl: Option<u64>) -> Result<(), StoreError> {
        if key.starts_with("pid:") {
            return Err(StoreError("KV is down".into()));
        }
        self.0.put(key, value, ttl).await
    }
    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.0.delete(key).await
    }
    async fn list(
        &self,
        prefix: &str,
        cursor: Option<&str>,
        limit: u32,
    ) -> Result<KeyPage, StoreError> {
        self.0.list(prefix, cursor, limit).await
    }
}

fn item() -> serde_json::Value {
    json!({
        "id": "authid_01JHALF",
        "app_metadata": { "user_id": "user_1" },
        "provider_identities": [
            { "id": "provid_01JHALF1", "provider": "emailpass", "entity_id": "a@example.com" },
            { "id": "provid_01JHALF2", "provider": PLAINTEXT, "entity_id": "a" }
        ]
    })
}

#[test]
fn a_creation_that_fails_half_way_leaves_nothing_behind() {
    let clock = Rc::new(ManualClock::new(T0_MS));
    let inner = Rc::new(MemoryStore::with_clock(clock.clone()));
    let service = service_over(
        Rc::new(FailingIndex(inner.clone())),
        clock,
        hasher(FAST_ITERATIONS, None),
    );
    let result = block_on(service.import_auth_identity(&item()));
    assert_eq!(result.id.as_deref(), Some("authid_01JHALF"));
    assert!(
        matches!(
            &result.status,
            ImportStatus::Failed(ImportError::Identity(_))
        ),
        "{:?}",
        result.status
    );
    let left: Vec<String> = inner
        .dump()
        .into_iter()
        .map(|(k, _)| k)
        .filter(|k| !k.starts_with("meta:"))
        .collect();
    assert!(left.is_empty(), "{left:?}");

    // Once storage works, the same item imports whole.
    let fx = Fixture::new();
    let result = block_on(fx.service.import_auth_identity(&item()));
    assert_eq!(result.status, ImportStatus::Created);
    let stored = fx.raw_identity("authid_01JHALF");
    assert_eq!(stored.provider_identities.len(), 2);
    assert_eq!(
        stored.app_metadata,
        Some(meta(json!({ "user_id": "user_1" })))
    );
    assert_eq!(
        block_on(fx.service.import_auth_identity(&item())).status,
        ImportStatus::Unchanged
    );
}
