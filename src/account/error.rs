//! What can go wrong in an account operation, as values: the HTTP layer maps each to Medusa's answer in one
//! place (`src/http/error.rs`), the npm package to a coded `EdgeAuthError`.

use crate::identity::IdentityError;
use crate::mfa::MfaError;
use crate::ports::random::RandomError;
use crate::store::StoreError;
use std::fmt;

/// Why an account operation failed; the HTTP routes and the npm package each map it in one place.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AccountError {
    /// No usable auth token (or session): missing, forged, expired, voided by a password change, of
    /// another actor type, without the actor the operation needs, or of an identity that is gone.
    Unauthorized,
    /// A password-reset token that cannot be used: forged, expired, already used, for another actor type,
    /// provider or identity, or issued before the identity's password last changed.
    InvalidResetToken,
    /// Input the caller must fix; the message says what (Medusa's wording where Medusa has one).
    InvalidData(String),
    /// The provider refused the operation (e.g. a new password the policy refuses), with its message.
    Refused(String),
    /// change-password: the current password given is not the identity's.
    WrongCurrentPassword,
    /// change-password on an identity that has no password (third-party sign-in only).
    NoPassword,
    /// Over a rate limit: try again in this many seconds.
    TooManyRequests {
        /// Seconds until the client may try again.
        retry_after_secs: u64,
    },
    /// Refused as Medusa's `NOT_ALLOWED` (a wrong, expired or used verification code), with its message.
    NotAllowed(String),
    /// An MFA operation refused (a wrong code, a spent challenge, …), with Medusa's message.
    Mfa(MfaError),
    /// A backing store or the guard failed, or no randomness was available: nothing about the input.
    Unavailable(String),
}

impl From<StoreError> for AccountError {
    fn from(e: StoreError) -> Self {
        Self::Unavailable(e.0)
    }
}

impl From<MfaError> for AccountError {
    /// Storage failures stay storage failures; every other MFA refusal keeps its message.
    fn from(e: MfaError) -> Self {
        match e {
            MfaError::Unavailable(detail) => Self::Unavailable(detail),
            other => Self::Mfa(other),
        }
    }
}

impl From<RandomError> for AccountError {
    fn from(e: RandomError) -> Self {
        Self::Unavailable(e.to_string())
    }
}

impl From<IdentityError> for AccountError {
    /// Only a store failure is ours to report; any other lookup failure means the identity is not there.
    fn from(e: IdentityError) -> Self {
        match e {
            IdentityError::Store(e) => e.into(),
            _ => Self::Unauthorized,
        }
    }
}

impl fmt::Display for AccountError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use crate::contract;
        match self {
            Self::Unauthorized => f.write_str(contract::UNAUTHORIZED),
            Self::InvalidResetToken => f.write_str(contract::INVALID_TOKEN),
            Self::InvalidData(m) | Self::Refused(m) | Self::NotAllowed(m) => f.write_str(m),
            Self::WrongCurrentPassword => f.write_str(CURRENT_PASSWORD_WRONG),
            Self::NoPassword => f.write_str(NO_PASSWORD),
            Self::TooManyRequests { retry_after_secs } => {
                write!(
                    f,
                    "Too many requests; try again in {retry_after_secs} seconds"
                )
            }
            Self::Mfa(e) => e.fmt(f),
            Self::Unavailable(detail) => write!(f, "storage error: {detail}"),
        }
    }
}

impl std::error::Error for AccountError {}

/// change-password with a wrong current password.
pub const CURRENT_PASSWORD_WRONG: &str = "The current password is not correct";
/// change-password on an identity without a password.
pub const NO_PASSWORD: &str =
    "This identity has no password: it signs in with a third-party provider";
