//! Behaviour of [`Hasher`]. Work factors are kept at the minimum so the suite stays fast.

use super::*;

const FAST: u32 = MIN_ITERATIONS;

fn hasher() -> Hasher {
    Hasher::new(FAST, None).expect("valid iterations")
}

/// Salt 00 01 .. 0f, 1000 iterations, password "correct horse battery staple". Computed independently
/// with Node: `crypto.pbkdf2Sync(pw, salt, 1000, 32, "sha256")`, base64 with the `=` stripped.
const NODE_PHC: &str =
    "$pbkdf2-sha256$i=1000,l=32$AAECAwQFBgcICQoLDA0ODw$ppsXnjrdPB4KryJ6DrOqKqhkWrhv7PbKAMF1Eml8cZ4";
/// The same with pepper "pepper-secret": Node's
/// `pbkdf2Sync(createHmac("sha256", "pepper-secret").update(pw).digest(), salt, 1000, 32, "sha256")`.
const NODE_PEPPERED_PHC: &str =
    "$pbkdf2-sha256$i=1000,l=32$AAECAwQFBgcICQoLDA0ODw$YaysJUs3gvWL6E+QuOSX3VkVf+cKOmih5agx8tzA6cw";
const NODE_PASSWORD: &str = "correct horse battery staple";
const NODE_SALT: [u8; 16] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];

#[test]
fn hash_for_a_known_salt_matches_an_independent_implementation() {
    assert_eq!(hasher().hash_with_salt(NODE_PASSWORD, &NODE_SALT), NODE_PHC);
}

#[test]
fn peppered_hash_for_a_known_salt_matches_an_independent_implementation() {
    let peppered = Hasher::new(FAST, Some("pepper-secret")).expect("valid");
    assert_eq!(
        peppered.hash_with_salt(NODE_PASSWORD, &NODE_SALT),
        NODE_PEPPERED_PHC
    );
}

#[test]
fn independently_made_phc_string_verifies() {
    assert_eq!(
        hasher().verify(NODE_PASSWORD, NODE_PHC),
        Verification::Match {
            needs_rehash: false
        }
    );
}

#[test]
fn fresh_hash_verifies_without_rehash() {
    let hasher = hasher();
    let stored = hasher.hash("hunter2hunter2").expect("hash");
    assert!(
        stored.starts_with("$pbkdf2-sha256$i=1000,l=32$"),
        "{stored}"
    );
    assert_eq!(
        hasher.verify("hunter2hunter2", &stored),
        Verification::Match {
            needs_rehash: false
        }
    );
}

#[test]
fn wrong_password_is_a_mismatch() {
    let hasher = hasher();
    let stored = hasher.hash("hunter2hunter2").expect("hash");
    assert_eq!(
        hasher.verify("hunter2hunter3", &stored),
        Verification::Mismatch
    );
    assert_eq!(hasher.verify("", &stored), Verification::Mismatch);
}

#[test]
fn two_hashes_of_one_password_use_different_salts() {
    let hasher = hasher();
    assert_ne!(
        hasher.hash("same password").expect("hash"),
        hasher.hash("same password").expect("hash")
    );
}

#[test]
fn hash_made_with_other_iterations_matches_but_needs_rehash() {
    let old = Hasher::new(FAST, None).expect("valid");
    let stored = old.hash("correct horse").expect("hash");
    let current = Hasher::new(FAST + 1, None).expect("valid");
    assert_eq!(
        current.verify("correct horse", &stored),
        Verification::Match { needs_rehash: true }
    );
}

#[test]
fn hash_with_a_short_legacy_salt_matches_but_needs_rehash() {
    let hasher = hasher();
    let stored = hasher.hash_with_salt("correct horse", &[9u8; 8]);
    assert_eq!(
        hasher.verify("correct horse", &stored),
        Verification::Match { needs_rehash: true }
    );
}

#[test]
fn peppered_hash_does_not_verify_without_the_pepper_or_with_another() {
    let peppered = Hasher::new(FAST, Some("pepper-secret")).expect("valid");
    let stored = peppered.hash("correct horse").expect("hash");
    assert_eq!(
        peppered.verify("correct horse", &stored),
        Verification::Match {
            needs_rehash: false
        }
    );
    let plain = hasher();
    assert_eq!(
        plain.verify("correct horse", &stored),
        Verification::Mismatch
    );
    let other = Hasher::new(FAST, Some("other-pepper")).expect("valid");
    assert_eq!(
        other.verify("correct horse", &stored),
        Verification::Mismatch
    );
}

#[test]
fn empty_pepper_counts_as_none() {
    let empty = Hasher::new(FAST, Some("")).expect("valid");
    let stored = empty.hash("correct horse").expect("hash");
    assert_eq!(
        hasher().verify("correct horse", &stored),
        Verification::Match {
            needs_rehash: false
        }
    );
}

#[test]
fn malformed_stored_strings_are_mismatches_not_panics() {
    let hasher = hasher();
    let salt = "AAECAwQFBgcICQoLDA0ODw";
    let hash = "ppsXnjrdPB4KryJ6DrOqKqhkWrhv7PbKAMF1Eml8cZ4";
    let cases = [
        String::new(),
        "$".into(),
        "not a hash".into(),
        "$$$$".into(),
        format!("$pbkdf2-sha512$i=1000,l=32${salt}${hash}"),
        format!("$argon2i$v=19$m=65536,t=3,p=4${salt}${hash}"),
        format!("$argon2id$v=19$m=1048576,t=3,p=4${salt}${hash}"),
        format!("$argon2id$v=16$m=19456,t=2,p=1${salt}${hash}"),
        format!("$pbkdf2-sha256$i=1000,l=32$!!!${hash}"),
        format!("$pbkdf2-sha256$i=1000,l=32${salt}$%%%"),
        format!("$pbkdf2-sha256$i=0,l=32${salt}${hash}"),
        format!("$pbkdf2-sha256$i=4294967295,l=32${salt}${hash}"),
        format!("$pbkdf2-sha256$i=10000001,l=32${salt}${hash}"),
        format!("$pbkdf2-sha256$i=1000,l=64${salt}${hash}"),
        format!("$pbkdf2-sha256$i=1000,l=32${salt}"),
        format!("$pbkdf2-sha256$i=1000,l=32$${hash}"),
        format!("$pbkdf2-sha256${salt}${hash}"),
        "$pbkdf2-sha256$i=1000,l=32".into(),
        "$pbkdf2-sha256\u{0}$i=1000$é$ü".into(),
    ];
    for stored in &cases {
        assert_eq!(
            hasher.verify(NODE_PASSWORD, stored),
            Verification::Mismatch,
            "{stored:?}"
        );
    }
}

#[test]
fn oversized_password_never_matches() {
    let hasher = hasher();
    let long = "a".repeat(MAX_PASSWORD_BYTES + 1);
    // Even a string that would match if hashed is refused: the cap holds on verify as on hash.
    let stored = hasher.hash_with_salt(&long, &NODE_SALT);
    assert_eq!(hasher.verify(&long, &stored), Verification::Mismatch);
}

#[test]
fn hash_applies_the_policy_first() {
    let hasher = hasher();
    assert_eq!(hasher.hash("short"), Err(PasswordError::TooShort));
    assert_eq!(hasher.hash(&"a".repeat(1025)), Err(PasswordError::TooLong));
}

/// The derivations `f` ran on this thread, as (KDF with its cost, input length).
fn work_of(f: impl FnOnce()) -> Vec<(kdf::Kdf, usize)> {
    kdf::spent::take_derivations();
    f();
    kdf::spent::take_derivations()
}

#[test]
fn spend_dummy_costs_what_a_wrong_password_costs() {
    // An unknown email must cost one full KDF at the configured work factor, like a wrong password
    // for a known one; otherwise response times tell which emails exist.
    for iterations in [FAST, 5_000] {
        let hasher = Hasher::new(iterations, None).expect("valid");
        let stored = hasher.hash_with_salt(NODE_PASSWORD, &NODE_SALT);
        let wrong = work_of(|| {
            assert_eq!(
                hasher.verify("not the password", &stored),
                Verification::Mismatch
            );
        });
        let unknown = work_of(|| hasher.spend_dummy("not the password"));
        assert_eq!(wrong, [(kdf::Kdf::Pbkdf2Sha256 { iterations }, 16)]);
        assert_eq!(unknown, wrong, "{iterations}");
    }
}

#[test]
fn spend_dummy_accepts_any_input_and_skips_oversized_passwords_like_verify() {
    let hasher = hasher();
    let target = kdf::Kdf::Pbkdf2Sha256 { iterations: FAST };
    let at_cap = "a".repeat(MAX_PASSWORD_BYTES);
    let over_cap = "a".repeat(MAX_PASSWORD_BYTES + 1);
    assert_eq!(work_of(|| hasher.spend_dummy("")), [(target, 0)]);
    assert_eq!(work_of(|| hasher.spend_dummy(&at_cap)), [(target, 1024)]);
    // Longer than the cap: the KDF runs on an empty input, as `verify` does for the same password.
    let oversized = work_of(|| hasher.spend_dummy(&over_cap));
    assert_eq!(oversized, [(target, 0)]);
    assert_eq!(
        work_of(|| hasher.spend_dummy(&"x".repeat(100_000))),
        oversized
    );
    let stored = hasher.hash_with_salt(&over_cap, &NODE_SALT);
    let refused = work_of(|| assert_eq!(hasher.verify(&over_cap, &stored), Verification::Mismatch));
    assert_eq!(refused, oversized);
}

#[test]
fn an_unusable_stored_string_still_costs_one_kdf_at_the_current_work_factor() {
    let hasher = hasher();
    let work = work_of(|| {
        assert_eq!(
            hasher.verify(NODE_PASSWORD, "$md5$x"),
            Verification::Mismatch
        )
    });
    assert_eq!(
        work,
        [(
            kdf::Kdf::Pbkdf2Sha256 { iterations: FAST },
            NODE_PASSWORD.len()
        )]
    );
}

#[test]
fn a_password_of_exactly_the_maximum_length_hashes_and_verifies() {
    let hasher = hasher();
    let at_cap = "é".repeat(MAX_PASSWORD_BYTES / 2);
    assert_eq!(at_cap.len(), MAX_PASSWORD_BYTES);
    let stored = hasher.hash(&at_cap).expect("1,024 bytes are allowed");
    assert_eq!(
        hasher.verify(&at_cap, &stored),
        Verification::Match {
            needs_rehash: false
        }
    );
}

#[test]
fn iterations_outside_the_bounds_are_refused() {
    for bad in [0, 1, MIN_ITERATIONS - 1, MAX_ITERATIONS + 1, u32::MAX] {
        assert_eq!(
            Hasher::new(bad, None).err(),
            Some(PasswordError::BadIterations(bad))
        );
    }
    for good in [MIN_ITERATIONS, DEFAULT_ITERATIONS, MAX_ITERATIONS] {
        assert_eq!(Hasher::new(good, None).expect("valid").iterations(), good);
    }
}

#[test]
fn bad_iterations_message_names_the_bounds_and_the_value() {
    assert_eq!(
        PasswordError::BadIterations(5).to_string(),
        "PBKDF2 iterations must be between 1000 and 10000000, got 5"
    );
}

#[test]
fn debug_redacts_the_pepper() {
    let peppered = Hasher::new(FAST, Some("super-secret-pepper")).expect("valid");
    let shown = format!("{peppered:?}");
    assert_eq!(
        shown,
        "Hasher { kdf: Pbkdf2Sha256 { iterations: 1000 }, pepper: Some(<redacted>) }"
    );
    assert_eq!(
        format!("{:?}", hasher()),
        "Hasher { kdf: Pbkdf2Sha256 { iterations: 1000 }, pepper: None }"
    );
}

#[test]
fn random_failure_is_reported_with_its_source() {
    let err = PasswordError::Random(RandomError::Unavailable("no entropy".into()));
    assert!(std::error::Error::source(&err).is_some());
    assert!(err.to_string().contains("no entropy"));
}

/// Run with `cargo test --release --lib password -- --ignored --nocapture` to see the real cost.
#[test]
#[ignore = "slow in debug builds; a timing probe, not a behaviour check"]
fn default_work_factor_timing() {
    let hasher = Hasher::new(DEFAULT_ITERATIONS, None).expect("valid");
    let started = std::time::Instant::now();
    let stored = hasher.hash("correct horse battery staple").expect("hash");
    let hashed = started.elapsed();
    let started = std::time::Instant::now();
    let verdict = hasher.verify("correct horse battery staple", &stored);
    let verified = started.elapsed();
    assert_eq!(
        verdict,
        Verification::Match {
            needs_rehash: false
        }
    );
    eprintln!("{DEFAULT_ITERATIONS} iterations: hash {hashed:?}, verify {verified:?}");
}

/// Argon2id hashes and switching `PASSWORD_HASH`.
mod argon2id;
