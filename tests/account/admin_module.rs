//! The module routes of the admin API, which the Medusa bridge (`edge-auth/medusa`) calls: sign-in and
//! registration answer Medusa's `AuthenticationResponse`, an identity's MFA factors are listed, Medusa
//! 2.16+'s reset jti is issued and spent once and `updateProvider` sets a password, an email
//! verification is requested, found and confirmed for the identity the backend names, every route needs
//! the admin secret and refuses bad input with a message, and the limits count the end user's forwarded
//! address.

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
fn every_module_route_needs_the_admin_secret() {
    let h = harness(&[]);
    let token = h.registered("a@b.co", "correct horse");
    let id = h.claims(&token).auth_identity_id;
    let routes = [
        ("POST", "/admin/auth/emailpass/register".to_owned()),
        ("POST", "/admin/auth/emailpass/authenticate".to_owned()),
        ("GET", format!("/admin/auth-identities/{id}/mfa-factors")),
        ("POST", "/admin/auth/emailpass/update".to_owned()),
        ("POST", "/admin/password-reset-tokens".to_owned()),
        ("POST", "/admin/password-reset-tokens/consume".to_owned()),
        ("POST", "/admin/verifications".to_owned()),
        ("POST", "/admin/verifications/confirm".to_owned()),
        ("POST", "/admin/verifications/find".to_owned()),
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
    for (input, message) in [
        (json!({ "body": "a@b.co" }), "body must be an object"),
        (
            json!({ "query": { "code": 1 } }),
            "query must be an object of strings",
        ),
        (
            json!({ "query": ["code"] }),
            "query must be an object of strings",
        ),
    ] {
        let r = admin(
            &h,
            "POST",
            "/admin/auth/emailpass/authenticate",
            Some(input),
        );
        assert_error(&r, 400, "invalid_data", message);
    }
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
    let r = admin(&h, "GET", "/admin/auth/emailpass/register", None);
    assert_eq!(r.status, 405);
    for unknown in ["callback", "reset", "change-password"] {
        let path = format!("/admin/auth/emailpass/{unknown}");
        let r = admin(&h, "POST", &path, Some(json!({})));
        assert_error(
            &r,
            404,
            "not_found",
            &format!("Route not found: POST {path}"),
        );
    }
    let r = admin(
        &h,
        "GET",
        &format!("/admin/auth-identities/{id}/mfa-factors"),
        None,
    );
    assert_eq!(ok(&r), json!({ "mfa_factors": [] }));
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
        &format!("/admin/auth-identities/{id}/mfa-factors"),
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

#[test]
fn a_third_party_authenticate_answers_its_location_or_the_providers_error_from_the_query() {
    let h = harness(&[
        ("GOOGLE_CLIENT_ID", "g"),
        ("GOOGLE_CLIENT_SECRET", "s"),
        ("GOOGLE_CALLBACK_URL", "https://shop.example/google"),
    ]);
    let started = ok(&admin(
        &h,
        "POST",
        "/admin/auth/google/authenticate",
        Some(json!({})),
    ));
    assert_eq!(started["success"], json!(true));
    assert!(
        started["location"]
            .as_str()
            .unwrap()
            .starts_with("https://accounts.google.com/o/oauth2/v2/auth?"),
        "{started}"
    );
    assert!(started.get("authIdentity").is_none());
    let refused = ok(&admin(
        &h,
        "POST",
        "/admin/auth/google/authenticate",
        Some(json!({ "query": {
            "error": "access_denied",
            "error_description": "The user said no",
            "error_uri": "https://docs.example/e"
        } })),
    ));
    assert_eq!(
        refused,
        json!({ "success": false, "error": "The user said no, read more at: https://docs.example/e" })
    );
}

// --- Medusa 2.16+'s reset jti and updateProvider (the backend's forgot-password flow) -------------------

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
        let extra: Vec<(&str, &str)> = client
            .iter()
            .map(|c| ("x-edge-auth-client-ip", *c))
            .collect();
        admin_from(
            &h,
            "POST",
            "/admin/auth/emailpass/update",
            Some(json!({ "entity_id": entity, "password": password })),
            &extra,
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

// --- Email verification for the identity the backend names ---------------------------------------------

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
