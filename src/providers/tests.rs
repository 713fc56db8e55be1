//! Timing equality after a cost change, counted in KDF work rather than timed: an unknown email spends a
//! cost drawn from the stored hashes' population, and that population follows every write of a hash.

use crate::hash_costs::{self, RecountError};
use crate::model::{
    AuthenticationInput, CreateAuthIdentity, CreateProviderIdentity, Metadata,
    UpdateProviderIdentity,
};
use crate::password::{Hasher, take_kdf_runs};
use crate::ports::clock::ManualClock;
use crate::providers::emailpass::{EMAILPASS, EmailPass};
use crate::service::AuthModuleService;
use crate::store::{KvStore, MemoryStore, keys};
use futures::executor::block_on;
use serde_json::{Value, json};
use std::rc::Rc;

/// The work factor before and after the change (scaled down from 20,000 → 400,000).
const OLD: u32 = 1_000;
const NEW: u32 = 20_000;
const T0_MS: u64 = 1_800_000_000_000;

fn service(store: &Rc<MemoryStore>, iterations: u32) -> AuthModuleService {
    let hasher = Rc::new(Hasher::new(iterations, None).unwrap());
    AuthModuleService::new(store.clone(), Rc::new(ManualClock::new(T0_MS)))
        .with_provider(Rc::new(EmailPass::new(hasher).with_draw_key([42; 32])))
}

fn input(email: &str, password: &str) -> AuthenticationInput {
    let body = json!({ "email": email, "password": password });
    AuthenticationInput {
        body: body.as_object().cloned().unwrap(),
        ..AuthenticationInput::default()
    }
}

fn register(svc: &AuthModuleService, email: &str) {
    let r = block_on(svc.register(EMAILPASS, &input(email, "correct horse")));
    assert!(r.success, "{:?}", r.error);
}

/// The PBKDF2 iterations of each KDF one sign-in ran.
fn sign_in_work(svc: &AuthModuleService, email: &str, password: &str) -> Vec<u32> {
    take_kdf_runs();
    block_on(svc.authenticate(EMAILPASS, &input(email, password)));
    take_kdf_runs()
        .iter()
        .map(|c| c.pbkdf2_iterations().expect("PBKDF2 only here"))
        .collect()
}

fn tally(store: &MemoryStore) -> Value {
    let json = block_on(store.get(keys::HASH_COSTS))
        .unwrap()
        .unwrap_or("{}".into());
    serde_json::from_str(&json).unwrap()
}

#[test]
fn after_a_cost_change_an_unknown_email_costs_what_the_stored_hashes_cost() {
    let store = Rc::new(MemoryStore::new());
    let before = service(&store, OLD);
    for email in ["a@b.co", "b@b.co", "c@b.co"] {
        register(&before, email);
    }
    let after = service(&store, NEW);
    let known = sign_in_work(&after, "a@b.co", "wrong horse!");
    let unknown = sign_in_work(&after, "nobody@b.co", "wrong horse!");
    println!(
        "[finding 9] iterations per sign-in after {OLD} -> {NEW}: known {known:?}, unknown {unknown:?}"
    );
    assert_eq!(known, [OLD]);
    assert_eq!(unknown, known);
    // An address too long to exist is an unknown email too.
    let long = format!("{}@b.co", "x".repeat(300));
    assert_eq!(sign_in_work(&after, &long, "wrong horse!"), [OLD]);
    // Without a tally (a store from before it existed, until recounted): today's cost, as before.
    block_on(store.delete(keys::HASH_COSTS)).unwrap();
    assert_eq!(sign_in_work(&after, "nobody@b.co", "wrong horse!"), [NEW]);
}

#[test]
fn unknown_emails_draw_costs_in_the_proportions_of_the_stored_hashes() {
    let store = Rc::new(MemoryStore::new());
    let before = service(&store, OLD);
    for email in ["a@b.co", "b@b.co", "c@b.co"] {
        register(&before, email);
    }
    let after = service(&store, NEW);
    register(&after, "d@b.co");
    let known: Vec<u32> = ["a@b.co", "b@b.co", "c@b.co", "d@b.co"]
        .iter()
        .flat_map(|e| sign_in_work(&after, e, "wrong horse!"))
        .collect();
    assert_eq!(known, [OLD, OLD, OLD, NEW]);
    let draws = 200;
    let mut at_old = 0;
    for i in 0..draws {
        let email = format!("unknown{i}@b.co");
        let work = sign_in_work(&after, &email, "wrong horse!");
        assert!(work == [OLD] || work == [NEW], "{work:?}");
        // One email always costs the same, as a known one does.
        assert_eq!(sign_in_work(&after, &email, "other guess!"), work);
        at_old += usize::from(work == [OLD]);
    }
    println!("[finding 9] at {OLD} iterations: known 3 of 4, unknown {at_old} of {draws}");
    assert!(
        (120..=180).contains(&at_old),
        "{at_old} of {draws}, expected about 150"
    );
}

#[test]
fn the_tally_follows_every_write_of_a_hash() {
    let store = Rc::new(MemoryStore::new());
    let old = "pbkdf2-sha256$i=1000";
    let new = "pbkdf2-sha256$i=20000";
    let before = service(&store, OLD);
    register(&before, "a@b.co");
    register(&before, "b@b.co");
    assert_eq!(tally(&store), json!({ old: 2 }));
    // A wrong password or a register retry writes nothing.
    let after = service(&store, NEW);
    sign_in_work(&after, "a@b.co", "wrong horse!");
    assert_eq!(tally(&store), json!({ old: 2 }));
    // The re-hash on login moves one hash to the new cost.
    assert_eq!(sign_in_work(&after, "a@b.co", "correct horse"), [OLD, NEW]);
    assert_eq!(tally(&store), json!({ old: 1, new: 1 }));
    // A password update replaces the other.
    let data = json!({ "entity_id": "b@b.co", "password": "another horse" });
    let updated = block_on(after.update_provider(EMAILPASS, data.as_object().unwrap()));
    assert!(updated.success);
    assert_eq!(tally(&store), json!({ new: 2 }));
    // Metadata updates that keep the hash change nothing.
    let b = block_on(after.list_provider_identities(&Default::default())).unwrap();
    let b_pi = b.iter().find(|pi| pi.entity_id == "b@b.co").unwrap();
    let mut meta = Metadata::new();
    meta.insert("note".into(), json!("x"));
    block_on(
        after.update_provider_identities(vec![UpdateProviderIdentity {
            id: b_pi.id.clone(),
            provider_metadata: Some(meta),
            ..Default::default()
        }]),
    )
    .unwrap();
    assert_eq!(tally(&store), json!({ new: 2 }));
    // Deleting a provider identity, then an identity, counts their hashes out.
    block_on(after.delete_provider_identities(std::slice::from_ref(&b_pi.id))).unwrap();
    assert_eq!(tally(&store), json!({ new: 1 }));
    let a = block_on(after.list_auth_identities(&Default::default())).unwrap();
    let ids: Vec<String> = a.iter().map(|i| i.id.clone()).collect();
    block_on(after.delete_auth_identities(&ids)).unwrap();
    assert_eq!(tally(&store), json!({}));
    // An identity created through the module API with a hash of its own is counted in.
    block_on(after.create_auth_identities(vec![imported("c@b.co", ARGON2_HASH)])).unwrap();
    assert_eq!(tally(&store), json!({ "argon2id$m=19456,t=2,p=1": 1 }));
}

const PBKDF2_HASH: &str =
    "$pbkdf2-sha256$i=1000,l=32$c2FsdHNhbHRzYWx0$Nlq7yQQ/Jx5m+uuYFkhhwl2VoPS8M7l43ASGCC52pus";
const ARGON2_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$Nlq7yQQ/Jx5m+uuYFkhhwl2VoPS8M7l43ASGCC52pus";

fn imported(email: &str, hash: &str) -> CreateAuthIdentity {
    let mut meta = Metadata::new();
    meta.insert("password".into(), json!(hash));
    CreateAuthIdentity {
        id: None,
        app_metadata: None,
        provider_identities: vec![CreateProviderIdentity {
            entity_id: email.into(),
            provider: EMAILPASS.into(),
            provider_metadata: Some(meta),
            ..Default::default()
        }],
    }
}

#[test]
fn a_recount_rebuilds_the_tally_from_the_identities_page_by_page() {
    let store = Rc::new(MemoryStore::new());
    let svc = service(&store, NEW);
    let batch = (0..450)
        .map(|i| {
            imported(
                &format!("u{i}@b.co"),
                if i % 3 == 0 { ARGON2_HASH } else { PBKDF2_HASH },
            )
        })
        .collect();
    block_on(svc.create_auth_identities(batch)).unwrap();
    // A store whose hashes predate the tally.
    block_on(store.delete(keys::HASH_COSTS)).unwrap();
    let mut progress = block_on(svc.recount_hash_costs(None)).unwrap();
    let mut pages = vec![progress.scanned];
    while let Some(cursor) = progress.next.clone() {
        assert_eq!(
            block_on(svc.recount_hash_costs(Some("not-the-cursor"))),
            Err(RecountError::UnknownCursor)
        );
        progress = block_on(svc.recount_hash_costs(Some(&cursor))).unwrap();
        pages.push(progress.scanned);
    }
    let page = u64::from(hash_costs::RECOUNT_PAGE);
    assert_eq!(pages, [page, 2 * page, 450]);
    let expected = json!({ "argon2id$m=19456,t=2,p=1": 150, "pbkdf2-sha256$i=1000": 300 });
    assert_eq!(tally(&store), expected);
    assert_eq!(
        serde_json::from_str::<Value>(&block_on(svc.hash_costs()).to_json()).unwrap(),
        expected
    );
    // A finished recount cannot be continued.
    assert!(
        block_on(store.get(keys::HASH_COSTS_RECOUNT))
            .unwrap()
            .is_none()
    );
}

/// A Medusa blob of `tests/fixtures/medusa/scrypt-kdf.json`: "correct horse battery" at logN 10, r 8, p 1.
fn medusa_fixture() -> (String, String) {
    let json: Value =
        serde_json::from_str(include_str!("../../tests/fixtures/medusa/scrypt-kdf.json")).unwrap();
    let case = json["hashes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["logN"] == 10)
        .unwrap();
    let text = |k: &str| case[k].as_str().unwrap().to_owned();
    (text("password"), text("hash"))
}

#[test]
fn medusa_hashes_are_a_cost_class_that_unknown_emails_spend_until_re_hashed() {
    let (password, blob) = medusa_fixture();
    let scrypt = "scrypt$ln=10,r=8,p=1";
    let store = Rc::new(MemoryStore::new());
    let svc = service(&store, NEW);
    block_on(svc.create_auth_identities(vec![imported("m@b.co", &blob)])).unwrap();
    assert_eq!(tally(&store), json!({ scrypt: 1 }));

    let classes = |email: &str, password: &str| {
        take_kdf_runs();
        block_on(svc.authenticate(EMAILPASS, &input(email, password)));
        take_kdf_runs()
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
    };
    // A wrong password and an unknown email both spend one scrypt at the stored hash's cost.
    assert_eq!(classes("m@b.co", "wrong horse!"), [scrypt]);
    assert_eq!(classes("nobody@b.co", "wrong horse!"), [scrypt]);
    // The right one: scrypt, then the re-hash at today's cost, which the tally follows.
    let new = format!("pbkdf2-sha256$i={NEW}");
    assert_eq!(
        classes("m@b.co", &password),
        [scrypt.to_owned(), new.clone()]
    );
    assert_eq!(tally(&store), json!({ new.clone(): 1 }));
    assert_eq!(classes("nobody@b.co", "wrong horse!"), [new]);
}
