//! Native tests of password reset, sessions, revocation, rate limits, strict registration and the admin
//! API, through [`handle`] with a memory store, a memory guard, a frozen clock, a webhook recorder and a
//! runtime that never sleeps. Background work runs right after each response, as `waitUntil` would.

mod admin;
mod concurrency;
mod rate_limit;
mod reset;
mod session;

use super::*;
use crate::clock::ManualClock;
use crate::oauth::client::{HttpError, IncomingResponse, OutgoingRequest};
use crate::runtime::Recorder;
use crate::store::MemoryStore;
use crate::token;
use async_trait::async_trait;
use futures::executor::block_on;
use serde_json::{Value, json};
use std::cell::RefCell;

pub const SECRET: &str = "0123456789abcdef0123456789abcdef";
pub const WEBHOOK_SECRET: &str = "whsec-0123456789abcdef0123456789ab";
pub const ADMIN: &str = "admin-0123456789abcdef0123456789abcd";
pub const NOW_MS: u64 = 1_800_000_000_500;

/// Records webhook deliveries and answers them with `status`.
#[derive(Default)]
pub struct Hooks {
    pub seen: RefCell<Vec<OutgoingRequest>>,
    pub status: RefCell<u16>,
}

#[async_trait(?Send)]
impl crate::oauth::HttpClient for Hooks {
    async fn send(&self, request: OutgoingRequest) -> Result<IncomingResponse, HttpError> {
        self.seen.borrow_mut().push(request);
        Ok(IncomingResponse::new(*self.status.borrow(), ""))
    }
}

pub struct Harness {
    pub app: App,
    pub clock: Rc<ManualClock>,
    pub store: Rc<MemoryStore>,
    pub hooks: Rc<Hooks>,
    pub runtime: Rc<Recorder>,
}

pub fn harness(extra: &[(&str, &str)]) -> Harness {
    let mut vars: Vec<(String, String)> = vec![
        ("JWT_SECRET".into(), SECRET.into()),
        ("PBKDF2_ITERATIONS".into(), "1000".into()),
        (
            "RESET_PASSWORD_WEBHOOK_URL".into(),
            "https://hooks.example/reset".into(),
        ),
        (
            "RESET_PASSWORD_WEBHOOK_SECRET".into(),
            WEBHOOK_SECRET.into(),
        ),
        ("ADMIN_SECRET".into(), ADMIN.into()),
    ];
    vars.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let config = Config::from_vars(|name| {
        vars.iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .filter(|v| !v.is_empty())
    })
    .unwrap();
    let clock = Rc::new(ManualClock::new(NOW_MS));
    let store = Rc::new(MemoryStore::with_clock(clock.clone()));
    let hooks = Rc::new(Hooks {
        status: RefCell::new(200),
        ..Hooks::default()
    });
    let runtime = Rc::new(Recorder::default());
    let app = App::with_http_client(Rc::new(config), store.clone(), clock.clone(), hooks.clone())
        .with_runtime(runtime.clone());
    Harness {
        app,
        clock,
        store,
        hooks,
        runtime,
    }
}

impl Harness {
    pub fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> HttpResponse {
        let req = HttpRequest {
            method: method.into(),
            url: format!("https://auth.example{path}"),
            headers: headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            body: body.to_vec(),
        };
        let response = block_on(handle(&self.app, &req));
        for task in self.app.take_tasks() {
            block_on(task);
        }
        response
    }

    pub fn post(&self, path: &str, body: Value, headers: &[(&str, &str)]) -> HttpResponse {
        let mut all = vec![("content-type", "application/json")];
        all.extend_from_slice(headers);
        self.send("POST", path, &all, body.to_string().as_bytes())
    }

    pub fn register(&self, email: &str, password: &str) -> HttpResponse {
        self.post(
            "/auth/customer/emailpass/register",
            json!({"email": email, "password": password}),
            &[],
        )
    }

    pub fn login(&self, email: &str, password: &str) -> HttpResponse {
        self.post(
            "/auth/customer/emailpass",
            json!({"email": email, "password": password}),
            &[],
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

    pub fn claims(&self, raw: &str) -> token::Claims {
        token::verify(raw, &self.app.config.jwt_key, self.clock.now_secs()).unwrap()
    }

    pub fn refresh(&self, raw: &str) -> HttpResponse {
        let auth = format!("Bearer {raw}");
        self.send(
            "POST",
            "/auth/token/refresh",
            &[("authorization", &auth)],
            b"",
        )
    }

    /// Links an actor, as the app does after creating its customer.
    pub fn link_customer(&self, auth_identity_id: &str, customer_id: &str) {
        block_on(
            self.app
                .service
                .update_auth_identities(vec![crate::model::UpdateAuthIdentity {
                    id: auth_identity_id.into(),
                    app_metadata: json!({ "customer_id": customer_id }).as_object().cloned(),
                }]),
        )
        .unwrap();
    }

    pub fn request_reset(&self, identifier: &str) -> HttpResponse {
        self.post(
            "/auth/customer/emailpass/reset-password",
            json!({ "identifier": identifier }),
            &[],
        )
    }

    /// The tokens delivered to the webhook so far.
    pub fn delivered_tokens(&self) -> Vec<String> {
        self.hooks
            .seen
            .borrow()
            .iter()
            .map(|r| {
                let body: Value = serde_json::from_slice(&r.body).unwrap();
                body["data"]["token"].as_str().unwrap().to_owned()
            })
            .collect()
    }

    pub fn update_password(&self, reset_token: &str, password: &str) -> HttpResponse {
        let auth = format!("Bearer {reset_token}");
        self.post(
            "/auth/customer/emailpass/update",
            json!({ "password": password }),
            &[("authorization", &auth)],
        )
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
