//! The specialised PBKDF2 against published vectors and, on many random inputs, against the `pbkdf2`,
//! `hmac` and `sha2` crates (the reference implementations it must equal bit for bit).

use super::*;
use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(hex: &str) -> Vec<u8> {
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex"))
        .collect()
}

use crate::splitmix::SplitMix64;

/// (password, salt, iterations, expected derived key in hex)
///
/// The first two are RFC 7914 §11 (the PBKDF2-HMAC-SHA256 vectors of the scrypt RFC). The third uses the
/// inputs of RFC 6070's c=4096 vector with SHA-256 in place of SHA-1. All three were re-checked with
/// Node's `crypto.pbkdf2Sync(p, s, c, len, "sha256")`.
const VECTORS: &[(&str, &str, u32, &str)] = &[
    (
        "passwd",
        "salt",
        1,
        "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc\
         49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783",
    ),
    (
        "Password",
        "NaCl",
        80_000,
        "4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56\
         a1d425a1225833549adb841b51c9b3176a272bdebba1d078478f62b397f33c8d",
    ),
    (
        "password",
        "salt",
        4096,
        "c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a",
    ),
];

#[test]
fn pbkdf2_hmac_sha256_matches_published_vectors() {
    for &(password, salt, iterations, expected) in VECTORS {
        let mut out = vec![0u8; expected.len() / 2];
        pbkdf2_hmac_sha256(password.as_bytes(), salt.as_bytes(), iterations, &mut out);
        assert_eq!(
            hex(&out),
            expected,
            "P={password:?} S={salt:?} c={iterations}"
        );
    }
}

/// The iteration loops: the wasm one (specialised compression on words) and the native one (sha2's
/// `compress256`). `pbkdf2_hmac_sha256` runs one of them per target; the tests run both everywhere.
type Loop = fn(&HmacKey, State, u32) -> State;
const LOOPS: [(&str, Loop); 2] = [
    ("words", iterate_words),
    ("compress256", iterate_compress256),
];

#[test]
fn both_loops_match_published_vectors() {
    for (name, iterate) in LOOPS {
        for &(password, salt, iterations, expected) in VECTORS {
            let mut out = vec![0u8; expected.len() / 2];
            derive_with(
                iterate,
                password.as_bytes(),
                salt.as_bytes(),
                iterations,
                &mut out,
            );
            assert_eq!(hex(&out), expected, "{name}: P={password:?} c={iterations}");
        }
    }
}

#[test]
fn both_loops_equal_the_pbkdf2_crate_on_random_inputs() {
    // Passwords 0..200 bytes (shorter, equal to and longer than the 64-byte HMAC block), salts 8..64
    // bytes (the PHC bounds), 1..3000 iterations, outputs of one to three PBKDF2 blocks.
    let seed = 0x0edc_e0a7_u64;
    let mut rng = SplitMix64(seed);
    for case in 0..300 {
        let password = rng.bytes_of_length_in(0..201);
        let salt = rng.bytes_of_length_in(8..65);
        let iterations = rng.below(1..3001) as u32;
        let out_len = if case % 3 == 0 { rng.below(1..97) } else { 32 };

        let mut reference = vec![0u8; out_len];
        pbkdf2::pbkdf2_hmac::<Sha256>(&password, &salt, iterations, &mut reference);
        for (name, iterate) in LOOPS {
            let mut ours = vec![0u8; out_len];
            derive_with(iterate, &password, &salt, iterations, &mut ours);
            assert_eq!(
                hex(&ours),
                hex(&reference),
                "{name}: seed {seed:#x} case {case}: password {} B, salt {} B, {iterations} iterations, \
                 {out_len} B out",
                password.len(),
                salt.len()
            );
        }
    }
}

#[test]
fn both_loops_equal_the_pbkdf2_crate_at_the_default_work_factor() {
    // One run at OWASP's 600,000 iterations, the count every login spends, on random inputs.
    let mut rng = SplitMix64(0x600_000);
    let password = rng.bytes(28);
    let salt = rng.bytes(16);
    let mut reference = [0u8; DIGEST_LEN];
    pbkdf2::pbkdf2_hmac::<Sha256>(&password, &salt, 600_000, &mut reference);
    for (name, iterate) in LOOPS {
        let mut ours = [0u8; DIGEST_LEN];
        derive_with(iterate, &password, &salt, 600_000, &mut ours);
        assert_eq!(hex(&ours), hex(&reference), "{name}");
    }
}

#[test]
fn zero_iterations_count_as_one_like_the_pbkdf2_crate() {
    let mut zero = [0u8; 32];
    let mut one = [0u8; 32];
    pbkdf2_hmac_sha256(b"password", b"saltsalt", 0, &mut zero);
    pbkdf2_hmac_sha256(b"password", b"saltsalt", 1, &mut one);
    assert_eq!(zero, one);
}

#[test]
fn hmac_matches_rfc_4231() {
    // (key, data, HMAC-SHA-256) of RFC 4231 test cases 1, 2, 6 (a 131-byte key) and 7.
    let long_key = "aa".repeat(131);
    let cases = [
        (
            "0b".repeat(20),
            hex(b"Hi There"),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
        ),
        (
            hex(b"Jefe"),
            hex(b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
        ),
        (
            long_key.clone(),
            hex(b"Test Using Larger Than Block-Size Key - Hash Key First"),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
        ),
        (
            long_key,
            hex(
                b"This is a test using a larger than block-size key and a larger than \
                  block-size data. The key needs to be hashed before being used by the \
                  HMAC algorithm.",
            ),
            "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
        ),
    ];
    for (key, data, expected) in cases {
        let mac = HmacKey::new(&unhex(&key)).mac(&[&unhex(&data)]);
        assert_eq!(hex(&mac), expected, "key {key}");
    }
}

#[test]
fn hmac_equals_the_hmac_crate_for_keys_and_messages_around_the_block_size() {
    let mut rng = SplitMix64(7);
    for key_len in [0, 1, 31, 32, 63, 64, 65, 128, 200] {
        for message_len in [0, 1, 55, 56, 63, 64, 65, 119, 120, 128, 300] {
            let key = rng.bytes(key_len);
            let message = rng.bytes(message_len);
            let split = message_len / 3;
            let ours = HmacKey::new(&key).mac(&[&message[..split], &message[split..]]);
            let mut reference = <Hmac<Sha256> as KeyInit>::new_from_slice(&key).expect("any key");
            reference.update(&message);
            assert_eq!(
                ours.as_slice(),
                reference.finalize().into_bytes().as_slice(),
                "key {key_len} B, message {message_len} B"
            );
        }
    }
}

#[test]
fn sha256_padding_is_right_at_every_length_up_to_three_blocks() {
    // Lengths 55/56 and 63/64 are where the padding needs one more block.
    let mut rng = SplitMix64(11);
    for len in 0..=192 {
        let message = rng.bytes(len);
        assert_eq!(
            to_bytes(&finish(IV, 0, &[&message])).as_slice(),
            Sha256::digest(&message).as_slice(),
            "{len} bytes"
        );
    }
}

#[test]
fn digest_block_carries_the_padding_of_a_96_byte_message() {
    assert_eq!(&DIGEST_BLOCK[..DIGEST_LEN], &[0u8; DIGEST_LEN]);
    assert_eq!(DIGEST_BLOCK[DIGEST_LEN], 0x80);
    assert!(
        DIGEST_BLOCK[DIGEST_LEN + 1..BLOCK_LEN - 2]
            .iter()
            .all(|&b| b == 0)
    );
    assert_eq!(&DIGEST_BLOCK[BLOCK_LEN - 2..], &[0x03, 0x00]); // 768 bits
}
