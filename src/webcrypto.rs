//! [`SignatureVerifier`] over the platform's WebCrypto (`globalThis.crypto.subtle`: workerd, Node >= 20,
//! browsers): the key is imported as a JWK and checked with `subtle.verify`, so the wasm builds carry no
//! RSA or elliptic-curve code. [`WebCryptoAead`] seals MFA secrets with AES-GCM the same way. Reached through `js_sys::Reflect`, like `fetch`, without `web-sys`.

use crate::oauth::jwk::rsa_modulus_acceptable;
use crate::ports::cipher::{Aead, AeadKey, CipherError};
use crate::ports::signature::{PublicKey, SignatureVerifier};
use async_trait::async_trait;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use js_sys::{Array, Function, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

pub struct WebCryptoVerifier;

fn get(target: &JsValue, key: &str) -> Result<JsValue, JsValue> {
    Reflect::get(target, &JsValue::from_str(key))
}

/// A plain object from string-valued fields.
fn object(fields: &[(&str, &str)]) -> Result<Object, JsValue> {
    let o = Object::new();
    for (k, v) in fields {
        Reflect::set(&o, &JsValue::from_str(k), &JsValue::from_str(v))?;
    }
    Ok(o)
}

/// `await subtle[name](...args)`.
async fn call(subtle: &JsValue, name: &str, args: &[JsValue]) -> Result<JsValue, JsValue> {
    let method: Function = get(subtle, name)?.dyn_into()?;
    let promise: Promise = method
        .apply(subtle, &args.iter().collect::<Array>())?
        .dyn_into()?;
    JsFuture::from(promise).await
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
    let subtle = get(&get(&js_sys::global(), "crypto")?, "subtle")?;
    let (jwk, import, verify) = algorithms(key)?;
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
            verify.into(),
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
    Reflect::set(&params, &"iv".into(), &Uint8Array::from(&nonce[..]))?;
    Reflect::set(&params, &"additionalData".into(), &Uint8Array::from(aad))?;
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
