//! Change password, for a signed-in user who proves they know the current one (not in Medusa, whose only
//! way to a new password is the reset link). Contract: `docs/http-api.md#change-password`.

use super::AccountError;
use super::config::LimitedRoute;
use super::limits::Attempt;
use super::service::AccountService;
use super::tokens::SignIn;
use crate::contract;
use crate::model::{AuthenticationInput, Metadata};
use crate::password;
use crate::providers::emailpass::EMAILPASS;
use crate::scope::{ActorType, ProviderId};
use crate::token::Claims;
use serde_json::Value;

/// Sent when change-password names a provider other than emailpass.
pub const ONLY_EMAILPASS: &str = "change-password is only supported by the emailpass provider";
/// Sent when change-password has no current password.
pub const CURRENT_PASSWORD_REQUIRED: &str = "Invalid request: Field 'current_password' is required";

/// The two passwords of a change, as the caller sent them (absent or empty: not given).
#[derive(Debug, Clone, Copy, Default)]
pub struct PasswordChange<'a> {
    /// The password the caller says is current.
    pub current_password: Option<&'a str>,
    /// The password to set.
    pub new_password: Option<&'a str>,
}

fn credentials(email: &str, password: &str) -> AuthenticationInput {
    let mut body = Metadata::new();
    body.insert("email".into(), Value::String(email.to_owned()));
    body.insert("password".into(), Value::String(password.to_owned()));
    AuthenticationInput {
        body,
        ..AuthenticationInput::default()
    }
}

impl AccountService {
    /// The claims of `raw` when it is a valid token of `actor_type` ([`AccountService::verify_token`]).
    pub async fn verify_token_as(
        &self,
        raw: &str,
        actor_type: &ActorType,
    ) -> Result<Claims, AccountError> {
        let claims = self.verify_token(raw).await?;
        if claims.actor_type != actor_type.as_str() {
            return Err(AccountError::Unauthorized);
        }
        Ok(claims)
    }

    /// Sets a new password for the identity of `claims` (a token verified for `actor_type`) once the
    /// current one is proven, voids every earlier token and session, and returns a fresh token.
    ///
    /// Checked in order, before any hashing where possible: the provider is emailpass; the new password
    /// is a non-empty string the policy accepts; a current password is given; the identity exists and
    /// has a password; the `authenticate` rate limit of its email (so this is no faster way to guess);
    /// then the current password, exactly as a sign-in checks it (so a hash this location's KV still
    /// holds after a change elsewhere does not pass). The new token is dated from the revocation.
    pub async fn change_password(
        &self,
        claims: &Claims,
        actor_type: &ActorType,
        provider: &ProviderId,
        change: PasswordChange<'_>,
        client: Option<&str>,
    ) -> Result<String, AccountError> {
        if provider.as_str() != EMAILPASS {
            return Err(AccountError::InvalidData(ONLY_EMAILPASS.into()));
        }
        let new_password = change
            .new_password
            .filter(|p| !p.is_empty())
            .ok_or_else(|| AccountError::InvalidData(contract::PASSWORD_SHOULD_BE_STRING.into()))?;
        password::check_policy(new_password)
            .map_err(|e| AccountError::InvalidData(e.to_string()))?;
        let current = change
            .current_password
            .filter(|p| !p.is_empty())
            .ok_or_else(|| AccountError::InvalidData(CURRENT_PASSWORD_REQUIRED.into()))?;

        let identity = self
            .identities
            .retrieve_auth_identity(&claims.auth_identity_id)
            .await?;
        let entity_id = identity
            .provider_identities
            .iter()
            .find(|p| p.provider == EMAILPASS)
            .map(|p| p.entity_id.clone())
            .ok_or(AccountError::NoPassword)?;

        let route = LimitedRoute::Authenticate;
        self.count_attempt(Attempt {
            route,
            provider: EMAILPASS,
            client,
            identifier: Some(&entity_id),
        })
        .await?;
        let check = self
            .identities
            .authenticate(EMAILPASS, &credentials(&entity_id, current))
            .await;
        let same_identity = check
            .auth_identity
            .as_ref()
            .is_some_and(|i| i.id == identity.id);
        if !(check.success && same_identity) {
            return Err(AccountError::WrongCurrentPassword);
        }
        self.forget_failures(route, EMAILPASS, &entity_id).await;

        let mut update = Metadata::new();
        update.insert("entity_id".into(), Value::String(entity_id));
        update.insert("password".into(), Value::String(new_password.to_owned()));
        let result = self.identities.update_provider(EMAILPASS, &update).await;
        if !result.success {
            let message = result
                .error
                .unwrap_or_else(|| contract::AUTHENTICATION_FAILED.into());
            return Err(AccountError::InvalidData(message));
        }
        let validity = self.revoke_tokens(&identity.id).await?;
        // The new token keeps what the old one said about the sign-in (its provider, MFA).
        self.sign(&identity, actor_type, &SignIn::of(claims), &validity)
            .await
    }
}
