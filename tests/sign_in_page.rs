//! The routes the sign-in page (`www/`) relies on beyond Medusa's: `GET /auth/providers`, the
//! development-only outbox, and `POST /auth/{actor}/emailpass/change-password`.
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used)]

mod kit;

use crate::kit::{NOW_MS, TestApp, assert_bare_unauthorized, assert_error, config};
use edge_auth::account;
use edge_auth::http::*;
use edge_auth::model::{CreateAuthIdentity, CreateProviderIdentity};
use edge_auth::ports::clock::Clock;
use edge_auth::ports::http::{HttpError, IncomingResponse, OutgoingRequest};
use edge_auth::store::keys;
use edge_auth::token;
use futures::executor::block_on;
use serde_json::{Value, json};
use std::ops::Deref;
use std::rc::Rc;

const WEBHOOK_SECRET: &str = "whsec-page-tests-0123456789abcdef0123";
/// Where `scripts/run.sh` serves the page and the Worker.
const ORIGIN: &str = "http://127.0.0.1:8787";
const PAGE: &str = "http://127.0.0.1:8787/";

/// The shared [`TestApp`] at the page's origin, with what only the page's routes need.
struct Page(TestApp);

impl Deref for Page {
    type Target = TestApp;
    fn deref(&self) -> &TestApp {
        &self.0
    }
}

fn page(extra: &[(&str, &str)]) -> Page {
    Page(TestApp::new(ORIGIN, NOW_MS, |store, clock| {
        App::new(config(extra), store, clock)
    }))
}

/// Local development with the reset webhook pointed at the Worker's own sink, as `scripts/run.sh` does.
const DEV: &[(&str, &str)] = &[
    ("ENVIRONMENT", "development"),
    (
        "RESET_PASSWORD_WEBHOOK_URL",
        "http://127.0.0.1:8787/__dev/outbox",
    ),
    ("RESET_PASSWORD_WEBHOOK_SECRET", WEBHOOK_SECRET),
];

impl Page {
    fn json(&self, path: &str) -> Value {
        let r = self.send("GET", path, &[], b"");
        assert_eq!(r.status, 200, "{:?}", r.body_json());
        r.body_json().unwrap()
    }

    /// A delivery signed as the Worker signs it, at the clock's time.
    fn deliver(&self, body: &Value, delivery: &str) -> HttpResponse {
        let body = body.to_string();
        let target = self.app.config.account.reset_webhook.as_ref().unwrap();
        let signature = target.signature(self.clock.now_secs(), body.as_bytes());
        self.send(
            "POST",
            "/__dev/outbox",
            &[
                ("content-type", "application/json"),
                ("x-edge-auth-signature", &signature),
                ("x-edge-auth-delivery", delivery),
            ],
            body.as_bytes(),
        )
    }
}

// --- GET /auth/providers ----------------------------------------------------------------------------------

#[test]
fn providers_lists_each_actor_types_usable_methods_and_no_secrets() {
    let oidc = json!([{
        "id": "corp",
        "issuer": "https://login.corp.example",
        "clientId": "edge-client-id",
        "clientSecret": "very-secret-client-secret",
        "callbackUrl": "https://shop.example/auth/corp/callback",
    }])
    .to_string();
    let p = page(&[
        (
            "AUTH_METHODS_PER_ACTOR",
            r#"{"customer":["emailpass","corp","google"],"user":["emailpass"]}"#,
        ),
        ("OIDC_PROVIDERS", &oidc),
        ("ALLOWED_REDIRECT_URLS", PAGE),
    ]);
    let r = p.send("GET", "/auth/providers", &[], b"");
    assert_eq!(r.header("cache-control"), Some("no-store"));
    // google is listed for customers but not configured: using it would fail, so it is left out.
    assert_eq!(
        r.body_json().unwrap(),
        json!({"actors": {"customer": ["emailpass", "corp"], "user": ["emailpass"]}, "dev": false})
    );
    let text = String::from_utf8(r.body).unwrap();
    for secret in [
        "very-secret",
        "edge-client-id",
        "login.corp.example",
        "127.0.0.1",
    ] {
        assert!(!text.contains(secret), "{text} shows {secret}");
    }
}

#[test]
fn providers_says_dev_only_in_development() {
    assert_eq!(page(&[]).json("/auth/providers")["dev"], false);
    let dev = page(&[("ENVIRONMENT", "development")]);
    assert_eq!(dev.json("/auth/providers")["dev"], true);
}

#[test]
fn providers_tells_whether_a_return_to_is_allow_listed() {
    let p = page(&[("ALLOWED_REDIRECT_URLS", PAGE)]);
    let ask = |url: &str| {
        let q = url.replace(':', "%3A").replace('/', "%2F");
        p.json(&format!("/auth/providers?return_to={q}"))["return_to_allowed"].clone()
    };
    assert_eq!(ask(PAGE), true);
    assert_eq!(ask("http://127.0.0.1:8787/other"), false);
    assert_eq!(ask("http://127.0.0.1:8787"), false);
    assert!(p.json("/auth/providers").get("return_to_allowed").is_none());
}

#[test]
fn providers_answers_get_only() {
    let r = page(&[]).send("POST", "/auth/providers", &[], b"");
    assert_eq!(r.status, 405);
    assert_eq!(r.header("allow"), Some("GET"));
}

// --- the development outbox -------------------------------------------------------------------------------

#[test]
fn the_outbox_does_not_exist_outside_development() {
    let mut vars = DEV.to_vec();
    vars[0] = ("ENVIRONMENT", "production");
    let p = page(&vars);
    for method in ["GET", "POST"] {
        assert_error(
            &p.send(method, "/__dev/outbox", &[], b""),
            404,
            "not_found",
            &format!("Route not found: {method} /__dev/outbox"),
        );
    }
    let signed = p.deliver(&json!({"event": "x", "data": {}}), "d1");
    assert_eq!(signed.status, 404, "a valid signature changes nothing");
}

#[test]
fn the_outbox_keeps_signed_deliveries_newest_first_and_a_retry_once() {
    let p = page(DEV);
    assert_eq!(p.json("/__dev/outbox"), json!({"deliveries": []}));
    let first =
        json!({"event": "auth.password_reset", "data": {"entity_id": "a@b.co", "token": "T1"}});
    assert_eq!(p.deliver(&first, "d1").status, 204);
    p.clock.advance_secs(1);
    let second =
        json!({"event": "auth.password_reset", "data": {"entity_id": "c@d.co", "token": "T2"}});
    assert_eq!(p.deliver(&second, "d2").status, 204);
    assert_eq!(
        p.deliver(&second, "d2").status,
        204,
        "a retry is acknowledged"
    );

    let listed = p.json("/__dev/outbox")["deliveries"].clone();
    assert_eq!(
        listed,
        json!([
            {"received_at": NOW_MS + 1000, "event": "auth.password_reset", "delivery": "d2", "data": second["data"]},
            {"received_at": NOW_MS, "event": "auth.password_reset", "delivery": "d1", "data": first["data"]},
        ])
    );
}

#[test]
fn the_outbox_keeps_the_last_ten_for_fifteen_minutes() {
    let p = page(DEV);
    for i in 0..12 {
        let body = json!({"event": "e", "data": {"token": format!("T{i}")}});
        assert_eq!(p.deliver(&body, &format!("d{i}")).status, 204);
    }
    let listed = p.json("/__dev/outbox")["deliveries"].clone();
    assert_eq!(listed.as_array().unwrap().len(), 10);
    assert_eq!(listed[0]["data"]["token"], "T11");
    p.clock.advance_secs(keys::DEV_OUTBOX_TTL_SECS + 1);
    assert_eq!(p.json("/__dev/outbox"), json!({"deliveries": []}));
}

#[test]
fn the_outbox_refuses_unsigned_forged_and_stale_deliveries() {
    let p = page(DEV);
    let body = json!({"event": "auth.password_reset", "data": {"token": "T"}}).to_string();
    let target = p.app.config.account.reset_webhook.as_ref().unwrap();
    let now = p.clock.now_secs();
    let forged = edge_auth::account::webhook::WebhookTarget::new(
        "http://x",
        b"another-secret-0123456789abcdef",
    )
    .signature(now, body.as_bytes());
    let stale = target.signature(now - 301, body.as_bytes());
    let other_body = target.signature(now, b"{}");
    for signature in [
        None,
        Some(forged),
        Some(stale),
        Some(other_body),
        Some("t=1,v1=00".into()),
    ] {
        let mut headers = vec![("content-type", "application/json")];
        if let Some(s) = &signature {
            headers.push(("x-edge-auth-signature", s));
        }
        let r = p.send("POST", "/__dev/outbox", &headers, body.as_bytes());
        assert_eq!(r.status, 401, "{signature:?}");
    }
    assert_eq!(p.json("/__dev/outbox"), json!({"deliveries": []}));
}

/// A Worker whose outgoing HTTP reaches `sink` (the same store and configuration): the loop
/// `run.sh` sets up, where the Worker's reset delivery is a request to its own `/__dev/outbox`.
fn looped_dev_page() -> Page {
    let config = config(DEV);
    Page(TestApp::new(ORIGIN, NOW_MS, |store, clock| {
        let store: Rc<dyn edge_auth::store::KvStore> = store;
        let sink = Rc::new(App::new(config.clone(), store.clone(), clock.clone()));
        let http = move |out: OutgoingRequest| {
            let sink = sink.clone();
            async move {
                let req = HttpRequest {
                    method: out.method.as_str().into(),
                    url: out.url,
                    headers: out.headers,
                    body: out.body,
                };
                let answer = handle(&sink, &req).await;
                Ok::<_, HttpError>(IncomingResponse::new(answer.status, answer.body))
            }
        };
        App::with_http_client(config, store, clock, Rc::new(http))
    }))
}

#[test]
fn a_reset_request_in_development_arrives_in_the_outbox_and_its_token_works() {
    let p = looped_dev_page();
    p.registered("jane@example.com", "correct horse");
    let r = p.post(
        "/auth/customer/emailpass/reset-password",
        json!({"identifier": "Jane@Example.com"}),
        &[],
    );
    assert_eq!(r.status, 201);
    // Its delivery has run: queued work runs right after each response, as `waitUntil` runs it.
    let deliveries = p.json("/__dev/outbox")["deliveries"].clone();
    assert_eq!(deliveries.as_array().unwrap().len(), 1);
    let data = &deliveries[0]["data"];
    assert_eq!(data["entity_id"], "jane@example.com");
    assert_eq!(data["actor_type"], "customer");
    assert_eq!(deliveries[0]["event"], "auth.password_reset");

    let reset = data["token"].as_str().unwrap();
    let r = p.post_as(
        "/auth/customer/emailpass/update",
        json!({"password": "battery staple"}),
        reset,
    );
    assert_eq!(r.status, 200, "{:?}", r.body_json());
    p.token(&p.login("jane@example.com", "battery staple"));
}

// --- POST /auth/{actor}/emailpass/change-password ---------------------------------------------------------

const CHANGE: &str = "/auth/customer/emailpass/change-password";

#[test]
fn change_password_with_the_current_one_answers_a_new_token_and_voids_older_ones() {
    let p = page(&[]);
    let old = p.registered("jane@example.com", "correct horse");
    // Revocation has one-second resolution: change it a second after the token was issued.
    p.clock.advance_secs(1);
    let r = p.post_as(
        CHANGE,
        json!({"current_password": "correct horse", "password": "battery staple"}),
        &old,
    );
    let new = p.token(&r);
    let claims = p.claims(&new);
    assert_eq!(claims.actor_type, "customer");

    p.assert_password_changed("jane@example.com", "correct horse", "battery staple");
    // The token used to change it is void now; the new one refreshes.
    let refresh = |t: &str| p.post_as("/auth/token/refresh", json!({}), t).status;
    assert_eq!(refresh(&old), 401);
    assert_eq!(refresh(&new), 200);
}

#[test]
fn change_password_with_a_wrong_current_password_changes_nothing() {
    let p = page(&[]);
    let t = p.registered("jane@example.com", "correct horse");
    let r = p.post_as(
        CHANGE,
        json!({"current_password": "wrong horse", "password": "battery staple"}),
        &t,
    );
    assert_error(&r, 401, "unauthorized", account::CURRENT_PASSWORD_WRONG);
    p.token(&p.login("jane@example.com", "correct horse"));
    assert_eq!(p.post_as("/auth/token/refresh", json!({}), &t).status, 200);
}

#[test]
fn change_password_needs_a_valid_token_of_this_actor_type() {
    let p = page(&[]);
    let body = json!({"current_password": "correct horse", "password": "battery staple"});
    p.registered("jane@example.com", "correct horse");
    assert_bare_unauthorized(&p.post(CHANGE, body.clone(), &[]));
    assert_bare_unauthorized(&p.post_as(CHANGE, body.clone(), "not-a-jwt"));
    let user = p.token(&p.post(
        "/auth/user/emailpass/register",
        json!({"email": "ops@example.com", "password": "correct horse"}),
        &[],
    ));
    assert_bare_unauthorized(&p.post_as(CHANGE, body, &user));
}

#[test]
fn change_password_checks_the_new_password_and_the_fields_before_hashing() {
    let p = page(&[]);
    let t = p.registered("jane@example.com", "correct horse");
    let cases = [
        (
            json!({"current_password": "correct horse", "password": "short"}),
            "Password must be at least 8 characters",
        ),
        (
            json!({"current_password": "correct horse"}),
            "Password should be a string",
        ),
        (
            json!({"password": "battery staple"}),
            account::CURRENT_PASSWORD_REQUIRED,
        ),
    ];
    for (body, message) in cases {
        assert_error(&p.post_as(CHANGE, body, &t), 400, "invalid_data", message);
    }
    p.token(&p.login("jane@example.com", "correct horse"));
}

#[test]
fn change_password_is_for_emailpass_identities_only() {
    let p = page(&[]);
    let body = json!({"current_password": "x", "password": "battery staple"});
    let t = p.registered("jane@example.com", "correct horse");
    let r = p.post_as("/auth/customer/google/change-password", body.clone(), &t);
    assert_eq!(r.status, 400, "{:?}", r.body_json());

    // An identity made by a third-party sign-in has no password to change.
    let identity = block_on(
        p.app
            .service
            .create_auth_identities(vec![CreateAuthIdentity {
                provider_identities: vec![CreateProviderIdentity {
                    entity_id: "sub-123".into(),
                    provider: "corp".into(),
                    ..Default::default()
                }],
                ..Default::default()
            }]),
    )
    .unwrap()
    .remove(0);
    let customer = edge_auth::scope::ActorType::parse("customer").unwrap();
    let sign_in = account::SignIn::default();
    let claims = account::claims_for(&identity, &customer, &sign_in, p.clock.now_secs(), 3600);
    let oauth_token = token::sign(&claims, &p.app.config.jwt_key);
    assert_error(
        &p.post_as(CHANGE, body, &oauth_token),
        400,
        "invalid_data",
        account::NO_PASSWORD,
    );
}
