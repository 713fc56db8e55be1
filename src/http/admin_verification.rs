//! Email verification's module methods over the admin API, for the bridge `edge-auth/medusa`: a Medusa
//! backend's `/auth/verification/*` routes and its sign-in (`validateVerification`) call them for the
//! identity the backend names (trusted: the request carries the admin secret). The Worker's own routes
//! read the identity from a token instead (`verification.rs`, whose field checks these share). Contract:
//! `docs/http-api.md#module-api-for-a-medusa-backend`.
//!
//! - `POST /admin/verifications` `{auth_identity_id, entity_id, entity_type, code_provider?, metadata?}`
//!   → `201 {verification, code, expires_at}` (`requestAuthVerification`: the backend's workflow puts the
//!   code in its `auth.verification_requested` event; no code for one already verified)
//! - `POST /admin/verifications/confirm` `{code, code_provider?, auth_identity_id?}` → `{verification}`
//!   (`confirmAuthVerification`)
//! - `POST /admin/verifications/find` `{auth_identity_id, entity_id, entity_type}` → `{verifications}`,
//!   none or one (`listAuthVerifications` as `validateVerification` calls it)

use super::mfa::{optional_string, required_string};
use super::verification::{confirmation, verification_request};
use super::{App, HttpRequest, HttpResponse};
use crate::oauth::profile::iso8601_utc;
use serde_json::json;

/// Which route, by the path after `/admin/verifications`.
pub enum Route {
    Request,
    Confirm,
    Find,
}

/// Answers an admin verification route.
pub async fn handle(app: &App, req: &HttpRequest, route: Route) -> HttpResponse {
    answer(app, req, route).await.unwrap_or_else(|e| e)
}

async fn answer(app: &App, req: &HttpRequest, route: Route) -> Result<HttpResponse, HttpResponse> {
    let input = super::admin_module::admin_post(app, req)?;
    let account = &app.account;
    Ok(match route {
        Route::Request => {
            let id = required_string(&input, "auth_identity_id")?.to_owned();
            // The domain answers an unknown identity as an unusable caller (401); here it is Medusa's 404,
            // never the 401 of a wrong admin secret.
            app.service.retrieve_auth_identity(&id).await?;
            let requested = account
                .request_verification(verification_request(&input, id)?)
                .await?;
            let mut body = json!({ "verification": requested.verification.to_json() });
            if let (Some(code), Some(at)) = (requested.code, requested.expires_at_ms) {
                body["code"] = json!(code);
                body["expires_at"] = json!(iso8601_utc(at));
            }
            // The one answer that holds a code: no cache may keep it.
            HttpResponse::json(201, &body).with_header("cache-control", "no-store")
        }
        Route::Confirm => {
            let (code, code_provider) = confirmation(&input)?;
            let owner = optional_string(&input, "auth_identity_id")?;
            let v = account
                .confirm_verification(code, code_provider, owner, None)
                .await?;
            HttpResponse::json(200, &json!({ "verification": v.to_json() }))
        }
        Route::Find => {
            let id = required_string(&input, "auth_identity_id")?;
            let entity_id = required_string(&input, "entity_id")?;
            let entity_type = required_string(&input, "entity_type")?;
            let found = account.verification(id, entity_type, entity_id).await?;
            let shown: Vec<_> = found.iter().map(|v| v.to_json()).collect();
            HttpResponse::json(200, &json!({ "verifications": shown }))
        }
    })
}
