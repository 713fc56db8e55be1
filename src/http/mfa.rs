//! Medusa 2.21's `/auth/mfa/*` routes over [`crate::mfa::MfaService`] (contract:
//! `docs/http-api.md#multi-factor-authentication`). Every route reads its caller the same way (a session
//! or a bearer token, actor-less ones welcome; one still owing its challenge only on the challenge route)
//! and its JSON body, checks the fields as Medusa's validators do, calls one domain method and answers
//! with Medusa's shape. One entry, [`handle`], keeps the Worker's wasm small.

use super::{App, HttpRequest, HttpResponse, body, extract};
use crate::account::session;
use crate::mfa::records::factors_json;
use crate::mfa::{Enrolment, StartFactor};
use crate::model::Metadata;
use serde_json::{Value, json};
use std::future::Future;
use std::pin::Pin;

/// Which MFA route, with its path's id.
pub enum Route<'p> {
    /// `GET /auth/mfa/factors`.
    List,
    /// `POST /auth/mfa/factors`.
    Start,
    /// `POST /auth/mfa/factors/{id}/verify`.
    VerifyFactor(&'p str),
    /// `DELETE /auth/mfa/factors/{id}`.
    Disable(&'p str),
    /// `POST /auth/mfa/recovery-codes`.
    RecoveryCodes,
    /// `POST /auth/mfa/challenges/{id}/verify`.
    VerifyChallenge(&'p str),
}

/// Answers an MFA route (boxed: one future for all of them).
pub fn handle<'a>(
    app: &'a App,
    req: &'a HttpRequest,
    route: Route<'a>,
) -> Pin<Box<dyn Future<Output = HttpResponse> + 'a>> {
    Box::pin(async move { answer(app, req, route).await.unwrap_or_else(|e| e) })
}

async fn answer(
    app: &App,
    req: &HttpRequest,
    route: Route<'_>,
) -> Result<HttpResponse, HttpResponse> {
    let cookie = app.config.account.session_cookie.name();
    let session_id = session::cookie_value(req.header("cookie"), cookie);
    let on_challenge = matches!(route, Route::VerifyChallenge(_));
    let caller = app
        .account
        .mfa_caller(session_id, extract::bearer(req), on_challenge)
        .await?;
    let input = body::json_object(req)?;
    let mfa = app.account.mfa();
    let me = Some(caller.auth_identity_id.as_str());
    let answer = match route {
        Route::List => {
            json!({ "mfa_factors": factors_json(&mfa.list(&caller.auth_identity_id, None).await?) })
        }
        Route::Start => {
            let start = start_factor(&input, &caller.auth_identity_id)?;
            return Ok(enrolment_answer(mfa.start(start).await?));
        }
        Route::VerifyFactor(id) => {
            let code = required_string(&input, "code")?;
            json!({ "mfa_factor": mfa.verify_factor(id, me, code).await?.to_json() })
        }
        Route::Disable(id) => {
            // Medusa's default `session` policy: the signed-in caller needs no code; the fields are
            // checked for type only.
            optional_string(&input, "method")?;
            optional_string(&input, "code")?;
            json!({ "mfa_factor": mfa.disable(id, me).await?.to_json() })
        }
        Route::RecoveryCodes => {
            let count = recovery_count(&input)?;
            let codes = mfa
                .generate_recovery_codes(&caller.auth_identity_id, count, true)
                .await?;
            return Ok(codes_answer(&codes));
        }
        Route::VerifyChallenge(id) => {
            let method = required_string(&input, "method")?;
            let code = required_string(&input, "code")?;
            let token = app
                .account
                .pass_mfa_challenge(&caller, id, method, code)
                .await?;
            json!({ "token": token })
        }
    };
    Ok(HttpResponse::json(200, &answer))
}

/// `startAuthMfa`'s input for `auth_identity_id`, its fields checked as Medusa's validator does.
pub(super) fn start_factor(
    input: &Metadata,
    auth_identity_id: &str,
) -> Result<StartFactor, HttpResponse> {
    let metadata = match input.get("metadata") {
        None | Some(Value::Null) => None,
        Some(Value::Object(m)) => Some(m.clone()),
        Some(other) => return Err(wrong_type("metadata", "object", other)),
    };
    Ok(StartFactor {
        auth_identity_id: auth_identity_id.to_owned(),
        provider: required_string(input, "provider")?.to_owned(),
        label: optional_string(input, "label")?.map(str::to_owned),
        issuer: optional_string(input, "issuer")?.map(str::to_owned),
        metadata,
    })
}

/// The only answer that ever holds a factor's secret: no cache may keep it.
pub(super) fn enrolment_answer(enrolment: Enrolment) -> HttpResponse {
    HttpResponse::json(
        200,
        &json!({
            "mfa_factor": enrolment.factor.to_json(),
            "secret": enrolment.secret,
            "otpauth_url": enrolment.otpauth_url,
        }),
    )
    .with_header("cache-control", "no-store")
}

/// The optional `count` of recovery codes; a negative, fractional or huge one gets Medusa's range message.
pub(super) fn recovery_count(input: &Metadata) -> Result<Option<u32>, HttpResponse> {
    match input.get("count") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => Ok(Some(
            n.as_u64().and_then(|n| u32::try_from(n).ok()).unwrap_or(0),
        )),
        Some(other) => Err(wrong_type("count", "number", other)),
    }
}

/// Recovery codes are shown once: no cache may keep them.
pub(super) fn codes_answer(codes: &[String]) -> HttpResponse {
    HttpResponse::json(200, &json!({ "recovery_codes": codes }))
        .with_header("cache-control", "no-store")
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Medusa's (zod) message for a field of the wrong type.
pub(super) fn wrong_type(name: &str, expected: &str, got: &Value) -> HttpResponse {
    HttpResponse::invalid_data(&format!(
        "Invalid request: Expected type: '{expected}' for field '{name}', got: '{}'",
        json_type(got)
    ))
}

/// A required non-empty string field (`z.string().min(1)`).
pub(super) fn required_string<'b>(
    input: &'b Metadata,
    name: &str,
) -> Result<&'b str, HttpResponse> {
    match input.get(name) {
        Some(Value::String(s)) if !s.is_empty() => Ok(s),
        Some(Value::String(_)) => Err(HttpResponse::invalid_data(&format!(
            "Invalid request: Value for field '{name}' too small, expected at least: '1'"
        ))),
        None | Some(Value::Null) => Err(HttpResponse::invalid_data(&format!(
            "Invalid request: Field '{name}' is required"
        ))),
        Some(other) => Err(wrong_type(name, "string", other)),
    }
}

/// An optional string field (absent or null is `None`).
pub(super) fn optional_string<'b>(
    input: &'b Metadata,
    name: &str,
) -> Result<Option<&'b str>, HttpResponse> {
    match input.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(wrong_type(name, "string", other)),
    }
}
