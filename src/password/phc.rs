//! The PHC string forms of our two hash kinds:
//!
//! - `$pbkdf2-sha256$i=<iterations>,l=<hash length>$<salt>$<hash>`
//! - `$argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<hash>`
//!
//! Salt and hash use the PHC "B64" encoding, which is standard base64 without `=` padding. The parser is
//! strict (known algorithms, known parameters once each, canonical base64, bounded sizes) because every
//! value it accepts decides how much work and memory `verify` will spend.

use crate::b64::STANDARD_NO_PAD as B64;

use super::argon2id::Argon2Params;
use super::kdf::Kdf;
use super::{HASH_LEN, MAX_ITERATIONS, MIN_ITERATIONS};

/// PHC identifiers of the algorithms we produce and accept.
pub(super) const PBKDF2_SHA256: &str = "pbkdf2-sha256";
pub(super) const ARGON2ID: &str = "argon2id";
/// The only Argon2 version we accept: 1.3 (0x13), the current one and the `argon2` crate's default.
const ARGON2_VERSION: &str = "v=19";
/// Salts outside this range were not made by us or any sane hasher; refusing them bounds the work.
pub(super) const MIN_SALT_LEN: usize = 8;
pub(super) const MAX_SALT_LEN: usize = 64;

/// A parsed, validated PHC string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct PhcHash {
    pub kdf: Kdf,
    pub salt: Vec<u8>,
    pub hash: [u8; HASH_LEN],
}

/// Why a stored string was refused. Callers only ever see a mismatch; the reason exists for tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ParseError {
    Shape,
    Algorithm,
    Version,
    Parameter,
    CostOutOfRange,
    UnsupportedLength,
    Base64,
    SaltLength,
    HashLength,
    /// A scrypt-kdf blob whose header checksum does not match its parameters and salt.
    Checksum,
}

/// The stored form of a hash: its PHC string (a scrypt [`Kdf`] is never a target for new hashes; it
/// gets Medusa's blob, which keeps the function total).
pub(super) fn format(kdf: Kdf, salt: &[u8], hash: &[u8; HASH_LEN]) -> String {
    let (salt_b64, hash_b64) = (B64.encode(salt), B64.encode(hash));
    match kdf {
        Kdf::Pbkdf2Sha256 { iterations } => {
            format!("${PBKDF2_SHA256}$i={iterations},l={HASH_LEN}${salt_b64}${hash_b64}")
        }
        Kdf::Argon2id(Argon2Params {
            memory_kib,
            time_cost,
            parallelism,
        }) => format!(
            "${ARGON2ID}${ARGON2_VERSION}$m={memory_kib},t={time_cost},p={parallelism}${salt_b64}${hash_b64}"
        ),
        Kdf::Scrypt(params) => super::scrypt::format(params, salt, hash),
    }
}

pub(super) fn parse(stored: &str) -> Result<PhcHash, ParseError> {
    // A PHC string starts with `$`, so the first field is empty.
    let mut fields = stored.split('$');
    let (Some(""), Some(algorithm)) = (fields.next(), fields.next()) else {
        return Err(ParseError::Shape);
    };
    if algorithm.is_empty() {
        return Err(ParseError::Shape);
    }
    let kdf = match algorithm {
        PBKDF2_SHA256 => parse_pbkdf2_params(fields.next().ok_or(ParseError::Shape)?)?,
        ARGON2ID => {
            if fields.next().ok_or(ParseError::Shape)? != ARGON2_VERSION {
                return Err(ParseError::Version);
            }
            parse_argon2_params(fields.next().ok_or(ParseError::Shape)?)?
        }
        _ => return Err(ParseError::Algorithm),
    };
    let (Some(salt), Some(hash), None) = (fields.next(), fields.next(), fields.next()) else {
        return Err(ParseError::Shape);
    };

    let salt = decode_bounded(salt, MAX_SALT_LEN)?;
    if !(MIN_SALT_LEN..=MAX_SALT_LEN).contains(&salt.len()) {
        return Err(ParseError::SaltLength);
    }
    let hash = decode_bounded(hash, HASH_LEN)?;
    let hash: [u8; HASH_LEN] = hash.try_into().map_err(|_| ParseError::HashLength)?;

    Ok(PhcHash { kdf, salt, hash })
}

/// `i=<n>` (required) and `l=<n>` (optional: absent means our 32), in either order.
pub(super) fn parse_pbkdf2_params(params: &str) -> Result<Kdf, ParseError> {
    let [iterations, length] = parse_params(params, ["i", "l"])?;
    let iterations = iterations.ok_or(ParseError::Parameter)?;
    if !(MIN_ITERATIONS..=MAX_ITERATIONS).contains(&iterations) {
        return Err(ParseError::CostOutOfRange);
    }
    if length.is_some_and(|l| usize::try_from(l) != Ok(HASH_LEN)) {
        return Err(ParseError::UnsupportedLength);
    }
    Ok(Kdf::Pbkdf2Sha256 { iterations })
}

/// `m=<KiB>,t=<passes>,p=<lanes>`, all required, in any order; no `keyid` or `data`.
pub(super) fn parse_argon2_params(params: &str) -> Result<Kdf, ParseError> {
    let [Some(memory_kib), Some(time_cost), Some(parallelism)] =
        parse_params(params, ["m", "t", "p"])?
    else {
        return Err(ParseError::Parameter);
    };
    let params = Argon2Params {
        memory_kib,
        time_cost,
        parallelism,
    };
    if !params.is_acceptable() {
        return Err(ParseError::CostOutOfRange);
    }
    Ok(Kdf::Argon2id(params))
}

/// Reads `name=<decimal>` pairs separated by commas. Each of `NAMES` may appear at most once; any other
/// name is refused.
pub(super) fn parse_params<const N: usize>(
    params: &str,
    names: [&str; N],
) -> Result<[Option<u32>; N], ParseError> {
    let mut values = [None; N];
    for pair in params.split(',') {
        let (name, value) = pair.split_once('=').ok_or(ParseError::Parameter)?;
        let slot = names
            .iter()
            .position(|&known| known == name)
            .ok_or(ParseError::Parameter)?;
        if values[slot].replace(parse_decimal(value)?).is_some() {
            return Err(ParseError::Parameter);
        }
    }
    Ok(values)
}

/// Plain ASCII digits only: `u32::from_str` would also take a leading `+`, which PHC does not allow.
fn parse_decimal(value: &str) -> Result<u32, ParseError> {
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ParseError::Parameter);
    }
    // Too many digits overflows u32 and is reported as out of range, like any other huge cost.
    value.parse().map_err(|_| ParseError::CostOutOfRange)
}

/// Decodes B64, refusing before decoding anything longer than `max_bytes` could encode to.
fn decode_bounded(encoded: &str, max_bytes: usize) -> Result<Vec<u8>, ParseError> {
    if encoded.len() > max_bytes.div_ceil(3) * 4 {
        return Err(ParseError::Base64);
    }
    B64.decode(encoded).map_err(|_| ParseError::Base64)
}

#[cfg(test)]
mod tests;

#[cfg(all(test, not(target_arch = "wasm32")))]
mod proptests {
    use super::super::argon2id::{MAX_MEMORY_KIB, MAX_PARALLELISM, MAX_TIME_COST};
    use super::*;
    use crate::proptest_config::with_cases;
    use proptest::prelude::*;

    fn kdf() -> impl Strategy<Value = Kdf> {
        prop_oneof![
            (MIN_ITERATIONS..=MAX_ITERATIONS)
                .prop_map(|iterations| Kdf::Pbkdf2Sha256 { iterations }),
            (1..=MAX_PARALLELISM, 1..=MAX_TIME_COST, 0..=MAX_MEMORY_KIB).prop_map(|(p, t, m)| {
                Kdf::Argon2id(Argon2Params {
                    memory_kib: m.max(8 * p),
                    time_cost: t,
                    parallelism: p,
                })
            }),
        ]
    }

    /// Strings that look like PHC strings: `$`-separated fields of the characters PHC uses, so the
    /// parser gets past its first checks far more often than with arbitrary text.
    fn phc_like() -> impl Strategy<Value = String> {
        let field = "[a-z0-9=,+/A-Z-]{0,24}";
        (
            prop_oneof![
                Just("pbkdf2-sha256".to_owned()),
                Just("argon2id".to_owned()),
                "[a-z0-9-]{0,16}"
            ],
            proptest::collection::vec(field, 0..6),
        )
            .prop_map(|(algorithm, fields)| format!("${algorithm}${}", fields.join("$")))
    }

    proptest! {
        #![proptest_config(with_cases(512))]

        #[test]
        fn parse_never_panics_on_any_text(s in any::<String>()) {
            let _ = parse(&s);
        }

        #[test]
        fn parse_never_panics_on_phc_like_text(s in phc_like()) {
            let _ = parse(&s);
        }

        #[test]
        fn format_then_parse_is_the_identity(
            kdf in kdf(),
            salt in proptest::collection::vec(any::<u8>(), MIN_SALT_LEN..=MAX_SALT_LEN),
            hash in any::<[u8; HASH_LEN]>(),
        ) {
            let text = format(kdf, &salt, &hash);
            prop_assert_eq!(parse(&text), Ok(PhcHash { kdf, salt, hash }));
        }

        /// A salt or hash field longer than its bound is refused by its length, before any decoding:
        /// the field here is valid base64 of too many bytes, which decoding would accept and only the
        /// length check after it would refuse as `SaltLength`/`HashLength`.
        #[test]
        fn oversized_fields_are_refused_before_decoding(
            extra in 1usize..4096,
            salt_too_long in any::<bool>(),
        ) {
            let (salt, hash) = if salt_too_long {
                (vec![1u8; MAX_SALT_LEN + 3 * extra], vec![2u8; HASH_LEN])
            } else {
                (vec![1u8; MIN_SALT_LEN], vec![2u8; HASH_LEN + 3 * extra])
            };
            let text = format!(
                "${PBKDF2_SHA256}$i=1000${}${}",
                B64.encode(&salt),
                B64.encode(&hash)
            );
            prop_assert_eq!(parse(&text), Err(ParseError::Base64));
        }
    }
}
