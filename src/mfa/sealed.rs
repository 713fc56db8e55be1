//! TOTP secrets at rest: AES-256-GCM under SHA-256 of `MFA_ENCRYPTION_KEY`, a fresh 96-bit IV per seal,
//! written as Medusa 2.21 writes them (`v1:<iv>:<tag>:<ciphertext>`, each base64url), so a factor
//! exported from Medusa opens here with the same key, and back.

use crate::b64::URL_SAFE_NO_PAD as B64URL;
use crate::ports::cipher::{Aead, AeadKey, CipherError};
use crate::ports::random::{self, RandomError};
use sha2::{Digest, Sha256};

/// The layout's version tag, Medusa's.
const VERSION: &str = "v1";
const TAG_BYTES: usize = 16;

/// The AES key of a configured `MFA_ENCRYPTION_KEY`: its SHA-256, as Medusa derives it.
pub fn derive_key(encryption_key: &str) -> AeadKey {
    AeadKey::new(Sha256::digest(encryption_key.as_bytes()).into())
}

/// Why a secret could not be sealed or opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SealError {
    /// No randomness for the IV.
    Random(RandomError),
    /// Not our layout, or the cipher refused it (wrong key, a flipped bit).
    Cipher,
}

impl From<CipherError> for SealError {
    fn from(_: CipherError) -> Self {
        Self::Cipher
    }
}

/// `secret` sealed under `key`, in the `v1:` layout.
pub async fn seal(aead: &dyn Aead, key: &AeadKey, secret: &str) -> Result<String, SealError> {
    let iv = random::bytes::<12>().map_err(SealError::Random)?;
    let mut sealed = aead.seal(key, &iv, &[], secret.as_bytes()).await?;
    // The cipher appends the tag; the layout keeps it in its own field.
    let tag = sealed.split_off(sealed.len() - TAG_BYTES);
    Ok(format!(
        "{VERSION}:{}:{}:{}",
        B64URL.encode(iv),
        B64URL.encode(tag),
        B64URL.encode(&sealed)
    ))
}

/// The secret sealed in `payload`, or [`SealError::Cipher`] for anything but an intact seal under `key`.
pub async fn open(aead: &dyn Aead, key: &AeadKey, payload: &str) -> Result<String, SealError> {
    let mut parts = payload.split(':');
    let (Some(VERSION), Some(iv), Some(tag), Some(body), None) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return Err(SealError::Cipher);
    };
    let decode = |s: &str| B64URL.decode(s.trim_end_matches('=')).ok();
    let (Some(iv), Some(tag), Some(mut body)) = (decode(iv), decode(tag), decode(body)) else {
        return Err(SealError::Cipher);
    };
    let iv: [u8; 12] = iv.try_into().map_err(|_| SealError::Cipher)?;
    if tag.len() != TAG_BYTES {
        return Err(SealError::Cipher);
    }
    body.extend_from_slice(&tag);
    let plain = aead.open(key, &iv, &[], &body).await?;
    String::from_utf8(plain).map_err(|_| SealError::Cipher)
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::mfa::cipher::RustAead;
    use futures::executor::block_on;

    #[test]
    fn a_sealed_secret_opens_with_its_key_only() {
        let key = derive_key("k".repeat(32).as_str());
        let sealed = block_on(seal(&RustAead, &key, "JBSWY3DPEHPK3PXP")).unwrap();
        assert!(sealed.starts_with("v1:"));
        assert!(!sealed.contains("JBSWY3DPEHPK3PXP"));
        assert_eq!(
            block_on(open(&RustAead, &key, &sealed)).unwrap(),
            "JBSWY3DPEHPK3PXP"
        );
        let other = derive_key("x".repeat(32).as_str());
        assert_eq!(
            block_on(open(&RustAead, &other, &sealed)),
            Err(SealError::Cipher)
        );
    }

    #[test]
    fn two_seals_of_one_secret_differ() {
        let key = derive_key("k");
        let a = block_on(seal(&RustAead, &key, "S")).unwrap();
        let b = block_on(seal(&RustAead, &key, "S")).unwrap();
        assert_ne!(a, b);
    }

    #[test]
    fn tampered_or_malformed_payloads_are_refused_without_panicking() {
        let key = derive_key("k");
        let sealed = block_on(seal(&RustAead, &key, "JBSWY3DP")).unwrap();
        let mut flipped = sealed.clone().into_bytes();
        let last = flipped.len() - 1;
        flipped[last] = if flipped[last] == b'A' { b'B' } else { b'A' };
        let flipped = String::from_utf8(flipped).unwrap();
        for bad in [
            flipped.as_str(),
            "",
            "v1",
            "v1:::",
            "v2:AAAAAAAAAAAAAAAA:AAAAAAAAAAAAAAAAAAAAAA:AA",
            "v1:AAAA:AAAAAAAAAAAAAAAAAAAAAA:AA",
            "v1:AAAAAAAAAAAAAAAA:AAAA:AA",
            "v1:!!:!!:!!",
            &format!("{sealed}:extra"),
        ] {
            assert_eq!(
                block_on(open(&RustAead, &key, bad)),
                Err(SealError::Cipher),
                "{bad:?}"
            );
        }
    }

    /// A payload sealed by Node's `crypto.createCipheriv("aes-256-gcm", sha256("medusa-test-key"), iv)`
    /// exactly as Medusa 2.21's `encryptSecret` writes it (iv = twelve 0x07 bytes; computed once with
    /// node:crypto), so a factor exported from Medusa opens here.
    #[test]
    fn opens_what_medusa_sealed() {
        let key = derive_key("medusa-test-key");
        let payload = "v1:BwcHBwcHBwcHBwcH:BtBXMHnVLUXTC89Bpd5tpA:GZfVQH1xd8BuF6HjMs2Mjg";
        assert_eq!(
            block_on(open(&RustAead, &key, payload)).unwrap(),
            "JBSWY3DPEHPK3PXP"
        );
    }
}
