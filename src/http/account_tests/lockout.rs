//! Lockout economics: register's password retry counts as a sign-in, refused requests count nowhere, and
//! a known-device cookie lets the owner in while the email is blocked (`docs/http-api.md#rate-limits`).

use super::*;

const REGISTER: &str = "/auth/customer/emailpass/register";
const LOGIN: &str = "/auth/customer/emailpass";
const DEVICE_COOKIE: &str = "__Host-edge-auth-device";

/// A fresh client address per call, so only the per-identifier counters decide (a botnet).
struct Ips(std::cell::Cell<u32>);

impl Ips {
    fn new() -> Self {
        Self(std::cell::Cell::new(0))
    }
    fn next(&self) -> String {
        self.0.set(self.0.get() + 1);
        let n = self.0.get();
        format!("10.{}.{}.{}", n >> 16 & 255, n >> 8 & 255, n & 255)
    }
}

fn attempt(h: &Harness, path: &str, ip: &str, email: &str, password: &str) -> HttpResponse {
    h.post(
        path,
        json!({"email": email, "password": password}),
        &[("cf-connecting-ip", ip)],
    )
}

fn with_device(h: &Harness, ip: &str, cookie: &str, email: &str, password: &str) -> HttpResponse {
    let header = format!("{DEVICE_COOKIE}={cookie}");
    h.post(
        LOGIN,
        json!({"email": email, "password": password}),
        &[("cf-connecting-ip", ip), ("cookie", &header)],
    )
}

fn retry_after(r: &HttpResponse) -> Option<u64> {
    (r.status == 429).then(|| r.header("retry-after").unwrap().parse().unwrap())
}

fn assert_limited(r: &HttpResponse, secs: u64) {
    assert_eq!(
        (r.status, retry_after(r)),
        (429, Some(secs)),
        "{:?}",
        r.body_json()
    );
}

fn assert_exists(r: &HttpResponse) {
    assert_error(r, 401, "unauthorized", "Identity with email already exists");
}

/// The value of the known-device cookie a response sets.
fn device_cookie(r: &HttpResponse) -> String {
    let set = r
        .header("set-cookie")
        .unwrap_or_else(|| panic!("no set-cookie on {}: {:?}", r.status, r.body_json()));
    let (name, rest) = set.split_once('=').unwrap();
    assert_eq!(name, DEVICE_COOKIE);
    rest.split(';').next().unwrap().to_owned()
}

// ---- finding 3: register's retry of an actor-less identity is a sign-in attempt ----

#[test]
fn wrong_re_registrations_of_an_actorless_identity_back_off_like_wrong_sign_ins() {
    let h = harness(&[]);
    let ips = Ips::new();
    h.token(&attempt(
        &h,
        REGISTER,
        &ips.next(),
        "a@b.co",
        "correct horse",
    ));
    for _ in 0..5 {
        assert_exists(&attempt(
            &h,
            REGISTER,
            &ips.next(),
            "a@b.co",
            "wrong horse!",
        ));
    }
    assert_limited(
        &attempt(&h, REGISTER, &ips.next(), "a@b.co", "wrong horse!"),
        60,
    );
    // One counter for both doors: sign-in is blocked too, whatever the password.
    assert_limited(
        &attempt(&h, LOGIN, &ips.next(), "a@b.co", "correct horse"),
        60,
    );
    h.clock.advance_secs(60);
    for _ in 0..5 {
        assert_exists(&attempt(
            &h,
            REGISTER,
            &ips.next(),
            "a@b.co",
            "wrong horse!",
        ));
    }
    // The second block doubles, exactly as for sign-in.
    assert_limited(
        &attempt(&h, REGISTER, &ips.next(), "a@b.co", "wrong horse!"),
        120,
    );
    h.clock.advance_secs(120);
    // Medusa's idempotent retry still works once the block is over.
    let retried = attempt(&h, REGISTER, &ips.next(), "a@b.co", "correct horse");
    assert_eq!(h.claims_of(&retried).actor_id, "");
}

#[test]
fn wrong_sign_ins_and_wrong_re_registrations_share_one_budget() {
    let h = harness(&[]);
    let ips = Ips::new();
    h.token(&attempt(
        &h,
        REGISTER,
        &ips.next(),
        "a@b.co",
        "correct horse",
    ));
    for _ in 0..3 {
        assert_eq!(
            attempt(&h, LOGIN, &ips.next(), "a@b.co", "wrong horse!").status,
            401
        );
    }
    for _ in 0..2 {
        assert_exists(&attempt(
            &h,
            REGISTER,
            &ips.next(),
            "a@b.co",
            "wrong horse!",
        ));
    }
    assert_limited(
        &attempt(&h, REGISTER, &ips.next(), "a@b.co", "correct horse"),
        60,
    );
}

#[test]
fn a_correct_re_registration_within_the_limit_clears_the_failures_like_a_sign_in() {
    let h = harness(&[]);
    let ips = Ips::new();
    h.token(&attempt(
        &h,
        REGISTER,
        &ips.next(),
        "a@b.co",
        "correct horse",
    ));
    for _ in 0..4 {
        assert_eq!(
            attempt(&h, LOGIN, &ips.next(), "a@b.co", "wrong horse!").status,
            401
        );
    }
    h.token(&attempt(
        &h,
        REGISTER,
        &ips.next(),
        "a@b.co",
        "correct horse",
    ));
    // The counter starts over: five more wrong sign-ins are answered, the sixth is not.
    for _ in 0..5 {
        assert_eq!(
            attempt(&h, LOGIN, &ips.next(), "a@b.co", "wrong horse!").status,
            401
        );
    }
    assert_limited(
        &attempt(&h, LOGIN, &ips.next(), "a@b.co", "wrong horse!"),
        60,
    );
}

#[test]
fn only_re_registrations_that_check_a_password_count_as_sign_in_attempts() {
    let h = harness(&[]);
    let ips = Ips::new();
    h.registered("open@b.co", "correct horse");
    let linked = h.registered("linked@b.co", "correct horse");
    h.link_customer(&h.claims(&linked).auth_identity_id, "cus_1");
    for email in ["open@b.co", "linked@b.co"] {
        for _ in 0..4 {
            assert_exists(&attempt(&h, REGISTER, &ips.next(), email, "wrong horse!"));
        }
    }
    // Four guesses at the actor-less identity's password were sign-in attempts: one left.
    assert_eq!(
        attempt(&h, LOGIN, &ips.next(), "open@b.co", "wrong horse!").status,
        401
    );
    assert_limited(
        &attempt(&h, LOGIN, &ips.next(), "open@b.co", "wrong horse!"),
        60,
    );
    // A linked identity's registration checks no password, so its sign-in counter is untouched...
    for _ in 0..5 {
        assert_eq!(
            attempt(&h, LOGIN, &ips.next(), "linked@b.co", "wrong horse!").status,
            401
        );
    }
    // ...and the registration counter (5 a minute, the first registration included) still applies.
    assert_limited(
        &attempt(&h, REGISTER, &ips.next(), "linked@b.co", "wrong horse!"),
        60,
    );
}

/// Guesses one attacker with unlimited addresses gets answered in an hour through `path`, retrying as
/// soon as `Retry-After` allows (one request a second otherwise).
fn answered_guesses_per_hour(h: &Harness, path: &str, email: &str) -> u32 {
    let ips = Ips::new();
    let end = h.clock.now_ms() + 3_600_000;
    let mut answered = 0;
    while h.clock.now_ms() < end {
        let r = attempt(h, path, &ips.next(), email, "wrong horse!");
        match retry_after(&r) {
            Some(secs) => h.clock.advance_secs(secs),
            None => {
                assert_eq!(r.status, 401, "{:?}", r.body_json());
                answered += 1;
                h.clock.advance_secs(1);
            }
        }
    }
    answered
}

#[test]
fn register_answers_no_more_guesses_an_hour_than_sign_in() {
    let via_sign_in = {
        let h = harness(&[]);
        h.registered("a@b.co", "correct horse");
        answered_guesses_per_hour(&h, LOGIN, "a@b.co")
    };
    let via_register = {
        let h = harness(&[]);
        h.registered("a@b.co", "correct horse");
        answered_guesses_per_hour(&h, REGISTER, "a@b.co")
    };
    println!(
        "[finding 3] guesses answered in one hour: sign-in {via_sign_in}, register {via_register}"
    );
    assert_eq!(via_sign_in, 30);
    assert_eq!(via_register, via_sign_in);
}

// ---- finding 5a: a request refused by one counter does not consume the other ----

#[test]
fn requests_refused_by_the_ip_counter_do_not_count_against_the_email() {
    let h = harness(&[(
        "RATE_LIMITS",
        r#"{"authenticate": {"ip": {"limit": 3, "window": "1m"}}}"#,
    )]);
    h.registered("a@b.co", "correct horse");
    let mut statuses = Vec::new();
    for _ in 0..10 {
        statuses.push(attempt(&h, LOGIN, "203.0.113.7", "a@b.co", "wrong horse!").status);
    }
    assert_eq!(statuses, [401, 401, 401, 429, 429, 429, 429, 429, 429, 429]);
    // Only the three answered guesses counted: the owner, elsewhere, makes a typo and still gets in.
    assert_eq!(
        attempt(&h, LOGIN, "198.51.100.1", "a@b.co", "wrong horse!").status,
        401
    );
    h.token(&attempt(
        &h,
        LOGIN,
        "198.51.100.1",
        "a@b.co",
        "correct horse",
    ));
}

#[test]
fn registrations_refused_by_the_ip_counter_do_not_count_against_the_email() {
    let h = harness(&[(
        "RATE_LIMITS",
        r#"{"register": {"ip": {"limit": 1, "window": "1m"}}}"#,
    )]);
    // A password the policy refuses: nothing is created, but each answered request is counted.
    let mut statuses = Vec::new();
    for _ in 0..8 {
        statuses.push(attempt(&h, REGISTER, "203.0.113.7", "new@b.co", "short").status);
    }
    assert_eq!(statuses, [401, 429, 429, 429, 429, 429, 429, 429]);
    // The email's registration counter saw one request, not eight: another client may still register it.
    h.token(&attempt(
        &h,
        REGISTER,
        "198.51.100.1",
        "new@b.co",
        "correct horse",
    ));
}

// ---- finding 5b: the owner's known device is exempt from the email's block ----

#[test]
fn a_successful_sign_in_sets_a_host_only_http_only_device_cookie() {
    let h = harness(&[]);
    h.registered("a@b.co", "correct horse");
    let r = attempt(&h, LOGIN, "198.51.100.1", "a@b.co", "correct horse");
    let set = r.header("set-cookie").unwrap();
    let value = device_cookie(&r);
    assert_eq!(
        set,
        format!(
            "{DEVICE_COOKIE}={value}; Max-Age=2592000; Path=/; HttpOnly; Secure; SameSite=Strict"
        )
    );
    // A failed sign-in sets nothing.
    let failed = attempt(&h, LOGIN, "198.51.100.1", "a@b.co", "wrong horse!");
    assert_eq!(failed.header("set-cookie"), None);
}

#[test]
fn the_owner_with_a_known_device_signs_in_while_the_email_is_locked() {
    let h = harness(&[]);
    let ips = Ips::new();
    h.registered("a@b.co", "correct horse");
    let cookie = device_cookie(&attempt(&h, LOGIN, &ips.next(), "a@b.co", "correct horse"));
    // An attacker locks the email.
    for _ in 0..5 {
        attempt(&h, LOGIN, &ips.next(), "a@b.co", "wrong horse!");
    }
    assert_limited(
        &attempt(&h, LOGIN, &ips.next(), "a@b.co", "wrong horse!"),
        60,
    );
    // Without the cookie the owner waits like everyone...
    assert_limited(
        &attempt(&h, LOGIN, &ips.next(), "a@b.co", "correct horse"),
        60,
    );
    // ...with it, a typo is answered and the right password gets in.
    assert_eq!(
        with_device(&h, &ips.next(), &cookie, "a@b.co", "wrong horse!").status,
        401
    );
    let r = with_device(&h, &ips.next(), &cookie, "a@b.co", "correct horse");
    h.token(&r);
    // The same browser keeps its device id: the cookie it gets back still works.
    let renewed = device_cookie(&r);
    assert_eq!(renewed.split('.').next(), cookie.split('.').next());
    // The email itself stays blocked for everyone else.
    assert_limited(
        &attempt(&h, LOGIN, &ips.next(), "a@b.co", "correct horse"),
        60,
    );
}

#[test]
fn a_stolen_device_cookie_has_its_own_counter_with_backoff() {
    let h = harness(&[]);
    let ips = Ips::new();
    h.registered("a@b.co", "correct horse");
    let cookie = device_cookie(&attempt(&h, LOGIN, &ips.next(), "a@b.co", "correct horse"));
    for _ in 0..5 {
        assert_eq!(
            with_device(&h, &ips.next(), &cookie, "a@b.co", "wrong horse!").status,
            401
        );
    }
    assert_limited(
        &with_device(&h, &ips.next(), &cookie, "a@b.co", "correct horse"),
        60,
    );
    h.clock.advance_secs(60);
    for _ in 0..5 {
        assert_eq!(
            with_device(&h, &ips.next(), &cookie, "a@b.co", "wrong horse!").status,
            401
        );
    }
    assert_limited(
        &with_device(&h, &ips.next(), &cookie, "a@b.co", "wrong horse!"),
        120,
    );
    // The cookie's failures were not the email's: a browser without it still has its five tries.
    for _ in 0..5 {
        assert_eq!(
            attempt(&h, LOGIN, &ips.next(), "a@b.co", "wrong horse!").status,
            401
        );
    }
    assert_limited(
        &attempt(&h, LOGIN, &ips.next(), "a@b.co", "wrong horse!"),
        60,
    );
}

#[test]
fn a_device_cookie_does_not_lift_the_ip_limit() {
    let h = harness(&[(
        "RATE_LIMITS",
        r#"{"authenticate": {"ip": {"limit": 3, "window": "1m"}}}"#,
    )]);
    h.registered("a@b.co", "correct horse");
    let cookie = device_cookie(&attempt(
        &h,
        LOGIN,
        "203.0.113.7",
        "a@b.co",
        "correct horse",
    ));
    for _ in 0..2 {
        assert_eq!(
            with_device(&h, "203.0.113.7", &cookie, "a@b.co", "wrong horse!").status,
            401
        );
    }
    assert_limited(
        &with_device(&h, "203.0.113.7", &cookie, "a@b.co", "correct horse"),
        60,
    );
}

#[test]
fn device_cookies_are_bound_to_their_email_identity_and_key() {
    let h = harness(&[]);
    let ips = Ips::new();
    let first = h.registered("a@b.co", "correct horse");
    h.registered("c@b.co", "correct horse");
    let cookie = device_cookie(&attempt(&h, LOGIN, &ips.next(), "a@b.co", "correct horse"));
    let lock = |email: &str| {
        for _ in 0..6 {
            attempt(&h, LOGIN, &ips.next(), email, "wrong horse!");
        }
    };
    // Another email: the cookie is nobody's there.
    lock("c@b.co");
    assert_limited(
        &with_device(&h, &ips.next(), &cookie, "c@b.co", "correct horse"),
        60,
    );
    // Tampered, truncated or empty.
    lock("a@b.co");
    let mut tampered = cookie.clone().into_bytes();
    let inside_mac = tampered.len() - 10;
    tampered[inside_mac] = if tampered[inside_mac] == b'A' {
        b'B'
    } else {
        b'A'
    };
    let tampered = String::from_utf8(tampered).unwrap();
    for forged in [
        tampered.as_str(),
        &cookie[..cookie.len() - 3],
        "",
        "x.y.z.w",
    ] {
        assert_limited(
            &with_device(&h, &ips.next(), forged, "a@b.co", "correct horse"),
            60,
        );
    }
    // Signed under another JWT_SECRET.
    let other = harness(&[("JWT_SECRET", "another-secret-0123456789abcdef-xyz")]);
    other.registered("a@b.co", "correct horse");
    let foreign = device_cookie(&attempt(
        &other,
        LOGIN,
        "198.51.100.9",
        "a@b.co",
        "correct horse",
    ));
    assert_limited(
        &with_device(&h, &ips.next(), &foreign, "a@b.co", "correct horse"),
        60,
    );
    // The identity is deleted and the email registered again by someone else: the old browser is a stranger.
    h.clock.advance_secs(60);
    let id = h.claims(&first).auth_identity_id;
    block_on(h.app.service.delete_auth_identities(&[id])).unwrap();
    h.registered("a@b.co", "another horse");
    lock("a@b.co");
    assert_limited(
        &with_device(&h, &ips.next(), &cookie, "a@b.co", "another horse"),
        120,
    );
}

#[test]
fn device_cookies_expire() {
    let h = harness(&[]);
    let ips = Ips::new();
    h.registered("a@b.co", "correct horse");
    let cookie = device_cookie(&attempt(&h, LOGIN, &ips.next(), "a@b.co", "correct horse"));
    h.clock.advance_secs(30 * 86_400);
    for _ in 0..6 {
        attempt(&h, LOGIN, &ips.next(), "a@b.co", "wrong horse!");
    }
    assert_limited(
        &with_device(&h, &ips.next(), &cookie, "a@b.co", "correct horse"),
        60,
    );
}

#[test]
fn without_a_device_counter_the_cookie_is_ignored() {
    let h = harness(&[("RATE_LIMITS", r#"{"authenticate": {"device": null}}"#)]);
    let ips = Ips::new();
    h.registered("a@b.co", "correct horse");
    let r = attempt(&h, LOGIN, &ips.next(), "a@b.co", "correct horse");
    assert_eq!(r.header("set-cookie"), None);
    for _ in 0..6 {
        attempt(&h, LOGIN, &ips.next(), "a@b.co", "wrong horse!");
    }
    let forged = "AAAAAAAAAAAAAAAAAAAAAA.x.9999999999.AAAA";
    assert_limited(
        &with_device(&h, &ips.next(), forged, "a@b.co", "correct horse"),
        60,
    );
}
