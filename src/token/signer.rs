//! [`TokenSigner`]: signs and checks our auth tokens with the one configured algorithm: HS256 under
//! `JWT_SECRET`, or ES256 / EdDSA under `JWT_PRIVATE_KEY` with a `kid`, verifying with the current key
//! and the retired ones of `JWT_PREVIOUS_PUBLIC_KEYS`. The asymmetric operations go through the platform's
//! [`JwsCrypto`] (WebCrypto in wasm), so they are async; the public key is derived from the private one
//! once and kept for the signer's life (the Worker keeps one signer per isolate).

use super::jwk::{NamedKey, thumbprint};
use super::{Claims, JwtKey, TokenError};
use crate::ports::jws::{JwsAlgorithm, JwsCrypto, JwsPrivateKey};
use std::cell::OnceCell;
use std::fmt;
use std::rc::Rc;

/// The configured asymmetric keys (plain data, parsed by the configuration).
#[derive(Debug)]
pub struct AsymmetricKeys {
    /// `JWT_PRIVATE_KEY`: signs every new token.
    pub current: JwsPrivateKey,
    /// `JWT_KEY_ID`; without it the RFC 7638 thumbprint of the current public key.
    pub kid: Option<String>,
    /// `JWT_PREVIOUS_PUBLIC_KEYS`: retired keys whose tokens still verify.
    pub previous: Vec<NamedKey>,
}

/// How tokens are signed: the configuration's choice (`JWT_ALGORITHM`).
#[derive(Debug, Clone)]
pub enum Signing {
    /// HMAC-SHA256 under `JWT_SECRET` (Medusa's default).
    Hs256,
    /// ES256 or EdDSA under these keys.
    Asymmetric(Rc<AsymmetricKeys>),
}

impl Signing {
    /// The JOSE name of the one algorithm tokens are signed and accepted with.
    pub fn algorithm_name(&self) -> &'static str {
        match self {
            Self::Hs256 => super::ALGORITHM,
            Self::Asymmetric(keys) => keys.current.algorithm().name(),
        }
    }
}

/// Why the configured keys cannot be used; each names the variable to fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyCheckError {
    /// The platform refused the private key (e.g. a P-256 scalar of zero or above the group order),
    /// or cannot sign with it (no Ed25519 in this runtime).
    Unusable,
    /// The public key given with the private key (a JWK's `x`/`y`, a PKCS #8 `publicKey`) is not its own.
    PublicKeyMismatch,
    /// A previous key has the current key's `kid`.
    KidCollision(String),
}

impl KeyCheckError {
    /// The variable to fix.
    pub fn variable(&self) -> &'static str {
        match self {
            Self::Unusable | Self::PublicKeyMismatch => "JWT_PRIVATE_KEY",
            Self::KidCollision(_) => "JWT_PREVIOUS_PUBLIC_KEYS",
        }
    }
}

impl fmt::Display for KeyCheckError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unusable => f.write_str(
                "the platform refused the key (not a valid private key for JWT_ALGORITHM, or this runtime cannot sign with it)",
            ),
            Self::PublicKeyMismatch => {
                f.write_str("its public part does not belong to its private part")
            }
            Self::KidCollision(kid) => write!(
                f,
                "lists the kid {kid:?}, which is the current key's (JWT_KEY_ID or its thumbprint)"
            ),
        }
    }
}

/// A token could not be signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignError {
    /// The keys are unusable (a configuration problem).
    Keys(KeyCheckError),
    /// The platform failed to sign.
    Platform,
}

impl fmt::Display for SignError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Keys(e) => write!(f, "token signing key: {}: {e}", e.variable()),
            Self::Platform => f.write_str("the platform failed to sign a token"),
        }
    }
}

/// The keys once checked: the current one under its `kid`, then the previous ones.
#[derive(Debug)]
struct Checked {
    verifying: Vec<NamedKey>,
}

/// Fixed bytes the key check signs and verifies: a private key whose stated public key is not its own is
/// caught at start-up, not on the first token.
const KEY_CHECK_INPUT: &[u8] = b"edge-auth/key-check/v1";

/// Signs and checks auth tokens with the configured algorithm and keys.
pub struct TokenSigner {
    hmac: JwtKey,
    signing: Signing,
    crypto: Rc<dyn JwsCrypto>,
    checked: OnceCell<Result<Rc<Checked>, KeyCheckError>>,
}

impl fmt::Debug for TokenSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TokenSigner({})", self.signing.algorithm_name())
    }
}

/// The platform's [`JwsCrypto`]: WebCrypto in wasm, pure Rust natively.
pub fn platform_crypto() -> Rc<dyn JwsCrypto> {
    #[cfg(not(target_arch = "wasm32"))]
    return Rc::new(super::rust_jws::RustJws);
    #[cfg(target_arch = "wasm32")]
    return Rc::new(crate::webcrypto::WebCryptoJws);
}

impl TokenSigner {
    /// A signer over `signing`, with the HMAC key of `JWT_SECRET` for HS256, through the platform's
    /// crypto.
    pub fn new(hmac: JwtKey, signing: Signing) -> Self {
        Self::with_crypto(hmac, signing, platform_crypto())
    }

    /// [`Self::new`] through `crypto` (tests cross-check implementations with it).
    pub fn with_crypto(hmac: JwtKey, signing: Signing, crypto: Rc<dyn JwsCrypto>) -> Self {
        Self {
            hmac,
            signing,
            crypto,
            checked: OnceCell::new(),
        }
    }

    /// Derives and checks the asymmetric keys once (HS256: nothing to do). The Worker calls it before
    /// each request, so a bad key is a configuration error naming its variable, not a failed sign-in.
    pub async fn check_keys(&self) -> Result<(), KeyCheckError> {
        self.checked().await.map(drop)
    }

    async fn checked(&self) -> Result<Rc<Checked>, KeyCheckError> {
        let Signing::Asymmetric(keys) = &self.signing else {
            return Ok(Rc::new(Checked {
                verifying: Vec::new(),
            }));
        };
        if let Some(done) = self.checked.get() {
            return done.clone();
        }
        let result = check(keys, self.crypto.as_ref()).await.map(Rc::new);
        // Single-threaded: a concurrent first check computed the same result.
        let _ = self.checked.set(result.clone());
        result
    }

    /// Signs `claims`: HS256 as Medusa does, or with the current asymmetric key and its `kid`.
    pub async fn sign(&self, claims: &Claims) -> Result<String, SignError> {
        let Signing::Asymmetric(keys) = &self.signing else {
            return Ok(super::sign(claims, &self.hmac));
        };
        let checked = self.checked().await.map_err(SignError::Keys)?;
        let kid = &checked.verifying[0].kid;
        let algorithm = keys.current.algorithm();
        let input = super::asymmetric_signing_input(algorithm.name(), kid, claims);
        let signature = self
            .crypto
            .sign(&keys.current, input.as_bytes())
            .await
            .map_err(|_| SignError::Platform)?;
        Ok(super::with_signature(input, &signature))
    }

    /// The claims of `raw` if it is signed with the configured algorithm by a key we know (in
    /// asymmetric modes the current key or a previous one, by `kid`), well formed and unexpired.
    pub async fn verify(&self, raw: &str, now_secs: u64) -> Result<Claims, TokenError> {
        let Signing::Asymmetric(keys) = &self.signing else {
            return super::verify(raw, &self.hmac, now_secs);
        };
        let algorithm = keys.current.algorithm();
        let token = super::open_asymmetric(raw, algorithm.name(), JwsAlgorithm::SIGNATURE_LEN)?;
        let checked = self.checked().await.map_err(|_| TokenError::UnknownKey)?;
        let key = checked
            .verifying
            .iter()
            .find(|k| k.kid == token.kid)
            .ok_or(TokenError::UnknownKey)?;
        if !self
            .crypto
            .verify(&key.key, token.signing_input, &token.signature)
            .await
        {
            return Err(TokenError::BadSignature);
        }
        super::checked_claims(&token.payload()?, now_secs)
    }

    /// The public keys tokens verify with, current first: `None` in HS256 mode, which has none.
    pub async fn public_keys(&self) -> Result<Option<Vec<NamedKey>>, KeyCheckError> {
        match &self.signing {
            Signing::Hs256 => Ok(None),
            Signing::Asymmetric(_) => Ok(Some(self.checked().await?.verifying.clone())),
        }
    }
}

async fn check(keys: &AsymmetricKeys, crypto: &dyn JwsCrypto) -> Result<Checked, KeyCheckError> {
    let public = crypto
        .public_key(&keys.current)
        .await
        .map_err(|_| KeyCheckError::Unusable)?;
    if keys.current.public.as_ref().is_some_and(|p| *p != public) {
        return Err(KeyCheckError::PublicKeyMismatch);
    }
    let probe = crypto
        .sign(&keys.current, KEY_CHECK_INPUT)
        .await
        .map_err(|_| KeyCheckError::Unusable)?;
    if !crypto.verify(&public, KEY_CHECK_INPUT, &probe).await {
        return Err(KeyCheckError::Unusable);
    }
    let kid = keys.kid.clone().unwrap_or_else(|| thumbprint(&public));
    if keys.previous.iter().any(|p| p.kid == kid) {
        return Err(KeyCheckError::KidCollision(kid));
    }
    let mut verifying = vec![NamedKey { kid, key: public }];
    verifying.extend(keys.previous.iter().cloned());
    Ok(Checked { verifying })
}
