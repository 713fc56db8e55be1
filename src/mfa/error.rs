//! What can go wrong in an MFA operation, as values with Medusa 2.21's messages: the HTTP layer maps each
//! to its status in one place (`src/http/error.rs`), the npm package to a coded `EdgeAuthError`.

use crate::contract;
use crate::store::StoreError;
use std::fmt;

/// Why an MFA operation failed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum MfaError {
    /// No `MFA_ENCRYPTION_KEY` is configured.
    KeyMissing,
    /// No such factor for this identity (another identity's factor looks the same): 404.
    FactorNotFound(String),
    /// No such auth identity (Medusa's `AuthIdentity with id: … was not found`): 404.
    NotFound(String),
    /// No such challenge for this identity, or it expired from storage: 404.
    ChallengeNotFound(String),
    /// Input the caller must fix (Medusa's `invalid_data`), with Medusa's message.
    InvalidData(String),
    /// A refused operation (Medusa's `not_allowed`): a wrong or reused code, a spent challenge.
    NotAllowed(String),
    /// Storage, the guard or the platform's randomness failed: nothing about the input.
    Unavailable(String),
}

impl From<StoreError> for MfaError {
    fn from(e: StoreError) -> Self {
        Self::Unavailable(e.0)
    }
}

impl From<crate::ports::random::RandomError> for MfaError {
    fn from(e: crate::ports::random::RandomError) -> Self {
        Self::Unavailable(e.to_string())
    }
}

impl fmt::Display for MfaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::KeyMissing => f.write_str(contract::MFA_KEY_REQUIRED),
            Self::FactorNotFound(id) => f.write_str(&contract::mfa_factor_not_found(id)),
            Self::ChallengeNotFound(id) => f.write_str(&contract::mfa_challenge_not_found(id)),
            Self::NotFound(m) | Self::InvalidData(m) | Self::NotAllowed(m) => f.write_str(m),
            Self::Unavailable(detail) => write!(f, "storage error: {detail}"),
        }
    }
}

impl std::error::Error for MfaError {}
