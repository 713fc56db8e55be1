//! Where MFA meets tokens: a sign-in of an identity with an enabled factor answers with a challenge and
//! an actor-less token instead of the real one (Medusa 2.21's `{mfa_required, mfa_challenge, token}`);
//! passing the challenge trades that token for the real one, with `mfa_enabled` and
//! `mfa_challenge_completed_at`. Who may call the MFA routes (a session or a bearer token that does not
//! owe a challenge) is decided here too. Contract: `docs/http-api.md#multi-factor-authentication`.

use super::AccountError;
use super::service::AccountService;
use super::tokens::{MfaState, SignIn};
use super::verification::Verification;
use crate::contract;
use crate::guard::CredentialRecord;
use crate::mfa::{Challenge, MfaError};
use crate::model::AuthIdentity;
use crate::ports::runtime::join2;
use crate::scope::ActorType;
use crate::token::{ChallengeClaim, Claims};

/// What a successful first factor earns.
#[derive(Debug, Clone, PartialEq)]
pub enum SignInAnswer {
    /// No MFA: the token.
    Token(String),
    /// MFA applies: the challenge to pass and an actor-less token to pass it with.
    MfaRequired {
        /// The login challenge.
        challenge: Challenge,
        /// A token good for the challenge route, sessions and refresh only.
        token: String,
    },
    /// A verification is owed (`AUTH_VERIFICATIONS_PER_ACTOR`): Medusa's `{verification_required,
    /// verification, token}`, checked before MFA as Medusa does.
    VerificationRequired {
        /// The verification owed; `None` when none was requested yet.
        verification: Option<Verification>,
        /// An actor-less token good for the verification routes, sessions and refresh.
        token: String,
    },
}

/// Who calls an MFA route: the identity (and actor type) of its session or bearer token.
#[derive(Debug, Clone, PartialEq)]
pub struct MfaCaller {
    /// The caller's identity.
    pub auth_identity_id: String,
    /// The actor type its token or session was issued for.
    pub actor_type: String,
    /// `true` while its sign-in still owes the MFA challenge.
    pub mfa_pending: bool,
    /// The challenge it owes, carried by its token (or the session made from it).
    pub challenge: Option<ChallengeClaim>,
}

impl MfaCaller {
    fn of(claims: &Claims) -> Self {
        Self {
            auth_identity_id: claims.auth_identity_id.clone(),
            actor_type: claims.actor_type.clone(),
            mfa_pending: claims.mfa_pending(),
            challenge: claims
                .mfa_challenge
                .as_deref()
                .and_then(ChallengeClaim::parse),
        }
    }
}

impl AccountService {
    /// The answer to a sign-in (or registration, or third-party callback) whose first factor passed
    /// (`sign_in`, through its provider): the token, or a challenge and an actor-less token when the
    /// identity has an enabled factor, or the verification it owes and an actor-less token.
    /// `verified` as for [`Self::issue_token_verified`].
    pub async fn answer_sign_in(
        &self,
        identity: &AuthIdentity,
        actor_type: &ActorType,
        sign_in: SignIn,
        verified: Option<&CredentialRecord>,
    ) -> Result<SignInAnswer, AccountError> {
        self.answer(identity, actor_type, sign_in, verified, true)
            .await
    }

    /// [`Self::answer_sign_in`] for a registration: Medusa's register route issues its token without
    /// the verification check (the token has no actor yet; refresh checks it once there is one).
    pub async fn answer_registration(
        &self,
        identity: &AuthIdentity,
        actor_type: &ActorType,
        sign_in: SignIn,
        verified: Option<&CredentialRecord>,
    ) -> Result<SignInAnswer, AccountError> {
        self.answer(identity, actor_type, sign_in, verified, false)
            .await
    }

    async fn answer(
        &self,
        identity: &AuthIdentity,
        actor_type: &ActorType,
        sign_in: SignIn,
        verified: Option<&CredentialRecord>,
        check_verification: bool,
    ) -> Result<SignInAnswer, AccountError> {
        // The token's boundary and MFA's record are read at once; a challenge is written nowhere (the
        // pending token carries it): MFA costs a sign-in no extra round trip.
        let provider = sign_in.auth_provider.as_deref();
        let (validity, (challenge, owed)) = join2(
            self.issuing_validity(&identity.id, verified),
            join2(self.mfa.sign_in_challenge(&identity.id, provider), async {
                match check_verification {
                    true => self.verification_owed(identity, actor_type, provider).await,
                    false => Ok(None),
                }
            }),
        )
        .await;
        let (validity, challenge) = (validity?, challenge?);
        if let Some(verification) = owed? {
            // Medusa's actor-less token keeps `mfa_enabled`: with a factor it is held as owing MFA, so
            // it cannot reach the MFA routes that need the challenge passed.
            let mfa = match challenge {
                Some(_) => MfaState::pending(None),
                None => MfaState::default(),
            };
            let unverified = SignIn {
                mfa,
                unverified: true,
                ..sign_in
            };
            return Ok(SignInAnswer::VerificationRequired {
                verification,
                token: self
                    .sign(identity, actor_type, &unverified, &validity)
                    .await?,
            });
        }
        Ok(match challenge {
            Some((challenge, claim)) => {
                let pending = sign_in.with_mfa(MfaState::pending(Some(claim)));
                SignInAnswer::MfaRequired {
                    token: self.sign(identity, actor_type, &pending, &validity).await?,
                    challenge,
                }
            }
            None => {
                SignInAnswer::Token(self.sign(identity, actor_type, &sign_in, &validity).await?)
            }
        })
    }

    /// The caller of an MFA route from its session cookie value or bearer token (the session first,
    /// as Medusa's `authenticate("*", ["session", "bearer"])`). Actor-less callers are welcome
    /// (`allowUnregistered`); one that still owes its challenge only with `allow_mfa_pending` (the
    /// challenge route), else it could switch MFA off with a password alone.
    pub async fn mfa_caller(
        &self,
        session_id: Option<&str>,
        bearer: Option<&str>,
        allow_mfa_pending: bool,
    ) -> Result<MfaCaller, AccountError> {
        let mut caller = None;
        if let Some(id) = session_id
            && let Some(found) = self.session(id).await?
        {
            let context = found.auth_context;
            caller = Some(MfaCaller {
                mfa_pending: context.mfa_enabled && context.mfa_challenge_completed_at.is_none(),
                auth_identity_id: context.auth_identity_id,
                actor_type: context.actor_type,
                challenge: context
                    .mfa_challenge
                    .as_deref()
                    .and_then(ChallengeClaim::parse),
            });
        }
        let caller = match (caller, bearer) {
            (Some(caller), _) => caller,
            (None, Some(raw)) => MfaCaller::of(&self.verify_token_mfa_pending_ok(raw).await?),
            (None, None) => return Err(AccountError::Unauthorized),
        };
        if caller.mfa_pending && !allow_mfa_pending {
            return Err(AccountError::Unauthorized);
        }
        Ok(caller)
    }

    /// `POST /auth/mfa/challenges/{id}/verify`: `caller`'s challenge `id` answered with `code` by
    /// `method`; the real token (with an actor once there is one) when it passes.
    pub async fn pass_mfa_challenge(
        &self,
        caller: &MfaCaller,
        id: &str,
        method: &str,
        code: &str,
    ) -> Result<String, AccountError> {
        let me = caller.auth_identity_id.as_str();
        // Only the challenge the caller's token (or session) carries: a sign-in's. Any other id, another
        // identity's included, is not found.
        let challenge = match &caller.challenge {
            Some(claim) if claim.id == id => {
                self.mfa
                    .verify_claimed_challenge(claim, me, method, code)
                    .await?
            }
            _ => return Err(MfaError::ChallengeNotFound(id.to_owned()).into()),
        };
        let identity = self
            .identities
            .retrieve_auth_identity(&challenge.auth_identity_id)
            .await?;
        if let Some(provider) = &challenge.auth_provider
            && !identity
                .provider_identities
                .iter()
                .any(|p| &p.provider == provider)
        {
            return Err(AccountError::InvalidData(
                contract::mfa_no_provider_identity(provider),
            ));
        }
        let actor_type = ActorType::parse(&caller.actor_type).ok_or(AccountError::Unauthorized)?;
        let completed_at = challenge.completed_at.unwrap_or_default();
        let sign_in = SignIn {
            auth_provider: challenge.auth_provider,
            mfa: MfaState::completed(completed_at),
            unverified: false,
        };
        self.issue_token(&identity, &actor_type, &sign_in).await
    }
}
