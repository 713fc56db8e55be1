//! `new AuthModuleService({ store, providers, ...account })`: the options, read in one place (the account
//! options in [`super::account_options`]). Every failure names the option
//! (`options.providers[0].options.iterations`) and says what to pass instead.
//!
//! A provider is one arm of [`provider`]: it reads its options through [`ProviderOptions`], which refuses
//! any option the provider did not ask for.

use super::account_options::{self, AccountOptions};
use super::convert::{describe_js, number_text, own_keys, plain_object, property, to_json};
use super::error::{ApiError, Code};
use super::kv::store_from_js;
use crate::config::vars::{ConfigError, VarLookup};
use crate::contract;
use crate::fetch::FetchClient;
use crate::js_kv::JsKv;
use crate::oauth::OAuthProvider;
use crate::oauth::config::{self as oauth_config, OAuthConfig};
use crate::oauth::redirect::RedirectAllowList;
use crate::oauth::spec::{GITHUB, GOOGLE, ProviderSpec};
use crate::oauth::state::BrowserBinding;
use crate::password::{self, Hasher};
use crate::ports::http::HttpClient;
use crate::provider::AuthProvider;
use crate::providers::emailpass::{EMAILPASS, EmailPass};
use js_sys::{Array, Object};
use std::rc::Rc;
use wasm_bindgen::JsValue;

/// Provider ids this build implements, for messages.
const PROVIDER_IDS: &[&str] = &[EMAILPASS, GOOGLE, GITHUB];

/// The `type` of an entry configuring a generic OpenID Connect provider under its own id.
const OIDC_TYPE: &str = "oidc";

pub struct ServiceOptions {
    pub store: JsKv,
    pub providers: Vec<Rc<dyn AuthProvider>>,
    /// `None` without `jwtSecret`: the account methods then throw.
    pub account: Option<AccountOptions>,
}

fn unknown_option(at: &str, key: &str, known: &[&str]) -> ApiError {
    ApiError::new(
        Code::UnknownOption,
        format!(
            "{at} has no option `{key}`; the options are: {}",
            known.join(", ")
        ),
    )
}

/// Refuses keys of `object` not in `known`.
fn only_known_keys(object: &Object, at: &str, known: &[&str]) -> Result<(), ApiError> {
    match own_keys(object)
        .into_iter()
        .find(|k| !known.contains(&k.as_str()))
    {
        Some(key) => Err(unknown_option(at, &key, known)),
        None => Ok(()),
    }
}

pub fn parse(options: &JsValue) -> Result<ServiceOptions, ApiError> {
    const AT: &str = "options";
    if options.is_undefined() || options.is_null() {
        return Err(ApiError::new(
            Code::InvalidStore,
            "new AuthModuleService(options) needs options: pass { store: env.AUTH_KV } (a Workers KV \
             binding) or { store: new MemoryStore() }, and optionally providers: [{ id: \"emailpass\" }]",
        ));
    }
    let object = plain_object(options, "new AuthModuleService(options): options")?;
    let known: Vec<&str> = ["store", "providers"]
        .into_iter()
        .chain(account_options::KEYS)
        .collect();
    only_known_keys(&object, AT, &known)?;
    let store = store_from_js(&property(&object, "store", AT)?)?;
    let providers = property(&object, "providers", AT)?;
    let entries = if providers.is_undefined() {
        // Medusa registers emailpass when no provider is configured.
        vec![provider(
            EMAILPASS,
            None,
            ProviderOptions::empty("options.providers[emailpass].options"),
        )?]
    } else {
        parse_providers(&providers)?
    };
    Ok(ServiceOptions {
        store,
        providers: build(entries)?,
        account: account_options::parse(&object)?,
    })
}

/// A parsed entry: a finished provider, or a third party waiting for the shared [`OAuthConfig`].
enum Entry {
    Ready(Rc<dyn AuthProvider>),
    OAuth(ProviderSpec),
}

/// The providers in configuration order; the third parties share one config and one fetch client.
fn build(entries: Vec<Entry>) -> Result<Vec<Rc<dyn AuthProvider>>, ApiError> {
    let mut specs = Vec::new();
    let mut slots = Vec::new();
    for entry in entries {
        match entry {
            Entry::Ready(p) => slots.push(Some(p)),
            Entry::OAuth(spec) => {
                specs.push(Rc::new(spec));
                slots.push(None);
            }
        }
    }
    if specs.is_empty() {
        return Ok(slots.into_iter().flatten().collect());
    }
    // No per-request `callback_url` override and no redirect mode (the Worker's own 302s): the
    // allow-list is empty, and the browser-binding key is random (nothing here sets its cookie).
    let key = crate::ports::random::bytes::<32>().map_err(|e| {
        ApiError::invalid_argument(format!("no randomness for third-party sign-in: {e}"))
    })?;
    let config = Rc::new(OAuthConfig {
        providers: specs.clone(),
        redirects: RedirectAllowList::parse("").expect("the empty allow-list parses"),
        binding: BrowserBinding::derive(&key),
    });
    let http: Rc<dyn HttpClient> = Rc::new(FetchClient);
    let mut specs = specs.into_iter();
    Ok(slots
        .into_iter()
        .map(|slot| {
            slot.unwrap_or_else(|| {
                let spec = specs.next().expect("one spec per third-party slot");
                Rc::new(OAuthProvider::new(spec, config.clone(), http.clone()))
            })
        })
        .collect())
}

fn parse_providers(value: &JsValue) -> Result<Vec<Entry>, ApiError> {
    if !Array::is_array(value) {
        return Err(ApiError::invalid_argument(format!(
            "options.providers must be an array like [{{ id: \"emailpass\", options: {{ iterations: 600000 }} }}], got {}",
            describe_js(value)
        )));
    }
    let mut ids: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for (i, entry) in Array::from(value).iter().enumerate() {
        let at = format!("options.providers[{i}]");
        let object = plain_object(&entry, &at)?;
        only_known_keys(&object, &at, &["id", "type", "options"])?;
        let id = property(&object, "id", &at)?;
        let id = id.as_string().ok_or_else(|| {
            ApiError::invalid_argument(format!(
                "{at}.id must be a provider id string such as \"emailpass\", got {}",
                describe_js(&id)
            ))
        })?;
        if ids.contains(&id) {
            return Err(ApiError::invalid_argument(format!(
                "{at}: provider \"{id}\" is configured twice; list each provider once"
            )));
        }
        let kind = property(&object, "type", &at)?;
        let kind = match kind.as_string() {
            _ if kind.is_undefined() => None,
            Some(kind) if kind == OIDC_TYPE => Some(kind),
            _ => {
                return Err(ApiError::invalid_argument(format!(
                    "{at}.type must be \"{OIDC_TYPE}\" (a generic OpenID Connect provider) or left out, got {}",
                    kind.as_string()
                        .map_or_else(|| describe_js(&kind).to_owned(), |k| format!("{k:?}"))
                )));
            }
        };
        let options_at = format!("{at}.options");
        let options = ProviderOptions::new(&property(&object, "options", &at)?, options_at)?;
        out.push(provider(&id, kind.as_deref(), options)?);
        ids.push(id);
    }
    Ok(out)
}

/// One arm per provider id, or per `type`.
fn provider(id: &str, kind: Option<&str>, options: ProviderOptions) -> Result<Entry, ApiError> {
    match (id, kind) {
        (EMAILPASS, None) => emailpass(options).map(Entry::Ready),
        (GOOGLE, None) => preset(
            options,
            "Google",
            &oauth_config::GOOGLE_OPTIONS,
            oauth_config::google,
        ),
        (GITHUB, None) => preset(
            options,
            "Github",
            &oauth_config::GITHUB_OPTIONS,
            oauth_config::github,
        ),
        (EMAILPASS, Some(_)) => Err(ApiError::invalid_argument(format!(
            "{}: \"{EMAILPASS}\" is the email and password provider; give the OpenID Connect provider another id",
            options.at
        ))),
        (_, Some(_)) => oidc(id, options),
        (other, None) => Err(ApiError::new(
            Code::UnknownProvider,
            format!(
                "there is no auth provider \"{other}\" in edge-auth; the providers are: {}, or \
                 {{ id: \"{other}\", type: \"{OIDC_TYPE}\", options: {{ issuer, clientId, clientSecret, callbackUrl }} }} \
                 for an OpenID Connect provider",
                PROVIDER_IDS.join(", ")
            ),
        )),
    }
}

/// `oauth::config::google` or `oauth::config::github`.
type BuildSpec = fn(&VarLookup<'_>) -> Result<Option<ProviderSpec>, ConfigError>;

/// A configuration error of a third party, naming the option that holds `var` (if one does).
fn config_error(at: &str, names: &[(&str, &str)], e: ConfigError) -> ApiError {
    match names.iter().find(|(_, var)| *var == e.var) {
        Some((option, _)) => ApiError::invalid_argument(format!("{at}.{option}: {}", e.message)),
        None => ApiError::invalid_argument(format!("{at}: {}", e.message)),
    }
}

/// Google or GitHub: the options are the Worker's variables under camelCase names (`names`), and the
/// spec is built by the Worker's own `build`.
fn preset(
    mut options: ProviderOptions,
    display: &str,
    names: &'static [(&'static str, &'static str)],
    build: BuildSpec,
) -> Result<Entry, ApiError> {
    let mut vars = Vec::new();
    for (option, var) in names {
        if let Some(value) = options.string(option)? {
            vars.push((*var, value));
        }
    }
    let at = options.finish()?;
    let lookup = |var: &str| vars.iter().find(|(v, _)| *v == var).map(|(_, x)| x.clone());
    match build(&lookup) {
        Ok(Some(spec)) => Ok(Entry::OAuth(spec)),
        Ok(None) => Err(ApiError::invalid_argument(format!(
            "{at}.clientId: {}",
            contract::provider_option_required(display, "clientId")
        ))),
        Err(e) => Err(config_error(&at, names, e)),
    }
}

/// `{ id, type: "oidc", options: { issuer, clientId, clientSecret, callbackUrl, scopes?, … } }`: read
/// as an `OIDC_PROVIDERS` entry of the Worker.
fn oidc(id: &str, mut options: ProviderOptions) -> Result<Entry, ApiError> {
    let mut fields = serde_json::Map::new();
    for name in oauth_config::OIDC_OPTIONS {
        let value = if matches!(name, "scopes" | "allowedAudiences") {
            let value = options.get(name)?;
            if value.is_undefined() {
                None
            } else if value.is_string() || Array::is_array(&value) {
                Some(to_json(&value, &format!("{}.{name}", options.at))?)
            } else {
                return Err(options.wrong(name, "an array of strings", &value));
            }
        } else {
            options.string(name)?.map(serde_json::Value::from)
        };
        if let Some(value) = value {
            fields.insert(name.to_owned(), value);
        }
    }
    let at = options.finish()?;
    if !oauth_config::is_valid_provider_id(id) {
        return Err(ApiError::invalid_argument(format!(
            "{}: id {id:?} must be lower-case letters, digits, '_' or '-' (at most 64)",
            at.trim_end_matches(".options")
        )));
    }
    oauth_config::oidc_provider(id, fields)
        .map(Entry::OAuth)
        .map_err(|e| ApiError::invalid_argument(format!("{at}: {}", e.message)))
}

/// `{ iterations?, pepper? }`: PBKDF2-HMAC-SHA256 work factor (default 600,000) and an optional pepper.
fn emailpass(mut options: ProviderOptions) -> Result<Rc<dyn AuthProvider>, ApiError> {
    let iterations = options
        .whole_number("iterations")?
        .unwrap_or(password::DEFAULT_ITERATIONS);
    let pepper = options.string("pepper")?;
    let at = options.finish()?;
    let hasher = Hasher::new(iterations, pepper.as_deref())
        .map_err(|e| ApiError::invalid_argument(format!("{at}.iterations: {e}")))?;
    Ok(Rc::new(EmailPass::new(Rc::new(hasher))))
}

/// A provider's `options` object, read key by key; [`ProviderOptions::finish`] refuses the rest.
struct ProviderOptions {
    object: Option<Object>,
    at: String,
    asked: Vec<&'static str>,
}

impl ProviderOptions {
    fn empty(at: &str) -> Self {
        Self {
            object: None,
            at: at.to_owned(),
            asked: Vec::new(),
        }
    }

    fn new(value: &JsValue, at: String) -> Result<Self, ApiError> {
        let object = if value.is_undefined() {
            None
        } else {
            Some(plain_object(value, &at)?)
        };
        Ok(Self {
            object,
            at,
            asked: Vec::new(),
        })
    }

    fn get(&mut self, name: &'static str) -> Result<JsValue, ApiError> {
        self.asked.push(name);
        match &self.object {
            Some(object) => property(object, name, &self.at),
            None => Ok(JsValue::UNDEFINED),
        }
    }

    fn wrong(&self, name: &str, expected: &str, got: &JsValue) -> ApiError {
        ApiError::invalid_argument(format!(
            "{}.{name} must be {expected}, got {}",
            self.at,
            describe_js(got)
        ))
    }

    fn string(&mut self, name: &'static str) -> Result<Option<String>, ApiError> {
        let value = self.get(name)?;
        if value.is_undefined() {
            return Ok(None);
        }
        value
            .as_string()
            .map(Some)
            .ok_or_else(|| self.wrong(name, "a string", &value))
    }

    fn whole_number(&mut self, name: &'static str) -> Result<Option<u32>, ApiError> {
        let value = self.get(name)?;
        if value.is_undefined() {
            return Ok(None);
        }
        match value.as_f64() {
            Some(n) if n.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&n) => {
                Ok(Some(n as u32))
            }
            Some(n) => Err(ApiError::invalid_argument(format!(
                "{}.{name} must be a whole number, got {}",
                self.at,
                number_text(n)
            ))),
            None => Err(self.wrong(name, "a whole number", &value)),
        }
    }

    /// Refuses options nobody asked for; answers where the options are, for later messages.
    fn finish(self) -> Result<String, ApiError> {
        if let Some(object) = &self.object {
            only_known_keys(object, &self.at, &self.asked)?;
        }
        Ok(self.at)
    }
}
