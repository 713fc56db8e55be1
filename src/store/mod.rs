//! Storage: a KV-shaped async trait (the shape of Workers KV), an in-memory implementation, and the one
//! place where key layouts and TTLs are defined.

pub mod keys;
mod memory;

pub use memory::MemoryStore;

use async_trait::async_trait;
use std::fmt;

/// An infrastructure failure of the backing store (network, quota, a corrupt record). Never caused by
/// user input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreError(pub String);

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "storage error: {}", self.0)
    }
}

impl std::error::Error for StoreError {}

/// One page of a key listing, in lexicographic key order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct KeyPage {
    /// The keys, at most the limit asked for.
    pub keys: Vec<String>,
    /// Where the next page starts; `None` when this is the last page.
    pub cursor: Option<String>,
}

/// A key-value store with per-key expiry. No `Send` bound: a Worker's futures are `!Send`.
#[async_trait(?Send)]
pub trait KvStore {
    /// The value at `key`, or `None` when absent or expired.
    async fn get(&self, key: &str) -> Result<Option<String>, StoreError>;
    /// `ttl_secs` is clamped up to [`keys::MIN_TTL_SECS`], the least Workers KV accepts.
    async fn put(&self, key: &str, value: &str, ttl_secs: Option<u64>) -> Result<(), StoreError>;
    /// Removes `key`; absent keys are fine.
    async fn delete(&self, key: &str) -> Result<(), StoreError>;
    /// The keys starting with `prefix`, from `cursor`, at most `limit` of them.
    async fn list(
        &self,
        prefix: &str,
        cursor: Option<&str>,
        limit: u32,
    ) -> Result<KeyPage, StoreError>;
}
