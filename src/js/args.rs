//! The shapes of `AuthModuleService`'s arguments, and their readers: each argument is checked against a
//! field table (names, JSON kinds, required or not), so a wrong call is refused before any promise exists
//! with a message naming the field, then read from its table's fields ([`FromChecked`]).

use super::convert::{
    Checked, Field, FromChecked, Kind, check, check_record, describe_js, object, opt, req, strings,
    to_json,
};
use super::error::ApiError;
use crate::model::{
    AuthIdentity, AuthIdentityFilter, AuthenticationInput, CreateAuthIdentity,
    CreateProviderIdentity, Metadata, ProviderIdentity, ProviderIdentityFilter,
    ProviderIdentityMatch, UpdateAuthIdentity, UpdateProviderIdentity,
};
use serde_json::Value;
use wasm_bindgen::JsValue;

pub const AUTHENTICATION_INPUT: &[Field] = &[
    opt("url", Kind::Str),
    opt("headers", Kind::StrMap),
    opt("query", Kind::StrMap),
    opt("body", Kind::Obj),
    opt("protocol", Kind::Str),
];

pub const CREATE_PROVIDER_IDENTITY: &[Field] = &[
    opt("id", Kind::Str),
    req("entity_id", Kind::Str),
    req("provider", Kind::Str),
    opt("auth_identity_id", Kind::Str),
    opt("user_metadata", Kind::ObjOrNull),
    opt("provider_metadata", Kind::ObjOrNull),
    // Medusa's rows carry them (an export of its tables): accepted and ignored.
    opt("created_at", Kind::StrOrNull),
    opt("updated_at", Kind::StrOrNull),
    opt("deleted_at", Kind::StrOrNull),
];

pub const CREATE_AUTH_IDENTITY: &[Field] = &[
    opt("id", Kind::Str),
    opt("app_metadata", Kind::ObjOrNull),
    opt(
        "provider_identities",
        Kind::Records(CREATE_PROVIDER_IDENTITY),
    ),
    opt("created_at", Kind::StrOrNull),
    opt("updated_at", Kind::StrOrNull),
    opt("deleted_at", Kind::StrOrNull),
];

pub const UPDATE_AUTH_IDENTITY: &[Field] =
    &[req("id", Kind::Str), opt("app_metadata", Kind::ObjOrNull)];

pub const UPDATE_PROVIDER_IDENTITY: &[Field] = &[
    req("id", Kind::Str),
    opt("entity_id", Kind::Str),
    opt("user_metadata", Kind::ObjOrNull),
    opt("provider_metadata", Kind::ObjOrNull),
];

pub const PROVIDER_IDENTITY_MATCH: &[Field] =
    &[opt("entity_id", Kind::Str), opt("provider", Kind::Str)];

pub const AUTH_IDENTITY_FILTER: &[Field] = &[
    opt("id", Kind::StrOrStrs),
    opt("provider_identities", Kind::Record(PROVIDER_IDENTITY_MATCH)),
    opt("app_metadata", Kind::Obj),
];

pub const PROVIDER_IDENTITY_FILTER: &[Field] = &[
    opt("id", Kind::StrOrStrs),
    opt("entity_id", Kind::Str),
    opt("auth_identity_id", Kind::Str),
    opt("provider", Kind::Str),
];

/// An `AuthIdentity` as the API hands it out (what `issueToken` takes).
pub const PROVIDER_IDENTITY: &[Field] = &[
    req("id", Kind::Str),
    req("entity_id", Kind::Str),
    req("provider", Kind::Str),
    req("auth_identity_id", Kind::Str),
    opt("user_metadata", Kind::ObjOrNull),
    opt("provider_metadata", Kind::ObjOrNull),
];
pub const AUTH_IDENTITY: &[Field] = &[
    req("id", Kind::Str),
    opt("app_metadata", Kind::ObjOrNull),
    opt("provider_identities", Kind::Records(PROVIDER_IDENTITY)),
];

/// `changePassword`'s data. Absent passwords are the core's to refuse, with the Worker's messages.
pub const PASSWORD_CHANGE: &[Field] = &[
    opt("currentPassword", Kind::Str),
    opt("password", Kind::Str),
];

/// Who is asking, for the per-client rate limits: the client's IP, as the caller knows it.
pub const REQUEST_CONTEXT: &[Field] = &[opt("client", Kind::StrOrNull)];

/// `countAttempt`'s attempt.
pub const ATTEMPT: &[Field] = &[
    req("provider", Kind::Str),
    opt("client", Kind::StrOrNull),
    opt("identifier", Kind::StrOrNull),
];

/// Medusa's find config, as far as it applies: every relation is always loaded; skip/take page lists.
pub const LIST_CONFIG: &[Field] = &[
    opt("relations", Kind::Strs),
    opt("skip", Kind::Count),
    opt("take", Kind::Count),
];
pub const RETRIEVE_CONFIG: &[Field] = &[opt("relations", Kind::Strs)];

/// What a CRUD promise resolves with: as Medusa, one record for one given, an array for an array, and
/// nothing for deletes.
#[derive(Clone, Copy)]
pub enum Shape {
    One,
    Many,
    Nothing,
}

/// Checks `data` (one record or an array) against `fields` and reads it.
pub fn records<T: FromChecked>(
    data: &JsValue,
    what: &str,
    fields: &'static [Field],
) -> Result<(Vec<T>, Shape), ApiError> {
    required(data, what)?;
    let mut json = to_json(data, what)?;
    if !json.is_array() {
        check_record(&mut json, what, fields)?;
        return Ok((vec![T::from_checked(Checked::new(json))], Shape::One));
    }
    check(&mut json, what, Kind::Records(fields))?;
    let read = match json {
        Value::Array(items) => items
            .into_iter()
            .map(|v| T::from_checked(Checked::new(v)))
            .collect(),
        _ => Vec::new(),
    };
    Ok((read, Shape::Many))
}

/// A required object argument checked against `fields` and read (`undefined` is refused).
pub fn record<T: FromChecked>(
    value: &JsValue,
    what: &str,
    fields: &'static [Field],
) -> Result<T, ApiError> {
    required(value, what)?;
    optional_record(value, what, fields)
}

/// An optional object argument (filters, config) checked against `fields`; `undefined` reads as no
/// fields.
pub fn optional_record<T: FromChecked>(
    value: &JsValue,
    what: &str,
    fields: &'static [Field],
) -> Result<T, ApiError> {
    if value.is_undefined() {
        return Ok(T::from_checked(Checked::default()));
    }
    let mut json = to_json(value, what)?;
    check_record(&mut json, what, fields)?;
    Ok(T::from_checked(Checked::new(json)))
}

/// A required argument: `undefined` is named as such rather than read as `null`.
pub fn required(value: &JsValue, what: &str) -> Result<(), ApiError> {
    if value.is_undefined() {
        return Err(ApiError::invalid_argument(format!("{what} is required")));
    }
    Ok(())
}

pub fn string_arg(value: &JsValue, what: &str) -> Result<String, ApiError> {
    value.as_string().ok_or_else(|| {
        ApiError::invalid_argument(format!(
            "{what} must be a string, got {}",
            describe_js(value)
        ))
    })
}

pub fn ids_arg(value: &JsValue, what: &str) -> Result<Vec<String>, ApiError> {
    required(value, what)?;
    let mut json = to_json(value, what)?;
    check(&mut json, what, Kind::StrOrStrs)?;
    Ok(strings(&json))
}

/// A required argument that must be a JSON object (`updateProvider`'s data, a reset's data).
pub fn object_arg(value: &JsValue, what: &str) -> Result<Metadata, ApiError> {
    required(value, what)?;
    let mut json = to_json(value, what)?;
    check(&mut json, what, Kind::Obj)?;
    Ok(object(json))
}

/// The page of a list (`LIST_CONFIG`); `relations` are always all loaded.
pub struct ListConfig {
    skip: Option<u32>,
    take: Option<u32>,
}

impl FromChecked for ListConfig {
    fn from_checked(mut c: Checked) -> Self {
        Self {
            skip: c.count("skip"),
            take: c.count("take"),
        }
    }
}

/// A config argument that is only checked (`RETRIEVE_CONFIG`: nothing in it changes the answer).
impl FromChecked for () {
    fn from_checked(_: Checked) -> Self {}
}

pub fn page<T>(items: Vec<T>, config: &ListConfig) -> Vec<T> {
    let or = |n: Option<u32>, absent: usize| n.map_or(absent, |n| n as usize);
    items
        .into_iter()
        .skip(or(config.skip, 0))
        .take(or(config.take, usize::MAX))
        .collect()
}

// The model's inputs, read from the tables above. A field a table requires is there (`unwrap_or_default`
// only satisfies the type).

impl FromChecked for AuthenticationInput {
    fn from_checked(mut c: Checked) -> Self {
        Self {
            url: c.text("url"),
            headers: c.text_map("headers"),
            query: c.text_map("query"),
            body: c.object("body").unwrap_or_default(),
            protocol: c.text("protocol"),
        }
    }
}

impl FromChecked for CreateProviderIdentity {
    fn from_checked(mut c: Checked) -> Self {
        Self {
            id: c.text("id"),
            entity_id: c.text("entity_id").unwrap_or_default(),
            provider: c.text("provider").unwrap_or_default(),
            auth_identity_id: c.text("auth_identity_id"),
            user_metadata: c.object("user_metadata"),
            provider_metadata: c.object("provider_metadata"),
        }
    }
}

impl FromChecked for CreateAuthIdentity {
    fn from_checked(mut c: Checked) -> Self {
        Self {
            id: c.text("id"),
            app_metadata: c.object("app_metadata"),
            provider_identities: c.records("provider_identities"),
        }
    }
}

impl FromChecked for UpdateAuthIdentity {
    fn from_checked(mut c: Checked) -> Self {
        Self {
            id: c.text("id").unwrap_or_default(),
            app_metadata: c.object("app_metadata"),
        }
    }
}

impl FromChecked for UpdateProviderIdentity {
    fn from_checked(mut c: Checked) -> Self {
        Self {
            id: c.text("id").unwrap_or_default(),
            entity_id: c.text("entity_id"),
            provider_metadata: c.object("provider_metadata"),
            user_metadata: c.object("user_metadata"),
        }
    }
}

impl FromChecked for ProviderIdentityMatch {
    fn from_checked(mut c: Checked) -> Self {
        Self {
            entity_id: c.text("entity_id"),
            provider: c.text("provider"),
        }
    }
}

impl FromChecked for AuthIdentityFilter {
    fn from_checked(mut c: Checked) -> Self {
        Self {
            id: c.texts("id"),
            provider_identities: c.record("provider_identities"),
            app_metadata: c.object("app_metadata"),
        }
    }
}

impl FromChecked for ProviderIdentityFilter {
    fn from_checked(mut c: Checked) -> Self {
        Self {
            id: c.texts("id"),
            entity_id: c.text("entity_id"),
            auth_identity_id: c.text("auth_identity_id"),
            provider: c.text("provider"),
        }
    }
}

impl FromChecked for ProviderIdentity {
    fn from_checked(mut c: Checked) -> Self {
        Self {
            id: c.text("id").unwrap_or_default(),
            entity_id: c.text("entity_id").unwrap_or_default(),
            provider: c.text("provider").unwrap_or_default(),
            auth_identity_id: c.text("auth_identity_id").unwrap_or_default(),
            user_metadata: c.object("user_metadata"),
            provider_metadata: c.object("provider_metadata"),
        }
    }
}

impl FromChecked for AuthIdentity {
    fn from_checked(mut c: Checked) -> Self {
        Self {
            id: c.text("id").unwrap_or_default(),
            app_metadata: c.object("app_metadata"),
            provider_identities: c.records("provider_identities"),
        }
    }
}
