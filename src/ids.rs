//! Medusa entity ids: `<prefix>_<ULID>`, e.g. `authid_01J9Z3V7W8Q4N2M5K6R8T0Y1XB`.
//!
//! A ULID is 128 bits, a 48-bit millisecond timestamp followed by 80 random bits, written as 26 chars of
//! Crockford base32 (uppercase). Because the timestamp leads, ids made in later milliseconds sort after
//! earlier ones as plain strings, which keeps Medusa's "order by id" close to creation order.
//!
//! The clock is a parameter so the core stays pure and tests can freeze it.

use crate::ports::random::{self, RandomError};

/// Prefix of auth identity ids, as Medusa's `AuthIdentity` model declares it.
pub const AUTH_IDENTITY_PREFIX: &str = "authid";
/// Prefix of provider identity ids, as Medusa's `ProviderIdentity` model declares it.
pub const PROVIDER_IDENTITY_PREFIX: &str = "provid";
/// Prefix of MFA factor ids, as Medusa's `AuthMfaFactor` model declares it.
pub const MFA_FACTOR_PREFIX: &str = "authmfa";
/// Prefix of MFA challenge ids, as Medusa's `createAuthMfaChallenge` makes them.
pub const MFA_CHALLENGE_PREFIX: &str = "authmfachal";

/// Crockford's base32: no I, L, O or U, so ids survive being read aloud or retyped.
const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const ULID_CHARS: usize = 26;
const RANDOM_BYTES: usize = 10;
/// The largest timestamp 48 bits hold (year 10889).
const MAX_TIMESTAMP_MS: u64 = (1 << 48) - 1;

/// A fresh ULID for the millisecond `now_ms` (Unix epoch).
///
/// Timestamps past the 48-bit range saturate rather than wrap, so ordering is never inverted.
pub fn ulid(now_ms: u64) -> Result<String, RandomError> {
    let entropy = random::bytes::<RANDOM_BYTES>()?;
    Ok(encode_ulid(now_ms, entropy))
}

/// A Medusa id: `prefix` and a fresh ULID joined by `_`. An empty prefix yields the bare ULID, as
/// Medusa's `generateEntityId` does.
pub fn generate_id(prefix: &str, now_ms: u64) -> Result<String, RandomError> {
    let id = ulid(now_ms)?;
    if prefix.is_empty() {
        return Ok(id);
    }
    Ok(format!("{prefix}_{id}"))
}

fn encode_ulid(now_ms: u64, entropy: [u8; RANDOM_BYTES]) -> String {
    let timestamp = u128::from(now_ms.min(MAX_TIMESTAMP_MS));
    let randomness = entropy
        .iter()
        .fold(0u128, |acc, byte| (acc << 8) | u128::from(*byte));
    let value = (timestamp << 80) | randomness;

    // 26 chars carry 130 bits; the first char only ever holds the top 3 bits of the 128.
    (0..ULID_CHARS)
        .rev()
        .map(|index| {
            let group = (value >> (5 * index)) & 0x1f;
            // `group` is masked to 5 bits, so the index is always in range.
            char::from(CROCKFORD[group as usize])
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads the timestamp back out of a ULID's first 10 chars.
    fn decode_timestamp(ulid: &str) -> u64 {
        ulid[..10].bytes().fold(0u64, |acc, c| {
            let digit = CROCKFORD
                .iter()
                .position(|&d| d == c)
                .expect("Crockford digit");
            (acc << 5) | digit as u64
        })
    }

    #[test]
    fn ulid_is_26_uppercase_crockford_chars() {
        let id = ulid(1_700_000_000_000).expect("randomness");
        assert_eq!(id.len(), 26);
        assert!(id.bytes().all(|c| CROCKFORD.contains(&c)), "{id}");
    }

    #[test]
    fn ulid_timestamp_part_decodes_to_now() {
        for now_ms in [0, 1, 1_469_918_176_385, 1_700_000_000_123, MAX_TIMESTAMP_MS] {
            assert_eq!(decode_timestamp(&ulid(now_ms).expect("randomness")), now_ms);
        }
    }

    #[test]
    fn known_timestamp_encodes_like_the_ulid_spec_example() {
        // The ULID spec's example 01ARYZ6S41... is timestamp 1469918176385.
        let id = encode_ulid(1_469_918_176_385, [0; RANDOM_BYTES]);
        assert_eq!(id, "01ARYZ6S410000000000000000");
    }

    #[test]
    fn random_part_is_encoded_in_the_last_16_chars() {
        assert_eq!(
            encode_ulid(0, [0xff; RANDOM_BYTES]),
            "0000000000ZZZZZZZZZZZZZZZZ"
        );
    }

    #[test]
    fn timestamps_beyond_48_bits_saturate() {
        let id = ulid(u64::MAX).expect("randomness");
        assert_eq!(&id[..10], "7ZZZZZZZZZ");
        assert_eq!(decode_timestamp(&id), MAX_TIMESTAMP_MS);
    }

    #[test]
    fn ids_from_later_milliseconds_sort_after_earlier_ones() {
        let times = [
            1_000,
            1_001,
            1_700_000_000_000,
            1_700_000_000_001,
            4_102_444_800_000,
        ];
        let ids: Vec<String> = times
            .iter()
            .map(|&t| generate_id(AUTH_IDENTITY_PREFIX, t).expect("randomness"))
            .collect();
        let mut sorted = ids.clone();
        sorted.sort();
        assert_eq!(ids, sorted);
    }

    #[test]
    fn two_ids_in_the_same_millisecond_differ() {
        let a = generate_id(PROVIDER_IDENTITY_PREFIX, 42).expect("randomness");
        let b = generate_id(PROVIDER_IDENTITY_PREFIX, 42).expect("randomness");
        assert_ne!(a, b);
    }

    #[test]
    fn generated_id_is_prefix_underscore_ulid() {
        let id = generate_id(AUTH_IDENTITY_PREFIX, 1_700_000_000_000).expect("randomness");
        let (prefix, rest) = id.split_once('_').expect("separator");
        assert_eq!(prefix, "authid");
        assert_eq!(rest.len(), 26);
        assert_eq!(decode_timestamp(rest), 1_700_000_000_000);
    }

    #[test]
    fn empty_prefix_yields_the_bare_ulid() {
        let id = generate_id("", 7).expect("randomness");
        assert_eq!(id.len(), 26);
        assert!(!id.contains('_'));
    }
}
