//! Issuing and accepting auth tokens with password-change revocation
//! ([`crate::account::revocation`]): every token is dated no earlier than its identity's last password
//! change, and tokens dated before it are refused by refresh and the session routes.

use super::routes::claims_for;
use super::{App, HttpResponse};
use crate::account::revocation;
use crate::model::AuthIdentity;
use crate::store::StoreError;
use crate::token;
use serde_json::json;

/// A signed token for `identity` as `actor_type`.
pub async fn sign_token(
    app: &App,
    identity: &AuthIdentity,
    actor_type: &str,
) -> Result<String, StoreError> {
    let valid_from = revocation::valid_from(app.store.as_ref(), &identity.id).await?;
    let iat = revocation::issued_at(app.clock.now_secs(), valid_from);
    let claims = claims_for(identity, actor_type, iat, app.config.jwt_expires_in_secs);
    Ok(token::sign(&claims, &app.config.jwt_key))
}

/// `200 {token}`.
pub async fn token_response(app: &App, identity: &AuthIdentity, actor_type: &str) -> HttpResponse {
    match sign_token(app, identity, actor_type).await {
        Ok(token) => HttpResponse::json(200, &json!({ "token": token })),
        Err(e) => super::rate_limit::unavailable(&e),
    }
}

/// Whether a token (or session) of `auth_identity_id` issued at `iat` was voided by a password change.
pub async fn is_revoked(app: &App, auth_identity_id: &str, iat: u64) -> Result<bool, StoreError> {
    let valid_from = revocation::valid_from(app.store.as_ref(), auth_identity_id).await?;
    Ok(revocation::is_revoked(iat, valid_from))
}
