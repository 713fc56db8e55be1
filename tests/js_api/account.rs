//! The account methods in real browsers: tokens and refresh, change password, single-use reset tokens,
//! sessions, rate limits, and their coded errors. Part of the `js_api` suite (see `../js_api.rs`).

use super::*;

const SECRET: &str = "0123456789abcdef0123456789abcdef";

#[wasm_bindgen(
    inline_js = "export function sleep(ms) { return new Promise((resolve) => setTimeout(resolve, ms)); }"
)]
extern "C" {
    fn sleep(ms: f64) -> Promise;
}

async fn sleep_ms(ms: u32) {
    JsFuture::from(sleep(f64::from(ms))).await.unwrap();
}

/// A service over `store` with fast hashing, `jwtSecret` and the options in `extra` (a JSON object).
fn account_over(store: JsValue, extra: &str) -> JsAuthModuleService {
    let options = options(store, 1000);
    Reflect::set(&options, &s("jwtSecret"), &s(SECRET)).unwrap();
    let extra = js(extra);
    for key in js_sys::Object::keys(extra.unchecked_ref::<js_sys::Object>()).iter() {
        Reflect::set(&options, &key, &Reflect::get(&extra, &key).unwrap()).unwrap();
    }
    JsAuthModuleService::new(options).expect("valid account options")
}

fn account() -> JsAuthModuleService {
    account_over(JsMemoryStore::new().into(), "{}")
}

/// Registers `email` and answers the identity as `register` resolves it.
async fn registered(service: &JsAuthModuleService, email: &str, password: &str) -> JsValue {
    let response = resolved(service.register(s("emailpass"), credentials(email, password))).await;
    assert_eq!(
        at(&response, "success"),
        JsValue::TRUE,
        "{}",
        stringify(&response)
    );
    at(&response, "authIdentity")
}

async fn token_for(service: &JsAuthModuleService, identity: &JsValue) -> String {
    resolved(service.issue_token(identity.clone(), s("customer"), JsValue::UNDEFINED))
        .await
        .as_string()
        .expect("issueToken resolves a string")
}

async fn claims(service: &JsAuthModuleService, token: &str) -> JsValue {
    resolved(service.verify_token(s(token), JsValue::UNDEFINED)).await
}

fn change(current: &str, new: &str) -> JsValue {
    js(&format!(
        r#"{{"currentPassword": "{current}", "password": "{new}"}}"#
    ))
}

async fn change_password(
    service: &JsAuthModuleService,
    token: &str,
    data: JsValue,
) -> Result<String, JsValue> {
    let promise = service
        .change_password(
            s(token),
            s("customer"),
            s("emailpass"),
            data,
            JsValue::UNDEFINED,
        )
        .unwrap_or_else(|e| panic!("threw synchronously: {}", stringify(&e)));
    JsFuture::from(promise)
        .await
        .map(|t| t.as_string().expect("a token"))
}

fn consume(service: &JsAuthModuleService, token: &str, password: &str) -> Result<Promise, JsValue> {
    service.consume_password_reset_token(
        s(token),
        s("customer"),
        s("emailpass"),
        js(&format!(r#"{{"password": "{password}"}}"#)),
        JsValue::UNDEFINED,
    )
}

async fn signs_in(service: &JsAuthModuleService, email: &str, password: &str) -> bool {
    let response =
        resolved(service.authenticate(s("emailpass"), credentials(email, password))).await;
    at(&response, "success") == JsValue::TRUE
}

#[wasm_bindgen_test]
async fn a_refresh_after_app_metadata_changes_carries_the_actor_id() {
    let service = account_over(kv_shaped_store(), "{}");
    let identity = registered(&service, "actor@example.com", "correct horse").await;
    let id = text(&identity, "id");

    let token = token_for(&service, &identity).await;
    let before = claims(&service, &token).await;
    assert_eq!(text(&before, "actor_id"), "");
    assert_eq!(text(&before, "actor_type"), "customer");
    assert_eq!(text(&before, "auth_identity_id"), id);
    assert_eq!(stringify(&at(&before, "app_metadata")), "{}");
    let lifetime = at(&before, "exp").as_f64().unwrap() - at(&before, "iat").as_f64().unwrap();
    assert_eq!(lifetime, 86_400.0, "jwtExpiresIn defaults to 1d");

    resolved(service.update_auth_identities(js(&format!(
        r#"{{"id": "{id}", "app_metadata": {{"customer_id": "cus_1"}}}}"#
    ))))
    .await;
    let refreshed = resolved(service.refresh_token(s(&token)))
        .await
        .as_string()
        .unwrap();
    let after = claims(&service, &refreshed).await;
    assert_eq!(text(&after, "actor_id"), "cus_1");
    assert_eq!(
        stringify(&at(&after, "app_metadata")),
        r#"{"customer_id":"cus_1"}"#
    );
    assert_eq!(text(&after, "auth_identity_id"), id);
    assert_eq!(
        at(&after, "auth_provider"),
        JsValue::UNDEFINED,
        "issued without a provider"
    );

    // With the provider the bearer signed in with: Medusa 2.21's `auth_provider`, carried by refresh.
    let through = resolved(service.issue_token(identity.clone(), s("customer"), s("emailpass")))
        .await
        .as_string()
        .unwrap();
    assert_eq!(
        text(&claims(&service, &through).await, "auth_provider"),
        "emailpass"
    );
    let refreshed = resolved(service.refresh_token(s(&through)))
        .await
        .as_string()
        .unwrap();
    let carried = claims(&service, &refreshed).await;
    assert_eq!(text(&carried, "auth_provider"), "emailpass");
    assert_eq!(at(&carried, "mfa_enabled"), JsValue::FALSE);
    assert_eq!(at(&carried, "mfa_challenge_completed_at"), JsValue::NULL);
    assert_eq!(stringify(&at(&carried, "user_metadata")), "{}");

    // By id, the identity is read from the store: the actor is there already.
    let by_id = token_for(&service, &s(&id)).await;
    assert_eq!(text(&claims(&service, &by_id).await, "actor_id"), "cus_1");
    // Checked for an actor type when one is given.
    let as_user = rejected(service.verify_token(s(&by_id), s("user"))).await;
    assert_edge_auth_error(&as_user, "UNAUTHORIZED", "Unauthorized");
    resolved(service.verify_token(s(&by_id), s("customer"))).await;

    for forged in ["", "not.a.token", &format!("{by_id}x")] {
        let e = rejected(service.refresh_token(s(forged))).await;
        assert_edge_auth_error(&e, "UNAUTHORIZED", "Unauthorized");
    }
    let missing =
        rejected(service.issue_token(s("authid_missing"), s("customer"), JsValue::UNDEFINED)).await;
    assert_edge_auth_error(&missing, "NOT_FOUND", "authid_missing");

    // A token of a deleted identity no longer refreshes.
    resolved(service.delete_auth_identities(s(&id))).await;
    let gone = rejected(service.refresh_token(s(&refreshed))).await;
    assert_edge_auth_error(&gone, "UNAUTHORIZED", "Unauthorized");
}

#[wasm_bindgen_test]
async fn change_password_voids_older_tokens_and_the_old_password() {
    let service = account();
    let email = "change@example.com";
    let identity = registered(&service, email, "old password").await;
    let old_token = token_for(&service, &identity).await;

    let wrong = change_password(
        &service,
        &old_token,
        change("not it at all", "new password"),
    )
    .await
    .unwrap_err();
    assert_edge_auth_error(
        &wrong,
        "WRONG_CURRENT_PASSWORD",
        "The current password is not correct",
    );
    let no_current = change_password(&service, &old_token, js(r#"{"password": "new password"}"#))
        .await
        .unwrap_err();
    assert_edge_auth_error(
        &no_current,
        "INVALID_DATA",
        "Field 'current_password' is required",
    );
    let too_short = change_password(&service, &old_token, change("old password", "short"))
        .await
        .unwrap_err();
    assert_edge_auth_error(&too_short, "INVALID_DATA", "at least 8 characters");
    let as_user = service
        .change_password(
            s(&old_token),
            s("user"),
            s("emailpass"),
            change("old password", "new password"),
            JsValue::UNDEFINED,
        )
        .unwrap();
    assert_edge_auth_error(
        &JsFuture::from(as_user).await.unwrap_err(),
        "UNAUTHORIZED",
        "Unauthorized",
    );
    assert!(
        signs_in(&service, email, "old password").await,
        "nothing changed yet"
    );

    let new_token = change_password(&service, &old_token, change("old password", "new password"))
        .await
        .expect("the change succeeds");
    assert_eq!(
        text(&claims(&service, &new_token).await, "auth_identity_id"),
        text(&identity, "id")
    );
    for call in [
        service.verify_token(s(&old_token), JsValue::UNDEFINED),
        service.refresh_token(s(&old_token)),
        service.create_session(s(&old_token)),
    ] {
        assert_edge_auth_error(&rejected(call).await, "UNAUTHORIZED", "Unauthorized");
    }
    let again = change_password(
        &service,
        &old_token,
        change("new password", "third password"),
    )
    .await
    .unwrap_err();
    assert_edge_auth_error(&again, "UNAUTHORIZED", "Unauthorized");
    assert!(!signs_in(&service, email, "old password").await);
    assert!(signs_in(&service, email, "new password").await);
    resolved(service.refresh_token(s(&new_token))).await;
}

#[wasm_bindgen_test]
async fn a_reset_token_is_single_use_and_voided_by_a_later_password_change() {
    let service = account_over(kv_shaped_store(), "{}");
    let email = "reset-token@example.com";
    let identity = registered(&service, email, "old password").await;
    let create = || {
        service.create_password_reset_token(
            s("customer"),
            s("emailpass"),
            s(" Reset-Token@Example.com "),
        )
    };

    let unknown = resolved(service.create_password_reset_token(
        s("customer"),
        s("emailpass"),
        s("nobody@example.com"),
    ))
    .await;
    assert!(unknown.is_null(), "no identity: null");

    // Minted before a password change, a reset token dies with it.
    let before_change = resolved(create()).await;
    assert_eq!(text(&before_change, "entityId"), email);
    assert_eq!(
        sorted_keys(&before_change),
        "entityId,expiresAt,token",
        "{}",
        stringify(&before_change)
    );
    let token = token_for(&service, &identity).await;
    change_password(&service, &token, change("old password", "new password"))
        .await
        .expect("changed");
    let voided = rejected(consume(
        &service,
        &text(&before_change, "token"),
        "other password",
    ))
    .await;
    assert_edge_auth_error(&voided, "INVALID_RESET_TOKEN", "Invalid token");

    // A fresh one works once; a refused password leaves it usable.
    let reset = text(&resolved(create()).await, "token");
    let policy = rejected(consume(&service, &reset, "short")).await;
    assert_edge_auth_error(&policy, "INVALID_DATA", "at least 8 characters");
    let wrong_actor = service
        .consume_password_reset_token(
            s(&reset),
            s("user"),
            s("emailpass"),
            js(r#"{"password": "reset password"}"#),
            JsValue::UNDEFINED,
        )
        .unwrap();
    assert_edge_auth_error(
        &JsFuture::from(wrong_actor).await.unwrap_err(),
        "INVALID_RESET_TOKEN",
        "Invalid token",
    );
    assert_eq!(
        resolved(consume(&service, &reset, "reset password")).await,
        JsValue::UNDEFINED
    );
    let second = rejected(consume(&service, &reset, "another password")).await;
    assert_edge_auth_error(&second, "INVALID_RESET_TOKEN", "Invalid token");
    assert!(signs_in(&service, email, "reset password").await);
    assert!(!signs_in(&service, email, "new password").await);
    assert!(!signs_in(&service, email, "another password").await);

    // An auth token is no reset token.
    let auth = token_for(&service, &s(&text(&identity, "id"))).await;
    let e = rejected(consume(&service, &auth, "reset password 2")).await;
    assert_edge_auth_error(&e, "INVALID_RESET_TOKEN", "Invalid token");
}

#[wasm_bindgen_test]
async fn sessions_are_made_read_and_ended_and_a_password_change_ends_them() {
    let service = account_over(JsMemoryStore::new().into(), r#"{"sessionTtl": "2h"}"#);
    let identity = registered(&service, "session@example.com", "old password").await;
    let id = text(&identity, "id");

    // Medusa's allowUnregistered: a token without an actor opens a session too (the js-sdk's sign-up).
    let actorless = token_for(&service, &identity).await;
    let unregistered = resolved(service.create_session(s(&actorless))).await;
    assert_eq!(text(&unregistered, "authContext.actor_id"), "");
    assert_eq!(text(&unregistered, "authContext.auth_identity_id"), id);

    resolved(service.update_auth_identities(js(&format!(
        r#"{{"id": "{id}", "app_metadata": {{"customer_id": "cus_9"}}}}"#
    ))))
    .await;
    let token = token_for(&service, &s(&id)).await;
    let made = resolved(service.create_session(s(&token))).await;
    let session = text(&made, "id");
    assert_eq!(session.len(), 43, "256 random bits, base64url");
    assert_eq!(at(&made, "ttl").as_f64(), Some(7200.0));
    assert_eq!(
        text(&made, "cookie"),
        format!(
            "__Host-connect.sid={session}; Max-Age=7200; Path=/; HttpOnly; Secure; SameSite=Strict"
        )
    );
    assert_eq!(
        stringify(&at(&made, "authContext")),
        format!(
            r#"{{"actor_id":"cus_9","actor_type":"customer","app_metadata":{{"customer_id":"cus_9"}},"auth_identity_id":"{id}","mfa_challenge_completed_at":null,"mfa_enabled":false,"user_metadata":{{}}}}"#
        )
    );

    let found = resolved(service.retrieve_session(s(&session))).await;
    assert_eq!(text(&found, "authContext.actor_id"), "cus_9");
    assert!(at(&found, "createdAt").as_f64().unwrap() > 1.7e12);
    assert_eq!(
        resolved(service.delete_session(s(&session))).await,
        JsValue::TRUE
    );
    assert!(
        resolved(service.retrieve_session(s(&session)))
            .await
            .is_null()
    );
    assert_eq!(
        resolved(service.delete_session(s(&session))).await,
        JsValue::FALSE
    );
    assert!(
        resolved(service.retrieve_session(s("not-a-session")))
            .await
            .is_null()
    );

    let other = text(&resolved(service.create_session(s(&token))).await, "id");
    assert!(
        resolved(service.retrieve_session(s(&other)))
            .await
            .is_object()
    );
    change_password(&service, &token, change("old password", "new password"))
        .await
        .expect("changed");
    assert!(
        resolved(service.retrieve_session(s(&other)))
            .await
            .is_null(),
        "a password change ends earlier sessions"
    );

    // revokeTokens does the same on request.
    let fresh = token_for(&service, &s(&id)).await;
    let third = text(&resolved(service.create_session(s(&fresh))).await, "id");
    // A token issued within a second of a password change is dated at the next second (see
    // src/account/revocation.rs), which a revocation in that same second does not reach: wait past it.
    sleep_ms(1100).await;
    assert_eq!(
        resolved(service.revoke_tokens(s(&id))).await,
        JsValue::UNDEFINED
    );
    assert!(
        resolved(service.retrieve_session(s(&third)))
            .await
            .is_null()
    );
    let e = rejected(service.verify_token(s(&fresh), JsValue::UNDEFINED)).await;
    assert_edge_auth_error(&e, "UNAUTHORIZED", "Unauthorized");
}

#[wasm_bindgen_test]
async fn rate_limits_refuse_with_too_many_requests_and_retry_after() {
    let service = account_over(
        JsMemoryStore::new().into(),
        r#"{"rateLimits": {"authenticate": {"identifier": {"limit": 2, "window": "1m"}}}}"#,
    );
    let identity = registered(&service, "limited@example.com", "right password").await;
    let token = token_for(&service, &identity).await;
    for _ in 0..2 {
        let e = change_password(&service, &token, change("wrong password", "new password"))
            .await
            .unwrap_err();
        assert_edge_auth_error(&e, "WRONG_CURRENT_PASSWORD", "not correct");
    }
    // The third guess is refused before the password is checked, the right one included.
    let limited = change_password(&service, &token, change("right password", "new password"))
        .await
        .unwrap_err();
    assert_edge_auth_error(
        &limited,
        "TOO_MANY_REQUESTS",
        "Too many requests; try again in",
    );
    let retry = at(&limited, "retryAfter")
        .as_f64()
        .expect("retryAfter is a number");
    assert!((1.0..=60.0).contains(&retry), "{retry}");

    // countAttempt counts the caller's own routes: the default register limit is 5 per minute per email.
    let attempt =
        js(r#"{"provider": "emailpass", "client": null, "identifier": "Many@Example.com"}"#);
    for _ in 0..5 {
        resolved(service.count_attempt(s("register"), attempt.clone())).await;
    }
    let lower = js(r#"{"provider": "emailpass", "identifier": "many@example.com"}"#);
    let e = rejected(service.count_attempt(s("register"), lower)).await;
    assert_edge_auth_error(&e, "TOO_MANY_REQUESTS", "Too many requests");
    assert!(at(&e, "retryAfter").as_f64().unwrap() >= 1.0);

    // A successful sign-in forgets the identifier's failures.
    let signin = || js(r#"{"provider": "emailpass", "identifier": "back@example.com"}"#);
    for _ in 0..2 {
        resolved(service.count_attempt(s("authenticate"), signin())).await;
    }
    let blocked = rejected(service.count_attempt(s("authenticate"), signin())).await;
    assert_edge_auth_error(&blocked, "TOO_MANY_REQUESTS", "Too many requests");
    resolved(service.forget_failures(s("authenticate"), s("emailpass"), s("BACK@example.com")))
        .await;
    resolved(service.count_attempt(s("authenticate"), signin())).await;

    let unlimited = account_over(JsMemoryStore::new().into(), r#"{"rateLimits": "off"}"#);
    for _ in 0..20 {
        resolved(unlimited.count_attempt(s("register"), attempt.clone())).await;
    }
}

#[wasm_bindgen_test]
async fn account_misuse_throws_and_store_failures_reject_with_store_error() {
    let plain = service_over(JsMemoryStore::new().into());
    let without_secret = [
        plain.issue_token(s("authid_1"), s("customer"), JsValue::UNDEFINED),
        plain.refresh_token(s("t")),
        plain.create_session(s("t")),
        plain.count_attempt(s("register"), js(r#"{"provider": "emailpass"}"#)),
    ];
    for call in without_secret {
        let e = call.expect_err("throws without jwtSecret");
        assert_edge_auth_error(&e, "INVALID_ARGUMENT", "needs the option jwtSecret");
    }

    let memory = || JsValue::from(JsMemoryStore::new());
    let constructions = [
        (
            r#"{"jwtSecret": "short"}"#,
            "options.jwtSecret: must be at least 32 bytes",
        ),
        (r#"{"jwtSecret": ""}"#, "options.jwtSecret: is empty"),
        (
            r#"{"jwtSecret": "0123456789abcdef0123456789abcdef", "jwtExpiresIn": "120"}"#,
            "options.jwtExpiresIn: a bare number is ambiguous",
        ),
        (
            r#"{"jwtSecret": "0123456789abcdef0123456789abcdef", "sessionTtl": "30s"}"#,
            "options.sessionTtl: must be at least 60 seconds",
        ),
        (
            r#"{"jwtSecret": "0123456789abcdef0123456789abcdef", "rateLimits": {"login": {}}}"#,
            "options.rateLimits: unknown route \"login\"",
        ),
        (
            r#"{"jwtSecret": "0123456789abcdef0123456789abcdef", "rateLimits": 5}"#,
            "options.rateLimits must be \"off\" or an object",
        ),
        (
            r#"{"jwtSecret": "0123456789abcdef0123456789abcdef", "resetPasswordWebhookUrl": "https://hooks.example/reset"}"#,
            "options.resetPasswordWebhookSecret: is not set",
        ),
        (
            r#"{"jwtSecret": "0123456789abcdef0123456789abcdef", "development": "yes"}"#,
            "options.development must be true or false",
        ),
        (
            r#"{"sessionTtl": "2h"}"#,
            "options.sessionTtl needs options.jwtSecret",
        ),
        (
            r#"{"jwtSecret": 32}"#,
            "options.jwtSecret must be a string, got a number",
        ),
    ];
    for (extra, fragment) in constructions {
        let options = js(extra);
        Reflect::set(&options, &s("store"), &memory()).unwrap();
        match JsAuthModuleService::new(options) {
            Ok(_) => panic!("accepted {extra}"),
            Err(e) => assert_edge_auth_error(&e, "INVALID_ARGUMENT", fragment),
        }
    }
    let short_in_development = js(r#"{"jwtSecret": "dev", "development": true}"#);
    Reflect::set(&short_in_development, &s("store"), &memory()).unwrap();
    assert!(JsAuthModuleService::new(short_in_development).is_ok());

    let service = account();
    let calls = [
        (
            service.issue_token(JsValue::from_f64(5.0), s("customer"), JsValue::UNDEFINED),
            "authIdentity must be an AuthIdentity or its id, got a number",
        ),
        (
            service.issue_token(
                js(r#"{"app_metadata": {}}"#),
                s("customer"),
                JsValue::UNDEFINED,
            ),
            "authIdentity.id is required",
        ),
        (
            service.issue_token(s("authid_1"), s("Customer"), JsValue::UNDEFINED),
            "actorType must be an actor type",
        ),
        (
            service.issue_token(s("authid_1"), s("customer"), s("Email Pass")),
            "authProvider must be a provider id",
        ),
        (
            service.change_password(
                s("t"),
                s("customer"),
                s("emailpass"),
                js(r#"{"current_password": "x"}"#),
                JsValue::UNDEFINED,
            ),
            "data has no field `current_password`",
        ),
        (
            service.change_password(
                s("t"),
                s("customer"),
                s("email pass"),
                change("a", "b"),
                JsValue::UNDEFINED,
            ),
            "provider must be a provider id",
        ),
        (
            service.consume_password_reset_token(
                s("t"),
                s("customer"),
                s("emailpass"),
                JsValue::UNDEFINED,
                JsValue::UNDEFINED,
            ),
            "data is required",
        ),
        (
            service.count_attempt(s("login"), js(r#"{"provider": "emailpass"}"#)),
            "route must be \"authenticate\", \"register\", \"reset-password\" or \"update\"",
        ),
        (
            service.count_attempt(
                s("register"),
                js(r#"{"provider": "emailpass", "client": 1}"#),
            ),
            "attempt.client must be a string or null, got a number",
        ),
        (
            service.request_password_reset(
                s("customer"),
                s("emailpass"),
                s("a@b.co"),
                JsValue::UNDEFINED,
            ),
            "needs options.resetPasswordWebhookUrl",
        ),
        (
            service.retrieve_session(JsValue::NULL),
            "id must be a string, got null",
        ),
    ];
    for (call, fragment) in calls {
        match call {
            Ok(_) => panic!("no throw; expected {fragment}"),
            Err(e) => assert_edge_auth_error(&e, "INVALID_ARGUMENT", fragment),
        }
    }

    // A token is checked against the store's revocation record: a failing store is STORE_ERROR.
    let token = token_for(&service, &js(r#"{"id": "authid_1", "app_metadata": null}"#)).await;
    let broken = account_over(failing_store(), "{}");
    let e = rejected(broken.verify_token(s(&token), JsValue::UNDEFINED)).await;
    assert_edge_auth_error(&e, "STORE_ERROR", "KV is unreachable");
}

/// Medusa 2.16+'s forms: `createPasswordResetToken({provider, entity_id, ttl_seconds})` issues a jti (a
/// newer one voids the older), `consumePasswordResetToken({jti, provider, entity_id})` spends it once.
#[wasm_bindgen_test]
async fn medusas_reset_token_registry_issues_and_consumes_jtis_once() {
    let service = account();
    let identity = registered(&service, "jti@example.com", "correct horse").await;
    let id = text(&identity, "id");
    let issue = |ttl: &str| {
        service.create_password_reset_token(
            js(&format!(
                r#"{{"provider": "emailpass", "entity_id": "jti@example.com"{ttl}}}"#
            )),
            JsValue::UNDEFINED,
            JsValue::UNDEFINED,
        )
    };
    let consume = |jti: &str| {
        service.consume_password_reset_token(
            js(&format!(
                r#"{{"jti": "{jti}", "provider": "emailpass", "entity_id": "jti@example.com"}}"#
            )),
            JsValue::UNDEFINED,
            JsValue::UNDEFINED,
            JsValue::UNDEFINED,
            JsValue::UNDEFINED,
        )
    };
    let older = resolved(issue("")).await;
    let expires = at(&older, "expires_at");
    assert!(
        expires.is_instance_of::<js_sys::Date>(),
        "expires_at is a Date"
    );
    let lifetime = js_sys::Date::from(expires).get_time() - js_sys::Date::now();
    assert!((890_000.0..=900_000.0).contains(&lifetime), "{lifetime}");
    let newer = resolved(issue(r#", "ttl_seconds": 60"#)).await;

    let e = rejected(consume(&text(&older, "jti"))).await;
    assert_edge_auth_error(&e, "INVALID_RESET_TOKEN", "Invalid token");
    let consumed = resolved(consume(&text(&newer, "jti"))).await;
    assert_eq!(text(&consumed, "auth_identity_id"), id);
    assert_eq!(text(&consumed, "entity_id"), "jti@example.com");
    assert_eq!(
        text(&consumed, "provider_identity_id"),
        text(&identity, "provider_identities.0.id")
    );
    let e = rejected(consume(&text(&newer, "jti"))).await;
    assert_edge_auth_error(&e, "INVALID_RESET_TOKEN", "Invalid token");

    let e = rejected(issue(r#", "ttl_seconds": 1.5"#)).await;
    assert_edge_auth_error(
        &e,
        "INVALID_DATA",
        "Password reset token TTL must be a positive integer",
    );
    let unknown = service.create_password_reset_token(
        js(r#"{"provider": "emailpass", "entity_id": "nobody@example.com"}"#),
        JsValue::UNDEFINED,
        JsValue::UNDEFINED,
    );
    assert_edge_auth_error(
        &rejected(unknown).await,
        "INVALID_DATA",
        "Provider identity with entity_id nobody@example.com and provider emailpass not found",
    );
    let misuse = service.create_password_reset_token(
        js(r#"{"provider": "emailpass", "email": "jti@example.com"}"#),
        JsValue::UNDEFINED,
        JsValue::UNDEFINED,
    );
    match misuse {
        Ok(_) => panic!("accepted an unknown field"),
        Err(e) => assert_edge_auth_error(&e, "INVALID_ARGUMENT", "has no field `email`"),
    }
}

/// Medusa 2.16+'s verification methods: `requestAuthVerification` hands the caller a code (a `Date`
/// expiry), only for the identity's own entity; `confirmAuthVerification` spends it once, refuses it to
/// another identity, and answers the verification with `verified_at` a `Date`.
#[wasm_bindgen_test]
async fn verification_codes_are_requested_and_confirmed_once() {
    let service = account();
    let identity = registered(&service, "verify@example.com", "correct horse").await;
    let id = text(&identity, "id");
    let request = |entity: &str| {
        service.request_auth_verification(js(&format!(
            r#"{{"auth_identity_id": "{id}", "entity_id": "{entity}", "entity_type": "email", "code_provider": "token"}}"#
        )))
    };
    let requested = resolved(request("verify@example.com")).await;
    assert_eq!(text(&requested, "entity_id"), "verify@example.com");
    assert_eq!(at(&requested, "verified_at"), JsValue::NULL);
    assert!(at(&requested, "expires_at").is_instance_of::<js_sys::Date>());
    assert!(at(&requested, "requested_at").is_instance_of::<js_sys::Date>());
    let code = text(&requested, "code");

    let e = rejected(request("someone@example.com")).await;
    assert_edge_auth_error(&e, "INVALID_DATA", "Provider identity not found");
    let missing = service.request_auth_verification(js(&format!(
        r#"{{"auth_identity_id": "{id}", "entity_id": "verify@example.com", "entity_type": "email"}}"#
    )));
    assert_edge_auth_error(
        &rejected(missing).await,
        "INVALID_DATA",
        "Verification provider is required",
    );

    let confirm = |who: &str| {
        service.confirm_auth_verification(js(&format!(
            r#"{{"code": "{code}", "auth_identity_id": "{who}"}}"#
        )))
    };
    let e = rejected(confirm("authid_other")).await;
    assert_edge_auth_error(
        &e,
        "NOT_ALLOWED",
        "Verification code is invalid or already used",
    );
    let confirmed = resolved(confirm(&id)).await;
    assert!(at(&confirmed, "verified_at").is_instance_of::<js_sys::Date>());
    assert_eq!(text(&confirmed, "auth_identity_id"), id);
    let e = rejected(confirm(&id)).await;
    assert_edge_auth_error(
        &e,
        "NOT_ALLOWED",
        "Verification code is invalid or already used",
    );
    // Once verified, a request answers the verification as it is, without a code.
    let again = resolved(request("verify@example.com")).await;
    assert_eq!(at(&again, "code"), JsValue::UNDEFINED);
    assert!(at(&again, "verified_at").is_instance_of::<js_sys::Date>());
}
