//! The variables of password reset, sessions, rate limits and the admin API, read when the top-level
//! configuration calls [`from_vars`]. Each failure names its variable.

use super::webhook::WebhookTarget;
use crate::config::vars::{
    ConfigError, VarLookup, check_secret, duration_secs, invalid, json, json_value, per_key,
};
use crate::guard::Rule;
use crate::guard::client_ip;
use crate::json_fields;
use crate::token::parse_duration_secs;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::fmt;
use subtle::ConstantTimeEq;

/// Var: where reset tokens are posted.
pub const RESET_PASSWORD_WEBHOOK_URL: &str = "RESET_PASSWORD_WEBHOOK_URL";
/// Secret: signs the reset webhook's requests.
pub const RESET_PASSWORD_WEBHOOK_SECRET: &str = "RESET_PASSWORD_WEBHOOK_SECRET";
/// Secret: the bearer secret of the admin API.
pub const ADMIN_SECRET: &str = "ADMIN_SECRET";
/// Var: `off`, or per-route overrides of the rate limits as JSON.
pub const RATE_LIMITS: &str = "RATE_LIMITS";
/// Var: how long a cookie session lasts, e.g. `10h`.
pub const SESSION_TTL: &str = "SESSION_TTL";
/// Var: the session cookie's name, `__Host-connect.sid` (default) or Medusa's `connect.sid`.
pub const SESSION_COOKIE_NAME: &str = "SESSION_COOKIE_NAME";

/// Var: Medusa's `authVerificationsPerActor` as JSON, e.g.
/// `{"customer":[{"entity_type":"email","auth_provider":"emailpass"}]}`; unset: no verification.
pub const AUTH_VERIFICATIONS_PER_ACTOR: &str = "AUTH_VERIFICATIONS_PER_ACTOR";

/// Medusa's express-session default: 10 hours.
pub const DEFAULT_SESSION_TTL: &str = "10h";
/// Workers KV refuses shorter expirations, and the session record lives there.
const MIN_SESSION_TTL_SECS: u64 = 60;

/// The routes that are rate limited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitedRoute {
    /// `POST /auth/{actor_type}/{provider}`: sign-in.
    Authenticate,
    /// `POST /auth/{actor_type}/{provider}/register`.
    Register,
    /// `POST /auth/{actor_type}/{provider}/reset-password`: asking for a reset mail.
    ResetPassword,
    /// `POST /auth/{actor_type}/{provider}/update`: setting a new password with a reset token.
    Update,
    /// OAuth callbacks: per IP only (they carry no identifier the client could not change).
    Callback,
}

impl LimitedRoute {
    /// Every route, in the order of the limits table.
    pub const ALL: [LimitedRoute; 5] = [
        LimitedRoute::Authenticate,
        LimitedRoute::Register,
        LimitedRoute::ResetPassword,
        LimitedRoute::Update,
        LimitedRoute::Callback,
    ];

    /// The route named `name` in `RATE_LIMITS` (`authenticate`, `register`, `reset-password`, `update`).
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.name() == name)
    }

    /// The name used in `RATE_LIMITS` and in bucket keys.
    pub fn name(self) -> &'static str {
        match self {
            LimitedRoute::Authenticate => "authenticate",
            LimitedRoute::Register => "register",
            LimitedRoute::ResetPassword => "reset-password",
            LimitedRoute::Update => "update",
            LimitedRoute::Callback => "callback",
        }
    }
}

/// The counters of a route: per client IP (`CF-Connecting-IP`), per identifier (the email, or a reset
/// token's entity) and, for sign-in only, per known device (a browser holding a known-device cookie is
/// counted here instead of per identifier: `super::known_device`). `None` turns one off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RouteLimits {
    /// The counter per client IP.
    pub ip: Option<Rule>,
    /// The counter per identifier.
    pub identifier: Option<Rule>,
    /// The counter of a known device, which replaces the identifier's for a browser with a valid
    /// known-device cookie (sign-in only).
    pub device: Option<Rule>,
}

/// The limits of every [`LimitedRoute`] (`RATE_LIMITS`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimits {
    routes: [RouteLimits; 5],
    /// IPv6 clients are counted per network of this many bits ([`crate::guard::client_ip`]).
    pub ipv6_prefix: u8,
}

impl RateLimits {
    /// In the spirit of Better Auth's defaults: sign-in 5 per minute per identifier with exponential
    /// backoff (and the same again per known device), a few reset mails per quarter hour, and generous
    /// per-IP ceilings (one IP may be a whole office behind NAT).
    pub fn defaults() -> Self {
        let per_min = |n| Some(Rule::new(n, 60));
        let sign_in = Some(Rule::new(5, 60).with_backoff());
        Self {
            routes: [
                RouteLimits {
                    ip: per_min(30),
                    identifier: sign_in,
                    device: sign_in,
                },
                RouteLimits {
                    ip: per_min(10),
                    identifier: per_min(5),
                    device: None,
                },
                RouteLimits {
                    ip: per_min(10),
                    identifier: Some(Rule::new(3, 900)),
                    device: None,
                },
                RouteLimits {
                    ip: per_min(10),
                    identifier: per_min(5),
                    device: None,
                },
                RouteLimits {
                    ip: per_min(30),
                    identifier: None,
                    device: None,
                },
            ],
            ipv6_prefix: client_ip::DEFAULT_IPV6_PREFIX,
        }
    }

    /// No limits at all (`RATE_LIMITS=off`).
    pub fn off() -> Self {
        let none = RouteLimits {
            ip: None,
            identifier: None,
            device: None,
        };
        Self {
            routes: [none; 5],
            ipv6_prefix: client_ip::DEFAULT_IPV6_PREFIX,
        }
    }

    /// The limits of `route`.
    pub fn route(&self, route: LimitedRoute) -> RouteLimits {
        self.routes[route as usize]
    }

    /// `"off"`, or a JSON object that overrides the defaults per route and counter:
    /// `{"authenticate": {"identifier": {"limit": 10, "window": "5m", "backoff": true}, "ip": null}}`.
    /// `window` is a duration ("60s", "15m") or whole seconds; `null` turns a counter off. `device`
    /// exists for `authenticate` only (`null`: known-device cookies are neither set nor honoured).
    pub fn parse(text: &str) -> Result<Self, ConfigError> {
        let text = text.trim();
        if text.eq_ignore_ascii_case("off") {
            return Ok(Self::off());
        }
        let bad = |m: String| invalid(RATE_LIMITS, m);
        let value = json_value(
            RATE_LIMITS,
            text,
            r#""off" or a JSON object like {"authenticate":{"identifier":{"limit":5,"window":"1m","backoff":true}}}"#,
        )?;
        let routes = value
            .as_object()
            .ok_or_else(|| bad("expected a JSON object".into()))?;
        let mut limits = Self::defaults();
        for (name, counters) in routes {
            if name == IPV6_PREFIX {
                limits.ipv6_prefix = parse_ipv6_prefix(counters)?;
                continue;
            }
            let route = LimitedRoute::parse(name).ok_or_else(|| {
                bad(format!(
                    "unknown route {name:?}; use authenticate, register, reset-password, update, callback or {IPV6_PREFIX}"
                ))
            })?;
            let counters = counters.as_object().ok_or_else(|| {
                bad(format!(
                    "{name}: expected an object with \"ip\" and/or \"identifier\""
                ))
            })?;
            let slot = &mut limits.routes[route as usize];
            for (counter, rule) in counters {
                let rule = parse_rule(rule, &format!("{name}.{counter}"))?;
                match counter.as_str() {
                    "ip" => slot.ip = rule,
                    "identifier" if route == LimitedRoute::Callback => {
                        return Err(bad(format!("{name}: has only an \"ip\" counter")));
                    }
                    "identifier" => slot.identifier = rule,
                    "device" if route == LimitedRoute::Authenticate => slot.device = rule,
                    "device" => {
                        return Err(bad(format!(
                            "{name}: the \"device\" counter exists for authenticate only"
                        )));
                    }
                    _ => {
                        return Err(bad(format!(
                            "{name}: unknown counter {counter:?}; use \"ip\" or \"identifier\" (or \"device\" for authenticate)"
                        )));
                    }
                }
            }
        }
        Ok(limits)
    }
}

/// `RATE_LIMITS` key of the IPv6 bucket prefix length.
const IPV6_PREFIX: &str = "ipv6_prefix";

fn parse_ipv6_prefix(value: &Value) -> Result<u8, ConfigError> {
    let range = client_ip::MIN_IPV6_PREFIX..=client_ip::MAX_IPV6_PREFIX;
    value
        .as_u64()
        .and_then(|n| u8::try_from(n).ok())
        .filter(|n| range.contains(n))
        .ok_or_else(|| {
            invalid(
                RATE_LIMITS,
                format!(
                    "{IPV6_PREFIX} must be a whole number of bits from {} to {}",
                    range.start(),
                    range.end()
                ),
            )
        })
}

/// One counter's rule at `path` (`route.counter`, which the error names), or `None` for `null`.
fn parse_rule(value: &Value, path: &str) -> Result<Option<Rule>, ConfigError> {
    let bad = |why: &str| invalid(RATE_LIMITS, format!("{path}: {why}"));
    if value.is_null() {
        return Ok(None);
    }
    let obj = value
        .as_object()
        .ok_or_else(|| bad("expected {\"limit\": n, \"window\": \"1m\"} or null"))?;
    if let Some(key) = obj
        .keys()
        .find(|k| !matches!(k.as_str(), "limit" | "window" | "backoff"))
    {
        return Err(bad(&format!("unknown field {key:?}")));
    }
    let limit = obj
        .get("limit")
        .and_then(Value::as_u64)
        .and_then(|n| u32::try_from(n).ok())
        .ok_or_else(|| bad("\"limit\" must be a whole number"))?;
    let window_secs = match obj.get("window") {
        Some(Value::Number(n)) => n.as_u64().filter(|s| *s > 0),
        Some(Value::String(s)) => parse_duration_secs(s).ok(),
        _ => None,
    }
    .ok_or_else(|| {
        bad("\"window\" must be a duration like \"60s\" or \"15m\" (or whole seconds)")
    })?;
    let backoff = match obj.get("backoff") {
        None => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err(bad("\"backoff\" must be true or false")),
    };
    Ok(Some(Rule {
        limit,
        window_secs,
        backoff,
    }))
}

/// The admin API's bearer secret, kept only as its SHA-256 so the comparison is constant-time whatever
/// the lengths.
pub struct AdminSecret([u8; 32]);

impl AdminSecret {
    /// Keeps the digest of `secret`.
    pub fn new(secret: &str) -> Self {
        Self(Sha256::digest(secret.as_bytes()).into())
    }

    /// Whether `presented` is the secret, compared in constant time.
    pub fn matches(&self, presented: &str) -> bool {
        let digest: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
        bool::from(digest.ct_eq(&self.0))
    }
}

impl fmt::Debug for AdminSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AdminSecret(<redacted>)")
    }
}

/// The session cookie's name (`SESSION_COOKIE_NAME`): the cookie's attributes are the same for both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SessionCookie {
    /// `__Host-connect.sid`, the default: browsers keep it only if it is `Secure`, `Path=/` and has no
    /// `Domain`, so no other host (a sibling subdomain, a plain-HTTP page) can set or overwrite it.
    #[default]
    HostPrefixed,
    /// `connect.sid`, Medusa's name, for a setup that relies on it; without the prefix's protection.
    Medusa,
}

impl SessionCookie {
    /// The cookie's name on the wire.
    pub fn name(self) -> &'static str {
        match self {
            Self::HostPrefixed => "__Host-connect.sid",
            Self::Medusa => "connect.sid",
        }
    }

    fn parse(text: &str) -> Result<Self, ConfigError> {
        [Self::HostPrefixed, Self::Medusa]
            .into_iter()
            .find(|c| c.name() == text)
            .ok_or_else(|| {
                invalid(
                    SESSION_COOKIE_NAME,
                    "must be __Host-connect.sid (the default) or connect.sid",
                )
            })
    }
}

/// One verification an actor type owes when signing in through a provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequiredVerification {
    /// e.g. `email`.
    pub entity_type: String,
    /// e.g. `emailpass`.
    pub auth_provider: String,
}

impl RequiredVerification {
    /// `{"entity_type", "auth_provider"}`, both strings and nothing else.
    fn read(value: &Value) -> Option<Self> {
        let fields = value.as_object()?;
        if fields
            .keys()
            .any(|k| k != "entity_type" && k != "auth_provider")
        {
            return None;
        }
        Some(Self {
            entity_type: json_fields::text(value, "entity_type")?,
            auth_provider: json_fields::text(value, "auth_provider")?,
        })
    }
}

/// `AUTH_VERIFICATIONS_PER_ACTOR`: per actor type, the verifications its sign-ins owe. Empty by default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VerificationsPerActor(std::collections::BTreeMap<String, Vec<RequiredVerification>>);

impl VerificationsPerActor {
    /// The entity type a sign-in as `actor_type` through `auth_provider` must have verified, if any
    /// (the first listed, as Medusa's `find`).
    pub fn required(&self, actor_type: &str, auth_provider: &str) -> Option<&str> {
        self.0
            .get(actor_type)?
            .iter()
            .find(|v| v.auth_provider == auth_provider)
            .map(|v| v.entity_type.as_str())
    }

    fn parse(text: &str) -> Result<Self, ConfigError> {
        let parsed = json(
            AUTH_VERIFICATIONS_PER_ACTOR,
            text,
            "an object of actor type to [{\"entity_type\", \"auth_provider\"}]",
            |value| {
                let read = |list: &Value| {
                    let items = list.as_array()?;
                    items.iter().map(RequiredVerification::read).collect()
                };
                per_key(
                    value,
                    "a list of {\"entity_type\", \"auth_provider\"}",
                    read,
                )
                .map(Self)
            },
        )?;
        let empty = parsed
            .0
            .values()
            .flatten()
            .any(|v| v.entity_type.is_empty() || v.auth_provider.is_empty());
        if empty {
            return Err(invalid(
                AUTH_VERIFICATIONS_PER_ACTOR,
                "entity_type and auth_provider must not be empty",
            ));
        }
        Ok(parsed)
    }
}

/// Password reset, sessions, rate limits and the admin API, as configured.
#[derive(Debug)]
pub struct AccountConfig {
    /// Where reset tokens go; `None`: nowhere (reset-password still answers 201, and warns).
    pub reset_webhook: Option<WebhookTarget>,
    /// `None`: the admin API is disabled (404).
    pub admin_secret: Option<AdminSecret>,
    /// The limits per route and counter.
    pub rate_limits: RateLimits,
    /// How long a cookie session lasts.
    pub session_ttl_secs: u64,
    /// The session cookie's name (`SESSION_COOKIE_NAME`).
    pub session_cookie: SessionCookie,
    /// The verifications sign-ins owe (`AUTH_VERIFICATIONS_PER_ACTOR`).
    pub verifications: VerificationsPerActor,
}

/// Reads the variables through `get` (which already treats empty as absent). `development`: short
/// secrets are accepted (local development only).
pub fn from_vars(get: &VarLookup<'_>, development: bool) -> Result<AccountConfig, ConfigError> {
    let reset_webhook = match (
        get(RESET_PASSWORD_WEBHOOK_URL),
        get(RESET_PASSWORD_WEBHOOK_SECRET),
    ) {
        (None, None) => None,
        (None, Some(_)) => {
            return Err(invalid(
                RESET_PASSWORD_WEBHOOK_URL,
                "is not set, but RESET_PASSWORD_WEBHOOK_SECRET is: set the URL that receives reset tokens",
            ));
        }
        (Some(_), None) => {
            return Err(invalid(
                RESET_PASSWORD_WEBHOOK_SECRET,
                "is not set; deliveries are signed with it (`wrangler secret put RESET_PASSWORD_WEBHOOK_SECRET`)",
            ));
        }
        (Some(url), Some(secret)) => {
            check_secret(RESET_PASSWORD_WEBHOOK_SECRET, &secret, development)?;
            let url = url.trim();
            if !is_acceptable_webhook_url(url) {
                return Err(invalid(
                    RESET_PASSWORD_WEBHOOK_URL,
                    format!(
                        "{:?} must be an https URL (http only for localhost or 127.0.0.1)",
                        crate::oauth::redirect::origin_only(url)
                    ),
                ));
            }
            Some(WebhookTarget::new(url, secret.as_bytes()))
        }
    };

    let admin_secret = match get(ADMIN_SECRET) {
        None => None,
        Some(s) => {
            check_secret(ADMIN_SECRET, &s, development)?;
            Some(AdminSecret::new(&s))
        }
    };

    let rate_limits = match get(RATE_LIMITS) {
        None => RateLimits::defaults(),
        Some(text) => RateLimits::parse(&text)?,
    };

    let session_ttl_secs = duration_secs(get, SESSION_TTL, DEFAULT_SESSION_TTL)?;
    if session_ttl_secs < MIN_SESSION_TTL_SECS {
        return Err(invalid(
            SESSION_TTL,
            format!(
                "must be at least {MIN_SESSION_TTL_SECS} seconds (Workers KV's shortest expiry)"
            ),
        ));
    }

    let session_cookie = match get(SESSION_COOKIE_NAME) {
        None => SessionCookie::default(),
        Some(text) => SessionCookie::parse(text.trim())?,
    };

    let verifications = match get(AUTH_VERIFICATIONS_PER_ACTOR) {
        None => VerificationsPerActor::default(),
        Some(text) => VerificationsPerActor::parse(&text)?,
    };

    Ok(AccountConfig {
        verifications,
        reset_webhook,
        admin_secret,
        rate_limits,
        session_ttl_secs,
        session_cookie,
    })
}

fn is_acceptable_webhook_url(url: &str) -> bool {
    let Some((scheme, rest)) = url.split_once("://") else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority.is_empty() || authority.contains('@') || url.chars().any(char::is_whitespace) {
        return false;
    }
    let host = match authority.rsplit_once(':') {
        Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) => h,
        _ => authority,
    };
    match scheme {
        "https" => true,
        "http" => matches!(host, "localhost" | "127.0.0.1" | "[::1]"),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn parse(pairs: &[(&str, &str)], development: bool) -> Result<AccountConfig, ConfigError> {
        let map: BTreeMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        from_vars(&|k| map.get(k).cloned(), development)
    }

    const LONG: &str = "0123456789abcdef0123456789abcdef";

    #[test]
    fn nothing_set_means_no_webhook_no_admin_default_limits_and_ten_hour_sessions() {
        let c = parse(&[], false).unwrap();
        assert!(c.reset_webhook.is_none());
        assert_eq!(c.verifications, VerificationsPerActor::default());
        assert!(c.admin_secret.is_none());
        assert_eq!(c.rate_limits, RateLimits::defaults());
        assert_eq!(c.session_ttl_secs, 36_000);
        assert_eq!(c.session_cookie.name(), "__Host-connect.sid");
        let login = c.rate_limits.route(LimitedRoute::Authenticate);
        assert_eq!(login.identifier, Some(Rule::new(5, 60).with_backoff()));
        assert_eq!(login.device, Some(Rule::new(5, 60).with_backoff()));
        assert_eq!(c.rate_limits.route(LimitedRoute::Register).device, None);
    }

    #[test]
    fn half_a_webhook_configuration_names_the_missing_variable() {
        let e = parse(
            &[(RESET_PASSWORD_WEBHOOK_URL, "https://x.example/h")],
            false,
        )
        .unwrap_err();
        assert_eq!(e.var, RESET_PASSWORD_WEBHOOK_SECRET);
        let e = parse(&[(RESET_PASSWORD_WEBHOOK_SECRET, LONG)], false).unwrap_err();
        assert_eq!(e.var, RESET_PASSWORD_WEBHOOK_URL);
    }

    #[test]
    fn webhook_urls_must_be_https_except_on_this_machine() {
        for (url, ok) in [
            ("https://hooks.example/reset", true),
            ("http://127.0.0.1:9000/hook", true),
            ("http://localhost/hook", true),
            ("http://hooks.example/reset", false),
            ("http://127.0.0.1.evil.example/", false),
            ("https://user@hooks.example/", false),
            ("ftp://hooks.example/", false),
            ("hooks.example", false),
        ] {
            let r = parse(
                &[
                    (RESET_PASSWORD_WEBHOOK_URL, url),
                    (RESET_PASSWORD_WEBHOOK_SECRET, LONG),
                ],
                false,
            );
            assert_eq!(r.is_ok(), ok, "{url}");
            if !ok {
                assert_eq!(r.unwrap_err().var, RESET_PASSWORD_WEBHOOK_URL);
            }
        }
    }

    #[test]
    fn short_secrets_are_refused_outside_development() {
        assert_eq!(
            parse(&[(ADMIN_SECRET, "short")], false).unwrap_err().var,
            ADMIN_SECRET
        );
        assert!(parse(&[(ADMIN_SECRET, "short")], true).is_ok());
    }

    #[test]
    fn the_admin_secret_is_compared_by_digest() {
        let s = AdminSecret::new(LONG);
        assert!(s.matches(LONG));
        assert!(!s.matches(&LONG[..31]));
        assert!(!s.matches(""));
        assert_eq!(format!("{s:?}"), "AdminSecret(<redacted>)");
    }

    #[test]
    fn rate_limits_override_the_defaults_per_counter() {
        let limits = RateLimits::parse(
            r#"{"authenticate": {"identifier": {"limit": 10, "window": "5m", "backoff": true}, "ip": null},
                "update": {"ip": {"limit": 2, "window": 30}}}"#,
        )
        .unwrap();
        let login = limits.route(LimitedRoute::Authenticate);
        assert_eq!(login.identifier, Some(Rule::new(10, 300).with_backoff()));
        assert_eq!(login.ip, None);
        assert_eq!(
            limits.route(LimitedRoute::Update).ip,
            Some(Rule::new(2, 30))
        );
        assert_eq!(
            limits.route(LimitedRoute::Register),
            RateLimits::defaults().route(LimitedRoute::Register)
        );
        assert_eq!(RateLimits::parse(" OFF ").unwrap(), RateLimits::off());
    }

    #[test]
    fn verifications_per_actor_are_medusas_map_and_bad_ones_name_the_variable() {
        let text =
            r#"{"customer":[{"entity_type":"email","auth_provider":"emailpass"}],"user":[]}"#;
        let c = parse(&[(AUTH_VERIFICATIONS_PER_ACTOR, text)], false).unwrap();
        assert_eq!(
            c.verifications.required("customer", "emailpass"),
            Some("email")
        );
        assert_eq!(c.verifications.required("customer", "google"), None);
        assert_eq!(c.verifications.required("user", "emailpass"), None);
        let expected = r#"expected an object of actor type to [{"entity_type", "auth_provider"}]"#;
        let not_a_list = format!(
            r#"{expected}: "customer" is not a list of {{"entity_type", "auth_provider"}}"#
        );
        for (bad, message) in [
            ("[]", format!("{expected}: not an object")),
            (
                r#"{"customer":[{"entity_type":"email"}]}"#,
                not_a_list.clone(),
            ),
            (
                r#"{"customer":[{"entity_type":"email","auth_provider":"x","extra":1}]}"#,
                not_a_list.clone(),
            ),
            (
                r#"{"customer":[{"entity_type":1,"auth_provider":"emailpass"}]}"#,
                not_a_list.clone(),
            ),
            (
                r#"{"customer":{"entity_type":"email","auth_provider":"emailpass"}}"#,
                not_a_list,
            ),
            (
                r#"{"customer":[{"entity_type":"","auth_provider":"emailpass"}]}"#,
                "entity_type and auth_provider must not be empty".into(),
            ),
        ] {
            let e = parse(&[(AUTH_VERIFICATIONS_PER_ACTOR, bad)], false).unwrap_err();
            assert_eq!(e.var, AUTH_VERIFICATIONS_PER_ACTOR, "{bad}");
            assert_eq!(e.message, message, "{bad}");
        }
    }

    #[test]
    fn bad_rate_limits_name_the_variable_and_the_place() {
        for (text, fragment) in [
            ("[]", "JSON object"),
            ("{\"login\": {}}", "unknown route \"login\""),
            ("{\"register\": {\"email\": null}}", "unknown counter"),
            (
                "{\"register\": {\"device\": null}}",
                "register: the \"device\" counter exists for authenticate only",
            ),
            (
                "{\"register\": {\"ip\": {\"limit\": -1, \"window\": 60}}}",
                "register.ip",
            ),
            (
                "{\"register\": {\"ip\": {\"limit\": 1, \"window\": \"soon\"}}}",
                "window",
            ),
            (
                "{\"register\": {\"ip\": {\"limit\": 1, \"window\": 0}}}",
                "window",
            ),
            (
                "{\"register\": {\"ip\": {\"limit\": 1, \"window\": 9, \"x\": 1}}}",
                "unknown field",
            ),
        ] {
            let e = parse(&[(RATE_LIMITS, text)], false).unwrap_err();
            assert_eq!(e.var, RATE_LIMITS, "{text}");
            assert!(e.message.contains(fragment), "{text}: {}", e.message);
        }
    }

    #[test]
    fn the_session_cookie_name_is_one_of_two_and_an_error_names_only_the_variable() {
        let medusa = parse(&[(SESSION_COOKIE_NAME, "connect.sid")], false).unwrap();
        assert_eq!(medusa.session_cookie, SessionCookie::Medusa);
        for bad in ["evil", "__Host-evil", "connect.sid; Domain=evil.example"] {
            let e = parse(&[(SESSION_COOKIE_NAME, bad)], false).unwrap_err();
            assert_eq!(e.var, SESSION_COOKIE_NAME);
            assert!(!e.message.contains("evil"), "{}", e.message);
        }
    }

    #[test]
    fn limited_routes_are_found_by_their_rate_limits_name() {
        for route in LimitedRoute::ALL {
            assert_eq!(LimitedRoute::parse(route.name()), Some(route));
        }
        assert_eq!(LimitedRoute::parse("login"), None);
        assert_eq!(LimitedRoute::parse("Authenticate"), None);
    }

    #[test]
    fn session_ttl_is_a_duration_of_at_least_a_minute() {
        assert_eq!(
            parse(&[(SESSION_TTL, "2h")], false)
                .unwrap()
                .session_ttl_secs,
            7200
        );
        for bad in ["30s", "soon", "3600"] {
            assert_eq!(
                parse(&[(SESSION_TTL, bad)], false).unwrap_err().var,
                SESSION_TTL,
                "{bad}"
            );
        }
    }
}
