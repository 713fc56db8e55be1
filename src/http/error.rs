//! Domain errors as Medusa's answers: the one place that decides each failure's status and body.

use super::HttpResponse;
use crate::account::AccountError;
use crate::contract::{self, ErrorType};
use crate::identity::IdentityError;
use crate::mfa::MfaError;
use crate::store::StoreError;

/// `429` with `Retry-After` and a Medusa-style `not_allowed` body.
fn too_many(retry_after_secs: u64) -> HttpResponse {
    HttpResponse::error(
        429,
        ErrorType::NotAllowed,
        &format!("Too many requests; try again in {retry_after_secs} seconds"),
    )
    .with_header("retry-after", &retry_after_secs.to_string())
}

/// What a client is told when storage fails: nothing about the storage itself.
pub const UNAVAILABLE: &str = "The service is temporarily unavailable; try again shortly";

/// A store or guard failure: the request could not be served (and was refused, fail closed). The answer
/// is a fixed message; the failure itself goes to the operator's log ([`HttpResponse::with_log`]), since
/// its text names internals (KV operations, Durable Object errors, record ids).
pub fn unavailable(e: &dyn std::fmt::Display) -> HttpResponse {
    HttpResponse::error(503, ErrorType::UnexpectedState, UNAVAILABLE)
        .with_log(format!("edge-auth: answered 503: {e}"))
}

impl From<AccountError> for HttpResponse {
    fn from(e: AccountError) -> Self {
        match e {
            AccountError::Unauthorized => HttpResponse::bearer_unauthorized(),
            AccountError::InvalidResetToken => HttpResponse::unauthorized(contract::INVALID_TOKEN),
            AccountError::InvalidData(m) => HttpResponse::invalid_data(&m),
            AccountError::Refused(m) => HttpResponse::unauthorized(&m),
            AccountError::NotAllowed(m) => HttpResponse::error(400, ErrorType::NotAllowed, &m),
            e @ AccountError::WrongCurrentPassword => HttpResponse::unauthorized(&e.to_string()),
            e @ AccountError::NoPassword => HttpResponse::invalid_data(&e.to_string()),
            AccountError::TooManyRequests { retry_after_secs } => too_many(retry_after_secs),
            AccountError::Mfa(e) => e.into(),
            AccountError::Unavailable(detail) => unavailable(&format!("storage error: {detail}")),
        }
    }
}

impl From<MfaError> for HttpResponse {
    /// Medusa's statuses: `not_found` 404, `invalid_data` and `not_allowed` 400.
    fn from(e: MfaError) -> Self {
        let message = e.to_string();
        match e {
            MfaError::FactorNotFound(_)
            | MfaError::ChallengeNotFound(_)
            | MfaError::NotFound(_) => HttpResponse::error(404, ErrorType::NotFound, &message),
            MfaError::KeyMissing | MfaError::InvalidData(_) => HttpResponse::invalid_data(&message),
            MfaError::NotAllowed(_) => HttpResponse::error(400, ErrorType::NotAllowed, &message),
            MfaError::Unavailable(_) => unavailable(&message),
        }
    }
}

impl From<StoreError> for HttpResponse {
    fn from(e: StoreError) -> Self {
        unavailable(&e)
    }
}

impl From<IdentityError> for HttpResponse {
    fn from(e: IdentityError) -> Self {
        match e {
            IdentityError::NotFound(m) => HttpResponse::error(404, ErrorType::NotFound, &m),
            IdentityError::Store(e) => e.into(),
            other => HttpResponse::invalid_data(&other.to_string()),
        }
    }
}
