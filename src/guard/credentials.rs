//! Per-identity credential records, the guard's authority over sign-in and revocation: a fingerprint of
//! the identity's password hashes as last set, and the moment from which its tokens are valid. The pure
//! rules live here, shared by every implementation (memory, the Durable Object), as [`super::rate`]'s
//! are for counters.
//!
//! Workers KV holds the hashes and a copy of the boundary (`tva:<auth_identity_id>`, written after every
//! revocation, read beside the record: it can only refuse sooner), but another location may serve them
//! up to ~60 s old; the record in the guard is what every location reads, so a change made anywhere
//! counts at once everywhere. Contract: `docs/http-api.md#token-revocation`.

use crate::store::{KvStore, StoreError, keys};

/// The boundary of a deleted identity: no token of it is ever valid again. Below 2^53, so it survives
/// JavaScript numbers and SQLite integers unchanged.
pub const REVOKED_FOREVER_MS: u64 = (1 << 53) - 1;

/// What the guard knows of one identity's credentials.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CredentialRecord {
    /// SHA-256 (hex) of the identity's password hashes as last set, `""` for none
    /// ([`crate::model::AuthIdentity::credential_fingerprint`]). `None`: never recorded (an identity
    /// older than the record, or a guard that keeps none), so the stored hash is all there is.
    pub fingerprint: Option<String>,
    /// Tokens issued before this moment (milliseconds, the guard's clock) are void; 0: never revoked.
    pub valid_from_ms: u64,
    /// When the guard read or wrote the record (its clock): a token issued on the strength of this read
    /// is dated no later, so a change the guard orders after the read voids it.
    pub as_of_ms: u64,
}

impl CredentialRecord {
    /// Whether a stored hash whose fingerprint is `fingerprint` is the identity's current one: true
    /// when it is the recorded one, or when none was recorded. Constant time.
    pub fn accepts(&self, fingerprint: &str) -> bool {
        use subtle::ConstantTimeEq;
        self.fingerprint
            .as_ref()
            .is_none_or(|f| bool::from(f.as_bytes().ct_eq(fingerprint.as_bytes())))
    }
}

/// How a change moves the boundary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Revocation {
    /// Tokens issued until now are void.
    Now,
    /// Every token, past and future (the identity was deleted).
    Forever,
}

/// One atomic change of a record.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CredentialChange {
    /// The fingerprint to record, if it changes.
    pub fingerprint: Option<String>,
    /// Compare-and-set: change nothing unless the recorded fingerprint is this one (or none is recorded).
    /// `None`: unconditionally.
    pub expected: Option<String>,
    /// Whether, and how, to move the validity boundary.
    pub revoke: Option<Revocation>,
}

impl CredentialChange {
    /// Changes nothing: applying it only reads the record.
    pub fn is_empty(&self) -> bool {
        self.fingerprint.is_none() && self.revoke.is_none()
    }
}

/// The record after `change` at `now_ms`, or `None` when the compare-and-set fails (nothing changes).
pub fn apply(
    current: Option<&CredentialRecord>,
    change: &CredentialChange,
    now_ms: u64,
) -> Option<CredentialRecord> {
    let mut next = current.cloned().unwrap_or_default();
    if let (Some(expected), Some(recorded)) = (&change.expected, &next.fingerprint)
        && expected != recorded
    {
        return None;
    }
    if let Some(fingerprint) = &change.fingerprint {
        next.fingerprint = Some(fingerprint.clone());
    }
    next.valid_from_ms = match change.revoke {
        None => next.valid_from_ms,
        Some(Revocation::Forever) => REVOKED_FOREVER_MS,
        Some(Revocation::Now) => next_valid_from(next.valid_from_ms, now_ms),
    };
    next.as_of_ms = now_ms;
    Some(next)
}

/// Where a revocation at `now_ms` moves the boundary from `previous_ms`: never back, and always past
/// the whole second the previous boundary falls in. Tokens carry whole seconds, and one issued right
/// after the previous revocation is dated at that second's end ([`crate::account::revocation`]), so a
/// second revocation within the same second must still void it.
pub fn next_valid_from(previous_ms: u64, now_ms: u64) -> u64 {
    let past_previous_second = previous_ms.div_ceil(1000).saturating_mul(1000) + 1;
    now_ms.max(past_previous_second).min(REVOKED_FOREVER_MS)
}

/// KV's copy of the boundary, if it has one.
pub async fn kv_valid_from_ms(
    store: &dyn KvStore,
    auth_identity_id: &str,
) -> Result<Option<u64>, StoreError> {
    let Some(text) = store
        .get(&keys::tokens_valid_after(auth_identity_id))
        .await?
    else {
        return Ok(None);
    };
    text.trim()
        .parse()
        .map(Some)
        .map_err(|_| StoreError(format!("corrupt revocation record of {auth_identity_id}")))
}

/// Writes KV's copy after a revocation the guard answered with `record`, never moving it back: the
/// record's boundary, or KV's own next one if that is later (a guard that keeps no records answers
/// from nothing). Returns the boundary written.
pub async fn copy_to_kv(
    store: &dyn KvStore,
    auth_identity_id: &str,
    record: &CredentialRecord,
) -> Result<u64, StoreError> {
    let previous = kv_valid_from_ms(store, auth_identity_id)
        .await?
        .unwrap_or(0);
    let valid_from_ms = record
        .valid_from_ms
        .max(next_valid_from(previous, record.as_of_ms));
    let key = keys::tokens_valid_after(auth_identity_id);
    store.put(&key, &valid_from_ms.to_string(), None).await?;
    Ok(valid_from_ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(fingerprint: Option<&str>, valid_from_ms: u64) -> CredentialRecord {
        CredentialRecord {
            fingerprint: fingerprint.map(str::to_owned),
            valid_from_ms,
            as_of_ms: 0,
        }
    }

    #[test]
    fn a_compare_and_set_applies_only_over_the_expected_or_an_unknown_fingerprint() {
        let rehash = CredentialChange {
            fingerprint: Some("new".into()),
            expected: Some("old".into()),
            revoke: None,
        };
        let over_old = apply(Some(&record(Some("old"), 7)), &rehash, 50).unwrap();
        assert_eq!(
            over_old,
            CredentialRecord {
                fingerprint: Some("new".into()),
                valid_from_ms: 7,
                as_of_ms: 50
            }
        );
        assert_eq!(apply(Some(&record(Some("other"), 7)), &rehash, 50), None);
        let over_unknown = apply(Some(&record(None, 7)), &rehash, 50).unwrap();
        assert_eq!(over_unknown.fingerprint.as_deref(), Some("new"));
        assert_eq!(apply(None, &rehash, 50).unwrap().valid_from_ms, 0);
    }

    #[test]
    fn revocations_never_move_back_and_each_one_passes_the_previous_second() {
        assert_eq!(next_valid_from(0, 1_000_500), 1_000_500);
        // Later seconds keep their time; the same second moves past it.
        assert_eq!(next_valid_from(1_000_500, 1_005_000), 1_005_000);
        assert_eq!(next_valid_from(1_000_500, 1_000_800), 1_001_001);
        assert_eq!(next_valid_from(1_000_500, 900_000), 1_001_001);
        assert_eq!(next_valid_from(REVOKED_FOREVER_MS, 1), REVOKED_FOREVER_MS);
        let forever = CredentialChange {
            fingerprint: Some(String::new()),
            revoke: Some(Revocation::Forever),
            ..CredentialChange::default()
        };
        let deleted = apply(Some(&record(Some("h"), 5)), &forever, 9).unwrap();
        assert_eq!(deleted.valid_from_ms, REVOKED_FOREVER_MS);
        assert!(!deleted.accepts("h"));
    }

    #[test]
    fn forever_is_the_largest_integer_javascript_and_sqlite_both_hold_exactly() {
        // `Number.MAX_SAFE_INTEGER`: the Durable Object's JavaScript sees it unrounded.
        assert_eq!(REVOKED_FOREVER_MS, 9_007_199_254_740_991);
        #[allow(
            clippy::cast_precision_loss,
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss
        )]
        let through_a_number = REVOKED_FOREVER_MS as f64 as u64;
        assert_eq!(through_a_number, REVOKED_FOREVER_MS);
    }

    #[test]
    fn only_a_change_of_neither_fingerprint_nor_boundary_is_a_read() {
        let read = CredentialChange {
            expected: Some("h".into()),
            ..CredentialChange::default()
        };
        assert!(read.is_empty());
        assert!(CredentialChange::default().is_empty());
        let sets = CredentialChange {
            fingerprint: Some("h".into()),
            ..CredentialChange::default()
        };
        let revokes = CredentialChange {
            revoke: Some(Revocation::Now),
            ..CredentialChange::default()
        };
        assert!(!sets.is_empty());
        assert!(!revokes.is_empty());
    }

    #[test]
    fn an_unrecorded_fingerprint_accepts_any_hash_and_a_recorded_one_only_itself() {
        assert!(record(None, 0).accepts("anything"));
        assert!(record(Some("abc"), 0).accepts("abc"));
        assert!(!record(Some("abc"), 0).accepts("abd"));
        assert!(!record(Some(""), 0).accepts("abc"));
    }
}
