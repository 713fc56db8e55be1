//! Medusa's three flow routes — sign in (`/auth/{actor}/{provider}`), register and the third-party
//! callback — over the service's flow methods, rate limited, answered with `{location}`, `{token}` (and a
//! known-device cookie) or a 401 with the provider's message. Contract: `docs/http-api.md#register`,
//! `#sign-in`, `#third-party-sign-in-routes`, `#rate-limits`.

use super::extract::{self, Scope};
use super::{App, HttpRequest, HttpResponse, oauth};
use crate::account::{
    Attempt, PasswordAttempt, PasswordRoute, SignIn, SignInAnswer, body_identifier,
    config::LimitedRoute,
};
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
    // Rate limits per client IP, then per email (or known device); the domain decides which. Callbacks
    // name no identifier: per IP only.
    let email = body_identifier(&input.body, "email");
    let client = extract::client_ip(req);
    let route = match flow {
        Flow::Authenticate => Some(PasswordRoute::SignIn),
        Flow::Register => Some(PasswordRoute::Register),
        Flow::Callback => None,
    };
    let admitted = match route {
        Some(route) => {
            let attempt = PasswordAttempt {
                route,
                provider,
                client,
                email: email.as_deref(),
                device_cookie: extract::known_device(req),
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
    let registering = matches!(flow, Flow::Register);
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
    let response = &result.response;
    let signed_in = response
        .auth_identity
        .clone()
        .filter(|_| response.success && response.location.is_none());
    let settle = async {
        match (admitted, signed_in) {
            (Some(admitted), Some(identity)) => {
                let account = &app.account;
                account
                    .password_attempt_succeeded(admitted, &identity)
                    .await
            }
            _ => None,
        }
    };
    // Settling the counters (a guard call) overlaps with issuing the token (a KV read).
    let (device_cookie, mut response) =
        join2(settle, token_or_failure(app, &scope, result, registering)).await;
    if let Some(cookie) = device_cookie.filter(|_| response.status == 200) {
        response.set_header("set-cookie", &cookie);
    }
    response
}

/// `{location}` for a third-party step, `{token}` on success (dated from the credential record the
/// password was verified against) or, for an identity with MFA, `{mfa_required, mfa_challenge,
/// token}`, or one owing a verification, `{verification_required, verification, token}`, else 401 with
/// the provider's message.
async fn token_or_failure(
    app: &App,
    scope: &Scope,
    result: VerifiedResponse,
    registering: bool,
) -> HttpResponse {
    let VerifiedResponse {
        response: result,
        verified,
    } = result;
    if let Some(location) = result.location {
        return HttpResponse::json(200, &json!({ "location": location }));
    }
    match result.auth_identity {
        Some(identity) if result.success => {
            let sign_in = SignIn::through(&scope.provider);
            let account = &app.account;
            let verified = verified.as_ref();
            let answer = match registering {
                true => {
                    account
                        .answer_registration(&identity, &scope.actor, sign_in, verified)
                        .await
                }
                false => {
                    account
                        .answer_sign_in(&identity, &scope.actor, sign_in, verified)
                        .await
                }
            };
            match answer {
                Ok(SignInAnswer::Token(token)) => {
                    HttpResponse::json(200, &json!({ "token": token }))
                }
                Ok(SignInAnswer::MfaRequired { challenge, token }) => HttpResponse::json(
                    200,
                    &json!({ "mfa_required": true, "mfa_challenge": challenge.to_json(), "token": token }),
                ),
                Ok(SignInAnswer::VerificationRequired {
                    verification,
                    token,
                }) => {
                    // Medusa's `verification` is `undefined` (absent) before any was requested.
                    let mut body = json!({ "verification_required": true, "token": token });
                    if let Some(v) = verification {
                        body["verification"] = v.to_json();
                    }
                    HttpResponse::json(200, &body)
                }
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
