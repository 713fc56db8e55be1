//! The MFA module methods over the admin API, for the bridge `edge-auth/medusa`: a Medusa backend's
//! `/auth/mfa/*` routes and its sign-in call them for the identity the backend names (trusted: the request
//! carries the admin secret). The Worker's own `/auth/mfa/*` routes read the identity from a token instead
//! (`mfa.rs`, whose field checks these share). Contract: `docs/http-api.md#module-api-for-a-medusa-backend`.
//!
//! - `POST /admin/mfa/factors` `{auth_identity_id, provider, label?, issuer?, metadata?}` →
//!   `{mfa_factor, secret, otpauth_url}` (`startAuthMfa`)
//! - `POST /admin/mfa/factors/{id}/verify` `{code, auth_identity_id?}` → `{mfa_factor}` (`verifyAuthMfa`)
//! - `POST /admin/mfa/factors/{id}/disable` `{auth_identity_id?}` → `{mfa_factor}` (`disableAuthMfa`,
//!   Medusa's default `session` policy: no code)
//! - `POST /admin/mfa/recovery-codes` `{auth_identity_id, count?}` → `{recovery_codes}`
//!   (`generateAuthMfaRecoveryCodes`)
//! - `POST /admin/mfa/challenges` `{auth_identity_id, auth_provider?}` → `{mfa_challenge}`
//!   (`createAuthMfaChallenge`: what Medusa's `authenticate` opens for an identity with an enabled factor)
//! - `POST /admin/mfa/challenges/{id}/verify` `{method, code, auth_identity_id?}` → `{mfa_challenge}`,
//!   completed (`verifyAuthMfaChallenge`; its attempts are counted as on the Worker's own route)
//!
//! With `auth_identity_id`, another identity's factor or challenge is `404`, as Medusa's module has it.

use super::mfa::{
    codes_answer, enrolment_answer, optional_string, recovery_count, required_string, start_factor,
};
use super::{App, HttpRequest, HttpResponse};
use serde_json::{Value, json};
use std::future::Future;
use std::pin::Pin;

/// The path after `/admin/mfa/`, if it is one of the routes above.
pub enum Route<'p> {
    Start,
    VerifyFactor(&'p str),
    Disable(&'p str),
    RecoveryCodes,
    Challenge,
    VerifyChallenge(&'p str),
}

impl<'p> Route<'p> {
    /// The route of `segments` (the path after `/admin/mfa/`), or `None`.
    pub fn parse(segments: &[&'p str]) -> Option<Self> {
        Some(match segments {
            ["factors"] => Self::Start,
            ["factors", id, "verify"] => Self::VerifyFactor(id),
            ["factors", id, "disable"] => Self::Disable(id),
            ["recovery-codes"] => Self::RecoveryCodes,
            ["challenges"] => Self::Challenge,
            ["challenges", id, "verify"] => Self::VerifyChallenge(id),
            _ => return None,
        })
    }
}

/// Answers an admin MFA route (boxed: one future for all of them).
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
    let input = super::admin_module::admin_post(app, req)?;
    let mfa = app.account.mfa();
    let owner = optional_string(&input, "auth_identity_id")?;
    // The routes that act for an identity: it must exist, as Medusa's module methods check first.
    let identity = || async {
        let id = required_string(&input, "auth_identity_id")?;
        mfa.require_identity(id).await?;
        Ok::<_, HttpResponse>(id)
    };
    let answer = match route {
        Route::Start => {
            let start = start_factor(&input, identity().await?)?;
            return Ok(enrolment_answer(mfa.start(start).await?));
        }
        Route::RecoveryCodes => {
            let count = recovery_count(&input)?;
            let id = identity().await?;
            // Medusa's route checks the enabled factor itself (through `listAuthMfa`); the method does not.
            let codes = mfa.generate_recovery_codes(id, count, false).await?;
            return Ok(codes_answer(&codes));
        }
        Route::VerifyFactor(id) => {
            let code = required_string(&input, "code")?;
            json!({ "mfa_factor": mfa.verify_factor(id, owner, code).await?.to_json() })
        }
        Route::Disable(id) => json!({ "mfa_factor": mfa.disable(id, owner).await?.to_json() }),
        Route::Challenge => {
            let provider = optional_string(&input, "auth_provider")?;
            // `create_challenge` checks that the identity exists.
            let id = required_string(&input, "auth_identity_id")?;
            let challenge = mfa.create_challenge(id, provider, Value::Null).await?;
            json!({ "mfa_challenge": challenge.to_json() })
        }
        Route::VerifyChallenge(id) => {
            let method = required_string(&input, "method")?;
            let code = required_string(&input, "code")?;
            let challenge = mfa.verify_challenge(id, method, code, owner).await?;
            json!({ "mfa_challenge": challenge.to_json() })
        }
    };
    Ok(HttpResponse::json(200, &answer))
}
