//! PKCE (RFC 7636) with S256 only: the verifier stays in the server-side state record; only its
//! SHA-256 challenge travels through the browser.

use crate::b64::URL_SAFE_NO_PAD as B64URL;
use crate::ports::random::{self, RandomError};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::fmt;

pub const METHOD: &str = "S256";

/// A code verifier: 32 random bytes, base64url (43 characters, the RFC's minimum length and 256 bits).
/// Single use, so not `Clone`; `Debug` is redacted.
#[derive(Serialize)]
#[serde(transparent)]
pub struct PkceVerifier(String);

impl PkceVerifier {
    pub fn generate() -> Result<Self, RandomError> {
        Ok(Self(B64URL.encode(random::bytes::<32>()?)))
    }

    /// The verifier a state record kept.
    pub fn stored(verifier: String) -> Self {
        Self(verifier)
    }

    /// `BASE64URL(SHA256(verifier))`.
    pub fn challenge(&self) -> String {
        B64URL.encode(Sha256::digest(self.0.as_bytes()))
    }

    /// Hands the verifier to the token request, the one place it is sent.
    pub fn into_secret(self) -> String {
        self.0
    }
}

impl fmt::Debug for PkceVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PkceVerifier(<redacted>)")
    }
}

/// 32 random bytes as base64url: `nonce` values for OpenID Connect.
pub fn random_urlsafe() -> Result<String, RandomError> {
    Ok(B64URL.encode(random::bytes::<32>()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenge_matches_rfc_7636_appendix_b() {
        let v = PkceVerifier("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk".into());
        assert_eq!(v.challenge(), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    }

    #[test]
    fn verifiers_are_43_urlsafe_characters_and_differ() {
        let a = PkceVerifier::generate().unwrap();
        let b = PkceVerifier::generate().unwrap();
        assert_eq!(a.0.len(), 43);
        assert!(
            a.0.bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
        );
        assert_ne!(a.0, b.0);
        assert_eq!(format!("{a:?}"), "PkceVerifier(<redacted>)");
    }
}
