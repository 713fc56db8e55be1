//! The CORS variables: `AUTH_CORS` (exact origins) and `AUTH_CORS_ALLOW_HEADERS` (request headers a
//! preflight allows on top of [`DEFAULT_ALLOW_HEADERS`]).

use super::vars::{ConfigError, invalid};

/// Var: the browser origins allowed to call `/auth/*`, comma-separated.
pub const AUTH_CORS: &str = "AUTH_CORS";
/// Var: extra request header names a preflight allows, comma-separated.
pub const AUTH_CORS_ALLOW_HEADERS: &str = "AUTH_CORS_ALLOW_HEADERS";

/// Every header `@medusajs/js-sdk` can send on its own: `content-type` and `accept` on each call,
/// `authorization` (a bearer token, or the secret API key as Basic), `x-medusa-locale` on each call
/// (empty when no locale is set) and `x-publishable-api-key` when the client has a publishable key.
/// `accept` is safelisted by browsers only for some values, so it is listed too.
pub const DEFAULT_ALLOW_HEADERS: [&str; 5] = [
    "accept",
    "authorization",
    "content-type",
    "x-medusa-locale",
    "x-publishable-api-key",
];

/// `AUTH_CORS`: exact origins (scheme, host and optional port; no path, no `*`).
pub fn parse_origins(list: &str) -> Result<Vec<String>, ConfigError> {
    list.split(',')
        .map(str::trim)
        .filter(|o| !o.is_empty())
        .map(|o| {
            let scheme_ok = o.starts_with("https://") || o.starts_with("http://");
            let has_path = o.split("://").nth(1).is_some_and(|rest| rest.contains('/'));
            if o == "*" || !scheme_ok || has_path {
                Err(invalid(
                    AUTH_CORS,
                    format!("{:?} is not an origin; list exact origins like https://shop.example, comma-separated", crate::oauth::redirect::redacted(o)),
                ))
            } else {
                Ok(o.to_owned())
            }
        })
        .collect()
}

/// The value of `access-control-allow-headers`: [`DEFAULT_ALLOW_HEADERS`] then the names in
/// `AUTH_CORS_ALLOW_HEADERS` (absent: none), lower-cased, each once.
///
/// # Errors
/// A name that is not an HTTP token (RFC 9110 §5.1), e.g. `x a` or `x:y`, and `*`: with credentials a
/// browser reads `*` as a header literally named `*`, so it would silently allow nothing more.
pub fn allow_headers(extra: Option<&str>) -> Result<String, ConfigError> {
    let mut names: Vec<String> = DEFAULT_ALLOW_HEADERS.map(str::to_owned).to_vec();
    for name in extra.unwrap_or("").split(',').map(str::trim) {
        if name.is_empty() {
            continue;
        }
        if name == "*" || !name.bytes().all(is_token_char) {
            return Err(invalid(
                AUTH_CORS_ALLOW_HEADERS,
                format!(
                    "{name:?} is not a header name; list names like x-request-id, comma-separated (no `*`: with credentials browsers do not read it as a wildcard)"
                ),
            ));
        }
        let name = name.to_ascii_lowercase();
        if !names.contains(&name) {
            names.push(name);
        }
    }
    Ok(names.join(", "))
}

/// RFC 9110 §5.6.2 `tchar`.
fn is_token_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_allows_every_header_the_js_sdk_sends() {
        let value = allow_headers(None).unwrap();
        assert_eq!(
            value,
            "accept, authorization, content-type, x-medusa-locale, x-publishable-api-key"
        );
        assert_eq!(allow_headers(Some(" , ")).unwrap(), value);
    }

    #[test]
    fn extra_headers_are_appended_lower_cased_once() {
        assert_eq!(
            allow_headers(Some("X-Request-Id, x-request-id ,Authorization,x-tenant")).unwrap(),
            "accept, authorization, content-type, x-medusa-locale, x-publishable-api-key, x-request-id, x-tenant"
        );
    }

    #[test]
    fn bad_header_names_are_refused_naming_the_variable() {
        for bad in ["*", "x a", "x:y", "x-é", "a,b c", "\"q\""] {
            let e = allow_headers(Some(bad)).unwrap_err();
            assert_eq!(e.var, AUTH_CORS_ALLOW_HEADERS, "{bad}");
            assert!(e.message.contains("is not a header name"), "{bad}: {e}");
        }
    }
}
