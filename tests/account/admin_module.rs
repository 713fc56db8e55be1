//! The module routes of the admin API, which the Medusa bridge (`edge-auth/medusa`) calls: sign-in and
//! registration answer Medusa's `AuthenticationResponse`, an identity's MFA factors are listed, every
//! route needs the admin secret and refuses bad input with a message, and the limits count the end
//! user's forwarded address. The reset jti and `updateProvider`: `admin_reset.rs`; email verification:
//! `admin_verification.rs`; MFA: `tests/mfa.rs`.

use crate::*;

const BEARER: &str = "Bearer admin-0123456789abcdef0123456789abcd";

pub(crate) fn admin(h: &TestApp, method: &str, path: &str, body: Option<Value>) -> HttpResponse {
    admin_from(h, method, path, body, &[])
}

pub(crate) fn admin_from(
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

/// The header naming the end user's address, when there is one.
pub(crate) fn forwarded(client: Option<&str>) -> Vec<(&str, &str)> {
    client
        .iter()
        .map(|c| ("x-edge-auth-client-ip", *c))
        .collect()
}

pub(crate) fn ok(r: &HttpResponse) -> Value {
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
    // emailpass has no callback: Medusa's failure, in the module's shape.
    let r = admin(
        &h,
        "POST",
        "/admin/auth/emailpass/callback",
        Some(json!({})),
    );
    assert_eq!(
        ok(&r),
        json!({ "success": false, "error": "Callback authentication not implemented for provider emailpass" })
    );
    for unknown in ["validate-callback", "reset", "change-password"] {
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
        admin_from(
            &h,
            "POST",
            "/admin/auth/emailpass/authenticate",
            Some(credentials(email, "wrong horse!")),
            &forwarded(client),
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
