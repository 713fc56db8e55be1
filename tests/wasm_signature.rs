//! id_token signatures in a real browser (`wasm-pack test --headless --chrome -- --test wasm_signature`):
//! the WebCrypto verifier the wasm builds ship and the pure-Rust verifier of the native builds (compiled
//! here test-only) run on the same vectors, and both must give the expected answer for each.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used)]

#[path = "kit/oauth_keys.rs"]
#[allow(dead_code)]
mod oauth_keys;
#[path = "../src/oauth/rust_signature.rs"]
mod rust_signature;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use edge_auth::oauth::id_token::{self, IdTokenError};
use edge_auth::oauth::jwk::{KeySet, Lookup};
use edge_auth::oauth::signature;
use edge_auth::ports::signature::PublicKey;
use oauth_keys::{id_token as sign_id_token, jwks, key, sign_raw};
use serde_json::{Value, json};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn b64(jwk: &Value, field: &str) -> Vec<u8> {
    B64URL.decode(jwk[field].as_str().unwrap()).unwrap()
}

/// The raw key of a JWK, built directly (not through the key set parser, which drops weak keys).
fn public_key(jwk: &Value) -> PublicKey {
    match jwk["kty"].as_str().unwrap() {
        "RSA" => PublicKey::Rsa {
            n: b64(jwk, "n"),
            e: b64(jwk, "e"),
        },
        _ => PublicKey::P256 {
            x: b64(jwk, "x").try_into().unwrap(),
            y: b64(jwk, "y").try_into().unwrap(),
        },
    }
}

/// Another P-256 key than the fixture's, from a fixed scalar.
fn other_p256() -> PublicKey {
    let signer = p256::ecdsa::SigningKey::from_slice(&[7u8; 32]).unwrap();
    let point = signer.verifying_key().to_sec1_point(false);
    let sec1 = point.as_bytes();
    assert_eq!(sec1.len(), 65);
    PublicKey::P256 {
        x: sec1[1..33].try_into().unwrap(),
        y: sec1[33..].try_into().unwrap(),
    }
}

fn rust_verify(key: &PublicKey, input: &[u8], sig: &[u8]) -> bool {
    match key {
        PublicKey::Rsa { n, e } => rust_signature::rs256(n, e, input, sig),
        PublicKey::P256 { x, y } => rust_signature::es256(x, y, input, sig),
    }
}

const INPUT: &str = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEyMyJ9";
const TAMPERED: &str = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEyNCJ9";

/// (what, key, signing input, signature, expected) for both verifiers.
fn vectors() -> Vec<(&'static str, PublicKey, &'static str, Vec<u8>, bool)> {
    let (rsa, ec, rogue, weak) = (key("rsa"), key("ec"), key("rogue_rsa"), key("weak_rsa"));
    let rs_sig = sign_raw(INPUT, &rsa);
    let es_sig = sign_raw(INPUT, &ec);
    let mut off_curve = public_key(&ec);
    if let PublicKey::P256 { y, .. } = &mut off_curve {
        y[31] ^= 1;
    }
    let mut flipped = rs_sig.clone();
    flipped[10] ^= 0x40;
    vec![
        ("RS256 valid", public_key(&rsa), INPUT, rs_sig.clone(), true),
        ("ES256 valid", public_key(&ec), INPUT, es_sig.clone(), true),
        (
            "RS256 tampered payload",
            public_key(&rsa),
            TAMPERED,
            rs_sig.clone(),
            false,
        ),
        (
            "ES256 tampered payload",
            public_key(&ec),
            TAMPERED,
            es_sig.clone(),
            false,
        ),
        (
            "RS256 flipped signature bit",
            public_key(&rsa),
            INPUT,
            flipped,
            false,
        ),
        (
            "RS256 wrong key",
            public_key(&rogue),
            INPUT,
            rs_sig.clone(),
            false,
        ),
        (
            "ES256 wrong key",
            other_p256(),
            INPUT,
            es_sig.clone(),
            false,
        ),
        (
            "ES256 point off the curve",
            off_curve,
            INPUT,
            es_sig.clone(),
            false,
        ),
        (
            "RS256 short (weak) key, validly signed",
            public_key(&weak),
            INPUT,
            sign_raw(INPUT, &weak),
            false,
        ),
        (
            "ES256 64 arbitrary bytes",
            public_key(&ec),
            INPUT,
            (0..64u8).collect(),
            false,
        ),
        (
            "ES256 DER-length signature",
            public_key(&ec),
            INPUT,
            [es_sig.as_slice(), &[0]].concat(),
            false,
        ),
        (
            "RS256 arbitrary bytes of modulus length",
            public_key(&rsa),
            INPUT,
            vec![0x5a; rs_sig.len()],
            false,
        ),
        (
            "RS256 signature under an EC key",
            public_key(&ec),
            INPUT,
            rs_sig,
            false,
        ),
        (
            "ES256 signature under an RSA key",
            public_key(&rsa),
            INPUT,
            es_sig,
            false,
        ),
    ]
}

#[wasm_bindgen_test]
async fn webcrypto_and_pure_rust_agree_on_every_vector() {
    let webcrypto = signature::platform();
    for (what, key, input, sig, expected) in vectors() {
        let rust = rust_verify(&key, input.as_bytes(), &sig);
        let platform = webcrypto.verify(&key, input.as_bytes(), &sig).await;
        assert_eq!(rust, expected, "pure Rust, {what}");
        assert_eq!(platform, expected, "WebCrypto, {what}");
    }
}

#[wasm_bindgen_test]
async fn id_tokens_verify_through_webcrypto_with_every_check_kept() {
    let set = KeySet::parse(jwks(&[&key("rsa"), &key("ec")]).to_string().as_bytes()).unwrap();
    let claims = json!({"sub": "user-123", "iss": "https://idp.example"});
    for signer in [key("rsa"), key("ec")] {
        let token = sign_id_token(&claims, &signer);
        let header = id_token::header(&token).unwrap();
        let Lookup::Found(jwk) = set.find(header.kid.as_deref(), header.alg) else {
            panic!("the signer's key is in the set");
        };
        let verified = id_token::verify_signature(&token, jwk, signature::platform()).await;
        assert_eq!(verified.unwrap(), *claims.as_object().unwrap());
        // The same signature over other claims.
        let mut parts: Vec<&str> = token.split('.').collect();
        let forged_claims = B64URL.encode(json!({"sub": "admin"}).to_string());
        parts[1] = &forged_claims;
        let forged = parts.join(".");
        assert_eq!(
            id_token::verify_signature(&forged, jwk, signature::platform()).await,
            Err(IdTokenError::BadSignature)
        );
    }
    // `none` and HS256 never reach a verifier.
    for alg in ["none", "HS256"] {
        let h = B64URL.encode(json!({"alg": alg}).to_string());
        let token = format!("{h}.{}.", B64URL.encode("{}"));
        assert_eq!(
            id_token::header(&token),
            Err(IdTokenError::UnsupportedAlgorithm(alg.to_owned()))
        );
    }
}

#[wasm_bindgen_test]
fn key_sets_parse_without_big_number_code_and_drop_unusable_keys() {
    let mut p384 = oauth_keys::public(&key("ec"));
    p384["crv"] = json!("P-384");
    let doc = json!({"keys": [
        oauth_keys::public(&key("weak_rsa")),
        p384,
        {"kty": "RSA", "n": B64URL.encode([0xffu8; 256]), "e": "AQAB", "kid": "all-ones"},
        {"kty": "RSA", "n": B64URL.encode([0xfeu8; 256]), "e": "AQAB", "kid": "even"},
        {"kty": "RSA", "n": B64URL.encode([0xffu8; 256]), "e": "AQ", "kid": "e=1"},
        oauth_keys::public(&key("rsa")),
        oauth_keys::public(&key("ec")),
    ]});
    let set = KeySet::parse(doc.to_string().as_bytes()).unwrap();
    // The 1024-bit key, the P-384 key, the even modulus and e = 1 are dropped; the all-ones modulus
    // (2048 bits, odd, e = 65537) is kept by shape and refused by any verifier.
    assert_eq!(set.len(), 3);
}
