//! The Auth Module's own methods over the admin API, for a Medusa backend whose Auth Module is the bridge
//! `edge-auth/medusa`: the flows answer Medusa's `AuthenticationResponse`, not tokens (the backend issues
//! its own). Contract: `docs/http-api.md#module-api-for-a-medusa-backend`.
//!
//! - `POST /admin/auth/{provider}/register|authenticate|callback` with an `AuthenticationInput` →
//!   `200 {success, authIdentity?, location?, error?}`; a failure is `success: false` with the
//!   provider's message, never an HTTP error (Medusa's flows never throw). `callback` is
//!   `validateCallback`: a third-party sign-in the backend started through `authenticate` (JSON mode: the
//!   state is the Worker's, bound to no browser). No MFA challenge is opened here: the bridge asks for the
//!   identity's factors (below) and opens one through the admin MFA routes (`admin_mfa.rs`).
//! - `GET /admin/auth-identities/{id}/mfa-factors` → `{mfa_factors}`, every status (`listAuthMfa`).
//! - `POST /admin/password-reset-tokens` `{provider, entity_id, ttl_seconds?}` → `201 {jti, expires_at}`
//!   and `POST /admin/password-reset-tokens/consume` `{jti, provider, entity_id}` →
//!   `{auth_identity_id, provider_identity_id, entity_id}` or `401 Invalid token`
//!   (`createPasswordResetToken`, `consumePasswordResetToken`: Medusa 2.16+'s single-use jti).
//! - `POST /admin/auth/{provider}/update` `{entity_id, password, …}` → `200 {success, authIdentity?,
//!   error?}` (`updateProvider`, after the backend spent the reset token's jti).
//!
//! The rest of the module methods are the identity routes of `admin.rs`.
//!
//! Rate limits: the backend calls for its users, from one address. Sign-in, registration and `update` are
//! counted per email as on the public routes, and they and callbacks per client IP only when the backend
//! names the end user's address in [`FORWARDED_CLIENT_HEADER`] — trusted here because the request carries
//! the admin secret; without it nothing is counted per IP (all users would share the backend's bucket).

use super::response::identity_json;
use super::{App, HttpRequest, HttpResponse, body};
use crate::account::config::LimitedRoute;
use crate::account::{Attempt, PasswordAttempt, PasswordRoute, body_identifier};
use crate::mfa::records::factors_json;
use crate::model::{AuthenticationInput, AuthenticationResponse, Metadata};
use crate::oauth::profile::iso8601_utc;
use crate::scope::ProviderId;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// The end user's address, as the backend saw it. Read only on requests with the admin secret.
pub const FORWARDED_CLIENT_HEADER: &str = "x-edge-auth-client-ip";

fn forwarded_client(req: &HttpRequest) -> Option<&str> {
    req.header(FORWARDED_CLIENT_HEADER)
        .map(str::trim)
        .filter(|ip| !ip.is_empty())
}

/// Medusa's answer, with `authIdentity` shown as every admin answer shows identities.
fn module_answer(response: &AuthenticationResponse) -> HttpResponse {
    let mut body = json!({ "success": response.success });
    if let Some(identity) = &response.auth_identity {
        body["authIdentity"] = identity_json(identity);
    }
    if let Some(error) = &response.error {
        body["error"] = json!(error);
    }
    if let Some(location) = &response.location {
        body["location"] = json!(location);
    }
    HttpResponse::json(200, &body)
}

const QUERY_NOT_STRINGS: &str = "query must be an object of strings";

/// Medusa's `AuthenticationInput` from a JSON body: its `body` and `query`, the parts the Worker's
/// providers read. `url`, `headers`, `protocol` (and the `actor_type` Medusa's routes add) are ignored.
fn authentication_input(mut data: Metadata) -> Result<AuthenticationInput, HttpResponse> {
    let body = match data.remove("body") {
        None | Some(Value::Null) => Metadata::new(),
        Some(Value::Object(body)) => body,
        Some(_) => return Err(HttpResponse::invalid_data("body must be an object")),
    };
    let mut query = BTreeMap::new();
    match data.remove("query") {
        None | Some(Value::Null) => {}
        // A loop, not `collect`: collecting into a map sorts first, which costs the Worker a sort.
        Some(Value::Object(map)) => {
            for (k, v) in map {
                let Value::String(v) = v else {
                    return Err(HttpResponse::invalid_data(QUERY_NOT_STRINGS));
                };
                query.insert(k, v);
            }
        }
        Some(_) => return Err(HttpResponse::invalid_data(QUERY_NOT_STRINGS)),
    }
    Ok(AuthenticationInput {
        query,
        body,
        ..AuthenticationInput::default()
    })
}

/// The JSON object body of an admin `POST`, once the secret is checked: how every module `POST` starts.
pub(super) fn admin_post(app: &App, req: &HttpRequest) -> Result<Metadata, HttpResponse> {
    super::admin::authorized(app, req)?;
    if req.method != "POST" {
        return Err(HttpResponse::method_not_allowed("POST"));
    }
    body::json_object(req)
}

/// `POST /admin/auth/{provider}/register` and `…/authenticate`: Medusa's `register` and `authenticate`.
pub async fn flow(
    app: &App,
    req: &HttpRequest,
    provider: &str,
    route: PasswordRoute,
) -> HttpResponse {
    let data = match admin_post(app, req) {
        Ok(data) => data,
        Err(refused) => return refused,
    };
    let input = match authentication_input(data) {
        Ok(input) => input,
        Err(refused) => return refused,
    };
    let client = forwarded_client(req);
    let email = body_identifier(&input.body, "email");
    let attempt = PasswordAttempt {
        route,
        provider,
        client,
        email: email.as_deref(),
        device_cookie: None,
    };
    let admitted = match app.account.admit_password_attempt(attempt).await {
        Ok(admitted) => admitted,
        Err(refused) => return refused.into(),
    };
    let service = &app.service;
    let response = match route {
        PasswordRoute::Register => service.register(provider, &input).await,
        PasswordRoute::SignIn => service.authenticate(provider, &input).await,
    };
    // Only a success signs in (a redirect to a third party carries no identity).
    let signed_in = response.auth_identity.as_ref().filter(|_| response.success);
    if let Some(identity) = signed_in {
        // Clears the counter the attempt was counted in. The known-device cookie it may answer is a
        // browser's; the backend has none to set.
        let _ = app
            .account
            .password_attempt_succeeded(admitted, identity)
            .await;
    }
    module_answer(&response)
}

/// `POST /admin/auth/{provider}/callback`: Medusa's `validateCallback`, counted per client IP as the
/// Worker's own callback route is.
pub async fn callback(app: &App, req: &HttpRequest, provider: &str) -> HttpResponse {
    let input = match admin_post(app, req).and_then(authentication_input) {
        Ok(input) => input,
        Err(refused) => return refused,
    };
    let attempt = Attempt {
        route: LimitedRoute::Callback,
        provider,
        client: forwarded_client(req),
        identifier: None,
    };
    if let Err(refused) = app.account.count_attempt(attempt).await {
        return refused.into();
    }
    module_answer(&app.service.validate_callback(provider, &input).await)
}

/// `GET /admin/auth-identities/{id}/mfa-factors`: Medusa's `listAuthMfa`, without secrets; the bridge
/// filters by status.
pub async fn mfa_factors(app: &App, req: &HttpRequest, id: &str) -> HttpResponse {
    if let Err(refused) = super::admin::authorized(app, req) {
        return refused;
    }
    if req.method != "GET" {
        return HttpResponse::method_not_allowed("GET");
    }
    match app.account.mfa().list(id, None).await {
        Ok(factors) => HttpResponse::json(200, &json!({ "mfa_factors": factors_json(&factors) })),
        Err(e) => e.into(),
    }
}

/// `POST /admin/auth/{provider}/update`: Medusa's `updateProvider`, e.g. the backend's password update
/// after it spent its reset token's jti.
pub async fn update(app: &App, req: &HttpRequest, provider: &str) -> HttpResponse {
    let data = match admin_post(app, req) {
        Ok(data) => data,
        Err(refused) => return refused,
    };
    let client = forwarded_client(req);
    match app.account.update_provider(provider, &data, client).await {
        Ok(response) => module_answer(&response),
        Err(e) => e.into(),
    }
}

/// A non-empty string field of a module route's body, or a 400 naming it.
fn text<'a>(data: &'a Metadata, field: &str) -> Result<&'a str, HttpResponse> {
    match data.get(field) {
        Some(Value::String(s)) if !s.is_empty() => Ok(s),
        _ => Err(HttpResponse::invalid_data(&format!(
            "{field} must be a non-empty string"
        ))),
    }
}

/// Medusa's lifetime of a reset token's jti when none is given.
const DEFAULT_RESET_TTL_SECS: u64 = 900;

/// `POST /admin/password-reset-tokens` (`consume` false) and `…/consume`: Medusa 2.16+'s
/// `createPasswordResetToken` and `consumePasswordResetToken`.
pub async fn reset_token(app: &App, req: &HttpRequest, consume: bool) -> HttpResponse {
    let data = match admin_post(app, req) {
        Ok(data) => data,
        Err(refused) => return refused,
    };
    let fields = (text(&data, "provider"), text(&data, "entity_id"));
    let (provider, entity_id) = match fields {
        (Ok(provider), Ok(entity_id)) => (provider, entity_id),
        (Err(refused), _) | (_, Err(refused)) => return refused,
    };
    let Some(provider) = ProviderId::parse(provider) else {
        return HttpResponse::invalid_data("provider must be a provider id");
    };
    let account = &app.account;
    if consume {
        let jti = match text(&data, "jti") {
            Ok(jti) => jti,
            Err(refused) => return refused,
        };
        return match account.consume_reset_jti(jti, &provider, entity_id).await {
            Ok(spent) => HttpResponse::json(
                200,
                &json!({
                    "auth_identity_id": spent.auth_identity_id,
                    "provider_identity_id": spent.provider_identity_id,
                    "entity_id": spent.entity_id,
                }),
            ),
            Err(e) => e.into(),
        };
    }
    // Anything but a positive integer is 0, which the domain refuses with Medusa's message.
    let ttl_secs = match data.get("ttl_seconds") {
        None | Some(Value::Null) => DEFAULT_RESET_TTL_SECS,
        Some(ttl) => ttl.as_u64().unwrap_or(0),
    };
    match account
        .create_reset_jti(&provider, entity_id, ttl_secs)
        .await
    {
        Ok(issued) => HttpResponse::json(
            201,
            &json!({ "jti": issued.jti, "expires_at": iso8601_utc(issued.expires_at_ms) }),
        ),
        Err(e) => e.into(),
    }
}
