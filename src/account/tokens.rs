//! Auth tokens: Medusa's claims for an identity and an actor type, dated from the identity's credential
//! record ([`super::revocation`]), verified against it, refreshed, and voided by revocations.

use super::AccountError;
use super::revocation::{self, Validity};
use super::service::AccountService;
use crate::guard::{CredentialChange, CredentialRecord, Revocation};
use crate::model::AuthIdentity;
use crate::ports::runtime::join2;
use crate::scope::ActorType;
use crate::store::keys;
use crate::token::{self, ChallengeClaim, Claims};
use serde_json::Value;

/// Where a token stands with MFA: Medusa 2.21's `mfa_enabled` and `mfa_challenge_completed_at`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MfaClaims {
    /// The identity had an enabled factor at sign-in.
    pub enabled: bool,
    /// When its challenge was passed (ISO 8601); `None` with `enabled` is a token still owing it.
    pub completed_at: Option<String>,
    /// The challenge a pending token owes: its record, signed into the token.
    pub challenge: Option<ChallengeClaim>,
}

impl MfaClaims {
    /// A sign-in that owes `challenge`: the token gets no actor.
    pub fn pending(challenge: Option<ChallengeClaim>) -> Self {
        Self {
            enabled: true,
            completed_at: None,
            challenge,
        }
    }

    /// A sign-in whose challenge was passed at `at`.
    pub fn completed(at: String) -> Self {
        Self {
            enabled: true,
            completed_at: Some(at),
            challenge: None,
        }
    }

    /// What `claims` say.
    pub fn of(claims: &Claims) -> Self {
        Self {
            enabled: claims.mfa_enabled,
            completed_at: claims.mfa_challenge_completed_at.clone(),
            challenge: claims
                .mfa_challenge
                .as_deref()
                .and_then(ChallengeClaim::parse),
        }
    }

    /// Enabled, challenge not passed.
    pub fn is_pending(&self) -> bool {
        self.enabled && self.completed_at.is_none()
    }
}

/// [`claims_for`] with MFA's claims. A pending token is actor-less (Medusa's `skipActorType`): empty
/// `actor_id` and `app_metadata`, so nothing that needs an actor accepts it.
pub fn claims_with_mfa(
    identity: &AuthIdentity,
    actor_type: &ActorType,
    now_secs: u64,
    ttl_secs: u64,
    mfa: &MfaClaims,
) -> Claims {
    let mut claims = claims_for(identity, actor_type, now_secs, ttl_secs);
    if mfa.is_pending() {
        claims.actor_id = String::new();
        claims.app_metadata = Value::Object(serde_json::Map::new());
        claims.mfa_challenge = mfa.challenge.as_ref().map(ChallengeClaim::encode);
    }
    claims.mfa_enabled = mfa.enabled;
    claims.mfa_challenge_completed_at = mfa.completed_at.clone();
    claims
}

/// Medusa's claims: `actor_id` from `app_metadata["<actor>_id"]` (or ""), and an `app_metadata` that
/// holds only that key.
pub fn claims_for(
    identity: &AuthIdentity,
    actor_type: &ActorType,
    now_secs: u64,
    ttl_secs: u64,
) -> Claims {
    let actor_type = actor_type.as_str();
    let actor_id = identity.actor_id(actor_type).unwrap_or_default().to_owned();
    let mut app_metadata = serde_json::Map::new();
    if !actor_id.is_empty() {
        app_metadata.insert(format!("{actor_type}_id"), Value::String(actor_id.clone()));
    }
    Claims {
        actor_id,
        actor_type: actor_type.to_owned(),
        auth_identity_id: identity.id.clone(),
        mfa_enabled: false,
        mfa_challenge_completed_at: None,
        app_metadata: Value::Object(app_metadata),
        iat: now_secs,
        exp: now_secs + ttl_secs,
        mfa_challenge: None,
    }
}

impl AccountService {
    /// The identity's boundary now: the guard's record and KV's copy, read at once.
    pub(super) async fn validity(&self, auth_identity_id: &str) -> Result<Validity, AccountError> {
        let key = keys::credentials(auth_identity_id);
        let (record, kv) = join2(
            self.ports.guard.credentials(&key),
            revocation::kv_valid_from_ms(self.store(), auth_identity_id),
        )
        .await;
        Ok(Validity::merge(&record?, kv?))
    }

    /// A signed token for `identity` as `actor_type`, dated from its credential record as read now.
    /// A deleted identity gets none.
    pub async fn issue_token(
        &self,
        identity: &AuthIdentity,
        actor_type: &ActorType,
    ) -> Result<String, AccountError> {
        self.issue_token_with_mfa(identity, actor_type, &MfaClaims::default())
            .await
    }

    /// [`Self::issue_token`] with MFA's claims.
    pub async fn issue_token_with_mfa(
        &self,
        identity: &AuthIdentity,
        actor_type: &ActorType,
        mfa: &MfaClaims,
    ) -> Result<String, AccountError> {
        let validity = self.validity(&identity.id).await?;
        self.sign_with_mfa(identity, actor_type, &validity, mfa)
    }

    /// A token for a sign-in whose password was verified against `verified`, the provider's read of the
    /// guard's record ([`crate::service::VerifiedResponse`]): dated from that read, so a change the guard
    /// ordered after it voids the token. Without one (third-party sign-in), [`Self::issue_token`].
    pub async fn issue_token_verified(
        &self,
        identity: &AuthIdentity,
        actor_type: &ActorType,
        verified: Option<&CredentialRecord>,
    ) -> Result<String, AccountError> {
        self.issue_token_verified_with_mfa(identity, actor_type, verified, &MfaClaims::default())
            .await
    }

    /// [`Self::issue_token_verified`] with MFA's claims.
    pub async fn issue_token_verified_with_mfa(
        &self,
        identity: &AuthIdentity,
        actor_type: &ActorType,
        verified: Option<&CredentialRecord>,
        mfa: &MfaClaims,
    ) -> Result<String, AccountError> {
        let validity = self.issuing_validity(&identity.id, verified).await?;
        self.sign_with_mfa(identity, actor_type, &validity, mfa)
    }

    /// The boundary a token for a sign-in verified against `verified` is dated from (see
    /// [`Self::issue_token_verified`]): the read's own, unless KV's copy shows a revocation after it;
    /// without one, the identity's boundary now.
    pub(super) async fn issuing_validity(
        &self,
        auth_identity_id: &str,
        verified: Option<&CredentialRecord>,
    ) -> Result<Validity, AccountError> {
        let Some(record) = verified else {
            return self.validity(auth_identity_id).await;
        };
        let at_check = Validity::merge(record, None);
        let iat = at_check.issued_at().ok_or(AccountError::Unauthorized)?;
        // KV's copy may show a revocation after the check (made here meanwhile): no token born void.
        let kv = revocation::kv_valid_from_ms(self.store(), auth_identity_id).await?;
        if Validity::merge(record, kv).is_revoked(iat) {
            return Err(AccountError::Unauthorized);
        }
        Ok(at_check)
    }

    pub(super) fn sign(
        &self,
        identity: &AuthIdentity,
        actor_type: &ActorType,
        validity: &Validity,
    ) -> Result<String, AccountError> {
        self.sign_with_mfa(identity, actor_type, validity, &MfaClaims::default())
    }

    pub(super) fn sign_with_mfa(
        &self,
        identity: &AuthIdentity,
        actor_type: &ActorType,
        validity: &Validity,
        mfa: &MfaClaims,
    ) -> Result<String, AccountError> {
        let iat = validity.issued_at().ok_or(AccountError::Unauthorized)?;
        let ttl = self.tokens.expires_in_secs;
        let claims = claims_with_mfa(identity, actor_type, iat, ttl, mfa);
        Ok(token::sign(&claims, &self.tokens.key))
    }

    /// The claims of a bearer token that is validly signed, unexpired, not voided by a revocation, and
    /// not still owing its MFA challenge (Medusa's default `requireMfa`).
    pub async fn verify_token(&self, raw: &str) -> Result<Claims, AccountError> {
        let claims = self.verify_token_mfa_pending_ok(raw).await?;
        if claims.mfa_pending() {
            return Err(AccountError::Unauthorized);
        }
        Ok(claims)
    }

    /// [`Self::verify_token`] that also takes a token still owing its MFA challenge: for the routes
    /// Medusa marks `requireMfa: false` (the challenge itself, sessions, refresh).
    pub async fn verify_token_mfa_pending_ok(&self, raw: &str) -> Result<Claims, AccountError> {
        self.verified_claims(raw).await.map(|(claims, _)| claims)
    }

    /// [`Self::verify_token`], with the boundary it was checked against.
    pub(super) async fn verified_claims(
        &self,
        raw: &str,
    ) -> Result<(Claims, Validity), AccountError> {
        let claims = token::verify(raw, &self.tokens.key, self.now_secs())
            .map_err(|_| AccountError::Unauthorized)?;
        let validity = self.validity(&claims.auth_identity_id).await?;
        if validity.is_revoked(claims.iat) {
            return Err(AccountError::Unauthorized);
        }
        Ok((claims, validity))
    }

    /// `POST /auth/token/refresh`: a fresh token for the same identity and actor type, with `actor_id`
    /// filled in once the actor exists, dated from the record the old token was checked against. A
    /// token of a deleted identity is refused. MFA's claims carry over ([`Self::refreshed_mfa`]).
    pub async fn refresh_token(&self, raw: &str) -> Result<String, AccountError> {
        let (claims, validity) = self.verified_claims(raw).await?;
        let actor_type = ActorType::parse(&claims.actor_type).ok_or(AccountError::Unauthorized)?;
        let identity = self
            .identities
            .retrieve_auth_identity(&claims.auth_identity_id)
            .await?;
        let old = MfaClaims::of(&claims);
        let mfa = self
            .refreshed_mfa(&identity.id, &claims.actor_id, old)
            .await?;
        self.sign_with_mfa(&identity, &actor_type, &validity, &mfa)
    }

    /// MFA's claims of a refreshed token. A token with an actor, or one past its challenge, keeps its
    /// own (Medusa regenerates those as they are). An actor-less token is judged again, as Medusa's
    /// refresh does: if the identity has an enabled factor now, the new token owes a challenge too, so
    /// refreshing never skips MFA (Medusa answers with a new challenge; we with the pending token).
    pub(super) async fn refreshed_mfa(
        &self,
        auth_identity_id: &str,
        actor_id: &str,
        old: MfaClaims,
    ) -> Result<MfaClaims, AccountError> {
        // A pending token keeps its challenge (a new one once it expired, as Medusa's refresh raises one).
        if old.is_pending() {
            let live = old
                .challenge
                .as_ref()
                .is_some_and(|c| c.expires_at_ms > self.now_ms());
            if live {
                return Ok(old);
            }
        } else if old.enabled || !actor_id.is_empty() {
            return Ok(old);
        }
        match self.mfa.sign_in_challenge(auth_identity_id, None).await? {
            Some((_, claim)) => Ok(MfaClaims::pending(Some(claim))),
            // MFA was switched off meanwhile: an ordinary token.
            None => Ok(MfaClaims::default()),
        }
    }

    /// Voids every token and session of the identity issued until now (a password change, a reset): the
    /// guard's record first, which every location reads, then KV's copy. The boundary after.
    pub async fn revoke_tokens(&self, auth_identity_id: &str) -> Result<Validity, AccountError> {
        self.revoke(auth_identity_id, Revocation::Now, None).await
    }

    /// For an identity being deleted: no token or session of it is valid again, and no stored hash of it
    /// is current any more (its fingerprint becomes "no password"), so a location whose KV still holds
    /// it refuses its password too.
    pub async fn revoke_for_good(&self, auth_identity_id: &str) -> Result<(), AccountError> {
        self.revoke(auth_identity_id, Revocation::Forever, Some(String::new()))
            .await
            .map(drop)
    }

    async fn revoke(
        &self,
        auth_identity_id: &str,
        revocation: Revocation,
        fingerprint: Option<String>,
    ) -> Result<Validity, AccountError> {
        let change = CredentialChange {
            fingerprint,
            expected: None,
            revoke: Some(revocation),
        };
        let key = keys::credentials(auth_identity_id);
        let record = self
            .ports
            .guard
            .set_credentials(&key, &change)
            .await?
            .ok_or_else(|| AccountError::Unavailable("the guard refused a revocation".into()))?;
        let copied = revocation::copy_to_kv(self.store(), auth_identity_id, &record).await?;
        Ok(Validity {
            valid_from_ms: copied,
            as_of_ms: record.as_of_ms,
        })
    }
}
