//! Medusa's emailpass hashes (scrypt-kdf blobs, made by the real npm package: `tests/fixtures/medusa/`)
//! sign in, and are replaced by a hash of the configured KDF on the first successful sign-in; the old
//! password keeps working. Contract: `docs/migrating-from-medusa.md#passwords`.
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used)]

mod kit;

use edge_auth::model::{CreateAuthIdentity, CreateProviderIdentity};
use edge_auth::providers::emailpass::EMAILPASS;
use kit::*;
use serde_json::{Value, json};

struct Case {
    note: String,
    password: String,
    accepted: bool,
    hash: String,
}

fn fixtures() -> Vec<Case> {
    let json: Value =
        serde_json::from_str(include_str!("fixtures/medusa/scrypt-kdf.json")).unwrap();
    json["hashes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| Case {
            note: c["note"].as_str().unwrap().into(),
            password: c["password"].as_str().unwrap().into(),
            accepted: c["accepted"].as_bool().unwrap(),
            hash: c["hash"].as_str().unwrap().into(),
        })
        .collect()
}

/// An identity as Medusa stored it: its own ids, an actor link, the blob in `provider_metadata.password`.
fn import(fx: &Fixture, email: &str, hash: &str) -> String {
    let identity = CreateAuthIdentity {
        id: Some("authid_01JMEDUSA0000000000000000".into()),
        app_metadata: Some(meta(json!({ "customer_id": "cus_01JMEDUSA" }))),
        provider_identities: vec![CreateProviderIdentity {
            id: Some("provid_01JMEDUSA0000000000000000".into()),
            entity_id: email.into(),
            provider: EMAILPASS.into(),
            provider_metadata: Some(meta(json!({ "password": hash }))),
            ..Default::default()
        }],
    };
    let created = block_on(fx.service.create_auth_identities(vec![identity])).unwrap();
    created[0].id.clone()
}

fn stored_hash(fx: &Fixture, id: &str) -> String {
    fx.raw_identity(id).provider_identities[0]
        .provider_metadata
        .as_ref()
        .unwrap()["password"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn signs_in(fx: &Fixture, email: &str, password: &str) -> bool {
    let r = fx.authenticate(EMAILPASS, email, password);
    if r.success {
        let identity = identity_of(&r);
        assert_eq!(identity.id, "authid_01JMEDUSA0000000000000000");
        assert_eq!(
            identity.app_metadata,
            Some(meta(json!({ "customer_id": "cus_01JMEDUSA" })))
        );
        assert_sanitized(identity);
    }
    r.success
}

#[test]
fn every_medusa_hash_within_the_bounds_signs_in_and_is_re_hashed_once() {
    let mut checked = 0;
    for case in fixtures().iter().filter(|c| c.accepted) {
        let fx = Fixture::new();
        let id = import(&fx, "shopper@example.com", &case.hash);
        assert!(
            !signs_in(&fx, "shopper@example.com", "wrong password"),
            "{}",
            case.note
        );
        assert_eq!(
            stored_hash(&fx, &id),
            case.hash,
            "a failed sign-in changes nothing"
        );

        assert!(
            signs_in(&fx, "shopper@example.com", &case.password),
            "{}",
            case.note
        );
        let rehashed = stored_hash(&fx, &id);
        assert!(
            rehashed.starts_with("$pbkdf2-sha256$i=1000,l=32$"),
            "{rehashed}"
        );
        // The old password keeps working against the new hash, which is then left alone.
        assert!(signs_in(&fx, "shopper@example.com", &case.password));
        assert_eq!(stored_hash(&fx, &id), rehashed);
        assert!(!signs_in(&fx, "shopper@example.com", "wrong password"));
        checked += 1;
    }
    assert_eq!(checked, 5);
}

#[test]
fn the_email_of_an_imported_hash_matches_whatever_case_is_typed() {
    let case = &fixtures()[2];
    let fx = Fixture::new();
    import(&fx, "shopper@example.com", &case.hash);
    assert!(signs_in(&fx, " Shopper@Example.com", &case.password));
}

#[cfg(feature = "argon2id")]
#[test]
fn with_argon2id_configured_the_re_hash_is_argon2id_and_peppered() {
    use edge_auth::password::{Algorithm, Hasher};
    use std::rc::Rc;
    let case = &fixtures()[2];
    let argon2 = Hasher::with_algorithm(Algorithm::Argon2id, FAST_ITERATIONS, Some("pepper"));
    let fx = Fixture::with_hasher(Rc::new(argon2.unwrap()));
    let id = import(&fx, "shopper@example.com", &case.hash);
    assert!(signs_in(&fx, "shopper@example.com", &case.password));
    assert!(stored_hash(&fx, &id).starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
    assert!(signs_in(&fx, "shopper@example.com", &case.password));
    // Without the pepper the new hash no longer verifies: it was peppered.
    let unpeppered = Hasher::with_algorithm(Algorithm::Argon2id, FAST_ITERATIONS, None).unwrap();
    let other = fx.sibling(Rc::new(unpeppered));
    let r = block_on(other.authenticate(
        EMAILPASS,
        &credentials("shopper@example.com", &case.password),
    ));
    assert!(!r.success);
}

#[test]
fn a_hash_beyond_the_bounds_or_tampered_never_signs_in_and_is_kept() {
    let beyond: Vec<Case> = fixtures().into_iter().filter(|c| !c.accepted).collect();
    assert_eq!(beyond.len(), 2);
    for case in beyond {
        let fx = Fixture::new();
        let id = import(&fx, "shopper@example.com", &case.hash);
        assert!(
            !signs_in(&fx, "shopper@example.com", &case.password),
            "{}",
            case.note
        );
        assert_eq!(stored_hash(&fx, &id), case.hash);
    }

    // One bit of the HMAC flipped (the last base64 character before none: 128 characters, no padding).
    let case = &fixtures()[2];
    let mut tampered = case.hash.clone();
    let last = tampered.pop().unwrap();
    tampered.push(if last == 'A' { 'B' } else { 'A' });
    let fx = Fixture::new();
    let id = import(&fx, "shopper@example.com", &tampered);
    assert!(!signs_in(&fx, "shopper@example.com", &case.password));
    assert_eq!(stored_hash(&fx, &id), tampered);
}
