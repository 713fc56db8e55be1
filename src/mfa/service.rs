//! [`MfaService`]: Medusa 2.21's MFA operations (`startAuthMfa`, `verifyAuthMfa`, `listAuthMfa`,
//! `disableAuthMfa`, `generateAuthMfaRecoveryCodes`, `useAuthMfaRecoveryCode`, `createAuthMfaChallenge`,
//! `verifyAuthMfaChallenge`) over KV, the guard and the platform's AES-GCM. Every code is single use
//! through the guard: a TOTP code per factor and time step, a recovery code, a challenge's completion.

use super::config::MfaConfig;
use super::records::{
    Challenge, ChallengeMethod, Factor, FactorStatus, IdentityMfa, StoredChallenge, StoredFactor,
    TOTP,
};
use super::sealed::{self, SealError};
use super::{MfaError, recovery, totp};
use crate::contract;
use crate::guard::{Decision, Guard, Rule};
use crate::identity::IdentityError;
use crate::ids;
use crate::oauth::profile::iso8601_utc;
use crate::ports::cipher::{Aead, AeadKey};
use crate::ports::clock::Clock;
use crate::ports::runtime::join2;
use crate::service::AuthModuleService;
use crate::store::{KvStore, keys};
use crate::token::ChallengeClaim;
use serde_json::Value;
use std::rc::Rc;

/// How long a challenge stays readable after it expired.
const EXPIRED_GRACE_SECS: u64 = 60;

/// `startAuthMfa`'s input (Medusa's `AuthMfaStartDTO`).
#[derive(Debug, Clone, Default)]
pub struct StartFactor {
    /// The identity enrolling.
    pub auth_identity_id: String,
    /// The factor kind: `totp` is the one there is.
    pub provider: String,
    /// The account name authenticator apps show (default: the identity id, as Medusa's).
    pub label: Option<String>,
    /// The issuer authenticator apps show (default: `MFA_ISSUER`).
    pub issuer: Option<String>,
    /// Kept on the factor, with `label`.
    pub metadata: Option<serde_json::Map<String, Value>>,
}

/// `startAuthMfa`'s answer: the pending factor and, this once only, its secret.
#[derive(Debug, Clone, PartialEq)]
pub struct Enrolment {
    /// The new factor, `pending` until a code proves it.
    pub factor: Factor,
    /// The base32 secret, for manual entry.
    pub secret: String,
    /// The same as an `otpauth://` URL, for a QR code.
    pub otpauth_url: String,
}

/// MFA over one store, guard and clock.
pub struct MfaService {
    store: Rc<dyn KvStore>,
    guard: Rc<dyn Guard>,
    clock: Rc<dyn Clock>,
    identities: Rc<AuthModuleService>,
    config: Rc<MfaConfig>,
    aead: &'static dyn Aead,
}

impl MfaService {
    /// MFA for the identities of `identities`, sealing secrets with this platform's cipher.
    pub fn new(
        store: Rc<dyn KvStore>,
        guard: Rc<dyn Guard>,
        clock: Rc<dyn Clock>,
        identities: Rc<AuthModuleService>,
        config: Rc<MfaConfig>,
    ) -> Self {
        Self {
            store,
            guard,
            clock,
            identities,
            config,
            aead: super::cipher::platform(),
        }
    }

    /// MFA as configured.
    pub fn config(&self) -> &MfaConfig {
        &self.config
    }

    fn key(&self) -> Result<&AeadKey, MfaError> {
        self.config
            .encryption_key
            .as_ref()
            .ok_or(MfaError::KeyMissing)
    }

    fn now_iso(&self) -> String {
        iso8601_utc(self.clock.now_ms())
    }

    /// What MFA keeps about `auth_identity_id` (nothing yet: an empty record).
    pub async fn state(&self, auth_identity_id: &str) -> Result<IdentityMfa, MfaError> {
        match self.store.get(&keys::mfa(auth_identity_id)).await? {
            // A record we cannot read is storage damage, not "no MFA": fail closed.
            Some(json) => crate::json_fields::parse(&json)
                .ok()
                .and_then(|v| IdentityMfa::from_json(&v))
                .ok_or_else(|| MfaError::Unavailable("unreadable MFA record".into())),
            None => Ok(IdentityMfa::default()),
        }
    }

    async fn save(&self, auth_identity_id: &str, state: &IdentityMfa) -> Result<(), MfaError> {
        let json = state.to_json().to_string();
        Ok(self
            .store
            .put(&keys::mfa(auth_identity_id), &json, None)
            .await?)
    }

    /// Medusa's module methods retrieve the identity first; the routes need not (a verified token's
    /// identity exists), so only the npm package's calls and [`Self::create_challenge`] check.
    pub async fn require_identity(&self, auth_identity_id: &str) -> Result<(), MfaError> {
        match self
            .identities
            .retrieve_auth_identity(auth_identity_id)
            .await
        {
            Ok(_) => Ok(()),
            Err(IdentityError::Store(e)) => Err(e.into()),
            Err(e) => Err(MfaError::NotFound(e.to_string())),
        }
    }

    /// `startAuthMfa` for an identity that exists: a pending TOTP factor with a fresh secret, sealed at rest; the secret and its
    /// `otpauth://` URL are in the answer and nowhere else. One active (pending or enabled) TOTP factor
    /// per identity, as Medusa's unique index has it.
    pub async fn start(&self, input: StartFactor) -> Result<Enrolment, MfaError> {
        if input.provider != TOTP {
            return Err(MfaError::InvalidData(contract::mfa_method_unknown(
                &input.provider,
            )));
        }
        let key = self.key()?;
        let id = &input.auth_identity_id;
        let mut state = self.state(id).await?;
        if state
            .factors
            .iter()
            .any(|f| f.provider == TOTP && f.status != FactorStatus::Disabled)
        {
            return Err(MfaError::NotAllowed(contract::MFA_TOTP_EXISTS.into()));
        }
        let secret = totp::base32_encode(&crate::ports::random::bytes::<{ totp::SECRET_BYTES }>()?);
        let sealed = sealed::seal(self.aead, key, &secret)
            .await
            .map_err(seal_failure)?;
        let issuer = input.issuer.unwrap_or_else(|| self.config.issuer.clone());
        let mut metadata = input.metadata.unwrap_or_default();
        if let Some(label) = &input.label {
            metadata.insert("label".into(), Value::String(label.clone()));
        }
        let now = self.now_iso();
        let stored = StoredFactor {
            id: ids::generate_id(ids::MFA_FACTOR_PREFIX, self.clock.now_ms())?,
            provider: TOTP.to_owned(),
            status: FactorStatus::Pending,
            secret: sealed,
            issuer: issuer.clone(),
            metadata: Value::Object(metadata),
            created_at: now.clone(),
            updated_at: now,
        };
        let account = input.label.as_deref().unwrap_or(id);
        let otpauth_url = totp::otpauth_url(&issuer, account, &secret);
        self.store
            .put(&keys::mfa_factor(&stored.id), id, None)
            .await?;
        state.factors.push(stored.clone());
        self.save(id, &state).await?;
        Ok(Enrolment {
            factor: Factor::shown(&stored, id),
            secret,
            otpauth_url,
        })
    }

    /// The identity of factor `id`: `auth_identity_id` when given (and the factor must be its), else
    /// the factor's own. Another identity's factor is "not found", like a missing one.
    async fn locate(
        &self,
        id: &str,
        auth_identity_id: Option<&str>,
    ) -> Result<(String, IdentityMfa, usize), MfaError> {
        let owner = match auth_identity_id {
            Some(owner) => owner.to_owned(),
            None => self
                .store
                .get(&keys::mfa_factor(id))
                .await?
                .ok_or_else(|| MfaError::FactorNotFound(id.to_owned()))?,
        };
        let state = self.state(&owner).await?;
        let index = state
            .factors
            .iter()
            .position(|f| f.id == id)
            .ok_or_else(|| MfaError::FactorNotFound(id.to_owned()))?;
        Ok((owner, state, index))
    }

    /// `retrieveAuthMfa`: factor `id` of `auth_identity_id` (any identity's when `None`).
    pub async fn retrieve(
        &self,
        id: &str,
        auth_identity_id: Option<&str>,
    ) -> Result<Factor, MfaError> {
        let (owner, state, i) = self.locate(id, auth_identity_id).await?;
        Ok(Factor::shown(&state.factors[i], &owner))
    }

    /// `listAuthMfa({auth_identity_id, status})`: the identity's factors, oldest first.
    pub async fn list(
        &self,
        auth_identity_id: &str,
        status: Option<FactorStatus>,
    ) -> Result<Vec<Factor>, MfaError> {
        let state = self.state(auth_identity_id).await?;
        Ok(state
            .factors
            .iter()
            .filter(|f| status.is_none_or(|s| f.status == s))
            .map(|f| Factor::shown(f, auth_identity_id))
            .collect())
    }

    /// Whether `code` is a current code of `factor` not used before: the guard records its time step,
    /// so the same code is refused afterwards here and in every other location.
    async fn totp_accepts(&self, factor: &StoredFactor, code: &str) -> Result<bool, MfaError> {
        let key = self.key()?;
        let secret = sealed::open(self.aead, key, &factor.secret)
            .await
            .map_err(seal_failure)?;
        let secret = totp::base32_decode(&secret)
            .ok_or_else(|| MfaError::Unavailable("a stored TOTP secret is not base32".into()))?;
        let Some(step) = totp::matching_step(&secret, code, self.clock.now_secs()) else {
            return Ok(false);
        };
        let used = keys::totp_used(&factor.id, step);
        Ok(self
            .guard
            .consume_once(&used, keys::TOTP_USED_TTL_SECS)
            .await?)
    }

    /// `verifyAuthMfa`: a first code proves a pending factor and enables it; an enabled one answers
    /// itself again (a replayed code is refused all the same).
    pub async fn verify_factor(
        &self,
        id: &str,
        auth_identity_id: Option<&str>,
        code: &str,
    ) -> Result<Factor, MfaError> {
        self.key()?;
        let (owner, mut state, i) = self.locate(id, auth_identity_id).await?;
        let factor = &state.factors[i];
        if factor.status == FactorStatus::Disabled {
            return Err(MfaError::NotAllowed(
                contract::MFA_DISABLED_CANNOT_VERIFY.into(),
            ));
        }
        if !self.totp_accepts(factor, code).await? {
            return Err(MfaError::NotAllowed(contract::MFA_INVALID_TOTP.into()));
        }
        if factor.status == FactorStatus::Pending {
            let factor = &mut state.factors[i];
            factor.status = FactorStatus::Enabled;
            factor.updated_at = self.now_iso();
            self.save(&owner, &state).await?;
        }
        Ok(Factor::shown(&state.factors[i], &owner))
    }

    /// `disableAuthMfa` under Medusa's default policy (`session`: the signed-in identity needs no code).
    pub async fn disable(
        &self,
        id: &str,
        auth_identity_id: Option<&str>,
    ) -> Result<Factor, MfaError> {
        let (owner, mut state, i) = self.locate(id, auth_identity_id).await?;
        if state.factors[i].status != FactorStatus::Disabled {
            let factor = &mut state.factors[i];
            factor.status = FactorStatus::Disabled;
            factor.updated_at = self.now_iso();
            self.save(&owner, &state).await?;
        }
        Ok(Factor::shown(&state.factors[i], &owner))
    }

    /// `generateAuthMfaRecoveryCodes` for an identity that exists: `count` new codes (default `recovery_code_count`, 1..=50),
    /// replacing every earlier one; shown once, stored as digests. With `require_enabled_factor` (the
    /// HTTP route), an identity without an enabled factor is refused, as Medusa's route refuses it.
    pub async fn generate_recovery_codes(
        &self,
        auth_identity_id: &str,
        count: Option<u32>,
        require_enabled_factor: bool,
    ) -> Result<Vec<String>, MfaError> {
        let count = count.unwrap_or(self.config.recovery_code_count);
        if !(1..=recovery::MAX_COUNT).contains(&count) {
            return Err(MfaError::InvalidData(contract::MFA_RECOVERY_COUNT.into()));
        }
        let mut state = self.state(auth_identity_id).await?;
        if require_enabled_factor && state.enabled_totp().is_none() {
            return Err(MfaError::NotAllowed(
                contract::MFA_RECOVERY_NEEDS_FACTOR.into(),
            ));
        }
        let mut codes = Vec::with_capacity(count as usize);
        state.recovery_codes.clear();
        for _ in 0..count {
            let code = recovery::generate()?;
            state.recovery_codes.push(recovery::digest(&code));
            codes.push(code);
        }
        self.save(auth_identity_id, &state).await?;
        Ok(codes)
    }

    /// Spends recovery code `code` of `auth_identity_id`: `true` the first time, `false` for an unknown
    /// or spent one (the guard decides between two locations spending it at once).
    async fn spend_recovery_code(
        &self,
        auth_identity_id: &str,
        code: &str,
    ) -> Result<bool, MfaError> {
        let digest = recovery::digest(code);
        let mut state = self.state(auth_identity_id).await?;
        // Compared as digests: equal digests are the only way to match, and they reveal nothing.
        let Some(i) = state.recovery_codes.iter().position(|d| *d == digest) else {
            return Ok(false);
        };
        let used = keys::recovery_code_used(auth_identity_id, &digest);
        if !self
            .guard
            .consume_once(&used, keys::RECOVERY_CODE_USED_TTL_SECS)
            .await?
        {
            return Ok(false);
        }
        state.recovery_codes.remove(i);
        self.save(auth_identity_id, &state).await?;
        Ok(true)
    }

    /// `useAuthMfaRecoveryCode`: spends a code, or refuses with Medusa's message.
    pub async fn use_recovery_code(
        &self,
        auth_identity_id: &str,
        code: &str,
    ) -> Result<(), MfaError> {
        if self.spend_recovery_code(auth_identity_id, code).await? {
            Ok(())
        } else {
            Err(MfaError::NotAllowed(contract::MFA_RECOVERY_INVALID.into()))
        }
    }

    /// The challenge a sign-in of `auth_identity_id` through `auth_provider` must pass, or `None` when
    /// it has no enabled factor (Medusa's `applyMfaRequirement_`). Nothing is written: the challenge's
    /// record is the claim it returns too, which goes into the pending token (signed), so MFA costs a
    /// sign-in one KV read and no write. Needs no encryption key.
    pub async fn sign_in_challenge(
        &self,
        auth_identity_id: &str,
        auth_provider: Option<&str>,
    ) -> Result<Option<(Challenge, ChallengeClaim)>, MfaError> {
        let state = self.state(auth_identity_id).await?;
        let methods = state.challenge_methods();
        if methods.is_empty() {
            return Ok(None);
        }
        let stored = self.new_challenge(auth_identity_id, auth_provider, methods, Value::Null)?;
        let claim = ChallengeClaim {
            id: stored.challenge.id.clone(),
            expires_at_ms: stored.expires_at_ms,
            auth_provider: stored.challenge.auth_provider.clone(),
        };
        Ok(Some((stored.challenge, claim)))
    }

    /// `createAuthMfaChallenge`.
    pub async fn create_challenge(
        &self,
        auth_identity_id: &str,
        auth_provider: Option<&str>,
        metadata: Value,
    ) -> Result<Challenge, MfaError> {
        self.require_identity(auth_identity_id).await?;
        let methods = self.state(auth_identity_id).await?.challenge_methods();
        if methods.is_empty() {
            return Err(MfaError::NotAllowed(
                contract::MFA_NO_ENABLED_METHODS.into(),
            ));
        }
        self.store_challenge(auth_identity_id, auth_provider, methods, metadata)
            .await
    }

    async fn store_challenge(
        &self,
        auth_identity_id: &str,
        auth_provider: Option<&str>,
        methods: Vec<String>,
        metadata: Value,
    ) -> Result<Challenge, MfaError> {
        let stored = self.new_challenge(auth_identity_id, auth_provider, methods, metadata)?;
        self.put_challenge(&stored).await?;
        Ok(stored.challenge)
    }

    fn new_challenge(
        &self,
        auth_identity_id: &str,
        auth_provider: Option<&str>,
        methods: Vec<String>,
        metadata: Value,
    ) -> Result<StoredChallenge, MfaError> {
        let now_ms = self.clock.now_ms();
        let ttl = self.config.challenge_ttl_secs;
        let expires_at_ms = now_ms + ttl * 1000;
        let challenge = Challenge {
            id: ids::generate_id(ids::MFA_CHALLENGE_PREFIX, now_ms)?,
            auth_identity_id: auth_identity_id.to_owned(),
            auth_provider: auth_provider.map(str::to_owned),
            methods,
            expires_at: iso8601_utc(expires_at_ms),
            attempts: 0,
            max_attempts: self.config.challenge_max_attempts,
            completed_at: None,
            metadata,
        };
        Ok(StoredChallenge {
            challenge,
            expires_at_ms,
        })
    }

    async fn put_challenge(&self, stored: &StoredChallenge) -> Result<(), MfaError> {
        let json = stored.to_json().to_string();
        // Kept a minute past its expiry, so a late answer hears "expired" rather than "not found"
        // (`expires_at_ms` decides; KV's 60 s minimum TTL may add a little more).
        let left = stored
            .expires_at_ms
            .saturating_sub(self.clock.now_ms())
            .div_ceil(1000)
            + EXPIRED_GRACE_SECS;
        Ok(self
            .store
            .put(
                &keys::mfa_challenge(&stored.challenge.id),
                &json,
                Some(left.max(1)),
            )
            .await?)
    }

    /// `verifyAuthMfaChallenge`: the completed challenge when `code` answers it by `method`. Checked
    /// in Medusa's order (completed, expired, out of attempts, method offered), then the attempt is
    /// counted by the guard, then the code is spent, then the challenge is completed, exactly once:
    /// of two concurrent right answers one wins, the other is told it was already completed (or that
    /// its code, a replay, is invalid).
    pub async fn verify_challenge(
        &self,
        id: &str,
        method: &str,
        code: &str,
        auth_identity_id: Option<&str>,
    ) -> Result<Challenge, MfaError> {
        let not_found = || MfaError::ChallengeNotFound(id.to_owned());
        let json = self
            .store
            .get(&keys::mfa_challenge(id))
            .await?
            .ok_or_else(not_found)?;
        let stored = crate::json_fields::parse(&json)
            .ok()
            .and_then(|v| StoredChallenge::from_json(&v))
            .ok_or_else(not_found)?;
        if auth_identity_id.is_some_and(|owner| owner != stored.challenge.auth_identity_id) {
            return Err(not_found());
        }
        self.answer(stored, method, code, true).await
    }

    /// [`Self::verify_challenge`] for the challenge a pending token carries ([`Self::sign_in_challenge`]):
    /// its record is `claim`, signed with the token; what it offers is judged now.
    pub async fn verify_claimed_challenge(
        &self,
        claim: &ChallengeClaim,
        auth_identity_id: &str,
        method: &str,
        code: &str,
    ) -> Result<Challenge, MfaError> {
        // A completed challenge is written down when it completes: answered again, it says so first.
        let (done, state) = join2(
            self.store.get(&keys::mfa_challenge(&claim.id)),
            self.state(auth_identity_id),
        )
        .await;
        if done?.is_some() {
            return Err(MfaError::NotAllowed(
                contract::MFA_CHALLENGE_COMPLETED.into(),
            ));
        }
        let methods = state?.challenge_methods();
        let stored = StoredChallenge {
            challenge: Challenge {
                id: claim.id.clone(),
                auth_identity_id: auth_identity_id.to_owned(),
                auth_provider: claim.auth_provider.clone(),
                methods,
                expires_at: iso8601_utc(claim.expires_at_ms),
                attempts: 0,
                max_attempts: self.config.challenge_max_attempts,
                completed_at: None,
                metadata: Value::Null,
            },
            expires_at_ms: claim.expires_at_ms,
        };
        self.answer(stored, method, code, false).await
    }

    /// Answers `stored` (kept in KV when `persisted`, which then shows its attempts); a completed
    /// challenge is written to KV either way.
    async fn answer(
        &self,
        mut stored: StoredChallenge,
        method: &str,
        code: &str,
        persisted: bool,
    ) -> Result<Challenge, MfaError> {
        let challenge = &stored.challenge;
        let id = challenge.id.clone();
        let id = id.as_str();
        if challenge.completed_at.is_some() {
            return Err(MfaError::NotAllowed(
                contract::MFA_CHALLENGE_COMPLETED.into(),
            ));
        }
        if self.clock.now_ms() >= stored.expires_at_ms {
            return Err(MfaError::NotAllowed(contract::MFA_CHALLENGE_EXPIRED.into()));
        }
        let offered = ChallengeMethod::parse(method)
            .filter(|m| challenge.methods.iter().any(|c| c == m.as_str()));
        let Some(method) = offered else {
            return Err(MfaError::InvalidData(
                contract::mfa_challenge_method_unsupported(method),
            ));
        };
        let owner = challenge.auth_identity_id.clone();
        let ttl = self.config.challenge_ttl_secs;
        let rule = Rule::new(stored.challenge.max_attempts, ttl);
        let bucket = keys::rate_bucket("mfa-challenge", "id", id);
        let remaining = match self.guard.hit(&bucket, &rule).await? {
            Decision::Allowed { remaining } => remaining,
            Decision::Limited { .. } => {
                return Err(MfaError::NotAllowed(
                    contract::MFA_CHALLENGE_TOO_MANY.into(),
                ));
            }
        };
        stored.challenge.attempts = stored.challenge.max_attempts - remaining;
        let accepted = match method {
            ChallengeMethod::Totp => {
                let state = self.state(&owner).await?;
                match state.enabled_totp() {
                    Some(factor) => self.totp_accepts(factor, code).await?,
                    None => false,
                }
            }
            ChallengeMethod::RecoveryCode => self.spend_recovery_code(&owner, code).await?,
        };
        if !accepted {
            let message = if remaining == 0 {
                contract::MFA_CHALLENGE_TOO_MANY
            } else {
                contract::MFA_CHALLENGE_INVALID_CODE
            };
            // Best effort: the shown `attempts`; the guard's count is what limits.
            if persisted {
                let _ = self.put_challenge(&stored).await;
            }
            return Err(MfaError::NotAllowed(message.into()));
        }
        if !self
            .guard
            .consume_once(&keys::mfa_challenge(id), ttl.max(keys::MIN_TTL_SECS))
            .await?
        {
            return Err(MfaError::NotAllowed(
                contract::MFA_CHALLENGE_COMPLETED.into(),
            ));
        }
        stored.challenge.completed_at = Some(self.now_iso());
        self.put_challenge(&stored).await?;
        Ok(stored.challenge)
    }
}

/// A seal that fails is never the caller's fault: no randomness, or a stored secret the configured key
/// does not open (the key was changed).
fn seal_failure(e: SealError) -> MfaError {
    match e {
        SealError::Random(e) => e.into(),
        SealError::Cipher => MfaError::Unavailable(
            "a TOTP secret could not be sealed or opened with MFA_ENCRYPTION_KEY".into(),
        ),
    }
}
