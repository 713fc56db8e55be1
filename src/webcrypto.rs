//! [`SignatureVerifier`] over the platform's WebCrypto (`globalThis.crypto.subtle`: workerd, Node >= 20,
//! browsers): the key is imported as a JWK and checked with `subtle.verify`, so the wasm builds carry no
//! RSA or elliptic-curve code. [`WebCryptoAead`] seals MFA secrets with AES-GCM the same way. Reached through
//! `crate::js_object`, like `fetch`, without `web-sys`.

use crate::b64::URL_SAFE_NO_PAD as B64URL;
use crate::js_object::{self, awaited, get, set};
use crate::oauth::jwk::rsa_modulus_acceptable;
use crate::ports::cipher::{Aead, AeadKey, CipherError};
use crate::ports::jws::{JwsAlgorithm, JwsCrypto, JwsCryptoError, JwsPrivateKey, JwsPublicKey};
use crate::ports::signature::{PublicKey, SignatureVerifier};
use async_trait::async_trait;
use js_sys::{Array, Object, Uint8Array};
use wasm_bindgen::JsValue;

pub struct WebCryptoVerifier;

/// A plain object from string-valued fields.
fn object(fields: &[(&str, &str)]) -> Result<Object, JsValue> {
    let o = Object::new();
    for (k, v) in fields {
        set(&o, k, &JsValue::from_str(v))?;
    }
    Ok(o)
}

/// `await subtle[name](...args)`.
async fn call(subtle: &JsValue, name: &str, args: &[JsValue]) -> Result<JsValue, JsValue> {
    awaited(js_object::call(subtle, name, args)?).await
}

/// The JWK to import, the import algorithm and the verify algorithm of `key`.
fn algorithms(key: &PublicKey) -> Result<(Object, Object, Object), JsValue> {
    Ok(match key {
        PublicKey::Rsa { n, e } => {
            let (n, e) = (B64URL.encode(n), B64URL.encode(e));
            let jwk = object(&[("kty", "RSA"), ("n", &n), ("e", &e)])?;
            let import = object(&[("name", "RSASSA-PKCS1-v1_5"), ("hash", "SHA-256")])?;
            (jwk, import, object(&[("name", "RSASSA-PKCS1-v1_5")])?)
        }
        PublicKey::P256 { x, y } => {
            let (x, y) = (B64URL.encode(x), B64URL.encode(y));
            let jwk = object(&[("kty", "EC"), ("crv", "P-256"), ("x", &x), ("y", &y)])?;
            let import = object(&[("name", "ECDSA"), ("namedCurve", "P-256")])?;
            // WebCrypto's ECDSA signatures are the raw r || s of JWS, not DER.
            (
                jwk,
                import,
                object(&[("name", "ECDSA"), ("hash", "SHA-256")])?,
            )
        }
    })
}

async fn verify(key: &PublicKey, signing_input: &[u8], signature: &[u8]) -> Result<bool, JsValue> {
    // WebCrypto imports any RSA size; ours are those of the key set parser, whoever built the key.
    if let PublicKey::Rsa { n, .. } = key
        && !rsa_modulus_acceptable(n)
    {
        return Ok(false);
    }
    let (jwk, import, verify) = algorithms(key)?;
    verify_jwk(jwk, import, verify, signing_input, signature).await
}

/// Imports the public `jwk` with `import` and checks `signature` with `algorithm`.
async fn verify_jwk(
    jwk: Object,
    import: Object,
    algorithm: Object,
    signing_input: &[u8],
    signature: &[u8],
) -> Result<bool, JsValue> {
    let subtle = get(&get(&js_sys::global(), "crypto")?, "subtle")?;
    let usages: Array = [JsValue::from_str("verify")].into_iter().collect();
    let imported = call(
        &subtle,
        "importKey",
        &[
            JsValue::from_str("jwk"),
            jwk.into(),
            import.into(),
            JsValue::FALSE,
            usages.into(),
        ],
    )
    .await?;
    let valid = call(
        &subtle,
        "verify",
        &[
            algorithm.into(),
            imported,
            Uint8Array::from(signature).into(),
            Uint8Array::from(signing_input).into(),
        ],
    )
    .await?;
    Ok(valid.as_bool() == Some(true))
}

#[async_trait(?Send)]
impl SignatureVerifier for WebCryptoVerifier {
    async fn verify(&self, key: &PublicKey, signing_input: &[u8], signature: &[u8]) -> bool {
        // A key the platform will not import (off the curve, say), or no `crypto.subtle` at all, is a
        // refusal like a wrong signature.
        verify(key, signing_input, signature).await.unwrap_or(false)
    }
}

/// AES-256-GCM over `crypto.subtle` (raw key import, 96-bit IV, 128-bit tag appended), so the wasm
/// builds carry no AES code ([`crate::mfa::cipher`]).
pub struct WebCryptoAead;

async fn aes_gcm(
    key: &AeadKey,
    nonce: &[u8; 12],
    aad: &[u8],
    input: &[u8],
    operation: &str,
) -> Result<Vec<u8>, JsValue> {
    let subtle = get(&get(&js_sys::global(), "crypto")?, "subtle")?;
    let usages: Array = [JsValue::from_str(operation)].into_iter().collect();
    let imported = call(
        &subtle,
        "importKey",
        &[
            JsValue::from_str("raw"),
            Uint8Array::from(&key.bytes()[..]).into(),
            object(&[("name", "AES-GCM")])?.into(),
            JsValue::FALSE,
            usages.into(),
        ],
    )
    .await?;
    let params = object(&[("name", "AES-GCM")])?;
    set(&params, "iv", &Uint8Array::from(&nonce[..]))?;
    set(&params, "additionalData", &Uint8Array::from(aad))?;
    let out = call(
        &subtle,
        operation,
        &[params.into(), imported, Uint8Array::from(input).into()],
    )
    .await?;
    Ok(Uint8Array::new(&out).to_vec())
}

#[async_trait(?Send)]
impl Aead for WebCryptoAead {
    async fn seal(
        &self,
        key: &AeadKey,
        nonce: &[u8; 12],
        aad: &[u8],
        plaintext: &[u8],
    ) -> Result<Vec<u8>, CipherError> {
        aes_gcm(key, nonce, aad, plaintext, "encrypt")
            .await
            .map_err(|_| CipherError)
    }

    async fn open(
        &self,
        key: &AeadKey,
        nonce: &[u8; 12],
        aad: &[u8],
        sealed: &[u8],
    ) -> Result<Vec<u8>, CipherError> {
        // A forged or damaged ciphertext rejects the promise (OperationError): a refusal, not a panic.
        aes_gcm(key, nonce, aad, sealed, "decrypt")
            .await
            .map_err(|_| CipherError)
    }
}

/// [`JwsCrypto`] over `crypto.subtle`: our own tokens signed and checked with ES256 (ECDSA P-256,
/// whose WebCrypto signatures are already JWS's 64-byte r || s) or EdDSA (`Ed25519`: workerd, Node >= 20,
/// current browsers). The private key is imported from PKCS #8 for each use and never extractable
/// except for the one export that reads its public key.
pub struct WebCryptoJws;

/// WebCrypto's import and sign parameters of `algorithm`.
fn jws_params(algorithm: JwsAlgorithm) -> Result<(Object, Object), JsValue> {
    Ok(match algorithm {
        JwsAlgorithm::Es256 => (
            object(&[("name", "ECDSA"), ("namedCurve", "P-256")])?,
            object(&[("name", "ECDSA"), ("hash", "SHA-256")])?,
        ),
        JwsAlgorithm::EdDsa => (
            object(&[("name", "Ed25519")])?,
            object(&[("name", "Ed25519")])?,
        ),
    })
}

async fn import_private(
    subtle: &JsValue,
    key: &JwsPrivateKey,
    extractable: bool,
) -> Result<JsValue, JsValue> {
    let (import, _) = jws_params(key.algorithm())?;
    let usages: Array = [JsValue::from_str("sign")].into_iter().collect();
    call(
        subtle,
        "importKey",
        &[
            JsValue::from_str("pkcs8"),
            Uint8Array::from(&key.pkcs8_der()[..]).into(),
            import.into(),
            JsValue::from_bool(extractable),
            usages.into(),
        ],
    )
    .await
}

async fn jws_sign(key: &JwsPrivateKey, signing_input: &[u8]) -> Result<Vec<u8>, JsValue> {
    let subtle = get(&get(&js_sys::global(), "crypto")?, "subtle")?;
    let imported = import_private(&subtle, key, false).await?;
    let (_, sign) = jws_params(key.algorithm())?;
    let out = call(
        &subtle,
        "sign",
        &[
            sign.into(),
            imported,
            Uint8Array::from(signing_input).into(),
        ],
    )
    .await?;
    Ok(Uint8Array::new(&out).to_vec())
}

fn jwk_coordinate(jwk: &JsValue, name: &str) -> Result<[u8; 32], JsValue> {
    let text = get(jwk, name)?.as_string().unwrap_or_default();
    B64URL
        .decode(text)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| JsValue::from_str("bad coordinate"))
}

async fn jws_public_key(key: &JwsPrivateKey) -> Result<JwsPublicKey, JsValue> {
    let subtle = get(&get(&js_sys::global(), "crypto")?, "subtle")?;
    let imported = import_private(&subtle, key, true).await?;
    let jwk = call(&subtle, "exportKey", &[JsValue::from_str("jwk"), imported]).await?;
    Ok(match key.algorithm() {
        JwsAlgorithm::Es256 => JwsPublicKey::P256 {
            x: jwk_coordinate(&jwk, "x")?,
            y: jwk_coordinate(&jwk, "y")?,
        },
        JwsAlgorithm::EdDsa => JwsPublicKey::Ed25519 {
            x: jwk_coordinate(&jwk, "x")?,
        },
    })
}

async fn jws_verify(
    key: &JwsPublicKey,
    signing_input: &[u8],
    signature: &[u8],
) -> Result<bool, JsValue> {
    match key {
        // The id_token verifier's ES256 path, the same WebCrypto call.
        JwsPublicKey::P256 { x, y } => {
            let key = PublicKey::P256 { x: *x, y: *y };
            verify(&key, signing_input, signature).await
        }
        JwsPublicKey::Ed25519 { x } => {
            let x = B64URL.encode(x);
            let jwk = object(&[("kty", "OKP"), ("crv", "Ed25519"), ("x", &x)])?;
            let (import, algorithm) = jws_params(JwsAlgorithm::EdDsa)?;
            verify_jwk(jwk, import, algorithm, signing_input, signature).await
        }
    }
}

#[async_trait(?Send)]
impl JwsCrypto for WebCryptoJws {
    async fn sign(
        &self,
        key: &JwsPrivateKey,
        signing_input: &[u8],
    ) -> Result<Vec<u8>, JwsCryptoError> {
        match jws_sign(key, signing_input).await {
            Ok(signature) if signature.len() == JwsAlgorithm::SIGNATURE_LEN => Ok(signature),
            _ => Err(JwsCryptoError),
        }
    }

    async fn public_key(&self, key: &JwsPrivateKey) -> Result<JwsPublicKey, JwsCryptoError> {
        jws_public_key(key).await.map_err(|_| JwsCryptoError)
    }

    async fn verify(&self, key: &JwsPublicKey, signing_input: &[u8], signature: &[u8]) -> bool {
        signature.len() == JwsAlgorithm::SIGNATURE_LEN
            && jws_verify(key, signing_input, signature)
                .await
                .unwrap_or(false)
    }
}
