//! Fixed test keys (`tests/fixtures/oauth/test-keys.json`) that sign real RS256/ES256 id_tokens. Shared by
//! the `tests/oauth` suite (through the kit) and the in-file property tests of `src/oauth/id_token.rs`
//! (by `#[path]`), so it names no crate: only serde_json, base64, sha2, rsa and p256.

#![allow(clippy::unwrap_used)]

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use serde_json::{Value, json};
use sha2::Sha256;

pub fn keys() -> Value {
    serde_json::from_str(include_str!("../fixtures/oauth/test-keys.json")).unwrap()
}

pub fn key(name: &str) -> Value {
    keys()[name].clone()
}

/// The public half of a private JWK.
pub fn public(jwk: &Value) -> Value {
    let mut k = jwk.as_object().unwrap().clone();
    for private in ["d", "p", "q", "dp", "dq", "qi"] {
        k.remove(private);
    }
    Value::Object(k)
}

pub fn jwks(keys: &[&Value]) -> Value {
    json!({ "keys": keys.iter().map(|k| public(k)).collect::<Vec<_>>() })
}

fn b64(jwk: &Value, field: &str) -> Vec<u8> {
    B64URL.decode(jwk[field].as_str().unwrap()).unwrap()
}

fn big(jwk: &Value, field: &str) -> rsa::BoxedUint {
    rsa::BoxedUint::from_be_slice_vartime(&b64(jwk, field))
}

/// Signs `header.payload` with a private JWK (RSA → RS256, EC → ES256).
pub fn sign_raw(signing_input: &str, jwk: &Value) -> Vec<u8> {
    match jwk["kty"].as_str().unwrap() {
        "RSA" => {
            use rsa::signature::{SignatureEncoding, Signer};
            let private = rsa::PrivateKey::from_components(
                big(jwk, "n"),
                big(jwk, "e"),
                big(jwk, "d"),
                vec![big(jwk, "p"), big(jwk, "q")],
            )
            .unwrap();
            let signer = rsa::pkcs1v15::SigningKey::<Sha256>::new(private);
            signer.sign(signing_input.as_bytes()).to_vec()
        }
        "EC" => {
            use p256::ecdsa::signature::Signer;
            let signer = p256::ecdsa::SigningKey::from_slice(&b64(jwk, "d")).unwrap();
            let sig: p256::ecdsa::Signature = signer.sign(signing_input.as_bytes());
            sig.to_bytes().to_vec()
        }
        other => panic!("no signer for {other}"),
    }
}

/// A compact JWS with exactly this header and payload.
pub fn jws(header: &Value, claims: &Value, jwk: &Value) -> String {
    let input = format!(
        "{}.{}",
        B64URL.encode(header.to_string()),
        B64URL.encode(claims.to_string())
    );
    let sig = sign_raw(&input, jwk);
    format!("{input}.{}", B64URL.encode(sig))
}

/// An id_token signed by `jwk`, with its `kid` and the matching `alg`.
pub fn id_token(claims: &Value, jwk: &Value) -> String {
    let alg = if jwk["kty"] == "RSA" {
        "RS256"
    } else {
        "ES256"
    };
    jws(
        &json!({"alg": alg, "kid": jwk["kid"], "typ": "JWT"}),
        claims,
        jwk,
    )
}
