//! Native tests of password reset, sessions, revocation, rate limits, strict registration and the admin
//! API, through [`handle`] with a memory store, a memory guard, a frozen clock, a webhook recorder and a
//! runtime that never sleeps. Background work runs right after each response, as `waitUntil` would.
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used)]
// The helpers are `pub` for the suite's modules; they are no API to document.
#![allow(missing_docs)]

#[path = "../kit/mod.rs"]
mod kit;

mod admin;
mod admin_module;
mod admin_reset;
mod admin_verification;
mod concurrency;
mod guard_calls;
mod import;
mod known_devices;
mod locations;
mod lockout;
mod password_costs;
mod proptests;
mod rate_limit;
mod reset;
mod security;
mod session;
mod verification;

use crate::kit::{ORIGIN, TestApp, assert_bare_unauthorized, assert_error, config, request};
use async_trait::async_trait;
use edge_auth::http::*;
use edge_auth::ports::clock::Clock;
use edge_auth::ports::http::{HttpError, IncomingResponse, OutgoingRequest};
use edge_auth::ports::runtime::Recorder;
use edge_auth::store::KvStore;
use edge_auth::store::MemoryStore;
use futures::executor::block_on;
use serde_json::{Value, json};
use std::cell::RefCell;
use std::ops::Deref;
use std::rc::Rc;

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
impl edge_auth::ports::http::HttpClient for Hooks {
    async fn send(&self, request: OutgoingRequest) -> Result<IncomingResponse, HttpError> {
        self.seen.borrow_mut().push(request);
        Ok(IncomingResponse::new(*self.status.borrow(), ""))
    }
}

/// The shared [`TestApp`], with the webhook recorder and the runtime it was built with.
pub struct Harness {
    base: TestApp,
    pub hooks: Rc<Hooks>,
    pub runtime: Rc<Recorder>,
}

impl Deref for Harness {
    type Target = TestApp;
    fn deref(&self) -> &TestApp {
        &self.base
    }
}

/// The reset webhook and the admin API.
pub const ACCOUNT_VARS: [(&str, &str); 3] = [
    ("RESET_PASSWORD_WEBHOOK_URL", "https://hooks.example/reset"),
    ("RESET_PASSWORD_WEBHOOK_SECRET", WEBHOOK_SECRET),
    ("ADMIN_SECRET", ADMIN),
];

/// The reset webhook and the admin API configured, plus `extra` variables.
pub fn harness(extra: &[(&str, &str)]) -> Harness {
    let config = config(&[&ACCOUNT_VARS[..], extra].concat());
    let hooks = Rc::new(Hooks {
        status: RefCell::new(200),
        ..Hooks::default()
    });
    let runtime = Rc::new(Recorder::default());
    let base = TestApp::new(ORIGIN, NOW_MS, |store, clock| {
        App::with_http_client(config, store, clock, hooks.clone()).with_runtime(runtime.clone())
    });
    Harness {
        base,
        hooks,
        runtime,
    }
}

impl Harness {
    /// Registers `a@b.co`, links it to `cus_1`, and returns a token with that actor.
    pub fn customer_token(&self) -> String {
        let registered = self.registered("a@b.co", "correct horse");
        let id = self.claims(&registered).auth_identity_id;
        self.link_customer(&id, "cus_1");
        self.token(&self.refresh(&registered))
    }

    pub fn open_session(&self, token: &str) -> HttpResponse {
        let auth = format!("Bearer {token}");
        self.send("POST", "/auth/session", &[("authorization", &auth)], b"")
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
        self.post_as(
            "/auth/customer/emailpass/update",
            json!({ "password": password }),
            reset_token,
        )
    }
}
