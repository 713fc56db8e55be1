//! Known-device cookies: the owner's browser is exempt from the email's block, with a bounded counter of
//! its own (`docs/http-api.md#rate-limits`).

use super::lockout::{
    DEVICE_COOKIE, Ips, LOGIN, assert_limited, attempt, device_cookie, with_device,
};
use crate::*;

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
fn each_device_has_a_counter_of_its_own() {
    let h = harness(&[]);
    let ips = Ips::new();
    h.registered("a@b.co", "correct horse");
    // Two browsers of the owner: each successful sign-in without a cookie names a new device.
    let laptop = device_cookie(&attempt(&h, LOGIN, &ips.next(), "a@b.co", "correct horse"));
    let phone = device_cookie(&attempt(&h, LOGIN, &ips.next(), "a@b.co", "correct horse"));
    assert_ne!(laptop.split('.').next(), phone.split('.').next());
    for _ in 0..5 {
        with_device(&h, &ips.next(), &laptop, "a@b.co", "wrong horse!");
    }
    assert_limited(
        &with_device(&h, &ips.next(), &laptop, "a@b.co", "correct horse"),
        60,
    );
    // The laptop's failures are not the phone's.
    assert_eq!(
        with_device(&h, &ips.next(), &phone, "a@b.co", "wrong horse!").status,
        401
    );
    h.token(&with_device(
        &h,
        &ips.next(),
        &phone,
        "a@b.co",
        "correct horse",
    ));
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
