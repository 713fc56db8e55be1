//! Native tests of TOTP MFA through [`handle`]: enrolment, login challenges (expiry, attempts, replay,
//! concurrency), recovery codes, encryption at rest, another identity's factors and challenges, bad
//! input, and the admin API's MFA module methods a Medusa backend calls through the bridge. Codes are computed here from the enrolment's secret by an HOTP of this file's own (RFC 4226
//! over the `hmac` and `sha1` crates), not by the crate's.
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used)]
#![allow(missing_docs)]

#[path = "kit/mod.rs"]
mod kit;

use edge_auth::http::{HttpResponse, handle};
use edge_auth::ports::clock::Clock;
use futures::executor::block_on;
use hmac::{Hmac, KeyInit, Mac};
use kit::{NOW_MS, ORIGIN, TestApp, assert_error, config, request};
use serde_json::{Value, json};

const MFA_KEY: &str = "mfa-key-0123456789abcdef0123456789";
const PASSWORD: &str = "correct horse battery";

fn app_with(vars: &[(&str, &str)]) -> TestApp {
    let config = config(vars);
    TestApp::new(ORIGIN, NOW_MS, |store, clock| {
        edge_auth::http::App::new(config, store, clock)
    })
}

fn app() -> TestApp {
    app_with(&[("MFA_ENCRYPTION_KEY", MFA_KEY)])
}

fn base32_decode(s: &str) -> Vec<u8> {
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let (mut out, mut buffer, mut bits) = (Vec::new(), 0u64, 0);
    for c in s.bytes() {
        let v = alphabet.iter().position(|a| *a == c).unwrap() as u64;
        buffer = (buffer << 5) | v;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
        }
    }
    out
}

/// The 6-digit TOTP of `secret` (base32) at `unix_secs`.
fn totp(secret: &str, unix_secs: u64) -> String {
    let mut mac = <Hmac<sha1::Sha1> as KeyInit>::new_from_slice(&base32_decode(secret)).unwrap();
    mac.update(&(unix_secs / 30).to_be_bytes());
    let h = mac.finalize().into_bytes();
    let o = usize::from(h[19] & 15);
    let n = u32::from_be_bytes([h[o] & 0x7f, h[o + 1], h[o + 2], h[o + 3]]) % 1_000_000;
    format!("{n:06}")
}

fn body(r: &HttpResponse) -> Value {
    r.body_json().unwrap_or(Value::Null)
}

fn get_as(t: &TestApp, path: &str, token: &str) -> HttpResponse {
    t.send(
        "GET",
        path,
        &[("authorization", &format!("Bearer {token}"))],
        b"",
    )
}

fn delete_as(t: &TestApp, path: &str, token: &str) -> HttpResponse {
    t.send(
        "DELETE",
        path,
        &[("authorization", &format!("Bearer {token}"))],
        b"",
    )
}

struct Enrolled {
    token: String,
    identity: String,
    factor: String,
    secret: String,
}

/// `email` registered, linked to `customer`, signed in, and enrolled (factor verified) with a TOTP
/// factor. The clock is then moved a step on, so the enrolment's code is no longer current.
fn enrolled(t: &TestApp, email: &str, customer: &str) -> Enrolled {
    let first = t.registered(email, PASSWORD);
    let identity = t.claims(&first).auth_identity_id;
    t.link_customer(&identity, customer);
    let token = t.token(&t.login(email, PASSWORD));
    let started = t.post_as("/auth/mfa/factors", json!({"provider": "totp"}), &token);
    assert_eq!(started.status, 200, "{:?}", started.body_json());
    let b = body(&started);
    let factor = b["mfa_factor"]["id"].as_str().unwrap().to_owned();
    let secret = b["secret"].as_str().unwrap().to_owned();
    let code = totp(&secret, t.clock.now_secs());
    let verified = t.post_as(
        &format!("/auth/mfa/factors/{factor}/verify"),
        json!({ "code": code }),
        &token,
    );
    assert_eq!(verified.status, 200, "{:?}", verified.body_json());
    t.clock.advance_secs(30);
    Enrolled {
        token,
        identity,
        factor,
        secret,
    }
}

/// A sign-in that must answer with a challenge: (challenge, actor-less token).
fn challenged(t: &TestApp, email: &str) -> (Value, String) {
    let r = t.login(email, PASSWORD);
    assert_eq!(r.status, 200);
    let b = body(&r);
    assert_eq!(b["mfa_required"], json!(true), "{b}");
    (
        b["mfa_challenge"].clone(),
        b["token"].as_str().unwrap().to_owned(),
    )
}

fn answer(t: &TestApp, challenge: &Value, token: &str, method: &str, code: &str) -> HttpResponse {
    let id = challenge["id"].as_str().unwrap();
    t.post_as(
        &format!("/auth/mfa/challenges/{id}/verify"),
        json!({ "method": method, "code": code }),
        token,
    )
}

#[test]
fn enrolment_shows_the_secret_once_and_a_first_code_enables_the_factor() {
    let t = app();
    let token = t.registered("a@b.co", PASSWORD);
    let started = t.post_as(
        "/auth/mfa/factors",
        json!({"provider": "totp", "label": "a@b.co", "issuer": "Shop"}),
        &token,
    );
    assert_eq!(started.status, 200);
    assert_eq!(started.header("cache-control"), Some("no-store"));
    let b = body(&started);
    let secret = b["secret"].as_str().unwrap();
    assert_eq!(secret.len(), 32, "160 bits in base32");
    assert_eq!(
        b["otpauth_url"],
        json!(format!(
            "otpauth://totp/Shop:a%40b.co?secret={secret}&issuer=Shop&algorithm=SHA1&digits=6&period=30"
        ))
    );
    let factor = &b["mfa_factor"];
    assert_eq!(factor["status"], "pending");
    assert_eq!(factor["provider"], "totp");
    assert!(factor["id"].as_str().unwrap().starts_with("authmfa_"));
    assert!(factor.get("provider_metadata").is_none() && factor.get("secret").is_none());
    let id = factor["id"].as_str().unwrap();

    let listed = body(&get_as(&t, "/auth/mfa/factors", &token));
    assert_eq!(listed["mfa_factors"].as_array().unwrap().len(), 1);
    assert!(!listed.to_string().contains(secret));

    let verify = format!("/auth/mfa/factors/{id}/verify");
    let now = t.clock.now_secs();
    let wrong = if totp(secret, now) == "000000" {
        "111111"
    } else {
        "000000"
    };
    assert_error(
        &t.post_as(&verify, json!({ "code": wrong }), &token),
        400,
        "not_allowed",
        "Invalid TOTP code",
    );
    let code = totp(secret, now);
    let ok = t.post_as(&verify, json!({ "code": code }), &token);
    assert_eq!(body(&ok)["mfa_factor"]["status"], "enabled");
    // The same code again, in its step: refused.
    assert_error(
        &t.post_as(&verify, json!({ "code": code }), &token),
        400,
        "not_allowed",
        "Invalid TOTP code",
    );
    // A second active factor is refused.
    assert_error(
        &t.post_as("/auth/mfa/factors", json!({"provider": "totp"}), &token),
        400,
        "not_allowed",
        "An active TOTP factor already exists for this auth identity",
    );
}

/// The claim names of `token`'s payload, in the order they were written.
fn claim_names(token: &str) -> Vec<String> {
    use base64::Engine;
    let payload = token.split('.').nth(1).unwrap();
    let json = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    let text = String::from_utf8(json).unwrap();
    // Top-level keys only: each is a `"name":` right after `{` or `,` at depth one.
    let (mut names, mut depth, mut in_string, mut escaped, mut start) =
        (vec![], 0, false, false, 0);
    for (i, c) in text.char_indices() {
        match (in_string, c) {
            (true, _) if escaped => escaped = false,
            (true, '\\') => escaped = true,
            (true, '"') => {
                in_string = false;
                if depth == 1
                    && text[i + 1..].starts_with(':')
                    && text[..start].ends_with(['{', ','])
                {
                    names.push(text[start + 1..i].to_owned());
                }
            }
            (false, '"') => (in_string, start) = (true, i),
            (false, '{' | '[') => depth += 1,
            (false, '}' | ']') => depth -= 1,
            _ => {}
        }
    }
    names
}

/// The merged claim set: Medusa 2.21's claims in its order, with MFA's values, and our `mfa_challenge`
/// last and only while the challenge is owed.
#[test]
fn mfa_tokens_carry_the_2_21_claims_in_order_and_the_challenge_only_while_pending() {
    let t = app();
    let e = enrolled(&t, "a@b.co", "cus_1");
    let app_metadata = json!({ "customer_id": "cus_1", "tier": "gold" });
    block_on(
        t.app
            .service
            .update_auth_identities(vec![edge_auth::model::UpdateAuthIdentity {
                id: e.identity.clone(),
                app_metadata: app_metadata.as_object().cloned(),
            }]),
    )
    .unwrap();
    let medusa = [
        "actor_id",
        "actor_type",
        "auth_identity_id",
        "auth_provider",
        "mfa_enabled",
        "mfa_challenge_completed_at",
        "app_metadata",
        "user_metadata",
        "iat",
        "exp",
    ];
    let (challenge, pending) = challenged(&t, "a@b.co");
    let mut owed: Vec<&str> = medusa.to_vec();
    owed.push("mfa_challenge");
    assert_eq!(claim_names(&pending), owed);
    let claims = t.claims(&pending);
    assert_eq!(claims.auth_provider.as_deref(), Some("emailpass"));
    assert_eq!(claims.user_metadata, json!({}));
    // Actor-less as Medusa's `skipActorType` makes it: the identity's app_metadata without the actor id.
    assert_eq!(claims.actor_id, "");
    assert_eq!(claims.app_metadata, json!({ "tier": "gold" }));
    let owed_id = claims.mfa_challenge.as_deref().unwrap();
    assert!(owed_id.starts_with(challenge["id"].as_str().unwrap()));
    // Refresh keeps the provider and the challenge owed.
    let refreshed = t.token(&t.refresh(&pending));
    assert_eq!(claim_names(&refreshed), owed);
    assert_eq!(
        t.claims(&refreshed).auth_provider.as_deref(),
        Some("emailpass")
    );

    let code = totp(&e.secret, t.clock.now_secs());
    let full = t.token(&answer(&t, &challenge, &pending, "totp", &code));
    assert_eq!(claim_names(&full), medusa);
    let claims = t.claims(&full);
    assert_eq!(claims.auth_provider.as_deref(), Some("emailpass"));
    assert_eq!(claims.app_metadata, app_metadata);
    assert!(claims.mfa_enabled && claims.mfa_challenge_completed_at.is_some());
    assert_eq!(claims.mfa_challenge, None);
    // Its refresh carries all of it.
    let again = t.claims_of(&t.refresh(&full));
    assert_eq!(
        (
            again.auth_provider,
            again.mfa_enabled,
            again.mfa_challenge_completed_at
        ),
        (
            claims.auth_provider,
            true,
            claims.mfa_challenge_completed_at
        )
    );
}

#[test]
fn sign_in_with_mfa_owes_a_challenge_and_its_code_earns_the_real_token() {
    let t = app();
    let e = enrolled(&t, "a@b.co", "cus_1");
    let (challenge, pending) = challenged(&t, "a@b.co");
    assert!(
        challenge["id"]
            .as_str()
            .unwrap()
            .starts_with("authmfachal_")
    );
    assert_eq!(challenge["methods"], json!(["totp"]));
    assert_eq!(challenge["auth_identity_id"], json!(e.identity));
    assert_eq!(challenge["auth_provider"], "emailpass");
    assert_eq!(challenge["attempts"], 0);
    assert_eq!(challenge["max_attempts"], 5);
    assert_eq!(challenge["completed_at"], Value::Null);
    assert_eq!(challenge["expires_at"], "2027-01-15T08:05:30.000Z");
    let claims = t.claims(&pending);
    assert_eq!((claims.actor_id.as_str(), claims.mfa_enabled), ("", true));
    assert_eq!(claims.app_metadata, json!({}));
    assert_eq!(claims.mfa_challenge_completed_at, None);

    // The pending token is good for nothing but the challenge, sessions and refresh.
    assert_eq!(get_as(&t, "/auth/mfa/factors", &pending).status, 401);
    assert_eq!(
        delete_as(&t, &format!("/auth/mfa/factors/{}", e.factor), &pending).status,
        401
    );
    let refreshed = t.claims_of(&t.refresh(&pending));
    assert_eq!(
        (refreshed.actor_id.as_str(), refreshed.mfa_enabled),
        ("", true)
    );
    assert_eq!(refreshed.mfa_challenge_completed_at, None);
    let change = t.post_as(
        "/auth/customer/emailpass/change-password",
        json!({"current_password": PASSWORD, "password": "another long one"}),
        &pending,
    );
    assert_eq!(change.status, 401);

    let code = totp(&e.secret, t.clock.now_secs());
    let passed = answer(&t, &challenge, &pending, "totp", &code);
    let full = t.claims_of(&passed);
    assert_eq!(full.actor_id, "cus_1");
    assert!(full.mfa_enabled);
    assert_eq!(
        full.mfa_challenge_completed_at.as_deref(),
        Some("2027-01-15T08:00:30.000Z")
    );
    // The real token refreshes as it is.
    let again = t.claims_of(&t.refresh(&t.token(&passed)));
    assert_eq!(again.actor_id, "cus_1");
    assert_eq!(
        again.mfa_challenge_completed_at,
        full.mfa_challenge_completed_at
    );
    // Answered once: never again.
    assert_error(
        &answer(&t, &challenge, &pending, "totp", &code),
        400,
        "not_allowed",
        "MFA challenge has already been completed",
    );
}

#[test]
fn a_challenge_takes_five_attempts_then_refuses_even_the_right_code() {
    let t = app();
    let e = enrolled(&t, "a@b.co", "cus_1");
    let (challenge, pending) = challenged(&t, "a@b.co");
    let right = totp(&e.secret, t.clock.now_secs());
    let wrong = if right == "123456" {
        "654321"
    } else {
        "123456"
    };
    for _ in 0..4 {
        assert_error(
            &answer(&t, &challenge, &pending, "totp", wrong),
            400,
            "not_allowed",
            "Invalid MFA challenge code",
        );
    }
    for _ in 0..2 {
        assert_error(
            &answer(&t, &challenge, &pending, "totp", wrong),
            400,
            "not_allowed",
            "MFA challenge has too many failed attempts",
        );
    }
    assert_error(
        &answer(&t, &challenge, &pending, "totp", &right),
        400,
        "not_allowed",
        "MFA challenge has too many failed attempts",
    );
    // A new sign-in gets a new challenge with its own attempts.
    let (fresh, pending) = challenged(&t, "a@b.co");
    assert_eq!(answer(&t, &fresh, &pending, "totp", &right).status, 200);
}

#[test]
fn a_challenge_expires_after_five_minutes() {
    let t = app();
    let e = enrolled(&t, "a@b.co", "cus_1");
    let (challenge, pending) = challenged(&t, "a@b.co");
    t.clock.advance_secs(299);
    let code = totp(&e.secret, t.clock.now_secs());
    // A wrong code a second before: still answerable.
    let wrong = if code == "123456" { "654321" } else { "123456" };
    assert_error(
        &answer(&t, &challenge, &pending, "totp", wrong),
        400,
        "not_allowed",
        "Invalid MFA challenge code",
    );
    t.clock.advance_secs(1);
    assert_error(
        &answer(&t, &challenge, &pending, "totp", &code),
        400,
        "not_allowed",
        "MFA challenge has expired",
    );
    // And later still: the pending token carries the challenge's deadline.
    t.clock.advance_secs(3600);
    let code = totp(&e.secret, t.clock.now_secs());
    assert_error(
        &answer(&t, &challenge, &pending, "totp", &code),
        400,
        "not_allowed",
        "MFA challenge has expired",
    );
    // Refreshing the pending token raises a new challenge, still without an actor.
    let refreshed = t.claims_of(&t.refresh(&pending));
    assert_eq!(refreshed.actor_id, "");
    let fresh = refreshed.mfa_challenge.unwrap();
    let old = challenge["id"].as_str().unwrap();
    assert!(
        fresh.starts_with("authmfachal_") && !fresh.starts_with(old),
        "{fresh}"
    );
}

#[test]
fn a_code_passes_one_challenge_only_and_the_window_is_one_step_either_side() {
    let t = app();
    let e = enrolled(&t, "a@b.co", "cus_1");
    let now = t.clock.now_secs();
    let (first, pending) = challenged(&t, "a@b.co");
    let code = totp(&e.secret, now);
    assert_eq!(answer(&t, &first, &pending, "totp", &code).status, 200);
    let (second, pending) = challenged(&t, "a@b.co");
    assert_error(
        &answer(&t, &second, &pending, "totp", &code),
        400,
        "not_allowed",
        "Invalid MFA challenge code",
    );
    // The previous and next steps' codes are accepted; two steps away is not.
    assert_eq!(
        answer(&t, &second, &pending, "totp", &totp(&e.secret, now + 30)).status,
        200
    );
    // Later, the next step's code (unused so far) is the previous step's: accepted; two steps ahead is not.
    t.clock.advance_secs(90);
    let later = now + 90;
    let (third, pending) = challenged(&t, "a@b.co");
    assert_error(
        &answer(&t, &third, &pending, "totp", &totp(&e.secret, later + 60)),
        400,
        "not_allowed",
        "Invalid MFA challenge code",
    );
    assert_eq!(
        answer(&t, &third, &pending, "totp", &totp(&e.secret, later - 30)).status,
        200
    );
}

#[test]
fn concurrent_answers_to_one_challenge_succeed_once() {
    let t = app();
    let e = enrolled(&t, "a@b.co", "cus_1");
    let (challenge, pending) = challenged(&t, "a@b.co");
    let id = challenge["id"].as_str().unwrap();
    let now = t.clock.now_secs();
    // Two different right codes (this step's and the next's), so replay protection is not what decides.
    let requests: Vec<_> = [totp(&e.secret, now), totp(&e.secret, now + 30)]
        .iter()
        .map(|code| {
            request(
                "POST",
                &format!("{ORIGIN}/auth/mfa/challenges/{id}/verify"),
                &[
                    ("content-type", "application/json"),
                    ("authorization", &format!("Bearer {pending}")),
                ],
                json!({"method": "totp", "code": code})
                    .to_string()
                    .as_bytes(),
            )
        })
        .collect();
    let (a, b) = block_on(futures::future::join(
        handle(&t.app, &requests[0]),
        handle(&t.app, &requests[1]),
    ));
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(statuses, [200, 400]);
}

#[test]
fn recovery_codes_need_an_enabled_factor_and_pass_a_challenge_once() {
    let t = app();
    let token = t.registered("a@b.co", PASSWORD);
    assert_error(
        &t.post_as("/auth/mfa/recovery-codes", json!({}), &token),
        400,
        "not_allowed",
        "Recovery codes require an enabled MFA factor",
    );
    let e = enrolled(&t, "c@d.co", "cus_2");
    assert_error(
        &t.post_as("/auth/mfa/recovery-codes", json!({"count": 51}), &e.token),
        400,
        "invalid_data",
        "Recovery code count must be between 1 and 50",
    );
    let made = t.post_as("/auth/mfa/recovery-codes", json!({}), &e.token);
    assert_eq!(made.header("cache-control"), Some("no-store"));
    let codes: Vec<String> = serde_json::from_value(body(&made)["recovery_codes"].clone()).unwrap();
    assert_eq!(codes.len(), 10);
    let (challenge, pending) = challenged(&t, "c@d.co");
    assert_eq!(challenge["methods"], json!(["totp", "recovery_code"]));
    // Case and surrounding space are forgiven.
    let upper = format!(" {} ", codes[0].to_uppercase());
    let passed = answer(&t, &challenge, &pending, "recovery_code", &upper);
    assert_eq!(t.claims_of(&passed).actor_id, "cus_2");
    let (challenge, pending) = challenged(&t, "c@d.co");
    assert_error(
        &answer(&t, &challenge, &pending, "recovery_code", &codes[0]),
        400,
        "not_allowed",
        "Invalid MFA challenge code",
    );
    assert_eq!(
        answer(&t, &challenge, &pending, "recovery_code", &codes[1]).status,
        200
    );
    // New codes replace the old ones.
    let newer = t.post_as("/auth/mfa/recovery-codes", json!({"count": 2}), &e.token);
    assert_eq!(body(&newer)["recovery_codes"].as_array().unwrap().len(), 2);
    let (challenge, pending) = challenged(&t, "c@d.co");
    assert_error(
        &answer(&t, &challenge, &pending, "recovery_code", &codes[2]),
        400,
        "not_allowed",
        "Invalid MFA challenge code",
    );
}

#[test]
fn nothing_secret_is_readable_in_the_store() {
    let t = app();
    let e = enrolled(&t, "a@b.co", "cus_1");
    let codes = body(&t.post_as("/auth/mfa/recovery-codes", json!({}), &e.token));
    let raw = base32_decode(&e.secret);
    let hex: String = raw.iter().map(|b| format!("{b:02x}")).collect();
    let dump = t.store.dump();
    let mfa_record = dump
        .iter()
        .find(|(k, _)| k == &format!("mfa:{}", e.identity))
        .map(|(_, v)| v.clone())
        .unwrap();
    assert!(mfa_record.contains("\"secret\":\"v1:"), "{mfa_record}");
    for (key, value) in &dump {
        let text = format!("{key} {value}");
        assert!(!text.contains(&e.secret), "{key}");
        assert!(
            !text.to_lowercase().contains(&e.secret.to_lowercase()),
            "{key}"
        );
        assert!(!text.contains(&hex), "{key}");
        for code in codes["recovery_codes"].as_array().unwrap() {
            let code = code.as_str().unwrap();
            assert!(
                !text.contains(code) && !text.contains(&code.replace('-', "")),
                "{key}"
            );
        }
    }
}

#[test]
fn another_identitys_factor_and_challenge_are_not_found() {
    let t = app();
    let a = enrolled(&t, "a@b.co", "cus_1");
    let b = enrolled(&t, "c@d.co", "cus_2");
    let code = totp(&a.secret, t.clock.now_secs());
    assert_error(
        &t.post_as(
            &format!("/auth/mfa/factors/{}/verify", a.factor),
            json!({ "code": code }),
            &b.token,
        ),
        404,
        "not_found",
        &format!("MFA factor with id \"{}\" was not found", a.factor),
    );
    assert_error(
        &delete_as(&t, &format!("/auth/mfa/factors/{}", a.factor), &b.token),
        404,
        "not_found",
        &format!("MFA factor with id \"{}\" was not found", a.factor),
    );
    let listed = body(&get_as(&t, "/auth/mfa/factors", &b.token));
    assert!(!listed.to_string().contains(&a.factor));
    let (challenge, _) = challenged(&t, "a@b.co");
    let (_, b_pending) = challenged(&t, "c@d.co");
    let id = challenge["id"].as_str().unwrap();
    assert_error(
        &answer(&t, &challenge, &b_pending, "totp", &code),
        404,
        "not_found",
        &format!("MFA challenge with id \"{id}\" was not found"),
    );
}

#[test]
fn bad_input_is_a_4xx_with_medusas_message() {
    let t = app();
    let e = enrolled(&t, "a@b.co", "cus_1");
    let verify = format!("/auth/mfa/factors/{}/verify", e.factor);
    for (input, message) in [
        (json!({}), "Invalid request: Field 'code' is required"),
        (
            json!({"code": null}),
            "Invalid request: Field 'code' is required",
        ),
        (
            json!({"code": 123456}),
            "Invalid request: Expected type: 'string' for field 'code', got: 'number'",
        ),
        (
            json!({"code": ""}),
            "Invalid request: Value for field 'code' too small, expected at least: '1'",
        ),
    ] {
        assert_error(
            &t.post_as(&verify, input, &e.token),
            400,
            "invalid_data",
            message,
        );
    }
    assert_error(
        &t.post_as("/auth/mfa/factors", json!({}), &e.token),
        400,
        "invalid_data",
        "Invalid request: Field 'provider' is required",
    );
    assert_error(
        &t.post_as("/auth/mfa/factors", json!({"provider": "sms"}), &e.token),
        400,
        "invalid_data",
        "Unable to retrieve the MFA method with id: sms",
    );
    let (challenge, pending) = challenged(&t, "a@b.co");
    assert_error(
        &answer(&t, &challenge, &pending, "email", "123456"),
        400,
        "invalid_data",
        "MFA challenge does not support method \"email\"",
    );
    // No recovery codes were made, so the challenge does not offer them.
    assert_error(
        &answer(&t, &challenge, &pending, "recovery_code", "abcd"),
        400,
        "invalid_data",
        "MFA challenge does not support method \"recovery_code\"",
    );
    for code in ["12345", "1234567", "12345a", "١٢٣٤٥٦", " 123456"] {
        let r = answer(&t, &challenge, &pending, "totp", code);
        assert_eq!(r.status, 400, "{code:?}");
    }
    assert_error(
        &t.post_as(
            "/auth/mfa/challenges/authmfachal_nope/verify",
            json!({"method": "totp", "code": "123456"}),
            &pending,
        ),
        404,
        "not_found",
        "MFA challenge with id \"authmfachal_nope\" was not found",
    );
    assert_eq!(get_as(&t, "/auth/mfa/factors", "not-a-token").status, 401);
    assert_eq!(t.send("GET", "/auth/mfa/factors", &[], b"").status, 401);
    assert_eq!(t.send("PUT", "/auth/mfa/factors", &[], b"").status, 405);
}

#[test]
fn disabling_the_factor_ends_the_challenge_at_sign_in() {
    let t = app();
    let e = enrolled(&t, "a@b.co", "cus_1");
    let (_, _) = challenged(&t, "a@b.co");
    let disabled = delete_as(&t, &format!("/auth/mfa/factors/{}", e.factor), &e.token);
    assert_eq!(body(&disabled)["mfa_factor"]["status"], "disabled");
    let plain = t.login("a@b.co", PASSWORD);
    assert_eq!(t.claims_of(&plain).actor_id, "cus_1");
    assert!(!t.claims_of(&plain).mfa_enabled);
    // A disabled factor cannot be verified again; a new one may be enrolled.
    let code = totp(&e.secret, t.clock.now_secs());
    assert_error(
        &t.post_as(
            &format!("/auth/mfa/factors/{}/verify", e.factor),
            json!({ "code": code }),
            &e.token,
        ),
        400,
        "not_allowed",
        "Disabled MFA factors cannot be verified",
    );
    let again = t.post_as("/auth/mfa/factors", json!({"provider": "totp"}), &e.token);
    assert_eq!(again.status, 200);
}

#[test]
fn a_session_made_from_a_pending_token_refreshes_to_a_pending_token() {
    let t = app();
    enrolled(&t, "a@b.co", "cus_1");
    let (_, pending) = challenged(&t, "a@b.co");
    let opened = t.post_as("/auth/session", json!({}), &pending);
    assert_eq!(opened.status, 200);
    let cookie = opened
        .header("set-cookie")
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let refreshed = t.send("POST", "/auth/token/refresh", &[("cookie", &cookie)], b"");
    let claims = t.claims_of(&refreshed);
    assert_eq!((claims.actor_id.as_str(), claims.mfa_enabled), ("", true));
    assert_eq!(claims.mfa_challenge_completed_at, None);
    // Nor does the session pass as a signed-in caller of the MFA routes.
    assert_eq!(
        t.send("GET", "/auth/mfa/factors", &[("cookie", &cookie)], b"")
            .status,
        401
    );
}

#[test]
fn an_actor_less_token_refreshed_after_enrolment_owes_the_challenge() {
    let t = app();
    let token = t.registered("a@b.co", PASSWORD);
    let started = body(&t.post_as("/auth/mfa/factors", json!({"provider": "totp"}), &token));
    let secret = started["secret"].as_str().unwrap();
    let id = started["mfa_factor"]["id"].as_str().unwrap();
    let code = totp(secret, t.clock.now_secs());
    t.post_as(
        &format!("/auth/mfa/factors/{id}/verify"),
        json!({ "code": code }),
        &token,
    );
    let identity = t.claims(&token).auth_identity_id;
    t.link_customer(&identity, "cus_1");
    let refreshed = t.claims_of(&t.refresh(&token));
    assert_eq!(
        (refreshed.actor_id.as_str(), refreshed.mfa_enabled),
        ("", true)
    );
}

#[test]
fn without_an_encryption_key_mfa_says_so_and_sign_in_is_unaffected() {
    let t = app_with(&[]);
    let token = t.registered("a@b.co", PASSWORD);
    assert_error(
        &t.post_as("/auth/mfa/factors", json!({"provider": "totp"}), &token),
        400,
        "invalid_data",
        "MFA encryption key is required to use MFA methods",
    );
    assert_eq!(t.login("a@b.co", PASSWORD).status, 200);
    assert_eq!(
        body(&get_as(&t, "/auth/mfa/factors", &token)),
        json!({"mfa_factors": []})
    );
}

#[test]
fn a_code_used_in_one_location_is_refused_in_another() {
    // Two Worker isolates: one KV store, one guard (the Durable Object), each its own app.
    let here = app();
    let e = enrolled(&here, "a@b.co", "cus_1");
    let there_app = edge_auth::http::App::new(
        here.app.config.clone(),
        here.store.clone(),
        here.clock.clone(),
    )
    .with_guard(here.app.guard());
    let there = TestApp::with_app(ORIGIN, there_app, here.clock.clone(), here.store.clone());
    let code = totp(&e.secret, here.clock.now_secs());
    let (a, a_pending) = challenged(&here, "a@b.co");
    let (b, b_pending) = challenged(&there, "a@b.co");
    assert_eq!(answer(&here, &a, &a_pending, "totp", &code).status, 200);
    assert_error(
        &answer(&there, &b, &b_pending, "totp", &code),
        400,
        "not_allowed",
        "Invalid MFA challenge code",
    );
}

#[test]
fn a_signed_in_session_cookie_reaches_the_mfa_routes_like_a_bearer_token() {
    let t = app();
    let e = enrolled(&t, "a@b.co", "cus_1");
    let (challenge, pending) = challenged(&t, "a@b.co");
    let code = totp(&e.secret, t.clock.now_secs());
    let full = t.token(&answer(&t, &challenge, &pending, "totp", &code));
    let opened = t.post_as("/auth/session", json!({}), &full);
    let cookie = opened
        .header("set-cookie")
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let listed = t.send("GET", "/auth/mfa/factors", &[("cookie", &cookie)], b"");
    assert_eq!(body(&listed)["mfa_factors"][0]["id"], json!(e.factor));
}

#[test]
fn the_challenge_is_answered_through_the_session_of_the_pending_token_as_the_sdk_does_in_session_mode()
 {
    let t = app();
    let e = enrolled(&t, "a@b.co", "cus_1");
    let (challenge, pending) = challenged(&t, "a@b.co");
    let opened = t.post_as("/auth/session", json!({}), &pending);
    let cookie = opened
        .header("set-cookie")
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let id = challenge["id"].as_str().unwrap();
    let code = totp(&e.secret, t.clock.now_secs());
    let passed = t.post(
        &format!("/auth/mfa/challenges/{id}/verify"),
        json!({"method": "totp", "code": code}),
        &[("cookie", &cookie)],
    );
    assert_eq!(t.claims_of(&passed).actor_id, "cus_1");
}

/// With `AUTH_VERIFICATIONS_PER_ACTOR`, an unverified identity with MFA is asked for the verification
/// first (Medusa checks it before MFA); its actor-less token counts as owing MFA, so it opens no MFA
/// route and refreshes into no challenge, but it may request the verification.
#[test]
fn an_unverified_identity_with_mfa_owes_the_verification_first_and_its_token_opens_no_mfa_route() {
    let t = app_with(&[
        ("MFA_ENCRYPTION_KEY", MFA_KEY),
        (
            "AUTH_VERIFICATIONS_PER_ACTOR",
            r#"{"customer":[{"entity_type":"email","auth_provider":"emailpass"}]}"#,
        ),
    ]);
    let e = enrolled(&t, "a@b.co", "cus_1");
    let r = t.login("a@b.co", PASSWORD);
    let b = body(&r);
    assert_eq!(b["verification_required"], json!(true), "{b}");
    assert!(b.get("mfa_required").is_none());
    let token = b["token"].as_str().unwrap();
    let claims = t.claims(token);
    assert_eq!(claims.actor_id, "");
    assert!(claims.mfa_enabled && claims.mfa_challenge_completed_at.is_none());
    assert_eq!(get_as(&t, "/auth/mfa/factors", token).status, 401);
    let disable = delete_as(&t, &format!("/auth/mfa/factors/{}", e.factor), token);
    assert_eq!(disable.status, 401);
    let refreshed = t.claims_of(&t.refresh(token));
    assert_eq!(refreshed.actor_id, "");
    assert!(refreshed.mfa_challenge.is_none());
    let requested = t.post_as(
        "/auth/verification/request",
        json!({"entity_id": "a@b.co", "entity_type": "email"}),
        token,
    );
    assert_eq!(requested.status, 201, "{:?}", requested.body_json());
}

/// The admin API's module routes, which the Medusa bridge calls: an enrolled identity's factors are
/// listed without their secrets, and its sign-in through the module route answers the identity, whose
/// MFA the bridge then finds (and opens a challenge for: below).
#[test]
fn the_admin_module_routes_show_an_enrolled_identitys_factors() {
    const ADMIN: &str = "admin-0123456789abcdef0123456789abcd";
    let t = app_with(&[("MFA_ENCRYPTION_KEY", MFA_KEY), ("ADMIN_SECRET", ADMIN)]);
    let e = enrolled(&t, "a@b.co", "cus_1");
    let bearer = format!("Bearer {ADMIN}");
    let admin = |method: &str, path: &str, body: Value| {
        let headers = [
            ("authorization", bearer.as_str()),
            ("content-type", "application/json"),
        ];
        t.send(method, path, &headers, body.to_string().as_bytes())
    };
    let signed_in = admin(
        "POST",
        "/admin/auth/emailpass/authenticate",
        json!({ "body": { "email": "a@b.co", "password": PASSWORD } }),
    );
    assert_eq!(signed_in.status, 200);
    let b = body(&signed_in);
    assert_eq!(b["success"], json!(true));
    assert_eq!(b["authIdentity"]["id"], json!(e.identity));
    assert!(b.get("mfaChallenge").is_none(), "{b}");

    let listed = body(&admin(
        "GET",
        &format!("/admin/auth-identities/{}/mfa-factors", e.identity),
        Value::Null,
    ));
    let factors = listed["mfa_factors"].as_array().unwrap();
    assert_eq!(factors.len(), 1, "{listed}");
    assert_eq!(factors[0]["id"], json!(e.factor));
    assert_eq!(factors[0]["status"], "enabled");
    assert_eq!(factors[0]["auth_identity_id"], json!(e.identity));
    assert!(!listed.to_string().contains(&e.secret));
    // Another identity's factors are not these.
    let other = t.claims(&t.registered("b@b.co", PASSWORD)).auth_identity_id;
    let none = body(&admin(
        "GET",
        &format!("/admin/auth-identities/{other}/mfa-factors"),
        Value::Null,
    ));
    assert_eq!(none, json!({ "mfa_factors": [] }));
}

const ADMIN_SECRET: &str = "admin-0123456789abcdef0123456789abcd";

/// A JSON `POST` to the admin API with the secret.
fn admin_post(t: &TestApp, path: &str, body: Value) -> HttpResponse {
    let bearer = format!("Bearer {ADMIN_SECRET}");
    let headers = [
        ("authorization", bearer.as_str()),
        ("content-type", "application/json"),
    ];
    t.send("POST", path, &headers, body.to_string().as_bytes())
}

fn ok_json(r: &HttpResponse) -> Value {
    assert_eq!(r.status, 200, "{:?}", r.body_json());
    body(r)
}

/// What a backend's `/auth/mfa/*` routes and its sign-in do through the bridge, for the identity the
/// backend names: enrol, verify, recovery codes, a challenge answered by a recovery code and then by a
/// TOTP code, another identity's factor and challenge not found, and a disabled factor opening no
/// challenge. Every answer in Medusa's module shape, under the route's `{mfa_factor}`-style key.
#[test]
fn the_admin_mfa_routes_serve_the_module_methods_for_the_named_identity() {
    let t = app_with(&[
        ("MFA_ENCRYPTION_KEY", MFA_KEY),
        ("ADMIN_SECRET", ADMIN_SECRET),
    ]);
    let id = t.claims(&t.registered("a@b.co", PASSWORD)).auth_identity_id;
    let other = t.claims(&t.registered("b@b.co", PASSWORD)).auth_identity_id;

    let started = admin_post(
        &t,
        "/admin/mfa/factors",
        json!({ "auth_identity_id": id, "provider": "totp", "label": "a@b.co" }),
    );
    assert_eq!(started.header("cache-control"), Some("no-store"));
    let started = ok_json(&started);
    let factor = started["mfa_factor"]["id"].as_str().unwrap().to_owned();
    assert_eq!(started["mfa_factor"]["status"], "pending");
    assert_eq!(started["mfa_factor"]["auth_identity_id"], json!(id));
    let secret = started["secret"].as_str().unwrap().to_owned();
    assert!(
        started["otpauth_url"]
            .as_str()
            .unwrap()
            .starts_with("otpauth://totp/")
    );
    assert_error(
        &admin_post(
            &t,
            "/admin/mfa/factors",
            json!({ "auth_identity_id": "authid_nobody", "provider": "totp" }),
        ),
        404,
        "not_found",
        "AuthIdentity with id: authid_nobody was not found",
    );

    let verify = |owner: &str, code: &str| {
        admin_post(
            &t,
            &format!("/admin/mfa/factors/{factor}/verify"),
            json!({ "auth_identity_id": owner, "code": code }),
        )
    };
    let now = t.clock.now_secs();
    let not_found = edge_auth::contract::mfa_factor_not_found(&factor);
    assert_error(
        &verify(&other, &totp(&secret, now)),
        404,
        "not_found",
        &not_found,
    );
    assert_error(
        &verify(&id, "000000"),
        400,
        "not_allowed",
        edge_auth::contract::MFA_INVALID_TOTP,
    );
    assert_eq!(
        ok_json(&verify(&id, &totp(&secret, now)))["mfa_factor"]["status"],
        "enabled"
    );

    let codes = admin_post(
        &t,
        "/admin/mfa/recovery-codes",
        json!({ "auth_identity_id": id, "count": 3 }),
    );
    assert_eq!(codes.header("cache-control"), Some("no-store"));
    let codes = ok_json(&codes)["recovery_codes"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(codes.len(), 3);

    // authenticate through the bridge: the factor is enabled, so a challenge is opened.
    let open = || {
        let r = admin_post(
            &t,
            "/admin/mfa/challenges",
            json!({ "auth_identity_id": id, "auth_provider": "emailpass" }),
        );
        ok_json(&r)["mfa_challenge"].clone()
    };
    let challenge = open();
    let challenge_id = challenge["id"].as_str().unwrap().to_owned();
    assert_eq!(challenge["auth_identity_id"], json!(id));
    assert_eq!(challenge["auth_provider"], "emailpass");
    assert_eq!(challenge["methods"], json!(["totp", "recovery_code"]));
    assert_eq!(challenge["attempts"], json!(0));
    assert_eq!(challenge["completed_at"], Value::Null);
    let answer = |challenge_id: &str, owner: &str, method: &str, code: &str| {
        admin_post(
            &t,
            &format!("/admin/mfa/challenges/{challenge_id}/verify"),
            json!({ "auth_identity_id": owner, "method": method, "code": code }),
        )
    };
    let code = codes[0].as_str().unwrap();
    assert_error(
        &answer(&challenge_id, &other, "recovery_code", code),
        404,
        "not_found",
        &edge_auth::contract::mfa_challenge_not_found(&challenge_id),
    );
    let done = ok_json(&answer(&challenge_id, &id, "recovery_code", code))["mfa_challenge"].clone();
    assert_eq!(done["id"], json!(challenge_id));
    assert!(done["completed_at"].is_string(), "{done}");
    assert_error(
        &answer(
            &challenge_id,
            &id,
            "recovery_code",
            codes[1].as_str().unwrap(),
        ),
        400,
        "not_allowed",
        edge_auth::contract::MFA_CHALLENGE_COMPLETED,
    );
    // A new challenge, answered by the next TOTP code (the enrolment's is spent).
    t.clock.advance_secs(30);
    let next = open()["id"].as_str().unwrap().to_owned();
    let code = totp(&secret, t.clock.now_secs());
    assert!(
        ok_json(&answer(&next, &id, "totp", &code))["mfa_challenge"]["completed_at"].is_string()
    );

    let disabled = admin_post(
        &t,
        &format!("/admin/mfa/factors/{factor}/disable"),
        json!({ "auth_identity_id": id }),
    );
    assert_eq!(ok_json(&disabled)["mfa_factor"]["status"], "disabled");
    assert_error(
        &admin_post(
            &t,
            "/admin/mfa/challenges",
            json!({ "auth_identity_id": id }),
        ),
        400,
        "not_allowed",
        edge_auth::contract::MFA_NO_ENABLED_METHODS,
    );
}

#[test]
fn the_admin_mfa_routes_need_the_secret_and_refuse_bad_input() {
    let t = app_with(&[
        ("MFA_ENCRYPTION_KEY", MFA_KEY),
        ("ADMIN_SECRET", ADMIN_SECRET),
    ]);
    let id = t.claims(&t.registered("a@b.co", PASSWORD)).auth_identity_id;
    let refused = t.post(
        "/admin/mfa/factors",
        json!({ "auth_identity_id": id, "provider": "totp" }),
        &[("authorization", "Bearer wrong")],
    );
    assert_error(&refused, 401, "unauthorized", "Unauthorized");
    for (path, input, message) in [
        (
            "/admin/mfa/factors",
            json!({ "provider": "totp" }),
            "Invalid request: Field 'auth_identity_id' is required",
        ),
        (
            "/admin/mfa/factors",
            json!({ "auth_identity_id": id, "provider": "totp", "metadata": [] }),
            "Invalid request: Expected type: 'object' for field 'metadata', got: 'array'",
        ),
        (
            "/admin/mfa/recovery-codes",
            json!({ "auth_identity_id": id, "count": "3" }),
            "Invalid request: Expected type: 'number' for field 'count', got: 'string'",
        ),
        (
            "/admin/mfa/challenges/authmfachal_1/verify",
            json!({ "method": "totp" }),
            "Invalid request: Field 'code' is required",
        ),
        (
            "/admin/mfa/challenges",
            json!({ "auth_identity_id": 7 }),
            "Invalid request: Expected type: 'string' for field 'auth_identity_id', got: 'number'",
        ),
    ] {
        assert_error(&admin_post(&t, path, input), 400, "invalid_data", message);
    }
    let unknown = admin_post(&t, "/admin/mfa/nope", json!({}));
    assert_error(
        &unknown,
        404,
        "not_found",
        "Route not found: POST /admin/mfa/nope",
    );
    let bearer = format!("Bearer {ADMIN_SECRET}");
    let get = t.send(
        "GET",
        "/admin/mfa/factors",
        &[("authorization", &bearer)],
        b"",
    );
    assert_eq!(get.status, 405);
    // Without MFA_ENCRYPTION_KEY, Medusa's message.
    let keyless = app_with(&[("ADMIN_SECRET", ADMIN_SECRET)]);
    let id = keyless
        .claims(&keyless.registered("a@b.co", PASSWORD))
        .auth_identity_id;
    let r = admin_post(
        &keyless,
        "/admin/mfa/factors",
        json!({ "auth_identity_id": id, "provider": "totp" }),
    );
    assert_eq!(r.status, 400, "{:?}", r.body_json());
    assert!(
        body(&r)["message"]
            .as_str()
            .unwrap()
            .contains("encryption key")
    );
}

/// An actor-less token that owed only the verification when it was issued, refreshed after the identity
/// enabled a factor: still owing the verification, it now owes MFA too (its `mfa_enabled` turns true),
/// so finishing the verification later cannot skip the challenge.
#[test]
fn an_unverified_token_refreshed_after_enrolment_owes_mfa_as_well() {
    let t = app_with(&[
        ("MFA_ENCRYPTION_KEY", MFA_KEY),
        (
            "AUTH_VERIFICATIONS_PER_ACTOR",
            r#"{"customer":[{"entity_type":"email","auth_provider":"emailpass"}]}"#,
        ),
    ]);
    let registered = t.registered("a@b.co", PASSWORD);
    let signed_in = body(&t.login("a@b.co", PASSWORD));
    assert_eq!(
        signed_in["verification_required"],
        json!(true),
        "{signed_in}"
    );
    let unverified = signed_in["token"].as_str().unwrap().to_owned();
    assert!(!t.claims(&unverified).mfa_enabled);
    // The registration's token enrols the factor (Medusa's register owes no verification).
    let started = body(&t.post_as(
        "/auth/mfa/factors",
        json!({"provider": "totp"}),
        &registered,
    ));
    let secret = started["secret"].as_str().unwrap();
    let id = started["mfa_factor"]["id"].as_str().unwrap();
    let verified = t.post_as(
        &format!("/auth/mfa/factors/{id}/verify"),
        json!({ "code": totp(secret, t.clock.now_secs()) }),
        &registered,
    );
    assert_eq!(verified.status, 200, "{:?}", verified.body_json());
    let refreshed = t.claims_of(&t.refresh(&unverified));
    assert_eq!(
        (refreshed.actor_id.as_str(), refreshed.mfa_enabled),
        ("", true)
    );
    assert_eq!(refreshed.mfa_challenge_completed_at, None);
}

/// A pending token refreshes into one with the same challenge while it lives (up to its last second),
/// and into a new challenge from the second it expires, when answering it is refused too.
#[test]
fn a_pending_token_keeps_its_challenge_until_the_second_it_expires() {
    let t = app();
    enrolled(&t, "a@b.co", "cus_1");
    let (challenge, pending) = challenged(&t, "a@b.co");
    let id = challenge["id"].as_str().unwrap();
    let refreshed_challenge = |t: &TestApp| {
        let claims = t.claims_of(&t.refresh(&pending));
        assert_eq!((claims.actor_id.as_str(), claims.mfa_enabled), ("", true));
        claims.mfa_challenge.unwrap()
    };
    assert!(refreshed_challenge(&t).starts_with(id));
    t.clock.advance_secs(299);
    assert!(refreshed_challenge(&t).starts_with(id));
    t.clock.advance_secs(1);
    let fresh = refreshed_challenge(&t);
    assert!(
        fresh.starts_with("authmfachal_") && !fresh.starts_with(id),
        "{fresh}"
    );
}

/// Tokens past MFA keep their state when refreshed, as Medusa regenerates them: one with an actor issued
/// before the factor was enabled, and one without an actor that answered its challenge.
#[test]
fn tokens_with_an_actor_or_past_their_challenge_refresh_as_they_were() {
    let t = app();
    let e = enrolled(&t, "a@b.co", "cus_1");
    let before = t.claims(&e.token);
    assert_eq!(
        (before.actor_id.as_str(), before.mfa_enabled),
        ("cus_1", false)
    );
    let refreshed = t.claims_of(&t.refresh(&e.token));
    assert_eq!(
        (refreshed.actor_id.as_str(), refreshed.mfa_enabled),
        ("cus_1", false)
    );
    assert_eq!(refreshed.mfa_challenge, None);

    // No actor yet: register, enrol with the registration's token, sign in, answer the challenge.
    let registered = t.registered("c@d.co", PASSWORD);
    let started = body(&t.post_as(
        "/auth/mfa/factors",
        json!({"provider": "totp"}),
        &registered,
    ));
    let secret = started["secret"].as_str().unwrap().to_owned();
    let factor = started["mfa_factor"]["id"].as_str().unwrap();
    let code = totp(&secret, t.clock.now_secs());
    let verify = format!("/auth/mfa/factors/{factor}/verify");
    assert_eq!(
        t.post_as(&verify, json!({ "code": code }), &registered)
            .status,
        200
    );
    t.clock.advance_secs(30);
    let (challenge, pending) = challenged(&t, "c@d.co");
    let code = totp(&secret, t.clock.now_secs());
    let passed = t.token(&answer(&t, &challenge, &pending, "totp", &code));
    let claims = t.claims(&passed);
    assert_eq!((claims.actor_id.as_str(), claims.mfa_enabled), ("", true));
    let completed = claims.mfa_challenge_completed_at;
    assert!(completed.is_some());
    let refreshed = t.claims_of(&t.refresh(&passed));
    assert_eq!(
        (refreshed.actor_id.as_str(), refreshed.mfa_enabled),
        ("", true)
    );
    assert_eq!(
        (
            refreshed.mfa_challenge,
            refreshed.mfa_challenge_completed_at
        ),
        (None, completed)
    );
}

/// `createAuthMfaChallenge` (the npm package's method) retrieves the identity first, as Medusa's module
/// does: an unknown id is not found, not "no enabled methods"; a known one without a factor is the latter.
#[test]
fn a_challenge_is_opened_only_for_an_identity_that_exists_and_has_a_factor() {
    use edge_auth::mfa::MfaError;
    let t = app();
    let mfa = t.app.account.mfa();
    let unknown = block_on(mfa.create_challenge("authid_missing", None, Value::Null)).unwrap_err();
    assert!(
        matches!(&unknown, MfaError::NotFound(m) if m.contains("authid_missing")),
        "{unknown:?}"
    );

    let plain = t.claims(&t.registered("a@b.co", PASSWORD)).auth_identity_id;
    let no_factor = block_on(mfa.create_challenge(&plain, None, Value::Null)).unwrap_err();
    assert_eq!(
        no_factor.to_string(),
        "Auth identity does not have any enabled MFA methods"
    );

    let e = enrolled(&t, "c@d.co", "cus_1");
    let challenge = block_on(mfa.create_challenge(&e.identity, Some("emailpass"), Value::Null));
    assert_eq!(
        challenge.unwrap().to_json()["auth_identity_id"],
        json!(e.identity)
    );
}

/// `listAuthMfa({auth_identity_id, status})` (the npm package's) keeps the factors of that status only.
#[test]
fn factors_listed_by_status_are_those_of_that_status() {
    use edge_auth::mfa::FactorStatus;
    let t = app();
    let e = enrolled(&t, "a@b.co", "cus_1");
    let mfa = t.app.account.mfa();
    let ids = |status| {
        block_on(mfa.list(&e.identity, status))
            .unwrap()
            .into_iter()
            .map(|f| f.id)
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(None), [e.factor.as_str()]);
    assert_eq!(ids(Some(FactorStatus::Enabled)), [e.factor.as_str()]);
    assert!(ids(Some(FactorStatus::Pending)).is_empty());
    assert!(ids(Some(FactorStatus::Disabled)).is_empty());
}

/// `useAuthMfaRecoveryCode` (the npm package's) spends a code once; a spent or unknown code is refused
/// with Medusa's message.
#[test]
fn a_recovery_code_is_used_once_through_the_module_method() {
    let t = app();
    let e = enrolled(&t, "a@b.co", "cus_1");
    let made = body(&t.post_as("/auth/mfa/recovery-codes", json!({"count": 2}), &e.token));
    let code = made["recovery_codes"][0].as_str().unwrap();
    let mfa = t.app.account.mfa();
    block_on(mfa.use_recovery_code(&e.identity, code)).unwrap();
    for refused in [code, "0000-0000-0000-0000-0000-0000-0000-0000"] {
        let err = block_on(mfa.use_recovery_code(&e.identity, refused)).unwrap_err();
        assert_eq!(err.to_string(), "Recovery code is invalid or already used");
    }
}

/// A challenge opened by `createAuthMfaChallenge` (stored, unlike a sign-in's) is kept a minute past its
/// five minutes, so a late answer hears "expired" rather than "not found"; after that it is gone.
#[test]
fn a_stored_challenge_answered_late_is_expired_for_a_minute_then_not_found() {
    let t = app();
    let e = enrolled(&t, "a@b.co", "cus_1");
    let mfa = t.app.account.mfa();
    let id = block_on(mfa.create_challenge(&e.identity, None, Value::Null))
        .unwrap()
        .id;
    t.clock.advance_secs(300 + 50);
    let late = block_on(mfa.verify_challenge(&id, "totp", "000000", Some(&e.identity)));
    assert_eq!(late.unwrap_err().to_string(), "MFA challenge has expired");
    t.clock.advance_secs(20);
    let gone = block_on(mfa.verify_challenge(&id, "totp", "000000", Some(&e.identity)));
    assert_eq!(
        gone.unwrap_err().to_string(),
        format!("MFA challenge with id \"{id}\" was not found")
    );
}

/// `verifyAuthMfaChallenge` with an `auth_identity_id` answers only that identity's stored challenge:
/// another identity's is "not found", like a missing one.
#[test]
fn a_stored_challenge_is_answered_only_for_its_own_identity() {
    let t = app();
    let a = enrolled(&t, "a@b.co", "cus_1");
    let b = enrolled(&t, "c@d.co", "cus_2");
    let mfa = t.app.account.mfa();
    let id = block_on(mfa.create_challenge(&a.identity, None, Value::Null))
        .unwrap()
        .id;
    let code = totp(&a.secret, t.clock.now_secs());
    let as_b = block_on(mfa.verify_challenge(&id, "totp", &code, Some(&b.identity)));
    assert_eq!(
        as_b.unwrap_err().to_string(),
        format!("MFA challenge with id \"{id}\" was not found")
    );
    let wrong = block_on(mfa.verify_challenge(&id, "totp", "000000", Some(&a.identity)));
    assert_eq!(wrong.unwrap_err().to_string(), "Invalid MFA challenge code");
    let as_a = block_on(mfa.verify_challenge(&id, "totp", &code, Some(&a.identity))).unwrap();
    let shown = as_a.to_json();
    assert_eq!(shown["auth_identity_id"], json!(a.identity));
    // The refusal for b counted nothing; the wrong code and the answer did.
    assert_eq!(
        (&shown["attempts"], &shown["max_attempts"]),
        (&json!(2), &json!(5))
    );
}
