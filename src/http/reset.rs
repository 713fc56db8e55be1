//! Password reset, Medusa's two routes with single-use tokens.
//!
//! `POST /auth/{actor}/{provider}/reset-password {identifier}` answers `201` with an empty body whatever
//! the identifier (only a missing one is a `400`, and too many requests a `429`). Everything that depends
//! on whether the identity exists — lookup, token, webhook delivery — runs after the answer
//! ([`crate::runtime::Task`]), so neither the answer nor its timing tells.
//!
//! `POST /auth/{actor}/{provider}/update` with `Authorization: Bearer <reset token>` and `{password}` →
//! `200 {success: true}`. The token must be a valid, unexpired reset token for this actor type and
//! provider, of an identity that exists and whose password has not changed since the token was issued,
//! and its `jti` is consumed in the guard: a second use, even a concurrent one, is
//! `401 {"type":"unauthorized","message":"Invalid token"}`. An update that fails (e.g. a password the
//! policy refuses) gives the token back. A successful one voids every earlier token of the identity.

use super::rate_limit::{self, body_identifier, unavailable};
use super::routes::{bearer, check_actor_and_provider};
use super::{App, HttpRequest, HttpResponse, body};
use crate::account::config::LimitedRoute;
use crate::account::{reset_token, revocation, webhook};
use crate::clock::Clock;
use crate::config::Config;
use crate::contract;
use crate::identity::Identities;
use crate::oauth::HttpClient;
use crate::providers::emailpass::{EMAILPASS, normalize_email};
use crate::random;
use crate::runtime::Runtime;
use crate::store::{KvStore, keys};
use serde_json::{Value, json};
use std::rc::Rc;

/// The background work waits this long before it starts, so the 201 has left before any work that
/// depends on whether the identity exists competes with it for the isolate (measured: without the pause,
/// a known email's 201 arrived ~1 ms later than an unknown one's in workerd).
const RESPONSE_HEAD_START_MS: u32 = 50;

/// Medusa's validation message for a missing field.
const IDENTIFIER_REQUIRED: &str = "Invalid request: Field 'identifier' is required";

fn invalid_token() -> HttpResponse {
    HttpResponse::unauthorized(contract::INVALID_TOKEN)
}

/// The entity id a provider stores for what a user typed: emails are stored normalised.
fn entity_id_for(provider: &str, identifier: &str) -> String {
    if provider == EMAILPASS {
        normalize_email(identifier)
    } else {
        identifier.to_owned()
    }
}

pub async fn request(app: &App, req: &HttpRequest, actor: &str, provider: &str) -> HttpResponse {
    let input = match body::json_object(req) {
        Ok(input) => input,
        Err(refused) => return refused,
    };
    // Counted under its normalised form; looked up as the provider stores it.
    let (Some(counted), Some(Value::String(identifier))) = (
        body_identifier(&input, "identifier"),
        input.get("identifier"),
    ) else {
        return HttpResponse::invalid_data(IDENTIFIER_REQUIRED);
    };
    let route = LimitedRoute::ResetPassword;
    if let Err(refused) = rate_limit::check(app, Some(req), route, provider, Some(&counted)).await {
        return refused;
    }
    // Medusa answers 201 for unknown providers too: configuration is checked here, existence later.
    if check_actor_and_provider(app, actor, provider).is_ok() && app.service.has_provider(provider)
    {
        let job = ResetJob {
            config: app.config.clone(),
            store: app.store.clone(),
            clock: app.clock.clone(),
            http: app.http.clone(),
            runtime: app.runtime.clone(),
            actor: actor.to_owned(),
            provider: provider.to_owned(),
            entity_id: entity_id_for(provider, identifier),
        };
        app.spawn(Box::pin(job.run()));
    }
    HttpResponse::empty(201)
}

/// What runs after the 201: find the identity, mint its token, deliver it.
struct ResetJob {
    config: Rc<Config>,
    store: Rc<dyn KvStore>,
    clock: Rc<dyn Clock>,
    http: Rc<dyn HttpClient>,
    runtime: Rc<dyn Runtime>,
    actor: String,
    provider: String,
    entity_id: String,
}

impl ResetJob {
    async fn run(self) {
        self.runtime.sleep(RESPONSE_HEAD_START_MS).await;
        let warn = |what: &str| {
            self.runtime
                .warn(&format!("edge-auth: password reset not sent: {what}"))
        };
        let Some(target) = &self.config.account.reset_webhook else {
            warn("RESET_PASSWORD_WEBHOOK_URL is not set");
            return;
        };
        let store = self.store.as_ref();
        let identity = match Identities::new(store)
            .find_by_entity(&self.provider, &self.entity_id)
            .await
        {
            Ok(Some(identity)) => identity,
            Ok(None) => return,
            Err(e) => return warn(&e.to_string()),
        };
        let valid_from = match revocation::valid_from(store, &identity.id).await {
            Ok(v) => v,
            Err(e) => return warn(&e.to_string()),
        };
        let iat = revocation::issued_at(self.clock.now_secs(), valid_from);
        let key = &self.config.jwt_key;
        let minted = reset_token::issue(&self.entity_id, &self.provider, &self.actor, iat, key);
        let (token, delivery_id) = match (minted, random::hex_token(16)) {
            (Ok((token, _)), Ok(id)) => (token, id),
            (Err(e), _) | (_, Err(e)) => return warn(&e.to_string()),
        };
        let body =
            webhook::password_reset_body(&self.entity_id, &self.actor, &self.provider, &token);
        webhook::deliver(
            target,
            &body,
            &delivery_id,
            self.http.as_ref(),
            self.runtime.as_ref(),
            self.clock.as_ref(),
        )
        .await;
    }
}

pub async fn update(app: &App, req: &HttpRequest, actor: &str, provider: &str) -> HttpResponse {
    if let Err(refused) = check_actor_and_provider(app, actor, provider) {
        return refused;
    }
    let route = LimitedRoute::Update;
    if let Err(refused) = rate_limit::check(app, Some(req), route, provider, None).await {
        return refused;
    }
    let now_secs = app.clock.now_secs();
    let Some(claims) = bearer(req)
        .and_then(|raw| reset_token::verify(raw, &app.config.jwt_key, now_secs).ok())
        .filter(|c| c.actor_type == actor && c.provider == provider)
    else {
        return invalid_token();
    };
    if let Err(refused) =
        rate_limit::check(app, None, route, provider, Some(&claims.entity_id)).await
    {
        return refused;
    }
    let store = app.store.as_ref();
    let identity = match Identities::new(store)
        .find_by_entity(provider, &claims.entity_id)
        .await
    {
        Ok(Some(identity)) => identity,
        Ok(None) => return invalid_token(),
        Err(e) => return unavailable(&e),
    };
    match super::issue::is_revoked(app, &identity.id, claims.iat).await {
        Ok(false) => {}
        Ok(true) => return invalid_token(),
        Err(e) => return unavailable(&e),
    }
    let mut data = match body::json_object(req) {
        Ok(data) => data,
        Err(refused) => return refused,
    };
    // Medusa's route: the entity comes from the token, never from the body.
    data.remove("email");
    data.insert("entity_id".into(), Value::String(claims.entity_id.clone()));

    let jti = keys::reset_jti(&claims.jti);
    let ttl = claims.exp.saturating_sub(now_secs).max(1);
    match app.guard.consume_once(&jti, ttl).await {
        Ok(true) => {}
        Ok(false) => return invalid_token(),
        Err(e) => return unavailable(&e),
    }
    let result = app.service.update_provider(provider, &data).await;
    if !(result.success && result.auth_identity.is_some()) {
        // Nothing changed: the token stays usable (e.g. with a password the policy accepts).
        let _ = app.guard.unconsume(&jti).await;
        let message = result.error.as_deref().unwrap_or(contract::UNAUTHORIZED);
        return HttpResponse::unauthorized(message);
    }
    if let Err(e) = revocation::revoke_until(store, &identity.id, app.clock.now_ms()).await {
        return unavailable(&e);
    }
    HttpResponse::json(200, &json!({ "success": true }))
}
