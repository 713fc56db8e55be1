//! The account options of `new AuthModuleService({ jwtSecret, jwtExpiresIn, sessionTtl, rateLimits,
//! resetPasswordWebhookUrl, resetPasswordWebhookSecret, mfaEncryptionKey, mfaIssuer, development })`:
//! the Worker's variables under camelCase names, read here and parsed by the core's own configuration code
//! ([`crate::account::config`]), so both check them by the same rules.

use super::convert::{describe_js, plain_object, property, to_json};
use super::error::ApiError;
use crate::account::AccountConfig;
use crate::account::config::{
    self as account_config, RATE_LIMITS, RESET_PASSWORD_WEBHOOK_SECRET, RESET_PASSWORD_WEBHOOK_URL,
    SESSION_TTL,
};
use crate::config::vars::ConfigError;
use crate::config::{
    JWT_ALGORITHM, JWT_EXPIRES_IN, JWT_KEY_ID, JWT_PREVIOUS_PUBLIC_KEYS, JWT_PRIVATE_KEY,
    JWT_SECRET, TokenSettings, jwt_keys, token_settings,
};
use crate::mfa::config::{self as mfa_config, MFA_ENCRYPTION_KEY, MFA_ISSUER, MfaConfig};
use js_sys::Object;
use wasm_bindgen::JsValue;

const JWT_SECRET_OPTION: &str = "jwtSecret";
const DEVELOPMENT_OPTION: &str = "development";

/// Each text option and the Worker variable it stands for.
const TEXT_OPTIONS: [(&str, &str); 12] = [
    (JWT_SECRET_OPTION, JWT_SECRET),
    ("jwtExpiresIn", JWT_EXPIRES_IN),
    ("jwtAlgorithm", JWT_ALGORITHM),
    ("jwtPrivateKey", JWT_PRIVATE_KEY),
    ("jwtKeyId", JWT_KEY_ID),
    ("jwtPreviousPublicKeys", JWT_PREVIOUS_PUBLIC_KEYS),
    ("sessionTtl", SESSION_TTL),
    ("rateLimits", RATE_LIMITS),
    ("resetPasswordWebhookUrl", RESET_PASSWORD_WEBHOOK_URL),
    ("resetPasswordWebhookSecret", RESET_PASSWORD_WEBHOOK_SECRET),
    ("mfaEncryptionKey", MFA_ENCRYPTION_KEY),
    ("mfaIssuer", MFA_ISSUER),
];

/// The options that may be objects (JSON values) as well as text.
const JSON_OPTIONS: [&str; 3] = ["rateLimits", "jwtPrivateKey", "jwtPreviousPublicKeys"];

/// The option names this module reads, for the constructor's list of known options.
pub const KEYS: [&str; 13] = [
    TEXT_OPTIONS[0].0,
    TEXT_OPTIONS[1].0,
    TEXT_OPTIONS[2].0,
    TEXT_OPTIONS[3].0,
    TEXT_OPTIONS[4].0,
    TEXT_OPTIONS[5].0,
    TEXT_OPTIONS[6].0,
    TEXT_OPTIONS[7].0,
    TEXT_OPTIONS[8].0,
    TEXT_OPTIONS[9].0,
    TEXT_OPTIONS[10].0,
    TEXT_OPTIONS[11].0,
    DEVELOPMENT_OPTION,
];

/// What the account methods are built from.
pub struct AccountOptions {
    pub tokens: TokenSettings,
    pub config: AccountConfig,
    /// `mfaEncryptionKey` and `mfaIssuer`, read as the Worker reads `MFA_ENCRYPTION_KEY`, `MFA_ISSUER`.
    pub mfa: MfaConfig,
}

/// The message thrown by an account method of a service made without `jwtSecret`.
pub fn not_configured(method: &str) -> ApiError {
    ApiError::invalid_argument(format!(
        "{method} needs the option {JWT_SECRET_OPTION}: new AuthModuleService({{ store, {JWT_SECRET_OPTION}: env.JWT_SECRET }}) \
         (at least 32 bytes, e.g. `openssl rand -hex 32`); tokens, password resets and sessions are signed with it"
    ))
}

/// A configuration error, naming the option that holds its variable.
fn option_error(e: ConfigError) -> ApiError {
    let option = TEXT_OPTIONS
        .iter()
        .find(|(_, var)| *var == e.var)
        .map_or(e.var, |(option, _)| option);
    ApiError::invalid_argument(format!("options.{option}: {}", e.message))
}

/// A text option: a string, or absent. `rateLimits` may also be an object, read as its JSON.
fn text(object: &Object, name: &str) -> Result<Option<String>, ApiError> {
    let value = property(object, name, "options")?;
    if value.is_undefined() {
        return Ok(None);
    }
    if let Some(text) = value.as_string() {
        return Ok(Some(text));
    }
    // JSON-valued options may also be given as objects: read as their JSON.
    if JSON_OPTIONS.contains(&name) && plain_object(&value, &format!("options.{name}")).is_ok() {
        return Ok(Some(
            to_json(&value, &format!("options.{name}"))?.to_string(),
        ));
    }
    let expected = match name {
        "rateLimits" => {
            "\"off\" or an object like { authenticate: { identifier: { limit: 5, window: \"1m\", backoff: true } } }"
        }
        "jwtPrivateKey" => "a PKCS #8 PEM string or a private JWK (object or JSON)",
        "jwtPreviousPublicKeys" => "a JWKS { keys: [...] } (object or JSON)",
        _ => "a string",
    };
    Err(wrong(name, expected, &value))
}

fn wrong(name: &str, expected: &str, got: &JsValue) -> ApiError {
    ApiError::invalid_argument(format!(
        "options.{name} must be {expected}, got {}",
        describe_js(got)
    ))
}

/// The account options of `object`; `None` without `jwtSecret` (the account methods then throw).
pub fn parse(object: &Object) -> Result<Option<AccountOptions>, ApiError> {
    // (variable, option, value) of each option given: a dozen at most, searched in order.
    let mut given = Vec::new();
    for (option, var) in TEXT_OPTIONS {
        if let Some(value) = text(object, option)? {
            given.push((var, option, value));
        }
    }
    let given_var = |var: &str| given.iter().find(|entry| entry.0 == var);
    let development = property(object, DEVELOPMENT_OPTION, "options")?;
    let development = match development.as_bool() {
        Some(flag) => flag,
        None if development.is_undefined() => false,
        None => return Err(wrong(DEVELOPMENT_OPTION, "true or false", &development)),
    };
    let Some((_, _, secret)) = given_var(JWT_SECRET) else {
        // Account options without the secret are a mistake, not something to ignore.
        return match given.first() {
            Some((_, option, _)) => Err(ApiError::invalid_argument(format!(
                "options.{option} needs options.{JWT_SECRET_OPTION}: the account methods it configures sign with it"
            ))),
            None => Ok(None),
        };
    };
    // The Worker treats an empty variable as absent; so do these options (an empty secret is refused).
    let value = |var: &str| {
        given_var(var)
            .map(|entry| entry.2.as_str())
            .filter(|v| !v.trim().is_empty())
    };
    let signing = jwt_keys::from_values(
        value(JWT_ALGORITHM),
        value(JWT_PRIVATE_KEY),
        value(JWT_KEY_ID),
        value(JWT_PREVIOUS_PUBLIC_KEYS),
    )
    .map_err(option_error)?;
    let tokens = token_settings(secret, value(JWT_EXPIRES_IN), signing, development)
        .map_err(option_error)?;
    let config = account_config::from_vars(&|var| value(var).map(str::to_owned), development)
        .map_err(option_error)?;
    let mfa = mfa_config::from_vars(&|var| value(var).map(str::to_owned), development)
        .map_err(option_error)?;
    Ok(Some(AccountOptions {
        tokens,
        config,
        mfa,
    }))
}
