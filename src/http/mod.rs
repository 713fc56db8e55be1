//! Medusa's HTTP auth routes as a pure function from request to response, so the whole API is tested
//! natively; the Worker boundary only converts types.

mod admin;
mod admin_costs;
mod admin_import;
mod admin_mfa;
mod admin_module;
mod admin_verification;
mod auth_flow;
mod body;
mod change_password;
mod cors;
mod dev_outbox;
mod discovery;
mod error;
mod extract;
mod jwks;
mod mfa;
mod oauth;
mod reset;
mod response;
mod routes;
mod session;
mod token;
mod verification;

pub use body::{BodyCollector, MAX_BODY_BYTES, parse_query};
pub use error::UNAVAILABLE;
pub use response::{HttpResponse, misconfigured};

use crate::account::{AccountPorts, AccountService};
use crate::config::Config;
use crate::config::TokenSettings;
use crate::guard::{Guard, MemoryGuard};
use crate::oauth::OAuthProvider;
use crate::ports::clock::Clock;
use crate::ports::http::HttpClient;
use crate::ports::runtime::{Recorder, Runtime, Task};
use crate::providers::emailpass::EmailPass;
use crate::service::AuthModuleService;
use crate::store::KvStore;
use crate::token::signer::TokenSigner;
use std::cell::RefCell;
use std::rc::Rc;

/// Labels the key (derived from `JWT_SECRET`) that draws an unknown email's dummy cost.
const DUMMY_COST_KEY_LABEL: &str = "edge-auth/dummy-cost/v1";

/// A request as the Worker received it. Header names are lower-case.
#[derive(Debug, Clone, Default)]
pub struct HttpRequest {
    /// The method, upper-case.
    pub method: String,
    /// The full URL, e.g. `https://auth.example/auth/customer/emailpass?x=1`.
    pub url: String,
    /// Every header, names lower-case.
    pub headers: Vec<(String, String)>,
    /// The body, read in full up to [`MAX_BODY_BYTES`].
    pub body: Vec<u8>,
}

impl HttpRequest {
    /// The value of header `name`, case-insensitively.
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

/// Everything a request needs: configuration, the identities and the account operations over them.
/// Handlers reach storage only through these two services.
pub struct App {
    /// The parsed configuration.
    pub config: Rc<Config>,
    /// Medusa's Auth Module: provider flows and identities.
    pub service: Rc<AuthModuleService>,
    /// Tokens, password change and reset, sessions and rate limits.
    pub account: Rc<AccountService>,
    ports: AccountPorts,
    /// Signs and checks auth tokens; the Worker keeps one per isolate ([`App::with_token_signer`]).
    signer: Rc<TokenSigner>,
    /// Made once per isolate by the Worker: they keep discovery documents and key sets between requests.
    third_parties: Vec<Rc<OAuthProvider>>,
    /// Work to run after the response ([`App::take_tasks`]).
    tasks: RefCell<Vec<Task>>,
}

impl App {
    /// An app without outgoing HTTP: third-party providers are registered but cannot reach their
    /// identity providers (their flows fail with a clear message). The Worker uses
    /// [`App::with_http_client`].
    pub fn new(config: Rc<Config>, store: Rc<dyn KvStore>, clock: Rc<dyn Clock>) -> Self {
        Self::with_http_client(config, store, clock, Rc::new(crate::ports::http::Offline))
    }

    /// `emailpass`, plus one provider per configured third party (Google, GitHub, each OIDC entry),
    /// reaching them through `http`. Unconfigured third parties are not registered.
    pub fn with_http_client(
        config: Rc<Config>,
        store: Rc<dyn KvStore>,
        clock: Rc<dyn Clock>,
        http: Rc<dyn HttpClient>,
    ) -> Self {
        let third_parties = OAuthProvider::all(&config.oauth, &http);
        Self::with_providers(config, store, clock, http, &third_parties)
    }

    /// [`App::with_http_client`] with the third-party providers made beforehand (by
    /// [`OAuthProvider::all`] over `config.oauth`), so the Worker makes them once per isolate.
    pub fn with_providers(
        config: Rc<Config>,
        store: Rc<dyn KvStore>,
        clock: Rc<dyn Clock>,
        http: Rc<dyn HttpClient>,
        third_parties: &[Rc<OAuthProvider>],
    ) -> Self {
        let ports = AccountPorts {
            guard: Rc::new(MemoryGuard::with_clock(clock.clone())),
            store,
            clock,
            http,
            runtime: Rc::new(Recorder::default()),
        };
        let signer = Rc::new(config.token_signer());
        Self::assemble(config, ports, third_parties.to_vec(), signer)
    }

    /// Builds both services over `ports`.
    fn assemble(
        config: Rc<Config>,
        ports: AccountPorts,
        third_parties: Vec<Rc<OAuthProvider>>,
        signer: Rc<TokenSigner>,
    ) -> Self {
        let mut service = AuthModuleService::new(ports.store.clone(), ports.clock.clone())
            .with_guard(ports.guard.clone())
            .with_provider(Rc::new(
                EmailPass::new(config.hasher.clone())
                    .with_draw_key(config.jwt_key.derive_key(DUMMY_COST_KEY_LABEL)),
            ));
        for provider in &third_parties {
            service = service.with_provider(provider.clone());
        }
        let service = Rc::new(service);
        let tokens = TokenSettings {
            key: config.jwt_key.clone(),
            signer: signer.clone(),
            expires_in_secs: config.jwt_expires_in_secs,
        };
        let account = Rc::new(
            AccountService::new(
                service.clone(),
                ports.clone(),
                tokens,
                config.account.clone(),
            )
            .with_mfa(config.mfa.clone()),
        );
        Self {
            config,
            service,
            account,
            ports,
            signer,
            third_parties,
            tasks: RefCell::new(Vec::new()),
        }
    }

    /// The guard (for tests that build a second app over the same store, as two Worker isolates share
    /// one Durable Object).
    pub fn guard(&self) -> Rc<dyn Guard> {
        self.ports.guard.clone()
    }

    /// Replaces the in-memory guard (the Worker's Durable Object, or its KV fallback). The default one
    /// keeps credential records, so every app over one store must share one guard.
    pub fn with_guard(self, guard: Rc<dyn Guard>) -> Self {
        let ports = AccountPorts {
            guard,
            ..self.ports
        };
        Self::assemble(self.config, ports, self.third_parties, self.signer)
    }

    /// Replaces the token signer made for this app by one made beforehand from the same configuration
    /// ([`Config::token_signer`]), so the Worker derives and checks its keys once per isolate.
    pub fn with_token_signer(self, signer: Rc<TokenSigner>) -> Self {
        Self::assemble(self.config, self.ports, self.third_parties, signer)
    }

    /// Replaces the default runtime, which never sleeps and keeps warnings in memory.
    pub fn with_runtime(self, runtime: Rc<dyn Runtime>) -> Self {
        let ports = AccountPorts {
            runtime,
            ..self.ports
        };
        Self::assemble(self.config, ports, self.third_parties, self.signer)
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
    // Asymmetric keys are checked on first use (deriving a public key is async on the platform): a bad
    // key answers every request as a configuration error naming its variable, like any other.
    if let Err(e) = app.signer.check_keys().await {
        let e = crate::config::vars::invalid(e.variable(), e.to_string());
        app.ports.runtime.warn(&format!("edge-auth: {e}"));
        return misconfigured(&e);
    }
    let mut response = routes::route(app, req).await;
    if let Some(line) = response.log.take() {
        app.ports.runtime.warn(&line);
    }
    cors::decorate(&app.config, origin, &mut response);
    response
}
