//! Medusa's HTTP auth routes as a pure function from request to response, so the whole API is tested
//! natively; the Worker boundary only converts types.

mod body;
mod cors;
mod oauth;
mod response;
mod routes;

pub use body::{MAX_BODY_BYTES, parse_query};
pub use response::HttpResponse;

use crate::clock::Clock;
use crate::config::Config;
use crate::providers::emailpass::EmailPass;
use crate::service::AuthModuleService;
use crate::store::KvStore;
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
        let mut service = AuthModuleService::new(store, clock.clone())
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
        }
    }
}

/// Answers one request. Never panics on input; every client mistake is a 4xx with a message.
pub async fn handle(app: &App, req: &HttpRequest) -> HttpResponse {
    let origin = req.header("origin");
    if req.method == "OPTIONS" {
        return cors::preflight(&app.config, origin);
    }
    let mut response = routes::route(app, req).await;
    cors::decorate(&app.config, origin, &mut response);
    response
}

#[cfg(test)]
mod tests;
