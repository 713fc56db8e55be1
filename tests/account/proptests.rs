//! The whole request parser, [`edge_auth::http::handle`], on arbitrary requests: no panic and no 5xx from
//! any method, path, query, header or body; JSON bodies of any shape; and the session cookie among any
//! others.

use crate::kit::{ORIGIN, request, with_cases};
use crate::{ADMIN, harness};
use proptest::prelude::*;
use proptest::test_runner::TestRunner;
use serde_json::{Value, json};

const PATHS: [&str; 13] = [
    "/auth/customer/emailpass",
    "/auth/customer/emailpass/register",
    "/auth/customer/emailpass/callback",
    "/auth/customer/emailpass/reset-password",
    "/auth/customer/emailpass/update",
    "/auth/customer/emailpass/change-password",
    "/auth/token/refresh",
    "/auth/session",
    "/auth/providers",
    "/admin/auth-identities",
    "/admin/auth-identities/authid_x",
    "/__dev/outbox",
    "/auth/Customer/%zz/x",
];

fn method() -> impl Strategy<Value = String> {
    prop_oneof![
        proptest::sample::select(vec!["GET", "POST", "PATCH", "DELETE", "OPTIONS", "PUT"])
            .prop_map(str::to_owned),
        "[A-Za-z]{0,8}",
    ]
}

fn path() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => proptest::sample::select(PATHS.to_vec()).prop_map(str::to_owned),
        1 => "(/[a-zA-Z0-9%._~-]{0,12}){0,5}",
    ]
}

fn headers() -> impl Strategy<Value = Vec<(String, String)>> {
    let bearer = prop_oneof![
        "Bearer [A-Za-z0-9._-]{0,80}",
        Just(format!("Bearer {ADMIN}")),
        any::<String>(),
    ];
    (
        proptest::option::of(bearer),
        proptest::option::of(prop_oneof![
            Just("application/json".to_owned()),
            any::<String>()
        ]),
        proptest::option::of(any::<String>()),
        proptest::option::of(any::<String>()),
        proptest::option::of("[0-9]{0,8}"),
    )
        .prop_map(|(auth, ct, cookie, ip, length)| {
            [
                ("authorization", auth),
                ("content-type", ct),
                ("cookie", cookie),
                ("cf-connecting-ip", ip),
                ("content-length", length),
            ]
            .into_iter()
            .filter_map(|(k, v)| v.map(|v| (k.to_owned(), v)))
            .collect()
        })
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<String>().prop_map(Value::from),
        "[a-z]{1,6}@[a-z]{1,6}\\.co".prop_map(Value::from),
    ];
    leaf.prop_recursive(2, 12, 3, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
            proptest::collection::btree_map("[a-z_]{0,10}", inner, 0..3)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Bodies with the fields the routes read, holding values of any type.
fn json_body() -> impl Strategy<Value = Vec<u8>> {
    let fields = [
        "email",
        "password",
        "identifier",
        "app_metadata",
        "callback_url",
    ];
    proptest::collection::btree_map(
        proptest::sample::select(fields.to_vec()),
        json_value(),
        0..5,
    )
    .prop_map(|m| serde_json::to_vec(&m).unwrap())
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![json_body(), proptest::collection::vec(any::<u8>(), 0..128)]
}

#[test]
fn any_request_is_answered_without_a_panic_or_a_5xx() {
    let h = harness(&[("ENVIRONMENT", "development")]);
    let strategy = (method(), path(), any::<String>(), headers(), body());
    let mut runner = TestRunner::new(with_cases(256));
    runner
        .run(&strategy, |(method, path, query, headers, body)| {
            let url = format!("{ORIGIN}{path}?{query}");
            let headers: Vec<(&str, &str)> = headers
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            let response = h.handle(&request(&method, &url, &headers, &body));
            prop_assert!(
                response.status < 500,
                "{} {url}: {}",
                response.status,
                String::from_utf8_lossy(&response.body)
            );
            Ok(())
        })
        .unwrap();
}

#[test]
fn json_bodies_of_any_shape_get_a_clear_answer() {
    let h = harness(&[]);
    let routes = proptest::sample::select(PATHS[..6].to_vec());
    let mut runner = TestRunner::new(with_cases(128));
    runner
        .run(&(routes, json_body()), |(path, body)| {
            let r = h.send("POST", path, &[("content-type", "application/json")], &body);
            prop_assert!(
                matches!(r.status, 200 | 201 | 400 | 401 | 429),
                "{path} {}: {:?}",
                r.status,
                r.body_json()
            );
            // Every error is Medusa's `{type, message}` or the bare `{message}` of a bearer route.
            if r.status >= 400 {
                let body = r.body_json().unwrap();
                prop_assert!(body["message"].is_string(), "{body}");
            }
            Ok(())
        })
        .unwrap();
}

/// The session cookie is found among any other cookies, and no other cookie value opens a session.
#[test]
fn the_session_cookie_is_read_among_any_others() {
    let h = harness(&[]);
    let token = h.customer_token();
    let opened = h.open_session(&token);
    let set_cookie = opened.header("set-cookie").unwrap().to_owned();
    let ours = set_cookie.split(';').next().unwrap().to_owned();
    let other = proptest::collection::vec("[!-:<-~]{1,12}=[!-:<-~]{0,24}", 0..4);
    let mut runner = TestRunner::new(with_cases(128));
    runner
        .run(
            &(other.clone(), other, any::<String>()),
            |(before, after, junk)| {
                let with_ours = [before.clone(), vec![ours.clone()], after.clone()]
                    .concat()
                    .join("; ");
                let r = h.send("GET", "/auth/session", &[("cookie", &with_ours)], b"");
                prop_assert_eq!(r.status, 200);
                prop_assert_eq!(&r.body_json().unwrap()["user"]["actor_id"], &json!("cus_1"));
                let forged = format!("connect.sid={junk}");
                let without = [before, vec![forged], after].concat().join("; ");
                let r = h.send("GET", "/auth/session", &[("cookie", &without)], b"");
                prop_assert_eq!(r.status, 401);
                Ok(())
            },
        )
        .unwrap();
}
