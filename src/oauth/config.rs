//! Configuration of third-party sign-in, read once from Worker vars when the top-level configuration
//! calls [`from_vars`] (and per provider by the npm package). A provider none of whose variables are set
//! is not registered (requests for it get Medusa's unknown-provider message); a provider set half-way is
//! an error naming the missing variable. Plain data: the discovery and JWKS caches belong to the
//! running [`crate::oauth::OAuthProvider`].

use crate::config::vars::{ConfigError, Mismatch, VarLookup, invalid, json, url};
use crate::contract;
use crate::json_fields;
use crate::oauth::redirect::{RedirectAllowList, check_absolute_url};
use crate::oauth::spec::{self, ClientAuth, EndpointOverrides, ProviderKind, ProviderSpec};
use crate::oauth::state::BrowserBinding;
use crate::ports::secret::Secret;
use serde_json::Value;
use std::rc::Rc;

/// Var: Google's OAuth client id.
pub const GOOGLE_CLIENT_ID: &str = "GOOGLE_CLIENT_ID";
/// Secret: Google's OAuth client secret.
pub const GOOGLE_CLIENT_SECRET: &str = "GOOGLE_CLIENT_SECRET";
/// Var: where Google sends the browser back.
pub const GOOGLE_CALLBACK_URL: &str = "GOOGLE_CALLBACK_URL";
/// Var: overrides Google's authorization endpoint (emulators, tests).
pub const GOOGLE_AUTHORIZATION_URL: &str = "GOOGLE_AUTHORIZATION_URL";
/// Var: overrides Google's token endpoint.
pub const GOOGLE_TOKEN_URL: &str = "GOOGLE_TOKEN_URL";
/// Var: overrides Google's key set URL.
pub const GOOGLE_JWKS_URL: &str = "GOOGLE_JWKS_URL";
/// Var: replaces the `iss` values accepted from Google.
pub const GOOGLE_ISSUER: &str = "GOOGLE_ISSUER";
/// Var: GitHub's OAuth client id.
pub const GITHUB_CLIENT_ID: &str = "GITHUB_CLIENT_ID";
/// Secret: GitHub's OAuth client secret.
pub const GITHUB_CLIENT_SECRET: &str = "GITHUB_CLIENT_SECRET";
/// Var: where GitHub sends the browser back.
pub const GITHUB_CALLBACK_URL: &str = "GITHUB_CALLBACK_URL";
/// Var: overrides GitHub's authorization endpoint (emulators, tests).
pub const GITHUB_AUTHORIZATION_URL: &str = "GITHUB_AUTHORIZATION_URL";
/// Var: overrides GitHub's token endpoint.
pub const GITHUB_TOKEN_URL: &str = "GITHUB_TOKEN_URL";
/// Var: overrides GitHub's API base URL.
pub const GITHUB_API_URL: &str = "GITHUB_API_URL";
/// Var: the OpenID Connect providers, as a JSON list.
pub const OIDC_PROVIDERS: &str = "OIDC_PROVIDERS";
/// Var: exact URLs a browser may be sent back to after sign-in, comma-separated.
pub const ALLOWED_REDIRECT_URLS: &str = "ALLOWED_REDIRECT_URLS";

/// Google's variables with their names as options of the npm package (`{ id: "google", options }`).
pub const GOOGLE_OPTIONS: [(&str, &str); 7] = [
    ("clientId", GOOGLE_CLIENT_ID),
    ("clientSecret", GOOGLE_CLIENT_SECRET),
    ("callbackUrl", GOOGLE_CALLBACK_URL),
    ("authorizationUrl", GOOGLE_AUTHORIZATION_URL),
    ("tokenUrl", GOOGLE_TOKEN_URL),
    ("jwksUrl", GOOGLE_JWKS_URL),
    ("issuer", GOOGLE_ISSUER),
];

/// GitHub's variables with their names as options of the npm package (`{ id: "github", options }`).
pub const GITHUB_OPTIONS: [(&str, &str); 6] = [
    ("clientId", GITHUB_CLIENT_ID),
    ("clientSecret", GITHUB_CLIENT_SECRET),
    ("callbackUrl", GITHUB_CALLBACK_URL),
    ("authorizationUrl", GITHUB_AUTHORIZATION_URL),
    ("tokenUrl", GITHUB_TOKEN_URL),
    ("apiUrl", GITHUB_API_URL),
];

/// The fields of an `OIDC_PROVIDERS` entry besides `id`: the options of an npm package
/// `{ id, type: "oidc", options }` entry. `scopes` is a list or a space-separated string; the rest are strings.
pub const OIDC_OPTIONS: [&str; 10] = [
    "issuer",
    "clientId",
    "clientSecret",
    "callbackUrl",
    "scopes",
    "authorizationUrl",
    "tokenUrl",
    "jwksUrl",
    "tokenEndpointAuthMethod",
    "allowedAudiences",
];

/// More OpenID Connect providers than this is a configuration mistake.
pub const MAX_OIDC_PROVIDERS: usize = 20;

/// Everything third-party sign-in needs, shared by every provider.
#[derive(Debug)]
pub struct OAuthConfig {
    /// The configured providers, in configuration order: google, github, then `OIDC_PROVIDERS`.
    pub providers: Vec<Rc<ProviderSpec>>,
    /// `ALLOWED_REDIRECT_URLS`: exact URLs for `return_to` and `callback_url`.
    pub redirects: RedirectAllowList,
    /// Binds redirect-mode states to the browser's cookie.
    pub binding: BrowserBinding,
}

/// `(clientId, clientSecret, callbackUrl)` of Google or GitHub, or `None` when none is set.
fn client_vars(
    get: &VarLookup<'_>,
    display: &str,
    [id_var, secret_var, callback_var]: [&'static str; 3],
) -> Result<Option<(String, Secret, String)>, ConfigError> {
    let (id, secret) = (get(id_var), get(secret_var));
    let callback = url(get, callback_var)?;
    if id.is_none() && secret.is_none() && callback.is_none() {
        return Ok(None);
    }
    let required = |var, option| invalid(var, contract::provider_option_required(display, option));
    Ok(Some((
        id.ok_or_else(|| required(id_var, "clientId"))?
            .trim()
            .to_owned(),
        Secret::new(secret.ok_or_else(|| required(secret_var, "clientSecret"))?),
        callback.ok_or_else(|| required(callback_var, "callbackUrl"))?,
    )))
}

/// Google from its variables ([`GOOGLE_OPTIONS`]); `None` when none of clientId, clientSecret and
/// callbackUrl is set.
pub fn google(get: &VarLookup<'_>) -> Result<Option<ProviderSpec>, ConfigError> {
    let vars = [GOOGLE_CLIENT_ID, GOOGLE_CLIENT_SECRET, GOOGLE_CALLBACK_URL];
    let Some((client_id, client_secret, callback_url)) = client_vars(get, "Google", vars)? else {
        return Ok(None);
    };
    let or = |v: Option<String>, default: &str| Some(v.unwrap_or_else(|| default.to_owned()));
    let issuers = match get(GOOGLE_ISSUER).map(|i| i.trim().to_owned()) {
        Some(i) if i.contains(char::is_whitespace) => {
            return Err(invalid(GOOGLE_ISSUER, "must not contain whitespace"));
        }
        Some(i) => vec![i],
        None => spec::GOOGLE_ISSUERS.map(str::to_owned).to_vec(),
    };
    Ok(Some(ProviderSpec {
        id: spec::GOOGLE.into(),
        display_name: "Google".into(),
        kind: ProviderKind::Google,
        client_id,
        client_secret,
        callback_url,
        scopes: spec::GOOGLE_SCOPES.map(str::to_owned).to_vec(),
        client_auth: ClientAuth::Post,
        issuers,
        trusted_audiences: Vec::new(),
        endpoints: EndpointOverrides {
            authorization: or(
                url(get, GOOGLE_AUTHORIZATION_URL)?,
                spec::GOOGLE_AUTHORIZATION_URL,
            ),
            token: or(url(get, GOOGLE_TOKEN_URL)?, spec::GOOGLE_TOKEN_URL),
            jwks: or(url(get, GOOGLE_JWKS_URL)?, spec::GOOGLE_JWKS_URL),
        },
        discovery_url: None,
    }))
}

/// GitHub from its variables ([`GITHUB_OPTIONS`]); `None` when none of clientId, clientSecret and
/// callbackUrl is set.
pub fn github(get: &VarLookup<'_>) -> Result<Option<ProviderSpec>, ConfigError> {
    let vars = [GITHUB_CLIENT_ID, GITHUB_CLIENT_SECRET, GITHUB_CALLBACK_URL];
    let Some((client_id, client_secret, callback_url)) = client_vars(get, "Github", vars)? else {
        return Ok(None);
    };
    let or = |v: Option<String>, default: &str| v.unwrap_or_else(|| default.to_owned());
    Ok(Some(ProviderSpec {
        id: spec::GITHUB.into(),
        display_name: "Github".into(),
        kind: ProviderKind::GitHub {
            api_url: or(url(get, GITHUB_API_URL)?, spec::GITHUB_API_URL),
        },
        client_id,
        client_secret,
        callback_url,
        scopes: spec::GITHUB_SCOPES.map(str::to_owned).to_vec(),
        client_auth: ClientAuth::Post,
        issuers: Vec::new(),
        trusted_audiences: Vec::new(),
        endpoints: EndpointOverrides {
            authorization: Some(or(
                url(get, GITHUB_AUTHORIZATION_URL)?,
                spec::GITHUB_AUTHORIZATION_URL,
            )),
            token: Some(or(url(get, GITHUB_TOKEN_URL)?, spec::GITHUB_TOKEN_URL)),
            jwks: None,
        },
        discovery_url: None,
    }))
}

enum Scopes {
    List(Vec<String>),
    Joined(String),
}

/// One entry of `OIDC_PROVIDERS`. Everything optional here (`null` is absent) so that a missing field
/// gets a message in Medusa's words (`<id> clientId is required`).
struct OidcEntry {
    id: Option<String>,
    issuer: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    callback_url: Option<String>,
    scopes: Option<Scopes>,
    authorization_url: Option<String>,
    token_url: Option<String>,
    jwks_url: Option<String>,
    token_endpoint_auth_method: Option<String>,
    /// Other audiences an id_token may name besides `clientId` (OIDC Core §3.1.3.7 step 3).
    allowed_audiences: Option<Vec<String>>,
}

impl OidcEntry {
    /// The entry `value`: an object of `id` and [`OIDC_OPTIONS`] only, each of its type.
    fn read(value: &Value) -> Result<Self, Mismatch> {
        let fields = value
            .as_object()
            .ok_or_else(|| Mismatch("an entry is not an object".into()))?;
        if let Some(unknown) = fields
            .keys()
            .find(|k| *k != "id" && !OIDC_OPTIONS.contains(&k.as_str()))
        {
            return Err(Mismatch(format!(
                "unknown field {unknown:?} (known: id, {})",
                OIDC_OPTIONS.join(", ")
            )));
        }
        let text = |key: &str| {
            json_fields::nullable_text(value, key)
                .ok_or_else(|| Mismatch(format!("{key} must be a string")))
        };
        let list = |key: &str| match value.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => json_fields::strings(v)
                .map(Some)
                .ok_or_else(|| Mismatch(format!("{key} must be a list of strings"))),
        };
        let scopes = match value.get("scopes") {
            Some(Value::String(joined)) => Some(Scopes::Joined(joined.clone())),
            _ => list("scopes")
                .map_err(|_| Mismatch("scopes must be a string or a list of strings".into()))?
                .map(Scopes::List),
        };
        Ok(Self {
            id: text("id")?,
            issuer: text("issuer")?,
            client_id: text("clientId")?,
            client_secret: text("clientSecret")?,
            callback_url: text("callbackUrl")?,
            scopes,
            authorization_url: text("authorizationUrl")?,
            token_url: text("tokenUrl")?,
            jwks_url: text("jwksUrl")?,
            token_endpoint_auth_method: text("tokenEndpointAuthMethod")?,
            allowed_audiences: list("allowedAudiences")?,
        })
    }
}

/// A provider id usable in routes and storage keys.
pub fn is_valid_provider_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

/// The variable that may hold an OIDC entry's secret instead of the JSON: `OIDC_<ID>_CLIENT_SECRET`
/// (upper-cased, `-` as `_`), so `OIDC_PROVIDERS` itself can stay a plain var.
pub fn oidc_secret_var(id: &str) -> String {
    format!(
        "OIDC_{}_CLIENT_SECRET",
        id.to_ascii_uppercase().replace('-', "_")
    )
}

/// `secret_var`: where a missing `clientSecret` may come from ([`oidc_secret_var`]); `None` outside the Worker.
fn oidc_entry(
    secret_var: Option<&VarLookup<'_>>,
    index: usize,
    entry: OidcEntry,
) -> Result<ProviderSpec, ConfigError> {
    let fail = |m: String| invalid(OIDC_PROVIDERS, m);
    let id = entry
        .id
        .ok_or_else(|| fail(format!("entry {index} has no \"id\"")))?;
    if !is_valid_provider_id(&id) {
        return Err(fail(format!(
            "id {id:?} must be lower-case letters, digits, '_' or '-' (at most 64)"
        )));
    }
    let required = |option: &str| fail(contract::provider_option_required(&id, option));
    let checked = |field: &str, url: Option<String>| -> Result<Option<String>, ConfigError> {
        url.map(|u| {
            check_absolute_url(&u)
                .map(|()| u)
                .map_err(|e| fail(format!("{id} {field}: {e}")))
        })
        .transpose()
    };
    let issuer = checked("issuer", entry.issuer)?.ok_or_else(|| required("issuer"))?;
    if issuer.contains('?') {
        return Err(fail(format!("{id} issuer must not have a query")));
    }
    let client_id = entry.client_id.ok_or_else(|| required("clientId"))?;
    let client_secret = match (entry.client_secret, secret_var) {
        (Some(secret), _) => secret,
        (None, Some(get)) => get(&oidc_secret_var(&id)).ok_or_else(|| {
            fail(format!(
                "{} (or set the secret {})",
                contract::provider_option_required(&id, "clientSecret"),
                oidc_secret_var(&id)
            ))
        })?,
        (None, None) => return Err(required("clientSecret")),
    };
    let callback_url =
        checked("callbackUrl", entry.callback_url)?.ok_or_else(|| required("callbackUrl"))?;
    let scopes: Vec<String> = match entry.scopes {
        None => spec::OIDC_DEFAULT_SCOPES.map(str::to_owned).to_vec(),
        Some(Scopes::List(list)) => list,
        Some(Scopes::Joined(s)) => s.split_whitespace().map(str::to_owned).collect(),
    };
    if !scopes.iter().any(|s| s == "openid") {
        return Err(fail(format!("{id} scopes must include \"openid\"")));
    }
    let client_auth = match entry.token_endpoint_auth_method.as_deref() {
        None | Some("client_secret_basic") => ClientAuth::Basic,
        Some("client_secret_post") => ClientAuth::Post,
        Some(other) => {
            return Err(fail(format!(
                "{id} tokenEndpointAuthMethod {other:?} is not supported (client_secret_basic or client_secret_post)"
            )));
        }
    };
    let endpoints = EndpointOverrides {
        authorization: checked("authorizationUrl", entry.authorization_url)?,
        token: checked("tokenUrl", entry.token_url)?,
        jwks: checked("jwksUrl", entry.jwks_url)?,
    };
    let complete =
        endpoints.authorization.is_some() && endpoints.token.is_some() && endpoints.jwks.is_some();
    let discovery_url = (!complete).then(|| {
        format!(
            "{}/.well-known/openid-configuration",
            issuer.trim_end_matches('/')
        )
    });
    Ok(ProviderSpec {
        display_name: id.clone(),
        id,
        kind: ProviderKind::Oidc,
        client_id,
        client_secret: Secret::new(client_secret),
        callback_url,
        scopes,
        client_auth,
        issuers: vec![issuer],
        trusted_audiences: entry.allowed_audiences.unwrap_or_default(),
        endpoints,
        discovery_url,
    })
}

fn oidc_providers(get: &VarLookup<'_>) -> Result<Vec<ProviderSpec>, ConfigError> {
    let Some(text) = get(OIDC_PROVIDERS) else {
        return Ok(Vec::new());
    };
    let entries: Vec<OidcEntry> = json(
        OIDC_PROVIDERS,
        &text,
        "a JSON list of {id, issuer, clientId, clientSecret, callbackUrl, scopes}",
        |value| {
            let list = value
                .as_array()
                .ok_or_else(|| Mismatch("not a list".into()))?;
            list.iter()
                .enumerate()
                .map(|(i, entry)| {
                    OidcEntry::read(entry)
                        .map_err(|Mismatch(m)| Mismatch(format!("entry {i}: {m}")))
                })
                .collect()
        },
    )?;
    if entries.len() > MAX_OIDC_PROVIDERS {
        return Err(invalid(
            OIDC_PROVIDERS,
            format!("at most {MAX_OIDC_PROVIDERS} providers"),
        ));
    }
    entries
        .into_iter()
        .enumerate()
        .map(|(i, e)| oidc_entry(Some(get), i, e))
        .collect()
}

/// One OpenID Connect provider from the npm package's `{ id, type: "oidc", options }`, `options` being
/// [`OIDC_OPTIONS`] as JSON: the checks and defaults of an `OIDC_PROVIDERS` entry (no secret variable).
pub fn oidc_provider(
    id: &str,
    mut options: serde_json::Map<String, serde_json::Value>,
) -> Result<ProviderSpec, ConfigError> {
    options.insert("id".into(), id.into());
    let entry = OidcEntry::read(&options.into())
        .map_err(|Mismatch(m)| invalid(OIDC_PROVIDERS, format!("{id}: {m}")))?;
    oidc_entry(None, 0, entry)
}

/// Reads every third-party variable. `jwt_secret` keys the browser-binding cookie.
pub fn from_vars(get: &VarLookup<'_>, jwt_secret: &[u8]) -> Result<OAuthConfig, ConfigError> {
    let mut providers: Vec<ProviderSpec> = Vec::new();
    providers.extend(google(get)?);
    providers.extend(github(get)?);
    for p in oidc_providers(get)? {
        if p.id == crate::providers::emailpass::EMAILPASS || providers.iter().any(|q| q.id == p.id)
        {
            return Err(invalid(
                OIDC_PROVIDERS,
                format!("the provider id {:?} is already taken", p.id),
            ));
        }
        providers.push(p);
    }
    let redirects = RedirectAllowList::parse(&get(ALLOWED_REDIRECT_URLS).unwrap_or_default())
        .map_err(|e| invalid(ALLOWED_REDIRECT_URLS, e.0))?;
    Ok(OAuthConfig {
        providers: providers.into_iter().map(Rc::new).collect(),
        redirects,
        binding: BrowserBinding::derive(jwt_secret),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_oidc_option_is_a_field_of_an_oidc_entry() {
        let mut options = serde_json::Map::new();
        for name in OIDC_OPTIONS {
            let value = match name {
                "scopes" => json!(["openid"]),
                "allowedAudiences" => json!(["corp-api"]),
                "tokenEndpointAuthMethod" => json!("client_secret_post"),
                "clientId" | "clientSecret" => json!("x"),
                _ => json!("https://idp.example/x"),
            };
            options.insert(name.to_owned(), value);
        }
        let spec = oidc_provider("corp", options).unwrap();
        assert_eq!(spec.id, "corp");
        assert_eq!(spec.client_auth, ClientAuth::Post);
        assert_eq!(spec.discovery_url, None, "every endpoint was given");
    }

    #[test]
    fn an_oidc_provider_without_a_secret_gets_medusa_message_without_a_variable_hint() {
        let options = json!({ "issuer": "https://idp.example", "clientId": "x", "callbackUrl": "https://shop.example/cb" });
        let e = oidc_provider("corp", options.as_object().unwrap().clone()).unwrap_err();
        assert_eq!(e.message, "corp clientSecret is required");
    }

    #[test]
    fn every_google_and_github_option_names_a_variable_the_builder_reads() {
        for (names, build) in [
            (&GOOGLE_OPTIONS[..], google as fn(&VarLookup<'_>) -> _),
            (&GITHUB_OPTIONS[..], github),
        ] {
            for (option, var) in names {
                // A bad URL in that one variable is reported against it, so the builder reads it.
                let bad = |v: &str| match v {
                    v if v == *var => Some("not a url".to_owned()),
                    v if v.ends_with("_CALLBACK_URL") => Some("https://shop.example/cb".into()),
                    v if v.ends_with("_CLIENT_ID") || v.ends_with("_CLIENT_SECRET") => {
                        Some("x".into())
                    }
                    _ => None,
                };
                let read = match build(&bad) {
                    Err(e) => e.var == *var,
                    Ok(spec) => {
                        format!("{spec:?}").contains("not a url") || option.starts_with("client")
                    }
                };
                assert!(read, "{option} ({var}) is not read");
            }
        }
    }
}
