//! The shapes of `AuthModuleService`'s arguments, and their readers: each argument is checked against a
//! field table (names, JSON kinds, required or not), so a wrong call is refused before any promise exists
//! with a message naming the field.

use super::convert::{Field, Kind, check, check_record, describe_js, from_json, opt, req, to_json};
use super::error::ApiError;
use serde::de::DeserializeOwned;
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
pub fn records<T: DeserializeOwned>(
    data: &JsValue,
    what: &str,
    fields: &'static [Field],
) -> Result<(Vec<T>, Shape), ApiError> {
    required(data, what)?;
    let mut json = to_json(data, what)?;
    let shape = if json.is_array() {
        check(&mut json, what, Kind::Records(fields))?;
        Shape::Many
    } else {
        check_record(&mut json, what, fields)?;
        json = Value::Array(vec![json]);
        Shape::One
    };
    Ok((from_json(json, what)?, shape))
}

/// A required object argument checked against `fields` and read (`undefined` is refused).
pub fn record<T: DeserializeOwned>(
    value: &JsValue,
    what: &str,
    fields: &'static [Field],
) -> Result<T, ApiError> {
    required(value, what)?;
    let mut json = to_json(value, what)?;
    check_record(&mut json, what, fields)?;
    from_json(json, what)
}

/// An optional object argument (filters, config) checked against `fields`.
pub fn optional_record<T: DeserializeOwned + Default>(
    value: &JsValue,
    what: &str,
    fields: &'static [Field],
) -> Result<T, ApiError> {
    if value.is_undefined() {
        return Ok(T::default());
    }
    let mut json = to_json(value, what)?;
    check_record(&mut json, what, fields)?;
    from_json(json, what)
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
    from_json(json, what)
}

#[derive(Default, serde::Deserialize)]
pub struct ListConfig {
    skip: Option<usize>,
    take: Option<usize>,
}

pub fn page<T>(items: Vec<T>, config: &ListConfig) -> Vec<T> {
    let take = config.take.unwrap_or(usize::MAX);
    items
        .into_iter()
        .skip(config.skip.unwrap_or(0))
        .take(take)
        .collect()
}
