//! What MFA stores and what it shows. One KV record per identity (`mfa:<auth_identity_id>`: its factors
//! with their sealed secrets, and its recovery-code digests), so a sign-in learns whether MFA applies
//! from one read; login challenges live under `mfachal:<id>` until they expire. Shown shapes are
//! Medusa's `AuthMfaDTO` and `AuthMfaChallengeDTO`; a factor's `provider_metadata` (the sealed secret)
//! is never among them.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A factor's life: enrolled but unproven, in use, or switched off (kept, as Medusa keeps it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FactorStatus {
    /// Enrolled; no code proven yet. Not asked for at sign-in.
    Pending,
    /// Asked for at every sign-in.
    Enabled,
    /// Switched off.
    Disabled,
}

/// The one factor kind there is (Medusa's `totp` provider).
pub const TOTP: &str = "totp";
/// The challenge method of recovery codes.
pub const RECOVERY_CODE: &str = "recovery_code";

/// How a challenge may be answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChallengeMethod {
    /// A code of the identity's enabled TOTP factor.
    Totp,
    /// One of its unused recovery codes.
    RecoveryCode,
}

impl ChallengeMethod {
    /// `totp` or `recovery_code`; anything else is `None`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            TOTP => Some(Self::Totp),
            RECOVERY_CODE => Some(Self::RecoveryCode),
            _ => None,
        }
    }

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Totp => TOTP,
            Self::RecoveryCode => RECOVERY_CODE,
        }
    }
}

/// A factor as stored: its secret sealed ([`super::sealed`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredFactor {
    /// The id (`authmfa_…`, `authmfachal_…`).
    pub id: String,
    /// The factor kind, `totp`.
    pub provider: String,
    /// Pending, enabled or disabled.
    pub status: FactorStatus,
    /// The base32 secret, sealed (`v1:…`): Medusa's `provider_metadata.secret`.
    pub secret: String,
    /// The issuer of its `otpauth://` URL.
    pub issuer: String,
    /// The caller's metadata (with `label`), or null.
    pub metadata: Value,
    /// When it was made (ISO 8601).
    pub created_at: String,
    /// When its status last changed (ISO 8601).
    pub updated_at: String,
}

/// Everything MFA keeps about one identity.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct IdentityMfa {
    /// Every factor the identity enrolled, disabled ones too.
    #[serde(default)]
    pub factors: Vec<StoredFactor>,
    /// SHA-256 digests of the unused recovery codes ([`super::recovery::digest`]).
    #[serde(default)]
    pub recovery_codes: Vec<String>,
}

impl IdentityMfa {
    /// The enabled TOTP factor, if any (there is at most one active TOTP factor).
    pub fn enabled_totp(&self) -> Option<&StoredFactor> {
        self.factors
            .iter()
            .find(|f| f.provider == TOTP && f.status == FactorStatus::Enabled)
    }

    /// The methods a challenge offers, in Medusa's order: the enabled factors' kinds, then
    /// `recovery_code` when codes remain. Empty when no factor is enabled (recovery codes alone do not
    /// make MFA apply).
    pub fn challenge_methods(&self) -> Vec<String> {
        if self.enabled_totp().is_none() {
            return Vec::new();
        }
        let mut methods = vec![TOTP.to_owned()];
        if !self.recovery_codes.is_empty() {
            methods.push(RECOVERY_CODE.to_owned());
        }
        methods
    }
}

/// A factor as shown: Medusa's `AuthMfaDTO` (never the secret).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Factor {
    /// The id (`authmfa_…`, `authmfachal_…`).
    pub id: String,
    /// The identity it belongs to.
    pub auth_identity_id: String,
    /// The factor kind, `totp`.
    pub provider: String,
    /// Pending, enabled or disabled.
    pub status: FactorStatus,
    /// The caller's metadata (with `label`), or null.
    pub metadata: Value,
    /// When it was made (ISO 8601).
    pub created_at: String,
    /// When its status last changed (ISO 8601).
    pub updated_at: String,
    /// Always null: factors are disabled, never deleted.
    pub deleted_at: Option<String>,
}

impl Factor {
    /// The public view of `stored`, a factor of `auth_identity_id`.
    pub fn shown(stored: &StoredFactor, auth_identity_id: &str) -> Self {
        Self {
            id: stored.id.clone(),
            auth_identity_id: auth_identity_id.to_owned(),
            provider: stored.provider.clone(),
            status: stored.status,
            metadata: stored.metadata.clone(),
            created_at: stored.created_at.clone(),
            updated_at: stored.updated_at.clone(),
            deleted_at: None,
        }
    }
}

/// A login challenge: Medusa's `AuthMfaChallengeDTO`. `attempts` is as of when it was read; the guard
/// holds the exact count.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Challenge {
    /// The id (`authmfa_…`, `authmfachal_…`).
    pub id: String,
    /// The identity it belongs to.
    pub auth_identity_id: String,
    /// The provider of the sign-in that raised it.
    pub auth_provider: Option<String>,
    /// How it may be answered: `totp`, and `recovery_code` while codes remain.
    pub methods: Vec<String>,
    /// When it stops being answerable (ISO 8601).
    pub expires_at: String,
    /// Attempts so far.
    pub attempts: u32,
    /// Attempts it allows.
    pub max_attempts: u32,
    /// When it was answered (ISO 8601), or null.
    pub completed_at: Option<String>,
    /// The caller's metadata (with `label`), or null.
    pub metadata: Value,
}

/// A challenge as stored: with its deadline in milliseconds, which the clock is compared with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredChallenge {
    /// The challenge as shown.
    pub challenge: Challenge,
    /// `expires_at` in Unix milliseconds.
    pub expires_at_ms: u64,
}
