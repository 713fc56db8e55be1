//! `new AuthModuleService({ store, providers })`: the options, read in one place. Every failure names
//! the option (`options.providers[0].options.iterations`) and says what to pass instead.
//!
//! A provider is one arm of [`provider`]: it reads its options through [`ProviderOptions`], which refuses
//! any option the provider did not ask for.

use super::convert::{describe_js, own_keys, plain_object, property};
use super::error::{ApiError, Code};
use super::kv::JsKvStore;
use crate::password::{self, Hasher};
use crate::provider::AuthProvider;
use crate::providers::emailpass::{EMAILPASS, EmailPass};
use js_sys::{Array, Object};
use std::rc::Rc;
use wasm_bindgen::JsValue;

/// Provider ids this build implements, for messages.
const PROVIDER_IDS: &[&str] = &[EMAILPASS];

pub struct ServiceOptions {
    pub store: JsKvStore,
    pub providers: Vec<Rc<dyn AuthProvider>>,
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
    only_known_keys(&object, AT, &["store", "providers"])?;
    let store = JsKvStore::from_js(&property(&object, "store", AT)?)?;
    let providers = property(&object, "providers", AT)?;
    let providers = if providers.is_undefined() {
        // Medusa registers emailpass when no provider is configured.
        vec![provider(
            EMAILPASS,
            ProviderOptions::empty("options.providers[emailpass].options"),
        )?]
    } else {
        parse_providers(&providers)?
    };
    Ok(ServiceOptions { store, providers })
}

fn parse_providers(value: &JsValue) -> Result<Vec<Rc<dyn AuthProvider>>, ApiError> {
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
        only_known_keys(&object, &at, &["id", "options"])?;
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
        let options_at = format!("{at}.options");
        let options = ProviderOptions::new(&property(&object, "options", &at)?, options_at)?;
        out.push(provider(&id, options)?);
        ids.push(id);
    }
    Ok(out)
}

/// One arm per provider id. OAuth providers (google, github, oidc) are added here.
fn provider(id: &str, options: ProviderOptions) -> Result<Rc<dyn AuthProvider>, ApiError> {
    match id {
        EMAILPASS => emailpass(options),
        other => Err(ApiError::new(
            Code::UnknownProvider,
            format!(
                "there is no auth provider \"{other}\" in edge-auth; the providers are: {}",
                PROVIDER_IDS.join(", ")
            ),
        )),
    }
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
                "{}.{name} must be a whole number, got {n}",
                self.at
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
