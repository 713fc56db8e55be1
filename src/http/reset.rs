//! Password reset, Medusa's two routes (contract: `docs/http-api.md#password-reset`): `reset-password`
//! answers `201` at once and leaves the lookup and delivery to a background task, so neither the answer
//! nor its timing tells whether the identity exists; `update` uses a reset token once.

use super::{App, HttpRequest, HttpResponse, body, extract};
use crate::account::{Attempt, body_identifier, config::LimitedRoute};
use crate::model::Metadata;
use serde_json::{Value, json};

/// Medusa's validation message for a missing field.
const IDENTIFIER_REQUIRED: &str = "Invalid request: Field 'identifier' is required";

/// Medusa's validation message for a `metadata` that is not an object.
fn metadata_not_an_object(got: &Value) -> String {
    let got = match got {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    format!("Invalid request: Expected type: 'object' for field 'metadata', got: '{got}'")
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
    // Medusa 2.16+: optional, an object, `{}` by default; it goes into the reset event.
    let metadata = match input.get("metadata") {
        None => Metadata::new(),
        Some(Value::Object(metadata)) => metadata.clone(),
        Some(other) => return HttpResponse::invalid_data(&metadata_not_an_object(other)),
    };
    let attempt = Attempt {
        route: LimitedRoute::ResetPassword,
        provider,
        client: extract::client_ip(req),
        identifier: Some(&counted),
    };
    if let Err(refused) = app.account.count_attempt(attempt).await {
        return refused.into();
    }
    // Medusa answers 201 for unknown providers too: configuration is checked here, existence later.
    if let Ok(scope) = extract::scope(app, actor, provider)
        && app.service.has_provider(provider)
    {
        let task = app.account.password_reset_delivery(
            scope.actor,
            scope.provider,
            identifier.clone(),
            metadata,
        );
        app.spawn(task);
    }
    HttpResponse::empty(201)
}

pub async fn update(app: &App, req: &HttpRequest, actor: &str, provider: &str) -> HttpResponse {
    let scope = match extract::scope(app, actor, provider) {
        Ok(scope) => scope,
        Err(refused) => return refused,
    };
    let account = &app.account;
    let grant = account
        .verify_password_reset_token(
            extract::bearer(req),
            &scope.actor,
            &scope.provider,
            extract::client_ip(req),
        )
        .await;
    let grant = match grant {
        Ok(grant) => grant,
        Err(e) => return e.into(),
    };
    let data = match body::json_object(req) {
        Ok(data) => data,
        Err(refused) => return refused,
    };
    match account.use_password_reset_token(grant, data).await {
        Ok(()) => HttpResponse::json(200, &json!({ "success": true })),
        Err(e) => e.into(),
    }
}
