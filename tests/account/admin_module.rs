//! The module API of the admin API, which the Medusa bridge (`edge-auth/medusa`) calls: the flows answer
//! Medusa's `AuthenticationResponse`, identities are read, replaced, listed by provider identity, and
//! every route needs the admin secret and refuses bad input with a message.

use crate::*;

const BEARER: &str = "Bearer admin-0123456789abcdef0123456789abcd";

fn admin(h: &TestApp, method: &str, path: &str, body: Option<Value>) -> HttpResponse {
    admin_from(h, method, path, body, &[])
}

fn admin_from(
    h: &TestApp,
    method: &str,
    path: &str,
    body: Option<Value>,
    extra: &[(&str, &str)],
) -> HttpResponse {
    let mut headers = vec![("authorization", BEARER)];
    headers.extend_from_slice(extra);
    let bytes = match &body {
        Some(b) => {
            headers.push(("content-type", "application/json"));
            b.to_string().into_bytes()
        }
        None => Vec::new(),
    };
    h.send(method, path, &headers, &bytes)
}

fn ok(r: &HttpResponse) -> Value {
    assert_eq!(r.status, 200, "{:?}", r.body_json());
    r.body_json().unwrap()
}

fn credentials(email: &str, password: &str) -> Value {
    json!({ "body": { "email": email, "password": password } })
}

#[test]
fn register_then_authenticate_answer_medusas_response_without_the_hash() {
    let h = harness(&[]);
    let registered = ok(&admin(
        &h,
        "POST",
        "/admin/auth/emailpass/register",
        Some(credentials("A@b.co", "correct horse")),
    ));
    assert_eq!(registered["success"], json!(true));
    let identity = &registered["authIdentity"];
    let id = identity["id"].as_str().unwrap();
    assert!(id.starts_with("authid_"), "{identity}");
    let pi = &identity["provider_identities"][0];
    assert_eq!(pi["entity_id"], "a@b.co");
    assert_eq!(pi["provider"], "emailpass");
    assert!(pi["provider_metadata"].get("password").is_none(), "{pi}");
    assert!(registered.get("error").is_none() && registered.get("location").is_none());
    assert!(registered.get("mfaChallenge").is_none());

    let signed_in = ok(&admin(
        &h,
        "POST",
        "/admin/auth/emailpass/authenticate",
        Some(credentials("a@b.co", "correct horse")),
    ));
    assert_eq!(signed_in["success"], json!(true));
    assert_eq!(signed_in["authIdentity"]["id"], json!(id));
    // The public routes know the identity too: one store.
    assert_eq!(h.login("a@b.co", "correct horse").status, 200);
}

#[test]
fn failed_flows_are_success_false_with_medusas_message_never_an_http_error() {
    let h = harness(&[]);
    h.register("a@b.co", "correct horse");
    let cases = [
        (
            "/admin/auth/emailpass/authenticate",
            credentials("a@b.co", "wrong horse!"),
            "Invalid email or password",
        ),
        (
            "/admin/auth/emailpass/register",
            credentials("a@b.co", "another horse"),
            "Identity with email already exists",
        ),
        (
            "/admin/auth/emailpass/authenticate",
            json!({ "body": { "email": "a@b.co" } }),
            "Password should be a string",
        ),
        (
            "/admin/auth/nope/authenticate",
            credentials("a@b.co", "correct horse"),
            "\nUnable to retrieve the auth provider with id: nope\nPlease make sure that the provider is registered in the container and it is configured correctly in your project configuration file.",
        ),
        (
            "/admin/auth/emailpass/callback",
            json!({}),
            "Callback authentication not implemented for provider emailpass",
        ),
    ];
    for (path, body, message) in cases {
        let answer = ok(&admin(&h, "POST", path, Some(body)));
        assert_eq!(
            answer,
            json!({ "success": false, "error": message }),
            "{path}"
        );
    }
}

#[test]
fn update_sets_a_new_password() {
    let h = harness(&[]);
    h.register("a@b.co", "correct horse");
    let answer = ok(&admin(
        &h,
        "POST",
        "/admin/auth/emailpass/update",
        Some(json!({ "entity_id": "a@b.co", "password": "battery staple" })),
    ));
    assert_eq!(answer["success"], json!(true), "{answer}");
    assert!(
        answer["authIdentity"]["provider_identities"][0]["provider_metadata"]
            .get("password")
            .is_none()
    );
    h.assert_password_changed("a@b.co", "correct horse", "battery staple");
    let missing = ok(&admin(
        &h,
        "POST",
        "/admin/auth/emailpass/update",
        Some(json!({ "password": "battery staple" })),
    ));
    assert_eq!(
        missing,
        json!({ "success": false, "error": "Cannot update emailpass provider identity without entity_id" })
    );
}

#[test]
fn every_module_route_needs_the_admin_secret() {
    let h = harness(&[]);
    let token = h.registered("a@b.co", "correct horse");
    let id = h.claims(&token).auth_identity_id;
    let routes = [
        ("POST", "/admin/auth/emailpass/register".to_owned()),
        ("POST", "/admin/auth/emailpass/authenticate".to_owned()),
        ("POST", "/admin/auth/emailpass/callback".to_owned()),
        ("POST", "/admin/auth/emailpass/update".to_owned()),
        ("POST", format!("/admin/auth-identities/{id}/validate")),
        ("GET", format!("/admin/auth-identities/{id}/mfa-factors")),
        (
            "GET",
            "/admin/provider-identities?entity_id=a@b.co".to_owned(),
        ),
        ("PUT", format!("/admin/auth-identities/{id}")),
    ];
    for (method, path) in &routes {
        for auth in [None, Some("Bearer wrong"), Some(token.as_str())] {
            let value = auth.map(|a| {
                if a.starts_with("Bearer") {
                    a.to_owned()
                } else {
                    format!("Bearer {a}")
                }
            });
            let headers: Vec<(&str, &str)> = value
                .iter()
                .map(|v| ("authorization", v.as_str()))
                .collect();
            let body = credentials("a@b.co", "correct horse").to_string();
            let r = h.send(method, path, &headers, body.as_bytes());
            assert_error(&r, 401, "unauthorized", "Unauthorized");
        }
    }
    let off = harness(&[("ADMIN_SECRET", "")]);
    let r = admin(
        &off,
        "POST",
        "/admin/auth/emailpass/register",
        Some(credentials("a@b.co", "correct horse")),
    );
    assert_error(
        &r,
        404,
        "not_found",
        "The admin API is disabled: set the ADMIN_SECRET secret to enable it",
    );
}

#[test]
fn bad_input_is_a_400_with_a_message() {
    let h = harness(&[]);
    let token = h.registered("a@b.co", "correct horse");
    let id = h.claims(&token).auth_identity_id;
    let r = admin(
        &h,
        "POST",
        "/admin/auth/emailpass/authenticate",
        Some(json!({ "headers": { "x-a": ["not", "a", "string"] } })),
    );
    assert_eq!(r.status, 400, "{:?}", r.body_json());
    assert_eq!(r.body_json().unwrap()["type"], "invalid_data");
    assert!(
        r.body_json().unwrap()["message"]
            .as_str()
            .unwrap()
            .starts_with("Expected an AuthenticationInput")
    );
    let not_json = h.send(
        "POST",
        "/admin/auth/emailpass/register",
        &[
            ("authorization", BEARER),
            ("content-type", "application/json"),
        ],
        b"{nope",
    );
    assert_eq!(not_json.status, 400);
    let r = admin(
        &h,
        "POST",
        &format!("/admin/auth-identities/{id}/validate"),
        Some(json!({ "provider": 7 })),
    );
    assert_error(&r, 400, "invalid_data", "provider must be a string");
    let r = admin(
        &h,
        "GET",
        &format!("/admin/auth-identities/{id}/mfa-factors?status=on"),
        None,
    );
    assert_error(
        &r,
        400,
        "invalid_data",
        "status must be \"pending\", \"enabled\" or \"disabled\", got \"on\"",
    );
    let r = admin(&h, "GET", "/admin/provider-identities", None);
    assert_error(
        &r,
        400,
        "invalid_data",
        "Name at least one filter: id, entity_id, provider or auth_identity_id",
    );
    let r = admin(&h, "GET", "/admin/provider-identities?email=a@b.co", None);
    assert_error(
        &r,
        400,
        "invalid_data",
        "Unknown filter \"email\": use id, entity_id, provider or auth_identity_id",
    );
    let r = admin(
        &h,
        "PUT",
        &format!("/admin/auth-identities/{id}"),
        Some(json!({ "app_metadata": "cus_1" })),
    );
    assert_error(
        &r,
        400,
        "invalid_data",
        "Expected a body {\"app_metadata\": {...}}",
    );
    let r = admin(&h, "GET", "/admin/auth/emailpass/register", None);
    assert_eq!(r.status, 405);
    let r = admin(&h, "POST", "/admin/auth/emailpass/reset", Some(json!({})));
    assert_error(
        &r,
        404,
        "not_found",
        "Route not found: POST /admin/auth/emailpass/reset",
    );
}

#[test]
fn put_replaces_app_metadata_where_patch_merges() {
    let h = harness(&[]);
    let token = h.registered("a@b.co", "correct horse");
    let id = h.claims(&token).auth_identity_id;
    let path = format!("/admin/auth-identities/{id}");
    ok(&admin(
        &h,
        "PATCH",
        &path,
        Some(json!({ "app_metadata": { "customer_id": "cus_1", "note": "x" } })),
    ));
    let replaced = ok(&admin(
        &h,
        "PUT",
        &path,
        Some(json!({ "app_metadata": { "user_id": "user_1", "customer_id": null } })),
    ));
    assert_eq!(
        replaced["auth_identity"]["app_metadata"],
        json!({ "user_id": "user_1", "customer_id": null })
    );
    let read = ok(&admin(&h, "GET", &path, None));
    assert_eq!(
        read["auth_identity"]["app_metadata"],
        json!({ "user_id": "user_1", "customer_id": null })
    );
    let r = admin(
        &h,
        "PUT",
        "/admin/auth-identities/authid_nope",
        Some(json!({ "app_metadata": {} })),
    );
    assert_eq!(r.status, 404);
    assert_eq!(r.body_json().unwrap()["type"], "not_found");
}

#[test]
fn validate_answers_the_identity_or_success_false() {
    let h = harness(&[]);
    let token = h.registered("a@b.co", "correct horse");
    let id = h.claims(&token).auth_identity_id;
    let answer = ok(&admin(
        &h,
        "POST",
        &format!("/admin/auth-identities/{id}/validate"),
        Some(json!({ "provider": "emailpass" })),
    ));
    assert_eq!(answer["success"], json!(true));
    assert_eq!(answer["authIdentity"]["id"], json!(id));
    assert_eq!(
        answer["authIdentity"]["provider_identities"][0]["entity_id"],
        "a@b.co"
    );
    let missing = ok(&admin(
        &h,
        "POST",
        "/admin/auth-identities/authid_nope/validate",
        Some(json!({})),
    ));
    assert_eq!(
        missing,
        json!({ "success": false, "error": "AuthIdentity with id: authid_nope was not found" })
    );
}

#[test]
fn provider_identities_are_listed_by_entity_provider_identity_and_id() {
    let h = harness(&[]);
    let a = h
        .claims(&h.registered("a@b.co", "correct horse"))
        .auth_identity_id;
    let b = h
        .claims(&h.registered("b@b.co", "correct horse"))
        .auth_identity_id;
    let listed = |query: &str| {
        let body = ok(&admin(
            &h,
            "GET",
            &format!("/admin/provider-identities?{query}"),
            None,
        ));
        body["provider_identities"].as_array().unwrap().clone()
    };
    let by_entity = listed("entity_id=a%40b.co&provider=emailpass");
    assert_eq!(by_entity.len(), 1);
    assert_eq!(by_entity[0]["auth_identity_id"], json!(a));
    assert!(by_entity[0]["provider_metadata"].get("password").is_none());
    let pi_id = by_entity[0]["id"].as_str().unwrap().to_owned();
    assert_eq!(
        listed(&format!("auth_identity_id={b}"))[0]["entity_id"],
        "b@b.co"
    );
    assert_eq!(
        listed(&format!("id={pi_id}"))[0]["auth_identity_id"],
        json!(a)
    );
    assert_eq!(listed("provider=emailpass").len(), 2);
    assert!(listed("entity_id=nobody%40b.co&provider=emailpass").is_empty());
    assert!(listed("entity_id=a%40b.co&provider=google").is_empty());
    assert!(listed("auth_identity_id=authid_nope").is_empty());
}

#[test]
fn mfa_factors_of_an_identity_without_mfa_are_empty() {
    let h = harness(&[]);
    let id = h
        .claims(&h.registered("a@b.co", "correct horse"))
        .auth_identity_id;
    let answer = ok(&admin(
        &h,
        "GET",
        &format!("/admin/auth-identities/{id}/mfa-factors?status=enabled"),
        None,
    ));
    assert_eq!(answer, json!({ "mfa_factors": [] }));
}

#[test]
fn sign_ins_are_limited_per_email_and_per_forwarded_client_not_per_backend() {
    let h = harness(&[(
        "RATE_LIMITS",
        r#"{"authenticate": {"ip": {"limit": 3, "window": "1m"}}}"#,
    )]);
    h.register("a@b.co", "correct horse");
    let wrong = |email: &str, client: Option<&str>| {
        let extra: Vec<(&str, &str)> = client
            .iter()
            .map(|c| ("x-edge-auth-client-ip", *c))
            .collect();
        admin_from(
            &h,
            "POST",
            "/admin/auth/emailpass/authenticate",
            Some(credentials(email, "wrong horse!")),
            &extra,
        )
    };
    // One end user's address: limited after 3, whichever email.
    for i in 0..3 {
        let r = wrong(&format!("u{i}@b.co"), Some("203.0.113.7"));
        assert_eq!(ok(&r)["success"], json!(false));
    }
    let limited = wrong("u9@b.co", Some("203.0.113.7"));
    assert_eq!(limited.status, 429, "{:?}", limited.body_json());
    assert!(limited.header("retry-after").is_some());
    // Another end user behind the same backend is not.
    assert_eq!(
        ok(&wrong("u9@b.co", Some("198.51.100.2")))["success"],
        json!(false)
    );
    // Without the header nothing is counted per IP: the backend is not one client.
    for i in 0..5 {
        assert_eq!(
            ok(&wrong(&format!("v{i}@b.co"), None))["success"],
            json!(false)
        );
    }
    // The public routes do not trust the header.
    let public = h.post(
        "/auth/customer/emailpass",
        credentials("w@b.co", "wrong horse!")["body"].clone(),
        &[("x-edge-auth-client-ip", "192.0.2.1")],
    );
    assert_eq!(public.status, 401);
}

#[test]
fn wrong_passwords_for_one_email_are_limited_through_the_module_api_too() {
    let h = harness(&[]);
    h.register("a@b.co", "correct horse");
    let attempt = |password: &str| {
        admin(
            &h,
            "POST",
            "/admin/auth/emailpass/authenticate",
            Some(credentials("a@b.co", password)),
        )
    };
    for _ in 0..5 {
        assert_eq!(ok(&attempt("wrong horse!"))["success"], json!(false));
    }
    let r = attempt("wrong horse!");
    assert_eq!(r.status, 429, "{:?}", r.body_json());
    assert_eq!(r.body_json().unwrap()["type"], "not_allowed");
}
