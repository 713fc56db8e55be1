//! Multi-factor authentication as Medusa 2.21 has it: TOTP factors (enrol, verify, list, disable),
//! recovery codes, and the login challenges a sign-in of an identity with an enabled factor answers with.
//! One service, [`MfaService`], that the HTTP routes, the sign-in flows and the npm package all call; no
//! HTTP types here. Contract: `docs/http-api.md#multi-factor-authentication`.
//!
//! - [`totp`]: RFC 6238 codes, base32 secrets, `otpauth://` URLs.
//! - [`cipher`] and [`sealed`]: TOTP secrets encrypted at rest (AES-256-GCM, Medusa's `v1:` layout).
//! - [`recovery`]: recovery codes, stored as SHA-256 digests.
//! - [`records`]: the stored factor, recovery-code and challenge records and their public shapes.
//! - [`service`]: the operations; single use (a TOTP step, a recovery code, a challenge) and attempt
//!   counts go through the guard (the Durable Object), so two locations cannot both accept a code.

pub mod cipher;
pub mod config;
mod error;
pub mod records;
pub mod recovery;
pub mod sealed;
mod service;
mod sha1;
pub mod totp;

pub use config::{DEV_ONLY_MFA_KEY, MFA_ENCRYPTION_KEY, MfaConfig};
pub use error::MfaError;
pub use records::{Challenge, ChallengeMethod, Factor, FactorStatus};
pub use service::{Enrolment, MfaService, StartFactor};
