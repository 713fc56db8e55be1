//! Medusa's `/auth` routes through [`edge_auth::http::handle`]: status codes, bodies, claims, CORS and
//! every way a request can be wrong.
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used)]

mod kit;
use crate::kit::{NOW_MS, ORIGIN, TestApp, assert_error, config};
use edge_auth::http::*;
use futures::executor::block_on;
use serde_json::json;

fn harness(extra: &[(&str, &str)]) -> TestApp {
    TestApp::new(ORIGIN, NOW_MS, |store, clock| {
        App::new(config(extra), store, clock)
    })
}

#[test]
fn register_answers_a_token_with_medusas_claims() {
    let h = harness(&[]);
    let claims = h.claims_of(&h.register("A@B.co", "correct horse"));
    assert_eq!(claims.actor_id, "");
    assert_eq!(claims.actor_type, "customer");
    assert!(claims.auth_identity_id.starts_with("authid_"));
    assert_eq!(claims.app_metadata, json!({}));
    assert_eq!(claims.auth_provider.as_deref(), Some("emailpass"));
    assert!(!claims.mfa_enabled);
    assert_eq!(claims.mfa_challenge_completed_at, None);
    assert_eq!(claims.user_metadata, json!({}));
    assert_eq!(claims.iat, NOW_MS / 1000);
    assert_eq!(claims.exp - claims.iat, 86_400);
}

#[test]
fn tokens_carry_the_whole_app_metadata_and_the_providers_user_metadata_as_medusa_2_21() {
    let h = harness(&[]);
    let id = h
        .claims_of(&h.register("a@b.co", "correct horse"))
        .auth_identity_id;
    let metadata = json!({"customer_id": "cus_1", "user_id": "user_1", "tier": "gold"});
    block_on(
        h.app
            .service
            .update_auth_identities(vec![edge_auth::model::UpdateAuthIdentity {
                id: id.clone(),
                app_metadata: metadata.as_object().cloned(),
            }]),
    )
    .unwrap();
    let identity = block_on(h.app.service.retrieve_auth_identity(&id)).unwrap();
    block_on(h.app.service.update_provider_identities(vec![
        edge_auth::model::UpdateProviderIdentity {
            id: identity.provider_identities[0].id.clone(),
            user_metadata: json!({"first_name": "Jane"}).as_object().cloned(),
            ..Default::default()
        },
    ]))
    .unwrap();

    let as_customer = h.claims_of(&h.login("a@b.co", "correct horse"));
    assert_eq!(as_customer.actor_id, "cus_1");
    assert_eq!(as_customer.app_metadata, metadata);
    assert_eq!(as_customer.user_metadata, json!({"first_name": "Jane"}));
    let refreshed = h.claims_of(&h.refresh(&h.token(&h.login("a@b.co", "correct horse"))));
    assert_eq!(refreshed.auth_provider.as_deref(), Some("emailpass"));
    assert_eq!(refreshed.user_metadata, json!({"first_name": "Jane"}));

    let as_user = h.send(
        "POST",
        "/auth/user/emailpass",
        &[("content-type", "application/json")],
        br#"{"email": "a@b.co", "password": "correct horse"}"#,
    );
    let as_user = h.claims_of(&as_user);
    assert_eq!(as_user.actor_id, "user_1");
    assert_eq!(as_user.app_metadata, metadata);
}

#[test]
fn login_is_case_and_space_insensitive_on_the_email() {
    let h = harness(&[]);
    let registered = h.claims_of(&h.register("A@B.co", "correct horse"));
    let logged_in = h.claims_of(&h.login(" a@b.CO ", "correct horse"));
    assert_eq!(registered.auth_identity_id, logged_in.auth_identity_id);
}

#[test]
fn wrong_password_and_unknown_email_get_the_same_401() {
    let h = harness(&[]);
    h.register("a@b.co", "correct horse");
    let wrong = h.login("a@b.co", "wrong horse!");
    let unknown = h.login("nobody@b.co", "correct horse");
    assert_error(&wrong, 401, "unauthorized", "Invalid email or password");
    assert_eq!(wrong.body, unknown.body);
}

#[test]
fn duplicate_register_with_another_password_is_refused() {
    let h = harness(&[]);
    h.register("a@b.co", "correct horse");
    let again = h.register("a@b.co", "another horse");
    assert_error(
        &again,
        401,
        "unauthorized",
        "Identity with email already exists",
    );
}

#[test]
fn register_retry_with_the_same_password_succeeds_while_no_actor_exists() {
    let h = harness(&[]);
    let first = h.claims_of(&h.register("a@b.co", "correct horse"));
    let retry = h.claims_of(&h.register("A@b.co", "correct horse"));
    assert_eq!(first.auth_identity_id, retry.auth_identity_id);
}

#[test]
fn refresh_fills_in_the_actor_once_app_metadata_links_it() {
    let h = harness(&[]);
    let token = h.registered("a@b.co", "correct horse");
    let claims = h.claims(&token);
    h.link_customer(&claims.auth_identity_id, "cus_1");
    h.clock.advance_secs(10);
    let refreshed = h.claims_of(&h.refresh(&token));
    assert_eq!(refreshed.actor_id, "cus_1");
    assert_eq!(refreshed.app_metadata, json!({"customer_id": "cus_1"}));
    assert_eq!(refreshed.auth_identity_id, claims.auth_identity_id);
    assert_eq!(refreshed.iat, claims.iat + 10);
}

#[test]
fn refresh_without_a_valid_bearer_is_unauthorized() {
    let h = harness(&[]);
    let token = h.registered("a@b.co", "correct horse");
    let bare = json!({"message": "Unauthorized"});
    for auth in [
        None,
        Some("Bearer".to_owned()),
        Some("Basic abc".to_owned()),
        Some("Bearer not.a.jwt".to_owned()),
        Some(format!("Bearer {token}x")),
    ] {
        let headers: Vec<(&str, &str)> =
            auth.iter().map(|a| ("authorization", a.as_str())).collect();
        let r = h.send("POST", "/auth/token/refresh", &headers, b"");
        assert_eq!(
            (r.status, r.body_json()),
            (401, Some(bare.clone())),
            "{auth:?}"
        );
    }
    h.clock.advance_secs(86_400);
    let r = h.send(
        "POST",
        "/auth/token/refresh",
        &[("authorization", &format!("bearer {token}"))],
        b"",
    );
    assert_eq!(r.status, 401, "expired token");
}

#[test]
fn refresh_of_a_deleted_identity_is_unauthorized() {
    let h = harness(&[]);
    let token = h.registered("a@b.co", "correct horse");
    let claims = h.claims(&token);
    block_on(
        h.app
            .service
            .delete_auth_identities(&[claims.auth_identity_id]),
    )
    .unwrap();
    assert_eq!(h.refresh(&token).status, 401);
}

#[test]
fn medusa_validation_messages_come_back_as_401() {
    let h = harness(&[]);
    let path = "/auth/customer/emailpass/register";
    for (body, message) in [
        (json!({"email": "a@b.co"}), "Password should be a string"),
        (
            json!({"email": "a@b.co", "password": 12345678}),
            "Password should be a string",
        ),
        (
            json!({"password": "correct horse"}),
            "Email should be a string",
        ),
        (
            json!({"email": 5, "password": "correct horse"}),
            "Email should be a string",
        ),
        (
            json!({"email": "a@b.co", "password": "short"}),
            "Password must be at least 8 characters",
        ),
        (
            json!({"email": "a@b.co", "password": "x".repeat(1025)}),
            "Password must be at most 1024 bytes",
        ),
        (
            json!({"email": "not-an-email", "password": "correct horse"}),
            "Email is not a valid email address",
        ),
    ] {
        assert_error(&h.post(path, body, &[]), 401, "unauthorized", message);
    }
}

#[test]
fn malformed_bodies_are_clear_4xx() {
    let h = harness(&[]);
    let path = "/auth/customer/emailpass";
    let json_ct = [("content-type", "application/json")];
    let r = h.send("POST", path, &json_ct, b"{\"email\":");
    assert_eq!(r.status, 400);
    let message = r.body_json().unwrap()["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(message.starts_with("Malformed JSON body"), "{message}");
    assert_error(
        &h.send("POST", path, &json_ct, b"[1]"),
        400,
        "invalid_data",
        "Request body must be a JSON object",
    );
    assert_error(
        &h.send("POST", path, &[("content-type", "text/plain")], b"email=a"),
        415,
        "invalid_data",
        "Content-Type must be application/json",
    );
    let big = vec![b' '; MAX_BODY_BYTES + 1];
    assert_error(
        &h.send("POST", path, &json_ct, &big),
        413,
        "invalid_data",
        "Request body exceeds 16384 bytes",
    );
    let declared = [
        ("content-type", "application/json"),
        ("content-length", "999999"),
    ];
    assert_eq!(h.send("POST", path, &declared, b"{}").status, 413);
}

#[test]
fn actor_types_and_providers_are_checked_against_auth_methods_per_actor() {
    let h = harness(&[(
        "AUTH_METHODS_PER_ACTOR",
        r#"{"customer":["emailpass","google"],"user":["google"]}"#,
    )]);
    let body = json!({"email": "a@b.co", "password": "correct horse"});
    assert_error(
        &h.post("/auth/admin/emailpass", body.clone(), &[]),
        400,
        "invalid_data",
        "Unknown actor type: admin",
    );
    assert_eq!(
        h.post("/auth/Bad%20Actor/emailpass", body.clone(), &[])
            .status,
        400
    );
    assert_error(
        &h.post("/auth/user/emailpass", body.clone(), &[]),
        400,
        "not_allowed",
        "The actor type user is not allowed to use the auth provider emailpass",
    );
    assert_error(
        &h.post("/auth/customer/google", body, &[]),
        401,
        "unauthorized",
        "\nUnable to retrieve the auth provider with id: google\nPlease make sure that the provider is registered in the container and it is configured correctly in your project configuration file.",
    );
}

#[test]
fn unknown_routes_and_methods_are_404_and_405() {
    let h = harness(&[]);
    assert_eq!(h.send("GET", "/nope", &[], b"").status, 404);
    assert_eq!(
        h.send("GET", "/auth/customer/emailpass/x/y", &[], b"")
            .status,
        404
    );
    let r = h.send("GET", "/auth/customer/emailpass/register", &[], b"");
    assert_eq!(r.status, 405);
    assert!(r.header("allow").unwrap().contains("POST"));
    assert_eq!(
        h.send("DELETE", "/auth/customer/emailpass", &[], b"")
            .status,
        405
    );
}

#[test]
fn emailpass_has_no_callback() {
    let h = harness(&[]);
    let r = h.send("GET", "/auth/customer/emailpass/callback?code=x", &[], b"");
    assert_error(
        &r,
        401,
        "unauthorized",
        "Callback authentication not implemented for provider emailpass",
    );
}

#[test]
fn cors_is_granted_only_to_listed_origins() {
    let h = harness(&[("AUTH_CORS", "https://shop.example")]);
    let pre = h.send(
        "OPTIONS",
        "/auth/customer/emailpass",
        &[("origin", "https://shop.example")],
        b"",
    );
    assert_eq!(pre.status, 204);
    assert_eq!(
        pre.header("access-control-allow-origin"),
        Some("https://shop.example")
    );
    assert_eq!(pre.header("access-control-allow-credentials"), Some("true"));
    assert!(
        pre.header("access-control-allow-headers")
            .unwrap()
            .contains("authorization")
    );
    let evil = h.send(
        "OPTIONS",
        "/auth/customer/emailpass",
        &[("origin", "https://evil.example")],
        b"",
    );
    assert_eq!(evil.header("access-control-allow-origin"), None);
    assert_eq!(evil.header("access-control-allow-methods"), None);
    let real = h.send(
        "POST",
        "/auth/customer/emailpass",
        &[("origin", "https://shop.example")],
        b"",
    );
    assert_eq!(
        real.header("access-control-allow-origin"),
        Some("https://shop.example")
    );
    assert_eq!(real.header("vary"), Some("Origin"));
    let none = harness(&[]);
    let r = none.send(
        "OPTIONS",
        "/auth/customer/emailpass",
        &[("origin", "https://shop.example")],
        b"",
    );
    assert_eq!(r.header("access-control-allow-origin"), None);
}

#[test]
fn preflight_allows_the_js_sdk_headers_and_the_configured_extras() {
    let preflight = |h: &TestApp| {
        let r = h.send(
            "OPTIONS",
            "/auth/session",
            &[("origin", "https://shop.example")],
            b"",
        );
        r.header("access-control-allow-headers").map(str::to_owned)
    };
    let h = harness(&[("AUTH_CORS", "https://shop.example")]);
    assert_eq!(
        preflight(&h).as_deref(),
        Some("accept, authorization, content-type, x-medusa-locale, x-publishable-api-key")
    );
    let h = harness(&[
        ("AUTH_CORS", "https://shop.example"),
        ("AUTH_CORS_ALLOW_HEADERS", "X-Request-Id"),
    ]);
    assert_eq!(
        preflight(&h).as_deref(),
        Some(
            "accept, authorization, content-type, x-medusa-locale, x-publishable-api-key, x-request-id"
        )
    );
}

#[test]
fn answers_are_json_and_never_cached() {
    let h = harness(&[]);
    let r = h.register("a@b.co", "correct horse");
    assert_eq!(
        r.header("content-type"),
        Some("application/json; charset=utf-8")
    );
    assert_eq!(r.header("cache-control"), Some("no-store"));
}

#[test]
fn jwt_expires_in_sets_the_token_lifetime() {
    let h = harness(&[("JWT_EXPIRES_IN", "2h")]);
    let claims = h.claims_of(&h.register("a@b.co", "correct horse"));
    assert_eq!(claims.exp - claims.iat, 7200);
}

// --- GET /auth/{actor_type}/providers (Medusa 2.21) ---------------------------------------------------------

/// Every kind of provider configured: emailpass, Google, GitHub and an OIDC instance "corp".
fn with_every_provider() -> TestApp {
    let oidc = json!([{
        "id": "corp",
        "issuer": "https://login.corp.example",
        "clientId": "corp-client-id",
        "clientSecret": "corp-very-secret",
        "callbackUrl": "https://shop.example/auth/customer/corp/callback",
    }])
    .to_string();
    harness(&[
        (
            "AUTH_METHODS_PER_ACTOR",
            r#"{"customer":["google","emailpass","corp","github"],"user":["emailpass"],"vendor":["apple"]}"#,
        ),
        ("GOOGLE_CLIENT_ID", "google-client-id"),
        ("GOOGLE_CLIENT_SECRET", "google-very-secret"),
        (
            "GOOGLE_CALLBACK_URL",
            "https://shop.example/auth/customer/google/callback",
        ),
        ("GITHUB_CLIENT_ID", "github-client-id"),
        ("GITHUB_CLIENT_SECRET", "github-very-secret"),
        (
            "GITHUB_CALLBACK_URL",
            "https://shop.example/auth/customer/github/callback",
        ),
        ("OIDC_PROVIDERS", &oidc),
    ])
}

#[test]
fn providers_of_an_actor_type_are_its_configured_methods_in_order_with_medusas_names() {
    let h = with_every_provider();
    let r = h.send("GET", "/auth/customer/providers", &[], b"");
    assert_eq!(r.status, 200);
    assert_eq!(
        r.body_json().unwrap(),
        json!({"providers": [
            {"id": "google", "identifier": "google", "display_name": "Google Authentication", "flow": "redirect"},
            {"id": "emailpass", "identifier": "emailpass", "display_name": "Email/Password Authentication", "flow": "credentials"},
            {"id": "corp", "identifier": "oidc", "display_name": "corp", "flow": "redirect"},
            {"id": "github", "identifier": "github", "display_name": "Github Authentication", "flow": "redirect"},
        ]})
    );
    let text = String::from_utf8(r.body).unwrap();
    for secret in [
        "very-secret",
        "client-id",
        "login.corp.example",
        "shop.example",
    ] {
        assert!(!text.contains(secret), "{text} shows {secret}");
    }
    assert_eq!(
        h.send("GET", "/auth/user/providers", &[], b"")
            .body_json()
            .unwrap(),
        json!({"providers": [
            {"id": "emailpass", "identifier": "emailpass", "display_name": "Email/Password Authentication", "flow": "credentials"},
        ]})
    );
}

#[test]
fn providers_leaves_out_methods_not_configured_and_actor_types_not_listed_have_none() {
    let h = with_every_provider();
    // "apple" is listed for vendors but no such provider exists: using it would fail.
    for actor in ["vendor", "admin"] {
        let r = h.send("GET", &format!("/auth/{actor}/providers"), &[], b"");
        assert_eq!(r.status, 200);
        assert_eq!(r.body_json().unwrap(), json!({"providers": []}), "{actor}");
    }
    let bad = h.send("GET", "/auth/Customer/providers", &[], b"");
    assert_error(
        &bad,
        400,
        "invalid_data",
        "Invalid actor type: use lower-case letters, digits or '_' (e.g. customer), got \"Customer\"",
    );
}

#[test]
fn providers_is_get_only_a_post_is_a_sign_in_with_a_provider_of_that_name() {
    let h = with_every_provider();
    let r = h.post("/auth/customer/providers", json!({}), &[]);
    assert_error(
        &r,
        400,
        "not_allowed",
        "The actor type customer is not allowed to use the auth provider providers",
    );
}
