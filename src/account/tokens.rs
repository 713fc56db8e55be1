//! Auth tokens: Medusa's claims for an identity and an actor type, dated from the identity's credential
//! record ([`super::revocation`]), verified against it, refreshed, and voided by revocations.

use super::AccountError;
use super::revocation::{self, Validity};
use super::service::AccountService;
use crate::guard::{CredentialChange, CredentialRecord, Revocation};
use crate::model::AuthIdentity;
use crate::ports::runtime::join2;
use crate::scope::{ActorType, ProviderId};
use crate::store::keys;
use crate::token::jwk::public_jwk;
use crate::token::{ChallengeClaim, Claims};
use serde_json::Value;

/// A token's multi-factor state: Medusa 2.21's `mfa_enabled` and `mfa_challenge_completed_at`, and
/// our `mfa_challenge` on a token that still owes one. Filled from the identity's MFA record at sign-in
/// ([`super::mfa_sign_in`]), carried into refreshed tokens and sessions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MfaState {
    /// The identity had an enabled factor at sign-in.
    pub enabled: bool,
    /// When the bearer passed its challenge (ISO 8601); `None` with `enabled` is a token still owing it.
    pub challenge_completed_at: Option<String>,
    /// The challenge a pending token owes: its record, signed into the token.
    pub challenge: Option<ChallengeClaim>,
}

impl MfaState {
    /// A sign-in that owes `challenge`: the token gets no actor.
    pub fn pending(challenge: Option<ChallengeClaim>) -> Self {
        Self {
            enabled: true,
            challenge_completed_at: None,
            challenge,
        }
    }

    /// A sign-in whose challenge was passed at `at`.
    pub fn completed(at: String) -> Self {
        Self {
            enabled: true,
            challenge_completed_at: Some(at),
            challenge: None,
        }
    }

    /// Enabled, challenge not passed.
    pub fn is_pending(&self) -> bool {
        self.enabled && self.challenge_completed_at.is_none()
    }
}

/// How the bearer signed in, beyond who they are: what a token says besides its identity and actor type.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SignIn {
    /// The provider of the sign-in (Medusa's `auth_provider`); `None` for a token issued without one.
    pub auth_provider: Option<String>,
    /// Multi-factor state.
    pub mfa: MfaState,
    /// The sign-in still owes a verification (`AUTH_VERIFICATIONS_PER_ACTOR`): the token gets no actor,
    /// as Medusa's `skipActorType`.
    pub unverified: bool,
}

impl SignIn {
    /// A sign-in through `provider`.
    pub fn through(provider: &ProviderId) -> Self {
        Self {
            auth_provider: Some(provider.as_str().to_owned()),
            ..Self::default()
        }
    }

    /// What an earlier token said, carried into a new one (refresh, sessions, a password change), as
    /// Medusa's refresh carries its auth context.
    pub fn of(claims: &Claims) -> Self {
        Self {
            auth_provider: claims.auth_provider.clone(),
            mfa: MfaState {
                enabled: claims.mfa_enabled,
                challenge_completed_at: claims.mfa_challenge_completed_at.clone(),
                challenge: claims
                    .mfa_challenge
                    .as_deref()
                    .and_then(ChallengeClaim::parse),
            },
            // A token says no such thing: refresh judges an actor-less token again.
            unverified: false,
        }
    }

    /// This sign-in with multi-factor state `mfa`.
    pub fn with_mfa(self, mfa: MfaState) -> Self {
        Self { mfa, ..self }
    }
}

/// Medusa 2.21's claims: `actor_id` from `app_metadata["<actor>_id"]` (or ""), the identity's whole
/// `app_metadata`, the provider and the `user_metadata` of the identity's provider identity for it, and
/// the sign-in's MFA state. A token still owing its MFA challenge is actor-less (Medusa's
/// `skipActorType`: empty `actor_id`, no `<actor>_id` in `app_metadata`), so nothing that needs an actor
/// accepts it, and carries the challenge it owes.
pub fn claims_for(
    identity: &AuthIdentity,
    actor_type: &ActorType,
    sign_in: &SignIn,
    now_secs: u64,
    ttl_secs: u64,
) -> Claims {
    let actor_type = actor_type.as_str();
    let pending = sign_in.mfa.is_pending();
    let actor_id = match pending || sign_in.unverified {
        true => String::new(),
        false => identity.actor_id(actor_type).unwrap_or_default().to_owned(),
    };
    let mut app_metadata = identity.app_metadata.clone().unwrap_or_default();
    // Medusa writes `<actor>_id: actor_id ?? undefined`: a value that is not a string id is not one.
    let key = format!("{actor_type}_id");
    if actor_id.is_empty() {
        app_metadata.remove(&key);
    } else {
        app_metadata.insert(key, Value::String(actor_id.clone()));
    }
    let user_metadata = sign_in
        .auth_provider
        .as_deref()
        .and_then(|provider| {
            identity
                .provider_identities
                .iter()
                .find(|p| p.provider == provider)
        })
        .and_then(|p| p.user_metadata.clone())
        .unwrap_or_default();
    Claims {
        actor_id,
        actor_type: actor_type.to_owned(),
        auth_identity_id: identity.id.clone(),
        auth_provider: sign_in.auth_provider.clone(),
        mfa_enabled: sign_in.mfa.enabled,
        mfa_challenge_completed_at: sign_in.mfa.challenge_completed_at.clone(),
        app_metadata: Value::Object(app_metadata),
        user_metadata: Value::Object(user_metadata),
        iat: now_secs,
        exp: now_secs + ttl_secs,
        mfa_challenge: match pending {
            true => sign_in.mfa.challenge.as_ref().map(ChallengeClaim::encode),
            false => None,
        },
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
        sign_in: &SignIn,
    ) -> Result<String, AccountError> {
        let validity = self.validity(&identity.id).await?;
        self.sign(identity, actor_type, sign_in, &validity).await
    }

    /// A token for a sign-in whose password was verified against `verified`, the provider's read of the
    /// guard's record ([`crate::service::VerifiedResponse`]): dated from that read, so a change the guard
    /// ordered after it voids the token. Without one (third-party sign-in), [`Self::issue_token`].
    pub async fn issue_token_verified(
        &self,
        identity: &AuthIdentity,
        actor_type: &ActorType,
        sign_in: &SignIn,
        verified: Option<&CredentialRecord>,
    ) -> Result<String, AccountError> {
        let validity = self.issuing_validity(&identity.id, verified).await?;
        self.sign(identity, actor_type, sign_in, &validity).await
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

    pub(super) async fn sign(
        &self,
        identity: &AuthIdentity,
        actor_type: &ActorType,
        sign_in: &SignIn,
        validity: &Validity,
    ) -> Result<String, AccountError> {
        let iat = validity.issued_at().ok_or(AccountError::Unauthorized)?;
        let claims = claims_for(
            identity,
            actor_type,
            sign_in,
            iat,
            self.tokens.expires_in_secs,
        );
        self.tokens
            .signer
            .sign(&claims)
            .await
            .map_err(|e| AccountError::Unavailable(e.to_string()))
    }

    /// The public keys our tokens verify with, current first (`GET /.well-known/jwks.json`, the npm
    /// package's `jwks()`); `None` in HS256 mode, whose key is a shared secret.
    /// As a JWKS, `{"keys": [{kty, crv, x, (y,) kid, alg, use: "sig"}, …]}`.
    pub async fn key_set(&self) -> Result<Option<Value>, AccountError> {
        let keys = self
            .tokens
            .signer
            .public_keys()
            .await
            .map_err(|e| AccountError::Unavailable(format!("{}: {e}", e.variable())))?;
        Ok(keys.map(|keys| {
            let keys: Vec<Value> = keys.iter().map(public_jwk).collect();
            serde_json::json!({ "keys": keys })
        }))
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
        let claims = self
            .tokens
            .signer
            .verify(raw, self.now_secs())
            .await
            .map_err(|_| AccountError::Unauthorized)?;
        let validity = self.validity(&claims.auth_identity_id).await?;
        if validity.is_revoked(claims.iat) {
            return Err(AccountError::Unauthorized);
        }
        Ok((claims, validity))
    }

    /// `POST /auth/token/refresh`: a fresh token for the same identity and actor type, with `actor_id`
    /// filled in once the actor exists, dated from the record the old token was checked against. A
    /// token of a deleted identity is refused. what it said carries over ([`Self::refreshed_sign_in`]).
    pub async fn refresh_token(&self, raw: &str) -> Result<String, AccountError> {
        let (claims, validity) = self.verified_claims(raw).await?;
        let actor_type = ActorType::parse(&claims.actor_type).ok_or(AccountError::Unauthorized)?;
        let identity = self
            .identities
            .retrieve_auth_identity(&claims.auth_identity_id)
            .await?;
        let sign_in = self
            .refreshed_sign_in(
                &identity,
                &actor_type,
                &claims.actor_id,
                SignIn::of(&claims),
            )
            .await?;
        self.sign(&identity, &actor_type, &sign_in, &validity).await
    }

    /// What a refreshed token says, from what the old one (or a session) said. A token with an actor,
    /// or one past its challenge, keeps its MFA state (Medusa regenerates those as they are). An actor-less token is judged again, as Medusa's
    /// refresh does: if the identity has an enabled factor now, the new token owes a challenge too, so
    /// refreshing never skips MFA (Medusa answers with a new challenge; we with the pending token).
    pub(super) async fn refreshed_sign_in(
        &self,
        identity: &AuthIdentity,
        actor_type: &ActorType,
        actor_id: &str,
        old: SignIn,
    ) -> Result<SignIn, AccountError> {
        // A pending token keeps its challenge (a new one once it expired, as Medusa's refresh raises one).
        if old.mfa.is_pending() {
            let live = old
                .mfa
                .challenge
                .as_ref()
                .is_some_and(|c| c.expires_at_ms > self.now_ms());
            if live {
                return Ok(old);
            }
        } else if old.mfa.enabled || !actor_id.is_empty() {
            return Ok(old);
        }
        let provider = old.auth_provider.as_deref();
        let auth_identity_id = identity.id.as_str();
        // Still owing its verification: actor-less again (Medusa's refresh answers
        // `verification_required`), and past no MFA challenge either.
        if self
            .verification_owed(identity, actor_type, provider)
            .await?
            .is_some()
        {
            let mfa = match self
                .mfa
                .sign_in_challenge(auth_identity_id, provider)
                .await?
            {
                Some(_) => MfaState::pending(None),
                None => MfaState::default(),
            };
            return Ok(SignIn {
                mfa,
                unverified: true,
                ..old
            });
        }
        let mfa = match self
            .mfa
            .sign_in_challenge(auth_identity_id, provider)
            .await?
        {
            Some((_, claim)) => MfaState::pending(Some(claim)),
            // MFA was switched off meanwhile: an ordinary token.
            None => MfaState::default(),
        };
        Ok(old.with_mfa(mfa))
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
