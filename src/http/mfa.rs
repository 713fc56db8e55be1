//! Medusa 2.21's `/auth/mfa/*` routes over [`crate::mfa::MfaService`] (contract:
//! `docs/http-api.md#multi-factor-authentication`). Each route reads its caller (a session or a bearer
//! token, actor-less ones welcome; one still owing its challenge only on the challenge route), checks the
//! body as Medusa's validators do, calls one domain method and answers with Medusa's shape.

use super::{App, HttpRequest, HttpResponse, body, extract};
use crate::account::{MfaCaller, session};
use crate::mfa::StartFactor;
use crate::model::Metadata;
use serde_json::{Value, json};

/// The caller, or the route's 401.
async fn caller(
    app: &App,
    req: &HttpRequest,
    allow_mfa_pending: bool,
) -> Result<MfaCaller, HttpResponse> {
    let cookie = app.config.account.session_cookie.name();
    let session_id = session::cookie_value(req.header("cookie"), cookie);
    app.account
        .mfa_caller(session_id, extract::bearer(req), allow_mfa_pending)
        .await
        .map_err(HttpResponse::from)
}

/// Medusa's (zod) message for a field that is missing or not a string.
fn field_error(name: &str, value: Option<&Value>) -> HttpResponse {
    let message = match value {
        None | Some(Value::Null) => format!("Invalid request: Field '{name}' is required"),
        Some(other) => format!(
            "Invalid request: Expected type: 'string' for field '{name}', got: '{}'",
            json_type(other)
        ),
    };
    HttpResponse::invalid_data(&message)
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

/// A required non-empty string field (`z.string().min(1)`).
fn required_string<'b>(input: &'b Metadata, name: &str) -> Result<&'b str, HttpResponse> {
    match input.get(name) {
        Some(Value::String(s)) if !s.is_empty() => Ok(s),
        Some(Value::String(_)) => Err(HttpResponse::invalid_data(&format!(
            "Invalid request: Value for field '{name}' too small, expected at least: '1'"
        ))),
        other => Err(field_error(name, other)),
    }
}

/// An optional string field (absent or null is `None`).
fn optional_string<'b>(input: &'b Metadata, name: &str) -> Result<Option<&'b str>, HttpResponse> {
    match input.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        other => Err(field_error(name, other)),
    }
}

fn factor_json(value: &impl serde::Serialize) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// `GET /auth/mfa/factors` → `{mfa_factors}`.
pub async fn list(app: &App, req: &HttpRequest) -> HttpResponse {
    let caller = match caller(app, req, false).await {
        Ok(caller) => caller,
        Err(refused) => return refused,
    };
    match app.account.mfa().list(&caller.auth_identity_id, None).await {
        Ok(factors) => HttpResponse::json(200, &json!({ "mfa_factors": factor_json(&factors) })),
        Err(e) => e.into(),
    }
}

/// `POST /auth/mfa/factors` `{provider, label?, issuer?, metadata?}` → `{mfa_factor, secret,
/// otpauth_url}`: the only answer that ever holds the secret.
pub async fn start(app: &App, req: &HttpRequest) -> HttpResponse {
    let caller = match caller(app, req, false).await {
        Ok(caller) => caller,
        Err(refused) => return refused,
    };
    let input = match body::json_object(req) {
        Ok(input) => input,
        Err(refused) => return refused,
    };
    let fields = (
        required_string(&input, "provider"),
        optional_string(&input, "label"),
        optional_string(&input, "issuer"),
    );
    let (provider, label, issuer) = match fields {
        (Ok(p), Ok(l), Ok(i)) => (p, l, i),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => return e,
    };
    let metadata = match input.get("metadata") {
        None | Some(Value::Null) => None,
        Some(Value::Object(m)) => Some(m.clone()),
        Some(other) => {
            return HttpResponse::invalid_data(&format!(
                "Invalid request: Expected type: 'object' for field 'metadata', got: '{}'",
                json_type(other)
            ));
        }
    };
    let start = StartFactor {
        auth_identity_id: caller.auth_identity_id,
        provider: provider.to_owned(),
        label: label.map(str::to_owned),
        issuer: issuer.map(str::to_owned),
        metadata,
    };
    match app.account.mfa().start(start).await {
        Ok(enrolment) => HttpResponse::json(
            200,
            &json!({
                "mfa_factor": factor_json(&enrolment.factor),
                "secret": enrolment.secret,
                "otpauth_url": enrolment.otpauth_url,
            }),
        )
        // The secret must not linger in any cache.
        .with_header("cache-control", "no-store"),
        Err(e) => e.into(),
    }
}

/// `POST /auth/mfa/factors/{id}/verify` `{code}` → `{mfa_factor}` (enabled).
pub async fn verify_factor(app: &App, req: &HttpRequest, id: &str) -> HttpResponse {
    let caller = match caller(app, req, false).await {
        Ok(caller) => caller,
        Err(refused) => return refused,
    };
    let input = match body::json_object(req) {
        Ok(input) => input,
        Err(refused) => return refused,
    };
    let code = match required_string(&input, "code") {
        Ok(code) => code,
        Err(refused) => return refused,
    };
    let verified = app
        .account
        .mfa()
        .verify_factor(id, Some(&caller.auth_identity_id), code)
        .await;
    match verified {
        Ok(factor) => HttpResponse::json(200, &json!({ "mfa_factor": factor_json(&factor) })),
        Err(e) => e.into(),
    }
}

/// `DELETE /auth/mfa/factors/{id}` `{method?, code?}` → `{mfa_factor}` (disabled). Medusa's default
/// `session` policy: the signed-in caller needs no code; `method` and `code` are checked for type only.
pub async fn disable(app: &App, req: &HttpRequest, id: &str) -> HttpResponse {
    let caller = match caller(app, req, false).await {
        Ok(caller) => caller,
        Err(refused) => return refused,
    };
    let input = match body::json_object(req) {
        Ok(input) => input,
        Err(refused) => return refused,
    };
    for name in ["method", "code"] {
        if let Err(refused) = optional_string(&input, name) {
            return refused;
        }
    }
    match app
        .account
        .mfa()
        .disable(id, Some(&caller.auth_identity_id))
        .await
    {
        Ok(factor) => HttpResponse::json(200, &json!({ "mfa_factor": factor_json(&factor) })),
        Err(e) => e.into(),
    }
}

/// `POST /auth/mfa/recovery-codes` `{count?}` → `{recovery_codes}`, shown this once.
pub async fn recovery_codes(app: &App, req: &HttpRequest) -> HttpResponse {
    let caller = match caller(app, req, false).await {
        Ok(caller) => caller,
        Err(refused) => return refused,
    };
    let input = match body::json_object(req) {
        Ok(input) => input,
        Err(refused) => return refused,
    };
    let count = match input.get("count") {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) => match n.as_u64().and_then(|n| u32::try_from(n).ok()) {
            Some(n) => Some(n),
            // A negative or fractional count: Medusa's own range message.
            None => Some(0),
        },
        Some(other) => {
            return HttpResponse::invalid_data(&format!(
                "Invalid request: Expected type: 'number' for field 'count', got: '{}'",
                json_type(other)
            ));
        }
    };
    match app
        .account
        .mfa()
        .generate_recovery_codes(&caller.auth_identity_id, count, true)
        .await
    {
        Ok(codes) => HttpResponse::json(200, &json!({ "recovery_codes": codes }))
            .with_header("cache-control", "no-store"),
        Err(e) => e.into(),
    }
}

/// `POST /auth/mfa/challenges/{id}/verify` `{method, code}` → `{token}`: the caller's own challenge
/// (its token may still owe it: that is what this route is for).
pub async fn verify_challenge(app: &App, req: &HttpRequest, id: &str) -> HttpResponse {
    let caller = match caller(app, req, true).await {
        Ok(caller) => caller,
        Err(refused) => return refused,
    };
    let input = match body::json_object(req) {
        Ok(input) => input,
        Err(refused) => return refused,
    };
    let (method, code) = match (
        required_string(&input, "method"),
        required_string(&input, "code"),
    ) {
        (Ok(m), Ok(c)) => (m, c),
        (Err(e), _) | (_, Err(e)) => return e,
    };
    match app
        .account
        .pass_mfa_challenge(&caller, id, method, code)
        .await
    {
        Ok(token) => HttpResponse::json(200, &json!({ "token": token })),
        Err(e) => e.into(),
    }
}
