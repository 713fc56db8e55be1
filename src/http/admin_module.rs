//! The Auth Module's own methods over the admin API, for a Medusa backend whose Auth Module is the bridge
//! `edge-auth/medusa`: the flows answer Medusa's `AuthenticationResponse`, not tokens (the backend issues
//! its own). Contract: `docs/http-api.md#module-api-for-a-medusa-backend`.
//!
//! - `POST /admin/auth/{provider}/register|authenticate|callback` with an `AuthenticationInput` →
//!   `200 {success, authIdentity?, location?, error?, mfaChallenge?}`; a failure is `success: false`
//!   with the provider's message, never an HTTP error (Medusa's flows never throw).
//! - `POST /admin/auth/{provider}/update` with the provider's data (`{entity_id, password}`) → the same.
//! - `POST /admin/auth-identities/{id}/validate` `{provider?}` → `validateAuthIdentity`'s answer.
//! - `GET /admin/auth-identities/{id}/mfa-factors?status=` → `{mfa_factors}` (`listAuthMfa`).
//! - `GET /admin/provider-identities?id=&entity_id=&provider=&auth_identity_id=` →
//!   `{provider_identities}` (`listProviderIdentities`).
//! - `POST /admin/password-reset-tokens` `{provider, entity_id, ttl_seconds?}` → `201 {jti, expires_at}`
//!   and `POST /admin/password-reset-tokens/consume` `{jti, provider, entity_id}` →
//!   `{auth_identity_id, provider_identity_id, entity_id}` or `401 Invalid token`
//!   (`createPasswordResetToken`, `consumePasswordResetToken`).
//! - `POST /admin/mfa-challenges/{id}/verify` `{method, code, auth_identity_id?}` → `{mfa_challenge}`
//!   (`verifyAuthMfaChallenge`).
//!
//! Rate limits: the backend calls for its users, from one address. Sign-in and registration are counted
//! per email as on the public routes, and per client IP only when the backend names the end user's
//! address in [`FORWARDED_CLIENT_HEADER`] — trusted here because the request carries the admin secret;
//! without it nothing is counted per IP (all users would share the backend's bucket).

use super::response::identity_json;
use super::{App, HttpRequest, HttpResponse, body};
use crate::account::config::LimitedRoute;
use crate::account::{Attempt, PasswordAttempt, PasswordRoute, body_identifier};
use crate::mfa::FactorStatus;
use crate::model::{
    AuthIdentity, AuthenticationInput, AuthenticationResponse, ProviderIdentityFilter,
};
use crate::oauth::profile::iso8601_utc;
use crate::scope::ProviderId;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// The end user's address, as the backend saw it. Read only on requests with the admin secret.
pub const FORWARDED_CLIENT_HEADER: &str = "x-edge-auth-client-ip";

/// Which module method a `POST /admin/auth/{provider}/{method}` runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Register,
    Authenticate,
    Callback,
    Update,
}

impl Method {
    pub fn parse(segment: &str) -> Option<Self> {
        match segment {
            "register" => Some(Self::Register),
            "authenticate" => Some(Self::Authenticate),
            "callback" => Some(Self::Callback),
            "update" => Some(Self::Update),
            _ => None,
        }
    }
}

fn forwarded_client(req: &HttpRequest) -> Option<&str> {
    req.header(FORWARDED_CLIENT_HEADER)
        .map(str::trim)
        .filter(|ip| !ip.is_empty())
}

/// Medusa's answer with `authIdentity` shown as every admin answer shows identities.
fn module_answer(response: &AuthenticationResponse, challenge: Option<Value>) -> HttpResponse {
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
    if let Some(challenge) = challenge {
        body["mfaChallenge"] = challenge;
    }
    HttpResponse::json(200, &body)
}

fn failed(message: &str) -> HttpResponse {
    module_answer(&AuthenticationResponse::failed(message.to_owned()), None)
}

/// Medusa's `applyMfaRequirement_`: an identity with an enabled factor gets a stored challenge, which the
/// backend verifies through `verifyAuthMfaChallenge`. A failure to read MFA fails the flow (closed).
async fn with_mfa_requirement(
    app: &App,
    response: AuthenticationResponse,
    provider: Option<&str>,
) -> HttpResponse {
    let identity: Option<&AuthIdentity> = response
        .auth_identity
        .as_ref()
        .filter(|_| response.success && response.location.is_none());
    let Some(identity) = identity else {
        return module_answer(&response, None);
    };
    let mfa = app.account.mfa();
    match mfa.list(&identity.id, Some(FactorStatus::Enabled)).await {
        Ok(factors) if factors.is_empty() => module_answer(&response, None),
        Ok(_) => match mfa
            .create_challenge(&identity.id, provider, Value::Null)
            .await
        {
            Ok(challenge) => module_answer(&response, Some(challenge.to_json())),
            Err(e) => failed(&e.to_string()),
        },
        Err(e) => failed(&e.to_string()),
    }
}

/// `POST /admin/auth/{provider}/{method}`.
pub async fn flow(app: &App, req: &HttpRequest, provider: &str, method: Method) -> HttpResponse {
    if let Err(refused) = super::admin::authorized(app, req) {
        return refused;
    }
    if req.method != "POST" {
        return HttpResponse::method_not_allowed("POST");
    }
    let data = match body::json_object(req) {
        Ok(data) => data,
        Err(refused) => return refused,
    };
    if method == Method::Update {
        return module_answer(&app.service.update_provider(provider, &data).await, None);
    }
    let input: AuthenticationInput = match serde_json::from_value(Value::Object(data)) {
        Ok(input) => input,
        Err(e) => {
            return HttpResponse::invalid_data(&format!(
                "Expected an AuthenticationInput {{url?, headers?, query?, body?, protocol?}} with string headers and query values: {e}"
            ));
        }
    };
    let client = forwarded_client(req);
    let email = body_identifier(&input.body, "email");
    let route = match method {
        Method::Register => Some(PasswordRoute::Register),
        Method::Authenticate => Some(PasswordRoute::SignIn),
        _ => None,
    };
    let admitted = match route {
        Some(route) => {
            let attempt = PasswordAttempt {
                route,
                provider,
                client,
                email: email.as_deref(),
                device_cookie: None,
            };
            match app.account.admit_password_attempt(attempt).await {
                Ok(admitted) => Some(admitted),
                Err(refused) => return refused.into(),
            }
        }
        None => {
            let attempt = Attempt {
                route: LimitedRoute::Callback,
                provider,
                client,
                identifier: None,
            };
            if let Err(refused) = app.account.count_attempt(attempt).await {
                return refused.into();
            }
            None
        }
    };
    let service = &app.service;
    let response = match method {
        Method::Register => service.register(provider, &input).await,
        Method::Authenticate => service.authenticate(provider, &input).await,
        _ => service.validate_callback(provider, &input).await,
    };
    if let (Some(admitted), Some(identity)) = (admitted, response.auth_identity.as_ref()) {
        if response.success && response.location.is_none() {
            // The known-device cookie it may answer is a browser's; the backend has none to set.
            let _ = app
                .account
                .password_attempt_succeeded(admitted, identity)
                .await;
        }
    }
    with_mfa_requirement(app, response, Some(provider)).await
}

/// `POST /admin/auth-identities/{id}/validate` `{provider?}`: Medusa's `validateAuthIdentity`.
pub async fn validate(app: &App, req: &HttpRequest, id: &str) -> HttpResponse {
    if let Err(refused) = super::admin::authorized(app, req) {
        return refused;
    }
    if req.method != "POST" {
        return HttpResponse::method_not_allowed("POST");
    }
    let data = match body::json_object(req) {
        Ok(data) => data,
        Err(refused) => return refused,
    };
    let provider = match data.get("provider") {
        None | Some(Value::Null) => None,
        Some(Value::String(p)) => Some(p.as_str()),
        Some(_) => return HttpResponse::invalid_data("provider must be a string"),
    };
    let response = match app.service.retrieve_auth_identity(id).await {
        Ok(identity) => AuthenticationResponse::succeeded(identity),
        Err(e) => AuthenticationResponse::failed(e.to_string()),
    };
    with_mfa_requirement(app, response, provider).await
}

/// `GET /admin/auth-identities/{id}/mfa-factors?status=`: Medusa's `listAuthMfa`, without secrets.
pub async fn mfa_factors(app: &App, req: &HttpRequest, id: &str) -> HttpResponse {
    if let Err(refused) = super::admin::authorized(app, req) {
        return refused;
    }
    if req.method != "GET" {
        return HttpResponse::method_not_allowed("GET");
    }
    let (_, _, query) = req.url_parts();
    let params = body::parse_query(query);
    let status = match params.get("status") {
        None => None,
        Some(s) => match FactorStatus::parse(s) {
            Some(status) => Some(status),
            None => {
                return HttpResponse::invalid_data(&format!(
                    "status must be \"pending\", \"enabled\" or \"disabled\", got {s:?}"
                ));
            }
        },
    };
    match app.account.mfa().list(id, status).await {
        Ok(factors) => HttpResponse::json(
            200,
            &json!({ "mfa_factors": factors.iter().map(|f| f.to_json()).collect::<Vec<_>>() }),
        ),
        Err(e) => e.into(),
    }
}

/// `GET /admin/provider-identities?…`: Medusa's `listProviderIdentities`, sanitised.
pub async fn provider_identities(app: &App, req: &HttpRequest) -> HttpResponse {
    if let Err(refused) = super::admin::authorized(app, req) {
        return refused;
    }
    if req.method != "GET" {
        return HttpResponse::method_not_allowed("GET");
    }
    let (_, _, query) = req.url_parts();
    let params: BTreeMap<String, String> = body::parse_query(query);
    let known = ["id", "entity_id", "provider", "auth_identity_id"];
    if let Some(unknown) = params.keys().find(|k| !known.contains(&k.as_str())) {
        return HttpResponse::invalid_data(&format!(
            "Unknown filter {unknown:?}: use id, entity_id, provider or auth_identity_id"
        ));
    }
    if params.is_empty() {
        return HttpResponse::invalid_data(
            "Name at least one filter: id, entity_id, provider or auth_identity_id",
        );
    }
    let filter = ProviderIdentityFilter {
        id: params.get("id").map(|ids| {
            ids.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect()
        }),
        entity_id: params.get("entity_id").cloned(),
        auth_identity_id: params.get("auth_identity_id").cloned(),
        provider: params.get("provider").cloned(),
    };
    match app.service.list_provider_identities(&filter).await {
        Ok(found) => {
            let shown: Vec<Value> = found
                .iter()
                .map(|pi| {
                    serde_json::to_value(pi.without_provider_secrets()).unwrap_or(Value::Null)
                })
                .collect();
            HttpResponse::json(200, &json!({ "provider_identities": shown }))
        }
        Err(e) => e.into(),
    }
}

/// A required non-empty string field of a JSON body, or a 400 naming it.
fn text_field<'a>(data: &'a crate::model::Metadata, field: &str) -> Result<&'a str, HttpResponse> {
    match data.get(field) {
        Some(Value::String(s)) if !s.is_empty() => Ok(s),
        _ => Err(HttpResponse::invalid_data(&format!(
            "{field} must be a non-empty string"
        ))),
    }
}

fn provider_field(data: &crate::model::Metadata) -> Result<ProviderId, HttpResponse> {
    let id = text_field(data, "provider")?;
    ProviderId::parse(id).ok_or_else(|| {
        HttpResponse::invalid_data(&format!("provider must be a provider id, got {id:?}"))
    })
}

/// Medusa's default lifetime of a reset token's jti.
const DEFAULT_RESET_TTL_SECS: u64 = 900;

/// `POST /admin/password-reset-tokens` and `…/consume`: Medusa 2.16+'s single-use reset jti.
pub async fn reset_tokens(app: &App, req: &HttpRequest, consume: bool) -> HttpResponse {
    if let Err(refused) = super::admin::authorized(app, req) {
        return refused;
    }
    if req.method != "POST" {
        return HttpResponse::method_not_allowed("POST");
    }
    let data = match body::json_object(req) {
        Ok(data) => data,
        Err(refused) => return refused,
    };
    let fields = match (provider_field(&data), text_field(&data, "entity_id")) {
        (Ok(provider), Ok(entity_id)) => (provider, entity_id.to_owned()),
        (Err(refused), _) | (_, Err(refused)) => return refused,
    };
    let (provider, entity_id) = fields;
    if consume {
        let jti = match text_field(&data, "jti") {
            Ok(jti) => jti,
            Err(refused) => return refused,
        };
        return match app
            .account
            .consume_reset_jti(jti, &provider, &entity_id)
            .await
        {
            Ok(consumed) => {
                HttpResponse::json(200, &serde_json::to_value(consumed).unwrap_or(Value::Null))
            }
            Err(e) => e.into(),
        };
    }
    // Anything but a positive integer is 0, which the domain refuses with Medusa's message.
    let ttl_secs = match data.get("ttl_seconds") {
        None | Some(Value::Null) => DEFAULT_RESET_TTL_SECS,
        Some(v) => v.as_u64().unwrap_or(0),
    };
    match app
        .account
        .create_reset_jti(&provider, &entity_id, ttl_secs)
        .await
    {
        Ok(issued) => HttpResponse::json(
            201,
            &json!({ "jti": issued.jti, "expires_at": iso8601_utc(issued.expires_at_ms) }),
        ),
        Err(e) => e.into(),
    }
}

/// `POST /admin/mfa-challenges/{id}/verify`: Medusa's `verifyAuthMfaChallenge`.
pub async fn verify_challenge(app: &App, req: &HttpRequest, id: &str) -> HttpResponse {
    if let Err(refused) = super::admin::authorized(app, req) {
        return refused;
    }
    if req.method != "POST" {
        return HttpResponse::method_not_allowed("POST");
    }
    let data = match body::json_object(req) {
        Ok(data) => data,
        Err(refused) => return refused,
    };
    let (method, code) = match (text_field(&data, "method"), text_field(&data, "code")) {
        (Ok(method), Ok(code)) => (method, code),
        (Err(refused), _) | (_, Err(refused)) => return refused,
    };
    let owner = match data.get("auth_identity_id") {
        None | Some(Value::Null) => None,
        Some(Value::String(owner)) => Some(owner.as_str()),
        Some(_) => return HttpResponse::invalid_data("auth_identity_id must be a string"),
    };
    match app
        .account
        .mfa()
        .verify_challenge(id, method, code, owner)
        .await
    {
        Ok(challenge) => HttpResponse::json(200, &json!({ "mfa_challenge": challenge.to_json() })),
        Err(e) => e.into(),
    }
}
