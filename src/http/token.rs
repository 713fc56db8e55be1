//! `POST /auth/token/refresh` ([`crate::account::AccountService::refresh_token`]).

use super::{App, HttpRequest, HttpResponse, extract};
use serde_json::json;

pub async fn refresh(app: &App, req: &HttpRequest) -> HttpResponse {
    let Some(raw) = extract::bearer(req) else {
        return HttpResponse::bearer_unauthorized();
    };
    match app.account.refresh_token(raw).await {
        Ok(token) => HttpResponse::json(200, &json!({ "token": token })),
        Err(e) => e.into(),
    }
}
