//! Medusa's three flow routes — sign in (`/auth/{actor}/{provider}`), register and the third-party
//! callback — over the service's flow methods, rate limited, answered with `{location}`, `{token}` or a
//! 401 with the provider's message. Contract: `docs/http-api.md#register`, `#sign-in`, `#third-party-sign-in-routes`.

use super::extract::{self, Scope};
use super::{App, HttpRequest, HttpResponse, oauth};
use crate::account::{Attempt, body_identifier, config::LimitedRoute};
use crate::contract;
use crate::ports::runtime::join2;
use crate::service::VerifiedResponse;
use serde_json::json;

pub enum Flow {
    Authenticate,
    Register,
    Callback,
}

pub async fn run(
    app: &App,
    req: &HttpRequest,
    actor: &str,
    provider: &str,
    flow: Flow,
) -> HttpResponse {
    let scope = match extract::scope(app, actor, provider) {
        Ok(scope) => scope,
        Err(refused) => return refused,
    };
    let input = match extract::authentication_input(req) {
        Ok(input) => input,
        Err(refused) => return refused,
    };
    // Rate limits per client IP and per email; a successful sign-in clears the email's.
    let email = body_identifier(&input.body, "email");
    let route = match flow {
        Flow::Authenticate => LimitedRoute::Authenticate,
        Flow::Register => LimitedRoute::Register,
        Flow::Callback => LimitedRoute::Callback,
    };
    let attempt = Attempt {
        route,
        provider,
        client: extract::client_ip(req),
        identifier: email.as_deref(),
    };
    if let Err(refused) = app.account.count_attempt(attempt).await {
        return refused.into();
    }
    let service = &app.service;
    let is_login = matches!(flow, Flow::Authenticate);
    let result = match flow {
        Flow::Authenticate => {
            // Third-party redirect mode (`?return_to=`) answers with 302s: see `oauth.rs`.
            let return_to = match oauth::check_start(app, req, provider, &input) {
                Ok(return_to) => return_to,
                Err(refused) => return refused,
            };
            let result = service.authenticate_verified(provider, &input).await;
            if let Some(return_to) = return_to {
                return oauth::start_redirect(app, &result.response, &return_to);
            }
            result
        }
        Flow::Register => service.register_verified(provider, &input).await,
        Flow::Callback => {
            let response = service.validate_callback(provider, &input).await;
            if let Some(browser) = oauth::finish_callback(app, req, &scope, &response).await {
                return browser;
            }
            VerifiedResponse {
                response,
                verified: None,
            }
        }
    };
    let signed_in = is_login && result.response.success && result.response.auth_identity.is_some();
    let forget = async {
        if signed_in && let Some(email) = &email {
            let account = &app.account;
            account
                .forget_failures(LimitedRoute::Authenticate, provider, email)
                .await;
        }
    };
    // Clearing the counter (a guard call) overlaps with issuing the token (a KV read).
    let (_, response) = join2(forget, token_or_failure(app, &scope, result)).await;
    response
}

/// `{location}` for a third-party step, `{token}` on success (dated from the credential record the
/// password was verified against), else 401 with the provider's message.
async fn token_or_failure(app: &App, scope: &Scope, result: VerifiedResponse) -> HttpResponse {
    let VerifiedResponse {
        response: result,
        verified,
    } = result;
    if let Some(location) = result.location {
        return HttpResponse::json(200, &json!({ "location": location }));
    }
    match result.auth_identity {
        Some(identity) if result.success => {
            let issued = app
                .account
                .issue_token_verified(&identity, &scope.actor, verified.as_ref())
                .await;
            match issued {
                Ok(token) => HttpResponse::json(200, &json!({ "token": token })),
                Err(e) => e.into(),
            }
        }
        _ => HttpResponse::unauthorized(
            result
                .error
                .as_deref()
                .unwrap_or(contract::AUTHENTICATION_FAILED),
        ),
    }
}
