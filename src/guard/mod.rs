//! Strong consistency for the few things Workers KV cannot guarantee.
//!
//! Identities live in Workers KV: fast reads everywhere, but eventually consistent (another location may
//! not see a write for ~60 s), no compare-and-swap, one write per second per key. Three guarantees need
//! more than that, and go through the small [`Guard`] trait instead:
//!
//! - **Uniqueness**: one provider identity per (provider, entity_id), even when 50 registrations of one
//!   email race ([`Guard::claim`]).
//! - **Single use**: a reset token's `jti` and an OAuth `state` are consumed exactly once, even by two
//!   requests in two locations at the same moment ([`Guard::consume_once`]).
//! - **Exact rate limits**: counters that do not lose increments under concurrency ([`Guard::hit`]).
//! - **Exact revocation**: per identity, a fingerprint of its password hashes as last set and the moment
//!   from which its tokens are valid ([`Guard::credentials`]), read by every sign-in, refresh and session
//!   check, so a password change, reset or deletion counts at once in every location.
//!
//! Implementations: [`MemoryGuard`] (exact within one process: native tests, the npm package), the
//! Durable Object in `src/worker/durable.rs` (exact everywhere: the Worker with its `AUTH_GUARD` binding)
//! and [`KvGuard`] (the Worker without the binding: exact within one isolate, best effort across).
//!
//! The trait has no `Send` bound: a Worker's futures are `!Send`.

pub mod client_ip;
pub mod credentials;
mod kv;
mod memory;
/// Spoken only between the Worker and its Durable Object (and tested natively).
#[cfg(any(test, all(target_arch = "wasm32", feature = "worker")))]
pub(crate) mod protocol;
pub(crate) mod rate;

pub use credentials::{CredentialChange, CredentialRecord, Revocation};
pub use kv::KvGuard;
pub use memory::MemoryGuard;
pub use rate::{Decision, Rule};

use crate::store::StoreError;
use async_trait::async_trait;

/// The answer to [`Guard::claim`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The key was free and now belongs to the caller's owner.
    Claimed,
    /// Someone holds it: `owner` since `at_ms` (the guard's clock).
    Taken {
        /// Who holds the key.
        owner: String,
        /// Since when, unix milliseconds.
        at_ms: u64,
    },
}

/// Strongly consistent operations. Every failure is a [`StoreError`]: the guard is a backing store, and
/// its failure is never the caller's input's fault.
#[async_trait(?Send)]
pub trait Guard {
    /// Reserves `key` for `owner`. Exactly one of any number of concurrent claims of a free key wins.
    /// A claim lasts until released (or transferred).
    async fn claim(&self, key: &str, owner: &str) -> Result<Claim, StoreError>;

    /// Moves a claim from `from` to `to` if `from` still holds it (compare-and-swap). `true` if moved.
    async fn transfer(&self, key: &str, from: &str, to: &str) -> Result<bool, StoreError>;

    /// Frees `key` if `owner` holds it; anything else is left alone.
    async fn release(&self, key: &str, owner: &str) -> Result<(), StoreError>;

    /// `true` for the first use of `key` within `ttl_secs`, `false` for every later (or concurrent) one.
    async fn consume_once(&self, key: &str, ttl_secs: u64) -> Result<bool, StoreError>;

    /// Forgets a consumption, so the key can be consumed again (an operation that failed after consuming
    /// gives its token back).
    async fn unconsume(&self, key: &str) -> Result<(), StoreError>;

    /// Counts one request against `bucket` under `rule`.
    async fn hit(&self, bucket: &str, rule: &Rule) -> Result<Decision, StoreError>;

    /// Forgets everything about `bucket` (a successful login clears its identifier's failures).
    async fn reset(&self, bucket: &str) -> Result<(), StoreError>;

    /// The credential record under `key` as of now. A guard that keeps none (it is not shared by every
    /// writer of the store) answers an empty one: no fingerprint, never revoked.
    async fn credentials(&self, key: &str) -> Result<CredentialRecord, StoreError>;

    /// Applies `change` to the record under `key` atomically ([`credentials::apply`]): the record after
    /// it, or `None` when its compare-and-set failed and nothing changed.
    async fn set_credentials(
        &self,
        key: &str,
        change: &CredentialChange,
    ) -> Result<Option<CredentialRecord>, StoreError>;

    /// Whether the guarantees hold across locations and isolates (a Durable Object, or one process).
    fn is_strict(&self) -> bool;
}
