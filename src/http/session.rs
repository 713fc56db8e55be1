//! `/auth/session`: Medusa's cookie session, with a server-side record ([`crate::account::session`]).
//!
//! - `POST` with `Authorization: Bearer <token>` of an identity that has an actor → `200 {user}` and a
//!   `connect.sid` cookie (`HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age=SESSION_TTL`).
//! - `GET` with the cookie → `200 {user}` (ours: lets the app behind the Worker check a cookie).
//! - `DELETE` with the cookie → `200 {success: true}`, the record deleted and the cookie cleared.
//!
//! `user` is Medusa's `auth_context`. Anything else is Medusa's middleware answer,
//! `401 {"message":"Unauthorized"}`; so is a session or token older than its identity's last password
//! change.

use super::issue::is_revoked;
use super::rate_limit::unavailable;
use super::routes::{bearer, bearer_unauthorized, method_not_allowed};
use super::{App, HttpRequest, HttpResponse};
use crate::account::session::{self, AuthContext, Session};
use crate::token;
use serde_json::json;

pub async fn route(app: &App, req: &HttpRequest) -> HttpResponse {
    match req.method.as_str() {
        "POST" => create(app, req).await,
        "GET" => current(app, req).await,
        "DELETE" => destroy(app, req).await,
        _ => method_not_allowed("GET, POST, DELETE"),
    }
}

async fn create(app: &App, req: &HttpRequest) -> HttpResponse {
    let Some(raw) = bearer(req) else {
        return bearer_unauthorized();
    };
    let Ok(claims) = token::verify(raw, &app.config.jwt_key, app.clock.now_secs()) else {
        return bearer_unauthorized();
    };
    // Medusa's `authenticate("*", "bearer")`: a token without an actor is not enough.
    if claims.actor_id.is_empty() {
        return bearer_unauthorized();
    }
    match is_revoked(app, &claims.auth_identity_id, claims.iat).await {
        Ok(false) => {}
        Ok(true) => return bearer_unauthorized(),
        Err(e) => return unavailable(&e),
    }
    let record = Session {
        auth_context: AuthContext {
            actor_id: claims.actor_id,
            actor_type: claims.actor_type,
            auth_identity_id: claims.auth_identity_id,
            app_metadata: claims.app_metadata,
        },
        iat: claims.iat,
        created_at_ms: app.clock.now_ms(),
    };
    let ttl = app.config.account.session_ttl_secs;
    match session::create(app.store.as_ref(), &record, ttl).await {
        Ok(id) => HttpResponse::json(200, &json!({ "user": record.auth_context }))
            .with_header("set-cookie", &session::set_cookie(&id, ttl)),
        Err(e) => unavailable(&e),
    }
}

/// The live, unrevoked session named by the request's cookie, with its id.
async fn from_cookie<'r>(
    app: &App,
    req: &'r HttpRequest,
) -> Result<Option<(&'r str, Session)>, HttpResponse> {
    let Some(id) = session::cookie_value(req.header("cookie"), session::COOKIE_NAME) else {
        return Ok(None);
    };
    let store = app.store.as_ref();
    let Some(found) = session::find(store, id)
        .await
        .map_err(|e| unavailable(&e))?
    else {
        return Ok(None);
    };
    let revoked = is_revoked(app, &found.auth_context.auth_identity_id, found.iat)
        .await
        .map_err(|e| unavailable(&e))?;
    if revoked {
        // Dead for good: drop the record now rather than at its TTL.
        let _ = session::delete(store, id).await;
        return Ok(None);
    }
    Ok(Some((id, found)))
}

async fn current(app: &App, req: &HttpRequest) -> HttpResponse {
    match from_cookie(app, req).await {
        Ok(Some((_, found))) => HttpResponse::json(200, &json!({ "user": found.auth_context })),
        Ok(None) => bearer_unauthorized(),
        Err(refused) => refused,
    }
}

async fn destroy(app: &App, req: &HttpRequest) -> HttpResponse {
    match from_cookie(app, req).await {
        Ok(Some((id, _))) => match session::delete(app.store.as_ref(), id).await {
            Ok(()) => HttpResponse::json(200, &json!({ "success": true }))
                .with_header("set-cookie", &session::clear_cookie()),
            Err(e) => unavailable(&e),
        },
        Ok(None) => bearer_unauthorized(),
        Err(refused) => refused,
    }
}
