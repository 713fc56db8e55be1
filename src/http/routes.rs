//! Route matching and the handlers of Medusa's `/auth` API.

use super::body::{self, parse_query};
use super::oauth;
use super::{App, HttpRequest, HttpResponse};
use super::{admin, issue, rate_limit, reset, session};
use super::{change_password, dev_outbox, discovery};
use crate::account::config::LimitedRoute;
use crate::config::is_valid_actor_type;
use crate::contract;
use crate::model::{AuthIdentity, AuthenticationInput, AuthenticationResponse};
use crate::token::{self, Claims};
use serde_json::{Value, json};

enum Flow {
    Authenticate,
    Register,
    Callback,
}

pub async fn route(app: &App, req: &HttpRequest) -> HttpResponse {
    let (_, path, _) = req.url_parts();
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let method = req.method.as_str();
    match segments.as_slice() {
        ["auth", "token", "refresh"] => match method {
            "POST" => refresh(app, req).await,
            _ => method_not_allowed("POST"),
        },
        ["auth", actor, provider] => match method {
            "GET" | "POST" => flow(app, req, actor, provider, Flow::Authenticate).await,
            _ => method_not_allowed("GET, POST"),
        },
        ["auth", actor, provider, "register"] => match method {
            "POST" => flow(app, req, actor, provider, Flow::Register).await,
            _ => method_not_allowed("POST"),
        },
        ["auth", actor, provider, "callback"] => match method {
            "GET" | "POST" => flow(app, req, actor, provider, Flow::Callback).await,
            _ => method_not_allowed("GET, POST"),
        },
        ["auth", actor, provider, "reset-password"] => match method {
            "POST" => reset::request(app, req, actor, provider).await,
            _ => method_not_allowed("POST"),
        },
        ["auth", actor, provider, "update"] => match method {
            "POST" => reset::update(app, req, actor, provider).await,
            _ => method_not_allowed("POST"),
        },
        ["auth", actor, provider, "change-password"] => match method {
            "POST" => change_password::change(app, req, actor, provider).await,
            _ => method_not_allowed("POST"),
        },
        ["auth", "providers"] => match method {
            "GET" => discovery::providers(app, req),
            _ => method_not_allowed("GET"),
        },
        // Local development only; elsewhere the ordinary 404 below.
        ["__dev", "outbox"] if app.config.development => dev_outbox::route(app, req).await,
        ["auth", "session"] => session::route(app, req).await,
        ["admin", "auth-identities"] => admin::collection(app, req).await,
        ["admin", "auth-identities", id] => admin::item(app, req, id).await,
        _ => HttpResponse::error(
            404,
            contract::TYPE_NOT_FOUND,
            &format!("Route not found: {method} {path}"),
        ),
    }
}

pub(super) fn method_not_allowed(allow: &str) -> HttpResponse {
    HttpResponse::error(
        405,
        contract::TYPE_NOT_ALLOWED,
        &format!("Method not allowed; use {allow}"),
    )
    .with_header("allow", allow)
}

fn is_valid_provider_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

/// Medusa's `validateScopeProviderAssociation`, with the actor types fixed by `AUTH_METHODS_PER_ACTOR`.
pub(super) fn check_actor_and_provider(
    app: &App,
    actor: &str,
    provider: &str,
) -> Result<(), HttpResponse> {
    if !is_valid_actor_type(actor) {
        return Err(HttpResponse::invalid_data(&format!(
            "Invalid actor type: use lower-case letters, digits or '_' (e.g. customer), got {actor:?}"
        )));
    }
    let Some(methods) = app.config.auth_methods_per_actor.get(actor) else {
        return Err(HttpResponse::invalid_data(&format!(
            "Unknown actor type: {actor}"
        )));
    };
    if !is_valid_provider_id(provider) || !methods.iter().any(|m| m == provider) {
        return Err(HttpResponse::error(
            400,
            contract::TYPE_NOT_ALLOWED,
            &contract::actor_not_allowed(actor, provider),
        ));
    }
    Ok(())
}

fn authentication_input(req: &HttpRequest) -> Result<AuthenticationInput, HttpResponse> {
    let (scheme, _, query) = req.url_parts();
    Ok(AuthenticationInput {
        url: Some(req.url.clone()),
        headers: req.headers.iter().cloned().collect(),
        query: parse_query(query),
        body: body::json_object(req)?,
        protocol: Some(scheme.to_owned()).filter(|s| !s.is_empty()),
    })
}

async fn flow(
    app: &App,
    req: &HttpRequest,
    actor: &str,
    provider: &str,
    flow: Flow,
) -> HttpResponse {
    if let Err(refused) = check_actor_and_provider(app, actor, provider) {
        return refused;
    }
    let input = match authentication_input(req) {
        Ok(input) => input,
        Err(refused) => return refused,
    };
    // Rate limits per client IP and per email (`rate_limit.rs`); a successful login clears the email's.
    let is_login = matches!(flow, Flow::Authenticate);
    let email = rate_limit::body_identifier(&input.body, "email");
    let limited = match flow {
        Flow::Authenticate => Some(LimitedRoute::Authenticate),
        Flow::Register => Some(LimitedRoute::Register),
        Flow::Callback => None,
    };
    if let Some(route) = limited
        && let Err(refused) =
            rate_limit::check(app, Some(req), route, provider, email.as_deref()).await
    {
        return refused;
    }
    let service = &app.service;
    let result = match flow {
        Flow::Authenticate => {
            // Third-party redirect mode (`?return_to=`) answers with 302s: see `oauth.rs`.
            let return_to = match oauth::check_start(app, req, provider, &input) {
                Ok(return_to) => return_to,
                Err(refused) => return refused,
            };
            let result = service.authenticate(provider, &input).await;
            if let Some(return_to) = return_to {
                return oauth::start_redirect(app, &result, &return_to);
            }
            result
        }
        Flow::Register => service.register(provider, &input).await,
        Flow::Callback => {
            let result = service.validate_callback(provider, &input).await;
            if let Some(browser) = oauth::finish_callback(app, req, actor, &result) {
                return browser;
            }
            result
        }
    };
    let signed_in = is_login && result.success && result.auth_identity.is_some();
    if signed_in && let Some(email) = &email {
        rate_limit::forget_identifier_after_response(
            app,
            LimitedRoute::Authenticate,
            provider,
            email,
        );
    }
    token_or_failure(app, actor, result).await
}

/// `{location}` for a third-party step, `{token}` on success, else 401 with the provider's message.
async fn token_or_failure(app: &App, actor: &str, result: AuthenticationResponse) -> HttpResponse {
    if let Some(location) = result.location {
        return HttpResponse::json(200, &json!({ "location": location }));
    }
    match result.auth_identity {
        Some(identity) if result.success => issue::token_response(app, &identity, actor).await,
        _ => HttpResponse::unauthorized(
            result
                .error
                .as_deref()
                .unwrap_or(contract::AUTHENTICATION_FAILED),
        ),
    }
}

/// Medusa's claims: `actor_id` from `app_metadata["<actor>_id"]` (or ""), and an `app_metadata` that
/// holds only that key.
pub fn claims_for(
    identity: &AuthIdentity,
    actor_type: &str,
    now_secs: u64,
    ttl_secs: u64,
) -> Claims {
    let actor_id = identity.actor_id(actor_type).unwrap_or_default().to_owned();
    let mut app_metadata = serde_json::Map::new();
    if !actor_id.is_empty() {
        app_metadata.insert(format!("{actor_type}_id"), Value::String(actor_id.clone()));
    }
    Claims {
        actor_id,
        actor_type: actor_type.to_owned(),
        auth_identity_id: identity.id.clone(),
        app_metadata: Value::Object(app_metadata),
        iat: now_secs,
        exp: now_secs + ttl_secs,
    }
}

/// The bearer token of the `Authorization` header (scheme case-insensitive), if any.
pub(super) fn bearer(req: &HttpRequest) -> Option<&str> {
    let mut parts = req.header("authorization")?.split_whitespace();
    let (scheme, token) = (parts.next()?, parts.next()?);
    scheme.eq_ignore_ascii_case("bearer").then_some(token)
}

/// Medusa's authenticate middleware answers a bare `{message}` on failure.
pub(super) fn bearer_unauthorized() -> HttpResponse {
    HttpResponse::json(401, &json!({ "message": contract::UNAUTHORIZED }))
}

/// `POST /auth/token/refresh`: a fresh token for the same identity and actor type, with `actor_id`
/// filled in once the actor exists. Identities deleted since, and tokens issued before the identity's
/// last password change, are refused.
async fn refresh(app: &App, req: &HttpRequest) -> HttpResponse {
    let Some(raw) = bearer(req) else {
        return bearer_unauthorized();
    };
    let Ok(claims) = token::verify(raw, &app.config.jwt_key, app.clock.now_secs()) else {
        return bearer_unauthorized();
    };
    match issue::is_revoked(app, &claims.auth_identity_id, claims.iat).await {
        Ok(false) => {}
        Ok(true) => return bearer_unauthorized(),
        Err(e) => return rate_limit::unavailable(&e),
    }
    match app
        .service
        .retrieve_auth_identity(&claims.auth_identity_id)
        .await
    {
        Ok(identity) => issue::token_response(app, &identity, &claims.actor_type).await,
        Err(crate::identity::IdentityError::Store(e)) => {
            HttpResponse::error(503, "unexpected_state", &e.to_string())
        }
        Err(_) => bearer_unauthorized(),
    }
}
