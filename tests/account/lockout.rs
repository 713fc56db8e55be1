//! Lockout economics: register's password retry counts as a sign-in and refused requests count nowhere
//! (`docs/http-api.md#rate-limits`); the helpers here serve `known_devices.rs` too.

use crate::*;

pub(super) const REGISTER: &str = "/auth/customer/emailpass/register";
pub(super) const LOGIN: &str = "/auth/customer/emailpass";
pub(super) const DEVICE_COOKIE: &str = "__Host-edge-auth-device";

/// A fresh client address per call, so only the per-identifier counters decide (a botnet).
pub(super) struct Ips(std::cell::Cell<u32>);

impl Ips {
    pub(super) fn new() -> Self {
        Self(std::cell::Cell::new(0))
    }
    pub(super) fn next(&self) -> String {
        self.0.set(self.0.get() + 1);
        let n = self.0.get();
        format!("10.{}.{}.{}", n >> 16 & 255, n >> 8 & 255, n & 255)
    }
}

pub(super) fn attempt(
    h: &Harness,
    path: &str,
    ip: &str,
    email: &str,
    password: &str,
) -> HttpResponse {
    h.post(
        path,
        json!({"email": email, "password": password}),
        &[("cf-connecting-ip", ip)],
    )
}

pub(super) fn with_device(
    h: &Harness,
    ip: &str,
    cookie: &str,
    email: &str,
    password: &str,
) -> HttpResponse {
    let header = format!("{DEVICE_COOKIE}={cookie}");
    h.post(
        LOGIN,
        json!({"email": email, "password": password}),
        &[("cf-connecting-ip", ip), ("cookie", &header)],
    )
}

pub(super) fn retry_after(r: &HttpResponse) -> Option<u64> {
    (r.status == 429).then(|| r.header("retry-after").unwrap().parse().unwrap())
}

pub(super) fn assert_limited(r: &HttpResponse, secs: u64) {
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
pub(super) fn device_cookie(r: &HttpResponse) -> String {
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
