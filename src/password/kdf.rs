//! The key derivation itself: optional pepper, then PBKDF2-HMAC-SHA256.

use std::borrow::Cow;

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use super::HASH_LEN;

/// What PBKDF2 receives as its password: the raw bytes, or `HMAC-SHA256(key = pepper, msg = password)`.
///
/// HMAC rather than concatenation so the pepper's length never matters and the pepper cannot be
/// confused with password bytes.
pub(super) fn kdf_input<'a>(pepper: Option<&[u8]>, password: &'a [u8]) -> Cow<'a, [u8]> {
    match pepper {
        None => Cow::Borrowed(password),
        Some(pepper) => {
            let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(pepper)
                .expect("HMAC accepts keys of any length");
            mac.update(password);
            Cow::Owned(mac.finalize().into_bytes().to_vec())
        }
    }
}

/// PBKDF2-HMAC-SHA256 with a 32-byte output.
pub(super) fn derive(input: &[u8], salt: &[u8], iterations: u32) -> [u8; HASH_LEN] {
    let mut out = [0u8; HASH_LEN];
    fill(input, salt, iterations, &mut out);
    out
}

fn fill(input: &[u8], salt: &[u8], iterations: u32, out: &mut [u8]) {
    pbkdf2::pbkdf2_hmac::<Sha256>(input, salt, iterations, out);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// (password, salt, iterations, expected derived key in hex)
    ///
    /// The first two are RFC 7914 §11 (the PBKDF2-HMAC-SHA256 vectors of the scrypt RFC). The third uses
    /// the inputs of RFC 6070's c=4096 vector with SHA-256 in place of SHA-1. All three were re-checked
    /// with Node's `crypto.pbkdf2Sync(p, s, c, len, "sha256")`.
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
            fill(password.as_bytes(), salt.as_bytes(), iterations, &mut out);
            assert_eq!(
                hex(&out),
                expected,
                "P={password:?} S={salt:?} c={iterations}"
            );
        }
    }

    #[test]
    fn derive_produces_the_first_32_bytes_of_the_stream() {
        let out = derive(b"password", b"salt", 4096);
        assert_eq!(hex(&out), VECTORS[2].3);
    }

    #[test]
    fn without_pepper_the_password_is_used_as_is() {
        assert_eq!(kdf_input(None, b"hunter22").as_ref(), b"hunter22");
    }

    #[test]
    fn pepper_is_applied_as_hmac_sha256_keyed_by_the_pepper() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        let input = kdf_input(Some(b"Jefe"), b"what do ya want for nothing?");
        assert_eq!(
            hex(&input),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn peppers_of_any_length_give_32_byte_inputs() {
        for pepper_len in [1, 32, 64, 65, 500] {
            let pepper = vec![b'k'; pepper_len];
            assert_eq!(kdf_input(Some(&pepper), b"password").len(), 32);
        }
    }
}
