//! `POST /auth/{actor}/emailpass/change-password` — not in Medusa, whose only way to a new password is the
//! reset link: a signed-in user changes their password by proving they know the current one.
//!
//! `Authorization: Bearer <auth token>` and `{"current_password", "password"}` → `200 {token}`: a fresh
//! token, while every token issued before it (the one sent included) is void, as after a reset.
//!
//! Refusals, in order: a provider other than emailpass → `400`; no valid token, a voided one, or one of
//! another actor type → `401 {"message":"Unauthorized"}`; a new password that is not a string or that the
//! policy refuses → `400` with Medusa's or the policy's message (checked before any hashing); no
//! `current_password` → `400`; an identity without a password (third-party sign-in only) → `400`; a wrong
//! current password → `401` [`CURRENT_PASSWORD_WRONG`], counted by the `authenticate` rate limit of the
//! identity's email (so this route is no faster way to guess).

use super::rate_limit::{self, unavailable};
use super::routes::{bearer, bearer_unauthorized, check_actor_and_provider};
use super::{App, HttpRequest, HttpResponse, body, issue};
use crate::account::config::LimitedRoute;
use crate::account::revocation;
use crate::contract;
use crate::identity::IdentityError;
use crate::model::{AuthenticationInput, Metadata};
use crate::password;
use crate::providers::emailpass::EMAILPASS;
use crate::token;
use serde_json::Value;

pub const ONLY_EMAILPASS: &str = "change-password is only supported by the emailpass provider";
pub const CURRENT_PASSWORD_REQUIRED: &str = "Invalid request: Field 'current_password' is required";
pub const CURRENT_PASSWORD_WRONG: &str = "The current password is not correct";
pub const NO_PASSWORD: &str =
    "This identity has no password: it signs in with a third-party provider";

fn non_empty_str<'a>(body: &'a Metadata, field: &str) -> Option<&'a str> {
    body.get(field)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

pub async fn change(app: &App, req: &HttpRequest, actor: &str, provider: &str) -> HttpResponse {
    if let Err(refused) = check_actor_and_provider(app, actor, provider) {
        return refused;
    }
    if provider != EMAILPASS {
        return HttpResponse::invalid_data(ONLY_EMAILPASS);
    }
    let now_secs = app.clock.now_secs();
    let Some(claims) = bearer(req)
        .and_then(|raw| token::verify(raw, &app.config.jwt_key, now_secs).ok())
        .filter(|c| c.actor_type == actor)
    else {
        return bearer_unauthorized();
    };
    match issue::is_revoked(app, &claims.auth_identity_id, claims.iat).await {
        Ok(false) => {}
        Ok(true) => return bearer_unauthorized(),
        Err(e) => return unavailable(&e),
    }
    let input = match body::json_object(req) {
        Ok(input) => input,
        Err(refused) => return refused,
    };
    let Some(new_password) = non_empty_str(&input, "password") else {
        return HttpResponse::invalid_data(contract::PASSWORD_SHOULD_BE_STRING);
    };
    if let Err(e) = password::check_policy(new_password) {
        return HttpResponse::invalid_data(&e.to_string());
    }
    let Some(current) = non_empty_str(&input, "current_password") else {
        return HttpResponse::invalid_data(CURRENT_PASSWORD_REQUIRED);
    };

    let identity = match app
        .service
        .retrieve_auth_identity(&claims.auth_identity_id)
        .await
    {
        Ok(identity) => identity,
        Err(IdentityError::Store(e)) => return unavailable(&e),
        Err(_) => return bearer_unauthorized(),
    };
    let Some(entity_id) = identity
        .provider_identities
        .iter()
        .find(|p| p.provider == EMAILPASS)
        .map(|p| p.entity_id.clone())
    else {
        return HttpResponse::invalid_data(NO_PASSWORD);
    };

    // The current password, checked exactly as a login checks it (and rate limited like one).
    let route = LimitedRoute::Authenticate;
    if let Err(refused) = rate_limit::check(app, Some(req), route, provider, Some(&entity_id)).await
    {
        return refused;
    }
    let mut login = Metadata::new();
    login.insert("email".into(), Value::String(entity_id.clone()));
    login.insert("password".into(), Value::String(current.to_owned()));
    let check = app
        .service
        .authenticate(
            EMAILPASS,
            &AuthenticationInput {
                body: login,
                ..AuthenticationInput::default()
            },
        )
        .await;
    let same_identity = check
        .auth_identity
        .as_ref()
        .is_some_and(|i| i.id == identity.id);
    if !(check.success && same_identity) {
        return HttpResponse::unauthorized(CURRENT_PASSWORD_WRONG);
    }
    rate_limit::forget_identifier(app, route, provider, &entity_id).await;

    let mut update = Metadata::new();
    update.insert("entity_id".into(), Value::String(entity_id));
    update.insert("password".into(), Value::String(new_password.to_owned()));
    let result = app.service.update_provider(EMAILPASS, &update).await;
    if !result.success {
        let message = result
            .error
            .as_deref()
            .unwrap_or(contract::AUTHENTICATION_FAILED);
        return HttpResponse::invalid_data(message);
    }
    if let Err(e) =
        revocation::revoke_until(app.store.as_ref(), &identity.id, app.clock.now_ms()).await
    {
        return unavailable(&e);
    }
    issue::token_response(app, &identity, actor).await
}
