//! The account domain: what happens around an identity once it exists — auth tokens and their refresh,
//! revocation on password change, change password, password reset with single-use tokens delivered by a
//! signed webhook, cookie sessions, rate limits, known devices and email verification — as one service, [`AccountService`], that the HTTP
//! routes and the npm package both call. Its configuration is [`config`]; strongly consistent parts go
//! through [`crate::guard`]. Contract: `docs/http-api.md`.

pub mod config;
pub(crate) mod dev_outbox;
mod error;
pub mod known_device;
mod limits;
mod mfa_sign_in;
mod password_attempts;
mod password_change;
mod reset;
mod reset_jti;
pub mod reset_token;
pub(crate) mod revocation;
mod service;
pub(crate) mod session;
mod sessions;
mod tokens;
pub mod verification;
pub mod webhook;

pub use config::AccountConfig;
pub use error::{AccountError, CURRENT_PASSWORD_WRONG, NO_PASSWORD};
pub use limits::{Attempt, body_identifier, identifier};
pub use mfa_sign_in::{MfaCaller, SignInAnswer};
pub use password_attempts::{Admitted, PasswordAttempt, PasswordRoute};
pub use password_change::{CURRENT_PASSWORD_REQUIRED, ONLY_EMAILPASS, PasswordChange};
pub use reset::{ResetGrant, ResetToken};
pub use reset_jti::{ConsumedResetJti, IssuedResetJti};
pub use service::{AccountPorts, AccountService};
pub use sessions::NewSession;
pub use tokens::{MfaState, SignIn, claims_for};
pub use verification::{RequestedVerification, Verification, VerificationRequest};
