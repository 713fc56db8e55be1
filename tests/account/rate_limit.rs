use crate::*;

fn assert_limited(r: &HttpResponse, retry_after: u64) {
    assert_error(
        r,
        429,
        "not_allowed",
        &format!("Too many requests; try again in {retry_after} seconds"),
    );
    assert_eq!(
        r.header("retry-after"),
        Some(retry_after.to_string().as_str())
    );
}

fn login_from(h: &Harness, ip: &str, email: &str, password: &str) -> HttpResponse {
    h.post(
        "/auth/customer/emailpass",
        json!({"email": email, "password": password}),
        &[("cf-connecting-ip", ip)],
    )
}

#[test]
fn the_sixth_login_attempt_in_a_minute_is_429_and_blocks_get_longer() {
    let h = harness(&[]);
    h.register("a@b.co", "correct horse");
    for _ in 0..5 {
        assert_eq!(h.login("a@b.co", "wrong horse!").status, 401);
    }
    assert_limited(&h.login("a@b.co", "wrong horse!"), 60);
    // Blocked means blocked: the right password does not get through either.
    assert_limited(&h.login("A@b.co", "correct horse"), 60);
    h.clock.advance_secs(60);
    for _ in 0..5 {
        assert_eq!(h.login("a@b.co", "wrong horse!").status, 401);
    }
    // Second block: twice as long.
    assert_limited(&h.login("a@b.co", "wrong horse!"), 120);
    h.clock.advance_secs(120);
    assert_eq!(h.login("a@b.co", "correct horse").status, 200);
}

#[test]
fn a_successful_login_clears_the_counter() {
    let h = harness(&[]);
    h.register("a@b.co", "correct horse");
    for _ in 0..4 {
        assert_eq!(h.login("a@b.co", "wrong horse!").status, 401);
    }
    assert_eq!(h.login("a@b.co", "correct horse").status, 200);
    for _ in 0..5 {
        assert_eq!(h.login("a@b.co", "wrong horse!").status, 401);
    }
    assert_eq!(h.login("a@b.co", "wrong horse!").status, 429);
}

#[test]
fn identifiers_are_counted_apart() {
    let h = harness(&[]);
    for _ in 0..6 {
        h.login("a@b.co", "wrong horse!");
    }
    assert_eq!(h.login("a@b.co", "wrong horse!").status, 429);
    assert_eq!(h.login("b@b.co", "wrong horse!").status, 401);
}

#[test]
fn one_client_ip_is_limited_across_identifiers() {
    let h = harness(&[(
        "RATE_LIMITS",
        r#"{"authenticate": {"ip": {"limit": 3, "window": "1m"}}}"#,
    )]);
    for i in 0..3 {
        let r = login_from(&h, "203.0.113.7", &format!("u{i}@b.co"), "wrong horse!");
        assert_eq!(r.status, 401);
    }
    assert_limited(
        &login_from(&h, "203.0.113.7", "u9@b.co", "wrong horse!"),
        60,
    );
    assert_eq!(
        login_from(&h, "198.51.100.1", "u9@b.co", "wrong horse!").status,
        401
    );
    h.clock.advance_secs(60);
    assert_eq!(
        login_from(&h, "203.0.113.7", "u9@b.co", "wrong horse!").status,
        401
    );
}

#[test]
fn registrations_and_reset_requests_are_limited_per_identifier() {
    let h = harness(&[]);
    // Registrations that check no password (here: refused by the policy) use the registration counter;
    // re-registrations that do are sign-in attempts (`lockout.rs`).
    for _ in 0..5 {
        assert_eq!(h.register("new@b.co", "short").status, 401);
    }
    assert_limited(&h.register("new@b.co", "password number 5"), 60);
    h.registered("a@b.co", "correct horse");
    for _ in 0..3 {
        assert_eq!(h.request_reset("a@b.co").status, 201);
    }
    // Three mails per quarter hour, then nothing is sent (and the client is told to wait).
    assert_limited(&h.request_reset("a@b.co"), 900);
    assert_eq!(h.delivered_tokens().len(), 3);
}

#[test]
fn updates_are_limited_per_ip() {
    let h = harness(&[(
        "RATE_LIMITS",
        r#"{"update": {"ip": {"limit": 2, "window": 60}}}"#,
    )]);
    let update = || {
        h.post(
            "/auth/customer/emailpass/update",
            json!({"password": "new horse battery"}),
            &[
                ("authorization", "Bearer x"),
                ("cf-connecting-ip", "203.0.113.7"),
            ],
        )
    };
    assert_eq!(update().status, 401);
    assert_eq!(update().status, 401);
    assert_limited(&update(), 60);
}

#[test]
fn rate_limits_can_be_turned_off() {
    let h = harness(&[("RATE_LIMITS", "off")]);
    for _ in 0..20 {
        assert_eq!(h.login("a@b.co", "wrong horse!").status, 401);
    }
}

#[test]
fn third_party_starts_count_per_ip_only() {
    // emailpass authenticate with no email: the IP counter still applies.
    let h = harness(&[(
        "RATE_LIMITS",
        r#"{"authenticate": {"ip": {"limit": 1, "window": 60}}}"#,
    )]);
    let r = h.post(
        "/auth/customer/emailpass",
        json!({}),
        &[("cf-connecting-ip", "192.0.2.1")],
    );
    assert_eq!(r.status, 401);
    let r = h.post(
        "/auth/customer/emailpass",
        json!({}),
        &[("cf-connecting-ip", "192.0.2.1")],
    );
    assert_eq!(r.status, 429);
}
