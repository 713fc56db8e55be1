//! Medusa 2.16+'s forms of the reset-token methods, chosen when the first argument is an object:
//! `createPasswordResetToken({ provider, entity_id, ttl_seconds? })` → `{ jti, expires_at: Date }` and
//! `consumePasswordResetToken({ jti, provider, entity_id })` → `{ auth_identity_id, provider_identity_id,
//! entity_id }` ([`crate::account::AccountService::create_reset_jti`]). Only argument checks here.

use super::convert::{describe_json, to_js, to_json};
use super::error::ApiError;
use super::promise::promise_js;
use crate::account::AccountService;
use crate::scope::ProviderId;
use js_sys::{Date, Promise, Reflect};
use serde_json::{Map, Value};
use std::rc::Rc;
use wasm_bindgen::prelude::*;

/// Medusa's default lifetime of an issued jti.
const DEFAULT_TTL_SECS: u64 = 900;

/// The object argument, checked to hold exactly `fields` (each a string, but `ttl_seconds`).
fn object(value: &JsValue, what: &str, fields: &[&str]) -> Result<Map<String, Value>, ApiError> {
    let Value::Object(map) = to_json(value, what)? else {
        return Err(ApiError::invalid_argument(format!(
            "{what} must be an object"
        )));
    };
    if let Some(unknown) = map.keys().find(|k| !fields.contains(&k.as_str())) {
        return Err(ApiError::invalid_argument(format!(
            "{what} has no field `{unknown}`"
        )));
    }
    Ok(map)
}

fn text(map: &Map<String, Value>, what: &str, field: &str) -> Result<String, ApiError> {
    match map.get(field) {
        Some(Value::String(s)) if !s.is_empty() => Ok(s.clone()),
        other => Err(ApiError::invalid_argument(format!(
            "{what}.{field} must be a non-empty string, got {}",
            other.map_or("undefined", describe_json)
        ))),
    }
}

fn provider(map: &Map<String, Value>, what: &str) -> Result<ProviderId, ApiError> {
    let id = text(map, what, "provider")?;
    ProviderId::parse(&id).ok_or_else(|| {
        ApiError::invalid_argument(format!("{what}.provider must be a provider id, got {id:?}"))
    })
}

/// `createPasswordResetToken(data)`.
pub fn create(account: Rc<AccountService>, data: &JsValue) -> Result<Promise, JsValue> {
    let what = "createPasswordResetToken(data): data";
    let map = object(data, what, &["provider", "entity_id", "ttl_seconds"])?;
    let provider = provider(&map, what)?;
    let entity_id = text(&map, what, "entity_id")?;
    // Anything but a positive integer is 0, which the domain refuses with Medusa's message.
    let ttl_secs = match map.get("ttl_seconds") {
        None | Some(Value::Null) => DEFAULT_TTL_SECS,
        Some(v) => v.as_u64().unwrap_or(0),
    };
    Ok(promise_js(Box::pin(async move {
        let issued = account
            .create_reset_jti(&provider, &entity_id, ttl_secs)
            .await
            .map_err(ApiError::from)?;
        let answer = to_js(&serde_json::json!({ "jti": issued.jti }));
        // Medusa answers a Date; u64 milliseconds fit an f64 exactly for millennia.
        #[allow(clippy::cast_precision_loss)]
        let expires_at = Date::new(&JsValue::from_f64(issued.expires_at_ms as f64));
        Reflect::set(&answer, &JsValue::from_str("expires_at"), &expires_at)?;
        Ok(answer)
    })))
}

/// `consumePasswordResetToken(data)`.
pub fn consume(account: Rc<AccountService>, data: &JsValue) -> Result<Promise, JsValue> {
    let what = "consumePasswordResetToken(data): data";
    let map = object(data, what, &["jti", "provider", "entity_id"])?;
    let jti = text(&map, what, "jti")?;
    let provider = provider(&map, what)?;
    let entity_id = text(&map, what, "entity_id")?;
    Ok(promise_js(Box::pin(async move {
        let consumed = account
            .consume_reset_jti(&jti, &provider, &entity_id)
            .await
            .map_err(ApiError::from)?;
        Ok(to_js(&consumed))
    })))
}
