//! Medusa's blobs as the real `scrypt-kdf` package wrote them (`tests/fixtures/medusa/`), read and
//! derived again here; and every way a blob is refused before any scrypt work.

use super::*;
use crate::password::{Hasher, Verification, take_kdf_runs};
use serde_json::Value;

/// The committed fixture: `{password, logN, r, p, accepted, hash}` per case.
fn fixtures() -> Vec<(String, ScryptParams, String)> {
    let json: Value = serde_json::from_str(include_str!(
        "../../../tests/fixtures/medusa/scrypt-kdf.json"
    ))
    .expect("fixture is JSON");
    json["hashes"]
        .as_array()
        .expect("hashes")
        .iter()
        .map(|case| {
            let n = |k: &str| case[k].as_u64().expect("number");
            let params = ScryptParams {
                log_n: u8::try_from(n("logN")).expect("logN"),
                r: u32::try_from(n("r")).expect("r"),
                p: u32::try_from(n("p")).expect("p"),
            };
            let text = |k: &str| case[k].as_str().expect("string").to_owned();
            // The fixture's expectation and the bounds agree.
            assert_eq!(case["accepted"].as_bool(), Some(params.is_acceptable()));
            (text("password"), params, text("hash"))
        })
        .collect()
}

fn within_bounds() -> Vec<(String, ScryptParams, String)> {
    fixtures()
        .into_iter()
        .filter(|(_, params, _)| params.is_acceptable())
        .collect()
}

/// The blob with byte `at` replaced by `f(byte)`, re-encoded.
fn tampered(stored: &str, at: usize, f: impl Fn(u8) -> u8) -> String {
    let mut blob = STANDARD.decode(stored).expect("base64");
    blob[at] = f(blob[at]);
    STANDARD.encode(blob)
}

#[test]
fn blobs_made_by_scrypt_kdf_parse_with_their_parameters_and_format_back() {
    let cases = within_bounds();
    assert_eq!(cases.len(), 5, "the fixture's cases within the bounds");
    for (_, params, stored) in cases {
        let parsed = parse(&stored).expect("a scrypt-kdf blob");
        assert_eq!(parsed.kdf, Kdf::Scrypt(params));
        assert_eq!(parsed.salt.len(), SALT_LEN);
        assert_eq!(format(params, &parsed.salt, &parsed.hash), stored);
    }
}

#[test]
fn the_right_password_derives_the_blobs_hmac_and_a_wrong_one_does_not() {
    for (password, params, stored) in within_bounds() {
        let parsed = parse(&stored).expect("parses");
        let right = derive(password.as_bytes(), &parsed.salt, params).expect("memory");
        assert_eq!(right, parsed.hash, "{password}");
        let wrong = derive(b"not the password", &parsed.salt, params).expect("memory");
        assert_ne!(wrong, parsed.hash);
    }
}

#[test]
fn medusas_default_is_what_its_blobs_carry() {
    let (_, params, _) = &fixtures()[0];
    assert_eq!(*params, ScryptParams::MEDUSA);
    assert!(ScryptParams::MEDUSA.is_acceptable());
}

#[test]
fn parameters_beyond_the_bounds_are_refused_before_any_scrypt_work() {
    let beyond: Vec<_> = fixtures()
        .into_iter()
        .filter(|(_, params, _)| !params.is_acceptable())
        .collect();
    assert_eq!(beyond.len(), 2, "logN 16 with r 8 (64 MiB), logN 17");
    let hasher = Hasher::new(1_000, None).expect("valid");
    for (password, _, stored) in beyond {
        assert_eq!(parse(&stored), Err(ParseError::CostOutOfRange));
        // Through the hasher: a mismatch that spends today's cost once, never scrypt's.
        let _ = take_kdf_runs();
        assert_eq!(hasher.verify(&password, &stored), Verification::Mismatch);
        assert_eq!(take_kdf_runs(), [hasher.current_cost()]);
    }

    for (log_n, r, p) in [
        (0, 8, 1),
        (MAX_LOG_N + 1, 8, 1),
        (15, 0, 1),
        (15, MAX_R + 1, 1),
        (15, 8, 0),
        (15, 8, MAX_P + 1),
        // Within each bound alone, over the table's memory (128·8·2^16 = 64 MiB, 128·32·2^15 = 128 MiB).
        (16, 8, 1),
        (15, 32, 1),
        // Within memory, over the work bound (2^15·8·8 = 2^21).
        (15, 8, 8),
        // A high byte of r or p set: read whole, these are out of range; a reader that skipped the
        // byte would see r = 8 or p = 1 and fail only at the checksum.
        (15, 0x0001_0008, 1),
        (15, 0x0000_0108, 1),
        (15, 8, 0x0000_0101),
    ] {
        let params = ScryptParams { log_n, r, p };
        assert!(!params.is_acceptable(), "{params:?}");
        let stored = format(params, &[7; SALT_LEN], &[0; HASH_LEN]);
        assert_eq!(
            parse(&stored),
            Err(ParseError::CostOutOfRange),
            "{params:?}"
        );
    }
}

#[test]
fn malformed_blobs_are_refused_with_their_reason() {
    let (_, _, stored) = &fixtures()[0];
    // The checksum covers the parameters and the salt: changing either breaks it.
    assert_eq!(
        parse(&tampered(stored, 20, |b| b ^ 1)),
        Err(ParseError::Checksum)
    );
    assert_eq!(
        parse(&tampered(stored, 50, |b| b ^ 1)),
        Err(ParseError::Checksum)
    );
    assert_eq!(
        parse(&tampered(stored, 7, |_| 14)),
        Err(ParseError::Checksum)
    );
    assert_eq!(
        parse(&tampered(stored, 0, |_| b'S')),
        Err(ParseError::Algorithm)
    );
    assert_eq!(parse(&tampered(stored, 6, |_| 1)), Err(ParseError::Version));
    assert_eq!(parse(&stored[..124]), Err(ParseError::Shape));
    assert_eq!(parse(&format!("{stored}AAAA")), Err(ParseError::Shape));
    assert_eq!(parse(""), Err(ParseError::Shape));
    let not_base64 = format!("{}*", &stored[..127]);
    assert_eq!(parse(&not_base64), Err(ParseError::Base64));
}

#[test]
fn a_tampered_hmac_is_a_mismatch_not_an_error() {
    let (password, _, stored) = &within_bounds()[2];
    let hasher = Hasher::new(1_000, None).expect("valid");
    assert!(matches!(
        hasher.verify(password, stored),
        Verification::Match { needs_rehash: true }
    ));
    let flipped = tampered(stored, 95, |b| b ^ 0x80);
    assert_eq!(hasher.verify(password, &flipped), Verification::Mismatch);
}

#[test]
fn a_pepper_does_not_apply_to_medusas_hashes() {
    let (password, params, stored) = &within_bounds()[2];
    let peppered = Hasher::new(1_000, Some("pepper")).expect("valid");
    let _ = take_kdf_runs();
    assert!(matches!(
        peppered.verify(password, stored),
        Verification::Match { needs_rehash: true }
    ));
    assert_eq!(
        take_kdf_runs(),
        [crate::password::CostClass(Kdf::Scrypt(*params))]
    );
}

#[test]
fn cost_labels_read_back_within_the_same_bounds() {
    assert_eq!(
        parse_cost_params("ln=15,r=8,p=1"),
        Ok(Kdf::Scrypt(ScryptParams::MEDUSA))
    );
    for bad in [
        "ln=17,r=8,p=1",
        "ln=300,r=8,p=1",
        "ln=15,r=8",
        "ln=15,r=8,p=1,x=2",
        "n=15,r=8,p=1",
    ] {
        assert!(parse_cost_params(bad).is_err(), "{bad}");
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod proptests {
    use super::*;
    use crate::proptest_config::with_cases;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(with_cases(512))]

        #[test]
        fn parse_never_panics_on_any_text(s in any::<String>()) {
            let _ = parse(&s);
        }

        /// Any 96 bytes behind a valid header prefix: parameters anywhere in their ranges are either
        /// refused or within the bounds, never run unchecked.
        #[test]
        fn blobs_with_any_parameters_parse_only_within_the_bounds(
            log_n in any::<u8>(),
            r in any::<u32>(),
            p in any::<u32>(),
            salt in any::<[u8; SALT_LEN]>(),
            hash in any::<[u8; HASH_LEN]>(),
        ) {
            let params = ScryptParams { log_n, r, p };
            match parse(&format(params, &salt, &hash)) {
                Ok(parsed) => {
                    prop_assert!(params.is_acceptable());
                    prop_assert_eq!(parsed.kdf, Kdf::Scrypt(params));
                    prop_assert!((128 * u64::from(r)) << log_n <= MAX_MEMORY_BYTES);
                }
                Err(e) => {
                    prop_assert!(!params.is_acceptable());
                    prop_assert_eq!(e, ParseError::CostOutOfRange);
                }
            }
        }
    }
}
