use crate::*;

/// The session cookie's name unless `SESSION_COOKIE_NAME` says otherwise.
const DEFAULT_NAME: &str = "__Host-connect.sid";

/// The session id a Set-Cookie header sets under `name`.
fn cookie_named(r: &HttpResponse, name: &str) -> String {
    let set = r.header("set-cookie").expect("a Set-Cookie header");
    let value = set.split(';').next().unwrap();
    let prefix = format!("{name}=");
    value.strip_prefix(&prefix).expect(set).to_owned()
}

fn cookie_of(r: &HttpResponse) -> String {
    cookie_named(r, DEFAULT_NAME)
}

fn with_named_cookie(h: &Harness, method: &str, name: &str, sid: &str) -> HttpResponse {
    let cookie = format!("other=1; {name}={sid}");
    h.send(method, "/auth/session", &[("cookie", &cookie)], b"")
}

fn with_cookie(h: &Harness, method: &str, sid: &str) -> HttpResponse {
    with_named_cookie(h, method, DEFAULT_NAME, sid)
}

#[test]
fn a_session_is_opened_read_and_closed_with_its_cookie() {
    let h = harness(&[]);
    let token = h.customer_token();
    let opened = h.open_session(&token);
    let claims = h.claims(&token);
    let user = json!({
        "actor_id": "cus_1",
        "actor_type": "customer",
        "auth_identity_id": claims.auth_identity_id,
        "auth_provider": "emailpass",
        "mfa_enabled": false,
        "mfa_challenge_completed_at": null,
        "app_metadata": {"customer_id": "cus_1"},
        "user_metadata": {},
    });
    assert_eq!(
        (opened.status, opened.body_json()),
        (200, Some(json!({ "user": user })))
    );
    let set_cookie = opened.header("set-cookie").unwrap();
    for attribute in [
        "HttpOnly",
        "Secure",
        "SameSite=Strict",
        "Path=/",
        "Max-Age=36000",
    ] {
        assert!(set_cookie.contains(attribute), "{set_cookie}");
    }
    let sid = cookie_of(&opened);
    assert_eq!(sid.len(), 43);

    let read = with_cookie(&h, "GET", &sid);
    assert_eq!(
        (read.status, read.body_json()),
        (200, Some(json!({ "user": user })))
    );

    let closed = with_cookie(&h, "DELETE", &sid);
    assert_eq!(
        (closed.status, closed.body_json()),
        (200, Some(json!({"success": true})))
    );
    assert!(closed.header("set-cookie").unwrap().contains("Max-Age=0"));

    assert_bare_unauthorized(&with_cookie(&h, "GET", &sid));
    assert_bare_unauthorized(&with_cookie(&h, "DELETE", &sid));
    assert!(h.store.dump().iter().all(|(k, _)| !k.starts_with("sess:")));
}

#[test]
fn a_session_needs_a_valid_token() {
    let h = harness(&[]);
    assert_bare_unauthorized(&h.open_session("not-a-token"));
    assert_bare_unauthorized(&h.send("POST", "/auth/session", &[], b""));
}

/// Medusa's `allowUnregistered` on `POST`/`DELETE /auth/session` and refresh: the js-sdk in session mode
/// opens a session right after a sign-up, then refreshes it once the app has made the actor.
#[test]
fn a_token_without_an_actor_opens_a_session_that_refreshes_to_the_actor_and_ends() {
    let h = harness(&[]);
    let no_actor = h.registered("a@b.co", "correct horse");
    let id = h.claims(&no_actor).auth_identity_id;
    let opened = h.open_session(&no_actor);
    let user = json!({
        "actor_id": "",
        "actor_type": "customer",
        "auth_identity_id": id,
        "auth_provider": "emailpass",
        "mfa_enabled": false,
        "mfa_challenge_completed_at": null,
        "app_metadata": {},
        "user_metadata": {},
    });
    assert_eq!(
        (opened.status, opened.body_json()),
        (200, Some(json!({ "user": user })))
    );
    let sid = cookie_of(&opened);
    let cookie = format!("{DEFAULT_NAME}={sid}");
    let refresh = |h: &Harness| h.send("POST", "/auth/token/refresh", &[("cookie", &cookie)], b"");
    let before = h.claims_of(&refresh(&h));
    assert_eq!(
        (before.actor_id.as_str(), before.auth_identity_id.as_str()),
        ("", id.as_str())
    );

    h.link_customer(&id, "cus_1");
    let after = h.claims_of(&refresh(&h));
    assert_eq!(after.actor_id, "cus_1");
    assert_eq!(after.actor_type, "customer");

    let closed = with_cookie(&h, "DELETE", &sid);
    assert_eq!(
        (closed.status, closed.body_json()),
        (200, Some(json!({"success": true})))
    );
    assert_bare_unauthorized(&refresh(&h));
}

#[test]
fn refresh_prefers_a_live_session_and_falls_back_to_the_bearer_token() {
    let h = harness(&[]);
    let token = h.customer_token();
    let stale = format!("{DEFAULT_NAME}={}", "A".repeat(43));
    let auth = format!("Bearer {token}");
    let with_both = h.send(
        "POST",
        "/auth/token/refresh",
        &[("cookie", &stale), ("authorization", &auth)],
        b"",
    );
    assert_eq!(h.claims_of(&with_both).actor_id, "cus_1");
    assert_bare_unauthorized(&h.send("POST", "/auth/token/refresh", &[("cookie", &stale)], b""));
}

#[test]
fn a_token_refreshed_from_a_session_says_how_the_session_signed_in() {
    let h = harness(&[]);
    let token = h.customer_token();
    let cookie = format!("{DEFAULT_NAME}={}", cookie_of(&h.open_session(&token)));
    let refreshed = h.send("POST", "/auth/token/refresh", &[("cookie", &cookie)], b"");
    assert_eq!(refreshed.status, 200);
    let claims = h.claims_of(&refreshed);
    assert_eq!(claims.actor_id, "cus_1");
    assert_eq!(claims.auth_provider.as_deref(), Some("emailpass"));
}

#[test]
fn a_password_reset_voids_a_session_for_refresh_too() {
    let h = harness(&[]);
    let token = h.customer_token();
    let sid = cookie_of(&h.open_session(&token));
    let cookie = format!("{DEFAULT_NAME}={sid}");
    h.clock.advance_secs(3);
    h.request_reset("a@b.co");
    let reset = h.delivered_tokens().pop().unwrap();
    assert_eq!(h.update_password(&reset, "new horse battery").status, 200);
    assert_bare_unauthorized(&h.send("POST", "/auth/token/refresh", &[("cookie", &cookie)], b""));
}

#[test]
fn a_cookie_that_names_no_session_is_unauthorized() {
    let h = harness(&[]);
    assert_bare_unauthorized(&h.send("GET", "/auth/session", &[], b""));
    assert_bare_unauthorized(&with_cookie(&h, "GET", &"A".repeat(43)));
    assert_bare_unauthorized(&with_cookie(&h, "GET", "x"));
    assert_bare_unauthorized(&h.send("DELETE", "/auth/session", &[], b""));
}

#[test]
fn a_session_ends_after_session_ttl() {
    let h = harness(&[("SESSION_TTL", "2m")]);
    let token = h.customer_token();
    let opened = h.open_session(&token);
    assert!(opened.header("set-cookie").unwrap().contains("Max-Age=120"));
    let sid = cookie_of(&opened);
    h.clock.advance_secs(119);
    assert_eq!(with_cookie(&h, "GET", &sid).status, 200);
    h.clock.advance_secs(1);
    assert_bare_unauthorized(&with_cookie(&h, "GET", &sid));
}

#[test]
fn a_password_reset_ends_earlier_sessions() {
    let h = harness(&[]);
    let token = h.customer_token();
    let sid = cookie_of(&h.open_session(&token));
    h.clock.advance_secs(3);
    h.request_reset("a@b.co");
    let reset = h.delivered_tokens().pop().unwrap();
    assert_eq!(h.update_password(&reset, "new horse battery").status, 200);
    assert_bare_unauthorized(&with_cookie(&h, "GET", &sid));
    // The old token cannot open a new one either; a fresh login can.
    assert_bare_unauthorized(&h.open_session(&token));
    let fresh = h.token(&h.login("a@b.co", "new horse battery"));
    assert_eq!(h.open_session(&fresh).status, 200);
}

#[test]
fn other_methods_are_405() {
    let h = harness(&[]);
    assert_eq!(h.send("PUT", "/auth/session", &[], b"").status, 405);
}

#[test]
fn the_session_cookie_is_host_prefixed_unless_configured_with_medusas_name() {
    let h = harness(&[]);
    let opened = h.open_session(&h.customer_token());
    let set = opened.header("set-cookie").unwrap().to_owned();
    // `__Host-` binds the cookie to this exact host: Secure, Path=/ and no Domain are required.
    assert!(set.starts_with("__Host-connect.sid="), "{set}");
    assert!(
        set.contains("; Secure") && set.contains("; Path=/;"),
        "{set}"
    );
    assert!(!set.to_ascii_lowercase().contains("domain="), "{set}");
    let sid = cookie_of(&opened);
    assert_eq!(with_cookie(&h, "GET", &sid).status, 200);
    // The unprefixed name is not read: a sibling subdomain could have set it.
    assert_bare_unauthorized(&with_named_cookie(&h, "GET", "connect.sid", &sid));

    let medusa = harness(&[("SESSION_COOKIE_NAME", "connect.sid")]);
    let opened = medusa.open_session(&medusa.customer_token());
    let sid = cookie_named(&opened, "connect.sid");
    assert_eq!(
        with_named_cookie(&medusa, "GET", "connect.sid", &sid).status,
        200
    );
    assert_bare_unauthorized(&with_named_cookie(&medusa, "GET", DEFAULT_NAME, &sid));
    let closed = with_named_cookie(&medusa, "DELETE", "connect.sid", &sid);
    assert!(
        closed
            .header("set-cookie")
            .unwrap()
            .starts_with("connect.sid=; Max-Age=0")
    );
}
