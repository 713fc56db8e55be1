//! Importing Medusa's identities through the admin API (`docs/migrating-from-medusa.md#importing-identities`):
//! one at a time and in batches, idempotent, keeping ids and metadata; bad rows fail one by one.

use crate::*;
use edge_auth::import::MAX_IMPORT_BATCH;
use edge_auth::store::KvStore;

const BEARER: &str = "Bearer admin-0123456789abcdef0123456789abcd";
const ONE: &str = "/admin/auth-identities";
const IMPORT: &str = "/admin/auth-identities/import";

/// The Medusa-default blob of `tests/fixtures/medusa/scrypt-kdf.json` and its password.
fn medusa_hash() -> (String, String) {
    let json: Value =
        serde_json::from_str(include_str!("../fixtures/medusa/scrypt-kdf.json")).unwrap();
    let case = &json["hashes"][2]; // logN 10: quick
    assert_eq!(case["logN"], 10);
    (
        case["password"].as_str().unwrap().into(),
        case["hash"].as_str().unwrap().into(),
    )
}

/// One identity as Medusa's `auth_identity` + `provider_identity` rows give it (timestamps included,
/// which the import ignores).
fn medusa_identity(n: u32, email: &str, hash: &str) -> Value {
    json!({
        "id": format!("authid_01JIMPORT{n:017}"),
        "app_metadata": { "customer_id": format!("cus_{n}") },
        "created_at": "2025-01-01T00:00:00.000Z",
        "provider_identities": [{
            "id": format!("provid_01JIMPORT{n:017}"),
            "entity_id": email,
            "provider": "emailpass",
            "auth_identity_id": format!("authid_01JIMPORT{n:017}"),
            "user_metadata": { "name": format!("Shopper {n}") },
            "provider_metadata": { "password": hash },
            "created_at": "2025-01-01T00:00:00.000Z",
        }],
    })
}

fn post(h: &TestApp, path: &str, body: &[u8], content_type: &str) -> HttpResponse {
    h.send(
        "POST",
        path,
        &[("authorization", BEARER), ("content-type", content_type)],
        body,
    )
}

fn import_json(h: &TestApp, items: &[Value]) -> Value {
    let r = post(
        h,
        IMPORT,
        Value::from(items.to_vec()).to_string().as_bytes(),
        "application/json",
    );
    assert_eq!(r.status, 200, "{:?}", r.body_json());
    r.body_json().unwrap()
}

fn statuses(answer: &Value) -> Vec<String> {
    answer["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn one_identity_is_created_with_its_ids_and_metadata_then_reported_unchanged() {
    let h = harness(&[]);
    let (password, hash) = medusa_hash();
    let item = medusa_identity(1, "Jane@Example.com", &hash);
    let r = post(&h, ONE, item.to_string().as_bytes(), "application/json");
    let id = "authid_01JIMPORT00000000000000001";
    assert_eq!(
        (r.status, r.body_json()),
        (
            201,
            Some(json!({ "id": id, "status": "created", "error": null }))
        )
    );
    let r = h.send(
        "GET",
        &format!("{ONE}/{id}"),
        &[("authorization", BEARER)],
        b"",
    );
    let stored = &r.body_json().unwrap()["auth_identity"];
    assert_eq!(stored["app_metadata"], json!({ "customer_id": "cus_1" }));
    let pi = &stored["provider_identities"][0];
    assert_eq!(pi["id"], "provid_01JIMPORT00000000000000001");
    assert_eq!(
        pi["entity_id"], "jane@example.com",
        "emailpass entity ids are lower-cased"
    );
    assert_eq!(pi["user_metadata"], json!({ "name": "Shopper 1" }));
    assert!(
        !r.body.windows(6).any(|w| w == b"scrypt"),
        "the hash is never answered"
    );

    // Re-running changes nothing.
    let r = post(&h, ONE, item.to_string().as_bytes(), "application/json");
    assert_eq!(
        (r.status, r.body_json()),
        (
            200,
            Some(json!({ "id": id, "status": "unchanged", "error": null }))
        )
    );
    // The Medusa password signs in with the actor link kept; the hash is re-hashed in place.
    let login = h.login("jane@example.com", &password);
    assert_eq!(h.claims_of(&login).actor_id, "cus_1");
    let raw = block_on(h.store.get(&format!("ai:{id}"))).unwrap().unwrap();
    assert!(raw.contains("$pbkdf2-sha256$"), "{raw}");
    // Still unchanged after the re-hash: a re-run never undoes it.
    let r = post(&h, ONE, item.to_string().as_bytes(), "application/json");
    assert_eq!(r.status, 200);
    assert_eq!(
        block_on(h.store.get(&format!("ai:{id}"))).unwrap().unwrap(),
        raw
    );
}

#[test]
fn a_batch_reports_each_item_and_a_second_run_reports_all_unchanged() {
    let h = harness(&[]);
    let (_, hash) = medusa_hash();
    let items: Vec<Value> = (0..20)
        .map(|n| medusa_identity(n, &format!("u{n}@example.com"), &hash))
        .collect();
    let first = import_json(&h, &items);
    assert_eq!(
        (&first["created"], &first["unchanged"], &first["failed"]),
        (&json!(20), &json!(0), &json!(0))
    );
    assert_eq!(
        first["results"][3]["id"],
        "authid_01JIMPORT00000000000000003"
    );
    // NDJSON, the same identities: all unchanged.
    let ndjson: String = items.iter().map(|i| format!("{i}\n")).collect();
    let r = post(&h, IMPORT, ndjson.as_bytes(), "application/x-ndjson");
    let second = r.body_json().unwrap();
    assert_eq!(statuses(&second), vec!["unchanged"; 20]);
    assert_eq!(second["unchanged"], 20);
}

#[test]
fn bad_rows_fail_one_by_one_with_the_failing_field_and_never_stop_the_batch() {
    let h = harness(&[]);
    let (_, hash) = medusa_hash();
    let good = medusa_identity(1, "good@example.com", &hash);
    let mut no_entity = medusa_identity(2, "x@example.com", &hash);
    no_entity["provider_identities"][0]
        .as_object_mut()
        .unwrap()
        .remove("entity_id");
    let mut bad_hash = medusa_identity(3, "bad-hash@example.com", &hash);
    bad_hash["provider_identities"][0]["provider_metadata"]["password"] = json!("c2NyeXB0AAo=");
    let mut unknown_provider = medusa_identity(4, "okta-user", &hash);
    unknown_provider["provider_identities"][0]["provider"] = json!("okta");
    let case_twin = medusa_identity(5, "GOOD@example.com", &hash);
    let mut same_pid = medusa_identity(6, "other@example.com", &hash);
    same_pid["provider_identities"][0]["id"] = json!("provid_01JIMPORT00000000000000001");
    let no_id = json!({ "provider_identities": [] });
    let mut ndjson: String = [
        good,
        no_entity,
        bad_hash,
        unknown_provider,
        case_twin,
        same_pid,
        no_id,
    ]
    .iter()
    .map(|i| format!("{i}\n"))
    .collect();
    ndjson.push_str("{not json\n");
    let r = post(&h, IMPORT, ndjson.as_bytes(), "application/x-ndjson");
    let answer = r.body_json().unwrap();
    let errors: Vec<&str> = answer["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["error"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(statuses(&answer)[0], "created");
    assert_eq!(answer["failed"], 7);
    assert_eq!(errors[1], "provider_identities[0].entity_id is required");
    assert!(
        errors[2].starts_with(
            "provider_identities[0].provider_metadata.password is not a password hash"
        ),
        "{}",
        errors[2]
    );
    assert_eq!(
        errors[3],
        "provider_identities[0].provider: provider \"okta\" is not enabled here"
    );
    assert!(
        errors[4].contains("\"good@example.com\"")
            && errors[4].contains("differ only by case are not merged"),
        "{}",
        errors[4]
    );
    assert_eq!(
        errors[5],
        "provider identity id \"provid_01JIMPORT00000000000000001\" belongs to another identity"
    );
    assert_eq!(errors[6], "id is required");
    assert!(errors[7].starts_with("not JSON: line 8:"), "{}", errors[7]);
    // Nothing of the failed rows was stored: the one identity and its two indexes, and the tally.
    let keys: Vec<String> = h
        .store
        .dump()
        .into_iter()
        .map(|(k, _)| k)
        .filter(|k| !k.starts_with("meta:"))
        .collect();
    assert_eq!(
        keys,
        [
            "ai:authid_01JIMPORT00000000000000001",
            "pi:emailpass:good@example.com",
            "pid:provid_01JIMPORT00000000000000001",
        ]
    );
}

#[test]
fn an_existing_id_with_other_provider_identities_fails_and_single_failures_are_400() {
    let h = harness(&[]);
    let (_, hash) = medusa_hash();
    let item = medusa_identity(1, "a@example.com", &hash);
    assert_eq!(
        post(&h, ONE, item.to_string().as_bytes(), "application/json").status,
        201
    );
    let mut other = item.clone();
    other["provider_identities"][0]["entity_id"] = json!("b@example.com");
    assert_error(
        &post(&h, ONE, other.to_string().as_bytes(), "application/json"),
        400,
        "invalid_data",
        "an identity with this id exists with other provider identities: delete it first to import it again",
    );
    assert_error(
        &post(&h, ONE, b"{\"id\": \"authid_x\"}", "application/json"),
        400,
        "invalid_data",
        "provider_identities is required",
    );
}

#[test]
fn batch_limits_methods_and_the_admin_secret_are_enforced() {
    let h = harness(&[]);
    let (_, hash) = medusa_hash();
    let too_many: Vec<Value> = (0..=MAX_IMPORT_BATCH as u32)
        .map(|n| json!({ "id": format!("authid_{n}"), "provider_identities": [] }))
        .collect();
    assert_error(
        &post(
            &h,
            IMPORT,
            Value::from(too_many).to_string().as_bytes(),
            "application/json",
        ),
        400,
        "invalid_data",
        &format!(
            "At most {MAX_IMPORT_BATCH} identities per request, got {}",
            MAX_IMPORT_BATCH + 1
        ),
    );
    assert_error(
        &post(&h, IMPORT, b"  \n", "application/x-ndjson"),
        400,
        "invalid_data",
        "Expected identities: a JSON array, or NDJSON (one identity a line)",
    );
    assert_error(
        &post(&h, IMPORT, b"[1,", "application/json"),
        400,
        "invalid_data",
        "Malformed JSON array",
    );
    assert_eq!(
        h.send("GET", IMPORT, &[("authorization", BEARER)], b"")
            .status,
        405
    );
    let item = medusa_identity(1, "a@example.com", &hash).to_string();
    for path in [ONE, IMPORT] {
        let r = h.send(
            "POST",
            path,
            &[
                ("authorization", "Bearer wrong"),
                ("content-type", "application/json"),
            ],
            item.as_bytes(),
        );
        assert_error(&r, 401, "unauthorized", "Unauthorized");
    }
    let big = vec![b' '; 17 * 1024];
    assert_eq!(post(&h, IMPORT, &big, "application/x-ndjson").status, 413);
    assert!(h.store.dump().is_empty(), "nothing was written");
}

/// A third-party entity taken by another identity is named with its provider (the case-folding hint is
/// for emails only).
#[test]
fn a_third_party_entity_of_another_identity_fails_naming_its_provider() {
    let h = harness(&[
        ("GITHUB_CLIENT_ID", "github-client-id"),
        ("GITHUB_CLIENT_SECRET", "github-very-secret"),
        (
            "GITHUB_CALLBACK_URL",
            "https://shop.example/auth/customer/github/callback",
        ),
    ]);
    let github = |n: u32| {
        json!({
            "id": format!("authid_gh{n}"),
            "provider_identities": [{"id": format!("provid_gh{n}"), "provider": "github", "entity_id": "4242"}],
        })
    };
    let answer = import_json(&h, &[github(1), github(2)]);
    assert_eq!(statuses(&answer), ["created", "failed"], "{answer}");
    assert_eq!(
        answer["results"][1]["error"],
        json!("github entity_id \"4242\" belongs to another identity")
    );
}
