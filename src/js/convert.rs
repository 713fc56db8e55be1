//! JavaScript values to Rust and back.
//!
//! Data (flow inputs, CRUD records, filters) crosses as JSON: `JSON.stringify` on the way in, checked
//! against a small field table so a wrong call gets a message naming the field, then read field by field
//! ([`Checked`]; no derived `Deserialize`, each of which is kilobytes of wasm: docs/performance.md).
//! Everything going out is serialised with serde and handed over with `JSON.parse`, so callers get plain
//! objects with Medusa's field names.

use super::error::ApiError;
use crate::js_object;
pub use crate::js_object::message_of;
use js_sys::{JSON, Object};
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use wasm_bindgen::{JsCast, JsValue};

/// "a string", "null", "an array", … for messages about what was passed.
pub fn describe_js(value: &JsValue) -> &'static str {
    if value.is_undefined() {
        "undefined"
    } else if value.is_null() {
        "null"
    } else if value.as_string().is_some() {
        "a string"
    } else if value.as_f64().is_some() {
        "a number"
    } else if value.as_bool().is_some() {
        "a boolean"
    } else if value.is_function() {
        "a function"
    } else if js_sys::Array::is_array(value) {
        "an array"
    } else if value.is_bigint() {
        "a bigint"
    } else if value.is_symbol() {
        "a symbol"
    } else {
        "an object"
    }
}

/// A number as JavaScript writes it (`1.5`, `NaN`, `1e+21`), for messages: Rust's float formatting
/// would add ~17 KB to the wasm for them alone.
pub fn number_text(n: f64) -> String {
    js_sys::Number::from(n)
        .to_string_with_radix(10)
        .map(String::from)
        .unwrap_or_default()
}

pub fn describe_json(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// `value` as an object that is neither an array nor a function.
pub fn plain_object(value: &JsValue, what: &str) -> Result<Object, ApiError> {
    if value.is_object() && !js_sys::Array::is_array(value) && !value.is_function() {
        Ok(value.clone().unchecked_into())
    } else {
        Err(ApiError::invalid_argument(format!(
            "{what} must be an object, got {}",
            describe_js(value)
        )))
    }
}

/// `object[key]`; a throwing getter (e.g. a revoked Proxy) reads as a bad argument.
pub fn property(object: &Object, key: &str, what: &str) -> Result<JsValue, ApiError> {
    js_object::get(object, key).map_err(|e| {
        ApiError::invalid_argument(format!("{what}.{key} cannot be read: {}", message_of(&e)))
    })
}

pub fn own_keys(object: &Object) -> Vec<String> {
    Object::keys(object)
        .iter()
        .filter_map(|k| k.as_string())
        .collect()
}

/// A JavaScript value as JSON (`undefined` becomes `null`).
pub fn to_json(value: &JsValue, what: &str) -> Result<Value, ApiError> {
    if value.is_undefined() {
        return Ok(Value::Null);
    }
    let text = JSON::stringify(value).map_err(|e| {
        ApiError::invalid_argument(format!(
            "{what} must be JSON-serialisable: {}",
            message_of(&e)
        ))
    })?;
    let text = String::from(text);
    crate::json_fields::parse(&text)
        .map_err(|e| ApiError::invalid_argument(format!("{what} is not valid JSON data: {e}")))
}

/// A Rust value as a plain JavaScript object.
pub fn to_js<T: Serialize>(value: &T) -> JsValue {
    // Serialising these types cannot fail (string keys, no custom serialisers); `null` is the fallback.
    let text = serde_json::to_string(value).unwrap_or_else(|_| "null".into());
    JSON::parse(&text).unwrap_or(JsValue::NULL)
}

/// An object argument checked against its field table with [`check_record`]: every field present has
/// its [`Kind`], so the readers below cannot meet another type. Each takes its field out (no copy), and
/// reads `null` as absent, as the optional fields mean it.
#[derive(Default)]
pub struct Checked(Map<String, Value>);

/// A type read from a [`Checked`] record; its fields are the ones its table declares.
pub trait FromChecked {
    fn from_checked(record: Checked) -> Self;
}

impl Checked {
    /// `value`, which [`check_record`] accepted (an object); anything else reads as no fields.
    pub fn new(value: Value) -> Self {
        match value {
            Value::Object(map) => Self(map),
            _ => Self::default(),
        }
    }

    fn take(&mut self, name: &str) -> Option<Value> {
        self.0.remove(name).filter(|v| !v.is_null())
    }

    /// A `Str` or `StrOrNull` field.
    pub fn text(&mut self, name: &str) -> Option<String> {
        match self.take(name)? {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// An `Obj` or `ObjOrNull` field.
    pub fn object(&mut self, name: &str) -> Option<Map<String, Value>> {
        match self.take(name)? {
            Value::Object(map) => Some(map),
            _ => None,
        }
    }

    /// A `StrMap` field; empty when absent.
    pub fn text_map(&mut self, name: &str) -> BTreeMap<String, String> {
        let entries = self.object(name).unwrap_or_default().into_iter();
        crate::maps::btree(entries.filter_map(|(k, v)| match v {
            Value::String(s) => Some((k, s)),
            _ => None,
        }))
    }

    /// A `Strs` or `StrOrStrs` field (the check turned a lone string into an array).
    pub fn texts(&mut self, name: &str) -> Option<Vec<String>> {
        self.take(name).map(|v| strings(&v))
    }

    /// A `Count` field; a count beyond `u32` reads as `u32::MAX`, for the domain's range check to refuse.
    pub fn count(&mut self, name: &str) -> Option<u32> {
        let n = self.take(name)?.as_u64()?;
        Some(u32::try_from(n).unwrap_or(u32::MAX))
    }

    /// A `Record` field.
    pub fn record<T: FromChecked>(&mut self, name: &str) -> Option<T> {
        self.take(name).map(|v| T::from_checked(Self::new(v)))
    }

    /// A `Records` field; empty when absent.
    pub fn records<T: FromChecked>(&mut self, name: &str) -> Vec<T> {
        match self.take(name) {
            Some(Value::Array(items)) => items
                .into_iter()
                .map(|v| T::from_checked(Self::new(v)))
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// The strings of a value checked as `Strs` or `StrOrStrs`.
pub fn strings(value: &Value) -> Vec<String> {
    crate::json_fields::strings(value).unwrap_or_default()
}

/// The object of a value checked as `Obj`.
pub fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// The JSON types a field may have.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    Str,
    /// A string or `null` (e.g. a header that may be absent).
    StrOrNull,
    /// A non-negative whole number.
    Count,
    /// An object of strings (`headers`, `query`).
    StrMap,
    /// Any object (`body`).
    Obj,
    /// An object or `null` (the metadata columns).
    ObjOrNull,
    /// A string array.
    Strs,
    /// A string or a string array; a string is turned into a one-element array.
    StrOrStrs,
    Record(&'static [Field]),
    Records(&'static [Field]),
}

#[derive(Debug, Clone, Copy)]
pub struct Field {
    pub name: &'static str,
    pub kind: Kind,
    pub required: bool,
}

pub const fn opt(name: &'static str, kind: Kind) -> Field {
    Field {
        name,
        kind,
        required: false,
    }
}

pub const fn req(name: &'static str, kind: Kind) -> Field {
    Field {
        name,
        kind,
        required: true,
    }
}

fn names(fields: &[Field]) -> String {
    fields.iter().map(|f| f.name).collect::<Vec<_>>().join(", ")
}

/// Checks that `value` is an object with only `fields`, each of its kind; `at` names it in messages.
pub fn check_record(value: &mut Value, at: &str, fields: &[Field]) -> Result<(), ApiError> {
    let Value::Object(map) = value else {
        return Err(ApiError::invalid_argument(format!(
            "{at} must be an object, got {}",
            describe_json(value)
        )));
    };
    if let Some(unknown) = map.keys().find(|k| !fields.iter().any(|f| f.name == *k)) {
        return Err(ApiError::invalid_argument(format!(
            "{at} has no field `{unknown}`; its fields are: {}",
            names(fields)
        )));
    }
    for field in fields {
        let path = format!("{at}.{}", field.name);
        match map.get_mut(field.name) {
            Some(v) => check(v, &path, field.kind)?,
            None if field.required => {
                return Err(ApiError::invalid_argument(format!("{path} is required")));
            }
            None => {}
        }
    }
    Ok(())
}

/// Checks one value against its kind (see [`Kind`]), normalising `StrOrStrs`.
pub fn check(value: &mut Value, at: &str, kind: Kind) -> Result<(), ApiError> {
    let wrong = |expected: &str, value: &Value| {
        ApiError::invalid_argument(format!(
            "{at} must be {expected}, got {}",
            describe_json(value)
        ))
    };
    let all_strings = |items: &[Value]| items.iter().all(Value::is_string);
    match (kind, &mut *value) {
        (Kind::Str, Value::String(_)) | (Kind::Obj, Value::Object(_)) => Ok(()),
        (Kind::StrOrNull, Value::String(_) | Value::Null) => Ok(()),
        (Kind::ObjOrNull, Value::Object(_) | Value::Null) => Ok(()),
        (Kind::Count, Value::Number(n)) if n.is_u64() => Ok(()),
        (Kind::StrMap, Value::Object(map)) => match map.iter().find(|(_, v)| !v.is_string()) {
            None => Ok(()),
            Some((k, v)) => Err(ApiError::invalid_argument(format!(
                "{at}.{k} must be a string, got {}",
                describe_json(v)
            ))),
        },
        (Kind::Strs | Kind::StrOrStrs, Value::Array(items)) if all_strings(items) => Ok(()),
        (Kind::StrOrStrs, Value::String(s)) => {
            *value = Value::Array(vec![Value::String(std::mem::take(s))]);
            Ok(())
        }
        (Kind::Record(fields), _) => check_record(value, at, fields),
        (Kind::Records(fields), Value::Array(items)) => {
            for (i, item) in items.iter_mut().enumerate() {
                check_record(item, &format!("{at}[{i}]"), fields)?;
            }
            Ok(())
        }
        (Kind::Str, v) => Err(wrong("a string", v)),
        (Kind::StrOrNull, v) => Err(wrong("a string or null", v)),
        (Kind::Count, v) => Err(wrong("a whole number >= 0", v)),
        (Kind::StrMap, v) => Err(wrong("an object of strings", v)),
        (Kind::Obj, v) => Err(wrong("an object", v)),
        (Kind::ObjOrNull, v) => Err(wrong("an object or null", v)),
        (Kind::Strs, v) => Err(wrong("an array of strings", v)),
        (Kind::StrOrStrs, v) => Err(wrong("a string or an array of strings", v)),
        (Kind::Records(_), v) => Err(wrong("an array of objects", v)),
    }
}
