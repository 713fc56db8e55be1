//! Argon2id hashes, made and checked against the reference implementation, and switching algorithms:
//! either kind verifies under either configuration and asks to be re-hashed when it differs.

use super::*;

/// Password "correct horse battery staple", salt "edge-auth-salt16", made by the reference C implementation
/// (Debian's `argon2` 20190702): `echo -n "$pw" | argon2 edge-auth-salt16 -id -t 1 -k 64 -p 1 -l 32 -e`.
const REFERENCE_ARGON2ID_SMALL: &str = "$argon2id$v=19$m=64,t=1,p=1$ZWRnZS1hdXRoLXNhbHQxNg$SX6/WWo1FOfUIvmaiFYwrG34IZKGYJWWd6nEkjVi4Cs";
/// The same at OWASP's parameters (`-t 2 -k 19456 -p 1`).
#[cfg(feature = "argon2id")]
const REFERENCE_ARGON2ID_OWASP: &str = "$argon2id$v=19$m=19456,t=2,p=1$ZWRnZS1hdXRoLXNhbHQxNg$EYOZwltXrdfAHLG3yu9KNUHhqYXQVxJF0Ud2Wdhb4rQ";
/// The small one with pepper "pepper-secret": the CLI fed
/// `openssl dgst -sha256 -hmac pepper-secret -binary` of the password.
#[cfg(feature = "argon2id")]
const REFERENCE_ARGON2ID_PEPPERED: &str = "$argon2id$v=19$m=64,t=1,p=1$ZWRnZS1hdXRoLXNhbHQxNg$b8iQm1GhJQwKF3YMnv8m/kQ2ZLIGWRjm7WEwRiuINeE";
#[cfg(feature = "argon2id")]
const REFERENCE_SALT: &[u8] = b"edge-auth-salt16";

/// Argon2id at the reference strings' small parameters, so tests spend 64 KiB, not 19 MiB.
#[cfg(feature = "argon2id")]
const SMALL_ARGON2: Argon2Params = Argon2Params {
    memory_kib: 64,
    time_cost: 1,
    parallelism: 1,
};

#[cfg(feature = "argon2id")]
fn argon2_hasher(pepper: Option<&str>) -> Hasher {
    Hasher::with_algorithm(Algorithm::Argon2id, FAST, pepper)
        .expect("valid")
        .with_argon2_params(SMALL_ARGON2)
}

#[test]
fn algorithm_names_parse_case_insensitively() {
    assert_eq!(Algorithm::parse("pbkdf2"), Some(Algorithm::Pbkdf2));
    assert_eq!(Algorithm::parse(" Argon2id "), Some(Algorithm::Argon2id));
    for bad in ["", "argon2", "argon2i", "pbkdf2-sha256", "scrypt", "bcrypt"] {
        assert_eq!(Algorithm::parse(bad), None, "{bad:?}");
    }
    for algorithm in [Algorithm::Pbkdf2, Algorithm::Argon2id] {
        assert_eq!(Algorithm::parse(algorithm.name()), Some(algorithm));
    }
}

#[cfg(feature = "argon2id")]
#[test]
fn argon2id_hash_for_a_known_salt_matches_the_reference_implementation() {
    assert_eq!(
        argon2_hasher(None).hash_with_salt(NODE_PASSWORD, REFERENCE_SALT),
        REFERENCE_ARGON2ID_SMALL
    );
    assert_eq!(
        argon2_hasher(Some("pepper-secret")).hash_with_salt(NODE_PASSWORD, REFERENCE_SALT),
        REFERENCE_ARGON2ID_PEPPERED
    );
}

#[cfg(feature = "argon2id")]
#[test]
fn argon2id_at_owasp_parameters_matches_the_reference_implementation() {
    let owasp = Hasher::with_algorithm(Algorithm::Argon2id, FAST, None).expect("valid");
    assert_eq!(
        owasp.hash_with_salt(NODE_PASSWORD, REFERENCE_SALT),
        REFERENCE_ARGON2ID_OWASP
    );
    assert_eq!(
        owasp.verify(NODE_PASSWORD, REFERENCE_ARGON2ID_OWASP),
        Verification::Match {
            needs_rehash: false
        }
    );
}

#[cfg(feature = "argon2id")]
#[test]
fn fresh_argon2id_hash_has_the_phc_shape_and_verifies() {
    let hasher = Hasher::with_algorithm(Algorithm::Argon2id, FAST, None).expect("valid");
    assert_eq!(hasher.algorithm(), Algorithm::Argon2id);
    let stored = hasher.hash("hunter2hunter2").expect("hash");
    assert!(
        stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{stored}"
    );
    assert_eq!(
        hasher.verify("hunter2hunter2", &stored),
        Verification::Match {
            needs_rehash: false
        }
    );
    assert_eq!(
        hasher.verify("hunter2hunter3", &stored),
        Verification::Mismatch
    );
}

#[cfg(feature = "argon2id")]
#[test]
fn a_pbkdf2_hasher_verifies_argon2id_hashes_and_asks_to_rehash() {
    assert_eq!(
        hasher().verify(NODE_PASSWORD, REFERENCE_ARGON2ID_SMALL),
        Verification::Match { needs_rehash: true }
    );
    assert_eq!(
        hasher().verify("wrong password", REFERENCE_ARGON2ID_SMALL),
        Verification::Mismatch
    );
}

#[cfg(feature = "argon2id")]
#[test]
fn an_argon2id_hasher_verifies_pbkdf2_hashes_and_asks_to_rehash() {
    assert_eq!(
        argon2_hasher(None).verify(NODE_PASSWORD, NODE_PHC),
        Verification::Match { needs_rehash: true }
    );
    assert_eq!(
        argon2_hasher(Some("pepper-secret")).verify(NODE_PASSWORD, NODE_PEPPERED_PHC),
        Verification::Match { needs_rehash: true }
    );
}

#[cfg(feature = "argon2id")]
#[test]
fn argon2id_hashes_with_other_parameters_are_rehashed() {
    let owasp = Hasher::with_algorithm(Algorithm::Argon2id, FAST, None).expect("valid");
    assert_eq!(
        owasp.verify(NODE_PASSWORD, REFERENCE_ARGON2ID_SMALL),
        Verification::Match { needs_rehash: true }
    );
    assert_eq!(
        argon2_hasher(None).verify(NODE_PASSWORD, REFERENCE_ARGON2ID_SMALL),
        Verification::Match {
            needs_rehash: false
        }
    );
}

#[cfg(feature = "argon2id")]
#[test]
fn the_pepper_applies_to_argon2id_as_to_pbkdf2() {
    let peppered = argon2_hasher(Some("pepper-secret"));
    assert_eq!(
        peppered.verify(NODE_PASSWORD, REFERENCE_ARGON2ID_PEPPERED),
        Verification::Match {
            needs_rehash: false
        }
    );
    assert_eq!(
        peppered.verify(NODE_PASSWORD, REFERENCE_ARGON2ID_SMALL),
        Verification::Mismatch
    );
    assert_eq!(
        argon2_hasher(None).verify(NODE_PASSWORD, REFERENCE_ARGON2ID_PEPPERED),
        Verification::Mismatch
    );
}

#[cfg(feature = "argon2id")]
#[test]
fn argon2id_dummy_work_is_one_argon2id_at_the_configured_parameters() {
    let hasher = argon2_hasher(None);
    let stored = hasher.hash_with_salt(NODE_PASSWORD, REFERENCE_SALT);
    let wrong = work_of(|| {
        assert_eq!(
            hasher.verify("not the password", &stored),
            Verification::Mismatch
        )
    });
    assert_eq!(wrong, [(kdf::Kdf::Argon2id(SMALL_ARGON2), 16)]);
    assert_eq!(work_of(|| hasher.spend_dummy("not the password")), wrong);
    assert_eq!(
        work_of(|| hasher.spend_dummy(&"x".repeat(100_000))),
        [(kdf::Kdf::Argon2id(SMALL_ARGON2), 0)]
    );
}

#[cfg(feature = "argon2id")]
#[test]
fn argon2id_hasher_still_checks_the_pbkdf2_iterations() {
    assert_eq!(
        Hasher::with_algorithm(Algorithm::Argon2id, 10, None).err(),
        Some(PasswordError::BadIterations(10))
    );
}

#[cfg(not(feature = "argon2id"))]
#[test]
fn without_the_feature_argon2id_is_refused_and_its_hashes_never_match() {
    assert_eq!(
        Hasher::with_algorithm(Algorithm::Argon2id, FAST, None).err(),
        Some(PasswordError::Argon2idUnavailable)
    );
    assert_eq!(
        hasher().verify(NODE_PASSWORD, REFERENCE_ARGON2ID_SMALL),
        Verification::Mismatch
    );
}

#[test]
fn unavailable_argon2id_message_names_the_feature() {
    assert_eq!(
        PasswordError::Argon2idUnavailable.to_string(),
        "argon2id is not available in this build (it was compiled without the cargo feature `argon2id`)"
    );
}
