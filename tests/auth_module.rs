//! Suite A of Medusa's Auth Module (`auth-module-service/index.spec.ts`) and the service's dispatch
//! rules: unknown providers, operations a provider lacks, and sanitising whatever a provider returns.
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used)]

mod kit;

use edge_auth::model::{
    AuthenticationInput, AuthenticationResponse, CreateAuthIdentity, CreateProviderIdentity,
    Metadata,
};
use edge_auth::providers::emailpass::{EMAILPASS, EmailPass};
use kit::{
    FAST_ITERATIONS, Fixture, PLAINTEXT, assert_sanitized, block_on, credentials, failed,
    identity_of, input, meta,
};
use serde_json::{Value, json};

/// Medusa's `beforeEach`: `test@admin.com` with the plaintext password `plaintext`.
fn suite_a() -> Fixture {
    let fx = Fixture::new();
    block_on(fx.service.create_auth_identities(vec![CreateAuthIdentity {
        provider_identities: vec![CreateProviderIdentity {
            entity_id: "test@admin.com".into(),
            provider: PLAINTEXT.into(),
            provider_metadata: Some(meta(json!({ "password": "plaintext" }))),
            ..Default::default()
        }],
        ..Default::default()
    }]))
    .expect("fixture identity");
    fx
}

// ---- Suite A ----

#[test]
fn authenticate_with_an_unknown_provider_resolves_to_a_failure() {
    let fx = suite_a();
    let response = fx.authenticate("facebook", "test@admin.com", "plaintext");
    assert_eq!(
        response,
        failed(
            "\nUnable to retrieve the auth provider with id: facebook\nPlease make sure that the provider is registered in the container and it is configured correctly in your project configuration file."
        )
    );
}

#[test]
fn every_flow_method_answers_the_unknown_provider_message() {
    let fx = suite_a();
    let body = credentials("test@admin.com", "plaintext");
    let expected = failed(
        "\nUnable to retrieve the auth provider with id: facebook\nPlease make sure that the provider is registered in the container and it is configured correctly in your project configuration file.",
    );
    assert_eq!(block_on(fx.service.register("facebook", &body)), expected);
    assert_eq!(
        block_on(fx.service.validate_callback("facebook", &body)),
        expected
    );
    assert_eq!(
        block_on(fx.service.update_provider("facebook", &body.body)),
        expected
    );
}

#[test]
fn authenticate_with_the_correct_password_returns_the_identity() {
    let fx = suite_a();
    let response = fx.authenticate(PLAINTEXT, "test@admin.com", "plaintext");
    let identity = identity_of(&response);
    assert!(identity.id.starts_with("authid_"), "{}", identity.id);
    assert_eq!(identity.provider_identities.len(), 1);
    assert_eq!(identity.provider_identities[0].entity_id, "test@admin.com");
    assert_eq!(response.error, None);
}

#[test]
fn authenticate_with_an_incorrect_password_fails() {
    let fx = suite_a();
    let response = fx.authenticate(PLAINTEXT, "test@admin.com", "password");
    assert_eq!(response, failed("Invalid email or password"));
}

#[test]
fn authenticate_with_an_unknown_entity_creates_it_through_the_provider() {
    let fx = suite_a();
    let response = fx.authenticate(PLAINTEXT, "new@admin.com", "newpass");
    let created = identity_of(&response);

    let retrieved = block_on(fx.service.retrieve_auth_identity(&created.id)).expect("retrievable");
    assert_eq!(retrieved.id, created.id);
    assert_eq!(retrieved.provider_identities.len(), 1);
    assert_eq!(retrieved.provider_identities[0].entity_id, "new@admin.com");
    assert_eq!(retrieved.provider_identities[0].provider, PLAINTEXT);
    // The fixture identity is untouched: two identities now.
    let all = block_on(fx.service.list_auth_identities(&Default::default())).expect("list");
    assert_eq!(all.len(), 2);
}

#[test]
fn an_auto_created_identity_then_authenticates_with_its_password_only() {
    let fx = suite_a();
    let first = fx.authenticate(PLAINTEXT, "new@admin.com", "newpass");
    let again = fx.authenticate(PLAINTEXT, "new@admin.com", "newpass");
    assert_eq!(identity_of(&again).id, identity_of(&first).id);
    assert_eq!(
        fx.authenticate(PLAINTEXT, "new@admin.com", "other"),
        failed("Invalid email or password")
    );
}

// ---- Dispatch: operations a provider does not implement ----

#[test]
fn register_on_a_provider_without_register_answers_not_implemented() {
    let fx = suite_a();
    let response = fx.register(PLAINTEXT, "test@admin.com", "plaintext");
    assert_eq!(
        response,
        failed("Method 'register' not implemented for provider plaintextpass")
    );
}

#[test]
fn update_on_a_provider_without_update_answers_not_implemented() {
    let fx = suite_a();
    let data = meta(json!({ "entity_id": "test@admin.com", "password": "other" }));
    let response = block_on(fx.service.update_provider(PLAINTEXT, &data));
    assert_eq!(
        response,
        failed("Method 'update' not implemented for provider plaintextpass")
    );
}

#[test]
fn validate_callback_on_a_provider_without_callbacks_answers_not_implemented() {
    let fx = suite_a();
    let response = block_on(
        fx.service
            .validate_callback(PLAINTEXT, &input(json!({ "code": "abc" }))),
    );
    assert_eq!(
        response,
        failed("Callback authentication not implemented for provider plaintextpass")
    );
    let response = block_on(
        fx.service
            .validate_callback(EMAILPASS, &input(json!({ "code": "abc" }))),
    );
    assert_eq!(
        response,
        failed("Callback authentication not implemented for provider emailpass")
    );
}

#[test]
fn not_implemented_operations_leave_the_store_untouched() {
    let fx = suite_a();
    let before = fx.store.dump();
    let _ = fx.register(PLAINTEXT, "someone@admin.com", "whatever1");
    let _ = block_on(fx.service.update_provider(
        PLAINTEXT,
        &meta(json!({ "entity_id": "test@admin.com", "password": "x" })),
    ));
    let _ = block_on(
        fx.service
            .validate_callback(PLAINTEXT, &credentials("a@b.co", "x")),
    );
    assert_eq!(fx.store.dump(), before);
}

// ---- Dispatch: what leaves the service is sanitised ----

#[test]
fn identities_a_provider_returns_raw_are_sanitised_by_the_service() {
    let fx = suite_a();
    // The provider hands back the record with `provider_metadata.password` in it…
    let raw = fx
        .find_by_entity(PLAINTEXT, "test@admin.com")
        .expect("stored");
    let stored_meta = raw.provider_identities[0].provider_metadata.as_ref();
    assert_eq!(
        stored_meta.and_then(|m| m.get("password")),
        Some(&json!("plaintext"))
    );
    // …but the caller never sees it.
    let response = fx.authenticate(PLAINTEXT, "test@admin.com", "plaintext");
    assert_sanitized(identity_of(&response));
    let created = fx.authenticate(PLAINTEXT, "fresh@admin.com", "fresh-secret");
    assert_sanitized(identity_of(&created));
    assert!(
        !serde_json::to_string(&created)
            .expect("serialisable")
            .contains("fresh-secret")
    );
}

#[test]
fn crud_results_are_sanitised_too() {
    let fx = suite_a();
    let listed = block_on(fx.service.list_auth_identities(&Default::default())).expect("list");
    assert_eq!(listed.len(), 1);
    assert_sanitized(&listed[0]);
    let retrieved = block_on(fx.service.retrieve_auth_identity(&listed[0].id)).expect("retrieve");
    assert_sanitized(&retrieved);
    let pis = block_on(fx.service.list_provider_identities(&Default::default())).expect("list");
    assert!(pis.iter().all(|pi| {
        !pi.provider_metadata
            .as_ref()
            .unwrap()
            .contains_key("password")
    }));
}

/// Bodies a client could send: missing fields, wrong JSON types, odd characters, oversized values.
fn hostile_bodies() -> Vec<Value> {
    vec![
        json!({}),
        json!({ "email": null, "password": null }),
        json!({ "email": 5, "password": 5 }),
        json!({ "email": ["a@b.co"], "password": { "x": 1 } }),
        json!({ "email": true, "password": "password123" }),
        json!({ "email": "", "password": "" }),
        json!({ "email": "a@b.co", "password": "" }),
        json!({ "email": "   ", "password": "password123" }),
        json!({ "email": "@", "password": "password123" }),
        json!({ "email": "a:b@c:d", "password": "password123" }),
        json!({ "email": "\u{0}@\u{0}", "password": "\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}" }),
        json!({ "email": "İSTANBUL@ÖRNEK.COM", "password": "pässwörd🔑" }),
        json!({ "email": "x".repeat(600) + "@b.co", "password": "password123" }),
        json!({ "email": "a@b.co", "password": "p".repeat(5000) }),
        json!({ "entity_id": "a@b.co", "password": "password123" }),
        json!({ "entity_id": 7, "email": 7, "password": 7 }),
    ]
}

fn assert_well_formed(response: &AuthenticationResponse, context: &str) {
    if response.success {
        assert_sanitized(identity_of(response));
    } else {
        let error = response.error.as_deref().unwrap_or("");
        assert!(!error.is_empty(), "{context}: failure without a message");
        assert_eq!(response.auth_identity, None, "{context}");
    }
}

#[test]
fn flow_methods_never_panic_and_only_return_sanitised_identities() {
    let fx = suite_a();
    // A real identity for each provider, so some calls reach the success paths.
    assert!(fx.register(EMAILPASS, "a@b.co", "password123").success);
    for provider in [EMAILPASS, PLAINTEXT, "facebook", "", "emailpass:x"] {
        for body in hostile_bodies() {
            let context = format!("{provider} {body}");
            let data: Metadata = meta(body.clone());
            let request = AuthenticationInput {
                body: data.clone(),
                ..Default::default()
            };
            for response in [
                block_on(fx.service.register(provider, &request)),
                block_on(fx.service.authenticate(provider, &request)),
                block_on(fx.service.validate_callback(provider, &request)),
                block_on(fx.service.update_provider(provider, &data)),
            ] {
                assert_well_formed(&response, &context);
            }
        }
    }
    // Whatever happened, no stored value holds a password the callers sent in the clear, except
    // plaintextpass's own records (it stores plaintext by design).
    for (key, value) in fx.store.dump() {
        if !value.contains(PLAINTEXT) {
            assert!(!value.contains("password123"), "{key} = {value}");
        }
    }
}

#[test]
fn providers_are_kept_in_id_order_and_a_later_one_replaces_one_with_its_id() {
    let fx = Fixture::new();
    // Registered out of order, emailpass twice: the second one's work factor is the one used.
    let service = edge_auth::service::AuthModuleService::new(fx.store.clone(), fx.clock.clone())
        .with_provider(std::rc::Rc::new(kit::PlaintextPass))
        .with_provider(std::rc::Rc::new(EmailPass::new(kit::hasher(
            FAST_ITERATIONS,
            None,
        ))))
        .with_provider(std::rc::Rc::new(EmailPass::new(kit::hasher(
            2 * FAST_ITERATIONS,
            None,
        ))));
    assert_eq!(
        service.provider_ids().collect::<Vec<_>>(),
        [EMAILPASS, PLAINTEXT]
    );
    let listed: Vec<String> = service
        .list_auth_providers(None)
        .into_iter()
        .map(|p| p.id)
        .collect();
    assert_eq!(listed, [EMAILPASS, PLAINTEXT]);
    let r = block_on(service.register(EMAILPASS, &credentials("order@example.com", "password123")));
    assert!(r.success, "{r:?}");
    assert!(fx.dump_text().contains("$pbkdf2-sha256$i=2000,"));
}

#[test]
fn registered_providers_are_listed_by_id() {
    let fx = Fixture::new();
    assert!(fx.service.has_provider(EMAILPASS));
    assert!(fx.service.has_provider(PLAINTEXT));
    assert!(!fx.service.has_provider("facebook"));
    assert_eq!(
        fx.service.provider_ids().collect::<Vec<_>>(),
        [EMAILPASS, PLAINTEXT]
    );
}
