//! GitHub: Medusa's provider tests (auth-github `services.spec.ts`), ported, plus ours.

use crate::*;
use edge_auth::contract;
use edge_auth::oauth::profile::iso8601_utc;

const TOKEN: &str = "https://github.com/login/oauth/access_token";
const USER: &str = "https://api.github.com/user";
const EMAILS: &str = "https://api.github.com/user/emails";

fn user(name: &str) -> Value {
    json!({
        "id": 583231, "login": "octocat", "url": "https://api.github.com/users/octocat",
        "avatar_url": "https://avatars.githubusercontent.com/u/583231", "email": "unverified@public.example",
        "name": name, "company": "@github", "two_factor_authentication": true,
    })
}

fn emails() -> Value {
    json!([
        {"email": "old@octo.example", "primary": false, "verified": true},
        {"email": "octocat@github.example", "primary": true, "verified": true},
    ])
}

/// Starts a flow; GitHub answers code `valid-code` with `token_body`, and the API with `user`/`emails`.
fn github_answers(w: &World, token_body: Value, user: Value, emails: Value) -> Started {
    let s = w.start("github");
    w.token_endpoint(TOKEN, "valid-code", &s.challenge, token_body);
    w.idp.on(USER, move |seen| {
        let authorized =
            seen.headers.get("authorization").map(String::as_str) == Some("Bearer gho_abc");
        let has_agent = seen.headers.contains_key("user-agent");
        Ok(json_response(
            if authorized && has_agent { 200 } else { 401 },
            &user,
        ))
    });
    w.idp.json(EMAILS, 200, emails);
    s
}

#[test]
fn register_is_not_supported() {
    let r = world(&[]).register_with("github");
    assert_eq!(
        r.error.as_deref(),
        Some("Github does not support registration. Use method `authenticate` instead.")
    );
}

#[test]
fn authenticate_returns_medusas_url_with_state_and_pkce_but_no_nonce() {
    let w = world(&[]);
    let s = w.start("github");
    let prefix = "https://github.com/login/oauth/authorize?redirect_uri=https%3A%2F%2Fsomeurl.com%2Fauth%2Fgithub%2Fcallback&client_id=gh-client&response_type=code&scope=user%3Aemail&state=";
    assert!(s.location.starts_with(prefix), "{}", s.location);
    assert!(s.location.ends_with(&format!(
        "&code_challenge={}&code_challenge_method=S256",
        s.challenge
    )));
    assert_eq!(s.nonce, None);
}

#[test]
fn callback_without_a_code_is_refused() {
    let w = world(&[]);
    let r = w.callback("github", query_input(&[]));
    assert_eq!(r.error.as_deref(), Some(contract::NO_CODE_PROVIDED));
}

#[test]
fn a_failed_code_exchange_is_could_not_exchange_token() {
    let w = world(&[]);
    let s = w.start("github");
    w.idp.json(TOKEN, 401, json!({}));
    let r = w.code_callback("github", "invalid-code", &s.state);
    assert_eq!(
        r.error.as_deref(),
        Some("Could not exchange token, 401, Unauthorized")
    );
}

#[test]
fn githubs_200_error_answers_are_reported_in_medusas_words() {
    let w = world(&[]);
    let s = w.start("github");
    w.idp.json(
        TOKEN,
        200,
        json!({"error": "bad_verification_code", "error_description": "The code passed is incorrect or expired.",
               "error_uri": "https://docs.github.com/apps/oauth"}),
    );
    let r = w.code_callback("github", "stale", &s.state);
    assert_eq!(
        r.error.as_deref(),
        Some(
            "The code passed is incorrect or expired., read more at: https://docs.github.com/apps/oauth"
        )
    );
}

#[test]
fn a_new_user_is_created_with_the_numeric_id_and_the_verified_primary_email() {
    let w = world(&[]);
    let s = github_answers(
        &w,
        json!({"access_token": "gho_abc", "token_type": "bearer", "scope": "user:email"}),
        user("The Octocat"),
        emails(),
    );
    let pi = assert_signed_in(
        w.code_callback("github", "valid-code", &s.state),
        "github",
        "583231",
        json!({"profile_url": "https://api.github.com/users/octocat",
               "avatar": "https://avatars.githubusercontent.com/u/583231",
               "email": "octocat@github.example", "name": "The Octocat", "company": "@github",
               "two_factor_authentication": true}),
    );
    // Tokens without an expiry (OAuth apps) get no dates, rather than Medusa's "Invalid time value".
    assert_eq!(
        Value::Object(pi.provider_metadata.clone().unwrap()),
        json!({"access_token": "gho_abc"})
    );
    let user_call = &w.idp.requests_to(USER)[0];
    assert_eq!(user_call.headers["user-agent"], "edge-auth");
    assert_eq!(user_call.headers["accept"], "application/vnd.github+json");
}

#[test]
fn an_existing_user_is_updated_on_every_login() {
    let w = world(&[]);
    let s = github_answers(
        &w,
        json!({"access_token": "gho_abc"}),
        user("Old Name"),
        emails(),
    );
    let first = w
        .code_callback("github", "valid-code", &s.state)
        .auth_identity
        .unwrap();
    let s = github_answers(
        &w,
        json!({"access_token": "gho_abc", "refresh_token": "ghr_def", "expires_in": 28800,
               "refresh_token_expires_in": "15811200"}),
        user("New Name"),
        emails(),
    );
    let again = w
        .code_callback("github", "valid-code", &s.state)
        .auth_identity
        .unwrap();
    assert_eq!(again.id, first.id);
    let pi = &again.provider_identities[0];
    assert_eq!(pi.user_metadata.as_ref().unwrap()["name"], "New Name");
    assert_eq!(
        Value::Object(pi.provider_metadata.clone().unwrap()),
        json!({"access_token": "gho_abc", "refresh_token": "ghr_def",
               "access_token_expires_at": "2027-01-15T16:00:00.000Z",
               "refresh_token_expires_at": "2027-07-17T08:00:00.000Z"})
    );
}

#[test]
fn an_unverified_or_unavailable_email_is_left_out() {
    let w = world(&[]);
    let s = github_answers(
        &w,
        json!({"access_token": "gho_abc"}),
        user("x"),
        json!([{"email": "x@y.example", "primary": true, "verified": false}]),
    );
    let r = w.code_callback("github", "valid-code", &s.state);
    assert_eq!(
        r.auth_identity.unwrap().provider_identities[0]
            .user_metadata
            .as_ref()
            .unwrap()["email"],
        Value::Null
    );

    let s = github_answers(&w, json!({"access_token": "gho_abc"}), user("x"), emails());
    w.idp.json(EMAILS, 404, json!({"message": "Not Found"}));
    assert!(w.code_callback("github", "valid-code", &s.state).success);

    let s = github_answers(&w, json!({"access_token": "gho_abc"}), user("x"), emails());
    w.idp.json(EMAILS, 500, json!({}));
    let r = w.code_callback("github", "valid-code", &s.state);
    assert_eq!(
        r.error.as_deref(),
        Some("Could not read the GitHub user from api.github.com, 500, Internal Server Error")
    );
}

#[test]
fn a_token_response_without_an_access_token_is_refused() {
    let w = world(&[]);
    let r = w.sign_in("github", TOKEN, |_| json!({"token_type": "bearer"}));
    assert_eq!(r.error.as_deref(), Some(contract::NO_ACCESS_TOKEN));
}

#[test]
fn a_refused_user_call_is_reported() {
    let w = world(&[]);
    let s = github_answers(
        &w,
        json!({"access_token": "gho_other"}),
        user("x"),
        emails(),
    );
    let r = w.code_callback("github", "valid-code", &s.state);
    assert_eq!(
        r.error.as_deref(),
        Some("Could not read the GitHub user from api.github.com, 401, Unauthorized")
    );
}

#[test]
fn access_tokens_never_reach_the_http_answer() {
    let w = world(&[]);
    let s = github_answers(&w, json!({"access_token": "gho_abc"}), user("x"), emails());
    let url = format!(
        "https://auth.example/auth/customer/github/callback?code=valid-code&state={}",
        s.state
    );
    let r = w.fetch("GET", &url, &[]);
    assert_eq!(r.status, 200);
    let body = String::from_utf8(r.body).unwrap();
    assert!(body.starts_with("{\"token\":") && !body.contains("gho_abc"));
}

#[test]
fn dates_are_written_like_javascripts_to_iso_string() {
    assert_eq!(iso8601_utc(NOW_MS), "2027-01-15T08:00:00.000Z");
    assert_eq!(iso8601_utc(951_868_799_500), "2000-02-29T23:59:59.500Z");
    assert_eq!(iso8601_utc(4_107_542_400_000), "2100-03-01T00:00:00.000Z");
    assert_eq!(iso8601_utc(0), "1970-01-01T00:00:00.000Z");
}
