//! The key derivation itself: optional pepper, then the stored string's KDF with its parameters.

use std::borrow::Cow;

use super::HASH_LEN;
use super::argon2id::{self, Argon2Params};
use super::scrypt::{self, ScryptParams};
use edge_auth_kdf::{HmacKey, pbkdf2_hmac_sha256};

/// A KDF with its cost parameters: what a stored hash was made with, or what new hashes are made with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kdf {
    Pbkdf2Sha256 {
        iterations: u32,
    },
    Argon2id(Argon2Params),
    /// Medusa's scrypt-kdf blobs: verified, never made ([`super::scrypt`]).
    Scrypt(ScryptParams),
}

impl Kdf {
    /// Whether the KDF's input is peppered. Medusa had no pepper, so its scrypt hashes take the password
    /// as typed; the re-hash they get on the first sign-in is peppered like any other.
    pub(super) fn is_peppered(self) -> bool {
        !matches!(self, Kdf::Scrypt(_))
    }
}

/// What the KDF receives as its password: the raw bytes, or `HMAC-SHA256(key = pepper, msg = password)`.
///
/// HMAC rather than concatenation so the pepper's length never matters and the pepper cannot be
/// confused with password bytes. Both KDFs get the same input, so a pepper means the same everywhere.
pub(super) fn kdf_input<'a>(pepper: Option<&[u8]>, password: &'a [u8]) -> Cow<'a, [u8]> {
    match pepper {
        None => Cow::Borrowed(password),
        Some(pepper) => Cow::Owned(HmacKey::new(pepper).mac(&[password]).to_vec()),
    }
}

/// `kdf` of `input` and `salt`, 32 bytes; `None` for Argon2id in a build without it, or when scrypt's
/// table cannot be allocated.
pub(super) fn derive(kdf: Kdf, input: &[u8], salt: &[u8]) -> Option<[u8; HASH_LEN]> {
    #[cfg(test)]
    spent::record(kdf, input.len());
    match kdf {
        Kdf::Pbkdf2Sha256 { iterations } => {
            let mut out = [0u8; HASH_LEN];
            pbkdf2_hmac_sha256(input, salt, iterations, &mut out);
            Some(out)
        }
        Kdf::Argon2id(params) => argon2id::derive(input, salt, params),
        Kdf::Scrypt(params) => scrypt::derive(input, salt, params),
    }
}

/// Native tests count KDF work per path instead of timing it: every [`derive`] of this thread is logged.
#[cfg(test)]
pub(crate) mod spent {
    use super::Kdf;
    use crate::password::CostClass;
    use std::cell::RefCell;

    thread_local! {
        /// Every derivation of this thread, as (KDF with its cost, input length).
        static LOG: RefCell<Vec<(Kdf, usize)>> = const { RefCell::new(Vec::new()) };
    }

    pub(super) fn record(kdf: Kdf, input_len: usize) {
        LOG.with(|log| log.borrow_mut().push((kdf, input_len)));
    }

    /// The derivations of this thread since the last call, with their input lengths (each test runs on
    /// its own thread).
    pub(crate) fn take_derivations() -> Vec<(Kdf, usize)> {
        LOG.with(|log| log.take())
    }

    /// The KDF runs of this thread since the last call, as cost classes.
    pub fn take() -> Vec<CostClass> {
        take_derivations()
            .into_iter()
            .map(|(kdf, _)| CostClass(kdf))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn pbkdf2_derives_the_first_32_bytes_of_the_stream() {
        // RFC 6070's c=4096 inputs with SHA-256 (checked with Node's crypto.pbkdf2Sync).
        let out = derive(Kdf::Pbkdf2Sha256 { iterations: 4096 }, b"password", b"salt");
        assert_eq!(
            hex(&out.expect("pbkdf2 always runs")),
            "c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a"
        );
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
