//! What the native suites that drive [`handle`] share (`tests/http_api.rs`, `tests/account/`,
//! `tests/sign_in_page.rs`, `tests/oauth/`): a configuration from variables, an app over a memory store and a
//! frozen clock, requests, and reading the answers. Each suite keeps its own variables, fakes and helpers.

use edge_auth::config::Config;
use edge_auth::http::{App, HttpRequest, HttpResponse, handle};
use edge_auth::ports::clock::{Clock, ManualClock};
use edge_auth::store::MemoryStore;
use edge_auth::token;
use futures::executor::block_on;
use serde_json::{Value, json};
use std::rc::Rc;

pub const SECRET: &str = "0123456789abcdef0123456789abcdef";
/// 2027-01-15T08:00:00Z.
pub const NOW_MS: u64 = 1_800_000_000_000;
/// Where requests go unless a suite says otherwise.
pub const ORIGIN: &str = "https://auth.example";

/// Reads a variable from `vars`; of two with the same name, the later wins.
pub fn lookup<'a>(vars: &'a [(&str, &str)]) -> impl Fn(&str) -> Option<String> + 'a {
    move |name| {
        vars.iter()
            .rev()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.to_string())
    }
}

/// `JWT_SECRET` = [`SECRET`] and a fast `PBKDF2_ITERATIONS`, then `vars` (the later of two wins; an empty
/// value is no value, as in the Worker).
pub fn config(vars: &[(&str, &str)]) -> Rc<Config> {
    let base = [("JWT_SECRET", SECRET), ("PBKDF2_ITERATIONS", "1000")];
    Rc::new(Config::from_vars(lookup(&[&base[..], vars].concat())).unwrap())
}

/// A request to the full `url`; header names as given.
pub fn request(method: &str, url: &str, headers: &[(&str, &str)], body: &[u8]) -> HttpRequest {
    HttpRequest {
        method: method.into(),
        url: url.into(),
        headers: headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        body: body.to_vec(),
    }
}

/// An app over a memory store and a clock frozen at a given time, answering requests to one origin.
pub struct TestApp {
    pub app: App,
    pub clock: Rc<ManualClock>,
    pub store: Rc<MemoryStore>,
    origin: &'static str,
}

impl TestApp {
    /// `build` makes the app over the store and the clock; [`TestApp::send`] prefixes paths with `origin`.
    pub fn new(
        origin: &'static str,
        now_ms: u64,
        build: impl FnOnce(Rc<MemoryStore>, Rc<ManualClock>) -> App,
    ) -> Self {
        let clock = Rc::new(ManualClock::new(now_ms));
        let store = Rc::new(MemoryStore::with_clock(clock.clone()));
        Self {
            app: build(store.clone(), clock.clone()),
            clock,
            store,
            origin,
        }
    }

    /// An app built elsewhere (e.g. over a store other than `store`), answering requests to `origin`.
    pub fn with_app(
        origin: &'static str,
        app: App,
        clock: Rc<ManualClock>,
        store: Rc<MemoryStore>,
    ) -> Self {
        Self {
            app,
            clock,
            store,
            origin,
        }
    }

    /// Answers `request`; the work it queued runs right after the response, as `waitUntil` would.
    pub fn handle(&self, request: &HttpRequest) -> HttpResponse {
        let response = block_on(handle(&self.app, request));
        for task in self.app.take_tasks() {
            block_on(task);
        }
        response
    }

    pub fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> HttpResponse {
        let url = format!("{}{path}", self.origin);
        self.handle(&request(method, &url, headers, body))
    }

    /// A JSON `POST`, with `headers` after its content type.
    pub fn post(&self, path: &str, body: Value, headers: &[(&str, &str)]) -> HttpResponse {
        let mut all = vec![("content-type", "application/json")];
        all.extend_from_slice(headers);
        self.send("POST", path, &all, body.to_string().as_bytes())
    }

    /// A JSON `POST` with `Authorization: Bearer <token>`.
    pub fn post_as(&self, path: &str, body: Value, token: &str) -> HttpResponse {
        self.post(path, body, &[("authorization", &format!("Bearer {token}"))])
    }

    pub fn register(&self, email: &str, password: &str) -> HttpResponse {
        self.post(
            "/auth/customer/emailpass/register",
            json!({"email": email, "password": password}),
            &[],
        )
    }

    /// Registers `email` and returns its token.
    pub fn registered(&self, email: &str, password: &str) -> String {
        self.token(&self.register(email, password))
    }

    pub fn login(&self, email: &str, password: &str) -> HttpResponse {
        self.post(
            "/auth/customer/emailpass",
            json!({"email": email, "password": password}),
            &[],
        )
    }

    pub fn refresh(&self, token: &str) -> HttpResponse {
        let auth = format!("Bearer {token}");
        self.send(
            "POST",
            "/auth/token/refresh",
            &[("authorization", &auth)],
            b"",
        )
    }

    /// The token of a `200 {token}` answer.
    pub fn token(&self, response: &HttpResponse) -> String {
        assert_eq!(response.status, 200, "{:?}", response.body_json());
        response.body_json().unwrap()["token"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// The verified claims of `token`, at the clock's time.
    pub fn claims(&self, token: &str) -> token::Claims {
        let signer = self.app.config.token_signer();
        block_on(signer.verify(token, self.clock.now_secs())).unwrap()
    }

    /// The verified claims of the token of a `200 {token}` answer.
    pub fn claims_of(&self, response: &HttpResponse) -> token::Claims {
        self.claims(&self.token(response))
    }

    /// Links an actor, as the app does after creating its customer.
    pub fn link_customer(&self, auth_identity_id: &str, customer_id: &str) {
        block_on(self.app.service.update_auth_identities(vec![
            edge_auth::model::UpdateAuthIdentity {
                id: auth_identity_id.into(),
                app_metadata: json!({ "customer_id": customer_id }).as_object().cloned(),
            },
        ]))
        .unwrap();
    }

    /// `email` no longer signs in with `old`, and does with `new`.
    pub fn assert_password_changed(&self, email: &str, old: &str, new: &str) {
        assert_error(
            &self.login(email, old),
            401,
            "unauthorized",
            "Invalid email or password",
        );
        self.token(&self.login(email, new));
    }
}

pub fn assert_error(response: &HttpResponse, status: u16, kind: &str, message: &str) {
    assert_eq!(
        (response.status, response.body_json()),
        (status, Some(json!({"type": kind, "message": message})))
    );
}

pub fn assert_bare_unauthorized(response: &HttpResponse) {
    assert_eq!(
        (response.status, response.body_json()),
        (401, Some(json!({"message": "Unauthorized"})))
    );
}
