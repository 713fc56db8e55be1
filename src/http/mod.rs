//! Medusa's HTTP auth routes as a pure function from request to response, so the whole API is tested
//! natively; the Worker boundary only converts types.

mod admin;
mod body;
mod change_password;
mod cors;
mod dev_outbox;
mod discovery;
mod issue;
mod oauth;
mod rate_limit;
mod reset;
mod response;
mod routes;
mod session;

pub use body::{BodyCollector, MAX_BODY_BYTES, parse_query};
pub use response::{HttpResponse, misconfigured};

use crate::clock::Clock;
use crate::config::Config;
use crate::guard::{Guard, MemoryGuard};
use crate::providers::emailpass::EmailPass;
use crate::runtime::{Recorder, Runtime, Task};
use crate::service::AuthModuleService;
use crate::store::KvStore;
use std::cell::RefCell;
use std::rc::Rc;

/// A request as the Worker received it. Header names are lower-case.
#[derive(Debug, Clone, Default)]
pub struct HttpRequest {
    pub method: String,
    /// The full URL, e.g. `https://auth.example/auth/customer/emailpass?x=1`.
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpRequest {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// `(scheme, path, query)` of the URL; the path starts with `/`.
    pub fn url_parts(&self) -> (&str, &str, &str) {
        let (scheme, rest) = self.url.split_once("://").unwrap_or(("", &self.url));
        let after_host = rest.find('/').map_or("/", |i| &rest[i..]);
        let without_fragment = after_host.split('#').next().unwrap_or("/");
        let (path, query) = without_fragment
            .split_once('?')
            .unwrap_or((without_fragment, ""));
        (scheme, path, query)
    }
}

/// Everything a request needs: configuration and the service over its store.
pub struct App {
    pub config: Rc<Config>,
    pub service: AuthModuleService,
    pub clock: Rc<dyn Clock>,
    /// The service's store, for what lives beside identities (sessions, revocations).
    pub store: Rc<dyn KvStore>,
    /// Uniqueness, single use and rate limits ([`crate::guard`]); shared with the service.
    pub guard: Rc<dyn Guard>,
    pub http: Rc<dyn crate::oauth::HttpClient>,
    pub runtime: Rc<dyn Runtime>,
    /// Work to run after the response ([`App::take_tasks`]).
    tasks: RefCell<Vec<Task>>,
}

impl App {
    /// An app without outgoing HTTP: third-party providers are registered but cannot reach their
    /// identity providers (their flows fail with a clear message). The Worker uses
    /// [`App::with_http_client`].
    pub fn new(config: Rc<Config>, store: Rc<dyn KvStore>, clock: Rc<dyn Clock>) -> Self {
        Self::with_http_client(config, store, clock, Rc::new(crate::oauth::Offline))
    }

    /// `emailpass`, plus one provider per configured third party (Google, GitHub, each OIDC entry),
    /// reaching them through `http`. Unconfigured third parties are not registered.
    pub fn with_http_client(
        config: Rc<Config>,
        store: Rc<dyn KvStore>,
        clock: Rc<dyn Clock>,
        http: Rc<dyn crate::oauth::HttpClient>,
    ) -> Self {
        let guard: Rc<dyn Guard> = Rc::new(MemoryGuard::with_clock(clock.clone()));
        let mut service = AuthModuleService::new(store.clone(), clock.clone())
            .with_guard(guard.clone())
            .with_provider(Rc::new(EmailPass::new(config.hasher.clone())));
        for spec in &config.oauth.providers {
            service = service.with_provider(Rc::new(crate::oauth::OAuthProvider::new(
                spec.clone(),
                config.oauth.clone(),
                http.clone(),
            )));
        }
        Self {
            config,
            service,
            clock,
            store,
            guard,
            http,
            runtime: Rc::new(Recorder::default()),
            tasks: RefCell::new(Vec::new()),
        }
    }

    /// Replaces the in-memory guard (the Worker's Durable Object, or its KV fallback).
    pub fn with_guard(mut self, guard: Rc<dyn Guard>) -> Self {
        self.service = self.service.with_guard(guard.clone());
        self.guard = guard;
        self
    }

    /// Replaces the default runtime, which never sleeps and keeps warnings in memory.
    pub fn with_runtime(mut self, runtime: Rc<dyn Runtime>) -> Self {
        self.runtime = runtime;
        self
    }

    /// Queues work to run after the response.
    pub fn spawn(&self, task: Task) {
        self.tasks.borrow_mut().push(task);
    }

    /// The work queued while handling requests; the Worker hands it to `ctx.waitUntil`.
    pub fn take_tasks(&self) -> Vec<Task> {
        std::mem::take(&mut *self.tasks.borrow_mut())
    }
}

/// Answers one request. Never panics on input; every client mistake is a 4xx with a message.
pub async fn handle(app: &App, req: &HttpRequest) -> HttpResponse {
    let origin = req.header("origin");
    if req.method == "OPTIONS" {
        return cors::preflight(&app.config, origin);
    }
    let mut response = routes::route(app, req).await;
    if let Some(line) = response.log.take() {
        app.runtime.warn(&line);
    }
    cors::decorate(&app.config, origin, &mut response);
    response
}

/// What the native suites below and `oauth::tests` share.
#[cfg(test)]
pub(crate) mod test_support;

#[cfg(test)]
mod tests;

#[cfg(test)]
mod account_tests;
/// The routes behind the sign-in page (`www/`): discovery, the dev outbox, change-password.
#[cfg(test)]
mod page_tests;
/// IPv6 buckets, callback limits, 503s, redacted identities, configuration answers (issue 12).
#[cfg(test)]
mod security_tests;

/// The whole request parser, [`handle`], on arbitrary requests: no panic and no 5xx from any method,
/// path, query, header or body; JSON bodies of any shape; and the session cookie among any others.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod proptests {
    use super::account_tests::{ADMIN, harness};
    use super::test_support::{ORIGIN, request};
    use crate::proptest_config::with_cases;
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
}
