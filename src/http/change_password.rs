//! `POST /auth/{actor}/{provider}/change-password`
//! ([`crate::account::AccountService::change_password`]; contract: `docs/http-api.md#change-password`).

use super::{App, HttpRequest, HttpResponse, body, extract};
use crate::account::PasswordChange;
use serde_json::{Value, json};

pub async fn change(app: &App, req: &HttpRequest, actor: &str, provider: &str) -> HttpResponse {
    let scope = match extract::scope(app, actor, provider) {
        Ok(scope) => scope,
        Err(refused) => return refused,
    };
    let Some(raw) = extract::bearer(req) else {
        return HttpResponse::bearer_unauthorized();
    };
    let claims = match app.account.verify_token_as(raw, &scope.actor).await {
        Ok(claims) => claims,
        Err(e) => return e.into(),
    };
    let input = match body::json_object(req) {
        Ok(input) => input,
        Err(refused) => return refused,
    };
    let change = PasswordChange {
        current_password: input.get("current_password").and_then(Value::as_str),
        new_password: input.get("password").and_then(Value::as_str),
    };
    let client = extract::client_ip(req);
    match app
        .account
        .change_password(&claims, &scope.actor, &scope.provider, change, client)
        .await
    {
        Ok(token) => HttpResponse::json(200, &json!({ "token": token })),
        Err(e) => e.into(),
    }
}
