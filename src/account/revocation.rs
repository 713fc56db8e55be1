//! From when an identity's tokens are valid, and the arithmetic between that boundary (milliseconds) and
//! token `iat`s (whole seconds).
//!
//! The authority is the guard's credential record ([`crate::guard::credentials`]), which every check
//! reads, so a change made in one location counts at once in all. Workers KV keeps a copy
//! (`tva:<auth_identity_id>`, no expiry) that is read beside it and can only refuse sooner: the boundary
//! used is the later of the two. Without a guard that keeps records (the Worker without its Durable
//! Object), the copy is all there is: immediate where the change was made, within ~60 s elsewhere.
//!
//! A token is void when `iat < ceil(valid_from_ms / 1000)`: every token from before the change has an
//! `iat` of at most `floor(change_ms / 1000)`, so all of them are void, including those issued earlier in
//! the same second. A token is dated from the record read for it — when its password was verified, or
//! when the token it refreshes was checked — at `max(floor(as_of_ms / 1000), ceil(valid_from_ms / 1000))`:
//! never below the boundary (so it stays valid, dated up to a second ahead), and never after a change the
//! guard orders after that read (so the change voids it). Each revocation also moves the boundary past
//! the previous one's second ([`crate::guard::credentials::next_valid_from`]), so a token dated ahead by
//! one change is voided by the next, even within that second.

use crate::guard::CredentialRecord;
pub use crate::guard::credentials::{copy_to_kv, kv_valid_from_ms};

/// An identity's boundary as read at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Validity {
    /// Tokens with an earlier `iat` are void (milliseconds; 0: never revoked).
    pub valid_from_ms: u64,
    /// When it was read (the guard's clock).
    pub as_of_ms: u64,
}

impl Validity {
    /// The guard's `record`, with KV's copy when it is later.
    pub fn merge(record: &CredentialRecord, kv_valid_from_ms: Option<u64>) -> Self {
        Self {
            valid_from_ms: record.valid_from_ms.max(kv_valid_from_ms.unwrap_or(0)),
            as_of_ms: record.as_of_ms,
        }
    }

    /// Whether a token issued at `iat` is void.
    pub fn is_revoked(&self, iat: u64) -> bool {
        iat < self.valid_from_ms.div_ceil(1000)
    }

    /// The `iat` of a token issued on the strength of this read; `None` for an identity revoked for
    /// good (deleted).
    pub fn issued_at(&self) -> Option<u64> {
        if self.valid_from_ms >= crate::guard::credentials::REVOKED_FOREVER_MS {
            return None;
        }
        Some((self.as_of_ms / 1000).max(self.valid_from_ms.div_ceil(1000)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::guard::credentials::REVOKED_FOREVER_MS;
    use crate::store::MemoryStore;
    use futures::executor::block_on;

    fn read(valid_from_ms: u64, as_of_ms: u64) -> Validity {
        Validity {
            valid_from_ms,
            as_of_ms,
        }
    }

    #[test]
    fn tokens_from_the_second_of_the_change_are_void_and_new_ones_are_dated_after_it() {
        // A token issued at 1000.300 s, then the password changes at 1000.500 s.
        let before = read(0, 1_000_300).issued_at().unwrap();
        assert_eq!(before, 1000);
        let after = read(1_000_500, 1_000_700);
        assert!(after.is_revoked(before));
        // A login at 1000.700 s (after the change, same second) gets iat 1001: valid.
        assert_eq!(after.issued_at(), Some(1001));
        assert!(!after.is_revoked(1001));
        // Later tokens keep their real time.
        assert_eq!(read(1_000_500, 1_005_000).issued_at(), Some(1005));
    }

    #[test]
    fn a_change_exactly_on_a_second_keeps_tokens_of_that_second() {
        let v = read(2_000_000, 2_000_000);
        assert!(v.is_revoked(1999));
        assert!(!v.is_revoked(2000));
        assert!(!read(0, 0).is_revoked(0));
    }

    #[test]
    fn a_deleted_identity_has_no_valid_token_and_gets_none() {
        let v = read(REVOKED_FOREVER_MS, 2_000_000);
        assert!(v.is_revoked(u64::from(u32::MAX)));
        assert_eq!(v.issued_at(), None);
    }

    #[test]
    fn kv_only_refuses_sooner_and_its_copy_never_moves_back() {
        let record = CredentialRecord {
            fingerprint: None,
            valid_from_ms: 5_000_000,
            as_of_ms: 5_000_000,
        };
        assert_eq!(
            Validity::merge(&record, Some(4_000_000)).valid_from_ms,
            5_000_000
        );
        assert_eq!(
            Validity::merge(&record, Some(6_000_000)).valid_from_ms,
            6_000_000
        );
        let store = MemoryStore::new();
        block_on(copy_to_kv(&store, "authid_1", &record)).unwrap();
        let earlier = CredentialRecord {
            valid_from_ms: 4_000_000,
            as_of_ms: 4_000_000,
            ..record.clone()
        };
        // A guard without records answers from nothing; KV still passes its own previous second.
        assert_eq!(
            block_on(copy_to_kv(&store, "authid_1", &earlier)).unwrap(),
            5_000_001
        );
        assert_eq!(
            block_on(kv_valid_from_ms(&store, "authid_1")).unwrap(),
            Some(5_000_001)
        );
        assert_eq!(
            block_on(kv_valid_from_ms(&store, "authid_2")).unwrap(),
            None
        );
    }
}
