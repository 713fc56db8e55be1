//! Native tests of the hardening of issue 12 that lives in the HTTP layer: IPv6 rate-limit buckets,
//! callback limits, 503 answers without internal text, identities without third-party tokens, and
//! configuration errors that name the variable only.

use crate::kit::{ORIGIN, TestApp, assert_error, config};
use crate::{ADMIN, harness};
use async_trait::async_trait;
use edge_auth::account::config::{LimitedRoute, RateLimits};
use edge_auth::guard::client_ip;
use edge_auth::http::*;
use edge_auth::model::{CreateAuthIdentity, CreateProviderIdentity};
use edge_auth::ports::runtime::Recorder;
use edge_auth::store::{KeyPage, KvStore, MemoryStore, StoreError};
use futures::executor::block_on;
use serde_json::{Value, json};
use std::cell::Cell;
use std::rc::Rc;

fn login_from(h: &TestApp, ip: &str, email: &str) -> HttpResponse {
    h.post(
        "/auth/customer/emailpass",
        json!({"email": email, "password": "wrong horse!"}),
        &[("cf-connecting-ip", ip)],
    )
}

/// Statuses of one failed login from each of `ips`, each for another email (no identifier limit).
fn statuses(h: &TestApp, ips: impl IntoIterator<Item = String>) -> Vec<u16> {
    ips.into_iter()
        .enumerate()
        .map(|(i, ip)| login_from(h, &ip, &format!("u{i}@{}.example", ip.len())).status)
        .collect()
}

fn count(statuses: &[u16], status: u16) -> usize {
    statuses.iter().filter(|s| **s == status).count()
}

#[test]
fn forty_addresses_of_one_ipv6_64_share_one_per_ip_counter() {
    let h = harness(&[]);
    // The default sign-in limit is 30 per minute per IP.
    let one_net = (1..=40).map(|i| format!("2001:db8:1:2:{i:x}:{:x}:0:1", (i * 7919) % 0x10000));
    let seen = statuses(&h, one_net);
    assert_eq!((count(&seen, 401), count(&seen, 429)), (30, 10), "{seen:?}");
    // The neighbouring /64 has a counter of its own.
    assert_eq!(login_from(&h, "2001:db8:1:3::1", "n@b.co").status, 401);
    // IPv4 addresses are counted one by one.
    let seen = statuses(&h, (1..=31).map(|i| format!("203.0.113.{i}")));
    assert_eq!(count(&seen, 401), 31, "{seen:?}");
}

#[test]
fn the_ipv6_prefix_is_configurable() {
    let h = harness(&[("RATE_LIMITS", r#"{"ipv6_prefix": 48}"#)]);
    // 2001:db8:1:0::/64 … 2001:db8:1:1f::/64: one /48.
    let seen = statuses(&h, (0..31).map(|i| format!("2001:db8:1:{i:x}::1")));
    assert_eq!((count(&seen, 401), count(&seen, 429)), (30, 1), "{seen:?}");
    assert_eq!(login_from(&h, "2001:db8:2::1", "n@b.co").status, 401);
    for bad in ["16", "129", "\"64\"", "-1"] {
        let e = RateLimits::parse(&format!(r#"{{"ipv6_prefix": {bad}}}"#)).unwrap_err();
        assert!(e.message.contains("ipv6_prefix"), "{bad}: {}", e.message);
    }
    assert_eq!(
        RateLimits::parse("{}").unwrap().ipv6_prefix,
        client_ip::DEFAULT_IPV6_PREFIX
    );
}

#[test]
fn malformed_client_ips_share_one_counter_instead_of_one_each() {
    let h = harness(&[]);
    let junk = (0..31).map(|i| format!("not-an-ip-{i}"));
    let seen = statuses(&h, junk);
    assert_eq!((count(&seen, 401), count(&seen, 429)), (30, 1), "{seen:?}");
    // A well-formed address is not in that bucket.
    assert_eq!(login_from(&h, "198.51.100.1", "n@b.co").status, 401);
}

#[test]
fn callbacks_have_a_per_ip_limit_and_no_identifier_counter() {
    let limits = RateLimits::defaults().route(LimitedRoute::Callback);
    assert_eq!(limits.ip, Some(edge_auth::guard::Rule::new(30, 60)));
    assert_eq!(limits.identifier, None);
    let e = RateLimits::parse(r#"{"callback": {"identifier": {"limit": 1, "window": 60}}}"#)
        .unwrap_err();
    assert!(e.message.contains("callback"), "{}", e.message);
    assert!(RateLimits::parse(r#"{"callback": {"ip": {"limit": 5, "window": "1m"}}}"#).is_ok());
}

/// A store whose reads fail on demand, with an error text that must never reach a client.
struct Flaky {
    inner: Rc<MemoryStore>,
    failing: Cell<bool>,
}

const INTERNAL: &str = "KV get failed: internal error; reference = 7f3a…";

impl Flaky {
    fn check(&self) -> Result<(), StoreError> {
        match self.failing.get() {
            true => Err(StoreError(INTERNAL.into())),
            false => Ok(()),
        }
    }
}

#[async_trait(?Send)]
impl KvStore for Flaky {
    async fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.check()?;
        self.inner.get(key).await
    }
    async fn put(&self, key: &str, value: &str, ttl: Option<u64>) -> Result<(), StoreError> {
        self.inner.put(key, value, ttl).await
    }
    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.inner.delete(key).await
    }
    async fn list(&self, p: &str, c: Option<&str>, l: u32) -> Result<KeyPage, StoreError> {
        self.check()?;
        self.inner.list(p, c, l).await
    }
}

#[test]
fn a_503_says_nothing_about_the_storage_and_the_log_gets_the_detail() {
    let runtime = Rc::new(Recorder::default());
    let flaky = std::cell::OnceCell::new();
    let h = TestApp::new(ORIGIN, 1_800_000_000_000, |store, clock| {
        let store = Rc::new(Flaky {
            inner: store,
            failing: Cell::new(false),
        });
        let _ = flaky.set(store.clone());
        App::new(config(&[("ADMIN_SECRET", ADMIN)]), store, clock).with_runtime(runtime.clone())
    });
    let token = h.registered("a@b.co", "correct horse");
    flaky.get().unwrap().failing.set(true);
    let admin = format!("Bearer {ADMIN}");
    let id = h.claims(&token).auth_identity_id;
    let item = format!("/admin/auth-identities/{id}");
    for response in [
        h.refresh(&token),
        h.send(
            "GET",
            "/admin/auth-identities",
            &[("authorization", &admin)],
            b"",
        ),
        h.send("GET", &item, &[("authorization", &admin)], b""),
    ] {
        assert_error(&response, 503, "unexpected_state", UNAVAILABLE);
    }
    let warnings = runtime.warnings.borrow();
    assert_eq!(warnings.len(), 3, "{warnings:?}");
    assert!(
        warnings.iter().all(|w| w.contains(INTERNAL)),
        "{warnings:?}"
    );
}

/// A GitHub identity as the flow stores it: tokens in `provider_metadata`.
fn github_identity(h: &TestApp) -> String {
    let created = block_on(
        h.app
            .service
            .create_auth_identities(vec![CreateAuthIdentity {
                provider_identities: vec![CreateProviderIdentity {
                    entity_id: "4242".into(),
                    provider: "github".into(),
                    provider_metadata: json!({
                        "access_token": "gho_s3cretAccess", "refresh_token": "ghr_s3cretRefresh",
                        "access_token_expires_at": "2027-01-15T16:00:00.000Z",
                    })
                    .as_object()
                    .cloned(),
                    ..Default::default()
                }],
                ..Default::default()
            }]),
    )
    .unwrap();
    created[0].id.clone()
}

#[test]
fn http_answers_never_carry_provider_tokens_but_the_module_api_does() {
    let h = harness(&[]);
    let id = github_identity(&h);
    let admin = format!("Bearer {ADMIN}");
    let auth = [("authorization", admin.as_str())];
    let patch = [
        ("authorization", admin.as_str()),
        ("content-type", "application/json"),
    ];
    let item = format!("/admin/auth-identities/{id}");
    let answers = [
        h.send("GET", &item, &auth, b""),
        h.send("GET", "/admin/auth-identities", &auth, b""),
        h.send(
            "GET",
            "/admin/auth-identities?provider=github&entity_id=4242",
            &auth,
            b"",
        ),
        h.send(
            "PATCH",
            &item,
            &patch,
            br#"{"app_metadata":{"customer_id":"cus_1"}}"#,
        ),
    ];
    for r in &answers {
        assert_eq!(r.status, 200, "{:?}", r.body_json());
        let text = String::from_utf8(r.body.clone()).unwrap();
        for secret in ["s3cret", "access_token\"", "refresh_token\""] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
        // What is not a credential stays.
        assert!(text.contains("access_token_expires_at"), "{text}");
    }
    let kept = block_on(h.app.service.retrieve_auth_identity(&id)).unwrap();
    let meta = kept.provider_identities[0]
        .provider_metadata
        .as_ref()
        .unwrap();
    assert_eq!(meta["access_token"], "gho_s3cretAccess");
    assert_eq!(meta["refresh_token"], "ghr_s3cretRefresh");
}

#[test]
fn a_configuration_error_answers_the_variable_only_and_logs_no_secret() {
    for (var, value) in [
        (
            "RESET_PASSWORD_WEBHOOK_URL",
            "http://hooks.example/reset?token=s3cret",
        ),
        (
            "RESET_PASSWORD_WEBHOOK_URL",
            "https://ops:s3cret@hooks.example/reset",
        ),
        (
            "RESET_PASSWORD_WEBHOOK_URL",
            "ftp://hooks.example/s3cret/path",
        ),
        (
            "GOOGLE_CALLBACK_URL",
            "http://ops:s3cret@shop.example/cb?key=s3cret",
        ),
        (
            "ALLOWED_REDIRECT_URLS",
            "https://shop.example/a#s3cret,javascript:s3cret",
        ),
        ("AUTH_CORS", "https://shop.example/?key=s3cret"),
    ] {
        let vars = [
            ("JWT_SECRET", "0123456789abcdef0123456789abcdef"),
            (
                "RESET_PASSWORD_WEBHOOK_SECRET",
                "whsec-0123456789abcdef0123456789ab",
            ),
            ("RESET_PASSWORD_WEBHOOK_URL", "https://hooks.example/reset"),
            ("GOOGLE_CLIENT_ID", "g"),
            ("GOOGLE_CLIENT_SECRET", "g-secret"),
            ("GOOGLE_CALLBACK_URL", "https://shop.example/cb"),
            (var, value),
        ];
        let e = edge_auth::config::Config::from_vars(crate::kit::lookup(&vars)).unwrap_err();
        assert_eq!(e.var, var, "{value}");
        let log_line = e.to_string();
        assert!(!log_line.contains("s3cret"), "{log_line}");
        let answer = misconfigured(&e);
        assert_eq!(
            (answer.status, answer.body_json()),
            (
                500,
                Some(json!({
                    "type": "unexpected_state",
                    "message": format!("Invalid configuration: {var}; see the Worker's logs"),
                }))
            )
        );
        assert!(
            !Value::from(answer.body_json())
                .to_string()
                .contains("s3cret")
        );
    }
}

#[test]
fn medusas_words_for_a_half_configured_provider_reach_the_log_only() {
    let vars = [
        ("JWT_SECRET", "0123456789abcdef0123456789abcdef"),
        ("GITHUB_CLIENT_ID", "gh-client"),
        ("GITHUB_CALLBACK_URL", "https://shop.example/cb"),
    ];
    let e = edge_auth::config::Config::from_vars(crate::kit::lookup(&vars)).unwrap_err();
    assert_eq!(
        e.to_string(),
        "Invalid configuration: GITHUB_CLIENT_SECRET: Github clientSecret is required"
    );
    assert_error(
        &misconfigured(&e),
        500,
        "unexpected_state",
        "Invalid configuration: GITHUB_CLIENT_SECRET; see the Worker's logs",
    );
}
