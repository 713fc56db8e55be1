//! Google: Medusa's provider tests (auth-google `services.spec.ts`), ported, plus ours.

use crate::*;
use edge_auth::contract;
use edge_auth::ports::http::HttpError;
use edge_auth::store::keys::OAUTH_STATE_TTL_SECS;

const TOKEN: &str = "https://oauth2.googleapis.com/token";
const CERTS: &str = "https://www.googleapis.com/oauth2/v3/certs";

fn google_claims(nonce: &str) -> Value {
    json!({
        "iss": "https://accounts.google.com", "aud": "test", "azp": "test", "sub": "10769150350006150715113082367",
        "email": "test@admin.com", "email_verified": true, "name": "Test Admin", "picture": "https://lh3.example/p.jpg",
        "given_name": "Test", "family_name": "Admin", "nonce": nonce, "iat": NOW, "exp": NOW + 3600,
    })
}

/// Starts a flow and makes Google answer the code `valid-code` with an id_token of `claims(nonce)`.
fn google_answers(w: &World, claims: impl Fn(&str) -> Value) -> Started {
    let s = w.start("google");
    w.idp.json(CERTS, 200, jwks(&[&key("rsa")]));
    let token = id_token(&claims(s.nonce.as_deref().unwrap()), &key("rsa"));
    w.token_endpoint(
        TOKEN,
        "valid-code",
        &s.challenge,
        json!({"access_token": "ya29.x", "id_token": token, "expires_in": 3599, "token_type": "Bearer"}),
    );
    s
}

#[test]
fn register_is_not_supported() {
    let r = world(&[]).register_with("google");
    assert_eq!(
        r.error.as_deref(),
        Some("Google does not support registration. Use method `authenticate` instead.")
    );
}

#[test]
fn authenticate_returns_medusas_url_with_state_pkce_and_nonce() {
    let w = world(&[]);
    let s = w.start("google");
    let prefix = "https://accounts.google.com/o/oauth2/v2/auth?redirect_uri=https%3A%2F%2Fsomeurl.com%2Fauth%2Fgoogle%2Fcallback&client_id=test&response_type=code&scope=email+profile+openid&state=";
    assert!(s.location.starts_with(prefix), "{}", s.location);
    assert!(edge_auth::oauth::state::is_well_formed(&s.state));
    let rest = &s.location[prefix.len() + 64..];
    assert!(
        rest.starts_with(&format!(
            "&code_challenge={}&code_challenge_method=S256&nonce=",
            s.challenge
        )),
        "{rest}"
    );
    assert_eq!(s.challenge.len(), 43);
    assert_eq!(s.nonce.as_ref().map(String::len), Some(43));
    assert_eq!(w.state_keys(), [format!("state:{}", s.state)]);
    // The verifier stays on the server: only its challenge left.
    let stored = &w.store.dump()[0].1;
    assert!(stored.contains("pkce_verifier") && !s.location.contains("verifier"));
}

#[test]
fn each_start_has_its_own_state() {
    let w = world(&[]);
    let (a, b) = (w.start("google"), w.start("google"));
    assert_ne!(a.state, b.state);
    assert_ne!(a.challenge, b.challenge);
    assert_ne!(a.nonce, b.nonce);
}

#[test]
fn a_provider_error_is_reported_in_medusas_words() {
    let w = world(&[]);
    let input = query_input(&[
        ("error", "access_denied"),
        ("error_description", "The user denied access"),
        ("error_uri", "https://developers.google.com/identity"),
    ]);
    let expected = "The user denied access, read more at: https://developers.google.com/identity";
    assert_eq!(
        w.authenticate("google", input.clone()).error.as_deref(),
        Some(expected)
    );
    assert_eq!(w.callback("google", input).error.as_deref(), Some(expected));
}

#[test]
fn callback_without_a_code_is_refused() {
    let w = world(&[]);
    let s = w.start("google");
    let r = w.callback("google", query_input(&[("state", &s.state)]));
    assert_eq!(
        r,
        AuthenticationResponse::failed(contract::NO_CODE_PROVIDED)
    );
}

#[test]
fn callback_without_a_known_state_is_refused() {
    let w = world(&[]);
    w.start("google");
    for state in [None, Some("nope"), Some(&*"0".repeat(64))] {
        let mut q = vec![("code", "valid-code")];
        if let Some(s) = state {
            q.push(("state", s));
        }
        let r = w.callback("google", query_input(&q));
        assert_eq!(
            r.error.as_deref(),
            Some(contract::NO_STATE_OR_EXPIRED),
            "{state:?}"
        );
    }
    assert!(
        w.idp.requests_to(TOKEN).is_empty(),
        "nothing is exchanged without a state"
    );
}

#[test]
fn a_failed_code_exchange_is_could_not_exchange_token() {
    let w = world(&[]);
    let s = w.start("google");
    w.idp.json(TOKEN, 401, json!({"error": "invalid_client"}));
    let r = w.code_callback("google", "invalid-code", &s.state);
    assert_eq!(
        r.error.as_deref(),
        Some("Could not exchange token, 401, Unauthorized")
    );
}

#[test]
fn a_redirect_from_the_token_endpoint_is_not_followed() {
    let w = world(&[]);
    let s = w.start("google");
    w.idp.on(TOKEN, |_| {
        let mut r = json_response(302, &json!({}));
        r.headers
            .push(("location".into(), "https://evil.example/steal".into()));
        Ok(r)
    });
    let r = w.code_callback("google", "valid-code", &s.state);
    assert_eq!(
        r.error.as_deref(),
        Some("Could not exchange token, 302, Found")
    );
}

#[test]
fn a_timeout_is_a_clear_failure() {
    let w = world(&[]);
    let s = w.start("google");
    w.idp.on(TOKEN, |_| {
        Err(HttpError::Timeout {
            host: "oauth2.googleapis.com".into(),
            after_ms: 10_000,
        })
    });
    let r = w.code_callback("google", "valid-code", &s.state);
    assert_eq!(
        r,
        AuthenticationResponse::failed("Request to oauth2.googleapis.com timed out after 10000 ms")
    );
}

#[test]
fn a_new_user_is_created_with_sub_as_entity_id() {
    let w = world(&[]);
    let s = google_answers(&w, google_claims);
    let pi = assert_signed_in(
        w.code_callback("google", "valid-code", &s.state),
        "google",
        "10769150350006150715113082367",
        json!({"email": "test@admin.com", "name": "Test Admin", "picture": "https://lh3.example/p.jpg",
               "given_name": "Test", "family_name": "Admin"}),
    );
    assert_eq!(pi.provider_metadata, None);
}

#[test]
fn the_token_request_is_a_form_post_with_pkce_and_no_secret_in_the_url() {
    let w = world(&[]);
    let s = google_answers(&w, google_claims);
    assert!(w.code_callback("google", "valid-code", &s.state).success);
    let seen = &w.idp.requests_to(TOKEN)[0];
    assert_eq!(seen.method, "POST");
    assert_eq!(seen.url, TOKEN, "no query string");
    assert_eq!(
        seen.headers.get("content-type").map(String::as_str),
        Some("application/x-www-form-urlencoded")
    );
    let form = seen.form();
    assert_eq!(form["grant_type"], "authorization_code");
    assert_eq!(form["redirect_uri"], GOOGLE_CALLBACK);
    assert_eq!(form["client_id"], "test");
    assert_eq!(form["client_secret"], "test-secret");
    assert_eq!(form["code_verifier"].len(), 43);
}

#[test]
fn an_existing_user_is_returned_unchanged() {
    let w = world(&[]);
    let s = google_answers(&w, google_claims);
    let first = w
        .code_callback("google", "valid-code", &s.state)
        .auth_identity
        .unwrap();
    let s = google_answers(&w, |n| {
        overridden(google_claims(n), json!({"name": "Renamed"}))
    });
    let again = w
        .code_callback("google", "valid-code", &s.state)
        .auth_identity
        .unwrap();
    assert_eq!(again, first);
}

#[test]
fn a_replayed_state_is_refused() {
    let w = world(&[]);
    let s = google_answers(&w, google_claims);
    assert!(w.code_callback("google", "valid-code", &s.state).success);
    let replay = w.code_callback("google", "valid-code", &s.state);
    assert_eq!(replay.error.as_deref(), Some(contract::NO_STATE_OR_EXPIRED));
    assert_eq!(w.idp.requests_to(TOKEN).len(), 1);
    assert!(w.state_keys().is_empty());
}

#[test]
fn a_failed_callback_still_consumes_the_state() {
    let w = world(&[]);
    let s = w.start("google");
    w.idp.json(TOKEN, 400, json!({"error": "invalid_grant"}));
    assert!(!w.code_callback("google", "tampered", &s.state).success);
    let again = w.code_callback("google", "valid-code", &s.state);
    assert_eq!(again.error.as_deref(), Some(contract::NO_STATE_OR_EXPIRED));
}

#[test]
fn a_state_expires_after_ten_minutes() {
    let w = world(&[]);
    let s = google_answers(&w, google_claims);
    w.clock.advance_secs(OAUTH_STATE_TTL_SECS);
    let r = w.code_callback("google", "valid-code", &s.state);
    assert_eq!(r.error.as_deref(), Some(contract::NO_STATE_OR_EXPIRED));
}

#[test]
fn another_providers_state_is_refused() {
    let w = world(&[]);
    let github = w.start("github");
    let r = w.code_callback("google", "valid-code", &github.state);
    assert_eq!(r.error.as_deref(), Some(contract::NO_STATE_OR_EXPIRED));
}

#[test]
fn an_unverified_email_is_refused() {
    let w = world(&[]);
    let s = google_answers(&w, |n| {
        overridden(google_claims(n), json!({"email_verified": false}))
    });
    let r = w.code_callback("google", "valid-code", &s.state);
    assert_eq!(r.error.as_deref(), Some(contract::EMAIL_NOT_VERIFIED));
}

#[test]
fn a_missing_id_token_is_refused() {
    let w = world(&[]);
    let r = w.sign_in("google", TOKEN, |_| json!({"access_token": "ya29.x"}));
    assert_eq!(r.error.as_deref(), Some(contract::NO_ID_TOKEN));
}

#[test]
fn a_forged_id_token_is_refused() {
    let w = world(&[]);
    let s = w.start("google");
    w.idp.json(CERTS, 200, jwks(&[&key("rsa")]));
    let forged = jws(
        &json!({"alg": "RS256", "kid": "test-rsa"}),
        &google_claims(s.nonce.as_deref().unwrap()),
        &key("rogue_rsa"),
    );
    w.token_endpoint(
        TOKEN,
        "valid-code",
        &s.challenge,
        json!({"id_token": forged}),
    );
    let r = w.code_callback("google", "valid-code", &s.state);
    assert_eq!(
        r.error.as_deref(),
        Some("Could not verify Google id_token: invalid signature")
    );
}

#[test]
fn an_id_token_for_another_flow_is_refused_by_its_nonce() {
    let w = world(&[]);
    let s = google_answers(&w, |_| google_claims("nonce-of-another-flow"));
    let r = w.code_callback("google", "valid-code", &s.state);
    assert_eq!(
        r.error.as_deref(),
        Some("Could not verify Google id_token: nonce mismatch")
    );
}

#[test]
fn both_spellings_of_googles_issuer_are_accepted() {
    let w = world(&[]);
    let s = google_answers(&w, |n| {
        overridden(google_claims(n), json!({"iss": "accounts.google.com"}))
    });
    assert!(w.code_callback("google", "valid-code", &s.state).success);
}

#[test]
fn an_allow_listed_callback_url_overrides_the_configured_one() {
    let w = world(&[]);
    let mut input = AuthenticationInput::default();
    input.body.insert(
        "callback_url".into(),
        json!("https://shop.example/alt-callback"),
    );
    let s = started(&w.authenticate("google", input));
    assert_eq!(
        query_of(&s.location)["redirect_uri"],
        "https://shop.example/alt-callback"
    );
    w.idp.json(CERTS, 200, jwks(&[&key("rsa")]));
    let token = id_token(&google_claims(s.nonce.as_deref().unwrap()), &key("rsa"));
    w.token_endpoint(
        TOKEN,
        "valid-code",
        &s.challenge,
        json!({"id_token": token}),
    );
    assert!(w.code_callback("google", "valid-code", &s.state).success);
    assert_eq!(
        w.idp.requests_to(TOKEN)[0].form()["redirect_uri"],
        "https://shop.example/alt-callback"
    );
}

#[test]
fn a_callback_url_not_in_the_allow_list_is_refused() {
    let w = world(&[]);
    for bad in [
        "https://evil.example/cb",
        "https://shop.example/alt-callback/../evil",
        "javascript:alert(1)",
    ] {
        let mut input = AuthenticationInput::default();
        input.body.insert("callback_url".into(), json!(bad));
        let r = w.authenticate("google", input);
        assert!(!r.success && r.location.is_none(), "{bad}");
    }
    assert!(w.state_keys().is_empty());
}

#[test]
fn validate_options_messages_name_the_missing_option() {
    for (missing, message) in [
        ("GOOGLE_CLIENT_ID", "Google clientId is required"),
        ("GOOGLE_CLIENT_SECRET", "Google clientSecret is required"),
        ("GOOGLE_CALLBACK_URL", "Google callbackUrl is required"),
        ("GITHUB_CALLBACK_URL", "Github callbackUrl is required"),
    ] {
        let vars: Vec<(&str, &str)> = [
            ("JWT_SECRET", SECRET),
            ("GOOGLE_CLIENT_ID", "test"),
            ("GOOGLE_CLIENT_SECRET", "s"),
            ("GOOGLE_CALLBACK_URL", GOOGLE_CALLBACK),
            ("GITHUB_CLIENT_ID", "test"),
            ("GITHUB_CLIENT_SECRET", "s"),
            ("GITHUB_CALLBACK_URL", GITHUB_CALLBACK),
        ]
        .into_iter()
        .filter(|(k, _)| *k != missing)
        .collect();
        let e = Config::from_vars(lookup(&vars)).unwrap_err();
        assert_eq!(e.var, missing);
        assert_eq!(e.message, message);
    }
}

#[test]
fn a_callback_of_an_identity_with_mfa_answers_a_challenge_and_an_actor_less_token() {
    use edge_auth::mfa::totp;
    let w = world(&[("MFA_ENCRYPTION_KEY", "mfa-key-0123456789abcdef0123456789")]);
    let callback = |state: &str| {
        let path = format!("/auth/customer/google/callback?code=valid-code&state={state}");
        w.send("GET", &path, &[], b"")
    };
    let s = google_answers(&w, google_claims);
    let token = w.token(&callback(&s.state));
    let started = w.post_as("/auth/mfa/factors", json!({"provider": "totp"}), &token);
    let started = started.body_json().unwrap();
    let secret = totp::base32_decode(started["secret"].as_str().unwrap()).unwrap();
    let id = started["mfa_factor"]["id"].as_str().unwrap();
    let code = totp::code_at(&secret, totp::step(NOW), 6);
    let verify = format!("/auth/mfa/factors/{id}/verify");
    assert_eq!(
        w.post_as(&verify, json!({ "code": code }), &token).status,
        200
    );

    let s = google_answers(&w, google_claims);
    let answer = callback(&s.state);
    let body = answer.body_json().unwrap();
    assert_eq!(body["mfa_required"], json!(true), "{body}");
    assert_eq!(body["mfa_challenge"]["auth_provider"], "google");
    let pending = w.claims(body["token"].as_str().unwrap());
    assert_eq!((pending.actor_id.as_str(), pending.mfa_enabled), ("", true));
    // The next step's code passes the challenge; the token names the identity Google signed in.
    let next = totp::code_at(&secret, totp::step(NOW) + 1, 6);
    let path = format!(
        "/auth/mfa/challenges/{}/verify",
        body["mfa_challenge"]["id"].as_str().unwrap()
    );
    let passed = w.post_as(
        &path,
        json!({"method": "totp", "code": next}),
        body["token"].as_str().unwrap(),
    );
    let full = w.claims_of(&passed);
    assert_eq!(full.auth_identity_id, pending.auth_identity_id);
    assert!(full.mfa_challenge_completed_at.is_some());
}
