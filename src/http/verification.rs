//! Medusa 2.21's `/auth/verification/*` routes over [`crate::account::verification`] (contract:
//! `docs/http-api.md#email-verification`): the body checked as Medusa's validators do, one domain call,
//! Medusa's answer. `request` needs a caller (actor-less and MFA-pending tokens welcome, as Medusa's
//! `allowUnregistered, requireMfa: false`); `confirm` takes one if it is there.

use super::mfa::{required_string, wrong_type};
use super::{App, HttpRequest, HttpResponse, body, extract};
use crate::account::session;
use crate::account::verification::{self, TOKEN_PROVIDER};
use crate::account::{MfaCaller, VerificationRequest};
use crate::model::Metadata;
use serde_json::{Value, json};

/// Which verification route.
pub enum Route {
    /// `POST /auth/verification/request`.
    Request,
    /// `POST /auth/verification/confirm`.
    Confirm,
}

/// Answers a verification route.
pub async fn handle(app: &App, req: &HttpRequest, route: Route) -> HttpResponse {
    answer(app, req, route).await.unwrap_or_else(|e| e)
}

async fn caller(app: &App, req: &HttpRequest) -> Result<MfaCaller, HttpResponse> {
    let cookie = app.config.account.session_cookie.name();
    let session_id = session::cookie_value(req.header("cookie"), cookie);
    Ok(app
        .account
        .mfa_caller(session_id, extract::bearer(req), true)
        .await?)
}

async fn answer(app: &App, req: &HttpRequest, route: Route) -> Result<HttpResponse, HttpResponse> {
    match route {
        Route::Request => {
            let caller = caller(app, req).await?;
            let input = body::json_object(req)?;
            let request = verification_request(&input, caller.auth_identity_id)?;
            let requested = app.account.request_verification(request).await?;
            let shown = requested.verification.to_json();
            if let Some(task) = verification::delivery(&app.account, requested, caller.actor_type) {
                app.spawn(task);
            }
            Ok(HttpResponse::json(201, &json!({ "verification": shown })))
        }
        Route::Confirm => {
            // Medusa's `allowUnauthenticated`: a missing or unusable credential is no caller.
            let caller = caller(app, req).await.ok();
            let input = body::json_object(req)?;
            let (code, code_provider) = confirmation(&input)?;
            let me = caller.as_ref().map(|c| c.auth_identity_id.as_str());
            let v = app
                .account
                .confirm_verification(code, code_provider, me, extract::client_ip(req))
                .await?;
            Ok(HttpResponse::json(
                200,
                &json!({
                    "entity_id": v.entity_id,
                    "entity_type": v.entity_type,
                    "code_provider": v.code_provider,
                    "verified_at": v.verified_at,
                }),
            ))
        }
    }
}

/// `requestAuthVerification`'s input for `auth_identity_id`, checked as Medusa's validator does.
pub(super) fn verification_request(
    input: &Metadata,
    auth_identity_id: String,
) -> Result<VerificationRequest, HttpResponse> {
    let entity_id = required_string(input, "entity_id")?.to_owned();
    let entity_type = required_string(input, "entity_type")?.to_owned();
    let code_provider = match input.get("code_provider") {
        None | Some(Value::Null) => TOKEN_PROVIDER,
        Some(_) => required_string(input, "code_provider")?,
    };
    let metadata = match input.get("metadata") {
        None | Some(Value::Null) => None,
        Some(Value::Object(m)) => Some(m.clone()),
        Some(other) => return Err(wrong_type("metadata", "object", other)),
    };
    Ok(VerificationRequest {
        auth_identity_id,
        entity_id,
        entity_type,
        code_provider: code_provider.to_owned(),
        metadata,
    })
}

/// `confirmAuthVerification`'s `code` and optional `code_provider`.
pub(super) fn confirmation(input: &Metadata) -> Result<(&str, Option<&str>), HttpResponse> {
    let code = required_string(input, "code")?;
    let code_provider = match input.get("code_provider") {
        None | Some(Value::Null) => None,
        Some(_) => Some(required_string(input, "code_provider")?),
    };
    Ok((code, code_provider))
}
