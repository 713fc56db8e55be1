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
