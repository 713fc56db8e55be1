//! `POST /auth/token/refresh` ([`crate::account::AccountService::refresh_token`]): with a session
//! cookie or a bearer token, the session first, as Medusa's `authenticate("*", ["session", "bearer"])`.
//! Tokens and sessions without an actor are accepted (Medusa's `allowUnregistered`).

use super::{App, HttpRequest, HttpResponse, extract};
use crate::account::session;
use serde_json::json;

pub async fn refresh(app: &App, req: &HttpRequest) -> HttpResponse {
    let name = app.config.account.session_cookie.name();
    if let Some(id) = session::cookie_value(req.header("cookie"), name) {
        match app.account.refresh_session_token(id).await {
            Ok(Some(token)) => return HttpResponse::json(200, &json!({ "token": token })),
            // A stale cookie does not hide a valid bearer token sent with it.
            Ok(None) => {}
            Err(e) => return e.into(),
        }
    }
    let Some(raw) = extract::bearer(req) else {
        return HttpResponse::bearer_unauthorized();
    };
    match app.account.refresh_token(raw).await {
        Ok(token) => HttpResponse::json(200, &json!({ "token": token })),
        Err(e) => e.into(),
    }
}
