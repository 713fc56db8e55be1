//! All configuration, parsed in one place from Worker vars and secrets. Each failure names the variable.
//!
//! Dependencies point one way: [`Config`] reads the top-level variables and calls the feature
//! configurations ([`crate::oauth::config`], [`crate::account::config`]); they, and this module, use the
//! leaf [`vars`] ([`ConfigError`] and the one-variable helpers) and never import [`Config`] back.
//! Parsed configuration is plain data; what the isolate learns at run time (discovery documents, key
//! sets) lives in runtime objects such as [`crate::oauth::OAuthProvider`].

pub mod cors;
pub mod jwt_keys;
pub mod vars;

use crate::account::config::{self as account_config, AccountConfig};
use crate::mfa::config::{self as mfa_config, MfaConfig};
use crate::oauth::config::{self as oauth_config, OAuthConfig};
use crate::password::{self, Algorithm, Hasher, PasswordError};
use crate::token::JwtKey;
use crate::token::signer::{Signing, TokenSigner};
use std::collections::BTreeMap;
use std::rc::Rc;
use vars::{ConfigError, check_secret, duration_secs, invalid, json, per_key, whole_number};

/// Secret: the HS256 key that signs auth tokens (at least 32 bytes), and the root of the derived keys
/// and reset tokens in every mode.
pub const JWT_SECRET: &str = "JWT_SECRET";
pub use jwt_keys::{JWT_ALGORITHM, JWT_KEY_ID, JWT_PREVIOUS_PUBLIC_KEYS, JWT_PRIVATE_KEY};
/// Var: how long an auth token lasts, e.g. `1d`.
pub const JWT_EXPIRES_IN: &str = "JWT_EXPIRES_IN";
/// Var: actor type → the provider ids it may use, as JSON.
pub const AUTH_METHODS_PER_ACTOR: &str = "AUTH_METHODS_PER_ACTOR";
pub use cors::{AUTH_CORS, AUTH_CORS_ALLOW_HEADERS};
/// Var: PBKDF2 iterations of new password hashes.
pub const PBKDF2_ITERATIONS: &str = "PBKDF2_ITERATIONS";
/// Secret: optional extra secret mixed into every password hash.
pub const PASSWORD_PEPPER: &str = "PASSWORD_PEPPER";
/// Var: the KDF of new password hashes, `pbkdf2` or `argon2id`.
pub const PASSWORD_HASH: &str = "PASSWORD_HASH";
/// Var: `development` turns on the dev-only routes and secret.
pub const ENVIRONMENT: &str = "ENVIRONMENT";

/// `ENVIRONMENT` value of local development (`scripts/run.sh` sets it). Only there may the built-in
/// development secret stand in for `JWT_SECRET`.
pub const DEVELOPMENT: &str = "development";

/// Signs tokens in local development only. Public by nature: never valid anywhere else.
const DEV_ONLY_JWT_SECRET: &str = "edge-auth-DEV-ONLY-jwt-secret-never-use-in-production";

/// Medusa's default token lifetime.
pub const DEFAULT_JWT_EXPIRES_IN: &str = "1d";
/// Medusa's default: customers and users sign in with emailpass.
pub const DEFAULT_AUTH_METHODS_PER_ACTOR: &str =
    r#"{"customer":["emailpass"],"user":["emailpass"]}"#;

/// The whole parsed configuration of the Worker, built once per isolate by [`Config::from_vars`].
#[derive(Debug)]
pub struct Config {
    /// `JWT_SECRET`: signs and verifies auth tokens in HS256 mode, reset tokens and derived keys always.
    pub jwt_key: JwtKey,
    /// `JWT_ALGORITHM` and its keys: how auth tokens are signed.
    pub token_signing: Signing,
    /// Lifetime of a new auth token.
    pub jwt_expires_in_secs: u64,
    /// Actor type → the provider ids it may use. Its keys are the actor types that exist.
    pub auth_methods_per_actor: BTreeMap<String, Vec<String>>,
    /// Exact origins that get CORS headers.
    pub cors_origins: Vec<String>,
    /// The value of a preflight's `access-control-allow-headers` ([`cors::allow_headers`]).
    pub cors_allow_headers: String,
    /// The password KDF (`PASSWORD_HASH`) with the configured iterations and pepper.
    pub hasher: Rc<Hasher>,
    /// `true` when the development secret signs tokens (local dev without `JWT_SECRET`).
    pub uses_dev_secret: bool,
    /// `ENVIRONMENT=development`: local development, where dev-only routes (`/__dev/outbox`) exist.
    pub development: bool,
    /// Third-party sign-in (Google, GitHub, OpenID Connect) and `ALLOWED_REDIRECT_URLS`; its variables
    /// are parsed by [`crate::oauth::config`].
    pub oauth: Rc<OAuthConfig>,
    /// Password reset delivery, rate limits, sessions and the admin API; parsed by
    /// [`crate::account::config`].
    pub account: Rc<AccountConfig>,
    /// Multi-factor authentication (`MFA_ENCRYPTION_KEY`, `MFA_ISSUER`); parsed by
    /// [`crate::mfa::config`].
    pub mfa: Rc<MfaConfig>,
}

impl Config {
    /// Reads every variable through `var` (absent and empty are the same).
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| var(name).filter(|v| !v.trim().is_empty());
        let development = get(ENVIRONMENT).is_some_and(|e| e.trim() == DEVELOPMENT);

        let (secret, uses_dev_secret) = match get(JWT_SECRET) {
            Some(s) => {
                check_secret(JWT_SECRET, &s, development)?;
                (s, false)
            }
            None if development => (DEV_ONLY_JWT_SECRET.to_owned(), true),
            None => {
                return Err(invalid(
                    JWT_SECRET,
                    "is not set; set it with `wrangler secret put JWT_SECRET` (only ENVIRONMENT=development runs without it)",
                ));
            }
        };

        let jwt_expires_in_secs = duration_secs(&get, JWT_EXPIRES_IN, DEFAULT_JWT_EXPIRES_IN)?;
        let token_signing = jwt_keys::from_vars(&get)?;

        let methods =
            get(AUTH_METHODS_PER_ACTOR).unwrap_or_else(|| DEFAULT_AUTH_METHODS_PER_ACTOR.into());
        let auth_methods_per_actor = parse_auth_methods(&methods)?;

        let cors_origins = get(AUTH_CORS)
            .map(|v| cors::parse_origins(&v))
            .transpose()?
            .unwrap_or_default();
        let cors_allow_headers = cors::allow_headers(get(AUTH_CORS_ALLOW_HEADERS).as_deref())?;

        let pbkdf2_iterations = match get(PBKDF2_ITERATIONS) {
            None => password::DEFAULT_ITERATIONS,
            Some(v) => whole_number(PBKDF2_ITERATIONS, &v)?,
        };
        let algorithm = match get(PASSWORD_HASH) {
            None => Algorithm::Pbkdf2,
            Some(v) => Algorithm::parse(&v).ok_or_else(|| {
                let [pbkdf2, argon2id] = Algorithm::NAMES;
                invalid(
                    PASSWORD_HASH,
                    format!("expected \"{pbkdf2}\" (default) or \"{argon2id}\", got {v:?}"),
                )
            })?,
        };
        let pepper = get(PASSWORD_PEPPER);
        let hasher = Hasher::with_algorithm(algorithm, pbkdf2_iterations, pepper.as_deref())
            .map_err(|e| match e {
                PasswordError::Argon2idUnavailable => invalid(PASSWORD_HASH, e.to_string()),
                _ => invalid(PBKDF2_ITERATIONS, e.to_string()),
            })?;

        let oauth = Rc::new(oauth_config::from_vars(&get, secret.as_bytes())?);
        let account = Rc::new(account_config::from_vars(&get, development)?);
        let mfa = Rc::new(mfa_config::from_vars(&get, development)?);

        Ok(Self {
            jwt_key: JwtKey::new(secret.as_bytes()),
            token_signing,
            jwt_expires_in_secs,
            auth_methods_per_actor,
            cors_origins,
            cors_allow_headers,
            hasher: Rc::new(hasher),
            uses_dev_secret,
            development,
            oauth,
            account,
            mfa,
        })
    }

    /// Whether a browser from `origin` may call the API (exact match).
    pub fn is_cors_origin_allowed(&self, origin: &str) -> bool {
        self.cors_origins.iter().any(|o| o == origin)
    }
}

/// A valid actor type: lower-case letters, digits and `_`, starting with a letter, at most 32 bytes.
pub fn is_valid_actor_type(s: &str) -> bool {
    s.len() <= 32
        && s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

fn parse_auth_methods(text: &str) -> Result<BTreeMap<String, Vec<String>>, ConfigError> {
    let map: BTreeMap<String, Vec<String>> = json(
        AUTH_METHODS_PER_ACTOR,
        text,
        &format!("a JSON object like {DEFAULT_AUTH_METHODS_PER_ACTOR}"),
        |value| per_key(value, "a list of strings", crate::json_fields::strings),
    )?;
    if let Some(bad) = map.keys().find(|a| !is_valid_actor_type(a)) {
        return Err(invalid(
            AUTH_METHODS_PER_ACTOR,
            format!("actor type {bad:?} must be lower-case letters, digits or '_' (at most 32)"),
        ));
    }
    Ok(map)
}

impl Config {
    /// A signer of this configuration's auth tokens (the Worker keeps one per isolate: it derives the
    /// public key once).
    pub fn token_signer(&self) -> TokenSigner {
        TokenSigner::new(self.jwt_key.clone(), self.token_signing.clone())
    }
}

/// How auth tokens are signed and how long they live (`JWT_SECRET`, `JWT_ALGORITHM` and its keys,
/// `JWT_EXPIRES_IN`).
#[derive(Debug, Clone)]
pub struct TokenSettings {
    /// `JWT_SECRET`: reset tokens and derived keys (and auth tokens in HS256 mode, through `signer`).
    pub key: JwtKey,
    /// Signs and checks auth tokens with the configured algorithm.
    pub signer: Rc<TokenSigner>,
    /// A token's lifetime.
    pub expires_in_secs: u64,
}

/// `JWT_SECRET` and `JWT_EXPIRES_IN` (absent: [`DEFAULT_JWT_EXPIRES_IN`]) given as values rather than
/// variables (the npm package's options), checked by the Worker's rules: a secret of at least
/// [`vars::MIN_SECRET_BYTES`] (shorter only in development, never empty) and a lifetime like `1d`.
pub fn token_settings(
    secret: &str,
    expires_in: Option<&str>,
    signing: Signing,
    development: bool,
) -> Result<TokenSettings, ConfigError> {
    if secret.is_empty() {
        return Err(invalid(JWT_SECRET, "is empty"));
    }
    check_secret(JWT_SECRET, secret, development)?;
    let expires_in = expires_in.unwrap_or(DEFAULT_JWT_EXPIRES_IN);
    let expires_in_secs = crate::token::parse_duration_secs(expires_in.trim())
        .map_err(|e| invalid(JWT_EXPIRES_IN, e.to_string()))?;
    let key = JwtKey::new(secret.as_bytes());
    Ok(TokenSettings {
        signer: Rc::new(TokenSigner::new(key.clone(), signing)),
        key,
        expires_in_secs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: BTreeMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    const SECRET: &str = "0123456789abcdef0123456789abcdef";

    #[test]
    fn defaults_apply_when_only_the_secret_is_set() {
        let c = Config::from_vars(vars(&[(JWT_SECRET, SECRET)])).unwrap();
        assert_eq!(c.jwt_expires_in_secs, 86_400);
        assert_eq!(c.hasher.iterations(), 600_000);
        assert_eq!(c.hasher.algorithm(), Algorithm::Pbkdf2);
        assert_eq!(c.auth_methods_per_actor["customer"], ["emailpass"]);
        assert!(c.cors_origins.is_empty());
        assert!(!c.uses_dev_secret);
        assert!(!c.development);
    }

    #[test]
    fn missing_secret_outside_development_is_refused_naming_the_variable() {
        let e = Config::from_vars(vars(&[])).unwrap_err();
        assert_eq!(e.var, JWT_SECRET);
        assert!(e.to_string().contains("JWT_SECRET"));
        let e = Config::from_vars(vars(&[(ENVIRONMENT, "production")])).unwrap_err();
        assert_eq!(e.var, JWT_SECRET);
    }

    #[test]
    fn development_runs_on_the_marked_dev_secret() {
        let c = Config::from_vars(vars(&[(ENVIRONMENT, "development")])).unwrap();
        assert!(c.uses_dev_secret);
        assert!(c.development);
    }

    #[test]
    fn short_secret_is_refused_outside_development() {
        let e = Config::from_vars(vars(&[(JWT_SECRET, "short")])).unwrap_err();
        assert_eq!(e.var, JWT_SECRET);
    }

    #[test]
    fn auth_methods_of_the_wrong_shape_say_where() {
        let expected = format!("expected a JSON object like {DEFAULT_AUTH_METHODS_PER_ACTOR}");
        for (text, problem) in [
            ("[1]", "not an object"),
            (
                r#"{"customer":"emailpass"}"#,
                r#""customer" is not a list of strings"#,
            ),
            (
                r#"{"customer":["emailpass",1]}"#,
                r#""customer" is not a list of strings"#,
            ),
        ] {
            let e = Config::from_vars(vars(&[
                (JWT_SECRET, SECRET),
                (AUTH_METHODS_PER_ACTOR, text),
            ]))
            .unwrap_err();
            assert_eq!(e.message, format!("{expected}: {problem}"), "{text}");
        }
        let c = Config::from_vars(vars(&[
            (JWT_SECRET, SECRET),
            (
                AUTH_METHODS_PER_ACTOR,
                r#"{"customer":["emailpass","github"],"user":[]}"#,
            ),
        ]))
        .unwrap();
        assert_eq!(
            c.auth_methods_per_actor["customer"],
            ["emailpass", "github"]
        );
        assert!(c.auth_methods_per_actor["user"].is_empty());
    }

    #[test]
    fn bad_values_name_their_variable() {
        for (var, value) in [
            (PBKDF2_ITERATIONS, "abc"),
            (PBKDF2_ITERATIONS, "10"),
            (PASSWORD_HASH, "scrypt"),
            (PASSWORD_HASH, "argon2"),
            (JWT_EXPIRES_IN, "120"),
            (AUTH_METHODS_PER_ACTOR, "[1]"),
            (AUTH_METHODS_PER_ACTOR, r#"{"Bad Actor":["emailpass"]}"#),
            (AUTH_CORS, "*"),
            (AUTH_CORS, "shop.example"),
            (AUTH_CORS, "https://shop.example/path"),
            (AUTH_CORS_ALLOW_HEADERS, "x-a, *"),
        ] {
            let e = Config::from_vars(vars(&[(JWT_SECRET, SECRET), (var, value)])).unwrap_err();
            assert_eq!(e.var, var, "{var}={value}");
        }
    }

    #[test]
    fn cors_list_is_split_and_trimmed() {
        let c = Config::from_vars(vars(&[
            (JWT_SECRET, SECRET),
            (AUTH_CORS, "https://a.example, http://127.0.0.1:3000 ,"),
        ]))
        .unwrap();
        assert_eq!(
            c.cors_origins,
            ["https://a.example", "http://127.0.0.1:3000"]
        );
        assert!(c.is_cors_origin_allowed("https://a.example"));
        assert!(!c.is_cors_origin_allowed("https://b.example"));
    }

    #[test]
    fn password_hash_selects_the_algorithm_of_new_hashes() {
        for (value, expected) in [
            ("pbkdf2", Algorithm::Pbkdf2),
            ("argon2id", Algorithm::Argon2id),
            (" Argon2id ", Algorithm::Argon2id),
        ] {
            let c = Config::from_vars(vars(&[(JWT_SECRET, SECRET), (PASSWORD_HASH, value)]));
            if expected == Algorithm::Argon2id && !cfg!(feature = "argon2id") {
                assert_eq!(c.unwrap_err().var, PASSWORD_HASH);
                continue;
            }
            assert_eq!(c.unwrap().hasher.algorithm(), expected, "{value:?}");
        }
    }

    #[test]
    fn unknown_password_hash_is_refused_listing_the_choices() {
        let e = Config::from_vars(vars(&[(JWT_SECRET, SECRET), (PASSWORD_HASH, "bcrypt")]))
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            r#"Invalid configuration: PASSWORD_HASH: expected "pbkdf2" (default) or "argon2id", got "bcrypt""#
        );
    }

    #[test]
    fn actor_type_syntax() {
        assert!(is_valid_actor_type("customer"));
        assert!(is_valid_actor_type("vendor_2"));
        assert!(!is_valid_actor_type("Customer"));
        assert!(!is_valid_actor_type("2x"));
        assert!(!is_valid_actor_type(""));
        assert!(!is_valid_actor_type("bad actor"));
    }

    /// The layering, checked on the sources: feature configurations take from `crate::config` only its
    /// leaf `vars`, the leaf imports no configuration, and parsed configuration holds no interior
    /// mutability (run-time caches belong to runtime objects).
    #[test]
    fn configuration_imports_point_one_way_and_hold_no_run_time_state() {
        let features = [
            ("account/config.rs", include_str!("../account/config.rs")),
            ("oauth/config.rs", include_str!("../oauth/config.rs")),
        ];
        for (file, text) in features {
            for line in text.lines().filter(|l| l.contains("crate::config")) {
                assert!(line.contains("crate::config::vars::"), "{file}: {line}");
            }
        }
        for line in include_str!("vars.rs").lines() {
            let line = line.trim_start();
            if line.starts_with("use ") {
                assert!(!line.contains("config"), "vars.rs: {line}");
            }
        }
        let plain = [("oauth/spec.rs", include_str!("../oauth/spec.rs"))];
        for (file, text) in features.into_iter().chain(plain) {
            for runtime_state in ["Cell", "Cache"] {
                assert!(
                    !text.contains(runtime_state),
                    "{file} mentions {runtime_state}"
                );
            }
        }
    }

    #[test]
    fn token_settings_take_the_workers_rules_for_jwt_secret_and_jwt_expires_in() {
        let t = token_settings(SECRET, None, Signing::Hs256, false).unwrap();
        assert_eq!(t.expires_in_secs, 86_400, "JWT_EXPIRES_IN defaults to 1d");
        assert_eq!(
            token_settings(SECRET, Some(" 15m "), Signing::Hs256, false)
                .unwrap()
                .expires_in_secs,
            900
        );
        let short = token_settings("short", None, Signing::Hs256, false).unwrap_err();
        assert_eq!(short.var, JWT_SECRET);
        assert!(
            short.message.contains("at least 32 bytes"),
            "{}",
            short.message
        );
        assert!(token_settings("short", None, Signing::Hs256, true).is_ok());
        assert_eq!(
            token_settings("", None, Signing::Hs256, true)
                .unwrap_err()
                .var,
            JWT_SECRET
        );
        for bad in ["120", "soon", "-1d"] {
            assert_eq!(
                token_settings(SECRET, Some(bad), Signing::Hs256, false)
                    .unwrap_err()
                    .var,
                JWT_EXPIRES_IN,
                "{bad}"
            );
        }
    }
}
