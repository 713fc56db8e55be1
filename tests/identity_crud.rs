//! Suite B of Medusa's Auth Module (`auth-identity.spec.ts`): AuthIdentity and ProviderIdentity CRUD,
//! plus the one uniqueness rule, one provider identity per (provider, entity_id).
//!
//! Lists come back in key order: generated `authid_<ULID>` ids sort by creation (across milliseconds),
//! caller-given ids such as `test-id` sort as strings, and `authid_…` sorts before `test-…`.
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used)]

mod kit;

use edge_auth::identity::IdentityError;
use edge_auth::model::{
    AuthIdentity, AuthIdentityFilter, CreateAuthIdentity, CreateProviderIdentity,
    ProviderIdentityFilter, ProviderIdentityMatch, UpdateAuthIdentity, UpdateProviderIdentity,
};
use edge_auth::store::keys as store_keys;
use kit::{Fixture, block_on, meta};
use serde_json::json;

fn pi(id: &str, provider: &str, entity_id: &str) -> CreateProviderIdentity {
    CreateProviderIdentity {
        id: Some(id.into()),
        entity_id: entity_id.into(),
        provider: provider.into(),
        ..Default::default()
    }
}

/// Medusa's fixtures: `test-id` (manual, `app_metadata {user_id: "user-1"}`), `test-id-1` (manual) and
/// one with a generated id (store).
fn suite_b() -> Fixture {
    let fx = Fixture::new();
    let fixtures = vec![
        CreateAuthIdentity {
            id: Some("test-id".into()),
            app_metadata: Some(meta(json!({ "user_id": "user-1" }))),
            provider_identities: vec![pi("provider-test-id", "manual", "test-id")],
        },
        CreateAuthIdentity {
            id: Some("test-id-1".into()),
            app_metadata: None,
            provider_identities: vec![pi("provider-test-id-1", "manual", "test-id-1")],
        },
        CreateAuthIdentity {
            id: None,
            app_metadata: None,
            provider_identities: vec![pi("provider-test-id-2", "store", "test-id-2")],
        },
    ];
    block_on(fx.service.create_auth_identities(fixtures)).expect("fixtures");
    fx
}

fn list(fx: &Fixture, filter: AuthIdentityFilter) -> Vec<AuthIdentity> {
    block_on(fx.service.list_auth_identities(&filter)).expect("list")
}

fn ids(identities: &[AuthIdentity]) -> Vec<&str> {
    identities.iter().map(|i| i.id.as_str()).collect()
}

fn by_provider(provider: &str) -> AuthIdentityFilter {
    AuthIdentityFilter {
        provider_identities: Some(ProviderIdentityMatch {
            provider: Some(provider.into()),
            entity_id: None,
        }),
        ..Default::default()
    }
}

fn by_entity(entity_id: &str) -> ProviderIdentityFilter {
    ProviderIdentityFilter {
        entity_id: Some(entity_id.into()),
        ..Default::default()
    }
}

// ---- listAuthIdentities / listAndCount ----

#[test]
fn list_returns_every_identity_in_key_order() {
    let fx = suite_b();
    let all = list(&fx, AuthIdentityFilter::default());
    assert_eq!(all.len(), 3);
    let providers: Vec<&str> = all
        .iter()
        .map(|i| i.provider_identities[0].provider.as_str())
        .collect();
    // Medusa asserts store, manual, manual too: the generated `authid_…` sorts first.
    assert_eq!(providers, ["store", "manual", "manual"]);
    assert!(all[0].id.starts_with("authid_"));
    assert_eq!(&ids(&all)[1..], ["test-id", "test-id-1"]);
}

#[test]
fn generated_ids_list_in_creation_order() {
    let fx = Fixture::new();
    let mut created = Vec::new();
    for n in 0..5 {
        fx.tick();
        let made = block_on(fx.service.create_auth_identities(vec![CreateAuthIdentity {
            provider_identities: vec![CreateProviderIdentity {
                entity_id: format!("user-{n}"),
                provider: "manual".into(),
                ..Default::default()
            }],
            ..Default::default()
        }]))
        .expect("create");
        created.push(made[0].id.clone());
    }
    let listed = list(&fx, AuthIdentityFilter::default());
    assert_eq!(ids(&listed), created);
}

#[test]
fn list_by_id() {
    let fx = suite_b();
    let found = list(
        &fx,
        AuthIdentityFilter {
            id: Some(vec!["test-id".into()]),
            ..Default::default()
        },
    );
    assert_eq!(ids(&found), ["test-id"]);
}

#[test]
fn list_by_provider() {
    let fx = suite_b();
    assert_eq!(
        ids(&list(&fx, by_provider("manual"))),
        ["test-id", "test-id-1"]
    );
}

#[test]
fn list_by_app_metadata_containment() {
    let fx = suite_b();
    let found = list(
        &fx,
        AuthIdentityFilter {
            app_metadata: Some(meta(json!({ "user_id": "user-1" }))),
            ..Default::default()
        },
    );
    assert_eq!(ids(&found), ["test-id"]);
}

#[test]
fn list_and_count_counts_every_identity() {
    // We have no `listAndCount`; the count is the length of the list.
    let fx = suite_b();
    assert_eq!(list(&fx, AuthIdentityFilter::default()).len(), 3);
}

#[test]
fn list_and_count_by_provider() {
    let fx = suite_b();
    assert_eq!(list(&fx, by_provider("manual")).len(), 2);
}

// ---- retrieveAuthIdentity ----

#[test]
fn retrieve_returns_the_identity_by_id() {
    let fx = suite_b();
    let found = block_on(fx.service.retrieve_auth_identity("test-id")).expect("exists");
    assert_eq!(found.id, "test-id");
    assert_eq!(
        found.app_metadata,
        Some(meta(json!({ "user_id": "user-1" })))
    );
    assert_eq!(found.provider_identities.len(), 1);
    assert_eq!(found.provider_identities[0].id, "provider-test-id");
    assert_eq!(found.provider_identities[0].auth_identity_id, "test-id");
}

#[test]
fn retrieve_of_an_unknown_id_is_not_found() {
    let fx = suite_b();
    let err = block_on(fx.service.retrieve_auth_identity("does-not-exist")).unwrap_err();
    assert_eq!(
        err,
        IdentityError::NotFound("AuthIdentity with id: does-not-exist was not found".into())
    );
    assert_eq!(
        err.to_string(),
        "AuthIdentity with id: does-not-exist was not found"
    );
}

#[test]
fn retrieve_without_an_id_is_refused() {
    let fx = suite_b();
    let err = block_on(fx.service.retrieve_auth_identity("")).unwrap_err();
    assert_eq!(
        err,
        IdentityError::Invalid("authIdentity - id must be defined".into())
    );
}

#[test]
fn no_result_carries_the_password_hash() {
    let fx = Fixture::new();
    block_on(fx.service.create_auth_identities(vec![CreateAuthIdentity {
        id: Some("hashed".into()),
        provider_identities: vec![CreateProviderIdentity {
            provider_metadata: Some(meta(json!({ "password": "$pbkdf2-secret", "kept": 1 }))),
            ..pi("provider-hashed", "emailpass", "a@b.co")
        }],
        ..Default::default()
    }]))
    .expect("create");
    let retrieved = block_on(fx.service.retrieve_auth_identity("hashed")).expect("exists");
    let listed = list(&fx, AuthIdentityFilter::default());
    let pis = block_on(
        fx.service
            .list_provider_identities(&ProviderIdentityFilter::default()),
    )
    .expect("list");
    let one = block_on(fx.service.retrieve_provider_identity("provider-hashed")).expect("exists");
    for pm in [
        &retrieved.provider_identities[0].provider_metadata,
        &listed[0].provider_identities[0].provider_metadata,
        &pis[0].provider_metadata,
        &one.provider_metadata,
    ] {
        assert_eq!(pm, &Some(meta(json!({ "kept": 1 }))));
    }
    // It is stored, only not handed out.
    assert!(fx.dump_text().contains("$pbkdf2-secret"));
}

// ---- deleteAuthIdentities ----

#[test]
fn delete_removes_the_identity_and_its_indexes() {
    let fx = suite_b();
    block_on(fx.service.delete_auth_identities(&["test-id".into()])).expect("delete");
    let found = list(
        &fx,
        AuthIdentityFilter {
            id: Some(vec!["test-id".into()]),
            ..Default::default()
        },
    );
    assert!(found.is_empty());
    assert_eq!(list(&fx, AuthIdentityFilter::default()).len(), 2);
    assert!(fx.find_by_entity("manual", "test-id").is_none());
    assert!(block_on(fx.service.retrieve_provider_identity("provider-test-id")).is_err());
    let keys: Vec<String> = fx.store.dump().into_iter().map(|(k, _)| k).collect();
    assert!(!keys.contains(&store_keys::provider_identity("provider-test-id")));
    assert!(!keys.contains(&store_keys::provider_entity("manual", "test-id")));
    // The (provider, entity_id) is free again.
    block_on(fx.service.create_auth_identities(vec![CreateAuthIdentity {
        provider_identities: vec![pi("provider-again", "manual", "test-id")],
        ..Default::default()
    }]))
    .expect("entity is free after delete");
}

#[test]
fn deleting_every_identity_leaves_an_empty_list_and_store() {
    let fx = suite_b();
    let all: Vec<String> = list(&fx, AuthIdentityFilter::default())
        .into_iter()
        .map(|i| i.id)
        .collect();
    block_on(fx.service.delete_auth_identities(&all)).expect("delete");
    assert!(list(&fx, AuthIdentityFilter::default()).is_empty());
    assert_eq!(fx.store.dump(), []);
}

#[test]
fn deleting_an_unknown_id_is_a_no_op() {
    let fx = suite_b();
    let before = fx.store.dump();
    block_on(
        fx.service
            .delete_auth_identities(&["does-not-exist".into()]),
    )
    .expect("no-op");
    assert_eq!(fx.store.dump(), before);
}

// ---- updateAuthIdentities ----

#[test]
fn update_of_an_unknown_id_is_not_found() {
    let fx = suite_b();
    let err = block_on(fx.service.update_auth_identities(vec![UpdateAuthIdentity {
        id: "does-not-exist".into(),
        app_metadata: Some(meta(json!({ "email": "x" }))),
    }]))
    .unwrap_err();
    assert_eq!(
        err,
        IdentityError::NotFound(r#"AuthIdentity with id "does-not-exist" not found"#.into())
    );
}

#[test]
fn update_sets_app_metadata() {
    let fx = suite_b();
    let updated = block_on(fx.service.update_auth_identities(vec![UpdateAuthIdentity {
        id: "test-id".into(),
        app_metadata: Some(meta(json!({ "email": "test@email.com" }))),
    }]))
    .expect("update");
    // The column is replaced as a whole: `user_id` is gone.
    let expected = Some(meta(json!({ "email": "test@email.com" })));
    assert_eq!(updated[0].app_metadata, expected);
    let stored = block_on(fx.service.retrieve_auth_identity("test-id")).expect("exists");
    assert_eq!(stored.app_metadata, expected);
    assert_eq!(stored.provider_identities, updated[0].provider_identities);
}

// ---- createAuthIdentities ----

#[test]
fn create_keeps_an_explicit_id() {
    let fx = suite_b();
    let created = block_on(fx.service.create_auth_identities(vec![CreateAuthIdentity {
        id: Some("test".into()),
        provider_identities: vec![CreateProviderIdentity {
            entity_id: "test".into(),
            provider: "manual".into(),
            ..Default::default()
        }],
        ..Default::default()
    }]))
    .expect("create");
    assert_eq!(created[0].id, "test");
    assert!(created[0].provider_identities[0].id.starts_with("provid_"));
    assert_eq!(created[0].provider_identities[0].auth_identity_id, "test");
    let found = list(
        &fx,
        AuthIdentityFilter {
            id: Some(vec!["test".into()]),
            ..Default::default()
        },
    );
    assert_eq!(found.len(), 1);
}

#[test]
fn create_with_an_id_in_use_is_refused_and_writes_nothing() {
    let fx = suite_b();
    let before = fx.store.dump();
    let err = block_on(fx.service.create_auth_identities(vec![CreateAuthIdentity {
        id: Some("test-id".into()),
        provider_identities: vec![pi("provider-other", "manual", "other")],
        ..Default::default()
    }]))
    .unwrap_err();
    assert!(matches!(err, IdentityError::Invalid(_)), "{err:?}");
    assert_eq!(fx.store.dump(), before);
}

// ---- createProviderIdentities ----

fn add_github_to_test_id(fx: &Fixture) {
    let created = block_on(
        fx.service
            .create_provider_identities(vec![CreateProviderIdentity {
                auth_identity_id: Some("test-id".into()),
                ..pi("provider-github", "github", "github-user")
            }]),
    )
    .expect("create provider identity");
    assert_eq!(created[0].auth_identity_id, "test-id");
}

#[test]
fn create_provider_identity_adds_it_to_its_auth_identity() {
    let fx = suite_b();
    add_github_to_test_id(&fx);
    let found = block_on(fx.service.retrieve_auth_identity("test-id")).expect("exists");
    let providers: Vec<&str> = found
        .provider_identities
        .iter()
        .map(|p| p.provider.as_str())
        .collect();
    assert_eq!(providers, ["manual", "github"]);
}

#[test]
fn list_by_a_newly_created_provider() {
    let fx = suite_b();
    add_github_to_test_id(&fx);
    assert_eq!(ids(&list(&fx, by_provider("github"))), ["test-id"]);
    let pis = block_on(
        fx.service
            .list_provider_identities(&ProviderIdentityFilter {
                provider: Some("github".into()),
                ..Default::default()
            }),
    )
    .expect("list");
    assert_eq!(pis.len(), 1);
    assert_eq!(pis[0].id, "provider-github");
}

#[test]
fn create_provider_identity_for_an_unknown_auth_identity_is_not_found() {
    let fx = suite_b();
    let before = fx.store.dump();
    let err = block_on(
        fx.service
            .create_provider_identities(vec![CreateProviderIdentity {
                auth_identity_id: Some("does-not-exist".into()),
                ..pi("provider-x", "github", "x")
            }]),
    )
    .unwrap_err();
    assert!(matches!(err, IdentityError::NotFound(_)), "{err:?}");
    assert_eq!(fx.store.dump(), before);
}

// ---- deleteProviderIdentities ----

#[test]
fn delete_provider_identity_removes_it() {
    let fx = suite_b();
    block_on(
        fx.service
            .delete_provider_identities(&["provider-test-id".into()]),
    )
    .expect("delete");
    let left = block_on(fx.service.list_provider_identities(&by_entity("test-id"))).expect("list");
    assert!(left.is_empty());
    // The owner survives without it, and the entity is no longer indexed.
    let owner = block_on(fx.service.retrieve_auth_identity("test-id")).expect("exists");
    assert!(owner.provider_identities.is_empty());
    assert!(fx.find_by_entity("manual", "test-id").is_none());
}

// ---- updateProviderIdentities ----

#[test]
fn update_provider_identity_of_an_unknown_id_is_not_found() {
    let fx = suite_b();
    let err = block_on(
        fx.service
            .update_provider_identities(vec![UpdateProviderIdentity {
                id: "does-not-exist".into(),
                provider_metadata: Some(meta(json!({ "email": "x" }))),
                ..Default::default()
            }]),
    )
    .unwrap_err();
    assert_eq!(
        err,
        IdentityError::NotFound(r#"ProviderIdentity with id "does-not-exist" not found"#.into())
    );
}

#[test]
fn update_provider_identity_sets_provider_metadata() {
    let fx = suite_b();
    let updated = block_on(
        fx.service
            .update_provider_identities(vec![UpdateProviderIdentity {
                id: "provider-test-id".into(),
                provider_metadata: Some(meta(json!({ "email": "test@email.com" }))),
                ..Default::default()
            }]),
    )
    .expect("update");
    assert_eq!(
        updated[0].provider_metadata,
        Some(meta(json!({ "email": "test@email.com" })))
    );
    let stored = block_on(fx.service.retrieve_provider_identity("provider-test-id")).expect("ok");
    assert_eq!(
        stored.provider_metadata,
        Some(meta(json!({ "email": "test@email.com" })))
    );
}

// ---- Uniqueness of (provider, entity_id) ----

#[test]
fn a_second_auth_identity_with_a_taken_provider_entity_is_refused_and_writes_nothing() {
    let fx = suite_b();
    let before = fx.store.dump();
    let err = block_on(fx.service.create_auth_identities(vec![CreateAuthIdentity {
        id: Some("intruder".into()),
        provider_identities: vec![pi("provider-intruder", "manual", "test-id")],
        ..Default::default()
    }]))
    .unwrap_err();
    assert_eq!(
        err,
        IdentityError::Conflict {
            provider: "manual".into(),
            entity_id: "test-id".into()
        }
    );
    assert_eq!(fx.store.dump(), before);
}

#[test]
fn a_provider_identity_added_with_a_taken_provider_entity_is_refused_and_writes_nothing() {
    let fx = suite_b();
    let before = fx.store.dump();
    let err = block_on(
        fx.service
            .create_provider_identities(vec![CreateProviderIdentity {
                auth_identity_id: Some("test-id-1".into()),
                ..pi("provider-dup", "manual", "test-id")
            }]),
    )
    .unwrap_err();
    assert!(matches!(err, IdentityError::Conflict { .. }), "{err:?}");
    assert_eq!(fx.store.dump(), before);
}

#[test]
fn one_create_naming_a_provider_entity_twice_is_refused_and_writes_nothing() {
    let fx = Fixture::new();
    let err = block_on(fx.service.create_auth_identities(vec![CreateAuthIdentity {
        provider_identities: vec![pi("p-1", "manual", "same"), pi("p-2", "manual", "same")],
        ..Default::default()
    }]))
    .unwrap_err();
    assert!(matches!(err, IdentityError::Conflict { .. }), "{err:?}");
    assert_eq!(fx.store.dump(), []);
}

#[test]
fn the_same_entity_id_under_another_provider_is_allowed() {
    let fx = suite_b();
    block_on(fx.service.create_auth_identities(vec![CreateAuthIdentity {
        id: Some("other".into()),
        provider_identities: vec![pi("provider-other", "github", "test-id")],
        ..Default::default()
    }]))
    .expect("different provider");
    assert_eq!(
        fx.find_by_entity("github", "test-id").map(|i| i.id),
        Some("other".into())
    );
    assert_eq!(
        fx.find_by_entity("manual", "test-id").map(|i| i.id),
        Some("test-id".into())
    );
}

fn move_entity(fx: &Fixture, pi_id: &str, entity_id: &str) -> Result<(), IdentityError> {
    block_on(
        fx.service
            .update_provider_identities(vec![UpdateProviderIdentity {
                id: pi_id.into(),
                entity_id: Some(entity_id.into()),
                ..Default::default()
            }]),
    )
    .map(|_| ())
}

#[test]
fn changing_entity_id_moves_the_index() {
    let fx = suite_b();
    move_entity(&fx, "provider-test-id", "moved").expect("update");
    assert_eq!(
        fx.find_by_entity("manual", "moved").map(|i| i.id),
        Some("test-id".into())
    );
    assert!(fx.find_by_entity("manual", "test-id").is_none());
    let listed = block_on(fx.service.list_provider_identities(&by_entity("moved"))).expect("list");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].id, "provider-test-id");
    // The old entity is free for someone else; the new one is taken.
    block_on(fx.service.create_auth_identities(vec![CreateAuthIdentity {
        provider_identities: vec![pi("provider-reuse", "manual", "test-id")],
        ..Default::default()
    }]))
    .expect("old entity is free");
    let err = block_on(fx.service.create_auth_identities(vec![CreateAuthIdentity {
        provider_identities: vec![pi("provider-taken", "manual", "moved")],
        ..Default::default()
    }]))
    .unwrap_err();
    assert!(matches!(err, IdentityError::Conflict { .. }), "{err:?}");
}

#[test]
fn changing_entity_id_to_a_taken_one_is_refused_and_writes_nothing() {
    let fx = suite_b();
    let before = fx.store.dump();
    let err = move_entity(&fx, "provider-test-id", "test-id-1").unwrap_err();
    assert_eq!(
        err,
        IdentityError::Conflict {
            provider: "manual".into(),
            entity_id: "test-id-1".into()
        }
    );
    assert_eq!(fx.store.dump(), before);
}
