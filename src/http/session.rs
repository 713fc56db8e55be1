//! `/auth/session`: Medusa's cookie session over [`crate::account::AccountService`]'s sessions
//! (contract: `docs/http-api.md#sessions`). Every failure is Medusa's middleware answer,
//! `401 {"message":"Unauthorized"}`.

use super::{App, HttpRequest, HttpResponse, extract};
use crate::account::session;
use serde_json::json;

pub async fn create(app: &App, req: &HttpRequest) -> HttpResponse {
    let Some(raw) = extract::bearer(req) else {
        return HttpResponse::bearer_unauthorized();
    };
    match app.account.create_session(raw).await {
        Ok(made) => {
            let cookie = app.config.account.session_cookie;
            HttpResponse::json(200, &json!({ "user": made.auth_context })).with_header(
                "set-cookie",
                &session::set_cookie(cookie, &made.id, made.ttl_secs),
            )
        }
        Err(e) => e.into(),
    }
}

/// The session id in the configured cookie only: with the `__Host-` name, an unprefixed `connect.sid`
/// (which another host could have set) is not read.
fn cookie<'r>(app: &App, req: &'r HttpRequest) -> Option<&'r str> {
    let name = app.config.account.session_cookie.name();
    session::cookie_value(req.header("cookie"), name)
}

pub async fn current(app: &App, req: &HttpRequest) -> HttpResponse {
    let Some(id) = cookie(app, req) else {
        return HttpResponse::bearer_unauthorized();
    };
    match app.account.session(id).await {
        Ok(Some(found)) => HttpResponse::json(200, &json!({ "user": found.auth_context })),
        Ok(None) => HttpResponse::bearer_unauthorized(),
        Err(e) => e.into(),
    }
}

pub async fn destroy(app: &App, req: &HttpRequest) -> HttpResponse {
    let Some(id) = cookie(app, req) else {
        return HttpResponse::bearer_unauthorized();
    };
    match app.account.end_session(id).await {
        Ok(true) => HttpResponse::json(200, &json!({ "success": true })).with_header(
            "set-cookie",
            &session::clear_cookie(app.config.account.session_cookie),
        ),
        Ok(false) => HttpResponse::bearer_unauthorized(),
        Err(e) => e.into(),
    }
}
