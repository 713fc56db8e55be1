//! [`KvStore`] over any JavaScript object shaped like a Workers KV namespace: the Worker's own binding,
//! and in the npm package whatever `options.store` is (a binding, the package's `MemoryStore`, an
//! adapter). Each call invokes the object's method and awaits what it returns, a promise or a value;
//! an answer of the wrong shape is a [`StoreError`], never a guess.

use crate::js_object::{awaited, call, get, message_of, method, set_own};
use crate::store::{KeyPage, KvStore, StoreError, keys};
use async_trait::async_trait;
use js_sys::Object;
use wasm_bindgen::JsValue;

/// Why a value cannot serve as a KV namespace.
#[derive(Debug, PartialEq, Eq)]
pub enum NotANamespace {
    /// `undefined` or `null`.
    Missing,
    /// A primitive.
    NotAnObject,
    /// The first of KV's methods the object lacks.
    NoMethod(&'static str),
}

/// KV's methods, each looked up when called (as `target.get(…)` would be).
const METHODS: [&str; 4] = ["get", "put", "delete", "list"];

pub struct JsKv(JsValue);

fn failed(op: &str, detail: impl std::fmt::Display) -> StoreError {
    StoreError(format!("store.{op}() failed: {detail}"))
}

impl JsKv {
    /// Checks the object's shape once, up front, so a wrong store fails when it is bound.
    pub fn new(target: &JsValue) -> Result<Self, NotANamespace> {
        if target.is_undefined() || target.is_null() {
            return Err(NotANamespace::Missing);
        }
        if !target.is_object() {
            return Err(NotANamespace::NotAnObject);
        }
        if let Some(name) = METHODS
            .into_iter()
            .find(|name| method(target, name).is_err())
        {
            return Err(NotANamespace::NoMethod(name));
        }
        Ok(Self(target.clone()))
    }

    /// `await target[op](...args)`.
    async fn call(&self, op: &str, args: &[JsValue]) -> Result<JsValue, StoreError> {
        let returned = call(&self.0, op, args).map_err(|e| failed(op, message_of(&e)))?;
        awaited(returned)
            .await
            .map_err(|e| failed(op, message_of(&e)))
    }
}

/// A plain object holding `fields`.
fn options(fields: &[(&str, JsValue)]) -> Object {
    let object = Object::new();
    for (key, value) in fields {
        set_own(&object, key, value);
    }
    object
}

/// `{ keys: [{ name }], list_complete, cursor }` into a [`KeyPage`].
fn key_page(result: &JsValue) -> Result<KeyPage, StoreError> {
    let bad = |what: &str| {
        failed(
            "list",
            format_args!(
                "it must resolve to {{ keys: [{{ name }}], list_complete, cursor }}; {what}"
            ),
        )
    };
    let field = |name: &str| get(result, name).unwrap_or(JsValue::UNDEFINED);
    let listed = field("keys");
    if !js_sys::Array::is_array(&listed) {
        return Err(bad("`keys` is not an array"));
    }
    let mut keys = Vec::new();
    for entry in js_sys::Array::from(&listed).iter() {
        let name = get(&entry, "name").ok().and_then(|n| n.as_string());
        keys.push(name.ok_or_else(|| bad("an entry of `keys` has no string `name`"))?);
    }
    let complete = field("list_complete")
        .as_bool()
        .ok_or_else(|| bad("`list_complete` is not a boolean"))?;
    let cursor = if complete {
        None
    } else {
        let cursor = field("cursor").as_string().filter(|c| !c.is_empty());
        Some(cursor.ok_or_else(|| bad("`list_complete` is false but `cursor` is missing"))?)
    };
    Ok(KeyPage { keys, cursor })
}

#[async_trait(?Send)]
impl KvStore for JsKv {
    async fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        let value = self.call("get", &[key.into()]).await?;
        if value.is_null() || value.is_undefined() {
            return Ok(None);
        }
        let text = value.as_string();
        text.map(Some)
            .ok_or_else(|| failed("get", "it must resolve to a string or null"))
    }

    async fn put(&self, key: &str, value: &str, ttl_secs: Option<u64>) -> Result<(), StoreError> {
        let mut args = vec![JsValue::from_str(key), JsValue::from_str(value)];
        if let Some(ttl) = ttl_secs {
            // A TTL is at most keys::clamp_ttl's bound, far below 2^53: exact as a JS number.
            let ttl = JsValue::from_f64(keys::clamp_ttl(ttl) as f64);
            args.push(options(&[("expirationTtl", ttl)]).into());
        }
        self.call("put", &args).await.map(drop)
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.call("delete", &[key.into()]).await.map(drop)
    }

    async fn list(
        &self,
        prefix: &str,
        cursor: Option<&str>,
        limit: u32,
    ) -> Result<KeyPage, StoreError> {
        let mut fields = vec![("prefix", prefix.into()), ("limit", JsValue::from(limit))];
        if let Some(c) = cursor {
            fields.push(("cursor", c.into()));
        }
        let result = self.call("list", &[options(&fields).into()]).await?;
        key_page(&result)
    }
}
