//! MFA's configuration: the key TOTP secrets are sealed under (`MFA_ENCRYPTION_KEY`), the issuer
//! authenticator apps show, and Medusa's challenge defaults. Contract: `docs/configuration.md#mfa`.

use super::sealed;
use crate::config::vars::{ConfigError, VarLookup, check_secret, invalid};
use crate::ports::cipher::AeadKey;

/// Secret: seals TOTP secrets at rest (at least 32 bytes). Medusa's option is `mfa.encryption_key`.
pub const MFA_ENCRYPTION_KEY: &str = "MFA_ENCRYPTION_KEY";
/// Var: the issuer name authenticator apps show beside a factor (Medusa's default `Medusa`).
pub const MFA_ISSUER: &str = "MFA_ISSUER";

/// Seals TOTP secrets in local development only (`ENVIRONMENT=development` without
/// `MFA_ENCRYPTION_KEY`). Public by nature: never valid anywhere else.
pub const DEV_ONLY_MFA_KEY: &str = "edge-auth-DEV-ONLY-mfa-encryption-key-never-use-in-production";

/// Medusa's defaults (`mfa.challenge_ttl_seconds`, `mfa.challenge_max_attempts`,
/// `mfa.recovery_code_count`, `totp.issuer`).
const CHALLENGE_TTL_SECS: u64 = 300;
const CHALLENGE_MAX_ATTEMPTS: u32 = 5;
const RECOVERY_CODE_COUNT: u32 = 10;
const DEFAULT_ISSUER: &str = "Medusa";
const MAX_ISSUER_BYTES: usize = 64;

/// MFA as configured.
#[derive(Debug)]
pub struct MfaConfig {
    /// `None` when no key is configured outside development: every MFA operation then answers Medusa's
    /// "MFA encryption key is required to use MFA methods", and sign-in is unaffected.
    pub encryption_key: Option<AeadKey>,
    /// `true` when the development key stands in for `MFA_ENCRYPTION_KEY`.
    pub uses_dev_key: bool,
    /// The issuer of new factors' `otpauth://` URLs, unless the enrolment names one.
    pub issuer: String,
    /// How long a login challenge may be answered.
    pub challenge_ttl_secs: u64,
    /// Wrong answers a challenge takes before it is dead.
    pub challenge_max_attempts: u32,
    /// Recovery codes made when the request names no count.
    pub recovery_code_count: u32,
}

impl MfaConfig {
    /// Medusa's defaults with `key` (an `MFA_ENCRYPTION_KEY` value, or `None`).
    pub fn with_key(key: Option<&str>) -> Self {
        Self {
            encryption_key: key.map(sealed::derive_key),
            uses_dev_key: false,
            issuer: DEFAULT_ISSUER.to_owned(),
            challenge_ttl_secs: CHALLENGE_TTL_SECS,
            challenge_max_attempts: CHALLENGE_MAX_ATTEMPTS,
            recovery_code_count: RECOVERY_CODE_COUNT,
        }
    }
}

/// `MFA_ENCRYPTION_KEY` (at least 32 bytes outside development; the development key when unset there)
/// and `MFA_ISSUER`.
pub fn from_vars(get: &VarLookup<'_>, development: bool) -> Result<MfaConfig, ConfigError> {
    let (key, uses_dev_key) = match get(MFA_ENCRYPTION_KEY) {
        Some(key) => {
            check_secret(MFA_ENCRYPTION_KEY, &key, development)?;
            (Some(key), false)
        }
        None if development => (Some(DEV_ONLY_MFA_KEY.to_owned()), true),
        None => (None, false),
    };
    let mut config = MfaConfig::with_key(key.as_deref());
    config.uses_dev_key = uses_dev_key;
    if let Some(issuer) = get(MFA_ISSUER) {
        let issuer = issuer.trim();
        if issuer.len() > MAX_ISSUER_BYTES || issuer.contains(':') {
            return Err(invalid(
                MFA_ISSUER,
                format!("must be at most {MAX_ISSUER_BYTES} bytes without ':'"),
            ));
        }
        config.issuer = issuer.to_owned();
    }
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        }
    }

    #[test]
    fn production_without_a_key_has_mfa_off_and_development_has_the_dev_key() {
        let off = from_vars(&lookup(&[]), false).unwrap();
        assert!(off.encryption_key.is_none());
        let dev = from_vars(&lookup(&[]), true).unwrap();
        assert!(dev.encryption_key.is_some() && dev.uses_dev_key);
    }

    #[test]
    fn a_short_key_is_refused_outside_development_naming_the_variable() {
        let e = from_vars(&lookup(&[(MFA_ENCRYPTION_KEY, "short")]), false).unwrap_err();
        assert_eq!(e.var, MFA_ENCRYPTION_KEY);
        assert!(!e.to_string().contains("short"));
        let key = "k".repeat(32);
        let ok = from_vars(&lookup(&[(MFA_ENCRYPTION_KEY, &key)]), false).unwrap();
        assert!(ok.encryption_key.is_some() && !ok.uses_dev_key);
    }

    #[test]
    fn the_issuer_is_configurable_and_checked() {
        let c = from_vars(&lookup(&[(MFA_ISSUER, "Shop")]), true).unwrap();
        assert_eq!(c.issuer, "Shop");
        assert_eq!(
            from_vars(&lookup(&[(MFA_ISSUER, "a:b")]), true)
                .unwrap_err()
                .var,
            MFA_ISSUER
        );
    }
}
