//! Switching `PASSWORD_HASH` between PBKDF2 and Argon2id on a live store: existing hashes of either kind
//! keep logging in, and each successful login re-hashes with the configured algorithm, pepper included.
#![cfg(all(not(target_arch = "wasm32"), feature = "argon2id"))]
#![allow(clippy::unwrap_used)]

mod kit;

use edge_auth::password::{Algorithm, Hasher};
use edge_auth::providers::emailpass::EMAILPASS;
use kit::*;
use std::rc::Rc;

const EMAIL: &str = "switch@example.com";
const PASSWORD: &str = "correct horse battery staple";

fn hasher_for(algorithm: Algorithm, pepper: Option<&str>) -> Rc<Hasher> {
    Rc::new(Hasher::with_algorithm(algorithm, FAST_ITERATIONS, pepper).expect("valid"))
}

/// The stored emailpass hash of `EMAIL`.
fn stored_hash(fx: &Fixture) -> String {
    let identity = fx.find_by_entity(EMAILPASS, EMAIL).expect("registered");
    let raw = fx.raw_identity(&identity.id);
    raw.provider_identities
        .iter()
        .find(|pi| pi.provider == EMAILPASS)
        .and_then(|pi| pi.provider_metadata.as_ref())
        .and_then(|meta| meta["password"].as_str())
        .expect("emailpass hash stored")
        .to_owned()
}

fn login(service: &edge_auth::service::AuthModuleService, password: &str) -> bool {
    block_on(service.authenticate(EMAILPASS, &credentials(EMAIL, password))).success
}

#[test]
fn switching_to_argon2id_upgrades_pbkdf2_hashes_on_login_and_back_again() {
    for pepper in [None, Some("pepper-secret")] {
        let fx = Fixture::with_hasher(hasher_for(Algorithm::Pbkdf2, pepper));
        let id = identity_of(&fx.register(EMAILPASS, EMAIL, PASSWORD))
            .id
            .clone();
        assert!(stored_hash(&fx).starts_with("$pbkdf2-sha256$i=1000,l=32$"));

        let argon2id = fx.sibling(hasher_for(Algorithm::Argon2id, pepper));
        assert!(
            !login(&argon2id, "wrong password"),
            "a failed login changes nothing"
        );
        assert!(stored_hash(&fx).starts_with("$pbkdf2-sha256$"));
        assert!(login(&argon2id, PASSWORD), "the PBKDF2 hash still verifies");
        let upgraded = stored_hash(&fx);
        assert!(
            upgraded.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{upgraded}"
        );
        assert!(login(&argon2id, PASSWORD));
        assert_eq!(stored_hash(&fx), upgraded, "a current hash is left alone");

        let pbkdf2 = fx.sibling(hasher_for(Algorithm::Pbkdf2, pepper));
        assert!(login(&pbkdf2, PASSWORD), "the Argon2id hash still verifies");
        assert!(stored_hash(&fx).starts_with("$pbkdf2-sha256$i=1000,l=32$"));
        assert_eq!(fx.find_by_entity(EMAILPASS, EMAIL).expect("kept").id, id);
    }
}

#[test]
fn an_argon2id_hash_made_with_a_pepper_needs_that_pepper() {
    let fx = Fixture::with_hasher(hasher_for(Algorithm::Argon2id, Some("pepper-secret")));
    identity_of(&fx.register(EMAILPASS, EMAIL, PASSWORD));
    assert!(stored_hash(&fx).starts_with("$argon2id$"));
    assert!(!login(
        &fx.sibling(hasher_for(Algorithm::Argon2id, None)),
        PASSWORD
    ));
    assert!(!login(
        &fx.sibling(hasher_for(Algorithm::Pbkdf2, Some("other"))),
        PASSWORD
    ));
    assert!(login(
        &fx.sibling(hasher_for(Algorithm::Pbkdf2, Some("pepper-secret"))),
        PASSWORD
    ));
}
