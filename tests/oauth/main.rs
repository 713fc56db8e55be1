//! Native tests of third-party sign-in: canned identity-provider answers, a frozen clock, and fixed
//! test keys (`tests/fixtures/oauth/test-keys.json`) that sign real RS256/ES256 id_tokens.
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used)]
// The helpers are `pub` for the suite's modules; they are no API to document.
#![allow(missing_docs)]

#[path = "../kit/mod.rs"]
mod kit;

mod admin_module;
mod config;
mod github;
mod google;
mod id_token;
mod oidc;
mod proptests;
mod redirect_mode;

use crate::kit::{NOW_MS, ORIGIN, SECRET, TestApp, config, lookup, request};
use async_trait::async_trait;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use edge_auth::config::Config;
use edge_auth::http::{self, App, HttpResponse};
use edge_auth::model::{AuthenticationInput, AuthenticationResponse, ProviderIdentity};
use edge_auth::ports::http::{HttpClient, HttpError, IncomingResponse, OutgoingRequest};
use futures::executor::block_on;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::ops::Deref;
use std::rc::Rc;

pub const NOW: u64 = NOW_MS / 1000;

pub use crate::kit::oauth_keys::{id_token, jwks, jws, key, keys, public, sign_raw};

/// A request as the fake identity provider saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: &'static str,
    pub url: String,
    pub headers: BTreeMap<String, String>,
    pub body: String,
}

impl Seen {
    pub fn form(&self) -> BTreeMap<String, String> {
        http::parse_query(&self.body)
    }
}

type Handler = Box<dyn Fn(&Seen) -> Result<IncomingResponse, HttpError>>;

/// Canned answers by URL, recording every request.
#[derive(Default)]
pub struct FakeIdp {
    routes: RefCell<Vec<(String, Handler)>>,
    pub seen: RefCell<Vec<Seen>>,
}

impl FakeIdp {
    /// Answers requests whose URL (without query) equals `url`; later routes win.
    pub fn on(
        &self,
        url: &str,
        handler: impl Fn(&Seen) -> Result<IncomingResponse, HttpError> + 'static,
    ) {
        self.routes
            .borrow_mut()
            .insert(0, (url.to_owned(), Box::new(handler)));
    }

    pub fn json(&self, url: &str, status: u16, body: Value) {
        self.on(url, move |_| Ok(json_response(status, &body)));
    }

    pub fn requests_to(&self, url: &str) -> Vec<Seen> {
        self.seen
            .borrow()
            .iter()
            .filter(|s| s.url.split('?').next() == Some(url))
            .cloned()
            .collect()
    }
}

pub fn json_response(status: u16, body: &Value) -> IncomingResponse {
    IncomingResponse {
        status,
        status_text: String::new(),
        headers: vec![("content-type".into(), "application/json".into())],
        body: body.to_string().into_bytes(),
    }
}

#[async_trait(?Send)]
impl HttpClient for FakeIdp {
    async fn send(&self, request: OutgoingRequest) -> Result<IncomingResponse, HttpError> {
        let seen = Seen {
            method: request.method.as_str(),
            url: request.url.clone(),
            headers: request.headers.iter().cloned().collect(),
            body: String::from_utf8(request.body.clone()).unwrap(),
        };
        self.seen.borrow_mut().push(seen.clone());
        let path = request.url.split('?').next().unwrap_or("").to_owned();
        let routes = self.routes.borrow();
        match routes.iter().find(|(u, _)| *u == path) {
            Some((_, handler)) => handler(&seen),
            None => Ok(json_response(404, &json!({"error": "no canned answer"}))),
        }
    }
}

/// The shared [`TestApp`] (a memory store, a frozen clock) reaching a fake identity provider.
pub struct World {
    base: TestApp,
    pub idp: Rc<FakeIdp>,
}

impl Deref for World {
    type Target = TestApp;
    fn deref(&self) -> &TestApp {
        &self.base
    }
}

pub const GOOGLE_CALLBACK: &str = "https://someurl.com/auth/google/callback";
pub const GITHUB_CALLBACK: &str = "https://someurl.com/auth/github/callback";
pub const CORP_ISSUER: &str = "https://idp.corp.example";

/// Google (Medusa's test options), GitHub, and an OIDC provider `corp`, plus `extra` variables.
pub fn world(extra: &[(&str, &str)]) -> World {
    let vars = [
        (
            "AUTH_METHODS_PER_ACTOR",
            r#"{"customer":["emailpass","google","github","corp"],"user":["google"]}"#,
        ),
        ("GOOGLE_CLIENT_ID", "test"),
        ("GOOGLE_CLIENT_SECRET", "test-secret"),
        ("GOOGLE_CALLBACK_URL", GOOGLE_CALLBACK),
        ("GITHUB_CLIENT_ID", "gh-client"),
        ("GITHUB_CLIENT_SECRET", "gh-secret"),
        ("GITHUB_CALLBACK_URL", GITHUB_CALLBACK),
        (
            "OIDC_PROVIDERS",
            r#"[{"id":"corp","issuer":"https://idp.corp.example","clientId":"corp-client","clientSecret":"corp-secret","callbackUrl":"https://shop.example/corp/callback"}]"#,
        ),
        (
            "ALLOWED_REDIRECT_URLS",
            "https://shop.example/signed-in,https://shop.example/alt-callback",
        ),
    ];
    let config = config(&[&vars[..], extra].concat());
    let idp = Rc::new(FakeIdp::default());
    let base = TestApp::new(ORIGIN, NOW_MS, |store, clock| {
        App::with_http_client(config, store, clock, idp.clone())
    });
    World { base, idp }
}

/// The query of a URL as a map.
pub fn query_of(url: &str) -> BTreeMap<String, String> {
    http::parse_query(url.split_once('?').map_or("", |(_, q)| q))
}

pub fn query_input(pairs: &[(&str, &str)]) -> AuthenticationInput {
    AuthenticationInput {
        query: pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        ..Default::default()
    }
}

/// `claims` with the fields of `overrides` set, or removed where they are `null`.
pub fn overridden(mut claims: Value, overrides: Value) -> Value {
    for (k, v) in overrides.as_object().unwrap() {
        if v.is_null() {
            claims.as_object_mut().unwrap().remove(k);
        } else {
            claims[k] = v.clone();
        }
    }
    claims
}

/// The provider identity of a successful sign-in, once it is checked to be `entity_id` at `provider` with
/// `user_metadata`.
pub fn assert_signed_in(
    response: AuthenticationResponse,
    provider: &str,
    entity_id: &str,
    user_metadata: Value,
) -> ProviderIdentity {
    assert!(response.success, "{response:?}");
    let pi = response
        .auth_identity
        .unwrap()
        .provider_identities
        .remove(0);
    assert_eq!(pi.entity_id, entity_id);
    assert_eq!(pi.provider, provider);
    assert_eq!(
        Value::Object(pi.user_metadata.clone().unwrap()),
        user_metadata
    );
    pi
}

/// What a started flow sent to the provider.
pub struct Started {
    pub location: String,
    pub state: String,
    pub challenge: String,
    pub nonce: Option<String>,
}

pub fn started(response: &AuthenticationResponse) -> Started {
    let location = response
        .location
        .clone()
        .unwrap_or_else(|| panic!("no location in {response:?}"));
    let q = query_of(&location);
    Started {
        state: q["state"].clone(),
        challenge: q["code_challenge"].clone(),
        nonce: q.get("nonce").cloned(),
        location,
    }
}

impl World {
    pub fn authenticate(
        &self,
        provider: &str,
        input: AuthenticationInput,
    ) -> AuthenticationResponse {
        block_on(self.app.service.authenticate(provider, &input))
    }

    pub fn callback(&self, provider: &str, input: AuthenticationInput) -> AuthenticationResponse {
        block_on(self.app.service.validate_callback(provider, &input))
    }

    /// The provider's callback with `code` for the flow of `state`.
    pub fn code_callback(&self, provider: &str, code: &str, state: &str) -> AuthenticationResponse {
        self.callback(provider, query_input(&[("code", code), ("state", state)]))
    }

    /// `register`, which third-party providers refuse.
    pub fn register_with(&self, provider: &str) -> AuthenticationResponse {
        block_on(
            self.app
                .service
                .register(provider, &AuthenticationInput::default()),
        )
    }

    pub fn start(&self, provider: &str) -> Started {
        let response = self.authenticate(provider, AuthenticationInput::default());
        assert!(response.success, "{response:?}");
        started(&response)
    }

    /// A token endpoint at `url` that checks the PKCE verifier against `challenge` and the code, then
    /// answers `body`.
    pub fn token_endpoint(&self, url: &str, code: &str, challenge: &str, body: Value) {
        let (code, challenge) = (code.to_owned(), challenge.to_owned());
        self.idp.on(url, move |seen| {
            let form = seen.form();
            let verifier = form.get("code_verifier").cloned().unwrap_or_default();
            let pkce_ok = B64URL.encode(Sha256::digest(verifier.as_bytes())) == challenge;
            if form.get("code") != Some(&code) || !pkce_ok {
                return Ok(json_response(400, &json!({"error": "invalid_grant"})));
            }
            Ok(json_response(200, &body))
        });
    }

    /// Starts a flow with `provider`, whose token endpoint at `token_url` answers the code `valid-code`
    /// with `token_body(flow)`, and comes back with that code.
    pub fn sign_in(
        &self,
        provider: &str,
        token_url: &str,
        token_body: impl FnOnce(&Started) -> Value,
    ) -> AuthenticationResponse {
        let s = self.start(provider);
        self.token_endpoint(token_url, "valid-code", &s.challenge, token_body(&s));
        self.code_callback(provider, "valid-code", &s.state)
    }

    /// A request without a body to the full `url`, as a browser makes it.
    pub fn fetch(&self, method: &str, url: &str, headers: &[(&str, &str)]) -> HttpResponse {
        self.handle(&request(method, url, headers, b""))
    }

    pub fn state_keys(&self) -> Vec<String> {
        self.store
            .dump()
            .into_iter()
            .map(|(k, _)| k)
            .filter(|k| k.starts_with("state:"))
            .collect()
    }
}
