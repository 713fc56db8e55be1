//! OAuth callback parameters on arbitrary input: no panic and no 5xx, a started flow finishes once, and
//! oversized codes never reach the provider.
//!
//! The callback's parameters on anything a browser can be made to send: no panic and no 5xx for any
//! query, body or cookie at any provider, a state is consumed at most once, and a code over
//! [`MAX_CODE_BYTES`] never reaches the token endpoint.

use crate::kit::{request, with_cases};
use crate::{query_input, started, world};
use edge_auth::contract;
use edge_auth::oauth::provider::MAX_CODE_BYTES;
use proptest::prelude::*;
use proptest::test_runner::TestRunner;

const PROVIDERS: [&str; 3] = ["google", "github", "corp"];

fn value() -> impl Strategy<Value = String> {
    prop_oneof!["[0-9a-f]{64}", "[0-9a-zA-Z_-]{0,40}", any::<String>()]
}

fn query() -> impl Strategy<Value = String> {
    let name = proptest::sample::select(vec![
        "code",
        "state",
        "error",
        "error_description",
        "error_uri",
        "return_to",
        "callback_url",
    ]);
    proptest::collection::vec((name, value()), 0..6).prop_map(|pairs| {
        let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        edge_auth::oauth::form::form_urlencode(&pairs)
    })
}

#[test]
fn any_callback_request_is_answered_without_a_panic_or_a_5xx() {
    let w = world(&[]);
    let provider = proptest::sample::select(PROVIDERS.to_vec());
    let cookie = proptest::option::of(prop_oneof![
        any::<String>(),
        "__Host-edge-auth-oauth=[A-Za-z0-9_-]{0,44}",
    ]);
    let method = proptest::sample::select(vec!["GET", "POST"]);
    let strategy = (provider, query(), cookie, method, any::<String>());
    let mut runner = TestRunner::new(with_cases(256));
    runner
        .run(&strategy, |(provider, query, cookie, method, body)| {
            let url = format!("https://auth.example/auth/customer/{provider}/callback?{query}");
            let mut headers = vec![("content-type", "application/json")];
            if let Some(c) = &cookie {
                headers.push(("cookie", c));
            }
            let r = w.handle(&request(method, &url, &headers, body.as_bytes()));
            prop_assert!(
                r.status < 500,
                "{} {url}: {}",
                r.status,
                String::from_utf8_lossy(&r.body)
            );
            // No flow was started, so no state matches: nothing is sent to any provider.
            prop_assert!(w.idp.seen.borrow().is_empty());
            Ok(())
        })
        .unwrap();
}

/// Against a live state: any code is tried once at most (the state is consumed), and a code over
/// the limit is refused without a request to the provider.
#[test]
fn a_started_flow_is_finished_once_and_oversized_codes_are_never_sent() {
    let w = world(&[]);
    let mut runner = TestRunner::new(with_cases(64));
    let code = prop_oneof![
        "[ -~]{1,64}",
        (1usize..4096).prop_map(|extra| "c".repeat(MAX_CODE_BYTES + extra)),
    ];
    runner
        .run(&code, |code| {
            let s = started(&w.authenticate("github", Default::default()));
            let before = w.idp.seen.borrow().len();
            let first = w.callback(
                "github",
                query_input(&[("code", &code), ("state", &s.state)]),
            );
            let sent = w.idp.seen.borrow().len() - before;
            prop_assert!(!first.success);
            if code.len() > MAX_CODE_BYTES {
                prop_assert_eq!(
                    first.error.as_deref(),
                    Some("Authorization code is too long")
                );
                prop_assert_eq!(sent, 0);
            } else {
                // The canned token endpoint knows no code: one exchange was tried.
                prop_assert_eq!(sent, 1);
            }
            let replay = w.callback(
                "github",
                query_input(&[("code", &code), ("state", &s.state)]),
            );
            prop_assert_eq!(replay.error.as_deref(), Some(contract::NO_STATE_OR_EXPIRED));
            Ok(())
        })
        .unwrap();
}
