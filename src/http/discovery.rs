//! `GET /auth/{actor_type}/providers`: Medusa 2.21's provider listing for one actor type,
//! `200 {"providers": [{"id", "identifier", "display_name", "flow"}]}`
//! ([`crate::service::AuthModuleService::list_auth_providers`]).
//!
//! `GET /auth/providers`: which actor types exist and which sign-in methods each may use, so a sign-in page
//! (`www/`) can draw its forms and "Continue with …" buttons.
//!
//! `200 {"actors": {"customer": ["emailpass", "google"], "user": ["emailpass"]}, "dev": false}`: provider
//! ids only — never client ids, secrets, issuers or the redirect allow-list. A provider named in
//! `AUTH_METHODS_PER_ACTOR` but not configured is left out (using it would fail). With
//! `?return_to=<URL>` the answer also says whether that URL may be used as a redirect-mode `return_to`
//! (`"return_to_allowed": true|false`), which the start route would tell anyway (302 or 400).

use super::body::parse_query;
use super::{App, HttpRequest, HttpResponse, extract};
use crate::oauth::provider::RETURN_TO;
use serde_json::{Map, Value, json};

pub fn providers(app: &App, req: &HttpRequest) -> HttpResponse {
    let actors: Map<String, Value> = crate::maps::object(
        app.config
            .auth_methods_per_actor
            .iter()
            .map(|(actor, methods)| {
                let usable: Vec<Value> = methods
                    .iter()
                    .filter(|id| app.service.has_provider(id))
                    .map(|id| Value::String(id.clone()))
                    .collect();
                (actor.clone(), Value::Array(usable))
            }),
    );
    let mut body = json!({ "actors": actors, "dev": app.config.development });
    let (_, _, query) = req.url_parts();
    if let Some(return_to) = parse_query(query).get(RETURN_TO) {
        let allowed = app.config.oauth.redirects.check(return_to).is_ok();
        body["return_to_allowed"] = Value::Bool(allowed);
    }
    HttpResponse::json(200, &body)
}

/// The providers `AUTH_METHODS_PER_ACTOR` lists for `actor` and that are configured, in that order. An
/// actor type it does not list may use no provider here, so its list is empty (Medusa lists every
/// provider for an actor type without a list, which may then use them all).
pub fn actor_providers(app: &App, actor: &str) -> HttpResponse {
    if let Err(refused) = extract::actor_type(actor) {
        return refused;
    }
    let allowed = app
        .config
        .auth_methods_per_actor
        .get(actor)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let providers = app.service.list_auth_providers(Some(allowed));
    HttpResponse::json(200, &json!({ "providers": providers }))
}
