//! The admin API's reset routes for a Medusa backend's forgot-password flow through the bridge: Medusa
//! 2.16+'s reset jti issued for an entity and spent once, and `updateProvider` setting a password (voiding
//! the identity's tokens, limited like the Worker's own `update` route).

use super::admin_module::{admin, admin_from, forwarded, ok};
use crate::*;

fn issue(h: &TestApp, body: Value) -> HttpResponse {
    admin(h, "POST", "/admin/password-reset-tokens", Some(body))
}

fn consume(h: &TestApp, jti: &str, entity_id: &str) -> HttpResponse {
    admin(
        h,
        "POST",
        "/admin/password-reset-tokens/consume",
        Some(json!({ "jti": jti, "provider": "emailpass", "entity_id": entity_id })),
    )
}

fn issued_jti(h: &TestApp, entity_id: &str) -> String {
    let r = issue(
        h,
        json!({ "provider": "emailpass", "entity_id": entity_id }),
    );
    assert_eq!(r.status, 201, "{:?}", r.body_json());
    r.body_json().unwrap()["jti"].as_str().unwrap().to_owned()
}

fn update(h: &TestApp, body: Value) -> HttpResponse {
    admin(h, "POST", "/admin/auth/emailpass/update", Some(body))
}

#[test]
fn a_reset_jti_is_issued_for_an_entity_and_spent_once_naming_its_identity() {
    let h = harness(&[]);
    let id = h
        .claims(&h.registered("a@b.co", "correct horse"))
        .auth_identity_id;
    let r = issue(
        &h,
        json!({ "provider": "emailpass", "entity_id": "A@b.co", "ttl_seconds": 60 }),
    );
    assert_eq!(r.status, 201, "{:?}", r.body_json());
    let issued = r.body_json().unwrap();
    let jti = issued["jti"].as_str().unwrap();
    assert_eq!(jti.len(), 32, "{issued}");
    // NOW_MS + 60 s, as JavaScript's toISOString writes it.
    assert_eq!(issued["expires_at"], "2027-01-15T08:01:00.500Z");
    assert_eq!(issued.as_object().unwrap().len(), 2, "{issued}");

    assert_error(
        &consume(&h, jti, "other@b.co"),
        401,
        "unauthorized",
        "Invalid token",
    );
    assert_error(
        &consume(&h, "0123456789abcdef0123456789abcdef", "a@b.co"),
        401,
        "unauthorized",
        "Invalid token",
    );
    let identity = block_on(h.app.service.retrieve_auth_identity(&id)).unwrap();
    assert_eq!(
        ok(&consume(&h, jti, "a@b.co")),
        json!({
            "auth_identity_id": id,
            "provider_identity_id": identity.provider_identities[0].id,
            "entity_id": "a@b.co",
        })
    );
    assert_error(
        &consume(&h, jti, "a@b.co"),
        401,
        "unauthorized",
        "Invalid token",
    );
}

#[test]
fn a_new_reset_jti_voids_the_earlier_one_and_an_expired_one_is_refused() {
    let h = harness(&[]);
    h.register("a@b.co", "correct horse");
    let first = issued_jti(&h, "a@b.co");
    let second = issued_jti(&h, "a@b.co");
    assert_ne!(first, second);
    assert_error(
        &consume(&h, &first, "a@b.co"),
        401,
        "unauthorized",
        "Invalid token",
    );
    assert_eq!(ok(&consume(&h, &second, "a@b.co"))["entity_id"], "a@b.co");

    let r = issue(
        &h,
        json!({ "provider": "emailpass", "entity_id": "a@b.co", "ttl_seconds": 60 }),
    );
    let short = r.body_json().unwrap()["jti"].as_str().unwrap().to_owned();
    h.clock.advance_ms(60_000);
    assert_error(
        &consume(&h, &short, "a@b.co"),
        401,
        "unauthorized",
        "Invalid token",
    );
}

#[test]
fn reset_jti_routes_refuse_bad_input_with_medusas_messages() {
    let h = harness(&[]);
    h.register("a@b.co", "correct horse");
    let ttl =
        |ttl: Value| json!({ "provider": "emailpass", "entity_id": "a@b.co", "ttl_seconds": ttl });
    let ttl_message = "Password reset token TTL must be a positive integer";
    for (body, message) in [
        (
            json!({ "entity_id": "a@b.co" }),
            "provider must be a non-empty string",
        ),
        (
            json!({ "provider": "emailpass" }),
            "entity_id must be a non-empty string",
        ),
        (
            json!({ "provider": "emailpass", "entity_id": 7 }),
            "entity_id must be a non-empty string",
        ),
        // Empty strings are refused as missing ones, before any lookup.
        (
            json!({ "provider": "", "entity_id": "a@b.co" }),
            "provider must be a non-empty string",
        ),
        (
            json!({ "provider": "emailpass", "entity_id": "" }),
            "entity_id must be a non-empty string",
        ),
        (
            json!({ "provider": "Email Pass", "entity_id": "a@b.co" }),
            "provider must be a provider id",
        ),
        (
            json!({ "provider": "emailpass", "entity_id": "nobody@b.co" }),
            "Provider identity with entity_id nobody@b.co and provider emailpass not found",
        ),
        (ttl(json!(0)), ttl_message),
        (ttl(json!(-5)), ttl_message),
        (ttl(json!(1.5)), ttl_message),
        (ttl(json!("60")), ttl_message),
    ] {
        assert_error(&issue(&h, body.clone()), 400, "invalid_data", message);
    }
    // Bounded above too (Medusa is not): 30 days is the longest, a TTL far past any date is refused.
    let longest = issue(&h, ttl(json!(30 * 86_400)));
    assert_eq!(longest.status, 201, "{:?}", longest.body_json());
    assert_eq!(
        longest.body_json().unwrap()["expires_at"],
        "2027-02-14T08:00:00.500Z"
    );
    for too_long in [json!(30 * 86_400 + 1), json!(u64::MAX)] {
        assert_error(
            &issue(&h, ttl(too_long)),
            400,
            "invalid_data",
            "Password reset token TTL must be at most 2592000 seconds",
        );
    }

    let r = admin(
        &h,
        "POST",
        "/admin/password-reset-tokens/consume",
        Some(json!({ "provider": "emailpass", "entity_id": "a@b.co" })),
    );
    assert_error(&r, 400, "invalid_data", "jti must be a non-empty string");
    let r = admin(
        &h,
        "POST",
        "/admin/password-reset-tokens/consume",
        Some(json!({ "jti": "", "provider": "emailpass", "entity_id": "a@b.co" })),
    );
    assert_error(&r, 400, "invalid_data", "jti must be a non-empty string");
    for path in [
        "/admin/password-reset-tokens",
        "/admin/password-reset-tokens/consume",
    ] {
        assert_eq!(admin(&h, "GET", path, None).status, 405, "{path}");
    }
    assert_eq!(
        admin(&h, "GET", "/admin/auth/emailpass/update", None).status,
        405
    );
}

#[test]
fn update_provider_sets_the_password_and_voids_the_identitys_tokens() {
    let h = harness(&[]);
    let before = h.registered("a@b.co", "correct horse");
    let answer = ok(&update(
        &h,
        json!({ "entity_id": "a@b.co", "password": "new horse staple" }),
    ));
    assert_eq!(answer["success"], json!(true));
    let identity = &answer["authIdentity"];
    assert_eq!(identity["id"], json!(h.claims(&before).auth_identity_id));
    let pi = &identity["provider_identities"][0];
    assert_eq!(pi["entity_id"], "a@b.co");
    assert!(pi["provider_metadata"].get("password").is_none(), "{pi}");
    assert!(!answer.to_string().contains("new horse staple"));

    assert_eq!(h.login("a@b.co", "new horse staple").status, 200);
    assert_eq!(h.login("a@b.co", "correct horse").status, 401);
    // Tokens from before the new password are void, as after the Worker's own reset.
    assert_eq!(h.refresh(&before).status, 401);
}

#[test]
fn refused_updates_are_success_false_with_the_providers_message() {
    let h = harness(&[]);
    h.register("a@b.co", "correct horse");
    let refused = |body: Value| {
        let answer = ok(&update(&h, body));
        assert_eq!(answer["success"], json!(false), "{answer}");
        assert!(answer.get("authIdentity").is_none(), "{answer}");
        answer["error"].as_str().unwrap().to_owned()
    };
    assert_eq!(
        refused(json!({ "password": "new horse staple" })),
        "Cannot update emailpass provider identity without entity_id"
    );
    assert_eq!(
        refused(json!({ "entity_id": "a@b.co" })),
        "Password should be a string"
    );
    assert_eq!(
        refused(json!({ "entity_id": "nobody@b.co", "password": "new horse staple" })),
        "AuthIdentity with entity_id \"nobody@b.co\" not found"
    );
    let unknown = ok(&admin(
        &h,
        "POST",
        "/admin/auth/nope/update",
        Some(json!({ "entity_id": "a@b.co", "password": "new horse staple" })),
    ));
    assert_eq!(unknown["success"], json!(false));
    assert!(
        unknown["error"]
            .as_str()
            .unwrap()
            .contains("Unable to retrieve the auth provider with id: nope")
    );
    // Nothing changed.
    assert_eq!(h.login("a@b.co", "correct horse").status, 200);
}

#[test]
fn password_updates_are_limited_per_entity_like_the_workers_update_route() {
    let h = harness(&[(
        "RATE_LIMITS",
        r#"{"update": {"identifier": {"limit": 2, "window": "1m"}, "ip": {"limit": 3, "window": "1m"}}}"#,
    )]);
    h.register("a@b.co", "correct horse");
    h.register("c@d.co", "correct horse");
    let set = |entity: &str, password: &str, client: Option<&str>| {
        admin_from(
            &h,
            "POST",
            "/admin/auth/emailpass/update",
            Some(json!({ "entity_id": entity, "password": password })),
            &forwarded(client),
        )
    };
    assert_eq!(
        ok(&set("a@b.co", "new horse one", None))["success"],
        json!(true)
    );
    assert_eq!(
        ok(&set("A@b.co", "new horse two", None))["success"],
        json!(true)
    );
    let limited = set("a@b.co", "new horse three", None);
    assert_eq!(limited.status, 429, "{:?}", limited.body_json());
    assert!(limited.header("retry-after").is_some());
    assert_eq!(
        h.login("a@b.co", "new horse two").status,
        200,
        "the refused one changed nothing"
    );
    // Another entity has its own budget; a forwarded address is counted per IP too.
    assert_eq!(
        ok(&set("c@d.co", "new horse one", Some("203.0.113.7")))["success"],
        json!(true)
    );
    let by_ip = set("nobody@b.co", "new horse one", Some("203.0.113.7"));
    assert_eq!(ok(&by_ip)["success"], json!(false));
    let third = set("other@b.co", "new horse one", Some("203.0.113.7"));
    assert_eq!(ok(&third)["success"], json!(false));
    assert_eq!(
        set("x@b.co", "new horse one", Some("203.0.113.7")).status,
        429
    );
}
