//! Our own tokens' asymmetric signatures in a real browser (`wasm-pack test --headless --chrome -- --test
//! wasm_jws`): the WebCrypto signer the wasm builds ship and the pure-Rust one of the native builds
//! (compiled here test-only) derive the same public keys from the fixture keys (made by node:crypto), and
//! each verifies the other's signatures, for ES256 and EdDSA.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used)]

/// `rust_jws.rs` names `crate::ports::jws`: here, the library's.
mod ports {
    pub mod jws {
        pub use edge_auth::ports::jws::*;
    }
}
#[path = "../src/token/rust_jws.rs"]
mod rust_jws;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use edge_auth::ports::jws::{JwsAlgorithm, JwsCrypto, JwsPublicKey};
use edge_auth::token::jwk::parse_private_key;
use edge_auth::token::signer::{AsymmetricKeys, Signing, TokenSigner, platform_crypto};
use edge_auth::token::{Claims, JwtKey};
use serde_json::{Value, json};
use std::rc::Rc;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const KEYS: &str = include_str!("fixtures/jwt/test-keys.json");
const INPUT: &[u8] = b"eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEyMyJ9";

fn fixture(name: &str) -> Value {
    serde_json::from_str::<Value>(KEYS).unwrap()[name].clone()
}

fn coordinate(jwk: &Value, name: &str) -> [u8; 32] {
    B64URL
        .decode(jwk[name].as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap()
}

fn expected_public(name: &str) -> JwsPublicKey {
    let jwk = fixture(name)["public_jwk"].clone();
    match jwk["kty"].as_str().unwrap() {
        "EC" => JwsPublicKey::P256 {
            x: coordinate(&jwk, "x"),
            y: coordinate(&jwk, "y"),
        },
        _ => JwsPublicKey::Ed25519 {
            x: coordinate(&jwk, "x"),
        },
    }
}

const CASES: [(JwsAlgorithm, &str); 2] = [
    (JwsAlgorithm::Es256, "es256"),
    (JwsAlgorithm::EdDsa, "eddsa"),
];

#[wasm_bindgen_test]
async fn both_derive_the_fixture_public_key_from_the_pkcs8_pem() {
    let web = platform_crypto();
    for (algorithm, name) in CASES {
        let pem = fixture(name)["pkcs8"].as_str().unwrap().to_owned();
        let key = parse_private_key(&pem, algorithm).unwrap();
        let expected = expected_public(name);
        assert_eq!(
            web.public_key(&key).await.unwrap(),
            expected,
            "WebCrypto {name}"
        );
        assert_eq!(
            rust_jws::RustJws.public_key(&key).await.unwrap(),
            expected,
            "Rust {name}"
        );
    }
}

#[wasm_bindgen_test]
async fn each_verifies_the_others_signatures_and_both_refuse_a_change() {
    let web = platform_crypto();
    let rust = rust_jws::RustJws;
    for (algorithm, name) in CASES {
        let pem = fixture(name)["pkcs8"].as_str().unwrap().to_owned();
        let key = parse_private_key(&pem, algorithm).unwrap();
        let public = expected_public(name);
        let by_web = web.sign(&key, INPUT).await.unwrap();
        let by_rust = rust.sign(&key, INPUT).await.unwrap();
        assert_eq!(by_web.len(), 64, "{name}: JWS's raw 64 bytes");
        assert_eq!(by_rust.len(), 64);
        if algorithm == JwsAlgorithm::EdDsa {
            assert_eq!(by_web, by_rust, "Ed25519 signatures are deterministic");
        }
        assert!(
            rust.verify(&public, INPUT, &by_web).await,
            "Rust verifies WebCrypto's {name}"
        );
        assert!(
            web.verify(&public, INPUT, &by_rust).await,
            "WebCrypto verifies Rust's {name}"
        );
        let mut changed = INPUT.to_vec();
        changed[5] ^= 1;
        for sig in [&by_web, &by_rust] {
            assert!(!web.verify(&public, &changed, sig).await, "{name}");
            assert!(!rust.verify(&public, &changed, sig).await, "{name}");
            assert!(
                !web.verify(&public, INPUT, &sig[..63]).await,
                "{name}: short"
            );
        }
        // The other fixture key does not verify them.
        let other = expected_public(&format!("{name}_previous"));
        assert!(!web.verify(&other, INPUT, &by_rust).await);
        assert!(!rust.verify(&other, INPUT, &by_web).await);
    }
}

fn claims() -> Claims {
    Claims {
        actor_id: "cus_1".into(),
        actor_type: "customer".into(),
        auth_identity_id: "authid_1".into(),
        auth_provider: None,
        mfa_enabled: false,
        mfa_challenge_completed_at: None,
        app_metadata: json!({"customer_id": "cus_1"}),
        user_metadata: json!({}),
        iat: 1_800_000_000,
        exp: 4_000_000_000,
        mfa_challenge: None,
    }
}

#[wasm_bindgen_test]
async fn a_token_signed_through_webcrypto_verifies_through_rust_and_back() {
    for (algorithm, name) in CASES {
        let signer = |crypto: Rc<dyn JwsCrypto>| {
            let pem = fixture(name)["pkcs8"].as_str().unwrap().to_owned();
            let keys = AsymmetricKeys {
                current: parse_private_key(&pem, algorithm).unwrap(),
                kid: None,
                previous: Vec::new(),
            };
            TokenSigner::with_crypto(
                JwtKey::new(&[1; 32]),
                Signing::Asymmetric(Rc::new(keys)),
                crypto,
            )
        };
        let web = signer(platform_crypto());
        let rust = signer(Rc::new(rust_jws::RustJws));
        let token = web.sign(&claims()).await.unwrap();
        assert_eq!(
            rust.verify(&token, 1_800_000_000).await,
            Ok(claims()),
            "{name}"
        );
        let token = rust.sign(&claims()).await.unwrap();
        assert_eq!(
            web.verify(&token, 1_800_000_000).await,
            Ok(claims()),
            "{name}"
        );
        let kid = fixture(name)["thumbprint"].as_str().unwrap().to_owned();
        let header: Value =
            serde_json::from_slice(&B64URL.decode(token.split('.').next().unwrap()).unwrap())
                .unwrap();
        assert_eq!(header["kid"], kid.as_str());
    }
}
