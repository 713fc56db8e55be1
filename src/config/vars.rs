//! The leaf of configuration: [`ConfigError`] and the helpers that read one variable each (numbers,
//! durations, URLs, JSON, secrets). Feature configurations import these; this module imports no
//! configuration, only pure parsers ([`crate::token::parse_duration_secs`],
//! [`crate::oauth::redirect::check_absolute_url`]).

use crate::oauth::redirect::check_absolute_url;
use crate::token::parse_duration_secs;
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt;

/// Reads one variable (`None` when unset). [`crate::config::Config::from_vars`] hands the feature
/// configurations a lookup that already treats an empty value as unset.
pub type VarLookup<'a> = dyn Fn(&str) -> Option<String> + 'a;

/// Every secret keys an HMAC-SHA256 or is compared as a SHA-256 digest: shorter than the hash output
/// weakens it (RFC 7518 §3.2).
pub const MIN_SECRET_BYTES: usize = 32;

/// A variable that cannot be used, and why. The message never repeats a secret's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The variable to fix.
    pub var: &'static str,
    /// What is wrong with it.
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Invalid configuration: {}: {}", self.var, self.message)
    }
}

impl std::error::Error for ConfigError {}

/// The error for `var`.
pub fn invalid(var: &'static str, message: impl Into<String>) -> ConfigError {
    ConfigError {
        var,
        message: message.into(),
    }
}

/// A secret's length check; outside development a short one is refused.
pub fn check_secret(var: &'static str, secret: &str, development: bool) -> Result<(), ConfigError> {
    if secret.len() < MIN_SECRET_BYTES && !development {
        return Err(invalid(
            var,
            format!("must be at least {MIN_SECRET_BYTES} bytes (e.g. `openssl rand -hex 32`)"),
        ));
    }
    Ok(())
}

/// A whole number such as `600000`.
pub fn whole_number(var: &'static str, text: &str) -> Result<u32, ConfigError> {
    text.trim()
        .parse::<u32>()
        .map_err(|_| invalid(var, format!("expected a whole number, got {text:?}")))
}

/// `var` as a duration ("1d", "10h", "15m"; see [`parse_duration_secs`]) in seconds, or `default`
/// when unset.
pub fn duration_secs(
    get: &VarLookup<'_>,
    var: &'static str,
    default: &str,
) -> Result<u64, ConfigError> {
    let text = get(var).unwrap_or_else(|| default.to_owned());
    parse_duration_secs(text.trim()).map_err(|e| invalid(var, e.to_string()))
}

/// `var` as an absolute `https` URL (`http` only on loopback), trimmed; `None` when unset.
pub fn url(get: &VarLookup<'_>, var: &'static str) -> Result<Option<String>, ConfigError> {
    let Some(url) = get(var).map(|v| v.trim().to_owned()) else {
        return Ok(None);
    };
    check_absolute_url(&url).map_err(|e| invalid(var, e.0))?;
    Ok(Some(url))
}

/// What is wrong with the shape of a JSON variable's value (the message after "expected …: ").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch(pub String);

/// `text` (the value of `var`) as JSON; `expected` says what it should look like, after "expected" in
/// the message.
pub fn json_value(var: &'static str, text: &str, expected: &str) -> Result<Value, ConfigError> {
    crate::json_fields::parse(text).map_err(|e| invalid(var, format!("expected {expected}: {e}")))
}

/// [`json_value`], then as `read` takes it. Values are read from a `serde_json::Value`, not through
/// derived `Deserialize` impls: those are kilobytes of wasm each and bring serde's float formatting for
/// their messages (docs/performance.md#bundle-size).
pub fn json<T>(
    var: &'static str,
    text: &str,
    expected: &str,
    read: impl FnOnce(&Value) -> Result<T, Mismatch>,
) -> Result<T, ConfigError> {
    read(&json_value(var, text, expected)?)
        .map_err(|Mismatch(m)| invalid(var, format!("expected {expected}: {m}")))
}

/// `value` as an object whose every value `read` takes (`None`: it is not `what`, e.g. "a list of
/// strings"), as a map by key: the shape of the per-actor variables.
pub fn per_key<T>(
    value: &Value,
    what: &str,
    read: impl Fn(&Value) -> Option<T>,
) -> Result<BTreeMap<String, T>, Mismatch> {
    let object = value
        .as_object()
        .ok_or_else(|| Mismatch("not an object".into()))?;
    let mut map = BTreeMap::new();
    for (key, item) in object {
        let item = read(item).ok_or_else(|| Mismatch(format!("{key:?} is not {what}")))?;
        map.insert(key.clone(), item);
    }
    Ok(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    const VAR: &str = "SOME_VAR";

    fn one(value: &str) -> impl Fn(&str) -> Option<String> + '_ {
        move |name| (name == VAR).then(|| value.to_owned())
    }

    #[test]
    fn errors_name_their_variable() {
        let e = invalid(VAR, "is wrong");
        assert_eq!(e.to_string(), "Invalid configuration: SOME_VAR: is wrong");
    }

    #[test]
    fn short_secrets_pass_only_in_development() {
        let short = "x".repeat(MIN_SECRET_BYTES - 1);
        assert_eq!(
            check_secret(VAR, &short, false).unwrap_err().message,
            "must be at least 32 bytes (e.g. `openssl rand -hex 32`)"
        );
        assert!(check_secret(VAR, &short, true).is_ok());
        assert!(check_secret(VAR, &"x".repeat(MIN_SECRET_BYTES), false).is_ok());
    }

    #[test]
    fn numbers_durations_urls_and_json_are_read_or_refused_naming_the_variable() {
        assert_eq!(whole_number(VAR, " 1000 "), Ok(1000));
        assert_eq!(
            whole_number(VAR, "1e3").unwrap_err().message,
            "expected a whole number, got \"1e3\""
        );
        assert_eq!(duration_secs(&one(" 2h "), VAR, "1d"), Ok(7200));
        assert_eq!(duration_secs(&|_| None, VAR, "1d"), Ok(86_400));
        assert_eq!(duration_secs(&one("120"), VAR, "1d").unwrap_err().var, VAR);
        assert_eq!(url(&|_| None, VAR), Ok(None));
        assert_eq!(
            url(&one(" https://idp.example/x "), VAR),
            Ok(Some("https://idp.example/x".into()))
        );
        assert_eq!(url(&one("http://idp.example/x"), VAR).unwrap_err().var, VAR);
        let list = |v: &Value| {
            crate::json_fields::strings(v).ok_or_else(|| Mismatch("not a list of strings".into()))
        };
        assert_eq!(
            json(VAR, r#"["a","b"]"#, "a list", list),
            Ok(vec!["a".into(), "b".into()])
        );
        let e = json(VAR, "{}", "a list", list).unwrap_err();
        assert_eq!(e.message, "expected a list: not a list of strings");
        let e = json(VAR, "[1,", "a list", list).unwrap_err();
        assert!(
            e.message.starts_with("expected a list: EOF"),
            "{}",
            e.message
        );
    }
}
