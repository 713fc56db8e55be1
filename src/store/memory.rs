//! An in-memory [`KvStore`] with Workers KV's semantics (TTL clamp, sorted listing, cursors), for tests,
//! demos and the npm package.

use super::{KeyPage, KvStore, StoreError, keys};
use crate::ports::clock::{Clock, SystemClock};
use async_trait::async_trait;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

struct Entry {
    value: String,
    expires_at_ms: Option<u64>,
}

/// A [`KvStore`] in memory, with expiry: the tests' store and the npm package's default.
pub struct MemoryStore {
    entries: RefCell<BTreeMap<String, Entry>>,
    clock: Rc<dyn Clock>,
}

impl Default for MemoryStore {
    fn default() -> Self {
        Self::with_clock(Rc::new(SystemClock))
    }
}

impl MemoryStore {
    /// A store on the system clock.
    pub fn new() -> Self {
        Self::default()
    }

    /// A store on `clock` (tests move it, expiring entries).
    pub fn with_clock(clock: Rc<dyn Clock>) -> Self {
        Self {
            entries: RefCell::new(BTreeMap::new()),
            clock,
        }
    }

    fn is_live(&self, entry: &Entry) -> bool {
        entry
            .expires_at_ms
            .is_none_or(|at| at > self.clock.now_ms())
    }

    /// Every live key and value, in key order (for tests that inspect what was stored).
    pub fn dump(&self) -> Vec<(String, String)> {
        self.entries
            .borrow()
            .iter()
            .filter(|(_, e)| self.is_live(e))
            .map(|(k, e)| (k.clone(), e.value.clone()))
            .collect()
    }
}

/// Workers KV refuses keys over 512 bytes on every operation; so does this store.
fn check_key(key: &str) -> Result<(), StoreError> {
    if key.len() > keys::MAX_KEY_BYTES {
        return Err(StoreError(format!(
            "key is longer than {} bytes",
            keys::MAX_KEY_BYTES
        )));
    }
    Ok(())
}

#[async_trait(?Send)]
impl KvStore for MemoryStore {
    async fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        check_key(key)?;
        let entries = self.entries.borrow();
        Ok(entries
            .get(key)
            .filter(|e| self.is_live(e))
            .map(|e| e.value.clone()))
    }

    async fn put(&self, key: &str, value: &str, ttl_secs: Option<u64>) -> Result<(), StoreError> {
        check_key(key)?;
        let expires_at_ms = ttl_secs.map(|t| self.clock.now_ms() + keys::clamp_ttl(t) * 1000);
        self.entries.borrow_mut().insert(
            key.to_owned(),
            Entry {
                value: value.to_owned(),
                expires_at_ms,
            },
        );
        Ok(())
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        check_key(key)?;
        self.entries.borrow_mut().remove(key);
        Ok(())
    }

    async fn list(
        &self,
        prefix: &str,
        cursor: Option<&str>,
        limit: u32,
    ) -> Result<KeyPage, StoreError> {
        // The cursor is the last key of the previous page; listing resumes strictly after it.
        let entries = self.entries.borrow();
        let start = cursor.unwrap_or(prefix);
        let mut keys: Vec<String> = entries
            .range(start.to_owned()..)
            .filter(|(k, _)| cursor.is_none_or(|c| k.as_str() > c))
            .take_while(|(k, _)| k.starts_with(prefix))
            .filter(|(_, e)| self.is_live(e))
            .map(|(k, _)| k.clone())
            .take(limit as usize + 1)
            .collect();
        let cursor = if keys.len() > limit as usize {
            keys.truncate(limit as usize);
            keys.last().cloned()
        } else {
            None
        };
        Ok(KeyPage { keys, cursor })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::clock::ManualClock;
    use futures::executor::block_on;

    #[test]
    fn values_expire_after_their_ttl_and_short_ttls_are_raised_to_60_s() {
        let clock = Rc::new(ManualClock::new(1_000_000));
        let store = MemoryStore::with_clock(clock.clone());
        block_on(store.put("k", "v", Some(1))).unwrap();
        clock.advance_secs(59);
        assert_eq!(block_on(store.get("k")).unwrap().as_deref(), Some("v"));
        clock.advance_secs(1);
        assert_eq!(block_on(store.get("k")).unwrap(), None);
    }

    #[test]
    fn listing_pages_through_keys_with_a_prefix_in_order() {
        let store = MemoryStore::new();
        for k in ["a:3", "a:1", "b:1", "a:2"] {
            block_on(store.put(k, "x", None)).unwrap();
        }
        let first = block_on(store.list("a:", None, 2)).unwrap();
        assert_eq!(first.keys, ["a:1", "a:2"]);
        let second = block_on(store.list("a:", first.cursor.as_deref(), 2)).unwrap();
        assert_eq!(second.keys, ["a:3"]);
        assert_eq!(second.cursor, None);
    }

    #[test]
    fn keys_longer_than_kv_allows_are_refused() {
        let store = MemoryStore::new();
        let long = "k".repeat(513);
        assert!(block_on(store.put(&long, "v", None)).is_err());
        assert!(block_on(store.get(&long)).is_err());
        assert!(block_on(store.delete(&long)).is_err());
    }
}
