//! "Tokens issued before this moment are void": one record per identity, written when its password
//! changes, read by refresh, the session routes and the reset routes.
//!
//! Token `iat`s have one-second resolution, the change time has milliseconds. A token is void when
//! `iat < valid_from`, where `valid_from = ceil(change_ms / 1000)`: every token issued before the change
//! has an `iat` at most `floor(change_ms / 1000)`, so all of them are void, including those issued
//! earlier in the same second. Tokens issued after the change in that same second would be void too, so
//! issuing never uses an `iat` below `valid_from` ([`issued_at`]): such a token is dated up to one second
//! ahead, and stays valid.
//!
//! The record lives in Workers KV with no expiry (it must outlive every token it voids): a change is
//! seen at once where it was made and within KV's propagation (~60 s) elsewhere.

use crate::store::{KvStore, StoreError, keys};

/// The first `iat` still valid for the identity, if its password ever changed.
pub async fn valid_from(
    store: &dyn KvStore,
    auth_identity_id: &str,
) -> Result<Option<u64>, StoreError> {
    let Some(text) = store
        .get(&keys::tokens_valid_after(auth_identity_id))
        .await?
    else {
        return Ok(None);
    };
    let change_ms: u64 = text
        .trim()
        .parse()
        .map_err(|_| StoreError(format!("corrupt revocation record of {auth_identity_id}")))?;
    Ok(Some(change_ms.div_ceil(1000)))
}

/// Voids every token issued until now (`now_ms`). Never moves the boundary back.
pub async fn revoke_until(
    store: &dyn KvStore,
    auth_identity_id: &str,
    now_ms: u64,
) -> Result<(), StoreError> {
    let key = keys::tokens_valid_after(auth_identity_id);
    let previous = store
        .get(&key)
        .await?
        .and_then(|t| t.trim().parse::<u64>().ok())
        .unwrap_or(0);
    store
        .put(&key, &previous.max(now_ms).to_string(), None)
        .await
}

/// The `iat` to give a token issued now.
pub fn issued_at(now_secs: u64, valid_from: Option<u64>) -> u64 {
    valid_from.map_or(now_secs, |v| now_secs.max(v))
}

/// Whether a token issued at `iat` is void.
pub fn is_revoked(iat: u64, valid_from: Option<u64>) -> bool {
    valid_from.is_some_and(|v| iat < v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::MemoryStore;
    use futures::executor::block_on;

    #[test]
    fn tokens_from_the_second_of_the_change_are_void_and_new_ones_are_dated_after_it() {
        let store = MemoryStore::new();
        // A token issued at 1000.300 s, then the password changes at 1000.500 s.
        let old_iat = 1000;
        block_on(revoke_until(&store, "authid_1", 1_000_500)).unwrap();
        let from = block_on(valid_from(&store, "authid_1")).unwrap();
        assert_eq!(from, Some(1001));
        assert!(is_revoked(old_iat, from));
        // A login at 1000.700 s (after the change, same second) gets iat 1001: valid.
        let new_iat = issued_at(1000, from);
        assert_eq!(new_iat, 1001);
        assert!(!is_revoked(new_iat, from));
        // Later tokens keep their real time.
        assert_eq!(issued_at(1005, from), 1005);
    }

    #[test]
    fn a_change_exactly_on_a_second_keeps_tokens_of_that_second() {
        let store = MemoryStore::new();
        block_on(revoke_until(&store, "authid_1", 2_000_000)).unwrap();
        let from = block_on(valid_from(&store, "authid_1")).unwrap();
        assert_eq!(from, Some(2000));
        assert!(is_revoked(1999, from));
        assert!(!is_revoked(2000, from));
    }

    #[test]
    fn the_boundary_never_moves_back() {
        let store = MemoryStore::new();
        block_on(revoke_until(&store, "authid_1", 5_000_000)).unwrap();
        block_on(revoke_until(&store, "authid_1", 4_000_000)).unwrap();
        assert_eq!(
            block_on(valid_from(&store, "authid_1")).unwrap(),
            Some(5000)
        );
        assert_eq!(block_on(valid_from(&store, "authid_2")).unwrap(), None);
        assert!(!is_revoked(0, None));
    }
}
