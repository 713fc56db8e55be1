//! Email verification (`AUTH_VERIFICATIONS_PER_ACTOR`): sign-in answers `verification_required` until
//! a code delivered by the webhook is confirmed; codes are single use, expiring, bound to their identity,
//! attempt- and rate-limited, stored hashed; bad input is a 4xx.
use crate::*;
use edge_auth::account::webhook;

const PER_ACTOR: (&str, &str) = (
    "AUTH_VERIFICATIONS_PER_ACTOR",
    r#"{"customer":[{"entity_type":"email","auth_provider":"emailpass"}],"user":[]}"#,
);
const PASSWORD: &str = "correct horse";

fn verifying() -> Harness {
    harness(&[PER_ACTOR])
}

/// Registers `email` and links it to a customer; returns its identity id.
fn customer(h: &Harness, email: &str, customer_id: &str) -> String {
    let token = h.registered(email, PASSWORD);
    let id = h.claims(&token).auth_identity_id;
    h.link_customer(&id, customer_id);
    id
}

/// Signs in and expects `verification_required`: the answer's body.
fn unverified_login(h: &Harness, email: &str) -> Value {
    let r = h.login(email, PASSWORD);
    assert_eq!(r.status, 200);
    let body = r.body_json().unwrap();
    assert_eq!(body["verification_required"], json!(true), "{body}");
    body
}

fn request_verification(h: &Harness, token: &str, entity_id: &str) -> HttpResponse {
    h.post_as(
        "/auth/verification/request",
        json!({ "entity_id": entity_id, "entity_type": "email" }),
        token,
    )
}

fn confirm(h: &Harness, code: &str, headers: &[(&str, &str)]) -> HttpResponse {
    h.post(
        "/auth/verification/confirm",
        json!({ "code": code }),
        headers,
    )
}

/// The bodies of the verification events delivered so far.
fn verification_events(h: &Harness) -> Vec<Value> {
    h.hooks
        .seen
        .borrow()
        .iter()
        .filter(|r| r.header(webhook::EVENT_HEADER) == Some(webhook::VERIFICATION_REQUESTED_EVENT))
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect()
}

/// Requests a code for `email` with `token` and returns the code the webhook received.
fn delivered_code(h: &Harness, token: &str, email: &str) -> String {
    let before = verification_events(h).len();
    let r = request_verification(h, token, email);
    assert_eq!(r.status, 201, "{:?}", r.body_json());
    let events = verification_events(h);
    assert_eq!(events.len(), before + 1);
    events.last().unwrap()["data"]["code"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn assert_code_refused(r: &HttpResponse, message: &str) {
    assert_error(r, 400, "not_allowed", message);
}

const INVALID: &str = "Verification code is invalid or already used";

#[test]
fn without_configuration_sign_in_gives_the_token_and_asks_nothing() {
    let h = harness(&[]);
    customer(&h, "a@b.co", "cus_1");
    let claims = h.claims_of(&h.login("a@b.co", PASSWORD));
    assert_eq!(claims.actor_id, "cus_1");
}

#[test]
fn registration_gives_a_token_and_sign_in_owes_the_verification_with_an_actorless_token() {
    let h = verifying();
    // Medusa's register route does not check verifications.
    let registered = h.register("a@b.co", PASSWORD);
    let registered = registered.body_json().unwrap();
    assert!(registered["token"].is_string() && registered.get("verification_required").is_none());
    let id = h
        .claims(registered["token"].as_str().unwrap())
        .auth_identity_id;
    h.link_customer(&id, "cus_1");
    let body = unverified_login(&h, "a@b.co");
    // None requested yet: Medusa's `verification` is undefined.
    assert!(body.get("verification").is_none(), "{body}");
    let claims = h.claims(body["token"].as_str().unwrap());
    assert_eq!(claims.actor_id, "");
    assert_eq!(claims.auth_identity_id, id);
    assert!(claims.app_metadata.get("customer_id").is_none());
    // Refresh keeps it actor-less while the verification is owed.
    let refreshed = h.claims_of(&h.refresh(body["token"].as_str().unwrap()));
    assert_eq!(refreshed.actor_id, "");
    // The other actor type's empty list, and another provider, owe nothing.
    assert_eq!(
        h.claims_of(&h.post(
            "/auth/user/emailpass/register",
            json!({"email": "u@b.co", "password": PASSWORD}),
            &[]
        ))
        .actor_type,
        "user"
    );
}

#[test]
fn a_delivered_code_confirms_once_and_sign_in_then_gives_the_real_token() {
    let h = verifying();
    let id = customer(&h, "a@b.co", "cus_1");
    let token = unverified_login(&h, "a@b.co")["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = request_verification(&h, &token, "a@b.co");
    assert_eq!(r.status, 201);
    let verification = r.body_json().unwrap()["verification"].clone();
    assert_eq!(verification["auth_identity_id"], json!(id));
    assert_eq!(verification["entity_id"], json!("a@b.co"));
    assert_eq!(verification["entity_type"], json!("email"));
    assert_eq!(verification["code_provider"], json!("token"));
    assert_eq!(verification["verified_at"], Value::Null);
    assert!(verification["id"].as_str().unwrap().starts_with("authver_"));
    assert!(verification.get("code").is_none() && verification.get("provider_metadata").is_none());

    // One signed delivery, its own event, the code only there.
    let event: Value = {
        let seen = h.hooks.seen.borrow();
        assert_eq!(seen.len(), 1);
        let delivery = &seen[0];
        let target = webhook::WebhookTarget::new("", WEBHOOK_SECRET.as_bytes());
        assert_eq!(
            delivery.header(webhook::SIGNATURE_HEADER),
            Some(
                target
                    .signature(h.clock.now_secs(), &delivery.body)
                    .as_str()
            )
        );
        serde_json::from_slice(&delivery.body).unwrap()
    };
    assert_eq!(event["event"], json!("auth.verification_requested"));
    assert_eq!(event["data"]["entity_id"], json!("a@b.co"));
    assert_eq!(event["data"]["actor_type"], json!("customer"));
    let code = event["data"]["code"].as_str().unwrap().to_owned();
    assert!(code.len() >= 43, "256-bit codes");
    // Stored hashed: the code is in no key or value.
    assert!(
        h.store
            .dump()
            .iter()
            .all(|(k, v)| !k.contains(&code) && !v.contains(&code))
    );

    // Sign-in now shows the pending verification.
    let body = unverified_login(&h, "a@b.co");
    assert_eq!(body["verification"]["id"], verification["id"]);

    let r = confirm(&h, &code, &[]);
    assert_eq!(r.status, 200);
    let confirmed = r.body_json().unwrap();
    assert_eq!(confirmed["entity_id"], json!("a@b.co"));
    assert_eq!(confirmed["entity_type"], json!("email"));
    assert_eq!(confirmed["code_provider"], json!("token"));
    assert!(confirmed["verified_at"].as_str().unwrap().ends_with('Z'));

    assert_code_refused(&confirm(&h, &code, &[]), INVALID);
    assert_eq!(h.claims_of(&h.login("a@b.co", PASSWORD)).actor_id, "cus_1");
    // The actor-less token of before refreshes into one with the actor now.
    assert_eq!(h.claims_of(&h.refresh(&token)).actor_id, "cus_1");
    // Asking again once verified sends nothing and answers the verified verification.
    let again = request_verification(&h, &token, "a@b.co");
    assert_eq!(again.status, 201);
    assert!(again.body_json().unwrap()["verification"]["verified_at"].is_string());
    assert_eq!(verification_events(&h).len(), 1);
}

#[test]
fn wrong_expired_and_replaced_codes_are_refused() {
    let h = verifying();
    customer(&h, "a@b.co", "cus_1");
    let token = unverified_login(&h, "a@b.co")["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let first = delivered_code(&h, &token, "a@b.co");
    assert_code_refused(&confirm(&h, "not-a-code", &[]), INVALID);
    // A new request replaces the code: the first stops working.
    let second = delivered_code(&h, &token, "a@b.co");
    assert_ne!(first, second);
    assert_code_refused(&confirm(&h, &first, &[]), INVALID);
    h.clock.advance_secs(900);
    assert_code_refused(&confirm(&h, &second, &[]), "Verification code has expired");
    unverified_login(&h, "a@b.co");
    // A fresh one works.
    let third = delivered_code(&h, &token, "a@b.co");
    assert_eq!(confirm(&h, &third, &[]).status, 200);
    assert_eq!(h.claims_of(&h.login("a@b.co", PASSWORD)).actor_id, "cus_1");
}

#[test]
fn a_code_of_another_identity_is_refused_to_a_signed_in_caller_and_entities_must_be_the_callers() {
    let h = verifying();
    customer(&h, "a@b.co", "cus_1");
    customer(&h, "b@b.co", "cus_2");
    let a = unverified_login(&h, "a@b.co")["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let b = unverified_login(&h, "b@b.co")["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let code = delivered_code(&h, &a, "a@b.co");
    let as_b = [("authorization", format!("Bearer {b}"))];
    let as_b: Vec<(&str, &str)> = as_b.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_code_refused(&confirm(&h, &code, &as_b), INVALID);
    // B cannot have A's address (or any not its own) verified.
    assert_error(
        &request_verification(&h, &b, "a@b.co"),
        400,
        "invalid_data",
        "Provider identity not found while checking verification",
    );
    unverified_login(&h, "b@b.co");
    // A's code still works for A.
    let as_a = format!("Bearer {a}");
    assert_eq!(confirm(&h, &code, &[("authorization", &as_a)]).status, 200);
    unverified_login(&h, "b@b.co");
}

#[test]
fn confirmation_attempts_are_limited_per_client() {
    let h = verifying();
    customer(&h, "a@b.co", "cus_1");
    let token = unverified_login(&h, "a@b.co")["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let code = delivered_code(&h, &token, "a@b.co");
    let ip = [("cf-connecting-ip", "203.0.113.9")];
    for _ in 0..10 {
        assert_code_refused(&confirm(&h, "guess", &ip), INVALID);
    }
    let limited = confirm(&h, &code, &ip);
    assert_eq!(limited.status, 429);
    assert!(limited.header("retry-after").is_some());
    // Another client is not held back.
    assert_eq!(
        confirm(&h, &code, &[("cf-connecting-ip", "198.51.100.7")]).status,
        200
    );
}

#[test]
fn code_requests_are_rate_limited_per_identity() {
    let h = verifying();
    customer(&h, "a@b.co", "cus_1");
    let token = unverified_login(&h, "a@b.co")["token"]
        .as_str()
        .unwrap()
        .to_owned();
    for _ in 0..5 {
        assert_eq!(request_verification(&h, &token, "a@b.co").status, 201);
    }
    assert_eq!(request_verification(&h, &token, "a@b.co").status, 429);
    assert_eq!(verification_events(&h).len(), 5);
}

#[test]
fn bad_input_is_a_4xx_never_a_5xx() {
    let h = verifying();
    customer(&h, "a@b.co", "cus_1");
    let token = unverified_login(&h, "a@b.co")["token"]
        .as_str()
        .unwrap()
        .to_owned();
    // No caller.
    let r = h.post(
        "/auth/verification/request",
        json!({"entity_id": "a@b.co", "entity_type": "email"}),
        &[],
    );
    assert_bare_unauthorized(&r);
    let r = h.post_as(
        "/auth/verification/request",
        json!({"entity_id": "a@b.co", "entity_type": "email"}),
        "forged.token.here",
    );
    assert_bare_unauthorized(&r);
    for (body, message) in [
        (
            json!({"entity_type": "email"}),
            "Invalid request: Field 'entity_id' is required",
        ),
        (
            json!({"entity_id": "a@b.co"}),
            "Invalid request: Field 'entity_type' is required",
        ),
        (
            json!({"entity_id": 5, "entity_type": "email"}),
            "Invalid request: Expected type: 'string' for field 'entity_id', got: 'number'",
        ),
        (
            json!({"entity_id": "", "entity_type": "email"}),
            "Invalid request: Value for field 'entity_id' too small, expected at least: '1'",
        ),
        (
            json!({"entity_id": "a@b.co", "entity_type": "email", "metadata": "x"}),
            "Invalid request: Expected type: 'object' for field 'metadata', got: 'string'",
        ),
    ] {
        let r = h.post_as("/auth/verification/request", body.clone(), &token);
        assert_error(&r, 400, "invalid_data", message);
    }
    let r = h.post_as(
        "/auth/verification/request",
        json!({"entity_id": "a@b.co", "entity_type": "email", "code_provider": "sms"}),
        &token,
    );
    assert_eq!(r.status, 400);
    assert!(
        r.body_json().unwrap()["message"]
            .as_str()
            .unwrap()
            .contains("sms")
    );
    for body in [
        json!({}),
        json!({"code": 7}),
        json!({"code": ""}),
        json!({"code": "x", "code_provider": 1}),
    ] {
        let r = h.post("/auth/verification/confirm", body.clone(), &[]);
        assert_eq!(r.status, 400, "{body}");
    }
    let raw = h.send(
        "POST",
        "/auth/verification/confirm",
        &[("content-type", "application/json")],
        b"{not json",
    );
    assert_eq!(raw.status, 400);
    assert_eq!(
        h.send("GET", "/auth/verification/request", &[], b"").status,
        405
    );
    let code = delivered_code(&h, &token, "a@b.co");
    let r = h.post(
        "/auth/verification/confirm",
        json!({"code": code, "code_provider": "sms"}),
        &[],
    );
    assert_code_refused(&r, "Verification code does not belong to provider \"sms\"");
    assert_eq!(confirm(&h, &code, &[]).status, 200);
}

#[test]
fn concurrent_confirmations_of_one_code_succeed_once() {
    let h = verifying();
    customer(&h, "a@b.co", "cus_1");
    let token = unverified_login(&h, "a@b.co")["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let code = delivered_code(&h, &token, "a@b.co");
    let requests: Vec<_> = (0..4)
        .map(|_| {
            request(
                "POST",
                &format!("{ORIGIN}/auth/verification/confirm"),
                &[("content-type", "application/json")],
                json!({ "code": code }).to_string().as_bytes(),
            )
        })
        .collect();
    let answers = block_on(futures::future::join_all(
        requests.iter().map(|r| handle(&h.app, r)),
    ));
    let ok = answers.iter().filter(|a| a.status == 200).count();
    assert_eq!(
        ok,
        1,
        "{:?}",
        answers.iter().map(|a| a.status).collect::<Vec<_>>()
    );
    assert!(answers.iter().all(|a| a.status == 200 || a.status == 400));
}

/// A code confirms up to its fifteenth minute; after it, it is told expired while its index lives (an
/// hour more), and unknown after that.
#[test]
fn a_code_lives_fifteen_minutes_and_is_told_expired_for_an_hour_more() {
    let h = verifying();
    customer(&h, "a@b.co", "cus_1");
    customer(&h, "c@d.co", "cus_2");
    let login_token = |email: &str| {
        unverified_login(&h, email)["token"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let (a, c) = (login_token("a@b.co"), login_token("c@d.co"));
    let in_time = delivered_code(&h, &a, "a@b.co");
    let late = delivered_code(&h, &c, "c@d.co");
    h.clock.advance_secs(899);
    assert_eq!(confirm(&h, &in_time, &[]).status, 200);
    h.clock.advance_secs(1 + 3599);
    assert_code_refused(&confirm(&h, &late, &[]), "Verification code has expired");
    h.clock.advance_secs(1);
    assert_code_refused(&confirm(&h, &late, &[]), INVALID);
}
