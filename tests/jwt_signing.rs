//! Asymmetric auth tokens (`JWT_ALGORITHM` ES256 and EdDSA) through [`edge_auth::http::handle`]: the key
//! formats and their configuration errors, signing and verifying, the JWKS route, rotation with
//! `JWT_PREVIOUS_PUBLIC_KEYS`, and every way a token may try to pass with the wrong algorithm or key.
//! The keys are fixtures made by node:crypto, with thumbprints computed by `jose`
//! (`tests/fixtures/jwt/make-keys.mjs`).
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used)]

mod kit;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use edge_auth::config::Config;
use edge_auth::http::*;
use edge_auth::token::{self, JwtKey};
use kit::{NOW_MS, ORIGIN, SECRET, TestApp, assert_bare_unauthorized, lookup};
use serde_json::{Value, json};
use std::rc::Rc;

const KEYS: &str = include_str!("fixtures/jwt/test-keys.json");

fn keys() -> Value {
    serde_json::from_str(KEYS).unwrap()
}

/// A fixture field as text (PEM as is, JWKs as their JSON).
fn key(name: &str, field: &str) -> String {
    match &keys()[name][field] {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The public JWK of fixture `name` with a `kid` and an `alg`, in a JWKS.
fn previous_set(entries: &[(&str, &str, &str)]) -> String {
    let keys: Vec<Value> = entries
        .iter()
        .map(|(name, kid, alg)| {
            let mut jwk = keys()[*name]["public_jwk"].clone();
            jwk["kid"] = json!(kid);
            jwk["alg"] = json!(alg);
            jwk
        })
        .collect();
    json!({ "keys": keys }).to_string()
}

fn config_result(vars: &[(&str, &str)]) -> Result<Config, edge_auth::config::vars::ConfigError> {
    let base = [("JWT_SECRET", SECRET), ("PBKDF2_ITERATIONS", "1000")];
    Config::from_vars(lookup(&[&base[..], vars].concat()))
}

fn app(vars: &[(&str, &str)]) -> TestApp {
    let config = Rc::new(config_result(vars).unwrap());
    TestApp::new(ORIGIN, NOW_MS, move |store, clock| {
        App::new(config, store, clock)
    })
}

fn es256(extra: &[(&str, &str)]) -> Vec<(String, String)> {
    mode("ES256", "es256", "pkcs8", extra)
}

fn eddsa(extra: &[(&str, &str)]) -> Vec<(String, String)> {
    mode("EdDSA", "eddsa", "pkcs8", extra)
}

fn mode(alg: &str, name: &str, format: &str, extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut vars = vec![
        ("JWT_ALGORITHM".to_owned(), alg.to_owned()),
        ("JWT_PRIVATE_KEY".to_owned(), key(name, format)),
    ];
    vars.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    vars
}

fn borrowed(vars: &[(String, String)]) -> Vec<(&str, &str)> {
    vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

fn app_of(vars: &[(String, String)]) -> TestApp {
    app(&borrowed(vars))
}

fn header(token: &str) -> Value {
    let header = token.split('.').next().unwrap();
    serde_json::from_slice(&B64URL.decode(header).unwrap()).unwrap()
}

fn header_text(token: &str) -> String {
    String::from_utf8(B64URL.decode(token.split('.').next().unwrap()).unwrap()).unwrap()
}

fn payload(token: &str) -> Value {
    let payload = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&B64URL.decode(payload).unwrap()).unwrap()
}

/// A token of `claims` with any header, signed by `sign` over the signing input.
fn forge(header: &Value, claims: &Value, sign: impl Fn(&[u8]) -> Vec<u8>) -> String {
    let input = format!(
        "{}.{}",
        B64URL.encode(header.to_string()),
        B64URL.encode(claims.to_string())
    );
    let signature = sign(input.as_bytes());
    format!("{input}.{}", B64URL.encode(signature))
}

fn p256_sign(name: &str) -> impl Fn(&[u8]) -> Vec<u8> {
    use p256::ecdsa::signature::Signer;
    let d = B64URL
        .decode(keys()[name]["jwk"]["d"].as_str().unwrap())
        .unwrap();
    let key = p256::ecdsa::SigningKey::from_slice(&d).unwrap();
    move |input| {
        let signature: p256::ecdsa::Signature = key.sign(input);
        signature.to_bytes().to_vec()
    }
}

fn ed25519_sign(name: &str) -> impl Fn(&[u8]) -> Vec<u8> {
    use ed25519_dalek::Signer;
    let d = B64URL
        .decode(keys()[name]["jwk"]["d"].as_str().unwrap())
        .unwrap();
    let key = ed25519_dalek::SigningKey::from_bytes(&d.try_into().unwrap());
    move |input| key.sign(input).to_bytes().to_vec()
}

fn hmac_sign(secret: &[u8]) -> impl Fn(&[u8]) -> Vec<u8> {
    use hmac::{Hmac, KeyInit, Mac};
    let key = Hmac::<sha2::Sha256>::new_from_slice(secret).unwrap();
    move |input| {
        let mut mac = key.clone();
        mac.update(input);
        mac.finalize().into_bytes().to_vec()
    }
}

/// Whether the Worker takes `token` as a bearer (refresh answers a token).
fn accepted(h: &TestApp, token: &str) -> bool {
    let response = h.refresh(token);
    match response.status {
        200 => true,
        401 => {
            assert_bare_unauthorized(&response);
            false
        }
        other => panic!("refresh answered {other}: {:?}", response.body_json()),
    }
}

#[test]
fn es256_tokens_carry_alg_typ_and_kid_in_jsonwebtokens_order_and_verify() {
    let h = app_of(&es256(&[]));
    let token = h.registered("a@b.co", "secret-password-1");
    let thumbprint = keys()["es256"]["thumbprint"].as_str().unwrap().to_owned();
    assert_eq!(
        header_text(&token),
        format!(r#"{{"alg":"ES256","typ":"JWT","kid":"{thumbprint}"}}"#)
    );
    // Medusa 2.21's claims, in its order, whatever signs them.
    let claims = payload(&token);
    let names: Vec<&str> = claims
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let hs = app(&[]);
    let hs_token = hs.registered("a@b.co", "secret-password-1");
    let hs_names: Vec<String> = payload(&hs_token)
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    assert_eq!(names, hs_names);
    assert_eq!(
        B64URL
            .decode(token.split('.').nth(2).unwrap())
            .unwrap()
            .len(),
        64
    );
    assert!(accepted(&h, &token));
    let login = h.login("a@b.co", "secret-password-1");
    assert!(accepted(&h, &h.token(&login)));
}

#[test]
fn eddsa_tokens_verify_and_name_their_key() {
    let h = app_of(&eddsa(&[]));
    let token = h.registered("a@b.co", "secret-password-1");
    let thumbprint = keys()["eddsa"]["thumbprint"].as_str().unwrap().to_owned();
    assert_eq!(
        header(&token),
        json!({"alg": "EdDSA", "typ": "JWT", "kid": thumbprint})
    );
    assert!(accepted(&h, &token));
}

#[test]
fn the_signature_verifies_under_the_published_key_with_an_independent_verifier() {
    for (vars, alg) in [(es256(&[]), "ES256"), (eddsa(&[]), "EdDSA")] {
        let h = app_of(&vars);
        let token = h.registered("a@b.co", "secret-password-1");
        let set = h
            .send("GET", "/.well-known/jwks.json", &[], b"")
            .body_json()
            .unwrap();
        let jwk = &set["keys"][0];
        assert_eq!(jwk["alg"], alg);
        let (input, signature) = token.rsplit_once('.').unwrap();
        let signature = B64URL.decode(signature).unwrap();
        let x = B64URL.decode(jwk["x"].as_str().unwrap()).unwrap();
        let ok = if alg == "ES256" {
            use p256::ecdsa::signature::Verifier;
            let y = B64URL.decode(jwk["y"].as_str().unwrap()).unwrap();
            let key =
                p256::ecdsa::VerifyingKey::from_sec1_bytes(&[&[4u8][..], &x, &y].concat()).unwrap();
            key.verify(
                input.as_bytes(),
                &p256::ecdsa::Signature::from_slice(&signature).unwrap(),
            )
            .is_ok()
        } else {
            let key = ed25519_dalek::VerifyingKey::from_bytes(&x.try_into().unwrap()).unwrap();
            key.verify_strict(
                input.as_bytes(),
                &ed25519_dalek::Signature::from_slice(&signature).unwrap(),
            )
            .is_ok()
        };
        assert!(ok, "{alg}");
    }
}

#[test]
fn a_private_jwk_works_like_the_pem_and_jwt_key_id_names_the_key() {
    for (alg, name) in [("ES256", "es256"), ("EdDSA", "eddsa")] {
        let h = app_of(&mode(alg, name, "jwk", &[("JWT_KEY_ID", "key-2026-12")]));
        let token = h.registered("a@b.co", "secret-password-1");
        assert_eq!(header(&token)["kid"], "key-2026-12");
        assert!(accepted(&h, &token));
        // The same key as PEM verifies the JWK's tokens (same kid given).
        let pem = app_of(&mode(alg, name, "pkcs8", &[("JWT_KEY_ID", "key-2026-12")]));
        assert!(pem.claims(&token).auth_identity_id.starts_with("authid_"));
    }
}

#[test]
fn the_jwks_lists_the_current_key_then_the_previous_ones_with_a_short_cache() {
    let previous = previous_set(&[("es256_previous", "old-1", "ES256")]);
    let h = app_of(&es256(&[("JWT_PREVIOUS_PUBLIC_KEYS", &previous)]));
    let response = h.send("GET", "/.well-known/jwks.json", &[], b"");
    assert_eq!(response.status, 200);
    assert_eq!(
        response.header("cache-control"),
        Some("public, max-age=300")
    );
    let current = &keys()["es256"]["public_jwk"];
    let old = &keys()["es256_previous"]["public_jwk"];
    assert_eq!(
        response.body_json().unwrap(),
        json!({"keys": [
            {"kty": "EC", "crv": "P-256", "x": current["x"], "y": current["y"],
             "kid": keys()["es256"]["thumbprint"], "alg": "ES256", "use": "sig"},
            {"kty": "EC", "crv": "P-256", "x": old["x"], "y": old["y"],
             "kid": "old-1", "alg": "ES256", "use": "sig"},
        ]})
    );
    let eddsa = app_of(&eddsa(&[]));
    let set = eddsa
        .send("GET", "/.well-known/jwks.json", &[], b"")
        .body_json()
        .unwrap();
    let public = &keys()["eddsa"]["public_jwk"];
    assert_eq!(
        set,
        json!({"keys": [{"kty": "OKP", "crv": "Ed25519", "x": public["x"],
            "kid": keys()["eddsa"]["thumbprint"], "alg": "EdDSA", "use": "sig"}]})
    );
}

#[test]
fn the_jwks_route_is_404_in_hs256_mode_and_get_only() {
    let h = app(&[]);
    let response = h.send("GET", "/.well-known/jwks.json", &[], b"");
    kit::assert_error(
        &response,
        404,
        "not_found",
        "No JSON Web Key Set: tokens are signed with HS256 (JWT_ALGORITHM), whose key is a shared secret; set JWT_ALGORITHM to ES256 or EdDSA to publish public keys",
    );
    let es = app_of(&es256(&[]));
    for method in ["HEAD", "POST", "DELETE"] {
        let response = es.send(method, "/.well-known/jwks.json", &[], b"");
        assert_eq!(response.status, 405, "{method}");
        assert_eq!(response.header("allow"), Some("GET"));
    }
}

#[test]
fn the_jwks_gets_cors_headers_like_the_other_get_routes() {
    let h = app_of(&es256(&[("AUTH_CORS", "https://shop.example")]));
    let response = h.send(
        "GET",
        "/.well-known/jwks.json",
        &[("origin", "https://shop.example")],
        b"",
    );
    assert_eq!(
        response.header("access-control-allow-origin"),
        Some("https://shop.example")
    );
    let other = h.send(
        "GET",
        "/.well-known/jwks.json",
        &[("origin", "https://evil.example")],
        b"",
    );
    assert_eq!(other.header("access-control-allow-origin"), None);
}

#[test]
fn rotation_a_previous_key_verifies_while_listed_and_not_once_removed() {
    for (alg, new, old) in [
        ("ES256", "es256", "es256_previous"),
        ("EdDSA", "eddsa", "eddsa_previous"),
    ] {
        // Before the rotation: the old key signs.
        let before = app_of(&mode(alg, old, "pkcs8", &[("JWT_KEY_ID", "old-1")]));
        let old_token = before.registered("a@b.co", "secret-password-1");
        assert_eq!(header(&old_token)["kid"], "old-1");
        // After: the new key signs, the old one is listed; both share one store in real life, here the
        // identity is registered again so that the token's identity exists.
        let previous = previous_set(&[(old, "old-1", alg)]);
        let after = app_of(&mode(
            alg,
            new,
            "pkcs8",
            &[("JWT_PREVIOUS_PUBLIC_KEYS", &previous)],
        ));
        let after = TestApp::with_app(
            ORIGIN,
            App::new(
                after.app.config.clone(),
                before.store.clone(),
                before.clock.clone(),
            ),
            before.clock.clone(),
            before.store.clone(),
        );
        assert!(accepted(&after, &old_token), "{alg}: previous key listed");
        let refreshed = after.token(&after.refresh(&old_token));
        assert_ne!(
            header(&refreshed)["kid"],
            "old-1",
            "{alg}: refresh signs with the new key"
        );
        // Once removed, the old key's tokens are refused; the new key's still pass.
        let removed = app_of(&mode(alg, new, "pkcs8", &[]));
        let removed = TestApp::with_app(
            ORIGIN,
            App::new(
                removed.app.config.clone(),
                before.store.clone(),
                before.clock.clone(),
            ),
            before.clock.clone(),
            before.store.clone(),
        );
        assert!(
            !accepted(&removed, &old_token),
            "{alg}: previous key removed"
        );
        assert!(accepted(&removed, &refreshed), "{alg}");
    }
}

#[test]
fn hs256_tokens_are_refused_in_the_asymmetric_modes_whatever_their_key() {
    for vars in [es256(&[]), eddsa(&[])] {
        let h = app_of(&vars);
        let good = h.registered("a@b.co", "secret-password-1");
        let claims = payload(&good);
        let kid = header(&good)["kid"].clone();
        let alg = header(&good)["alg"].as_str().unwrap().to_owned();
        let name = if alg == "ES256" { "es256" } else { "eddsa" };
        // Signed with JWT_SECRET, which still exists (reset tokens, derived keys).
        let hs = token::sign_payload(&claims, &JwtKey::new(SECRET.as_bytes()));
        assert!(!accepted(&h, &hs), "{alg}: HS256 with JWT_SECRET");
        // HMAC-signed with the public key's bytes as the secret (the classic confusion), in every form a
        // library might use, with and without the kid.
        let public_jwk = keys()[name]["public_jwk"].to_string();
        for secret in [key(name, "spki"), public_jwk] {
            for header in [
                json!({"alg": "HS256", "typ": "JWT", "kid": kid}),
                json!({"alg": "HS256", "typ": "JWT"}),
            ] {
                let forged = forge(&header, &claims, hmac_sign(secret.as_bytes()));
                assert!(!accepted(&h, &forged), "{alg}: {header}");
            }
        }
        // `none`, and the other asymmetric algorithm.
        let none = format!(
            "{}.{}.",
            B64URL.encode(json!({"alg": "none", "typ": "JWT", "kid": kid}).to_string()),
            good.split('.').nth(1).unwrap()
        );
        assert!(!accepted(&h, &none), "{alg}: none");
        let other_alg = if alg == "ES256" { "EdDSA" } else { "ES256" };
        let resigned = forge(
            &json!({"alg": other_alg, "typ": "JWT", "kid": kid}),
            &claims,
            |_| vec![0; 64],
        );
        assert!(!accepted(&h, &resigned), "{alg}: {other_alg}");
        assert!(accepted(&h, &good));
    }
}

#[test]
fn asymmetric_tokens_are_refused_in_hs256_mode() {
    let h = app(&[]);
    let good = h.registered("a@b.co", "secret-password-1");
    let claims = payload(&good);
    let es = forge(
        &json!({"alg": "ES256", "typ": "JWT", "kid": "k"}),
        &claims,
        p256_sign("es256"),
    );
    let ed = forge(
        &json!({"alg": "EdDSA", "typ": "JWT", "kid": "k"}),
        &claims,
        ed25519_sign("eddsa"),
    );
    let none = format!(
        "{}.{}.",
        B64URL.encode(r#"{"alg":"none","typ":"JWT"}"#),
        good.split('.').nth(1).unwrap()
    );
    for forged in [es, ed, none] {
        assert!(!accepted(&h, &forged), "{}", header_text(&forged));
    }
    assert!(accepted(&h, &good));
}

#[test]
fn a_wrong_or_missing_kid_is_refused() {
    let h = app_of(&es256(&[]));
    let good = h.registered("a@b.co", "secret-password-1");
    let claims = payload(&good);
    let kid = header(&good)["kid"].clone();
    // The right key under another kid, or none.
    let other_kid = forge(
        &json!({"alg": "ES256", "typ": "JWT", "kid": "not-ours"}),
        &claims,
        p256_sign("es256"),
    );
    let no_kid = forge(
        &json!({"alg": "ES256", "typ": "JWT"}),
        &claims,
        p256_sign("es256"),
    );
    let number_kid = forge(
        &json!({"alg": "ES256", "typ": "JWT", "kid": 1}),
        &claims,
        p256_sign("es256"),
    );
    // Another key under our kid.
    let other_key = forge(
        &json!({"alg": "ES256", "typ": "JWT", "kid": kid}),
        &claims,
        p256_sign("es256_previous"),
    );
    for token in [other_kid, no_kid, number_kid, other_key] {
        assert!(!accepted(&h, &token), "{}", header_text(&token));
    }
    // The control: our key under our kid, forged the same way, passes.
    let ours = forge(
        &json!({"alg": "ES256", "typ": "JWT", "kid": kid}),
        &claims,
        p256_sign("es256"),
    );
    assert!(accepted(&h, &ours));
}

#[test]
fn a_tampered_payload_or_signature_is_refused() {
    for vars in [es256(&[]), eddsa(&[])] {
        let h = app_of(&vars);
        let good = h.registered("a@b.co", "secret-password-1");
        let parts: Vec<&str> = good.split('.').collect();
        let mut claims = payload(&good);
        claims["actor_id"] = json!("cus_someone_else");
        let tampered = format!(
            "{}.{}.{}",
            parts[0],
            B64URL.encode(claims.to_string()),
            parts[2]
        );
        assert!(!accepted(&h, &tampered));
        let mut signature = B64URL.decode(parts[2]).unwrap();
        signature[10] ^= 1;
        let flipped = format!("{}.{}.{}", parts[0], parts[1], B64URL.encode(&signature));
        assert!(!accepted(&h, &flipped));
        let short = format!(
            "{}.{}.{}",
            parts[0],
            parts[1],
            B64URL.encode(&signature[..63])
        );
        assert!(!accepted(&h, &short));
    }
}

#[test]
fn sessions_and_change_password_take_asymmetric_tokens() {
    let h = app_of(&es256(&[]));
    let token = h.registered("a@b.co", "secret-password-1");
    let session = h.send(
        "POST",
        "/auth/session",
        &[("authorization", &format!("Bearer {token}"))],
        b"",
    );
    assert_eq!(session.status, 200, "{:?}", session.body_json());
    let changed = h.post_as(
        "/auth/customer/emailpass/change-password",
        json!({"current_password": "secret-password-1", "password": "secret-password-2"}),
        &token,
    );
    assert_eq!(changed.status, 200, "{:?}", changed.body_json());
    let new_token = changed.body_json().unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(header(&new_token)["alg"], "ES256");
    assert!(accepted(&h, &new_token));
}

/// The message of the configuration error for `vars`, checked to name `var` and not to repeat `secret`.
fn config_error(vars: &[(&str, &str)], var: &str) -> String {
    let e = config_result(vars).unwrap_err();
    assert_eq!(e.var, var, "{}", e.message);
    e.to_string()
}

#[test]
fn a_key_of_the_wrong_type_or_curve_is_a_configuration_error_naming_the_variable_only() {
    let cases = [
        (
            "ES256",
            "p384",
            "pkcs8",
            "is an EC key on another curve; JWT_ALGORITHM=ES256 needs an EC P-256 key",
        ),
        (
            "ES256",
            "eddsa",
            "pkcs8",
            "is an Ed25519 key; JWT_ALGORITHM=ES256 needs an EC P-256 key",
        ),
        (
            "ES256",
            "rsa",
            "pkcs8",
            "is an RSA key; JWT_ALGORITHM=ES256 needs an EC P-256 key",
        ),
        (
            "EdDSA",
            "es256",
            "pkcs8",
            "is an EC P-256 key; JWT_ALGORITHM=EdDSA needs an Ed25519 key",
        ),
        (
            "EdDSA",
            "es256",
            "jwk",
            "is an EC P-256 key; JWT_ALGORITHM=EdDSA needs an Ed25519 key",
        ),
        (
            "ES256",
            "p384",
            "jwk",
            "is an EC JWK on another curve; JWT_ALGORITHM=ES256 needs an EC P-256 key",
        ),
        (
            "ES256",
            "rsa",
            "jwk",
            "is an RSA JWK; JWT_ALGORITHM=ES256 needs an EC P-256 key",
        ),
        (
            "ES256",
            "es256",
            "sec1",
            "is a SEC 1 \"EC PRIVATE KEY\"; convert it to PKCS #8 with `openssl pkcs8 -topk8 -nocrypt`",
        ),
    ];
    for (alg, name, format, message) in cases {
        let value = key(name, format);
        let text = config_error(
            &[("JWT_ALGORITHM", alg), ("JWT_PRIVATE_KEY", &value)],
            "JWT_PRIVATE_KEY",
        );
        assert_eq!(
            text,
            format!("Invalid configuration: JWT_PRIVATE_KEY: {message}"),
            "{alg} {name} {format}"
        );
    }
    // Unparsable: never echoed.
    for garbage in [
        "-----BEGIN PRIVATE KEY-----\nnot base64!\n-----END PRIVATE KEY-----",
        "{\"kty\":\"EC\"",
        "secret-value-123",
    ] {
        let text = config_error(
            &[("JWT_ALGORITHM", "ES256"), ("JWT_PRIVATE_KEY", garbage)],
            "JWT_PRIVATE_KEY",
        );
        assert!(
            !text.contains(garbage) && !text.contains("base64!") && !text.contains("secret-value"),
            "{text}"
        );
    }
    // A public key where the private one belongs.
    let public = keys()["es256"]["public_jwk"].to_string();
    config_error(
        &[("JWT_ALGORITHM", "ES256"), ("JWT_PRIVATE_KEY", &public)],
        "JWT_PRIVATE_KEY",
    );
    let spki = key("es256", "spki");
    config_error(
        &[("JWT_ALGORITHM", "ES256"), ("JWT_PRIVATE_KEY", &spki)],
        "JWT_PRIVATE_KEY",
    );
}

#[test]
fn every_configuration_mistake_names_its_variable() {
    let pem = key("es256", "pkcs8");
    config_error(
        &[("JWT_ALGORITHM", "RS256"), ("JWT_PRIVATE_KEY", &pem)],
        "JWT_ALGORITHM",
    );
    config_error(&[("JWT_ALGORITHM", "none")], "JWT_ALGORITHM");
    config_error(&[("JWT_ALGORITHM", "ES256")], "JWT_PRIVATE_KEY");
    // Keys without the mode that uses them.
    config_error(&[("JWT_PRIVATE_KEY", &pem)], "JWT_PRIVATE_KEY");
    config_error(&[("JWT_KEY_ID", "k1")], "JWT_KEY_ID");
    config_error(
        &[("JWT_PREVIOUS_PUBLIC_KEYS", r#"{"keys":[]}"#)],
        "JWT_PREVIOUS_PUBLIC_KEYS",
    );
    let es = |extra: (&'static str, String)| {
        vec![
            ("JWT_ALGORITHM", "ES256".to_owned()),
            ("JWT_PRIVATE_KEY", pem.clone()),
            extra,
        ]
    };
    let check = |extra: (&'static str, String), var: &str| {
        let vars = es(extra);
        let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
        config_error(&vars, var)
    };
    check(("JWT_KEY_ID", "has space".into()), "JWT_KEY_ID");
    check(("JWT_KEY_ID", "k".repeat(129)), "JWT_KEY_ID");
    for (set, what) in [
        ("[]".to_owned(), "expected a JWKS"),
        (r#"{"keys":{}}"#.to_owned(), "\"keys\" array"),
        (
            previous_set(&[("es256_previous", "old", "EdDSA")]),
            "keys[0] has alg \"EdDSA\"",
        ),
        (
            previous_set(&[("eddsa_previous", "old", "ES256")]),
            "keys[0] is an Ed25519 key",
        ),
        (
            previous_set(&[
                ("es256_previous", "old", "ES256"),
                ("es256_previous", "old", "ES256"),
            ]),
            "keys[1] repeats the kid \"old\"",
        ),
        (
            json!({"keys": [keys()["es256_previous"]["jwk"].clone()]}).to_string(),
            "keys[0] holds a private key",
        ),
        (
            json!({"keys": [keys()["es256_previous"]["public_jwk"].clone()]}).to_string(),
            "keys[0] has no \"kid\"",
        ),
    ] {
        let text = check(
            ("JWT_PREVIOUS_PUBLIC_KEYS", set),
            "JWT_PREVIOUS_PUBLIC_KEYS",
        );
        assert!(text.contains(what), "{text}");
    }
    // JWT_KEY_ID colliding with a previous key.
    let vars = [
        ("JWT_ALGORITHM", "ES256".to_owned()),
        ("JWT_PRIVATE_KEY", pem.clone()),
        ("JWT_KEY_ID", "old".to_owned()),
        (
            "JWT_PREVIOUS_PUBLIC_KEYS",
            previous_set(&[("es256_previous", "old", "ES256")]),
        ),
    ];
    let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
    config_error(&vars, "JWT_PREVIOUS_PUBLIC_KEYS");
}

#[test]
fn development_keeps_hs256_unless_jwt_algorithm_is_set() {
    let dev = Config::from_vars(lookup(&[("ENVIRONMENT", "development")])).unwrap();
    assert_eq!(dev.token_signing.algorithm_name(), "HS256");
    let pem = key("eddsa", "pkcs8");
    let vars = [
        ("ENVIRONMENT", "development"),
        ("JWT_ALGORITHM", "EdDSA"),
        ("JWT_PRIVATE_KEY", pem.as_str()),
    ];
    let dev = Config::from_vars(lookup(&vars)).unwrap();
    assert_eq!(dev.token_signing.algorithm_name(), "EdDSA");
}

#[test]
fn a_jwk_whose_public_part_is_not_its_own_answers_every_request_as_misconfigured() {
    let mut jwk = keys()["es256"]["jwk"].clone();
    jwk["x"] = keys()["es256_previous"]["jwk"]["x"].clone();
    jwk["y"] = keys()["es256_previous"]["jwk"]["y"].clone();
    let jwk = jwk.to_string();
    let h = app(&[("JWT_ALGORITHM", "ES256"), ("JWT_PRIVATE_KEY", &jwk)]);
    for path in ["/.well-known/jwks.json", "/auth/providers"] {
        kit::assert_error(
            &h.send("GET", path, &[], b""),
            500,
            "unexpected_state",
            "Invalid configuration: JWT_PRIVATE_KEY; see the Worker's logs",
        );
    }
    // A previous key under the current key's default kid (its thumbprint).
    let thumbprint = keys()["es256"]["thumbprint"].as_str().unwrap().to_owned();
    let previous = previous_set(&[("es256_previous", &thumbprint, "ES256")]);
    let h = app_of(&es256(&[("JWT_PREVIOUS_PUBLIC_KEYS", &previous)]));
    kit::assert_error(
        &h.send("GET", "/.well-known/jwks.json", &[], b""),
        500,
        "unexpected_state",
        "Invalid configuration: JWT_PREVIOUS_PUBLIC_KEYS; see the Worker's logs",
    );
}

/// What the Worker logs for a key it cannot use: the variable and what is wrong with it.
#[test]
fn key_errors_say_which_variable_and_what_is_wrong() {
    use edge_auth::token::signer::{KeyCheckError, SignError, TokenSigner};
    let mut jwk = keys()["es256"]["jwk"].clone();
    jwk["x"] = keys()["es256_previous"]["jwk"]["x"].clone();
    jwk["y"] = keys()["es256_previous"]["jwk"]["y"].clone();
    let jwk = jwk.to_string();
    let config = config_result(&[("JWT_ALGORITHM", "ES256"), ("JWT_PRIVATE_KEY", &jwk)]).unwrap();
    let signer = TokenSigner::new(JwtKey::new(SECRET.as_bytes()), config.token_signing.clone());
    assert_eq!(format!("{signer:?}"), "TokenSigner(ES256)");
    let mismatch = futures::executor::block_on(signer.check_keys()).unwrap_err();
    assert_eq!(
        SignError::Keys(mismatch).to_string(),
        "token signing key: JWT_PRIVATE_KEY: its public part does not belong to its private part"
    );
    assert_eq!(
        SignError::Keys(KeyCheckError::KidCollision("k1".into())).to_string(),
        "token signing key: JWT_PREVIOUS_PUBLIC_KEYS: lists the kid \"k1\", which is the current key's (JWT_KEY_ID or its thumbprint)"
    );
    assert!(
        KeyCheckError::Unusable
            .to_string()
            .starts_with("the platform refused the key")
    );
    assert_eq!(
        SignError::Platform.to_string(),
        "the platform failed to sign a token"
    );
}

#[test]
fn mfa_pending_tokens_are_signed_and_checked_with_the_configured_key() {
    // A token that owes its challenge is refused where a signed-in actor is needed, in every mode; here
    // a pending-shaped token signed with our key passes refresh (requireMfa: false) but not sessions.
    let h = app_of(&eddsa(&[]));
    let good = h.registered("a@b.co", "secret-password-1");
    let mut claims = payload(&good);
    claims["mfa_enabled"] = json!(true);
    claims["actor_id"] = json!("");
    let pending = forge(&header(&good), &claims, ed25519_sign("eddsa"));
    let session = h.send(
        "POST",
        "/auth/session",
        &[("authorization", &format!("Bearer {pending}"))],
        b"",
    );
    assert_eq!(session.status, 200, "{:?}", session.body_json());
    let changed = h.post_as(
        "/auth/customer/emailpass/change-password",
        json!({"current_password": "secret-password-1", "password": "secret-password-2"}),
        &pending,
    );
    assert_eq!(changed.status, 401, "{:?}", changed.body_json());
    // The same pending token under another key is refused everywhere.
    let forged = forge(&header(&good), &claims, ed25519_sign("eddsa_previous"));
    let session = h.send(
        "POST",
        "/auth/session",
        &[("authorization", &format!("Bearer {forged}"))],
        b"",
    );
    assert_eq!(session.status, 401);
}
