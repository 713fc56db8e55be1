//! The core compiled to wasm, run in a real browser (`wasm-pack test --headless --chrome -- --test wasm`):
//! the same code the Worker runs, in V8.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used)]

use edge_auth::model::AuthenticationInput;
use edge_auth::password::{Hasher, Verification};
use edge_auth::ports::clock::SystemClock;
use edge_auth::providers::emailpass::EmailPass;
use edge_auth::service::AuthModuleService;
use edge_auth::store::MemoryStore;
use serde_json::json;
use std::rc::Rc;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// PHC strings computed independently with Node's `crypto.pbkdf2Sync` (salt and hash in unpadded base64).
const KNOWN_PHC: &[(&str, &str)] = &[
    // node -e 'crypto.pbkdf2Sync("password", Buffer.from("NaCl-and-pepper!"), 4096, 32, "sha256")'
    (
        "password",
        "$pbkdf2-sha256$i=4096,l=32$TmFDbC1hbmQtcGVwcGVyIQ$H5SZE+MqDynX1uVg0i0yDTCQ0ed9EXZR229WiOMm5kg",
    ),
];

#[wasm_bindgen_test]
fn pbkdf2_matches_known_vectors_in_the_browser() {
    let hasher = Hasher::new(4096, None).unwrap();
    for (password, phc) in KNOWN_PHC {
        assert_eq!(
            hasher.verify(password, phc),
            Verification::Match {
                needs_rehash: false
            }
        );
        assert_eq!(hasher.verify("Password", phc), Verification::Mismatch);
    }
}

#[wasm_bindgen_test]
fn hashes_made_in_wasm_verify_in_wasm() {
    let hasher = Hasher::new(1000, Some("pepper")).unwrap();
    let phc = hasher.hash("correct horse").unwrap();
    assert!(phc.starts_with("$pbkdf2-sha256$i=1000,l=32$"));
    assert_eq!(
        hasher.verify("correct horse", &phc),
        Verification::Match {
            needs_rehash: false
        }
    );
}

fn input(email: &str, password: &str) -> AuthenticationInput {
    AuthenticationInput {
        body: json!({"email": email, "password": password})
            .as_object()
            .cloned()
            .unwrap(),
        ..Default::default()
    }
}

#[wasm_bindgen_test]
async fn register_then_authenticate_round_trip_over_the_memory_store() {
    let hasher = Rc::new(Hasher::new(1000, None).unwrap());
    let service = AuthModuleService::new(Rc::new(MemoryStore::new()), Rc::new(SystemClock))
        .with_provider(Rc::new(EmailPass::new(hasher)));

    let registered = service
        .register("emailpass", &input("A@B.co", "correct horse"))
        .await;
    assert!(registered.success, "{registered:?}");
    let id = registered.auth_identity.unwrap().id;
    assert!(id.starts_with("authid_"));

    let ok = service
        .authenticate("emailpass", &input("a@b.co", "correct horse"))
        .await;
    assert_eq!(ok.auth_identity.map(|i| i.id), Some(id));

    let wrong = service
        .authenticate("emailpass", &input("a@b.co", "wrong horse"))
        .await;
    assert_eq!(wrong.error.as_deref(), Some("Invalid email or password"));
}
