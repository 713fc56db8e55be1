//! Every string that is part of Medusa's Auth Module contract, in one place.
//!
//! Clients written against Medusa (the official js-sdk included) match on these, so they are reproduced
//! exactly. Strings of our own (not in Medusa) live next to the code that produces them.

/// Sent when a route or call names a provider that is not registered: Medusa 2.21's
/// `retrieveProviderRegistration` message, leading newline and all (its 2.0 message was "Could not find a
/// auth provider with id: …").
pub fn provider_not_found(provider: &str) -> String {
    format!(
        "\nUnable to retrieve the auth provider with id: {provider}\nPlease make sure that the provider is registered in the container and it is configured correctly in your project configuration file."
    )
}

/// Sent when `register` is called on a provider that has no registration (the OAuth providers).
pub fn register_not_implemented(provider: &str) -> String {
    format!("Method 'register' not implemented for provider {provider}")
}

/// Sent when `updateProvider` is called on a provider that cannot update credentials.
pub fn update_not_implemented(provider: &str) -> String {
    format!("Method 'update' not implemented for provider {provider}")
}

/// Sent when a callback arrives for a provider that has no callback step (emailpass).
pub fn callback_not_implemented(provider: &str) -> String {
    format!("Callback authentication not implemented for provider {provider}")
}

/// Sent when emailpass `updateProvider` is called without an `entity_id`.
pub fn update_without_entity_id(provider: &str) -> String {
    format!("Cannot update {provider} provider identity without entity_id")
}

/// Sent when the body's `password` is missing or not a string.
pub const PASSWORD_SHOULD_BE_STRING: &str = "Password should be a string";
/// Sent when the body's `email` is missing or not a string.
pub const EMAIL_SHOULD_BE_STRING: &str = "Email should be a string";
/// Sent on a failed emailpass login: unknown email and wrong password alike, so neither is revealed.
pub const INVALID_EMAIL_OR_PASSWORD: &str = "Invalid email or password";
/// Sent when emailpass registration finds the email taken and the password does not match.
pub const IDENTITY_EMAIL_EXISTS: &str = "Identity with email already exists";

/// Sent when no auth identity holds the provider identity for `entity_id`.
pub fn identity_entity_not_found(entity_id: &str) -> String {
    format!("AuthIdentity with entity_id \"{entity_id}\" not found")
}

/// Sent when no provider identity has `entity_id` for the provider.
pub fn provider_identity_entity_not_found(entity_id: &str) -> String {
    format!("ProviderIdentity with entity_id \"{entity_id}\" not found")
}

/// Sent when more than one auth identity holds `entity_id` for the same provider.
pub fn multiple_identities_for_entity(entity_id: &str) -> String {
    format!("Multiple authIdentities found for entity_id \"{entity_id}\"")
}

/// Sent by `retrieveAuthIdentity` for an unknown id.
pub fn auth_identity_retrieve_not_found(id: &str) -> String {
    format!("AuthIdentity with id: {id} was not found")
}

/// Sent by `retrieveAuthIdentity` when the id is empty.
pub const AUTH_IDENTITY_ID_REQUIRED: &str = "authIdentity - id must be defined";

/// Sent by `updateAuthIdentities` (and deletes) for an unknown id.
pub fn auth_identity_update_not_found(id: &str) -> String {
    format!("AuthIdentity with id \"{id}\" not found")
}

/// Sent by `updateProviderIdentities` for an unknown id.
pub fn provider_identity_update_not_found(id: &str) -> String {
    format!("ProviderIdentity with id \"{id}\" not found")
}

/// Sent by `retrieveProviderIdentity` for an unknown id.
pub fn provider_identity_retrieve_not_found(id: &str) -> String {
    format!("ProviderIdentity with id: {id} was not found")
}

// HTTP layer (Medusa's error handler and middlewares).

/// The `type` of Medusa's error bodies (`MedusaError.Types`) that our answers use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorType {
    /// Missing or bad credentials or token: status 401.
    Unauthorized,
    /// A malformed request or a refused input: status 400.
    InvalidData,
    /// A request refused by policy: an actor type not allowed (401), a method the route lacks (405), too
    /// many requests (429).
    NotAllowed,
    /// An unknown record or route: status 404.
    NotFound,
    /// A backing store or configuration failure: never the client's fault.
    UnexpectedState,
}

impl ErrorType {
    /// The wire string, e.g. `"invalid_data"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorType::Unauthorized => "unauthorized",
            ErrorType::InvalidData => "invalid_data",
            ErrorType::NotAllowed => "not_allowed",
            ErrorType::NotFound => "not_found",
            ErrorType::UnexpectedState => "unexpected_state",
        }
    }
}

/// `createPasswordResetToken` (Medusa 2.16+) for an entity no provider identity has.
pub fn reset_provider_identity_not_found(entity_id: &str, provider: &str) -> String {
    format!("Provider identity with entity_id {entity_id} and provider {provider} not found")
}

/// `createPasswordResetToken` with a `ttl_seconds` that is not a positive integer.
pub const RESET_TTL_NOT_POSITIVE: &str = "Password reset token TTL must be a positive integer";

/// Sent (401) when a provider answers `success: false` without an error of its own.
pub const AUTHENTICATION_FAILED: &str = "Authentication failed";
/// Sent (401) when a route needs a valid bearer token and has none.
pub const UNAUTHORIZED: &str = "Unauthorized";
/// A reset token that is missing, invalid, expired, of another actor type, or already used.
pub const INVALID_TOKEN: &str = "Invalid token";

/// Sent (401) when the route's actor type is not allowed to use that provider.
pub fn actor_not_allowed(actor_type: &str, provider: &str) -> String {
    format!("The actor type {actor_type} is not allowed to use the auth provider {provider}")
}

// Third-party providers (Google, GitHub, OpenID Connect).

/// emailpass's `DISPLAY_NAME`, shown by the provider listing.
pub const EMAILPASS_DISPLAY_NAME: &str = "Email/Password Authentication";
/// `@medusajs/auth-google`'s `DISPLAY_NAME`.
pub const GOOGLE_DISPLAY_NAME: &str = "Google Authentication";
/// `@medusajs/auth-github`'s `DISPLAY_NAME`.
pub const GITHUB_DISPLAY_NAME: &str = "Github Authentication";

/// `Google does not support registration. Use method \`authenticate\` instead.` (`Github …` likewise).
pub fn registration_not_supported(display_name: &str) -> String {
    format!("{display_name} does not support registration. Use method `authenticate` instead.")
}

/// A missing provider option, e.g. `Google clientId is required`.
pub fn provider_option_required(display_name: &str, option: &str) -> String {
    format!("{display_name} {option} is required")
}

/// Sent when an OAuth callback has no `code` parameter.
pub const NO_CODE_PROVIDED: &str = "No code provided";
/// Sent when an OAuth callback has no `state`, or its state is unknown or expired.
pub const NO_STATE_OR_EXPIRED: &str = "No state provided, or session expired";
/// Sent when the provider's profile says the email is not verified.
pub const EMAIL_NOT_VERIFIED: &str = "Email not verified, cannot proceed with authentication";
/// Sent when the provider's token answer has no `access_token`.
pub const NO_ACCESS_TOKEN: &str = "No access token found";
/// Sent when an OpenID Connect token answer has no `id_token`.
pub const NO_ID_TOKEN: &str = "No id_token";

/// Sent when the provider's token endpoint answers with an error status.
pub fn could_not_exchange_token(status: u16, status_text: &str) -> String {
    format!("Could not exchange token, {status}, {status_text}")
}

/// A provider's `error` in a callback: `<error_description>, read more at: <error_uri>`.
pub fn provider_error(description: &str, uri: Option<&str>) -> String {
    match uri {
        Some(uri) if !uri.is_empty() => format!("{description}, read more at: {uri}"),
        _ => description.to_owned(),
    }
}

/// `Could not verify Google id_token: <reason>` (Medusa 2.16).
pub fn could_not_verify_id_token(display_name: &str, reason: &str) -> String {
    format!("Could not verify {display_name} id_token: {reason}")
}

// Multi-factor authentication (Medusa 2.15.3+: `AuthModuleService`, its TOTP and recovery-code providers,
// and the `/auth/mfa/*` routes).

/// Every MFA operation when no encryption key is configured.
/// Medusa's.
pub const MFA_KEY_REQUIRED: &str = "MFA encryption key is required to use MFA methods";
/// An MFA method (`provider`, `method`) that does not exist.
pub fn mfa_method_unknown(method: &str) -> String {
    format!("Unable to retrieve the MFA method with id: {method}")
}
/// An unknown factor, or one of another identity.
pub fn mfa_factor_not_found(id: &str) -> String {
    format!("MFA factor with id \"{id}\" was not found")
}
/// An unknown or expired challenge, or one of another identity.
pub fn mfa_challenge_not_found(id: &str) -> String {
    format!("MFA challenge with id \"{id}\" was not found")
}
/// Enrolling a second TOTP factor while one is pending or enabled.
pub const MFA_TOTP_EXISTS: &str = "An active TOTP factor already exists for this auth identity";
/// Verifying a disabled factor.
pub const MFA_DISABLED_CANNOT_VERIFY: &str = "Disabled MFA factors cannot be verified";
/// A wrong (or, here, reused) code when verifying a factor.
pub const MFA_INVALID_TOTP: &str = "Invalid TOTP code";
/// A challenge for an identity without an enabled factor.
pub const MFA_NO_ENABLED_METHODS: &str = "Auth identity does not have any enabled MFA methods";
/// A challenge answered again after it succeeded.
pub const MFA_CHALLENGE_COMPLETED: &str = "MFA challenge has already been completed";
/// A challenge answered after `expires_at`.
pub const MFA_CHALLENGE_EXPIRED: &str = "MFA challenge has expired";
/// A challenge out of attempts.
pub const MFA_CHALLENGE_TOO_MANY: &str = "MFA challenge has too many failed attempts";
/// A wrong (or, here, reused) code for a challenge.
pub const MFA_CHALLENGE_INVALID_CODE: &str = "Invalid MFA challenge code";
/// A challenge answered with a method it does not offer.
pub fn mfa_challenge_method_unsupported(method: &str) -> String {
    format!("MFA challenge does not support method \"{method}\"")
}
/// A challenge whose sign-in provider the identity no longer has.
pub fn mfa_no_provider_identity(provider: &str) -> String {
    format!("Auth identity does not have a provider identity for \"{provider}\"")
}
/// `POST /auth/mfa/recovery-codes` without an enabled factor.
pub const MFA_RECOVERY_NEEDS_FACTOR: &str = "Recovery codes require an enabled MFA factor";
/// A recovery-code count outside 1..=50.
pub const MFA_RECOVERY_COUNT: &str = "Recovery code count must be between 1 and 50";
/// `useAuthMfaRecoveryCode` with a wrong or spent code.
pub const MFA_RECOVERY_INVALID: &str = "Recovery code is invalid or already used";

// Email verification (Medusa 2.16+: `TokenVerificationProvider`, `validate-verification.js`).

/// `requestAuthVerification` without a `code_provider`.
pub const VERIFICATION_PROVIDER_REQUIRED: &str = "Verification provider is required";
/// `confirmAuthVerification` without a code.
pub const VERIFICATION_CODE_REQUIRED: &str = "Verification code is required";
/// A code that matches no verification, or one already confirmed.
pub const VERIFICATION_CODE_INVALID: &str = "Verification code is invalid or already used";
/// A code confirmed after its TTL.
pub const VERIFICATION_CODE_EXPIRED: &str = "Verification code has expired";
/// A code confirmed under another verification provider.
pub fn verification_code_wrong_provider(provider: &str) -> String {
    format!("Verification code does not belong to provider \"{provider}\"")
}
/// A code provider that is not registered (Medusa's `retrieveProviderRegistration` of verification).
pub fn verification_provider_not_found(provider: &str) -> String {
    format!(
        "\nUnable to retrieve the verification provider with id: {provider}\nPlease make sure that the provider is registered in the container and it is configured correctly in your project configuration file."
    )
}
/// Sign-in needs a verification but the identity has no provider identity for the provider.
pub const VERIFICATION_PROVIDER_IDENTITY_NOT_FOUND: &str =
    "Provider identity not found while checking verification";
