//! The password KDFs as the Worker runs them: compiled to wasm with `+simd128`, in V8 (headless Chromium,
//! `wasm-pack test --headless --chrome -- --test wasm_kdf`). In wasm our PBKDF2 runs its own SHA-256
//! compression with a wasm SIMD message schedule (natively it runs sha2's), so it is checked here against
//! the `pbkdf2` crate too, not only natively.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used)]

use edge_auth::password::{Algorithm, Hasher, Verification, pbkdf2_hmac_sha256};
use sha2::Sha256;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[path = "support/splitmix.rs"]
mod splitmix;
use splitmix::SplitMix64;

#[wasm_bindgen_test]
fn pbkdf2_equals_the_pbkdf2_crate_on_random_inputs_in_wasm() {
    let mut rng = SplitMix64(0x0edc_e0a7);
    for case in 0..100 {
        let password = rng.bytes_of_length_in(0..201);
        let salt = rng.bytes_of_length_in(8..65);
        let iterations = rng.below(1..3001) as u32;
        let out_len = if case % 3 == 0 { rng.below(1..97) } else { 32 };
        let mut ours = vec![0u8; out_len];
        pbkdf2_hmac_sha256(&password, &salt, iterations, &mut ours);
        let mut reference = vec![0u8; out_len];
        pbkdf2::pbkdf2_hmac::<Sha256>(&password, &salt, iterations, &mut reference);
        assert_eq!(ours, reference, "case {case}: {iterations} iterations");
    }
}

#[wasm_bindgen_test]
fn pbkdf2_equals_the_pbkdf2_crate_on_longer_chains_in_wasm() {
    // A few inputs at 20,000-60,000 iterations: long chains of the specialised compression on states
    // and digests no short run reaches.
    let mut rng = SplitMix64(0x20_000);
    for case in 0..3 {
        let password = rng.bytes_of_length_in(1..80);
        let salt = rng.bytes(16);
        let iterations = 20_000 * (case + 1);
        let mut ours = [0u8; 32];
        pbkdf2_hmac_sha256(&password, &salt, iterations, &mut ours);
        let mut reference = [0u8; 32];
        pbkdf2::pbkdf2_hmac::<Sha256>(&password, &salt, iterations, &mut reference);
        assert_eq!(ours, reference, "case {case}: {iterations} iterations");
    }
}

#[wasm_bindgen_test]
fn argon2id_reference_hash_verifies_in_wasm() {
    // Made by the reference C implementation: echo -n "$pw" | argon2 edge-auth-salt16 -id -t 2 -k 19456 -p 1 -l 32 -e
    const OWASP: &str = "$argon2id$v=19$m=19456,t=2,p=1$ZWRnZS1hdXRoLXNhbHQxNg$EYOZwltXrdfAHLG3yu9KNUHhqYXQVxJF0Ud2Wdhb4rQ";
    let argon2id = Hasher::with_algorithm(Algorithm::Argon2id, 1000, None).unwrap();
    assert_eq!(
        argon2id.verify("correct horse battery staple", OWASP),
        Verification::Match {
            needs_rehash: false
        }
    );
    assert_eq!(
        argon2id.verify("correct horse battery stapler", OWASP),
        Verification::Mismatch
    );
    let fresh = argon2id.hash("correct horse").unwrap();
    assert!(
        fresh.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{fresh}"
    );
}

/// Medusa's hashes, made by the real npm `scrypt-kdf` (`tests/fixtures/medusa/`), verify in wasm as they
/// do natively: our scrypt's Salsa20/8 and ROMix in V8, Medusa's default (a 32 MiB table) included.
#[wasm_bindgen_test]
fn medusa_scrypt_hashes_verify_in_wasm() {
    let fixture: serde_json::Value =
        serde_json::from_str(include_str!("fixtures/medusa/scrypt-kdf.json")).unwrap();
    let hasher = Hasher::new(1000, None).unwrap();
    let mut verified = 0;
    for case in fixture["hashes"].as_array().unwrap() {
        let (password, hash) = (
            case["password"].as_str().unwrap(),
            case["hash"].as_str().unwrap(),
        );
        let accepted = case["accepted"].as_bool().unwrap();
        let outcome = hasher.verify(password, hash);
        assert_eq!(
            outcome,
            if accepted {
                Verification::Match { needs_rehash: true }
            } else {
                Verification::Mismatch
            },
            "{}",
            case["note"]
        );
        if accepted {
            assert_eq!(
                hasher.verify("wrong password", hash),
                Verification::Mismatch
            );
            verified += 1;
        }
    }
    assert_eq!(verified, 5);
}
