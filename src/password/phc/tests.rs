//! The PHC parser and formatter: exact shapes, round trips, and every refusal with its reason.

use super::*;

const PBKDF2_1000: Kdf = Kdf::Pbkdf2Sha256 { iterations: 1000 };

const SALT: [u8; 16] = *b"0123456789abcdef";
const HASH: [u8; HASH_LEN] = [7; HASH_LEN];

fn valid() -> String {
    format(PBKDF2_1000, &SALT, &HASH)
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
            kdf: PBKDF2_1000,
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
        assert_eq!(parsed.kdf, PBKDF2_1000);
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
    // At the decoder's bound (whole base64 quanta for 64 and 32 bytes: 88 and 44 characters) a string is
    // still decoded and refused for its length; one quantum more is refused undecoded.
    let salt_at_bound = B64.encode([1u8; 66]);
    let salt_past_bound = B64.encode([1u8; 67]);
    let hash_at_bound = B64.encode([1u8; 33]);
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
        (
            format!("$pbkdf2-sha256$$${salt}${hash}"),
            ParseError::Parameter,
        ),
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
            ParseError::CostOutOfRange,
        ),
        (
            format!("$pbkdf2-sha256$i=999${salt}${hash}"),
            ParseError::CostOutOfRange,
        ),
        (
            format!("$pbkdf2-sha256$i=10000001${salt}${hash}"),
            ParseError::CostOutOfRange,
        ),
        (
            format!("$pbkdf2-sha256$i=99999999999999999999${salt}${hash}"),
            ParseError::CostOutOfRange,
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
            format!("$pbkdf2-sha256$i=1000${salt_at_bound}${hash}"),
            ParseError::SaltLength,
        ),
        (
            format!("$pbkdf2-sha256$i=1000${salt_past_bound}${hash}"),
            ParseError::Base64,
        ),
        (
            format!("$pbkdf2-sha256$i=1000${salt}${hash_at_bound}"),
            ParseError::HashLength,
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

// --- Argon2id ----------------------------------------------------------------------------------------------

const OWASP: Kdf = Kdf::Argon2id(Argon2Params::OWASP);

#[test]
fn argon2id_string_has_the_reference_shape() {
    // The shape `argon2 <salt> -id -e` (the reference CLI) prints.
    assert_eq!(
        format(OWASP, &SALT, &HASH),
        "$argon2id$v=19$m=19456,t=2,p=1$MDEyMzQ1Njc4OWFiY2RlZg$BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc"
    );
}

#[test]
fn argon2id_string_round_trips() {
    let parsed = parse(&format(OWASP, &SALT, &HASH)).expect("valid");
    assert_eq!(
        parsed,
        PhcHash {
            kdf: OWASP,
            salt: SALT.to_vec(),
            hash: HASH
        }
    );
}

#[test]
fn argon2id_parameters_may_come_in_any_order() {
    let salt = B64.encode(SALT);
    let hash = B64.encode(HASH);
    let parsed = parse(&format!("$argon2id$v=19$p=1,t=2,m=19456${salt}${hash}")).expect("valid");
    assert_eq!(parsed.kdf, OWASP);
}

#[test]
fn malformed_argon2id_strings_are_refused_with_a_reason() {
    let salt = B64.encode(SALT);
    let hash = B64.encode(HASH);
    let cases: Vec<(String, ParseError)> = vec![
        (
            format!("$argon2id$m=19456,t=2,p=1${salt}${hash}"),
            ParseError::Version,
        ),
        (
            format!("$argon2id$v=16$m=19456,t=2,p=1${salt}${hash}"),
            ParseError::Version,
        ),
        (
            format!("$argon2i$v=19$m=19456,t=2,p=1${salt}${hash}"),
            ParseError::Algorithm,
        ),
        (
            format!("$argon2d$v=19$m=19456,t=2,p=1${salt}${hash}"),
            ParseError::Algorithm,
        ),
        ("$argon2id$v=19".into(), ParseError::Shape),
        (
            format!("$argon2id$v=19$m=19456,t=2,p=1${salt}"),
            ParseError::Shape,
        ),
        (
            format!("$argon2id$v=19$m=19456,t=2,p=1${salt}${hash}$x"),
            ParseError::Shape,
        ),
        (
            format!("$argon2id$v=19$m=19456,t=2${salt}${hash}"),
            ParseError::Parameter,
        ),
        (
            format!("$argon2id$v=19$m=19456,t=2,p=1,p=1${salt}${hash}"),
            ParseError::Parameter,
        ),
        (
            format!("$argon2id$v=19$m=19456,t=2,p=1,keyid=AAAA${salt}${hash}"),
            ParseError::Parameter,
        ),
        (
            format!("$argon2id$v=19$m=19456,t=2,p=+1${salt}${hash}"),
            ParseError::Parameter,
        ),
        (
            format!("$argon2id$v=19$m=65537,t=2,p=1${salt}${hash}"),
            ParseError::CostOutOfRange,
        ),
        (
            format!("$argon2id$v=19$m=4294967296,t=2,p=1${salt}${hash}"),
            ParseError::CostOutOfRange,
        ),
        (
            format!("$argon2id$v=19$m=19456,t=0,p=1${salt}${hash}"),
            ParseError::CostOutOfRange,
        ),
        (
            format!("$argon2id$v=19$m=19456,t=11,p=1${salt}${hash}"),
            ParseError::CostOutOfRange,
        ),
        (
            format!("$argon2id$v=19$m=15,t=2,p=2${salt}${hash}"),
            ParseError::CostOutOfRange,
        ),
        (
            format!("$argon2id$v=19$m=19456,t=2,p=1$${hash}"),
            ParseError::SaltLength,
        ),
        (
            format!("$argon2id$v=19$m=19456,t=2,p=1${salt}$AAAA"),
            ParseError::HashLength,
        ),
        (
            format!("$argon2id$v=19$m=19456,t=2,p=1${salt}${hash}="),
            ParseError::Base64,
        ),
    ];
    for (stored, reason) in cases {
        assert_eq!(parse(&stored), Err(reason), "{stored:?}");
    }
}
