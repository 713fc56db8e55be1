//! The Auth Module's own methods over the admin API, for a Medusa backend whose Auth Module is the bridge
//! `edge-auth/medusa`: the flows answer Medusa's `AuthenticationResponse`, not tokens (the backend issues
//! its own). Contract: `docs/http-api.md#module-api-for-a-medusa-backend`.
//!
//! - `POST /admin/auth/{provider}/register|authenticate` with an `AuthenticationInput` →
//!   `200 {success, authIdentity?, location?, error?}`; a failure is `success: false` with the
//!   provider's message, never an HTTP error (Medusa's flows never throw). No MFA challenge is opened:
//!   the bridge asks for the identity's factors (below) and refuses one with an enabled factor.
//! - `GET /admin/auth-identities/{id}/mfa-factors` → `{mfa_factors}`, every status (`listAuthMfa`).
//!
//! The rest of the module methods are the identity routes of `admin.rs`.
//!
//! Rate limits: the backend calls for its users, from one address. Sign-in and registration are counted
//! per email as on the public routes, and per client IP only when the backend names the end user's
//! address in [`FORWARDED_CLIENT_HEADER`] — trusted here because the request carries the admin secret;
//! without it nothing is counted per IP (all users would share the backend's bucket).

use super::response::identity_json;
use super::{App, HttpRequest, HttpResponse, body};
use crate::account::{PasswordAttempt, PasswordRoute, body_identifier};
use crate::mfa::records::factors_json;
use crate::model::{AuthenticationInput, AuthenticationResponse, Metadata};
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

/// `POST /admin/auth/{provider}/register` and `…/authenticate`: Medusa's `register` and `authenticate`.
pub async fn flow(
    app: &App,
    req: &HttpRequest,
    provider: &str,
    route: PasswordRoute,
) -> HttpResponse {
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
