//! What MFA stores and what it shows. One KV record per identity (`mfa:<auth_identity_id>`: its factors
//! with their sealed secrets, and its recovery-code digests), so a sign-in learns whether MFA applies
//! from one read; login challenges live under `mfachal:<id>` until they expire. Shown shapes are
//! Medusa's `AuthMfaDTO` and `AuthMfaChallengeDTO`; a factor's `provider_metadata` (the sealed secret)
//! is never among them.
//!
//! Records are read and written through `serde_json::Value` by hand ([`crate::json_fields`]) rather than
//! by `serde` derives.

use crate::json_fields::{count, nullable_text, text, texts};
use serde_json::{Value, json};

/// A factor's life: enrolled but unproven, in use, or switched off (kept, as Medusa keeps it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FactorStatus {
    /// Enrolled; no code proven yet. Not asked for at sign-in.
    Pending,
    /// Asked for at every sign-in.
    Enabled,
    /// Switched off.
    Disabled,
}

impl FactorStatus {
    /// The wire name: `pending`, `enabled` or `disabled`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Enabled => "enabled",
            Self::Disabled => "disabled",
        }
    }

    /// The status named `s`.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Pending, Self::Enabled, Self::Disabled]
            .into_iter()
            .find(|status| status.as_str() == s)
    }
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
#[derive(Debug, Clone, PartialEq)]
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
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IdentityMfa {
    /// Every factor the identity enrolled, disabled ones too.
    pub factors: Vec<StoredFactor>,
    /// SHA-256 digests of the unused recovery codes ([`super::recovery::digest`]).
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
#[derive(Debug, Clone, PartialEq)]
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
#[derive(Debug, Clone, PartialEq)]
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
#[derive(Debug, Clone, PartialEq)]
pub struct StoredChallenge {
    /// The challenge as shown.
    pub challenge: Challenge,
    /// `expires_at` in Unix milliseconds.
    pub expires_at_ms: u64,
}

impl StoredFactor {
    fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "provider": self.provider,
            "status": self.status.as_str(),
            "secret": self.secret,
            "issuer": self.issuer,
            "metadata": self.metadata,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        })
    }

    fn from_json(v: &Value) -> Option<Self> {
        Some(Self {
            id: text(v, "id")?,
            provider: text(v, "provider")?,
            status: FactorStatus::parse(v.get("status")?.as_str()?)?,
            secret: text(v, "secret")?,
            issuer: text(v, "issuer")?,
            metadata: v.get("metadata").cloned().unwrap_or(Value::Null),
            created_at: text(v, "created_at")?,
            updated_at: text(v, "updated_at")?,
        })
    }
}

impl IdentityMfa {
    /// The stored form.
    pub fn to_json(&self) -> Value {
        let factors: Vec<Value> = self.factors.iter().map(StoredFactor::to_json).collect();
        json!({ "factors": factors, "recovery_codes": self.recovery_codes })
    }

    /// The record stored as `v`; `None` if it is not one.
    pub fn from_json(v: &Value) -> Option<Self> {
        let mut factors = Vec::new();
        if let Some(list) = v.get("factors") {
            for factor in list.as_array()? {
                factors.push(StoredFactor::from_json(factor)?);
            }
        }
        let recovery_codes = match v.get("recovery_codes") {
            None => Vec::new(),
            Some(_) => texts(v, "recovery_codes")?,
        };
        Some(Self {
            factors,
            recovery_codes,
        })
    }
}

impl Factor {
    /// Medusa's JSON of the factor.
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "auth_identity_id": self.auth_identity_id,
            "provider": self.provider,
            "status": self.status.as_str(),
            "metadata": self.metadata,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "deleted_at": self.deleted_at,
        })
    }
}

impl Challenge {
    /// Medusa's JSON of the challenge.
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "auth_identity_id": self.auth_identity_id,
            "auth_provider": self.auth_provider,
            "methods": self.methods,
            "expires_at": self.expires_at,
            "attempts": self.attempts,
            "max_attempts": self.max_attempts,
            "completed_at": self.completed_at,
            "metadata": self.metadata,
        })
    }

    fn from_json(v: &Value) -> Option<Self> {
        Some(Self {
            id: text(v, "id")?,
            auth_identity_id: text(v, "auth_identity_id")?,
            auth_provider: nullable_text(v, "auth_provider")?,
            methods: texts(v, "methods")?,
            expires_at: text(v, "expires_at")?,
            attempts: count(v, "attempts")?,
            max_attempts: count(v, "max_attempts")?,
            completed_at: nullable_text(v, "completed_at")?,
            metadata: v.get("metadata").cloned().unwrap_or(Value::Null),
        })
    }
}

impl StoredChallenge {
    /// The stored form: the challenge's JSON with `expires_at_ms` beside it.
    pub fn to_json(&self) -> Value {
        let mut v = self.challenge.to_json();
        if let Value::Object(map) = &mut v {
            map.insert("expires_at_ms".into(), self.expires_at_ms.into());
        }
        v
    }

    /// The challenge stored as `v`; `None` if it is not one.
    pub fn from_json(v: &Value) -> Option<Self> {
        Some(Self {
            challenge: Challenge::from_json(v)?,
            expires_at_ms: v.get("expires_at_ms")?.as_u64()?,
        })
    }
}

/// A list of shown factors as JSON.
pub fn factors_json(factors: &[Factor]) -> Value {
    Value::Array(factors.iter().map(Factor::to_json).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_round_trip_through_their_json() {
        let factor = StoredFactor {
            id: "authmfa_1".into(),
            provider: TOTP.into(),
            status: FactorStatus::Enabled,
            secret: "v1:a:b:c".into(),
            issuer: "Shop".into(),
            metadata: json!({"label": "x"}),
            created_at: "2027-01-01T00:00:00.000Z".into(),
            updated_at: "2027-01-01T00:00:00.000Z".into(),
        };
        let state = IdentityMfa {
            factors: vec![factor],
            recovery_codes: vec!["ab".into()],
        };
        assert_eq!(IdentityMfa::from_json(&state.to_json()), Some(state));
        let stored = StoredChallenge {
            challenge: Challenge {
                id: "authmfachal_1".into(),
                auth_identity_id: "authid_1".into(),
                auth_provider: Some("emailpass".into()),
                methods: vec![TOTP.into()],
                expires_at: "2027-01-01T00:05:00.000Z".into(),
                attempts: 2,
                max_attempts: 5,
                completed_at: None,
                metadata: Value::Null,
            },
            expires_at_ms: 1_800_000_300_000,
        };
        assert_eq!(StoredChallenge::from_json(&stored.to_json()), Some(stored));
        assert_eq!(IdentityMfa::from_json(&json!({"factors": 1})), None);
        assert_eq!(
            IdentityMfa::from_json(&json!({})),
            Some(IdentityMfa::default())
        );
    }
}
