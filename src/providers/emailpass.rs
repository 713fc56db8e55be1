//! `emailpass`: email and password, hashed with PBKDF2-HMAC-SHA256 (see [`crate::password`]).
//!
//! Differences from Medusa, all deliberate: emails are trimmed and lower-cased (one identity per mailbox,
//! whatever the case typed); a password policy applies when a password is set; an unknown email costs the
//! KDF work of a stored hash — one drawn from the population of stored hash costs ([`crate::hash_costs`]),
//! so a cost change does not set unknown emails apart; hashes made with older parameters are upgraded on
//! login.
//!
//! A password that verifies against the stored hash is accepted only if that hash is still the one the
//! guard recorded ([`crate::guard::credentials`]): a location whose Workers KV still serves a hash
//! replaced elsewhere refuses it like a wrong password, and never re-hashes it.

use crate::contract;
use crate::hash_costs::{self, CostTally};
use crate::identity::IdentityError;
use crate::model::{
    AuthIdentity, AuthenticationInput, AuthenticationResponse, Metadata, PASSWORD_METADATA_KEY,
};
use crate::password::{self, Hasher, PasswordError, Verification};
use crate::ports::runtime::join2;
use crate::provider::{AuthProvider, ProviderError, ProviderHelper, ProviderResult};
use async_trait::async_trait;
use serde_json::Value;
use std::rc::Rc;

/// The provider id.
pub const EMAILPASS: &str = "emailpass";

/// RFC 5321 limits a forward path to 256 octets, so a usable address is at most 254.
pub const MAX_EMAIL_BYTES: usize = 254;
/// Ours, not Medusa's: sent when the email cannot be a mailbox (no single `@` with text each side, whitespace, too long).
pub const INVALID_EMAIL: &str = "Email is not a valid email address";

/// Medusa's emailpass provider: email and password, hashed with the configured KDF.
pub struct EmailPass {
    hasher: Rc<Hasher>,
    /// Keys the draw of an unknown email's dummy cost ([`hash_costs::dummy_cost`]).
    draw_key: [u8; 32],
}

impl EmailPass {
    /// With a random draw key: an unknown email draws the same cost for as long as this value lives.
    /// The Worker gives a key derived from `JWT_SECRET` ([`EmailPass::with_draw_key`]), so every isolate
    /// draws alike.
    pub fn new(hasher: Rc<Hasher>) -> Self {
        // Without randomness the key is fixed: draws become predictable, never wrong.
        let draw_key = crate::ports::random::bytes::<32>().unwrap_or([0; 32]);
        Self { hasher, draw_key }
    }

    /// Draws unknown emails' dummy costs under `key` (the same in every isolate).
    pub fn with_draw_key(mut self, key: [u8; 32]) -> Self {
        self.draw_key = key;
        self
    }

    /// One KDF for an unknown `email`, at a cost drawn from the stored hashes' (today's if none).
    fn spend_dummy(&self, password: &str, email: &str, costs: &CostTally) {
        let cost = hash_costs::dummy_cost(costs, &self.draw_key, email);
        self.hasher.spend_dummy_at(password, cost);
    }
}

/// Trimmed and lower-cased, so `A@x.com` and ` a@x.com` are one identity.
pub fn normalize_email(email: &str) -> String {
    lowercase(email.trim())
}

/// Unicode's default lower-casing. In wasm it is the host's `String.prototype.toLowerCase` (the same
/// mapping, final sigma included), which spares the module core's case tables (7.7 KB gzip,
/// docs/performance.md#bundle-size).
#[cfg(target_arch = "wasm32")]
fn lowercase(text: &str) -> String {
    js_sys::JsString::from(text).to_lower_case().into()
}

#[cfg(not(target_arch = "wasm32"))]
fn lowercase(text: &str) -> String {
    text.to_lowercase()
}

/// Just enough to refuse what cannot be a mailbox: one `@` with something on each side, no whitespace.
fn check_email(email: &str) -> Result<(), ProviderError> {
    let plausible = email.len() <= MAX_EMAIL_BYTES
        && !email.chars().any(char::is_whitespace)
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && !domain.is_empty() && !domain.contains('@')
        });
    if plausible {
        Ok(())
    } else {
        Err(ProviderError(INVALID_EMAIL.into()))
    }
}

fn non_empty_string<'a>(body: &'a Metadata, key: &str) -> Option<&'a str> {
    body.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

/// Medusa's checks, in Medusa's order: the password first, then the email.
fn credentials(body: &Metadata) -> Result<(String, &str), ProviderError> {
    let password = non_empty_string(body, "password")
        .ok_or_else(|| ProviderError(contract::PASSWORD_SHOULD_BE_STRING.into()))?;
    let email = non_empty_string(body, "email")
        .ok_or_else(|| ProviderError(contract::EMAIL_SHOULD_BE_STRING.into()))?;
    Ok((normalize_email(email), password))
}

fn policy_error(e: PasswordError) -> ProviderError {
    ProviderError(e.to_string())
}

fn stored_hash<'a>(identity: &'a AuthIdentity, entity_id: &str) -> Option<&'a str> {
    identity
        .provider_identity(EMAILPASS, entity_id)?
        .provider_metadata
        .as_ref()?
        .get(PASSWORD_METADATA_KEY)?
        .as_str()
}

impl EmailPass {
    /// Checks `password` against the identity's hash, spending one KDF whether or not a hash exists.
    fn verify(
        &self,
        identity: &AuthIdentity,
        email: &str,
        password: &str,
        costs: &CostTally,
    ) -> Verification {
        match stored_hash(identity, email) {
            Some(hash) => self.hasher.verify(password, hash),
            None => {
                self.spend_dummy(password, email, costs);
                Verification::Mismatch
            }
        }
    }

    /// The identity's emailpass metadata with `password` set to a fresh hash, other keys kept.
    fn metadata_with_new_hash(
        &self,
        identity: &AuthIdentity,
        email: &str,
        password: &str,
    ) -> Result<Metadata, ProviderError> {
        let mut meta = identity
            .provider_identity(EMAILPASS, email)
            .and_then(|pi| pi.provider_metadata.clone())
            .unwrap_or_default();
        let hash = self.hasher.hash(password).map_err(policy_error)?;
        meta.insert(PASSWORD_METADATA_KEY.into(), Value::String(hash));
        Ok(meta)
    }

    /// Checks `password` against the identity's stored hash and that hash against the guard's record,
    /// read first (every check reads it, so the read tells nothing). On success the record is what the
    /// password was verified against ([`ProviderHelper::verified_against`]), and a hash made with other
    /// parameters is upgraded.
    async fn check(
        &self,
        identity: AuthIdentity,
        email: &str,
        password: &str,
        costs: &CostTally,
        helper: &ProviderHelper<'_>,
    ) -> Result<Option<AuthIdentity>, ProviderError> {
        let record = helper.credentials(&identity.id).await?;
        let verification = self.verify(&identity, email, password, costs);
        let fingerprint = identity.credential_fingerprint();
        match verification {
            Verification::Match { needs_rehash } if record.accepts(&fingerprint) => {
                let identity = self
                    .upgrade_if_needed(
                        identity,
                        email,
                        password,
                        needs_rehash,
                        &fingerprint,
                        helper,
                    )
                    .await;
                helper.verified_against(record);
                Ok(Some(identity))
            }
            // A wrong password, or the right one for a hash that was replaced (this location's KV is
            // older than the guard's record): the same answer, after the same work.
            _ => Ok(None),
        }
    }

    /// The work of [`EmailPass::check`] for an email nobody has: one guard read (of a key no identity
    /// has) and one KDF.
    async fn check_nobody(
        &self,
        password: &str,
        email: &str,
        costs: &CostTally,
        helper: &ProviderHelper<'_>,
    ) -> Result<(), ProviderError> {
        helper.credentials("").await?;
        self.spend_dummy(password, email, costs);
        Ok(())
    }

    /// After a successful check: re-hash with the current parameters when the stored ones differ, only
    /// over the hash that was verified (`verified`: its fingerprint). A failed or refused upgrade does
    /// not fail the login; the next login tries again.
    async fn upgrade_if_needed(
        &self,
        identity: AuthIdentity,
        email: &str,
        password: &str,
        needs_rehash: bool,
        verified: &str,
        helper: &ProviderHelper<'_>,
    ) -> AuthIdentity {
        if !needs_rehash {
            return identity;
        }
        let Ok(meta) = self.metadata_with_new_hash(&identity, email, password) else {
            return identity;
        };
        match helper
            .update_credentials(&identity, email, meta, Some(verified))
            .await
        {
            Ok(Some(updated)) => updated,
            _ => identity,
        }
    }
}

#[async_trait(?Send)]
impl AuthProvider for EmailPass {
    fn id(&self) -> &str {
        EMAILPASS
    }

    fn display_name(&self) -> &str {
        contract::EMAILPASS_DISPLAY_NAME
    }

    async fn authenticate(
        &self,
        input: &AuthenticationInput,
        helper: &ProviderHelper<'_>,
    ) -> ProviderResult {
        let (email, password) = credentials(&input.body)?;
        // Refuse oversized input before it reaches the KDF. No minimum here: it applies when setting.
        if password.len() > password::MAX_PASSWORD_BYTES {
            return Err(policy_error(PasswordError::TooLong));
        }
        let invalid = || ProviderError(contract::INVALID_EMAIL_OR_PASSWORD.into());
        // No such address can be registered; refuse it like any unknown email, before it reaches a store
        // key (Workers KV refuses keys over 512 bytes).
        if email.len() > MAX_EMAIL_BYTES {
            self.spend_dummy(password, &email, &helper.hash_costs().await);
            return Err(invalid());
        }
        // The tally is read whether or not the email is known, so the reads do not tell either.
        let (found, costs) = join2(helper.retrieve(&email), helper.hash_costs()).await;
        let identity = match found {
            Ok(identity) => identity,
            Err(IdentityError::NotFound(_)) => {
                self.check_nobody(password, &email, &costs, helper).await?;
                return Err(invalid());
            }
            Err(e) => return Err(e.into()),
        };
        match self
            .check(identity, &email, password, &costs, helper)
            .await?
        {
            Some(identity) => Ok(AuthenticationResponse::succeeded(identity)),
            None => Err(invalid()),
        }
    }

    async fn register(
        &self,
        input: &AuthenticationInput,
        helper: &ProviderHelper<'_>,
    ) -> ProviderResult {
        let (email, password) = credentials(&input.body)?;
        check_email(&email)?;
        password::check_policy(password).map_err(policy_error)?;
        let exists = || ProviderError(contract::IDENTITY_EMAIL_EXISTS.into());
        match helper.retrieve(&email).await {
            // An identity with no actor yet may be claimed again, but only with the same password:
            // a retry of a registration that did not finish, never a takeover.
            Ok(identity) if !identity.has_actor() => {
                match self
                    .check(identity, &email, password, &CostTally::default(), helper)
                    .await?
                {
                    Some(identity) => Ok(AuthenticationResponse::succeeded(identity)),
                    None => Err(exists()),
                }
            }
            Ok(_) => Err(exists()),
            Err(IdentityError::NotFound(_)) => {
                let hash = self.hasher.hash(password).map_err(policy_error)?;
                let mut meta = Metadata::new();
                meta.insert(PASSWORD_METADATA_KEY.into(), Value::String(hash));
                match helper.create(&email, Some(meta), None).await {
                    Ok(identity) => {
                        if let Some(record) = helper.record_credentials(&identity).await {
                            helper.verified_against(record);
                        }
                        Ok(AuthenticationResponse::succeeded(identity))
                    }
                    Err(IdentityError::Conflict { .. }) => Err(exists()),
                    Err(e) => Err(e.into()),
                }
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Sets a new password: `{ entity_id (or email), password }`. Other provider metadata is kept. The
    /// guard records the new hash's fingerprint before KV gets it: from then on no location accepts the
    /// old password.
    async fn update(&self, data: &Metadata, helper: &ProviderHelper<'_>) -> ProviderResult {
        let entity_id = non_empty_string(data, "entity_id")
            .or_else(|| non_empty_string(data, "email"))
            .map(normalize_email)
            .ok_or_else(|| ProviderError(contract::update_without_entity_id(EMAILPASS)))?;
        let password = non_empty_string(data, "password")
            .ok_or_else(|| ProviderError(contract::PASSWORD_SHOULD_BE_STRING.into()))?;
        password::check_policy(password).map_err(policy_error)?;
        let identity = helper.retrieve(&entity_id).await?;
        let meta = self.metadata_with_new_hash(&identity, &entity_id, password)?;
        match helper
            .update_credentials(&identity, &entity_id, meta, None)
            .await?
        {
            Some(updated) => Ok(AuthenticationResponse::succeeded(updated)),
            // Unconditional sets always apply; kept total rather than trusted.
            None => Err(ProviderError(contract::AUTHENTICATION_FAILED.into())),
        }
    }
}
