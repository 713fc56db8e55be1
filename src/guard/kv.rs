//! The Worker's guard when no Durable Object is bound: exact within one isolate (its memory), best effort
//! across isolates and locations (Workers KV). The trade-off is documented in `docs/security.md#running-without-the-durable-object`:
//!
//! - claims: held in isolate memory for [`keys::INFLIGHT_CLAIM_SECS`], long enough to cover a
//!   registration's writes; across isolates only KV's check-then-write remains (a race within KV's
//!   propagation window can create a duplicate);
//! - consumption: isolate memory, then a KV marker, so a replay is refused once the marker has reached the
//!   replaying location (at once in the same location, within ~60 s elsewhere);
//! - rate limits: counted per isolate only (KV's one write per second per key cannot count requests);
//! - credential records: none of its own. An isolate's memory would refuse a password set in another
//!   isolate, so no fingerprint is kept; the boundary is KV's copy (`tva:`), read and answered as the
//!   record. A password change, reset or deletion counts at once where it was made and within ~60 s
//!   elsewhere, where the old password still signs in until the new hash arrives.

use super::credentials::{self, CredentialChange, CredentialRecord};
use super::memory::MemoryGuard;
use super::rate::{Decision, Rule};
use super::{Claim, Guard};
use crate::store::{KvStore, StoreError, keys};
use async_trait::async_trait;
use std::rc::Rc;

/// The guard of a Worker without its Durable Object: isolate memory first, then KV (best effort across isolates).
pub struct KvGuard {
    store: Rc<dyn KvStore>,
    local: Rc<MemoryGuard>,
}

impl KvGuard {
    /// `local` should live as long as the isolate (the Worker keeps one per isolate) and be
    /// [`KvGuard::isolate_memory`].
    pub fn new(store: Rc<dyn KvStore>, local: Rc<MemoryGuard>) -> Self {
        Self { store, local }
    }

    /// The isolate-wide memory a fallback guard needs: claims forgotten once their writes are done, no
    /// credential records.
    pub fn isolate_memory() -> MemoryGuard {
        MemoryGuard::new()
            .with_claim_ttl(keys::INFLIGHT_CLAIM_SECS)
            .without_credentials()
    }
}

#[async_trait(?Send)]
impl Guard for KvGuard {
    async fn claim(&self, key: &str, owner: &str) -> Result<Claim, StoreError> {
        self.local.claim(key, owner).await
    }

    async fn transfer(&self, key: &str, from: &str, to: &str) -> Result<bool, StoreError> {
        self.local.transfer(key, from, to).await
    }

    async fn release(&self, key: &str, owner: &str) -> Result<(), StoreError> {
        self.local.release(key, owner).await
    }

    async fn consume_once(&self, key: &str, ttl_secs: u64) -> Result<bool, StoreError> {
        if !self.local.consume_once(key, ttl_secs).await? {
            return Ok(false);
        }
        let marker = keys::consumed(key);
        if self.store.get(&marker).await?.is_some() {
            return Ok(false);
        }
        self.store.put(&marker, "1", Some(ttl_secs)).await?;
        Ok(true)
    }

    async fn unconsume(&self, key: &str) -> Result<(), StoreError> {
        self.local.unconsume(key).await?;
        self.store.delete(&keys::consumed(key)).await
    }

    async fn hit(&self, bucket: &str, rule: &Rule) -> Result<Decision, StoreError> {
        self.local.hit(bucket, rule).await
    }

    async fn reset(&self, bucket: &str) -> Result<(), StoreError> {
        self.local.reset(bucket).await
    }

    /// No fingerprint; KV's copy of the boundary.
    async fn credentials(&self, key: &str) -> Result<CredentialRecord, StoreError> {
        let now = self.local.credentials(key).await?.as_of_ms;
        let valid_from_ms = match keys::credentials_owner(key) {
            Some(id) => credentials::kv_valid_from_ms(self.store.as_ref(), id).await?,
            None => None,
        };
        Ok(CredentialRecord {
            fingerprint: None,
            valid_from_ms: valid_from_ms.unwrap_or(0),
            as_of_ms: now,
        })
    }

    /// Stored nowhere: a revocation's caller writes KV's copy ([`credentials::copy_to_kv`]), which
    /// moves past KV's previous boundary itself.
    async fn set_credentials(
        &self,
        key: &str,
        change: &CredentialChange,
    ) -> Result<Option<CredentialRecord>, StoreError> {
        self.local.set_credentials(key, change).await
    }

    fn is_strict(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::MemoryStore;
    use futures::executor::block_on;

    #[test]
    fn a_consumption_recorded_in_kv_is_seen_by_another_isolate() {
        let kv: Rc<dyn KvStore> = Rc::new(MemoryStore::new());
        let here = KvGuard::new(kv.clone(), Rc::new(KvGuard::isolate_memory()));
        let elsewhere = KvGuard::new(kv.clone(), Rc::new(KvGuard::isolate_memory()));
        assert!(block_on(here.consume_once("reset:j1", 900)).unwrap());
        assert!(!block_on(elsewhere.consume_once("reset:j1", 900)).unwrap());
        // Given back (a failed update), it can be consumed again.
        block_on(here.unconsume("reset:j1")).unwrap();
        assert!(block_on(here.consume_once("reset:j1", 900)).unwrap());
        assert!(!here.is_strict());
    }

    #[test]
    fn no_fingerprint_is_kept_and_the_boundary_is_kvs_copy() {
        let kv: Rc<dyn KvStore> = Rc::new(MemoryStore::new());
        let here = KvGuard::new(kv.clone(), Rc::new(KvGuard::isolate_memory()));
        let set = CredentialChange {
            fingerprint: Some("f".into()),
            ..CredentialChange::default()
        };
        block_on(here.set_credentials("cred:a", &set)).unwrap();
        let read = block_on(here.credentials("cred:a")).unwrap();
        assert_eq!((read.fingerprint, read.valid_from_ms), (None, 0));
        block_on(kv.put("tva:a", "1800000000500", None)).unwrap();
        assert_eq!(
            block_on(here.credentials("cred:a")).unwrap().valid_from_ms,
            1_800_000_000_500
        );
    }
}
