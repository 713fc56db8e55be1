//! The PHC string form of a PBKDF2-HMAC-SHA256 hash:
//! `$pbkdf2-sha256$i=<iterations>,l=<hash length>$<salt>$<hash>`.
//!
//! Salt and hash use the PHC "B64" encoding, which is standard base64 without `=` padding. The parser is
//! strict (one algorithm, known parameters once each, canonical base64, bounded sizes) because every
//! value it accepts decides how much work `verify` will do.

use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD as B64;

use super::{HASH_LEN, MAX_ITERATIONS, MIN_ITERATIONS};

/// The PHC identifier of the only algorithm we produce and accept.
pub(super) const ALGORITHM: &str = "pbkdf2-sha256";
/// Salts outside this range were not made by us or any sane hasher; refusing them bounds the work.
pub(super) const MIN_SALT_LEN: usize = 8;
pub(super) const MAX_SALT_LEN: usize = 64;

/// A parsed, validated PHC string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct PhcHash {
    pub iterations: u32,
    pub salt: Vec<u8>,
    pub hash: [u8; HASH_LEN],
}

/// Why a stored string was refused. Callers only ever see a mismatch; the reason exists for tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ParseError {
    Shape,
    Algorithm,
    Parameter,
    IterationsOutOfRange,
    UnsupportedLength,
    Base64,
    SaltLength,
    HashLength,
}

pub(super) fn format(iterations: u32, salt: &[u8], hash: &[u8; HASH_LEN]) -> String {
    format!(
        "${ALGORITHM}$i={iterations},l={HASH_LEN}${}${}",
        B64.encode(salt),
        B64.encode(hash)
    )
}

pub(super) fn parse(stored: &str) -> Result<PhcHash, ParseError> {
    let mut fields = stored.split('$');
    // A PHC string starts with `$`, so the first field is empty.
    let (Some(""), Some(algorithm), Some(params), Some(salt), Some(hash), None) = (
        fields.next(),
        fields.next(),
        fields.next(),
        fields.next(),
        fields.next(),
        fields.next(),
    ) else {
        return Err(ParseError::Shape);
    };
    if algorithm != ALGORITHM {
        return Err(ParseError::Algorithm);
    }

    let (iterations, length) = parse_params(params)?;
    if !(MIN_ITERATIONS..=MAX_ITERATIONS).contains(&iterations) {
        return Err(ParseError::IterationsOutOfRange);
    }
    if length.is_some_and(|l| usize::try_from(l) != Ok(HASH_LEN)) {
        return Err(ParseError::UnsupportedLength);
    }

    let salt = decode_bounded(salt, MAX_SALT_LEN)?;
    if !(MIN_SALT_LEN..=MAX_SALT_LEN).contains(&salt.len()) {
        return Err(ParseError::SaltLength);
    }
    let hash = decode_bounded(hash, HASH_LEN)?;
    let hash: [u8; HASH_LEN] = hash.try_into().map_err(|_| ParseError::HashLength)?;

    Ok(PhcHash {
        iterations,
        salt,
        hash,
    })
}

/// Reads `i=<n>` (required) and `l=<n>` (optional: absent means our 32) in either order.
fn parse_params(params: &str) -> Result<(u32, Option<u32>), ParseError> {
    let mut iterations = None;
    let mut length = None;
    for pair in params.split(',') {
        let (key, value) = pair.split_once('=').ok_or(ParseError::Parameter)?;
        let slot = match key {
            "i" => &mut iterations,
            "l" => &mut length,
            _ => return Err(ParseError::Parameter),
        };
        if slot.replace(parse_decimal(value)?).is_some() {
            return Err(ParseError::Parameter);
        }
    }
    let iterations = iterations.ok_or(ParseError::Parameter)?;
    Ok((iterations, length))
}

/// Plain ASCII digits only: `u32::from_str` would also take a leading `+`, which PHC does not allow.
fn parse_decimal(value: &str) -> Result<u32, ParseError> {
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ParseError::Parameter);
    }
    // Too many digits overflows u32 and is reported as out of range, like any other huge count.
    value.parse().map_err(|_| ParseError::IterationsOutOfRange)
}

/// Decodes B64, refusing before decoding anything longer than `max_bytes` could encode to.
fn decode_bounded(encoded: &str, max_bytes: usize) -> Result<Vec<u8>, ParseError> {
    if encoded.len() > max_bytes.div_ceil(3) * 4 {
        return Err(ParseError::Base64);
    }
    B64.decode(encoded).map_err(|_| ParseError::Base64)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SALT: [u8; 16] = *b"0123456789abcdef";
    const HASH: [u8; HASH_LEN] = [7; HASH_LEN];

    fn valid() -> String {
        format(1000, &SALT, &HASH)
    }

    #[test]
    fn formatted_string_has_the_documented_shape() {
        assert_eq!(
            valid(),
            "$pbkdf2-sha256$i=1000,l=32$MDEyMzQ1Njc4OWFiY2RlZg$BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc"
        );
    }

    #[test]
    fn formatted_string_round_trips() {
        let parsed = parse(&valid()).expect("valid");
        assert_eq!(
            parsed,
            PhcHash {
                iterations: 1000,
                salt: SALT.to_vec(),
                hash: HASH
            }
        );
    }

    #[test]
    fn parameters_may_come_in_either_order_and_length_may_be_omitted() {
        let salt = B64.encode(SALT);
        let hash = B64.encode(HASH);
        for params in ["l=32,i=1000", "i=1000"] {
            let parsed = parse(&format!("$pbkdf2-sha256${params}${salt}${hash}")).expect(params);
            assert_eq!(parsed.iterations, 1000);
        }
    }

    #[test]
    fn malformed_strings_are_refused_with_a_reason() {
        let salt = B64.encode(SALT);
        let hash = B64.encode(HASH);
        let short_salt = B64.encode([1u8; 7]);
        let long_salt = B64.encode([1u8; 65]);
        let huge_salt = B64.encode([1u8; 100]);
        let short_hash = B64.encode([1u8; 31]);
        let cases: Vec<(String, ParseError)> = vec![
            (String::new(), ParseError::Shape),
            ("$".into(), ParseError::Shape),
            ("pbkdf2-sha256$i=1000,l=32$a$b".into(), ParseError::Shape),
            (
                format!("$pbkdf2-sha256$i=1000,l=32${salt}"),
                ParseError::Shape,
            ),
            (format!("{}$extra", valid()), ParseError::Shape),
            (
                format!("$pbkdf2-sha512$i=1000,l=32${salt}${hash}"),
                ParseError::Algorithm,
            ),
            (
                format!("$scrypt$i=1000,l=32${salt}${hash}"),
                ParseError::Algorithm,
            ),
            (
                format!("$pbkdf2-sha256$l=32${salt}${hash}"),
                ParseError::Parameter,
            ),
            (format!("$pbkdf2-sha256$$${salt}${hash}"), ParseError::Shape),
            (
                format!("$pbkdf2-sha256$${salt}${hash}"),
                ParseError::Parameter,
            ),
            (
                format!("$pbkdf2-sha256$i=1000,i=1000${salt}${hash}"),
                ParseError::Parameter,
            ),
            (
                format!("$pbkdf2-sha256$i=1000,x=1${salt}${hash}"),
                ParseError::Parameter,
            ),
            (
                format!("$pbkdf2-sha256$i=+1000${salt}${hash}"),
                ParseError::Parameter,
            ),
            (
                format!("$pbkdf2-sha256$i=-1${salt}${hash}"),
                ParseError::Parameter,
            ),
            (
                format!("$pbkdf2-sha256$i=${salt}${hash}"),
                ParseError::Parameter,
            ),
            (
                format!("$pbkdf2-sha256$i${salt}${hash}"),
                ParseError::Parameter,
            ),
            (
                format!("$pbkdf2-sha256$i=0${salt}${hash}"),
                ParseError::IterationsOutOfRange,
            ),
            (
                format!("$pbkdf2-sha256$i=999${salt}${hash}"),
                ParseError::IterationsOutOfRange,
            ),
            (
                format!("$pbkdf2-sha256$i=10000001${salt}${hash}"),
                ParseError::IterationsOutOfRange,
            ),
            (
                format!("$pbkdf2-sha256$i=99999999999999999999${salt}${hash}"),
                ParseError::IterationsOutOfRange,
            ),
            (
                format!("$pbkdf2-sha256$i=1000,l=64${salt}${hash}"),
                ParseError::UnsupportedLength,
            ),
            (
                format!("$pbkdf2-sha256$i=1000,l=0${salt}${hash}"),
                ParseError::UnsupportedLength,
            ),
            (
                format!("$pbkdf2-sha256$i=1000$not*base64${hash}"),
                ParseError::Base64,
            ),
            (
                format!("$pbkdf2-sha256$i=1000${salt}=${hash}"),
                ParseError::Base64,
            ),
            (
                format!("$pbkdf2-sha256$i=1000${salt}${hash}=="),
                ParseError::Base64,
            ),
            (
                format!("$pbkdf2-sha256$i=1000${long_salt}${hash}"),
                ParseError::SaltLength,
            ),
            (
                format!("$pbkdf2-sha256$i=1000${huge_salt}${hash}"),
                ParseError::Base64,
            ),
            (
                format!("$pbkdf2-sha256$i=1000${short_salt}${hash}"),
                ParseError::SaltLength,
            ),
            (
                format!("$pbkdf2-sha256$i=1000$${hash}"),
                ParseError::SaltLength,
            ),
            (
                format!("$pbkdf2-sha256$i=1000${salt}${short_hash}"),
                ParseError::HashLength,
            ),
            (
                format!("$pbkdf2-sha256$i=1000${salt}$"),
                ParseError::HashLength,
            ),
        ];
        for (stored, reason) in cases {
            assert_eq!(parse(&stored), Err(reason), "{stored:?}");
        }
    }

    #[test]
    fn salts_of_8_and_64_bytes_are_accepted() {
        let hash = B64.encode(HASH);
        for len in [MIN_SALT_LEN, MAX_SALT_LEN] {
            let salt = B64.encode(vec![3u8; len]);
            let parsed = parse(&format!("$pbkdf2-sha256$i=1000${salt}${hash}")).expect("valid");
            assert_eq!(parsed.salt.len(), len);
        }
    }

    #[test]
    fn non_canonical_trailing_bits_are_refused() {
        // "AB" decodes to one byte but leaves non-zero unused bits; only "AA" is canonical for 0x00.
        let hash = B64.encode(HASH);
        let salt = format!("{}AB", B64.encode([0u8; 9]));
        assert_eq!(
            parse(&format!("$pbkdf2-sha256$i=1000${salt}${hash}")),
            Err(ParseError::Base64)
        );
    }
}
