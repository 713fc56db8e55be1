//! `GET /auth/providers`: which actor types exist and which sign-in methods each may use, so a sign-in page
//! (`www/`) can draw its forms and "Continue with …" buttons.
//!
//! `200 {"actors": {"customer": ["emailpass", "google"], "user": ["emailpass"]}, "dev": false}`: provider
//! ids only — never client ids, secrets, issuers or the redirect allow-list. A provider named in
//! `AUTH_METHODS_PER_ACTOR` but not configured is left out (using it would fail). With
//! `?return_to=<URL>` the answer also says whether that URL may be used as a redirect-mode `return_to`
//! (`"return_to_allowed": true|false`), which the start route would tell anyway (302 or 400).

use super::body::parse_query;
use super::{App, HttpRequest, HttpResponse};
use crate::oauth::provider::RETURN_TO;
use serde_json::{Map, Value, json};

pub fn providers(app: &App, req: &HttpRequest) -> HttpResponse {
    let actors: Map<String, Value> = app
        .config
        .auth_methods_per_actor
        .iter()
        .map(|(actor, methods)| {
            let usable: Vec<Value> = methods
                .iter()
                .filter(|id| app.service.has_provider(id))
                .map(|id| Value::String(id.clone()))
                .collect();
            (actor.clone(), Value::Array(usable))
        })
        .collect();
    let mut body = json!({ "actors": actors, "dev": app.config.development });
    let (_, _, query) = req.url_parts();
    if let Some(return_to) = parse_query(query).get(RETURN_TO) {
        let allowed = app.config.oauth.redirects.check(return_to).is_ok();
        body["return_to_allowed"] = Value::Bool(allowed);
    }
    HttpResponse::json(200, &body)
}
