//! The admin API's email-verification routes for a Medusa backend's `/auth/verification/*` routes through
//! the bridge: a verification requested (its code in the answer, for the backend's event), found and
//! confirmed once, for the identity the backend names only.

use super::admin_module::{admin, ok};
use crate::*;

fn verification_request(h: &TestApp, id: &str, entity_id: &str) -> HttpResponse {
    admin(
        h,
        "POST",
        "/admin/verifications",
        Some(json!({ "auth_identity_id": id, "entity_id": entity_id, "entity_type": "email" })),
    )
}

fn find_verifications(h: &TestApp, id: &str, entity_id: &str) -> Value {
    let r = admin(
        h,
        "POST",
        "/admin/verifications/find",
        Some(json!({ "auth_identity_id": id, "entity_id": entity_id, "entity_type": "email" })),
    );
    ok(&r)["verifications"].clone()
}

#[test]
fn a_verification_is_requested_found_and_confirmed_once_for_the_named_identity() {
    let h = harness(&[]);
    let id = h
        .claims(&h.registered("a@b.co", "correct horse"))
        .auth_identity_id;
    let other = h
        .claims(&h.registered("c@d.co", "correct horse"))
        .auth_identity_id;
    assert_eq!(find_verifications(&h, &id, "a@b.co"), json!([]));

    let requested = verification_request(&h, &id, "a@b.co");
    assert_eq!(requested.status, 201, "{:?}", requested.body_json());
    assert_eq!(requested.header("cache-control"), Some("no-store"));
    let requested = requested.body_json().unwrap();
    let verification = &requested["verification"];
    assert!(verification["id"].as_str().unwrap().starts_with("authver_"));
    assert_eq!(verification["auth_identity_id"], json!(id));
    assert_eq!(verification["entity_id"], "a@b.co");
    assert_eq!(verification["code_provider"], "token");
    assert_eq!(verification["verified_at"], Value::Null);
    let code = requested["code"].as_str().unwrap().to_owned();
    assert!(code.len() >= 32, "{requested}");
    // NOW_MS + Medusa's 900 s.
    assert_eq!(requested["expires_at"], "2027-01-15T08:15:00.500Z");
    assert_eq!(find_verifications(&h, &id, "a@b.co"), json!([verification]));
    assert_eq!(find_verifications(&h, &other, "a@b.co"), json!([]));

    let confirm = |owner: Option<&str>| {
        let mut body = json!({ "code": code });
        if let Some(owner) = owner {
            body["auth_identity_id"] = json!(owner);
        }
        admin(&h, "POST", "/admin/verifications/confirm", Some(body))
    };
    let invalid = "Verification code is invalid or already used";
    assert_error(&confirm(Some(&other)), 400, "not_allowed", invalid);
    let confirmed = ok(&confirm(Some(&id)))["verification"].clone();
    assert_eq!(confirmed["id"], verification["id"]);
    assert!(confirmed["verified_at"].is_string(), "{confirmed}");
    assert_error(&confirm(None), 400, "not_allowed", invalid);
    assert_eq!(find_verifications(&h, &id, "a@b.co"), json!([confirmed]));
    // Requested again once verified: the verification as it is, no new code.
    let again = verification_request(&h, &id, "a@b.co");
    assert_eq!(again.status, 201);
    let again = again.body_json().unwrap();
    assert_eq!(again, json!({ "verification": confirmed }));
}

#[test]
fn verification_routes_refuse_what_is_not_the_identitys_and_bad_input() {
    let h = harness(&[]);
    let id = h
        .claims(&h.registered("a@b.co", "correct horse"))
        .auth_identity_id;
    assert_error(
        &verification_request(&h, &id, "someone@else.co"),
        400,
        "invalid_data",
        "Provider identity not found while checking verification",
    );
    assert_error(
        &verification_request(&h, "authid_nobody", "a@b.co"),
        404,
        "not_found",
        "AuthIdentity with id: authid_nobody was not found",
    );
    for (path, body, message) in [
        (
            "/admin/verifications",
            json!({ "entity_id": "a@b.co", "entity_type": "email" }),
            "Invalid request: Field 'auth_identity_id' is required",
        ),
        (
            "/admin/verifications",
            json!({ "auth_identity_id": id, "entity_id": "a@b.co" }),
            "Invalid request: Field 'entity_type' is required",
        ),
        (
            "/admin/verifications/confirm",
            json!({ "code_provider": "token" }),
            "Invalid request: Field 'code' is required",
        ),
        (
            "/admin/verifications/find",
            json!({ "auth_identity_id": id, "entity_type": "email" }),
            "Invalid request: Field 'entity_id' is required",
        ),
    ] {
        assert_error(
            &admin(&h, "POST", path, Some(body)),
            400,
            "invalid_data",
            message,
        );
    }
    let sms = admin(
        &h,
        "POST",
        "/admin/verifications",
        Some(
            json!({ "auth_identity_id": id, "entity_id": "a@b.co", "entity_type": "email", "code_provider": "sms" }),
        ),
    );
    assert_eq!(sms.status, 400);
    assert!(
        sms.body_json().unwrap()["message"]
            .as_str()
            .unwrap()
            .contains("verification provider with id: sms")
    );
    let unknown = admin(&h, "POST", "/admin/verifications/nope", Some(json!({})));
    assert_error(
        &unknown,
        404,
        "not_found",
        "Route not found: POST /admin/verifications/nope",
    );
    assert_eq!(admin(&h, "GET", "/admin/verifications", None).status, 405);
}
